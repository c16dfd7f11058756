/**
 * The plumbing every cloud adapter (core/<cloud>/client.ts) shares, so each keeps only what is its
 * cloud's own: which errno codes mean "no answer", the region id check, one client per region,
 * the check of an endpoint URL from config, and the errors for an abandoned call and a malformed answer.
 */
import { ConfigError, UpstreamError, UpstreamUnavailableError } from './errors.js';

/** Node and undici errno codes for a request that never got an answer: retryable. */
export const NETWORK_CODES: ReadonlySet<string> = new Set([
  'ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ENOTFOUND', 'EHOSTUNREACH', 'ECONNABORTED', 'UND_ERR_SOCKET',
]);

/**
 * Whether `err.code` is one of {@link NETWORK_CODES}.
 * @example isNetworkError(Object.assign(new Error('x'), { code: 'ECONNRESET' })) // true
 */
export function isNetworkError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null | undefined)?.code;
  return typeof code === 'string' && NETWORK_CODES.has(code);
}

/**
 * Region ids of every cloud (`us-gov-west-1`, `cn-shanghai-finance-1`, `na-siliconvalley`,
 * `la-south-2`): lowercase letters and digits between dashes, so one is safe inside a hostname.
 */
export const REGION_ID = /^[a-z]{2,}(-[a-z0-9]+)+$/;

/** Whether `region` has the shape of a region id (`pattern`: a cloud's stricter shape). */
export function isRegionId(region: string, pattern: RegExp = REGION_ID): boolean {
  return pattern.test(region);
}

/**
 * Refuse a region id that is not `cloud`'s: it also guards the hosts and headers built from it.
 * @example assertRegionId('cn-north-4.evil.com', 'Huawei Cloud') // ConfigError "region 'cn-north-4.evil.com' is not a Huawei Cloud region id"
 */
export function assertRegionId(region: string, cloud: string, pattern: RegExp = REGION_ID): void {
  if (!isRegionId(region, pattern)) throw new ConfigError(`region '${region}' is not ${/^[aeiou]/i.test(cloud) ? 'an' : 'a'} ${cloud} region id`);
}

/**
 * Build each region's client once: SDK clients hold sockets and credential caches.
 * @example const clientFor = cachedPerRegion((region) => new URL(`https://swr-api.${region}.myhuaweicloud.com`)); clientFor('cn-north-4') === clientFor('cn-north-4') // true
 */
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

/**
 * An endpoint URL from config, refused unless http or https; `what` names it in the ConfigError.
 * A bare `host[:port]` is taken as https unless `bareHost` is false (then it is refused).
 * @example endpointUrl('127.0.0.1:8080', 'endpoint override').href // 'https://127.0.0.1:8080/'
 */
export function endpointUrl(value: string, what: string, bareHost = true): URL {
  let url: URL;
  try {
    url = new URL(bareHost && !/^[a-z]+:\/\//i.test(value) ? `https://${value}` : value);
  } catch {
    throw new ConfigError(`${what} '${value}' is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ConfigError(`${what} '${value}' must be http or https`);
  return url;
}

/**
 * The caller's signal ended the call: retryable, the signal's reason kept as `cause`.
 * @example abandoned('CreateSecret', signal) // UpstreamUnavailableError UpstreamTimeout "CreateSecret was abandoned"
 */
export function abandoned(what: string, signal: AbortSignal): UpstreamUnavailableError {
  return new UpstreamUnavailableError('UpstreamTimeout', `${what} was abandoned`, { cause: signal.reason });
}

/**
 * A malformed answer; the message names the field, never its value.
 * @example throw invalidAnswer('CreateSecret', 'has no auths') // UpstreamInvalidResponse: "CreateSecret answer has no auths"
 */
export function invalidAnswer(action: string, what: string): UpstreamError {
  return new UpstreamError('UpstreamInvalidResponse', `${action} answer ${what}`);
}

/**
 * `value` if it is a non-empty string, else an {@link invalidAnswer} naming `field`.
 * @example nonEmptyString(body.Username, 'Username', 'CreateInstanceToken')
 */
export function nonEmptyString(value: unknown, field: string, action: string): string {
  if (typeof value !== 'string' || value.length === 0) throw invalidAnswer(action, `field ${field} is missing or not a non-empty string`);
  return value;
}
