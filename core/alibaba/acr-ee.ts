/**
 * ACR Enterprise Edition: `GetAuthorizationToken` (RPC, version 2018-12-01, `InstanceId`)
 * answers `TempUsername`, `AuthorizationToken`, `ExpireTime` (epoch ms), `IsSuccess`. The
 * registry host comes from `GetInstanceEndpoint` (internet endpoint of the Registry module),
 * asked once per instance, unless the target names a host.
 */
import type { CredentialProvider, RegistryCredential, RegistryTarget, RoleKeys } from '../provider.js';
import { ConfigError, UpstreamError } from '../errors.js';
import { cappedExpiry, type AlibabaProviderOptions } from './acr.js';
import {
  assertRegion,
  classifyAlibabaError,
  epochMsField,
  field,
  regionalClients,
  stringField,
  type AlibabaApiClient,
  type AlibabaFactoryOptions,
} from './client.js';

const VERSION = '2018-12-01';
const HOSTNAME = /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*(:\d{1,5})?$/;

/**
 * @example
 * const ee = new AcrEeProvider({ clientFor: regionalClients('cr', {}) });
 * const [cred] = await ee.fetch({ provider: 'acr-ee', region: 'cn-hangzhou', instanceId: 'cri-abc' }, signal);
 */
export class AcrEeProvider implements CredentialProvider {
  readonly id = 'acr-ee' as const;
  readonly #options: AlibabaProviderOptions;
  readonly #now: () => number;
  /** Registry domain per `region:instance`: it changes only if the instance is rebuilt. */
  readonly #hosts = new Map<string, string>();

  constructor(options: AlibabaProviderOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  /** Only the instance's endpoint tells its host: unknown until the first call, then exact. */
  mayServe(target: RegistryTarget, host: string): boolean {
    const known = this.#hosts.get(`${target.region}:${target.instanceId}`);
    return known === undefined || known === host;
  }

  async fetch(target: RegistryTarget, signal: AbortSignal, keys?: RoleKeys): Promise<RegistryCredential[]> {
    assertRegion(target.region);
    const instanceId = target.instanceId;
    if (!instanceId) throw new ConfigError(`acr-ee:${target.region} needs an instance id (acr-ee:<region>:<cri-…>)`);
    const client = this.#options.clientFor(target.region);

    const [token, host] = await Promise.all([
      client.call({ action: 'GetAuthorizationToken', version: VERSION, style: 'RPC', method: 'POST', pathname: '/', query: { InstanceId: instanceId } }, signal, keys),
      target.host ?? this.#registryHost(client, target.region, instanceId, signal, keys),
    ]);

    assertSuccess(token, 'GetAuthorizationToken');
    const username = stringField(token, 'TempUsername', 'GetAuthorizationToken');
    const password = stringField(token, 'AuthorizationToken', 'GetAuthorizationToken');
    const expireTime = epochMsField(token, 'ExpireTime', 'GetAuthorizationToken');
    return [
      {
        registry: host.toLowerCase(),
        username,
        password,
        expiresAt: cappedExpiry(expireTime, this.#options.sessionExpiresAt?.(), this.#now(), 'GetAuthorizationToken ExpireTime'),
        provider: this.id,
        region: target.region,
      },
    ];
  }

  async #registryHost(client: AlibabaApiClient, region: string, instanceId: string, signal: AbortSignal, keys?: RoleKeys): Promise<string> {
    const key = `${region}:${instanceId}`;
    const cached = this.#hosts.get(key);
    if (cached) return cached;
    const action = 'GetInstanceEndpoint';
    const body = await client.call(
      { action, version: VERSION, style: 'RPC', method: 'POST', pathname: '/', query: { InstanceId: instanceId, EndpointType: 'internet', ModuleName: 'Registry' } },
      signal,
      keys,
    );
    assertSuccess(body, action);
    const domains = field(body, 'Domains', action);
    if (!Array.isArray(domains) || domains.length === 0) {
      throw new UpstreamError('UpstreamInvalidResponse', `${action} answer field Domains is missing or empty (is the internet endpoint enabled?)`);
    }
    const chosen = domains.find((d) => (d as { Type?: unknown })?.Type === 'SYSTEM') ?? domains[0];
    const domain = stringField(chosen, 'Domain', `${action} Domains[]`).toLowerCase();
    if (!HOSTNAME.test(domain)) throw new UpstreamError('UpstreamInvalidResponse', `${action} answer field Domains[].Domain is not a host name`);
    this.#hosts.set(key, domain);
    return domain;
  }
}

/**
 * EE answers carry `IsSuccess`; a false one is an error even with HTTP 200. A recognisable
 * `Code` (throttling, denial) keeps its meaning; anything else is an unusable answer.
 */
function assertSuccess(body: unknown, action: string): void {
  const ok = field(body, 'IsSuccess', action);
  if (ok === true) return;
  const code = field(body, 'Code', action);
  if (typeof code === 'string') {
    const classified = classifyAlibabaError({ code }, action);
    if (classified.code === 'UpstreamThrottled' || classified.code === 'UpstreamAccessDenied') throw classified;
  }
  throw new UpstreamError('UpstreamInvalidResponse', `${action} answer field IsSuccess is ${ok === false ? 'false' : 'missing or not a boolean'}`);
}

/**
 * The default ACR EE provider: the function's own role, `cr.<region>.aliyuncs.com` unless overridden.
 * @example const ee = createAcrEeProvider({ endpointUrl: config.endpoints.cr });
 */
export function createAcrEeProvider(options: AlibabaFactoryOptions = {}): AcrEeProvider {
  return new AcrEeProvider({
    clientFor: regionalClients('cr', options),
    ...(options.now ? { now: options.now } : {}),
    ...(options.sessionExpiresAt ? { sessionExpiresAt: options.sessionExpiresAt } : {}),
  });
}
