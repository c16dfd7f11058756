/**
 * Outage: the registry API fails for a while, then heals, while many callers keep asking. The
 * requests go through the real API → service → cache → provider path (as the HTTP handlers run
 * it: the production retry policy, a 10 s function budget) against a fresh emulator of the cloud,
 * where the fault is injected and every upstream attempt is counted. Time is simulated (bench/clock.ts):
 * the callers' ticks and the retries' backoff move the clock, so 25 simulated minutes take seconds.
 *
 * The window opens 15 min before the cached credential expires, past its half-life: the state of
 * the last quarter hour of any outage longer than half the credential's validity less 5 min (25 min
 * for ACR and TCR, about 6 h for ECR, 12 h for SWR). The cache first serves the last good
 * credential (≥ 5 min left), then, with nothing servable, answers at once with 503 and Retry-After
 * (the callers that share a refresh that tried a 5xx get its 502) until the API heals.
 */
import { createApi, type ApiResponse } from '../core/api.js';
import { FAILURE_HOLD_OFF_MS, LAST_GOOD_HOLD_OFF_MS } from '../core/cache.js';
import { silentLogger } from '../core/log.js';
import { DEFAULT_RETRY_POLICY } from '../core/retry.js';
import { budgetFor, CredentialService } from '../core/service.js';
import type { Fault } from '../emulator/front-end.js';
import { SimClock } from './clock.js';
import { onFreshRig, type BenchCloud } from './rigs.js';

/** serverless.yml: the http function's timeout. */
const HTTP_TIMEOUT_MS = 10_000;
/** How long before the cached credential's expiry the registry API starts failing. */
export const OUTAGE_STARTS_BEFORE_EXPIRY_MS = 15 * 60_000;
export const OUTAGE_MS = 20 * 60_000;
/** Watched after the heal, for the recovery. */
const AFTER_HEAL_MS = 5 * 60_000;
/** The Retry-After the throttling API sends. */
export const THROTTLE_RETRY_AFTER_S = 10;

export const OUTAGE_FAULTS = {
  '5xx': { status: 500 },
  throttle: { throttle: true, retryAfterSeconds: THROTTLE_RETRY_AFTER_S },
} satisfies Record<string, Fault>;
export type OutageFault = keyof typeof OUTAGE_FAULTS;

export interface OutageOptions {
  /** Callers, each sending one `GET /credentials` per step (and waiting for its answer). */
  callers: number;
  stepMs: number;
}

export interface OutageRow {
  cloud: string;
  fault: OutageFault;
  callers: number;
  outageMs: number;
  requests: number;
  /** 200 answers, and those of them that carried the credential minted before the outage. */
  ok: number;
  okLastGood: number;
  status502: number;
  status503: number;
  /** 503 answers that carried a Retry-After header. */
  status503RetryAfter: number;
  /** Any other status (should be none). */
  other: number;
  /** Upstream attempts (any answer) per simulated minute while the API was failing. */
  attemptsPerMinute: { max: number; mean: number };
  /** Upstream attempts from the outage's start to the end of the run. */
  attempts: number;
  /** From the heal to the first 200 carrying a credential minted after it (undefined: none came). */
  recoveryMs: number | undefined;
  /** Least validity any 200 answer still had when it arrived (ms). */
  leastValidityServedMs: number;
  /**
   * Least validity the credential of a 200 answer had when its request was made (ms). The cache
   * decides somewhere between the two; a caller that waited for a refresh's retries arrives later
   * in simulated time, so only this one can be held to the cache's 5-minute floor.
   */
  leastValidityAskedMs: number;
}

/** The bounds the cache promises (core/cache.ts), for the test and the report. */
export const OUTAGE_BOUNDS = {
  /** A refresh is tried at most once per failure hold-off, each with the policy's attempts. */
  attemptsPerMinute: DEFAULT_RETRY_POLICY.maxAttempts * (60_000 / FAILURE_HOLD_OFF_MS),
  /** After the heal, the next try waits at most one hold-off (a throttle's Retry-After when longer). */
  recoveryMs: Math.max(LAST_GOOD_HOLD_OFF_MS, FAILURE_HOLD_OFF_MS, THROTTLE_RETRY_AFTER_S * 1000),
};

/**
 * One cloud, one fault, on a fresh rig of its own (no other measurement's calls reach its emulator).
 * @example await outage(benchClouds(['alibaba'])[0]!, '5xx', { callers: 100, stepMs: 1_000 })
 */
export function outage(cloud: BenchCloud, fault: OutageFault, options: OutageOptions): Promise<OutageRow> {
  return onFreshRig(cloud, async (rig) => {
    const clock = new SimClock();
    const service = new CredentialService({
      registries: rig.registries.slice(0, 1),
      providers: { [rig.providerId]: () => rig.provider({ now: clock.now, shiftMs: clock.shift }) },
      log: silentLogger,
      retry: DEFAULT_RETRY_POLICY,
      now: clock.now,
      // A retry's backoff (and a throttle's Retry-After) passes in simulated time.
      sleep: async (ms) => void (clock.offsetMs += ms),
    });
    const api = createApi({ service, log: silentLogger, now: clock.now });
    const request = () => api({ method: 'GET', path: '/credentials', query: '', caller: 'bench' }, budgetFor(HTTP_TIMEOUT_MS, clock.now));

    const first = await request();
    if (first.statusCode !== 200) throw new Error(`${cloud.id}: the first request answered ${first.statusCode}`);
    const lastGoodExpiry = expiryOf(first);
    const start = lastGoodExpiry - OUTAGE_STARTS_BEFORE_EXPIRY_MS;
    const heal = start + OUTAGE_MS;
    const end = heal + AFTER_HEAL_MS;

    const attempts = () => rig.emulator.calls.filter((c) => c.service === rig.mint.service && c.operation === rig.mint.operation).length;
    const attemptsBefore = attempts();
    const perMinute = Array.from({ length: OUTAGE_MS / 60_000 }, () => 0);
    const row: OutageRow = {
      cloud: cloud.id,
      fault,
      callers: options.callers,
      outageMs: OUTAGE_MS,
      requests: 0,
      ok: 0,
      okLastGood: 0,
      status502: 0,
      status503: 0,
      status503RetryAfter: 0,
      other: 0,
      attemptsPerMinute: { max: 0, mean: 0 },
      attempts: 0,
      recoveryMs: undefined,
      leastValidityServedMs: Number.POSITIVE_INFINITY,
      leastValidityAskedMs: Number.POSITIVE_INFINITY,
    };

    rig.emulator.inject(rig.mint.service, rig.mint.operation, { ...OUTAGE_FAULTS[fault], times: Number.POSITIVE_INFINITY });
    let healed = false;
    for (let t = start; t < end; t = Math.max(t + options.stepMs, clock.now())) {
      if (!healed && t >= heal) {
        rig.emulator.clearFaults();
        healed = true;
      }
      clock.offsetMs = t - Date.now();
      const before = attempts();
      // Each answer is timed when it arrives: callers that waited for a refresh see a later clock
      // (its retries' backoff moves simulated time) than those served at once.
      const answers = await Promise.all(
        Array.from({ length: options.callers }, async () => {
          const askedAt = clock.now();
          return { answer: await request(), askedAt, answeredAt: clock.now() };
        }),
      );
      if (t < heal) perMinute[Math.floor((t - start) / 60_000)]! += attempts() - before;
      for (const { answer, askedAt, answeredAt } of answers) {
        row.requests++;
        if (answer.statusCode === 200) {
          const expiry = expiryOf(answer);
          row.ok++;
          row.leastValidityServedMs = Math.min(row.leastValidityServedMs, expiry - answeredAt);
          row.leastValidityAskedMs = Math.min(row.leastValidityAskedMs, expiry - askedAt);
          if (expiry === lastGoodExpiry) row.okLastGood++;
          else if (healed && row.recoveryMs === undefined) row.recoveryMs = answeredAt - heal;
        } else if (answer.statusCode === 502) row.status502++;
        else if (answer.statusCode === 503) {
          row.status503++;
          if (answer.headers['Retry-After']) row.status503RetryAfter++;
        } else row.other++;
      }
    }
    row.attempts = attempts() - attemptsBefore;
    row.attemptsPerMinute = { max: Math.max(...perMinute), mean: perMinute.reduce((a, b) => a + b, 0) / perMinute.length };
    return row;
  });
}

/** Each cloud (each must have a rig), both faults. */
export async function outages(clouds: readonly BenchCloud[], options: OutageOptions): Promise<OutageRow[]> {
  const rows: OutageRow[] = [];
  for (const cloud of clouds) {
    for (const fault of Object.keys(OUTAGE_FAULTS) as OutageFault[]) rows.push(await outage(cloud, fault, options));
  }
  return rows;
}

/** The expiry (epoch ms, simulated) of the one credential in a `format=json` answer. */
function expiryOf(answer: ApiResponse): number {
  const body = JSON.parse(answer.body) as { credentials: Array<{ expiresAt: string }> };
  return Date.parse(body.credentials[0]!.expiresAt);
}
