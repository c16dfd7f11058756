import { providerIds, providerSpec } from './clouds.js';
import type { RegistryTarget } from './provider.js';
import { BadRequestError } from './errors.js';
import { isRegionId } from './upstream.js';

/** Entries take region ids of at most five dash-separated parts (`cn-shanghai-finance-1` has four). */
const MAX_REGION_PARTS = 5;
export const REGISTRY_HOST = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*(:\d{1,5})?$/i;

/**
 * Parse one `<provider>:<region>[:<instanceId>][=<host>]` entry.
 * @example parseRegistry('acr-ee:cn-hangzhou:cri-abc') // { provider: 'acr-ee', region: 'cn-hangzhou', instanceId: 'cri-abc' }
 */
export function parseRegistry(entry: string): RegistryTarget {
  const [spec = '', host, ...extra] = entry.trim().split('=');
  const [provider = '', region = '', instanceId, ...rest] = spec.split(':');
  if (extra.length || rest.length) throw new BadRequestError(`'${entry}' is not <provider>:<region>[:<instanceId>][=<host>]`);
  const known = providerSpec(provider);
  if (!known) throw new BadRequestError(`'${entry}': provider must be one of ${providerIds().join(', ')}`);
  const id = known.id;
  if (!isRegionId(region) || region.split('-').length > MAX_REGION_PARTS) throw new BadRequestError(`'${entry}': '${region}' is not a region`);
  if (known.regions && !known.regions.includes(region)) {
    throw new BadRequestError(`'${entry}': ${id} issues tokens only in ${known.regions.join(', ')}`);
  }
  const omitted = known.instanceId?.optional && instanceId === undefined;
  if (known.instanceId && !omitted && !known.instanceId.pattern.test(instanceId ?? '')) {
    const what = known.instanceId.optional ? 'takes an optional id like' : 'needs an instance id like';
    throw new BadRequestError(`'${entry}': ${id} ${what} ${known.instanceId.example}`);
  }
  if (!known.instanceId && instanceId !== undefined) throw new BadRequestError(`'${entry}': ${id} takes no instance id`);
  if (host !== undefined && !REGISTRY_HOST.test(host)) throw new BadRequestError(`'${entry}': '${host}' is not host[:port]`);

  const target: RegistryTarget = { provider: id, region };
  if (instanceId !== undefined) target.instanceId = instanceId;
  if (host !== undefined) target.host = host.toLowerCase();
  return target;
}

