import { describe, expect, it } from 'vitest';
import { UpstreamError, UpstreamUnavailableError } from './errors.js';
import { withRetry, type RetryPolicy } from './retry.js';

const policy: RetryPolicy = { maxAttempts: 4, baseDelayMs: 5, maxDelayMs: 20, attemptTimeoutMs: 200 };

/** An attempt function that plays a script of outcomes, one per call. */
function scripted(outcomes: Array<'ok' | Error | 'hang'>) {
  let calls = 0;
  const attempt = (signal: AbortSignal) => {
    const outcome = outcomes[Math.min(calls++, outcomes.length - 1)];
    if (outcome === 'ok') return Promise.resolve('ok');
    if (outcome === 'hang') return new Promise<string>((_, reject) => signal.addEventListener('abort', () => reject(signal.reason)));
    return Promise.reject(outcome);
  };
  return { attempt, calls: () => calls };
}

const fiveHundred = () => new UpstreamError('UpstreamError', 'HTTP 500', { retryable: true });

describe('withRetry', () => {
  it('retries a retryable failure and returns the success', async () => {
    const { attempt, calls } = scripted([fiveHundred(), 'ok']);
    await expect(withRetry(attempt, { policy, deadline: Date.now() + 5_000 })).resolves.toBe('ok');
    expect(calls()).toBe(2);
  });

  it('gives up after maxAttempts with the last error', async () => {
    const { attempt, calls } = scripted([fiveHundred()]);
    await expect(withRetry(attempt, { policy, deadline: Date.now() + 5_000 })).rejects.toMatchObject({ code: 'UpstreamError', status: 502 });
    expect(calls()).toBe(4);
  });

  it('does not retry a malformed answer', async () => {
    const { attempt, calls } = scripted([new UpstreamError('UpstreamInvalidResponse', 'no token')]);
    await expect(withRetry(attempt, { policy, deadline: Date.now() + 5_000 })).rejects.toMatchObject({ code: 'UpstreamInvalidResponse' });
    expect(calls()).toBe(1);
  });

  it('turns an attempt that outlives its timeout into a retryable UpstreamTimeout (503)', async () => {
    const { attempt, calls } = scripted(['hang', 'ok']);
    await expect(withRetry(attempt, { policy, deadline: Date.now() + 5_000 })).resolves.toBe('ok');
    expect(calls()).toBe(2);
  });

  it('reports UpstreamTimeout when every attempt hangs, within the deadline', async () => {
    const { attempt } = scripted(['hang']);
    const started = Date.now();
    await expect(withRetry(attempt, { policy, deadline: started + 500 })).rejects.toMatchObject({ code: 'UpstreamTimeout', status: 503 });
    expect(Date.now() - started).toBeLessThan(700);
  });

  it('waits out Retry-After with the injected sleep and clock (simulated time), not the wall clock', async () => {
    const throttled = new UpstreamUnavailableError('UpstreamThrottled', 'slow down', { retryAfterSeconds: 30 });
    const { attempt, calls } = scripted([throttled, 'ok']);
    let simulated = 0;
    const waits: number[] = [];
    const sleep = async (ms: number) => {
      waits.push(ms);
      simulated += ms;
    };
    const started = Date.now();
    await expect(withRetry(attempt, { policy, deadline: 60_000, now: () => simulated, sleep })).resolves.toBe('ok');
    expect({ calls: calls(), waits, simulated }).toEqual({ calls: 2, waits: [30_000], simulated: 30_000 });
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('waits Retry-After after a throttle only while the deadline allows it', async () => {
    const throttled = new UpstreamUnavailableError('UpstreamThrottled', 'slow down', { retryAfterSeconds: 2 });
    const { attempt, calls } = scripted([throttled, 'ok']);
    const started = Date.now();
    await expect(withRetry(attempt, { policy, deadline: started + 1_000 })).rejects.toBe(throttled);
    expect(calls()).toBe(1);
    expect(Date.now() - started).toBeLessThan(100);
  });
});
