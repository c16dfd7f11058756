/**
 * ACR personal edition: `GET /tokens` (ROA, version 2016-06-07) returns
 * `{ data: { authorizationToken, tempUserName, expireDate } }`, a login valid for one hour and,
 * with STS keys (a function's role), no longer than the role session.
 */
import type { CredentialProvider, RegistryCredential, RegistryTarget, RoleKeys } from '../provider.js';
import { UpstreamError } from '../errors.js';
import {
  assertRegion,
  epochMsField,
  field,
  regionalClients,
  stringField,
  type AlibabaApiClient,
  type AlibabaFactoryOptions,
} from './client.js';

const ACTION = 'GetAuthorizationToken';

export interface AlibabaProviderOptions {
  /** The client for a region's endpoint (one provider serves every configured region). */
  clientFor: (region: string) => AlibabaApiClient;
  now?: () => number;
  /**
   * When the caller's STS session ends, if the credentials source knows: Alibaba documents that a
   * temporary registry password does not outlive it.
   */
  sessionExpiresAt?: () => Date | undefined;
}

/**
 * @example
 * const acr = new AcrProvider({ clientFor: regionalClients('cr', {}) });
 * const [cred] = await acr.fetch({ provider: 'acr', region: 'cn-shanghai' }, AbortSignal.timeout(3_000));
 */
export class AcrProvider implements CredentialProvider {
  readonly id = 'acr' as const;
  readonly #options: AlibabaProviderOptions;
  readonly #now: () => number;

  constructor(options: AlibabaProviderOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  mayServe(target: RegistryTarget, host: string): boolean {
    return host === personalRegistry(target.region);
  }

  async fetch(target: RegistryTarget, signal: AbortSignal, keys?: RoleKeys): Promise<RegistryCredential[]> {
    assertRegion(target.region);
    const body = await this.#options
      .clientFor(target.region)
      .call({ action: ACTION, version: '2016-06-07', style: 'ROA', method: 'GET', pathname: '/tokens' }, signal, keys);

    field(body, 'data', ACTION); // names the missing envelope before its fields
    const username = stringField(body, 'data.tempUserName', ACTION);
    const password = stringField(body, 'data.authorizationToken', ACTION);
    const expireDate = epochMsField(body, 'data.expireDate', ACTION);
    return [
      {
        registry: (target.host ?? personalRegistry(target.region)).toLowerCase(),
        username,
        password,
        expiresAt: cappedExpiry(expireDate, this.#options.sessionExpiresAt?.(), this.#now(), `${ACTION} data.expireDate`),
        provider: this.id,
        region: target.region,
      },
    ];
  }
}

/** The personal edition's documented registry host for a region. */
const personalRegistry = (region: string) => `registry.${region}.aliyuncs.com`;

/**
 * The real end of validity: the earlier of the token's expiry and the STS session's end, which
 * must lie in the future.
 * @example cappedExpiry(t0 + 3_600_000, new Date(t0 + 1_200_000), t0, 'ExpireTime') // Date(t0 + 20 min)
 */
export function cappedExpiry(tokenExpiresAt: number, sessionExpiresAt: Date | undefined, now: number, what: string): Date {
  if (tokenExpiresAt <= now) throw new UpstreamError('UpstreamInvalidResponse', `${what} is not in the future`);
  const session = sessionExpiresAt?.getTime();
  if (session !== undefined && Number.isFinite(session)) {
    if (session <= now) throw new UpstreamError('UpstreamAccessDenied', 'the role session has already expired');
    return new Date(Math.min(tokenExpiresAt, session));
  }
  return new Date(tokenExpiresAt);
}

/**
 * The default ACR personal provider: the function's own role through the credentials chain.
 * @example const acr = createAcrProvider({ endpointUrl: config.endpoints.cr });
 */
export function createAcrProvider(options: AlibabaFactoryOptions = {}): AcrProvider {
  return new AcrProvider({
    clientFor: regionalClients('cr', options),
    ...(options.now ? { now: options.now } : {}),
    ...(options.sessionExpiresAt ? { sessionExpiresAt: options.sessionExpiresAt } : {}),
  });
}
