import { describe, expect, it } from 'vitest';
import { CredentialCache, FAILURE_HOLD_OFF_MS, LAST_GOOD_HOLD_OFF_MS, MIN_REMAINING_MS } from './cache.js';
import type { RegistryCredential } from './provider.js';
import { UpstreamError, UpstreamUnavailableError } from './errors.js';

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 10, 23, 12);

function credential(expiresAt: number, password = 'p'): RegistryCredential {
  return { registry: 'r.example', username: 'AWS', password, expiresAt: new Date(expiresAt), provider: 'ecr', region: 'us-east-1' };
}

/** A cache on a hand-set clock, primed at T0 with a credential valid for 12 h. */
async function primed() {
  let now = T0;
  const cache = new CredentialCache({ now: () => now });
  let calls = 0;
  const load = async () => [credential(T0 + 12 * HOUR, `p${++calls}`)];
  await cache.get('k', load);
  return { cache, load, setNow: (t: number) => (now = t), calls: () => calls };
}

describe('CredentialCache freshness', () => {
  const halfLife = T0 + 6 * HOUR;
  it.each([
    ['1 ms before half-life', halfLife - 1, 1],
    ['exactly at half-life', halfLife, 2],
    ['1 ms after half-life', halfLife + 1, 2],
  ])('%s → %i upstream call(s)', async (_name, at, expectedCalls) => {
    // Prepare
    const { cache, load, setNow, calls } = await primed();
    setNow(at);
    // Act
    await cache.get('k', load);
    // Assess
    expect(calls()).toBe(expectedCalls);
  });

  it('reports freshUntil at the half-life of the validity', async () => {
    const { cache, load } = await primed();
    const entry = await cache.get('k', load);
    expect(entry.freshUntil).toBe(halfLife);
  });
});

describe('CredentialCache last-good after a failed refresh', () => {
  const expiry = T0 + 12 * HOUR;
  const failing = async (): Promise<RegistryCredential[]> => {
    throw new UpstreamError('UpstreamError', 'boom', { retryable: true });
  };

  it.each([
    ['6 min before expiry', expiry - 6 * 60_000, 'served'],
    ['5 min + 1 ms before expiry', expiry - MIN_REMAINING_MS - 1, 'served'],
    ['exactly 5 min before expiry', expiry - MIN_REMAINING_MS, 'served'],
    ['5 min − 1 ms before expiry', expiry - MIN_REMAINING_MS + 1, 'refused'],
    ['at expiry', expiry, 'refused'],
    ['after expiry', expiry + 1, 'refused'],
  ])('%s → last good %s', async (_name, at, outcome) => {
    // Prepare
    const { cache, setNow } = await primed();
    setNow(at);
    // Act
    const result = cache.get('k', failing);
    // Assess
    if (outcome === 'served') {
      const entry = await result;
      expect(entry.credentials[0]!.password).toBe('p1');
      expect(entry.refreshError?.code).toBe('UpstreamError');
    } else {
      await expect(result).rejects.toThrow('boom');
    }
  });

  it('never serves an expired credential, even on a later call', async () => {
    const { cache, setNow } = await primed();
    setNow(expiry + 1);
    await expect(cache.get('k', failing)).rejects.toThrow();
    setNow(expiry - 60 * 60_000); // even if the clock were to go back, the dropped entry stays dropped
    await expect(cache.get('k', failing)).rejects.toThrow();
  });
});

describe('CredentialCache during an outage: bounded upstream attempts, never one per request', () => {
  const failing = (counter: { calls: number }) => async (): Promise<RegistryCredential[]> => {
    counter.calls++;
    throw new UpstreamError('UpstreamError', 'down', { retryable: true });
  };

  it.each([
    ['1 ms before the hold-off ends', LAST_GOOD_HOLD_OFF_MS - 1, 1],
    ['when the hold-off ends', LAST_GOOD_HOLD_OFF_MS, 2],
  ])('serves the last good credential without an upstream try until the hold-off ends: %s → %i try', async (_name, after, tries) => {
    const { cache, setNow } = await primed();
    const counter = { calls: 0 };
    const stale = T0 + 6 * HOUR;
    setNow(stale);
    await cache.get('k', failing(counter)); // the failed refresh
    setNow(stale + after);
    const entry = await cache.get('k', failing(counter));
    expect(entry.credentials[0]!.password).toBe('p1');
    expect(entry.refreshError?.code).toBe('UpstreamError');
    expect(counter.calls).toBe(tries);
  });

  it('makes one upstream try per hold-off however many requests arrive, and recovers on the first try after the upstream heals', async () => {
    const { cache, setNow } = await primed();
    const counter = { calls: 0 };
    const stale = T0 + 6 * HOUR;
    for (let s = 0; s < 120; s++) {
      setNow(stale + s * 1000);
      for (let r = 0; r < 100; r++) await cache.get('k', failing(counter)); // 100 requests a second for 2 minutes
    }
    expect(counter.calls).toBe(4); // t = 0, 30, 60, 90 s
    setNow(stale + 120_000);
    const healed = await cache.get('k', async () => [credential(T0 + 18 * HOUR, 'p2')]);
    expect([healed.credentials[0]!.password, healed.refreshError]).toEqual(['p2', undefined]);
  });

  it('answers a throttle at once for its Retry-After when there is nothing to serve', async () => {
    let now = T0;
    const cache = new CredentialCache({ now: () => now });
    let calls = 0;
    const throttled = async (): Promise<RegistryCredential[]> => {
      calls++;
      throw new UpstreamUnavailableError('UpstreamThrottled', 'slow down', { retryAfterSeconds: 20 });
    };
    await expect(cache.get('k', throttled)).rejects.toThrow('slow down');
    now = T0 + 19_999;
    await expect(cache.get('k', throttled)).rejects.toMatchObject({ code: 'UpstreamThrottled' });
    expect(calls).toBe(1);
    now = T0 + 20_000;
    await expect(cache.get('k', throttled)).rejects.toThrow();
    expect(calls).toBe(2);
  });
});

describe('CredentialCache single-flight', () => {
  it('shares one upstream call among 1000 concurrent misses', async () => {
    // Prepare
    const cache = new CredentialCache({ now: () => T0 });
    let calls = 0;
    const load = async () => {
      calls++;
      await new Promise((r) => setTimeout(r, 10));
      return [credential(T0 + HOUR)];
    };
    // Act
    const results = await Promise.all(Array.from({ length: 1000 }, () => cache.get('k', load)));
    // Assess
    expect(calls).toBe(1);
    expect(new Set(results.map((r) => r.credentials[0]))).toHaveProperty('size', 1);
  });

  it('shares a failure too; the same error is answered at once for the hold-off, and the first call after it tries again', async () => {
    let now = T0;
    const cache = new CredentialCache({ now: () => now });
    let calls = 0;
    const load = async (): Promise<RegistryCredential[]> => {
      calls++;
      throw new UpstreamError('UpstreamError', 'down');
    };
    const results = await Promise.allSettled(Array.from({ length: 50 }, () => cache.get('k', load)));
    expect(results.every((r) => r.status === 'rejected')).toBe(true);
    now = T0 + FAILURE_HOLD_OFF_MS - 1;
    await expect(cache.get('k', load)).rejects.toThrow('down');
    expect(calls).toBe(1);
    now = T0 + FAILURE_HOLD_OFF_MS;
    await expect(cache.get('k', load)).rejects.toThrow('down');
    expect(calls).toBe(2);
  });

  it.each([
    ['a 5xx', () => new UpstreamError('UpstreamError', 'GetAuthorizationToken failed (500)', { retryable: true }), 'UpstreamUnavailable', FAILURE_HOLD_OFF_MS],
    ['a timeout', () => new UpstreamUnavailableError('UpstreamTimeout', 'ecr did not answer within 3000 ms'), 'UpstreamTimeout', FAILURE_HOLD_OFF_MS],
    ['a throttle (Retry-After 20 s)', () => new UpstreamUnavailableError('UpstreamThrottled', 'slow down', { retryAfterSeconds: 20 }), 'UpstreamThrottled', 20_000],
  ])('answers a request during the hold-off after %s with nothing to serve as a 503 whose Retry-After is the time left', async (_name, failure, code, holdOffMs) => {
    // Prepare
    let now = T0;
    const cache = new CredentialCache({ now: () => now });
    const load = async (): Promise<RegistryCredential[]> => {
      throw failure();
    };
    await cache.get('k', load).catch(() => undefined);
    // Act
    now = T0 + holdOffMs - 1_500;
    const held = await cache.get('k', load).catch((err: unknown) => err);
    // Assess
    expect(held).toBeInstanceOf(UpstreamUnavailableError);
    expect(held).toMatchObject({ status: 503, code, headers: { 'Retry-After': '2' } });
  });

  it('keeps keys apart', async () => {
    const cache = new CredentialCache({ now: () => T0 });
    const a = await cache.get('a', async () => [credential(T0 + HOUR, 'aaaa')]);
    const b = await cache.get('b', async () => [credential(T0 + HOUR, 'bbbb')]);
    expect([a.credentials[0]!.password, b.credentials[0]!.password]).toEqual(['aaaa', 'bbbb']);
  });
});
