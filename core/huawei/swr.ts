/**
 * SWR (SoftWare Repository for Container): `CreateSecret`, `POST /v2/manage/utils/secret
 * ?projectname=<region>`, answers `{"auths":{"swr.<region>.myhuaweicloud.com":{"auth":
 * base64("<region>@<AK>:<password>")}}}` with headers `X-Swr-Dockerlogin` (the same login as a
 * `docker login` command) and `X-Swr-Expireat` (e.g. `2025-11-01T12:18:44.382000Z`).
 *
 * Why CreateSecret and not the newer CreateAuthorizationToken (`POST /v2/manage/utils/
 * authorizationtoken`, "enhanced", `bearertoken@…` user): CreateSecret is the operation the
 * installed SDK (SWR 3.1.128) models and the one SWR documents for AK/SK callers: it needs only
 * `swr::createLoginSecret`, and an agency's temporary AK/SK + X-Security-Token signs it like any
 * APIG call. CreateAuthorizationToken is not in SDK 3.1.128 and additionally depends on
 * `sts::createServiceBearerToken`, an STS grant a FunctionGraph agency would need on top.
 * NOT verified against a live account (no cloud account here): that a login minted with
 * temporary keys stays valid until `X-Swr-Expireat` rather than ending with the agency session.
 * The username embeds the AK, so we assume it cannot outlive that AK and cap at
 * `sessionExpiresAt` when the caller knows it.
 */
import type { CredentialProvider, RegistryCredential, RegistryTarget, RoleKeys } from '../provider.js';
import { UpstreamError } from '../errors.js';
import { cachedPerRegion, invalidAnswer } from '../upstream.js';
import { assertHuaweiRegion, createHuaweiClient, rejectUnknownOptions, resolveHuaweiEndpoint, type HuaweiApiClient, type HuaweiKeys } from './client.js';

const ACTION = 'CreateSecret';
/** SWR documents a temporary login as valid for at most 24 hours. */
export const MAX_LOGIN_MS = 24 * 60 * 60_000;

/** The registry host SWR answers for a region. */
export const swrRegistryHost = (region: string) => `swr.${region}.myhuaweicloud.com`;

export interface SwrProviderOptions {
  /** The client for a region's SWR endpoint (one provider serves every configured region). */
  clientFor: (region: string) => HuaweiApiClient;
  now?: () => number;
  /** When the agency's temporary keys expire, if known: the login is not trusted past it. */
  sessionExpiresAt?: () => Date | undefined;
}

/**
 * @example
 * const swr = new SwrProvider({ clientFor: (region) => createHuaweiClient({ endpoint: resolveHuaweiEndpoint(undefined, 'swr-api', region) }) });
 * const [cred] = await swr.fetch({ provider: 'swr', region: 'cn-north-4' }, AbortSignal.timeout(3_000), invocation.keys);
 */
export class SwrProvider implements CredentialProvider {
  readonly id = 'swr' as const;
  readonly #options: SwrProviderOptions;
  readonly #now: () => number;

  constructor(options: SwrProviderOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  mayServe(target: RegistryTarget, host: string): boolean {
    return host.toLowerCase() === (target.host ?? swrRegistryHost(target.region)).toLowerCase();
  }

  /** `keys`: the invocation's agency keys (FunctionGraph hands them per invocation); else the client's own. */
  async fetch(target: RegistryTarget, signal: AbortSignal, keys?: RoleKeys): Promise<RegistryCredential[]> {
    assertHuaweiRegion(target.region);
    const answer = await this.#options.clientFor(target.region).call(
      {
        action: ACTION,
        method: 'POST',
        path: '/v2/manage/utils/secret',
        query: { projectname: target.region },
        // Only what we use: the login comes from `auths`, which says the same as X-Swr-Dockerlogin.
        responseHeaders: ['X-Swr-Expireat'],
      },
      signal,
      keys,
    );
    const { host, auth } = pickAuth(answer.body, target.region);
    const { username, password } = decodeAuth(auth);
    const expiresAt = parseSwrTime(answer.headers['X-Swr-Expireat']);
    return [
      {
        registry: (target.host ?? host).toLowerCase(),
        username,
        password,
        expiresAt: loginExpiry(expiresAt, this.#options.sessionExpiresAt?.(), this.#now()),
        provider: this.id,
        region: target.region,
      },
    ];
  }
}

/** The one `auths` entry: the region's SWR host, or the only entry SWR answered. */
function pickAuth(body: Record<string, unknown>, region: string): { host: string; auth: string } {
  const auths = body['auths'];
  if (auths === null || typeof auths !== 'object' || Array.isArray(auths)) throw invalidAnswer(ACTION, 'has no auths');
  const entries = Object.entries(auths as Record<string, unknown>);
  const entry = entries.find(([h]) => h === swrRegistryHost(region)) ?? (entries.length === 1 ? entries[0] : undefined);
  if (!entry) throw invalidAnswer(ACTION, `auths has no single entry for ${swrRegistryHost(region)}`);
  const [host, info] = entry;
  if (!/^[A-Za-z0-9.-]+(:\d{1,5})?$/.test(host)) throw invalidAnswer(ACTION, 'auths names a host that is not a host name');
  const auth = (info as { auth?: unknown } | null)?.auth;
  if (typeof auth !== 'string' || auth.length === 0) throw invalidAnswer(ACTION, 'auths entry has no auth string');
  return { host, auth };
}

/**
 * `base64("<user>:<password>")`, split on the first `:` (the password may contain more).
 * @example decodeAuth(btoa('cn-north-4@AK:p:w')) // { username: 'cn-north-4@AK', password: 'p:w' }
 */
export function decodeAuth(auth: string): { username: string; password: string } {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(auth) || auth.length % 4 !== 0) throw invalidAnswer(ACTION, 'auth is not base64');
  const decoded = Buffer.from(auth, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0 || colon === decoded.length - 1) throw invalidAnswer(ACTION, 'auth is not user:password');
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/**
 * `X-Swr-Expireat`: ISO-8601 UTC with up to 9 fraction digits (SWR prints microseconds).
 * @example parseSwrTime('2025-11-01T12:18:44.382000Z') // Date.UTC(2025, 10, 1, 12, 18, 44, 382)
 */
export function parseSwrTime(value: string | undefined): number {
  if (value === undefined) throw invalidAnswer(ACTION, 'has no X-Swr-Expireat header');
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/.exec(value.trim());
  const ms = m ? Date.parse(`${m[1]}.${(m[2] ?? '').padEnd(3, '0').slice(0, 3)}${m[3]}`) : NaN;
  if (!Number.isFinite(ms)) throw invalidAnswer(ACTION, 'header X-Swr-Expireat is not an ISO-8601 time');
  return ms;
}

/**
 * The login's real end: SWR's expiry, in the future, no later than the agency session, and never
 * trusted beyond the documented 24 h.
 */
function loginExpiry(reported: number, session: Date | undefined, now: number): Date {
  if (reported <= now) throw invalidAnswer(ACTION, 'header X-Swr-Expireat is not in the future');
  const expiresAt = Math.min(reported, now + MAX_LOGIN_MS);
  const sessionEnd = session?.getTime();
  if (sessionEnd !== undefined && Number.isFinite(sessionEnd)) {
    if (sessionEnd <= now) throw new UpstreamError('UpstreamAccessDenied', 'the agency session has already expired');
    return new Date(Math.min(expiresAt, sessionEnd));
  }
  return new Date(expiresAt);
}

export interface SwrFactoryOptions {
  /** Keys for calls whose invocation carries none (tests, tools); FunctionGraph's arrive per call in `fetch`. */
  keys?: HuaweiKeys | (() => HuaweiKeys);
  /** HUAWEICLOUD_ENDPOINT_URL_SWR from config: one endpoint for every region. */
  endpointUrl?: string;
  sessionExpiresAt?: () => Date | undefined;
  now?: () => number;
  timeoutMs?: number;
}

/**
 * The default SWR provider: the agency's keys, `https://swr-api.<region>.myhuaweicloud.com` unless
 * overridden; one client per region, built on first use.
 * @example
 * const swr = createSwrProvider({ endpointUrl: config.endpoints.swr });
 * await swr.fetch({ provider: 'swr', region: 'cn-north-4' }, signal, invocation.keys);
 */
export function createSwrProvider(options: SwrFactoryOptions): SwrProvider {
  rejectUnknownOptions(options, ['keys', 'endpointUrl', 'sessionExpiresAt', 'now', 'timeoutMs'], 'createSwrProvider');
  return new SwrProvider({
    clientFor: cachedPerRegion((region) =>
      createHuaweiClient({
        endpoint: resolveHuaweiEndpoint(options.endpointUrl, 'swr-api', region),
        ...(options.keys && { keys: options.keys }),
        ...(options.timeoutMs !== undefined && { timeoutMs: options.timeoutMs }),
      }),
    ),
    ...(options.now && { now: options.now }),
    ...(options.sessionExpiresAt && { sessionExpiresAt: options.sessionExpiresAt }),
  });
}
