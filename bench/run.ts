/**
 * `npm run bench`: starts every rig (emulators), measures bundles, cold start, the warm path,
 * upstream amplification, refresh cost and packaging, then writes bench/results.json,
 * bench/RESULTS.md and bench/upstream-calls.svg. Stops by itself; `--quick` is the smallest
 * configuration (what bench.test.ts runs), `--no-package` skips `osls package`, `--render` only
 * re-renders RESULTS.md and the chart from results.json.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ROOT } from '../scripts/bundle.js';
import { amplification, perHalfLife, type AmplificationRow, type HalfLifeRow } from './amplification.js';
import { bundleAll, coldStart, firstLine, REFERENCE_BUNDLES, type BundleRow, type ColdResult } from './cold.js';
import { HTTP_DRIVERS } from './handlers.js';
import { packageWallTime, type PackagingResult } from './packaging.js';
import { refreshCost, SIMULATED_MS, type RefreshRow } from './refresh-cost.js';
import { renderChart, renderMarkdown } from './report.js';
import { RIGS, type Rig } from './rigs.js';
import { signedHeaders } from './sign.js';
import { latencyRows, serveRequests, throughputRow, type LatencyRow, type ThroughputRow } from './warm.js';

export interface BenchOptions {
  concurrency: number[];
  registryCounts: number[];
  /** Repeats of every comparative measurement (min/median/max over them). */
  repeats: number;
  coldRounds: number;
  warmIterations: number;
  rpsSeconds: number;
  /** autocannon connections: about one per core. */
  rpsConnections: number;
  simulatedMs: number;
  packaging: boolean;
  packagingTimeoutMs: number;
}

export const FULL: BenchOptions = {
  concurrency: [1, 10, 100, 1000],
  registryCounts: [1, 4],
  repeats: 3,
  coldRounds: 7,
  warmIterations: 5_000,
  rpsSeconds: 5,
  rpsConnections: Math.max(1, cpus().length),
  simulatedMs: SIMULATED_MS,
  packaging: true,
  packagingTimeoutMs: 120_000,
};

/** The smallest configuration: seconds, every section exercised (packaging is the test's choice). */
export const QUICK: BenchOptions = {
  concurrency: [1, 10],
  registryCounts: [1, 4],
  repeats: 1,
  coldRounds: 1,
  warmIterations: 200,
  rpsSeconds: 1,
  rpsConnections: 1,
  simulatedMs: SIMULATED_MS,
  packaging: false,
  packagingTimeoutMs: 120_000,
};

export interface BenchResults {
  machine: { cores: number; cpu: string; node: string; platform: string; loadavgAtStart: number[]; shared: true };
  startedAt: string;
  durationMs: number;
  options: BenchOptions;
  rigs: Array<{ cloud: string; status: 'ok' | 'not built yet'; reason?: string }>;
  bundles: BundleRow[];
  cold: ColdResult;
  latency: LatencyRow[];
  throughput: Array<ThroughputRow | { server: string; status: 'not built yet' | 'failed'; reason: string }>;
  amplification: AmplificationRow[];
  halfLife: HalfLifeRow[];
  refresh: RefreshRow[];
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
    options,
    rigs: [],
    bundles: [],
    cold: { bareMs: { min: 0, median: 0, max: 0, n: 0 }, rows: [] },
    latency: [],
    throughput: [],
    amplification: [],
    halfLife: [],
    refresh: [],
    packaging: { status: 'skipped' },
  };

  const rigs = new Map<string, Rig>();
  try {
    for (const entry of RIGS) {
      try {
        rigs.set(entry.cloud, await entry.start());
        results.rigs.push({ cloud: entry.cloud, status: 'ok' });
      } catch (err) {
        results.rigs.push({ cloud: entry.cloud, status: 'not built yet', reason: firstLine(err) });
      }
    }

    progress('bundles');
    results.bundles = await bundleAll();

    progress('cold start');
    const references = await bundleAll(REFERENCE_BUNDLES);
    results.cold = await coldStart(
      [
        ...results.bundles.map((bundle) => {
          const rig = rigs.get(bundle.cloud);
          const driver = HTTP_DRIVERS.find((d) => d.key === `${bundle.cloud}/${bundle.name}`);
          return { bundle, ...(rig && { env: rig.handlerEnv(rig.registries.slice(0, 1)) }), ...(driver && { driver }) };
        }),
        ...references.map((bundle) => ({ bundle, env: {} })),
      ],
      options.coldRounds,
    );

    // Handlers write an audit line per request (info): rendered and redacted as in production,
    // but not written to the terminal while requests/s and latency are measured.
    await muted(async () => {
      progress('requests/s');
      results.throughput = await throughput(rigs, options);
      progress('warm latency');
      for (const driver of HTTP_DRIVERS) {
        const rig = rigs.get(driver.cloud);
        if (rig) results.latency.push(...(await warmLatency(driver, rig, options)));
      }
    });

    for (const rig of rigs.values()) {
      progress(`amplification (${rig.cloud})`);
      results.amplification.push(...(await amplification(rig, options)));
      for (const count of options.registryCounts) results.halfLife.push(await perHalfLife(rig, count, Math.max(...options.concurrency)));
      progress(`refresh cost (${rig.cloud})`);
      results.refresh.push(await refreshCost(rig, options.simulatedMs));
    }

    if (options.packaging) {
      progress('osls package');
      results.packaging = await packageWallTime(options.packagingTimeoutMs);
    }
  } finally {
    for (const rig of rigs.values()) await rig.stop();
  }
  results.durationMs = Date.now() - started;
  return results;
}

async function warmLatency(driver: (typeof HTTP_DRIVERS)[number], rig: Rig, options: BenchOptions): Promise<LatencyRow[]> {
  const request = await driver.load(rig, rig.handlerEnv(rig.registries.slice(0, 1)));
  const first = await request({ path: '/credentials', query: '' })();
  const host = (JSON.parse(first.body) as { credentials: Array<{ registry: string }> }).credentials[0]!.registry;
  return latencyRows(driver.key, request, host, { iterations: options.warmIterations, repeats: options.repeats });
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

/**
 * Requests/s through a local HTTP server with a warm cache: the `npm start` server (cli/serve.ts,
 * the real AWS handler behind a SigV4 check) and, for clouds without one, a bare server around
 * the cloud's handler.
 */
async function throughput(rigs: Map<string, Rig>, options: BenchOptions): Promise<BenchResults['throughput']> {
  const rows: BenchResults['throughput'] = [];
  const load = { connections: options.rpsConnections, seconds: options.rpsSeconds, repeats: options.repeats };
  try {
    const { serve } = await import('../cli/serve.js');
    const server = await serve({ emulator: true, port: 0, quiet: true });
    try {
      const url = `${server.url}/credentials`;
      const headers = await signedHeaders(url);
      const warm = await fetch(url, { headers });
      if (warm.status !== 200) throw new Error(`npm start server answered ${warm.status}`);
      rows.push(await throughputRow('npm start (aws/http, SigV4 checked)', { url, headers }, load));
    } finally {
      await server.close();
    }
  } catch (err) {
    rows.push({ server: 'npm start (aws/http, SigV4 checked)', status: 'failed', reason: firstLine(err) });
  }
  const alibaba = HTTP_DRIVERS.find((d) => d.key === 'alibaba/http')!;
  const rig = rigs.get(alibaba.cloud);
  if (!rig) return [...rows, { server: 'alibaba/http (bench server)', status: 'not built yet', reason: 'no Alibaba rig' }];
  const request = await alibaba.load(rig, rig.handlerEnv(rig.registries.slice(0, 1)));
  const server = await serveRequests((req) => request(req)());
  try {
    rows.push(await throughputRow('alibaba/http (bench server)', { url: `${server.url}/credentials` }, load));
  } finally {
    await server.close();
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
  const quick = process.argv.includes('--quick');
  const options = { ...(quick ? QUICK : FULL), ...(process.argv.includes('--no-package') && { packaging: false }) };
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
