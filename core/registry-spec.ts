import { PROVIDER_IDS, type ProviderId, type RegistryTarget } from './credential.js';
import { BadRequestError } from './errors.js';

const REGION = /^[a-z]{2,}(-[a-z0-9]+){1,4}$/;
export const REGISTRY_HOST = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*(:\d{1,5})?$/i;
const INSTANCE_ID: Partial<Record<ProviderId, RegExp>> = { 'acr-ee': /^cri-[a-z0-9]+$/, tcr: /^tcr-[a-z0-9]+$/ };

/**
 * Parse one `<provider>:<region>[:<instanceId>][=<host>]` entry.
 * @example parseRegistry('acr-ee:cn-hangzhou:cri-abc') // { provider: 'acr-ee', region: 'cn-hangzhou', instanceId: 'cri-abc' }
 */
export function parseRegistry(entry: string): RegistryTarget {
  const [spec = '', host, ...extra] = entry.trim().split('=');
  const [provider = '', region = '', instanceId, ...rest] = spec.split(':');
  if (extra.length || rest.length) throw new BadRequestError(`'${entry}' is not <provider>:<region>[:<instanceId>][=<host>]`);
  if (!(PROVIDER_IDS as readonly string[]).includes(provider)) {
    throw new BadRequestError(`'${entry}': provider must be one of ${PROVIDER_IDS.join(', ')}`);
  }
  const id = provider as ProviderId;
  if (!REGION.test(region)) throw new BadRequestError(`'${entry}': '${region}' is not a region`);
  if (id === 'ecr-public' && region !== 'us-east-1') {
    throw new BadRequestError(`'${entry}': ECR Public issues tokens only in us-east-1`);
  }
  const instancePattern = INSTANCE_ID[id];
  if (instancePattern && !instancePattern.test(instanceId ?? '')) {
    throw new BadRequestError(`'${entry}': ${id} needs an instance id like ${instancePattern.source.slice(1, 5)}…`);
  }
  if (!instancePattern && instanceId !== undefined) throw new BadRequestError(`'${entry}': ${id} takes no instance id`);
  if (host !== undefined && !REGISTRY_HOST.test(host)) throw new BadRequestError(`'${entry}': '${host}' is not host[:port]`);

  const target: RegistryTarget = { provider: id, region };
  if (instanceId !== undefined) target.instanceId = instanceId;
  if (host !== undefined) target.host = host.toLowerCase();
  return target;
}

