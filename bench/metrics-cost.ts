/**
 * What publishing metrics costs at cold start: a tiny handler that records one HTTP invocation's
 * metrics (a cache miss, an upstream call and its latency, a credential issued, its validity) and
 * flushes them as EMF, bundled as it ships (scripts/bundle.ts: CJS, minified, node20) with
 *   - none:       no metrics, one line written to stdout (the floor: stdout's own set-up),
 *   - regcred:    core/metrics.ts,
 *   - powertools: @aws-lambda-powertools/metrics.
 * Each bundle is required and its handler run once in a fresh `node` process, rounds interleaved;
 * the table gives bundle bytes and the median (min–max) of require, first flush and spawn-to-exit.
 *
 * Powertools is not a dependency of regcred: it is installed into a throwaway folder for the run,
 * or taken from `--powertools <dir>` (a folder whose node_modules holds it). `npm run bench` runs it
 * (full configuration) for RESULTS.md; on its own:
 *   npx tsx bench/metrics-cost.ts [--rounds 21] [--powertools <dir>]
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { bundleCode, ROOT, zipBundle } from '../scripts/bundle.js';
import { providerIds } from '../core/clouds.js';
import { firstRequestScript, timeNode } from './cold.js';
import { spread, type Spread } from './stats.js';

export const POWERTOOLS = '@aws-lambda-powertools/metrics@2.36.0';

/** The same invocation for every option: five metrics, dimensions function and provider (the table's first), one flush. */
const PROVIDER = JSON.stringify(providerIds()[0]);
const SOURCES = {
  // Writes one line too: Node sets up process.stdout on first use (~5 ms), which every option pays.
  none: `export const handler = async () => { process.stdout.write('{"msg":"metrics"}\\n'); return { statusCode: 200 }; };`,
  regcred: `
import { createMetrics } from ${JSON.stringify(join(ROOT, 'core/metrics.ts'))};
export const handler = async (_event: unknown, context: { functionName: string; awsRequestId: string }) => {
  const metrics = createMetrics({ function: context.functionName, sink: 'emf', context: { requestId: context.awsRequestId } });
  metrics.count('CacheMisses', { provider: ${PROVIDER} });
  metrics.count('UpstreamCalls', { provider: ${PROVIDER} });
  metrics.value('UpstreamLatency', { provider: ${PROVIDER} }, 87);
  metrics.count('CredentialsIssued', { provider: ${PROVIDER}, format: 'dockerconfigjson' });
  metrics.value('ValiditySecondsLeft', { provider: ${PROVIDER} }, 43200);
  metrics.flush();
  return { statusCode: 200 };
};`,
  powertools: `
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
const metrics = new Metrics({ namespace: 'regcred', serviceName: 'regcred' });
export const handler = async (_event: unknown, context: { functionName: string; awsRequestId: string }) => {
  metrics.addDimensions({ function: context.functionName, provider: ${PROVIDER} });
  metrics.addMetadata('requestId', context.awsRequestId);
  metrics.addMetric('CacheMisses', MetricUnit.Count, 1);
  metrics.addMetric('UpstreamCalls', MetricUnit.Count, 1);
  metrics.addMetric('UpstreamLatency', MetricUnit.Milliseconds, 87);
  metrics.addMetric('CredentialsIssued', MetricUnit.Count, 1);
  metrics.addMetric('ValiditySecondsLeft', MetricUnit.Seconds, 43200);
  metrics.publishStoredMetrics();
  return { statusCode: 200 };
};`,
} as const;
type Option = keyof typeof SOURCES;

export interface MetricsCostRow {
  option: Option;
  bytes: number;
  zippedBytes: number;
  requireMs: Spread;
  flushMs: Spread;
  /** Median require + median first flush, minus the same for `none` (undefined for `none`). */
  overNoneMs?: number;
  wallMs: Spread;
}

/**
 * @example const rows = await metricsCost({ rounds: 21 }); rows.find((r) => r.option === 'regcred')!.overNoneMs
 */
export async function metricsCost(options: { rounds: number; powertools?: string; progress?: (msg: string) => void }): Promise<MetricsCostRow[]> {
  const { rounds } = options;
  if (!Number.isInteger(rounds) || rounds < 7) throw new Error('rounds must be an integer ≥ 7 (the medians need it)');
  const work = mkdtempSync(join(tmpdir(), 'regcred-metrics-cost-'));
  try {
    let ptDir = options.powertools ? resolve(options.powertools) : work;
    if (!options.powertools) {
      options.progress?.(`installing ${POWERTOOLS} into ${work} (throwaway)`);
      writeFileSync(join(work, 'package.json'), '{"private":true}\n');
      execFileSync('npm', ['install', '--no-audit', '--no-fund', '--no-save', POWERTOOLS], { cwd: work, stdio: 'ignore' });
    }
    ptDir = resolve(ptDir);

    const built: Record<Option, { file: string; bytes: number; zipped: number }> = {} as never;
    for (const option of Object.keys(SOURCES) as Option[]) {
      // Next to powertools' node_modules so the bundler resolves it; the runtime folder is separate.
      const entry = join(ptDir, `bench-metrics-${option}.ts`);
      writeFileSync(entry, SOURCES[option]);
      const code = await bundleCode(entry);
      rmSync(entry);
      const dir = mkdtempSync(join(work, `${option}-`));
      writeFileSync(join(dir, 'package.json'), '{"type":"commonjs"}\n');
      writeFileSync(join(dir, 'index.js'), code);
      built[option] = { file: join(dir, 'index.js'), bytes: code.length, zipped: zipBundle(code).length };
    }

    // Lambda's environment, so powertools behaves as it does there (no dev mode, function name set).
    const env = { AWS_LAMBDA_FUNCTION_NAME: 'regcred-prod-http', AWS_REGION: 'us-east-1', AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x', TZ: ':UTC' };
    const invoke = `handler({}, { functionName: 'regcred-prod-http', awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef' })`;
    // Each option must really have written an EMF line, or the timing means nothing.
    for (const option of ['regcred', 'powertools'] as const) {
      const out = execFileSync(process.execPath, ['-e', firstRequestScript(built[option].file, invoke)], { env: { PATH: process.env.PATH ?? '', ...env } }).toString();
      const emf = out.split('\n').find((l) => l.includes('"_aws"'));
      if (!emf || !emf.includes('"UpstreamLatency"')) throw new Error(`${option} wrote no EMF line:\n${out}`);
    }

    const samples: Record<Option, { require: number[]; flush: number[]; wall: number[] }> = { none: { require: [], flush: [], wall: [] }, regcred: { require: [], flush: [], wall: [] }, powertools: { require: [], flush: [], wall: [] } };
    // Warm the page cache once per bundle, then interleave so drift hits every option alike.
    for (const option of Object.keys(SOURCES) as Option[]) await timeNode(firstRequestScript(built[option].file, invoke), env);
    for (let round = 0; round < rounds; round++) {
      for (const option of Object.keys(SOURCES) as Option[]) {
        const run = await timeNode(firstRequestScript(built[option].file, invoke), env);
        samples[option].require.push(run.report!.loadMs);
        samples[option].flush.push(run.report!.firstMs!);
        samples[option].wall.push(run.wallMs);
      }
    }

    const none = spread(samples.none.require).median + spread(samples.none.flush).median;
    return (Object.keys(SOURCES) as Option[]).map((option) => {
      const requireMs = spread(samples[option].require);
      const flushMs = spread(samples[option].flush);
      return {
        option,
        bytes: built[option].bytes,
        zippedBytes: built[option].zipped,
        requireMs,
        flushMs,
        ...(option !== 'none' && { overNoneMs: requireMs.median + flushMs.median - none }),
        wallMs: spread(samples[option].wall),
      };
    });
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values: args } = parseArgs({ options: { rounds: { type: 'string', default: '21' }, powertools: { type: 'string' } } });
  const rounds = Number(args.rounds);
  const rows = await metricsCost({ rounds, ...(args.powertools && { powertools: args.powertools }), progress: (msg) => console.error(`${msg}…`) });
  const ms = (s: Spread) => `${s.median.toFixed(2)} (${s.min.toFixed(2)}–${s.max.toFixed(2)})`;
  console.log(`\nmetrics cold-start cost, ${rounds} fresh processes each, node ${process.version}, median (min–max) ms\n`);
  console.log('| option | bundle bytes | zipped bytes | require ms | first flush ms | require + flush over `none` ms | spawn-to-exit ms |');
  console.log('|---|---:|---:|---:|---:|---:|---:|');
  for (const r of rows) {
    console.log(`| ${r.option} | ${r.bytes} | ${r.zippedBytes} | ${ms(r.requireMs)} | ${ms(r.flushMs)} | ${r.overNoneMs === undefined ? '–' : r.overNoneMs.toFixed(2)} | ${ms(r.wallMs)} |`);
  }
}
