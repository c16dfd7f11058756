import { describe, expect, it } from 'vitest';
import { CredentialCache, MIN_REMAINING_MS } from './cache.js';
import type { RegistryCredential } from './credential.js';
import { UpstreamError } from './errors.js';

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

  it('shares a failure too, and the next call tries again', async () => {
    const cache = new CredentialCache({ now: () => T0 });
    let calls = 0;
    const load = async (): Promise<RegistryCredential[]> => {
      calls++;
      throw new UpstreamError('UpstreamError', 'down');
    };
    const results = await Promise.allSettled(Array.from({ length: 50 }, () => cache.get('k', load)));
    expect(results.every((r) => r.status === 'rejected')).toBe(true);
    await expect(cache.get('k', load)).rejects.toThrow('down');
    expect(calls).toBe(2);
  });

  it('keeps keys apart', async () => {
    const cache = new CredentialCache({ now: () => T0 });
    const a = await cache.get('a', async () => [credential(T0 + HOUR, 'aaaa')]);
    const b = await cache.get('b', async () => [credential(T0 + HOUR, 'bbbb')]);
    expect([a.credentials[0]!.password, b.credentials[0]!.password]).toEqual(['aaaa', 'bbbb']);
  });
});
