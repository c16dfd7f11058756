/**
 * The client's one call: a signed GET of a regcred route, with every failure turned into an error
 * that says what happened (cli/errors.ts). It travels through the function's HTTP trigger, or on
 * Alibaba Cloud through FC's InvokeFunction API (cli/invoke.ts). This module imports node built-ins
 * only; the chosen cloud's signer, and so its SDK, loads on the first signed call.
 */
import type { AwsCredentialIdentity } from '@smithy/types';
import { FunctionTimeoutError, RegcredClientError, UnreachableError, UntrustedAnswerError } from './errors.js';
import { CLOUDS, cloudOf, signerOf, type CallerKeys, type CloudId } from './sign/index.js';
import { readLimited, requireTrustedUrl, trustedCredential } from './trust.js';

export { RegcredClientError } from './errors.js';

/** Where the regcred function is and how to sign for it. */
export interface ClientOptions {
  /** The function URL, e.g. https://abc.lambda-url.us-east-1.on.aws or https://regcred-x.cn-hangzhou.fcapp.run */
  url: string;
  /** The cloud whose signature the trigger checks; default: from the URL's host, else AWS. */
  cloud?: CloudId;
  /** Signing region (AWS); default: the one in a function URL's host, else us-east-1. */
  region?: string;
  /** Default: the cloud's standard credential chain, i.e. the caller's own identity. */
  credentials?: CallerKeys;
  /** Give up on an answer after this long (default 30 s). */
  timeoutMs?: number;
  /**
   * Alibaba only: call this FC function (`name` or `name:qualifier`) through InvokeFunction at
   * `url`, FC's API endpoint `https://<account-id>.<region>.fc.aliyuncs.com`, instead of its trigger.
   */
  invoke?: string;
}

/** The error document of the API (`{"error":{"code","message"}}`). */
export interface ErrorBody {
  error?: { code?: unknown; message?: unknown };
}

/** What the function answered, however it travelled. */
export interface FunctionAnswer {
  status: number;
  /** The Retry-After header of the answer, if any. */
  retryAfter: string | null;
  /** The parsed JSON body; undefined when it is not JSON. */
  body: unknown;
}

/** How a request reaches the function: its HTTP trigger, or FC's InvokeFunction (cli/invoke.ts). */
export interface Transport {
  /** The request of one attempt, signed anew (a signature carries its time and, on some clouds, a nonce). */
  request(): Promise<{ url: URL; init: RequestInit }>;
  /** The function's answer in a response; throws when the platform refused before the function ran. */
  answer(response: Response, text: string): FunctionAnswer;
}

/** The json format's one credential (`/credentials/{host}`). */
export interface Credential {
  registry: string;
  username: string;
  password: string;
  expiresAt: string;
}

const DEFAULT_TIMEOUT_MS = 30_000;

/**
 * GET a regcred route, signed as the function's trigger requires. Returns the parsed JSON body.
 * @example await getSigned({ url }, '/credentials', { format: 'dockerconfigjson' })
 */
export async function getSigned(options: ClientOptions, path: string, query: Record<string, string> = {}): Promise<unknown> {
  const base = new URL(options.url);
  // Before a signer is loaded or anything is sent.
  requireTrustedUrl(base, 'the function URL');
  const cloud = options.cloud ?? cloudOf(base, undefined);
  const transport = options.invoke !== undefined ? await (await import('./invoke.js')).invokeTransport(options, path, query) : await triggerTransport(options, cloud, path, query);
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  // A monotonic clock: the wall clock may be stepped while we wait.
  const deadline = performance.now() + timeoutMs;
  for (let attempt = 1; ; attempt++) {
    const { url, init } = await transport.request();
    let response: Response;
    let text: string;
    try {
      // Never follow a redirect: the signed request (and the answer's credential) would go to wherever it points.
      response = await fetch(url, { ...init, redirect: 'manual', signal: AbortSignal.timeout(Math.max(1, Math.ceil(deadline - performance.now()))) });
      if (response.status >= 300 && response.status < 400) {
        await response.body?.cancel().catch(() => {});
        throw new UntrustedAnswerError(`${base.origin} answered with a redirect (HTTP ${response.status}): regcred never follows one`);
      }
      text = await readLimited(response, base.origin);
    } catch (err) {
      if (err instanceof UntrustedAnswerError) throw err;
      if ((err as Error).name === 'TimeoutError') throw new FunctionTimeoutError(`${base.origin} did not answer within ${timeoutMs / 1000} s`);
      throw new UnreachableError(`cannot reach ${base.origin} (${networkReason(err)})`);
    }
    const answer = transport.answer(response, text);
    if (answer.status >= 200 && answer.status < 300) return answer.body;
    const waitMs = retryWaitMs(answer, attempt, deadline);
    if (waitMs === undefined) throw refusal(answer.status, (answer.body as ErrorBody | undefined)?.error, cloud);
    await new Promise((resolve) => setTimeout(resolve, waitMs));
  }
}

/** A signed GET of the function's HTTP trigger (function URL, FC HTTP trigger, APIG API). */
async function triggerTransport(options: ClientOptions, cloud: CloudId, path: string, query: Record<string, string>): Promise<Transport> {
  const url = new URL(path, options.url);
  for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
  const signer = await signerOf(cloud);
  return {
    request: async () => ({ url, init: { headers: await signer.sign(url, { ...(options.region && { region: options.region }), ...(options.credentials && { credentials: options.credentials }) }) } }),
    answer: (response, text) => ({ status: response.status, retryAfter: response.headers.get('retry-after'), body: parseJson(text) }),
  };
}

/** The value of a JSON text, or undefined when it is not JSON. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** A 503 with Retry-After is waited out and asked again, at most twice and 10 s a wait, inside the timeout. */
const MAX_ATTEMPTS = 3;
const MAX_WAIT_MS = 10_000;

/** How long to wait before asking again, or undefined to give up with the answer. */
function retryWaitMs(answer: FunctionAnswer, attempt: number, deadline: number): number | undefined {
  // Only the API's own 503s carry Retry-After; a bare one (a platform's) is reported, not hammered.
  if (answer.status !== 503 || attempt >= MAX_ATTEMPTS || !answer.retryAfter?.trim()) return undefined;
  const seconds = Number(answer.retryAfter);
  if (!Number.isFinite(seconds) || seconds < 0) return undefined;
  const waitMs = Math.min(seconds * 1000, MAX_WAIT_MS);
  return performance.now() + waitMs < deadline ? waitMs : undefined;
}

/**
 * The one credential for `registry` (json format), as far as the client trusts it (cli/trust.ts:
 * for that registry, no control characters, not expired at `now`, expiry capped at 24 h). A
 * RegcredClientError with status 404 means the function does not serve the registry.
 * @example const c = await fetchCredential({ url }, '123456789012.dkr.ecr.us-east-1.amazonaws.com');
 */
export async function fetchCredential(options: ClientOptions, registry: string, now: () => number = Date.now): Promise<Credential> {
  const body = await getSigned(options, `/credentials/${encodeURIComponent(registry)}`, { format: 'json' });
  return trustedCredential(body, registry, now());
}

/** Why the trigger or the function refused, in words a user can act on. */
function refusal(status: number, error: { code?: unknown; message?: unknown } | undefined, cloud: CloudId): RegcredClientError {
  const code = typeof error?.code === 'string' ? error.code : undefined;
  const message = typeof error?.message === 'string' ? error.message : undefined;
  if (status === 403 && code === 'Forbidden') {
    return new RegcredClientError(403, 'Forbidden', `the function does not allow this caller (${message ?? 'REGCRED_ALLOWED_CALLERS'})`);
  }
  if (status === 403 || status === 401) {
    // The platform refused before the function ran: its body is the platform's, not the API's.
    return new RegcredClientError(status, 'SignatureRefused', `the ${cloud} trigger refused the request: the caller's keys are wrong, or it may not invoke the function (${CLOUDS[cloud].invokePermission})`);
  }
  if (status === 504 || (status === 502 && !code)) {
    return new RegcredClientError(status, 'FunctionFailed', `the function timed out or failed before answering (HTTP ${status})`);
  }
  return new RegcredClientError(status, code ?? 'HttpError', message ?? `HTTP ${status}`);
}

function networkReason(err: unknown): string {
  const cause = (err as { cause?: { code?: unknown; message?: unknown } }).cause;
  if (typeof cause?.code === 'string') return cause.code;
  if (typeof cause?.message === 'string') return cause.message;
  return (err as Error).message;
}

/** `https://host:5000/v2/` or `host:5000/repo/image:tag` → `host:5000`; Docker Hub names → docker.io. */
export function registryOf(reference: string): string {
  const withoutScheme = reference.replace(/^[a-z]+:\/\//i, '');
  const first = withoutScheme.split('/')[0] ?? '';
  const isHost = withoutScheme.includes('/') ? /[.:]/.test(first) || first === 'localhost' : true;
  return (isHost ? first : 'docker.io').toLowerCase();
}

/**
 * The headers of a SigV4-signed GET (service `lambda`), as a function URL with AuthType AWS_IAM requires.
 * @example await sigv4Headers(new URL('http://127.0.0.1:8787/credentials'), 'us-east-1', TEST_IDENTITY)
 */
export async function sigv4Headers(url: URL, region: string, credentials: CallerKeys | AwsCredentialIdentity): Promise<Record<string, string>> {
  return (await import('./sign/aws.js')).sigv4Headers(url, region, credentials);
}
