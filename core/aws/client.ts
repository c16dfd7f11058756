/**
 * What every AWS adapter shares: one error classification for the AWS SDK's errors (throttles →
 * 503, 5xx and network → retryable, denials and everything else final) and the region id shape.
 * Used by ECR, ECR Public and Secrets Manager.
 */
import { RegcredError, UpstreamError, UpstreamUnavailableError, safeCode } from '../errors.js';
import { assertRegionId, isNetworkError } from '../upstream.js';

const AWS_REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;

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
  if (status === undefined && (isNetworkError(err) || name === 'TimeoutError')) {
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

/** AWS region ids (`us-east-1`, `ap-southeast-2`, `us-gov-west-1`). */
export function assertAwsRegion(region: string): void {
  assertRegionId(region, 'AWS', AWS_REGION);
}
