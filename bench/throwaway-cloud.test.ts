/**
 * A cloud registered through the tables, one entry per room (what ships, handlers/functions.ts;
 * what the benchmark runs, bench/clouds.ts), gets the whole benchmark with no other file edited:
 * its handlers are bundled, its rig started, and it gets cold-start, warm-path, amplification,
 * half-life, refresh and outage rows. The throwaway cloud is test-only: the Alibaba handlers,
 * emulator and rig under another id, so nothing in bench/ or scripts/ can be keyed by 'alibaba'.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerFunctions, shippedHandlers } from '../handlers/functions.js';
import { benchClouds, registerBenchCloud } from './clouds.js';
import { OUTAGE_FAULTS } from './outage.js';
import type { BenchCloud } from './rigs.js';
import { ALIBABA_BENCH } from './rigs/alibaba.js';
import { QUICK, runBench, type BenchResults } from './run.js';

const THROWAWAY: BenchCloud = { ...ALIBABA_BENCH, id: 'throwaway' };
const THROWAWAY_FUNCTIONS = { http: { cloud: 'throwaway', name: 'http', entry: 'handlers/alibaba/http.ts' } };

let unregister: Array<() => void>;
let results: BenchResults;
const stdoutWrite = process.stdout.write;
const envBefore = { ...process.env };

beforeAll(async () => {
  // Prepare: the registrations, one per room (what ships, what the benchmark runs). Act: the quick benchmark, for this cloud only.
  unregister = [registerFunctions(THROWAWAY_FUNCTIONS), registerBenchCloud(THROWAWAY)];
  results = await runBench({ ...QUICK, packaging: false, clouds: ['throwaway'] });
}, 120_000);

afterAll(() => {
  for (const undo of unregister) undo();
  process.stdout.write = stdoutWrite;
  for (const key of Object.keys(process.env)) if (!(key in envBefore)) delete process.env[key];
  Object.assign(process.env, envBefore);
});

describe('a throwaway cloud registered with registerFunctions() and registerBenchCloud()', () => {
  it('is in the bundler\'s handler list and the benchmark\'s cloud list', () => {
    expect(shippedHandlers().filter((h) => h.cloud === 'throwaway')).toEqual([{ cloud: 'throwaway', name: 'http', entry: 'handlers/alibaba/http.ts' }]);
    expect(benchClouds().map((c) => c.id)).toContain('throwaway');
  });

  it('gets its rig started and its handler bundled', () => {
    expect(results.rigs).toEqual([{ cloud: 'throwaway', status: 'ok' }]);
    expect(results.bundles.map((b) => `${b.cloud}/${b.name}:${b.status}`)).toEqual(['throwaway/http:ok']);
  });

  it('gets cold-start rows with a first request served from a fresh process', () => {
    const row = results.cold.rows.find((c) => c.cloud === 'throwaway');
    expect({ status: row?.status, first: row?.firstMs?.n }).toEqual({ status: 'ok', first: QUICK.coldRounds });
  });

  it('gets warm latency for the five formats and a bench-server requests/s row', () => {
    expect(results.latency.map((l) => `${l.handler}:${l.format}`)).toEqual(['json', 'dockerconfigjson', 'kubernetes', 'credential-helper', 'kubelet'].map((f) => `throwaway/http:${f}`));
    const row = results.throughput.find((t) => t.server === 'throwaway/http (bench server)');
    expect(row && 'rps' in row ? { non2xx: row.non2xx, errors: row.errors } : row).toEqual({ non2xx: 0, errors: 0 });
  });

  it('gets amplification rows with one upstream call per registry, counted by its own emulator', () => {
    const rows = results.amplification.map((a) => ({ cloud: a.cloud, r: a.registries, n: a.concurrency, calls: a.regcredCalls.max, baseline: a.baselineCalls.min }));
    expect(rows).toEqual(QUICK.registryCounts.flatMap((r) => QUICK.concurrency.map((n) => ({ cloud: 'throwaway', r, n, calls: r, baseline: r * n }))));
    expect(results.halfLife.map((h) => [h.cloud, h.cold, h.beforeHalfLife, h.pastHalfLife])).toEqual(QUICK.registryCounts.map((r) => ['throwaway', r, 0, r]));
  });

  it('gets outage rows for both faults, run on its own emulator', () => {
    expect(results.outage.map((o) => ({ cloud: o.cloud, fault: o.fault, lastGood: o.okLastGood > 0, other: o.other }))).toEqual(
      Object.keys(OUTAGE_FAULTS).map((fault) => ({ cloud: 'throwaway', fault, lastGood: true, other: 0 })),
    );
  });

  it('gets a refresh-cost row', () => {
    expect(results.refresh.map((r) => ({ cloud: r.cloud, halved: r.regcred.upstreamCalls * 2 === r.baseline.upstreamCalls }))).toEqual([{ cloud: 'throwaway', halved: true }]);
  });
});
