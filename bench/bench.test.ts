/**
 * The benchmark's smallest configuration inside `npm test`, so it cannot rot: every section runs
 * against the real emulators, and the properties the benchmark reports are asserted here.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAILURE_HOLD_OFF_MS, MIN_REMAINING_MS } from '../core/cache.js';
import { benchClouds } from './clouds.js';
import { OUTAGE_BOUNDS, OUTAGE_FAULTS } from './outage.js';
import { SIMULATED_MS } from './refresh-cost.js';
import { renderChart, renderMarkdown, verdicts } from './report.js';
import { QUICK, runBench, type BenchResults } from './run.js';

let results: BenchResults;
const stdoutWrite = process.stdout.write;
const envBefore = { ...process.env };

beforeAll(async () => {
  // Prepare / Act: one quick run (seconds), without `osls package`.
  results = await runBench({ ...QUICK, packaging: false });
}, 120_000);

afterAll(() => {
  // The AWS handler reads its endpoints from process.env, as in Lambda: put the worker's env back.
  process.stdout.write = stdoutWrite;
  for (const key of Object.keys(process.env)) if (!(key in envBefore)) delete process.env[key];
  Object.assign(process.env, envBefore);
});

describe('bench quick run', () => {
  it('starts the rig of every cloud in the table that has one (all four clouds)', () => {
    const withRig = benchClouds().filter((c) => c.rig).map((c) => c.id);
    expect(withRig).toEqual(expect.arrayContaining(['aws', 'alibaba', 'tencent', 'huawei']));
    expect(results.rigs.filter((r) => withRig.includes(r.cloud)).map((r) => `${r.cloud}:${r.status}`)).toEqual(withRig.map((id) => `${id}:ok`));
  });

  it('makes exactly one upstream call per registry for any burst of cold requests', () => {
    const regcred = results.amplification.map((a) => ({ n: a.concurrency, r: a.registries, calls: a.regcredCalls.max, failures: a.failures }));
    expect(regcred.length).toBeGreaterThan(0);
    for (const row of regcred) expect(row).toEqual({ n: row.n, r: row.r, calls: row.r, failures: 0 });
  });

  it('makes one upstream call per request and registry in the baseline without a cache', () => {
    const run = results.amplification.filter((a) => a.concurrency * a.registries <= results.options.baselineMaxCalls);
    expect(run.length).toBeGreaterThan(0);
    for (const a of run) expect(a.baselineCalls.min).toBe(a.concurrency * a.registries);
  });

  it('calls upstream again only once the half-life has passed', () => {
    expect(results.halfLife.length).toBeGreaterThan(0);
    for (const h of results.halfLife) expect([h.cold, h.beforeHalfLife, h.pastHalfLife]).toEqual([h.registries, 0, h.registries]);
  });

  it('halves upstream calls and secret versions of the refresh schedule against the baseline', () => {
    for (const r of results.refresh) {
      const invocations = Math.ceil(SIMULATED_MS / r.everyMs);
      // The cached credential is reused until its half-life: ACR and TCR (1 h, every 20 min), ECR (12 h, every 4 h) and SWR
      // (24 h, every 8 h: 3 runs a day, fetching at 0 h and 16 h) all refresh every other run, starting with the first.
      const fetches = Math.ceil(invocations / 2);
      expect(r.regcred).toMatchObject({ invocations, upstreamCalls: fetches, versionsWritten: fetches });
      expect(r.baseline).toMatchObject({ invocations, upstreamCalls: invocations, versionsWritten: invocations });
    }
  });

  it('keeps the secret valid for at least one schedule period before the next run', () => {
    for (const r of results.refresh) expect(r.regcred.minSpareMs).toBeGreaterThanOrEqual(r.everyMs - 1_000);
  });

  it('keeps an outage within the cache\'s bounds for every cloud and fault', () => {
    const expected = benchClouds().filter((c) => c.rig).flatMap((c) => Object.keys(OUTAGE_FAULTS).map((fault) => `${c.id}:${fault}`));
    expect(results.outage.map((o) => `${o.cloud}:${o.fault}`)).toEqual(expected);
    for (const o of results.outage) {
      const row = { cloud: o.cloud, fault: o.fault };
      // The last good credential is served while ≥ 5 min of it remain, never past that.
      expect({ ...row, lastGood: o.okLastGood > 0, leastValidity: o.leastValidityAskedMs >= MIN_REMAINING_MS }).toEqual({ ...row, lastGood: true, leastValidity: true });
      // Then, with nothing servable, fast 503s with Retry-After; a 502 only for the callers that shared a refresh that tried (one per 5 s hold-off); nothing else.
      const tries = Math.ceil(o.outageMs / FAILURE_HOLD_OFF_MS) + 1;
      expect({ ...row, status503: o.status503 > 0, withoutRetryAfter: o.status503 - o.status503RetryAfter, other: o.other }).toEqual({ ...row, status503: true, withoutRetryAfter: 0, other: 0 });
      expect({ ...row, status502: o.fault === '5xx' ? o.status502 <= tries * o.callers : o.status502 === 0 }).toEqual({ ...row, status502: true });
      expect(o.ok + o.status502 + o.status503 + o.other).toBe(o.requests);
      // Bounded upstream attempts, never one per request; recovery within one hold-off of the heal.
      expect({ ...row, perMinute: o.attemptsPerMinute.max <= OUTAGE_BOUNDS.attemptsPerMinute, recovered: o.recoveryMs! <= OUTAGE_BOUNDS.recoveryMs }).toEqual({ ...row, perMinute: true, recovered: true });
    }
  });

  it('bundles every shipped handler and sizes its zip', () => {
    for (const b of results.bundles) expect({ handler: `${b.cloud}/${b.name}`, ok: b.status === 'ok' && b.zippedBytes! > 0 && b.zippedBytes! < b.bytes! }).toEqual({ handler: `${b.cloud}/${b.name}`, ok: true });
  });

  it('serves the first request from a fresh process running each HTTP bundle', () => {
    const http = results.cold.rows.filter((c) => c.name === 'http');
    expect(http.map((c) => `${c.cloud}/${c.name}:${c.status}`)).toEqual(expect.arrayContaining(['aws/http:ok', 'alibaba/http:ok', 'tencent/http:ok', 'huawei/http:ok']));
    // A cloud whose dev entry has no rig yet reports 'not built yet' and has no first-request figure.
    for (const c of http.filter((h) => h.status === 'ok')) expect(c.firstMs!.median).toBeGreaterThan(results.cold.bareMs.median);
  });

  it('measures warm latency for all five formats of each HTTP handler', () => {
    const formats = (h: string) => results.latency.filter((l) => l.handler === h && l.p99.median >= l.p50.median && l.p50.median > 0).map((l) => l.format);
    expect(formats('aws/http')).toEqual(['json', 'dockerconfigjson', 'kubernetes', 'credential-helper', 'kubelet']);
    expect(formats('alibaba/http')).toEqual(['json', 'dockerconfigjson', 'kubernetes', 'credential-helper', 'kubelet']);
    expect(formats('tencent/http')).toEqual(['json', 'dockerconfigjson', 'kubernetes', 'credential-helper', 'kubelet']);
    expect(formats('huawei/http')).toEqual(['json', 'dockerconfigjson', 'kubernetes', 'credential-helper', 'kubelet']);
  });

  it('load-tests the npm start server and each cloud\'s bench server with only 2xx answers', () => {
    for (const server of ['npm start (aws/http, SigV4 checked)', 'aws/http (bench server)', 'alibaba/http (bench server)', 'tencent/http (bench server)', 'huawei/http (bench server)']) {
      const row = results.throughput.find((t) => t.server === server);
      expect(row && 'rps' in row ? { server, rps: row.rps.median > 0, non2xx: row.non2xx, errors: row.errors } : { server, row }).toEqual({ server, rps: true, non2xx: 0, errors: 0 });
    }
  });

  it('reports every target with a verdict', () => {
    expect(verdicts(results).map((v) => typeof v.met)).toEqual(['boolean', 'boolean', 'boolean', 'boolean']);
  });

  it('renders the outage table in RESULTS.md, a row per cloud and fault', () => {
    const md = renderMarkdown(results);
    const section = md.slice(md.indexOf('## 6. Outage'), md.indexOf('## 7.'));
    expect(section).toContain('| cloud | fault | requests | 200 (of which last good) | 502 | 503 (with Retry-After) |');
    for (const o of results.outage) expect(section).toContain(`| ${o.cloud} | ${o.fault} | ${o.requests} | ${o.ok} (${o.okLastGood}) | ${o.status502} | ${o.status503} (${o.status503RetryAfter}) |`);
  });

  it('renders RESULTS.md with the machine and a chart with one line per series', () => {
    const md = renderMarkdown(results);
    const svg = renderChart(results.amplification);
    expect(md).toContain(`Node ${process.version}`);
    expect(md).toContain('shared machine');
    // clouds × 2 registry counts × (regcred, baseline)
    expect(svg.match(/<polyline/g)?.length).toBe(new Set(results.amplification.map((a) => a.cloud)).size * 2 * 2);
  });
});
