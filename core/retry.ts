import { RegcredError, UpstreamUnavailableError, toRegcredError } from './errors.js';

/**
 * One retry policy for every cloud. Providers make exactly one attempt per call and classify
 * failures as RegcredErrors; this loop decides whether and when to try again, so that SDKs with
 * their own retries (AWS) and without (Darabonba) behave the same and never outlive the budget.
 */
export interface RetryPolicy {
  /** Attempts in all, first one included. */
  maxAttempts: number;
  /** First backoff; doubles each attempt (full jitter). */
  baseDelayMs: number;
  maxDelayMs: number;
  /** One attempt is abandoned (→ UpstreamTimeout, retryable) after this long. */
  attemptTimeoutMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 4,
  baseDelayMs: 100,
  maxDelayMs: 2_000,
  attemptTimeoutMs: 3_000,
};

export interface RetryOptions {
  policy: RetryPolicy;
  /** Absolute time (epoch ms) by which the whole operation must have settled. */
  deadline: number;
  now?: () => number;
  /** Injected for tests; defaults to Math.random. */
  random?: () => number;
  /** Cancels the whole operation (e.g. the invocation is ending). */
  signal?: AbortSignal;
  /** Waits out a backoff; injected with `now` where time is simulated (the benchmark's outage run). */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** What is being called, for the timeout message (e.g. `registry service ecr:us-east-1`, `secret store kms`). */
  service?: string;
}

/**
 * Run `attempt` until it succeeds, fails for good, or the budget runs out.
 * @example
 * const creds = await withRetry((signal) => provider.fetch(target, signal), {
 *   policy: DEFAULT_RETRY_POLICY, deadline: Date.now() + 8_000,
 * });
 */
export async function withRetry<T>(
  attempt: (signal: AbortSignal) => Promise<T>,
  options: RetryOptions,
): Promise<T> {
  const { policy, deadline, signal } = options;
  const service = options.service ?? 'the upstream service';
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;
  const wait = options.sleep ?? sleep;
  let lastError: RegcredError | undefined;

  for (let n = 0; n < policy.maxAttempts; n++) {
    const timeLeft = deadline - now();
    if (timeLeft <= 0 || signal?.aborted) break;

    const attemptMs = Math.min(policy.attemptTimeoutMs, timeLeft);
    const timeout = AbortSignal.timeout(attemptMs);
    const attemptSignal = signal ? AbortSignal.any([signal, timeout]) : timeout;
    try {
      return await attempt(attemptSignal);
    } catch (err) {
      lastError = timeout.aborted
        ? new UpstreamUnavailableError('UpstreamTimeout', `${service} did not answer within ${attemptMs} ms`, { cause: err })
        : toRegcredError(err);
      if (!lastError.retryable || n + 1 >= policy.maxAttempts) break;

      const backoff = random() * Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** n);
      const delay =
        lastError instanceof UpstreamUnavailableError && lastError.code === 'UpstreamThrottled'
          ? Math.max(backoff, lastError.retryAfterSeconds * 1000)
          : backoff;
      // Only wait if there is still room for a useful attempt afterwards.
      if (now() + delay >= deadline) break;
      await wait(delay, signal);
    }
  }
  throw lastError ?? new UpstreamUnavailableError('UpstreamTimeout', `no time left to call ${service}`);
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
  });
}

/**
 * Settle with `promise`, or reject with `reason()` as soon as `signal` aborts: for SDK calls that
 * cannot be cancelled themselves (their socket then ends at its own timeout). A late failure after
 * the abort is nobody's business.
 * @example const body = await abortable(sdk.callApi(params, request, runtime), signal, () => timeoutError);
 */
export function abortable<T>(promise: Promise<T>, signal: AbortSignal, reason: () => unknown = () => signal.reason): Promise<T> {
  promise.catch(() => {});
  if (signal.aborted) return Promise.reject(reason());
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(reason());
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}
