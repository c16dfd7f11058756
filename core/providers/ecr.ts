/**
 * Amazon ECR: `GetAuthorizationToken` (JSON 1.1, SigV4, signing name `ecr`) answers
 * `authorizationData: [{ authorizationToken: base64("AWS:<password>"), expiresAt, proxyEndpoint }]`,
 * valid 12 hours. Without `registryIds` the answer is for the role's own account's registry, so
 * exactly one entry is expected; anything else is an answer we do not understand.
 *
 * The validation and error mapping here are shared with ECR Public (ecr-public.ts).
 */
import type { ECRClient, GetAuthorizationTokenCommandOutput } from '@aws-sdk/client-ecr';
import type { CredentialProvider, RegistryCredential, RegistryTarget } from '../credential.js';
import { ConfigError, RegcredError, UpstreamError, UpstreamUnavailableError } from '../errors.js';

const ACTION = 'GetAuthorizationToken';
/**
 * The SDK loads on first use, not at cold start: parsing and running it is most of a bundle's load
 * time (bench/RESULTS.md), and the first request has to wait for the upstream call anyway.
 */
const loadSdk = () => import('./ecr-sdk.js');
const AWS_REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;

export interface EcrProviderOptions {
  /** The SDK client for a region (default: the standard chain, one attempt per call). Cached per region. */
  clientFor?: (region: string) => ECRClient | Promise<ECRClient>;
  /** Clock for the "expiry is in the future" check, epoch ms. */
  now?: () => number;
}

/**
 * @example
 * const ecr = new EcrProvider();
 * const [cred] = await ecr.fetch({ provider: 'ecr', region: 'us-east-1' }, AbortSignal.timeout(3_000));
 * // cred.registry === '123456789012.dkr.ecr.us-east-1.amazonaws.com', cred.username === 'AWS'
 */
export class EcrProvider implements CredentialProvider {
  readonly id = 'ecr' as const;
  readonly #clientFor: (region: string) => ECRClient | Promise<ECRClient>;
  readonly #now: () => number;

  constructor(options: EcrProviderOptions = {}) {
    // maxAttempts 1: core/retry.ts owns retries and the time budget, not the SDK.
    this.#clientFor = cachedPerRegion(options.clientFor ?? (async (region) => new (await loadSdk()).ECRClient({ region, maxAttempts: 1 })));
    this.#now = options.now ?? Date.now;
  }

  /** ECR's registry is always `<account>.dkr.ecr[-fips].<region>.amazonaws.com[.cn]`; only the account is unknown before the call. */
  mayServe(target: RegistryTarget, host: string): boolean {
    const match = /^\d{12}\.dkr\.ecr(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$/.exec(host);
    return match?.[1] === target.region;
  }

  async fetch(target: RegistryTarget, signal: AbortSignal): Promise<RegistryCredential[]> {
    assertAwsRegion(target.region);
    let output: GetAuthorizationTokenCommandOutput;
    try {
      const [client, { GetAuthorizationTokenCommand }] = await Promise.all([this.#clientFor(target.region), loadSdk()]);
      output = await client.send(new GetAuthorizationTokenCommand({}), { abortSignal: signal });
    } catch (err) {
      throw classifyAwsError(err, ACTION, signal);
    }

    const list = output.authorizationData;
    if (!Array.isArray(list) || list.length !== 1) {
      const got = Array.isArray(list) ? `${list.length} entries` : 'none';
      throw new UpstreamError('UpstreamInvalidResponse', `${ACTION} answer field authorizationData must hold exactly one entry (got ${got})`);
    }
    const data: unknown = list[0];
    const { username, password } = decodeAuthorizationToken(property(data, 'authorizationToken'), 'authorizationData[0].authorizationToken');
    const expiresAt = futureExpiry(property(data, 'expiresAt'), this.#now(), 'authorizationData[0].expiresAt');
    const registry = target.host?.toLowerCase() ?? registryHost(property(data, 'proxyEndpoint'), 'authorizationData[0].proxyEndpoint');
    return [{ registry, username, password, expiresAt, provider: this.id, region: target.region }];
  }
}

/**
 * Split `base64("user:password")` on the FIRST `:` (a password may contain more). The field name
 * goes into the error; the token never does.
 * @example decodeAuthorizationToken('QVdTOnNlY3JldA==', 'authorizationToken') // { username: 'AWS', password: 'secret' }
 */
export function decodeAuthorizationToken(token: unknown, field: string): { username: string; password: string } {
  if (typeof token !== 'string' || token.length === 0) throw invalid(field, 'is missing or not a string');
  // Buffer.from(.., 'base64') skips junk silently; insist on canonical base64 instead.
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(token) || token.length % 4 !== 0) throw invalid(field, 'is not base64');
  const decoded = Buffer.from(token, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) throw invalid(field, "does not decode to user:password (no ':')");
  const username = decoded.slice(0, colon);
  const password = decoded.slice(colon + 1);
  if (!username) throw invalid(field, 'has an empty user name');
  if (!password) throw invalid(field, 'has an empty password');
  return { username, password };
}

/**
 * The SDK turns ECR's epoch-second `expiresAt` into a Date; it must be there and in the future.
 * @example futureExpiry(new Date(Date.now() + 43_200_000), Date.now(), 'expiresAt') // that Date
 */
export function futureExpiry(value: unknown, now: number, field: string): Date {
  if (!(value instanceof Date) || !Number.isFinite(value.getTime())) throw invalid(field, 'is missing or not a timestamp');
  if (value.getTime() <= now) throw invalid(field, 'is in the past');
  return value;
}

/**
 * The registry `host[:port]` of a proxyEndpoint URL such as `https://1234.dkr.ecr.us-east-1.amazonaws.com`.
 * @example registryHost('https://123456789012.dkr.ecr.us-east-1.amazonaws.com', 'proxyEndpoint') // '123456789012.dkr.ecr.us-east-1.amazonaws.com'
 */
export function registryHost(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.length === 0) throw invalid(field, 'is missing or not a string');
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw invalid(field, 'is not a URL');
  }
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || !url.host) throw invalid(field, 'is not an http(s) URL with a host');
  return url.host.toLowerCase();
}

const THROTTLE_CODES = new Set([
  'ThrottlingException', 'Throttling', 'ThrottledException', 'TooManyRequestsException', 'TooManyRequests',
  'RequestLimitExceeded', 'RequestThrottled', 'RequestThrottledException', 'SlowDown',
]);
const DENIED_CODES = new Set([
  'AccessDeniedException', 'AccessDenied', 'InvalidSignatureException', 'SignatureDoesNotMatch',
  'UnrecognizedClientException', 'InvalidClientTokenId', 'ExpiredToken', 'ExpiredTokenException',
  'IncompleteSignatureException', 'MissingAuthenticationTokenException', 'InvalidToken',
  // No credentials at all (the SDK's chain found none): the function's role is missing.
  'CredentialsProviderError',
]);
const SERVER_CODES = new Set(['ServerException', 'InternalFailure', 'InternalServerError', 'ServiceUnavailable', 'ServiceUnavailableException']);
const NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ENOTFOUND', 'EHOSTUNREACH', 'ECONNABORTED', 'UND_ERR_SOCKET']);

interface SdkErrorShape {
  name?: unknown;
  code?: unknown;
  $metadata?: { httpStatusCode?: unknown };
  $response?: { headers?: Record<string, string | undefined> };
}

/**
 * Map what the AWS SDK threw to regcred's errors. An abort is rethrown as is (core/retry.ts turns
 * it into UpstreamTimeout). The message names the action and the AWS error code only; the SDK
 * error, with its request id, stays in `cause` for the log.
 * @example classifyAwsError(sdkError, 'GetAuthorizationToken', signal) // UpstreamUnavailableError for ThrottlingException
 */
export function classifyAwsError(err: unknown, action: string, signal: AbortSignal): unknown {
  if (signal.aborted) return err;
  if (err instanceof RegcredError) return err;
  const e = (err ?? {}) as SdkErrorShape;
  const name = typeof e.name === 'string' ? e.name : '';
  const status = typeof e.$metadata?.httpStatusCode === 'number' ? e.$metadata.httpStatusCode : undefined;
  const code = safeCode(name);

  if (THROTTLE_CODES.has(name) || status === 429) {
    const retryAfterSeconds = retryAfter(e.$response?.headers);
    return new UpstreamUnavailableError('UpstreamThrottled', `${action} was throttled (${code || status})`, {
      cause: err,
      ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}),
    });
  }
  if (DENIED_CODES.has(name) || status === 401 || status === 403) {
    return new UpstreamError('UpstreamAccessDenied', `${action} was denied (${code || status})`, { cause: err });
  }
  if ((status !== undefined && status >= 500) || SERVER_CODES.has(name)) {
    return new UpstreamError('UpstreamError', `${action} failed (${code || status})`, { cause: err, retryable: true });
  }
  if (err instanceof SyntaxError || err instanceof TypeError) {
    // A 2xx whose body the SDK could not parse or whose fields had the wrong types.
    return new UpstreamError('UpstreamInvalidResponse', `${action} answered with a body that could not be parsed`, { cause: err });
  }
  const errno = typeof e.code === 'string' ? e.code : '';
  if (status === undefined && (NETWORK_CODES.has(errno) || name === 'TimeoutError')) {
    return new UpstreamError('UpstreamError', `${action} failed: network error ${safeCode(errno) || name}`, { cause: err, retryable: true });
  }
  return new UpstreamError('UpstreamError', `${action} failed (${code || status || 'no answer'})`, { cause: err });
}

/** `Retry-After` as seconds (an integer or an HTTP date), if the answer carried one. */
function retryAfter(headers: Record<string, string | undefined> | undefined): number | undefined {
  const raw = headers && Object.entries(headers).find(([k]) => k.toLowerCase() === 'retry-after')?.[1];
  if (!raw) return undefined;
  if (/^\d+$/.test(raw.trim())) return Number(raw.trim());
  const at = Date.parse(raw);
  return Number.isFinite(at) ? Math.max(0, (at - Date.now()) / 1000) : undefined;
}

/** AWS codes are short identifiers; anything else is not echoed. */
function safeCode(code: string): string {
  return /^[A-Za-z0-9._-]{1,80}$/.test(code) ? code : '';
}

function invalid(field: string, problem: string): UpstreamError {
  return new UpstreamError('UpstreamInvalidResponse', `${ACTION} answer field ${field} ${problem}`);
}

function property(obj: unknown, key: string): unknown {
  return obj !== null && typeof obj === 'object' ? (obj as Record<string, unknown>)[key] : undefined;
}

/** AWS region ids (`us-east-1`, `ap-southeast-2`, `us-gov-west-1`). */
export function assertAwsRegion(region: string): void {
  if (!AWS_REGION.test(region)) throw new ConfigError(`region '${region}' is not an AWS region id`);
}

/** Build each region's client once: SDK clients hold sockets and credential caches. */
export function cachedPerRegion<C>(factory: (region: string) => C): (region: string) => C {
  const clients = new Map<string, C>();
  return (region) => {
    let client = clients.get(region);
    if (!client) {
      client = factory(region);
      clients.set(region, client);
      // A factory that failed (e.g. the deferred SDK did not load) is tried again on the next call.
      if (client instanceof Promise) client.catch(() => clients.delete(region));
    }
    return client;
  };
}
