/**
 * Tencent Container Registry (Enterprise Edition), API 2019-09-24:
 * `CreateInstanceToken` {RegistryId, TokenType: 'temp'} answers `Username`, `Token` and `ExpTime`
 * (a temp token lives 1 h; ExpTime is read as epoch milliseconds and anything that looks like
 * seconds is refused rather than guessed at). The registry host is the instance's `PublicDomain`
 * from `DescribeInstances` {Registryids: [id]} (the API spells it with a lower-case `i`), asked
 * once per process per instance, unless the target names a host.
 */
import type { CredentialProvider, RegistryCredential, RegistryTarget } from '../provider.js';
import { ConfigError, UpstreamError } from '../errors.js';
import { assertRegion, regionalTencentClients, stringField, type TencentApiClient, type TencentFactoryOptions } from './client.js';

const HOSTNAME = /^(?=.{1,253}(:|$))[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*(:\d{1,5})?$/;
const INSTANCE_ID = /^tcr-[a-z0-9]+$/;
/** Epoch ms between 2001-09-09 and 5138: a seconds value (< 1e12) or a microseconds one (> 1e14) is refused. */
const MIN_EPOCH_MS = 1e12;
const MAX_EPOCH_MS = 1e14;
const PUBLIC_DOMAIN_SUFFIX = '.tencentcloudcr.com';

export interface TcrProviderOptions {
  clientFor: (region: string) => TencentApiClient;
  /** When the role session ends, where known: expiresAt never goes past it. */
  sessionExpiresAt?: () => Date | undefined;
  now?: () => number;
}

/**
 * @example
 * const tcr = new TcrProvider({ clientFor: regionalTencentClients('tcr', { keys }) });
 * const [cred] = await tcr.fetch({ provider: 'tcr', region: 'ap-guangzhou', instanceId: 'tcr-abc' }, signal);
 */
export class TcrProvider implements CredentialProvider {
  readonly id = 'tcr' as const;
  readonly #options: TcrProviderOptions;
  readonly #now: () => number;
  /** Public domain per `region:instance`: it changes only if the instance is rebuilt. */
  readonly #hosts = new Map<string, Promise<string>>();
  /** The same, settled, for mayServe (which cannot wait). */
  readonly #known = new Map<string, string>();

  constructor(options: TcrProviderOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  async fetch(target: RegistryTarget, signal: AbortSignal): Promise<RegistryCredential[]> {
    const instanceId = checkTarget(target);
    const client = this.#options.clientFor(target.region);
    const action = 'CreateInstanceToken';
    const [token, host] = await Promise.all([
      client.call(action, { RegistryId: instanceId, TokenType: 'temp' }, signal),
      target.host ?? this.#registryHost(client, target.region, instanceId, signal),
    ]);

    const username = stringField(token, 'Username', action);
    const password = stringField(token, 'Token', action);
    const expTime = token['ExpTime'];
    if (typeof expTime !== 'number' || !Number.isFinite(expTime)) {
      throw new UpstreamError('UpstreamInvalidResponse', `${action} answer field ExpTime is missing or not a number`);
    }
    if (expTime < MIN_EPOCH_MS || expTime > MAX_EPOCH_MS) {
      throw new UpstreamError('UpstreamInvalidResponse', `${action} answer field ExpTime does not look like epoch milliseconds`);
    }
    const now = this.#now();
    if (expTime <= now) throw new UpstreamError('UpstreamInvalidResponse', `${action} answer field ExpTime is not in the future`);
    const session = this.#options.sessionExpiresAt?.()?.getTime();
    return [
      {
        registry: host.toLowerCase(),
        username,
        password,
        expiresAt: new Date(session !== undefined ? Math.min(expTime, session) : expTime),
        provider: this.id,
        region: target.region,
      },
    ];
  }

  /**
   * Only a known host can be ruled in or out: the target's own, or the domain DescribeInstances
   * reported. Before that, any `*.tencentcloudcr.com` may be this instance's public domain.
   */
  mayServe(target: RegistryTarget, host: string): boolean {
    const wanted = host.toLowerCase();
    if (target.host) return target.host.toLowerCase() === wanted;
    const known = target.instanceId ? this.#known.get(`${target.region}:${target.instanceId}`) : undefined;
    if (known) return known === wanted;
    return wanted.endsWith(PUBLIC_DOMAIN_SUFFIX);
  }

  #registryHost(client: TencentApiClient, region: string, instanceId: string, signal: AbortSignal): Promise<string> {
    const key = `${region}:${instanceId}`;
    let host = this.#hosts.get(key);
    if (!host) {
      // Shared by concurrent first calls; forgotten on failure so the next call asks again.
      host = this.#describe(client, instanceId, signal).then(
        (domain) => {
          this.#known.set(key, domain);
          return domain;
        },
        (err: unknown) => {
          this.#hosts.delete(key);
          throw err;
        },
      );
      this.#hosts.set(key, host);
    }
    return host;
  }

  async #describe(client: TencentApiClient, instanceId: string, signal: AbortSignal): Promise<string> {
    const action = 'DescribeInstances';
    const body = await client.call(action, { Registryids: [instanceId] }, signal);
    const registries = body['Registries'];
    if (!Array.isArray(registries)) throw new UpstreamError('UpstreamInvalidResponse', `${action} answer field Registries is missing or not a list`);
    const registry = registries.find((r) => (r as { RegistryId?: unknown } | null)?.RegistryId === instanceId) as Record<string, unknown> | undefined;
    if (!registry) throw new UpstreamError('UpstreamError', `${action} does not list instance ${instanceId} in this region`);
    const domain = stringField(registry, 'PublicDomain', `${action} Registries[]`).toLowerCase();
    if (!HOSTNAME.test(domain)) throw new UpstreamError('UpstreamInvalidResponse', `${action} answer field Registries[].PublicDomain is not a host name`);
    return domain;
  }
}

function checkTarget(target: RegistryTarget): string {
  assertRegion(target.region);
  const instanceId = target.instanceId;
  if (!instanceId) throw new ConfigError(`tcr:${target.region} needs an instance id (tcr:<region>:<tcr-…>)`);
  if (!INSTANCE_ID.test(instanceId)) throw new ConfigError(`tcr instance id '${instanceId}' is not of the form tcr-…`);
  if (target.host !== undefined && !HOSTNAME.test(target.host.toLowerCase())) throw new ConfigError(`tcr host '${target.host}' is not host[:port]`);
  return instanceId;
}

/**
 * The default TCR provider: the function's role keys, `tcr.tencentcloudapi.com` unless overridden.
 * @example const tcr = createTcrProvider({ keys: scfRoleKeys, endpointUrl: config.endpoints.tcr });
 */
export function createTcrProvider(options: TencentFactoryOptions): TcrProvider {
  return new TcrProvider({
    clientFor: regionalTencentClients('tcr', options),
    ...(options.now && { now: options.now }),
    ...(options.sessionExpiresAt && { sessionExpiresAt: options.sessionExpiresAt }),
  });
}
