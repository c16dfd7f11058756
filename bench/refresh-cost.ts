/**
 * Refresh cost: 24 simulated hours of the scheduled refresh (docs/design.md, "Refresh and rotation": ECR every 4 h, ACR every
 * 20 min) writing one secret, through the real refreshTargets → service → provider → store path
 * against the emulator. regcred keeps one warm instance (its cache); the baseline has no cache,
 * which is also what a cold instance per invocation costs.
 */
import type { CredentialCache } from '../core/cache.js';
import { silentLogger } from '../core/log.js';
import { refreshTargets } from '../core/refresh.js';
import { CredentialService } from '../core/service.js';
import { BENCH_RETRY } from './amplification.js';
import { NoCache } from './baseline.js';
import { SimClock } from './clock.js';
import { upstreamCalls, type CloudRig } from './rigs.js';

export const SIMULATED_MS = 24 * 3_600_000;

export interface RefreshRun {
  invocations: number;
  upstreamCalls: number;
  /** Secret versions written (the store's own PutSecretValue count at the emulator). */
  versionsWritten: number;
  /** Least validity the secret's credential had left when the next scheduled run came (ms). */
  minSpareMs: number;
}

export interface RefreshRow {
  cloud: string;
  everyMs: number;
  regcred: RefreshRun;
  baseline: RefreshRun;
}

/**
 * @example await simulateRefresh(rig, 'regcred') // { invocations: 72, upstreamCalls: 36, ... } for ACR
 */
export async function simulateRefresh(rig: CloudRig, mode: 'regcred' | 'baseline', durationMs = SIMULATED_MS): Promise<RefreshRun> {
  const clock = new SimClock();
  const expiries: number[] = [];
  const inner = rig.provider({ now: clock.now, shiftMs: clock.shift });
  const provider = {
    id: inner.id,
    async fetch(...args: Parameters<typeof inner.fetch>) {
      const credentials = await inner.fetch(...args);
      expiries.push(Math.min(...credentials.map((c) => c.expiresAt.getTime())));
      return credentials;
    },
  };
  const registries = rig.registries.slice(0, 1);
  const service = new CredentialService({
    registries,
    providers: { [rig.providerId]: () => provider },
    log: silentLogger,
    retry: BENCH_RETRY,
    now: clock.now,
    ...(mode === 'baseline' && { cache: new NoCache(clock.now) as CredentialCache }),
  });
  const target = { store: rig.store.id, secretId: rig.store.secretId, format: 'dockerconfigjson' as const, registries };
  const store = rig.store.create();

  const callsBefore = upstreamCalls(rig);
  const writesBefore = rig.store.writes();
  let invocations = 0;
  let minSpareMs = Number.POSITIVE_INFINITY;
  for (let t = 0; t < durationMs; t += rig.refreshEveryMs) {
    clock.offsetMs = t;
    if (expiries.length) minSpareMs = Math.min(minSpareMs, expiries.at(-1)! - clock.now());
    // The deadline is in simulated time, which is never behind the wall clock the store's retry reads.
    await refreshTargets([target], { service, stores: { [rig.store.id]: () => store }, log: silentLogger, retry: BENCH_RETRY }, { deadline: clock.now() + 60_000 });
    invocations++;
  }
  return {
    invocations,
    upstreamCalls: upstreamCalls(rig) - callsBefore,
    versionsWritten: rig.store.writes() - writesBefore,
    minSpareMs,
  };
}

/** @example await refreshCost(rig) */
export async function refreshCost(rig: CloudRig, durationMs = SIMULATED_MS): Promise<RefreshRow> {
  return {
    cloud: rig.cloud,
    everyMs: rig.refreshEveryMs,
    regcred: await simulateRefresh(rig, 'regcred', durationMs),
    baseline: await simulateRefresh(rig, 'baseline', durationMs),
  };
}
