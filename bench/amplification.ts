/**
 * Upstream amplification: N concurrent cold requests for every configured registry, through the
 * real API and service, against the emulator; upstream calls counted by the emulator. regcred
 * (cache with single-flight) against the baseline (no cache), same run, same code path.
 */
import { createApi } from '../core/api.js';
import type { CredentialCache } from '../core/cache.js';
import type { RegistryTarget } from '../core/provider.js';
import { silentLogger } from '../core/log.js';
import { CredentialService } from '../core/service.js';
import { NoCache } from './baseline.js';
import { SimClock } from './clock.js';
import { onFreshRig, upstreamCalls, type BenchCloud, type CloudRig } from './rigs.js';
import { msSince, spread, type Spread } from './stats.js';

/** Generous: a baseline burst of 4000 calls must not time out and retry (that would inflate its count). */
export const BENCH_RETRY = { maxAttempts: 1, baseDelayMs: 0, maxDelayMs: 0, attemptTimeoutMs: 60_000 };

export interface AmplificationRow {
  cloud: string;
  registries: number;
  concurrency: number;
  /** Upstream calls per run (identical across runs when the cache works). */
  regcredCalls: Spread;
  /** Empty (n = 0) where the burst would exceed `baselineMaxCalls`: by construction it is concurrency × registries. */
  baselineCalls: Spread;
  /** Upstream calls per registry, regcred, worst run (the target: exactly 1). */
  regcredPerRegistryMax: number;
  /** baseline calls ÷ regcred calls, per run (empty with the baseline). */
  ratio: Spread;
  regcredMs: Spread;
  baselineMs: Spread;
  /** Requests that did not answer 200 (should be 0). */
  failures: number;
}

export interface Burst {
  calls: number;
  ms: number;
  failures: number;
}

/**
 * One burst: a fresh instance (empty cache) gets `concurrency` simultaneous `GET /credentials`.
 * @example await burst(rig, rig.registries.slice(0, 4), 100, 'regcred') // { calls: 4, ... }
 */
export async function burst(rig: CloudRig, registries: RegistryTarget[], concurrency: number, mode: 'regcred' | 'baseline'): Promise<Burst> {
  const provider = rig.provider();
  const service = new CredentialService({
    registries,
    providers: { [rig.providerId]: () => provider },
    log: silentLogger,
    retry: BENCH_RETRY,
    ...(mode === 'baseline' && { cache: new NoCache() as CredentialCache }),
  });
  const api = createApi({ service, log: silentLogger });
  const before = upstreamCalls(rig);
  const started = process.hrtime.bigint();
  const budget = { deadline: Date.now() + 120_000 };
  const answers = await Promise.all(
    Array.from({ length: concurrency }, () => api({ method: 'GET', path: '/credentials', query: '', caller: 'bench' }, budget)),
  );
  const ms = msSince(started);
  return { calls: upstreamCalls(rig) - before, ms, failures: answers.filter((a) => a.statusCode !== 200).length };
}

/**
 * Every burst runs on a fresh rig: a baseline call still in flight when its burst ends (one that
 * timed out on the client) cannot be counted in the next burst.
 * @example await amplification(benchClouds(['aws'])[0]!, { concurrency: [1, 10], registryCounts: [1, 4], repeats: 3 })
 */
export async function amplification(
  cloud: BenchCloud,
  options: { concurrency: number[]; registryCounts: number[]; repeats: number; baselineMaxCalls: number },
): Promise<AmplificationRow[]> {
  const rows: AmplificationRow[] = [];
  const onFresh = (count: number, concurrency: number, mode: 'regcred' | 'baseline') =>
    onFreshRig(cloud, (rig) => burst(rig, rig.registries.slice(0, count), concurrency, mode));
  for (const count of options.registryCounts) {
    for (const concurrency of options.concurrency) {
      const regcred: Burst[] = [];
      const baseline: Burst[] = [];
      for (let i = 0; i < options.repeats; i++) {
        regcred.push(await onFresh(count, concurrency, 'regcred'));
        if (count * concurrency <= options.baselineMaxCalls) baseline.push(await onFresh(count, concurrency, 'baseline'));
      }
      rows.push({
        cloud: cloud.id,
        registries: count,
        concurrency,
        regcredCalls: spread(regcred.map((b) => b.calls)),
        baselineCalls: spread(baseline.map((b) => b.calls)),
        regcredPerRegistryMax: Math.max(...regcred.map((b) => b.calls / count)),
        ratio: spread(baseline.map((b, j) => b.calls / regcred[j]!.calls)),
        regcredMs: spread(regcred.map((b) => b.ms)),
        baselineMs: spread(baseline.map((b) => b.ms)),
        failures: [...regcred, ...baseline].reduce((n, b) => n + b.failures, 0),
      });
    }
  }
  return rows;
}

export interface HalfLifeRow {
  cloud: string;
  registries: number;
  concurrency: number;
  halfLifeMs: number;
  /** Upstream calls of a burst on an empty cache, just before the half-life, and just past it. */
  cold: number;
  beforeHalfLife: number;
  pastHalfLife: number;
}

/**
 * "Exactly one upstream call per registry per half-life": bursts of `concurrency` requests on one
 * instance at simulated times 0, half-life − 1 s and half-life.
 * @example await perHalfLife(rig, 4, 1000) // { cold: 4, beforeHalfLife: 0, pastHalfLife: 4, ... }
 */
export async function perHalfLife(rig: CloudRig, registryCount: number, concurrency: number): Promise<HalfLifeRow> {
  const clock = new SimClock();
  const provider = rig.provider({ now: clock.now, shiftMs: clock.shift });
  const service = new CredentialService({
    registries: rig.registries.slice(0, registryCount),
    providers: { [rig.providerId]: () => provider },
    log: silentLogger,
    retry: BENCH_RETRY,
    now: clock.now,
  });
  const api = createApi({ service, log: silentLogger, now: clock.now });
  const fire = async () => {
    const before = upstreamCalls(rig);
    const budget = { deadline: clock.now() + 120_000 };
    const answers = await Promise.all(Array.from({ length: concurrency }, () => api({ method: 'GET', path: '/credentials', query: '', caller: 'bench' }, budget)));
    if (answers.some((a) => a.statusCode !== 200)) throw new Error('a request in the half-life burst failed');
    return upstreamCalls(rig) - before;
  };
  const start = clock.now();
  const cold = await fire();
  // Each registry's credential was minted a few ms apart: test before the earliest half-life and past the latest.
  const budget = { deadline: clock.now() + 60_000 };
  const halfLives = await Promise.all(service.registries.map(async (t) => (await service.issue([t], budget)).freshUntil));
  clock.offsetMs = Math.min(...halfLives) - 1_000 - Date.now();
  const beforeHalfLife = await fire();
  clock.offsetMs = Math.max(...halfLives) - Date.now();
  const pastHalfLife = await fire();
  return { cloud: rig.cloud, registries: registryCount, concurrency, halfLifeMs: Math.min(...halfLives) - start, cold, beforeHalfLife, pastHalfLife };
}
