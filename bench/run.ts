/**
 * `npm run bench`: starts the rig of every cloud in the benchmark's table of clouds (bench/clouds.ts),
 * measures bundles, cold start, the warm path, upstream amplification, refresh cost, an outage, the
 * metrics' cold-start cost and packaging,
 * then writes bench/results.json, bench/RESULTS.md and bench/upstream-calls.svg. Stops by itself;
 * `--quick` is the smallest configuration (what bench.test.ts runs), `--no-package` skips
 * `osls package`, `--cloud <id>` (repeatable) measures only those clouds, `--render` only
 * re-renders RESULTS.md and the chart from results.json.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { shippedHandlers } from '../handlers/functions.js';
import { ROOT } from '../scripts/bundle.js';
import { amplification, perHalfLife, type AmplificationRow, type HalfLifeRow } from './amplification.js';
import { benchClouds } from './clouds.js';
import { bundleAll, coldStart, firstLine, REFERENCE_BUNDLES, type BundleRow, type ColdResult } from './cold.js';
import { metricsCost, type MetricsCostRow } from './metrics-cost.js';
import { outages, type OutageRow } from './outage.js';
import { packageWallTime, type PackagingResult } from './packaging.js';
import { refreshCost, SIMULATED_MS, type RefreshRow } from './refresh-cost.js';
import { renderChart, renderMarkdown } from './report.js';
import { onFreshRig, startRig, warmRequests, type BenchCloud, type CloudRig } from './rigs.js';
import { signedHeaders } from './sign.js';
import { latencyRows, serveRequests, throughputRow, type LatencyRow, type ThroughputRow } from './warm.js';

export interface BenchOptions {
  concurrency: number[];
  registryCounts: number[];
  /**
   * Largest baseline burst run (upstream calls at once). Four registries × 1000 opens 4000 loopback
   * connections at once, which the Alibaba, Tencent and Huawei clients on this 2-core machine do
   * not get through within a minute (calls time out and retry late); 2000 take 3–17 s.
   */
  baselineMaxCalls: number;
  /** Repeats of every comparative measurement (min/median/max over them). */
  repeats: number;
  coldRounds: number;
  warmIterations: number;
  rpsSeconds: number;
  /** autocannon connections: about one per core. */
  rpsConnections: number;
  simulatedMs: number;
  /** Callers in the outage run, each asking once per simulated second. */
  outageCallers: number;
  /** Fresh processes per option in the metrics cold-start run (bench/metrics-cost.ts); 0 skips it. */
  metricsRounds: number;
  packaging: boolean;
  packagingTimeoutMs: number;
  /** Measure only these clouds of the table (ids); every cloud when absent. */
  clouds?: string[];
}

export const FULL: BenchOptions = {
  concurrency: [1, 10, 100, 1000],
  registryCounts: [1, 4],
  baselineMaxCalls: 1000,
  repeats: 3,
  coldRounds: 7,
  // p50/p99 and requests/s vary little between repeats (a few %): 2000 requests and 3 s per repeat suffice.
  warmIterations: 2_000,
  rpsSeconds: 3,
  rpsConnections: Math.max(1, cpus().length),
  simulatedMs: SIMULATED_MS,
  outageCallers: 100,
  metricsRounds: 11,
  packaging: true,
  packagingTimeoutMs: 120_000,
};

/** The smallest configuration: seconds, every section exercised (packaging is the test's choice). */
export const QUICK: BenchOptions = {
  concurrency: [1, 10],
  registryCounts: [1, 4],
  baselineMaxCalls: 1000,
  repeats: 1,
  coldRounds: 1,
  warmIterations: 200,
  rpsSeconds: 1,
  rpsConnections: 1,
  simulatedMs: SIMULATED_MS,
  outageCallers: 10,
  metricsRounds: 0,
  packaging: false,
  packagingTimeoutMs: 120_000,
};

export type MetricsCostResult = { status: 'ok'; rounds: number; rows: MetricsCostRow[] } | { status: 'skipped' } | { status: 'failed'; reason: string };

export interface BenchResults {
  machine: { cores: number; cpu: string; node: string; platform: string; loadavgAtStart: number[]; shared: true };
  startedAt: string;
  durationMs: number;
  /** Wall time of each section, in the order run (rig start-up is in the first). */
  sectionsMs: Record<string, number>;
  options: BenchOptions;
  rigs: Array<{ cloud: string; status: 'ok' | 'not built yet'; reason?: string }>;
  bundles: BundleRow[];
  cold: ColdResult;
  latency: LatencyRow[];
  throughput: Array<ThroughputRow | { server: string; status: 'not built yet' | 'failed'; reason: string }>;
  amplification: AmplificationRow[];
  halfLife: HalfLifeRow[];
  refresh: RefreshRow[];
  outage: OutageRow[];
  metricsCost: MetricsCostResult;
  packaging: PackagingResult;
}

/**
 * @example const results = await runBench(QUICK); results.amplification[0].regcredCalls.max // 1
 */
export async function runBench(options: BenchOptions, progress: (msg: string) => void = () => {}): Promise<BenchResults> {
  const started = Date.now();
  const results: BenchResults = {
    machine: { cores: cpus().length, cpu: cpus()[0]?.model ?? 'unknown', node: process.version, platform: `${process.platform}-${process.arch}`, loadavgAtStart: loadavg(), shared: true },
    startedAt: new Date(started).toISOString(),
    durationMs: 0,
    sectionsMs: {},
    options,
    rigs: [],
    bundles: [],
    cold: { bareMs: { min: 0, median: 0, max: 0, n: 0 }, rows: [] },
    latency: [],
    throughput: [],
    amplification: [],
    halfLife: [],
    refresh: [],
    outage: [],
    metricsCost: { status: 'skipped' },
    packaging: { status: 'skipped' },
  };

  let section = { name: 'rigs', started: Date.now() };
  /** Close the running section's clock and start the next one's. */
  const next = (name?: string) => {
    results.sectionsMs[section.name] = (results.sectionsMs[section.name] ?? 0) + Date.now() - section.started;
    if (name) progress(name);
    section = { name: name ?? '', started: Date.now() };
  };
  const clouds = benchClouds(options.clouds);
  const rigs = new Map<string, CloudRig>();
  try {
    for (const cloud of clouds) {
      try {
        rigs.set(cloud.id, await startRig(cloud));
        results.rigs.push({ cloud: cloud.id, status: 'ok' });
      } catch (err) {
        results.rigs.push({ cloud: cloud.id, status: 'not built yet', reason: firstLine(err) });
      }
    }

    next('bundles');
    results.bundles = await bundleAll(shippedHandlers().filter((h) => clouds.some((c) => c.id === h.cloud)));

    next('cold start');
    const references = await bundleAll(REFERENCE_BUNDLES);
    results.cold = await coldStart(
      [
        ...results.bundles.map((bundle) => {
          const rig = rigs.get(bundle.cloud);
          const coldInvoke = bundle.name === 'http' ? clouds.find((c) => c.id === bundle.cloud)?.coldInvoke : undefined;
          return { bundle, ...(rig && { env: rig.handlerEnv(rig.registries.slice(0, 1)) }), ...(coldInvoke && { coldInvoke }) };
        }),
        ...references.map((bundle) => ({ bundle, env: {} })),
      ],
      options.coldRounds,
    );

    // Handlers write an audit line per request (info): rendered and redacted as in production,
    // but not written to the terminal while requests/s and latency are measured.
    await muted(async () => {
      next('requests/s');
      results.throughput = await throughput(clouds, rigs, options);
      next('warm latency');
      for (const cloud of clouds) {
        const rig = rigs.get(cloud.id);
        if (rig && cloud.preparedInvoker) results.latency.push(...(await warmLatency(cloud, rig, options)));
      }
    });

    // Each of these measurements counts calls at the emulator, so each runs on a fresh rig of its own.
    const rigged = clouds.filter((c) => rigs.has(c.id));
    for (const cloud of rigged) {
      next(`amplification (${cloud.id})`);
      results.amplification.push(...(await amplification(cloud, options)));
      for (const count of options.registryCounts) {
        results.halfLife.push(await onFreshRig(cloud, (rig) => perHalfLife(rig, count, Math.max(...options.concurrency))));
      }
      next(`refresh cost (${cloud.id})`);
      results.refresh.push(await onFreshRig(cloud, (rig) => refreshCost(rig, options.simulatedMs)));
    }

    next('outage');
    results.outage = await outages(rigged, { callers: options.outageCallers, stepMs: 1_000 });

    if (options.metricsRounds) {
      next('metrics cold-start cost');
      try {
        results.metricsCost = { status: 'ok', rounds: options.metricsRounds, rows: await metricsCost({ rounds: options.metricsRounds }) };
      } catch (err) {
        // It installs powertools from the npm registry: without it, the row says why.
        results.metricsCost = { status: 'failed', reason: firstLine(err) };
      }
    }

    if (options.packaging) {
      next('osls package');
      results.packaging = await packageWallTime(options.packagingTimeoutMs);
    }
  } finally {
    for (const rig of rigs.values()) await rig.stop();
    next();
  }
  results.durationMs = Date.now() - started;
  return results;
}

async function warmLatency(cloud: BenchCloud, rig: CloudRig, options: BenchOptions): Promise<LatencyRow[]> {
  const request = warmRequests(cloud, rig)!;
  const first = await request({ path: '/credentials', query: '' })();
  const host = (JSON.parse(first.body) as { credentials: Array<{ registry: string }> }).credentials[0]!.registry;
  return latencyRows(`${cloud.id}/http`, request, host, { iterations: options.warmIterations, repeats: options.repeats });
}

async function muted<T>(fn: () => Promise<T>): Promise<T> {
  const write = process.stdout.write;
  process.stdout.write = (() => true) as typeof process.stdout.write;
  try {
    return await fn();
  } finally {
    process.stdout.write = write;
  }
}

/** What `npm start` serves (docs/design.md, "Local server"); bench/sign.ts signs for its function URL. */
const NPM_START_CLOUD = 'aws';

/**
 * Requests/s through a local HTTP server with a warm cache: the `npm start` server (dev/serve.ts,
 * the real AWS handler behind a SigV4 check, its own emulator) and, for every cloud with a rig, a
 * bare server around the cloud's HTTP handler with one registry.
 */
async function throughput(clouds: BenchCloud[], rigs: Map<string, CloudRig>, options: BenchOptions): Promise<BenchResults['throughput']> {
  const rows: BenchResults['throughput'] = [];
  const load = { connections: options.rpsConnections, seconds: options.rpsSeconds, repeats: options.repeats };
  const npmStart = `npm start (${NPM_START_CLOUD}/http, SigV4 checked)`;
  if (clouds.some((c) => c.id === NPM_START_CLOUD)) {
    try {
      const { serve } = await import('../dev/serve.js');
      const server = await serve({ emulator: true, port: 0, quiet: true });
      try {
        const url = `${server.url}/credentials`;
        const headers = await signedHeaders(url);
        const warm = await fetch(url, { headers });
        if (warm.status !== 200) throw new Error(`npm start server answered ${warm.status}`);
        rows.push(await throughputRow(npmStart, { url, headers }, load));
      } finally {
        await server.close();
      }
    } catch (err) {
      rows.push({ server: npmStart, status: 'failed', reason: firstLine(err) });
    }
  }
  for (const cloud of clouds) {
    const name = `${cloud.id}/http (bench server)`;
    const rig = rigs.get(cloud.id);
    const request = rig && warmRequests(cloud, rig);
    if (!request) {
      rows.push({ server: name, status: 'not built yet', reason: rig ? `bench/rigs/${cloud.id}.ts has no preparedInvoker` : `no ${cloud.id} rig` });
      continue;
    }
    const server = await serveRequests((req) => request(req)());
    try {
      rows.push(await throughputRow(name, { url: `${server.url}/credentials` }, load));
    } finally {
      await server.close();
    }
  }
  return rows;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  // The AWS SDK warns on Node < 22 at client creation; the benchmark (like the tests) silences it.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  const dir = join(ROOT, 'bench');
  if (process.argv.includes('--render')) {
    // Re-render RESULTS.md and the chart from results.json after a change to report.ts.
    const saved = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as BenchResults;
    writeFileSync(join(dir, 'upstream-calls.svg'), renderChart(saved.amplification));
    writeFileSync(join(dir, 'RESULTS.md'), renderMarkdown(saved));
    process.exit(0);
  }
  const { values: args } = parseArgs({ options: { quick: { type: 'boolean' }, 'no-package': { type: 'boolean' }, cloud: { type: 'string', multiple: true } } });
  const options: BenchOptions = { ...(args.quick ? QUICK : FULL), ...(args['no-package'] && { packaging: false }), ...(args.cloud && { clouds: args.cloud }) };
  const hardStop = setTimeout(() => {
    console.error('bench: over 5 minutes, stopping');
    process.exit(2);
  }, 300_000);
  hardStop.unref();
  const results = await runBench(options, (msg) => console.error(`bench: ${msg} …`));
  writeFileSync(join(dir, 'results.json'), JSON.stringify(results, null, 2) + '\n');
  writeFileSync(join(dir, 'upstream-calls.svg'), renderChart(results.amplification));
  writeFileSync(join(dir, 'RESULTS.md'), renderMarkdown(results));
  console.error(`bench: done in ${(results.durationMs / 1000).toFixed(1)} s → bench/RESULTS.md`);
  process.exit(0);
}
