/**
 * Bundle sizes and cold start. Each shipped handler (handlers/functions.ts) is bundled as it ships
 * (scripts/bundle.ts); a fresh `node` process then (a) only requires the bundle, (b) requires it and serves one
 * `GET /credentials` against the emulator. A fresh process has an empty cache, so (b) includes one
 * upstream call: that is what the first request of a new instance costs. Each is timed from spawn
 * to exit and divided by bare `node -e 0` timed in the same round.
 */
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { shippedHandlers, type HandlerSpec } from '../handlers/functions.js';
import { bundleHandler } from '../scripts/bundle.js';
import { msSince, spread, type Spread } from './stats.js';

export interface BundleRow {
  cloud: string;
  name: string;
  status: 'ok' | 'not built yet';
  file?: string;
  bytes?: number;
  zippedBytes?: number;
  /** Why it did not build (first line of the bundler's error). */
  reason?: string;
}

/** Not shipped: bundled the same way for comparison in the cold-start table (cloud "reference"). */
export const REFERENCE_BUNDLES: readonly HandlerSpec[] = [
  { cloud: 'reference', name: 'sdk-client-only', entry: 'bench/aws/reference/client-ecr.ts' },
  { cloud: 'reference', name: 'sdk-client-deferred', entry: 'bench/aws/reference/client-ecr-deferred.ts' },
];

/** @example const rows = await bundleAll(); // one row per shipped handler */
export async function bundleAll(handlers: readonly HandlerSpec[] = shippedHandlers()): Promise<BundleRow[]> {
  const rows: BundleRow[] = [];
  const task = mkdtempSync(join(tmpdir(), 'regcred-bench-task-'));
  for (const handler of handlers) {
    try {
      const b = await bundleHandler(handler, join(task, 'build'));
      rows.push({ cloud: handler.cloud, name: handler.name, status: 'ok', file: stage(b.file, join(task, handler.cloud, handler.name)), bytes: b.bytes, zippedBytes: b.zippedBytes });
    } catch (err) {
      rows.push({ cloud: handler.cloud, name: handler.name, status: 'not built yet', reason: firstLine(err) });
    }
  }
  return rows;
}

/**
 * Put the bundle where the runtime would: alone in a directory, as `index.js` unzipped from the
 * upload. Inside this repository the root package.json says "type": "module", and Node ≥ 20.19
 * would then load dist/…/index.js as ES module (through require(esm)) with no exports at all.
 */
function stage(file: string, dir: string): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), '{"type":"commonjs"}\n');
  copyFileSync(file, join(dir, 'index.js'));
  return join(dir, 'index.js');
}

export interface ChildRun {
  wallMs: number;
  /** What the child reported on its `BENCH:` line (in-process load and first-request times). */
  report?: { loadMs: number; firstMs?: number; status?: number };
  code: number | null;
}

/** Spawn `node -e script` with exactly `env` (plus PATH), time it to exit; bounded by a kill. */
export function timeNode(script: string, env: Record<string, string>, timeoutMs = 30_000): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(process.execPath, ['-e', script], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    const kill = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('exit', (code) => {
      const wallMs = msSince(started);
      clearTimeout(kill);
      const line = out.split('\n').find((l) => l.startsWith('BENCH:'));
      if (code !== 0) return reject(new Error(`node exited ${code}: ${firstLine(err || out)}`));
      resolve({ wallMs, code, ...(line && { report: JSON.parse(line.slice(6)) }) });
    });
  });
}

/** Require only; print how long the require took inside the process. */
export function loadScript(file: string): string {
  return `const t=process.hrtime.bigint();require(${JSON.stringify(file)});console.log('BENCH:'+JSON.stringify({loadMs:Number(process.hrtime.bigint()-t)/1e6}))`;
}

/** Require, then serve one request with `invoke` (a cloud's `coldInvoke`); exit as soon as it answers. */
export function firstRequestScript(file: string, invoke: string): string {
  return [
    `const t=process.hrtime.bigint();const handler=require(${JSON.stringify(file)}).handler;const l=Number(process.hrtime.bigint()-t)/1e6;`,
    `const s=process.hrtime.bigint();Promise.resolve(${invoke}).then((r)=>{`,
    `console.log('BENCH:'+JSON.stringify({loadMs:l,firstMs:Number(process.hrtime.bigint()-s)/1e6,status:r&&r.statusCode}));process.exit(0)},`,
    `(e)=>{console.error(String(e&&e.message));process.exit(1)})`,
  ].join('');
}

export interface ColdRow {
  cloud: string;
  name: string;
  status: 'ok' | 'not built yet' | 'failed';
  reason?: string;
  /** Wall time of `node -e "require(bundle)"`, ms, and its ratio to bare node in the same round. */
  loadMs?: Spread;
  loadRatio?: Spread;
  /** require + one GET /credentials (one upstream call: a fresh process has nothing cached). */
  firstMs?: Spread;
  firstRatio?: Spread;
  /** In-process: the require alone, and the first request alone (ms). */
  requireMs?: Spread;
  requestMs?: Spread;
}

export interface ColdResult {
  bareMs: Spread;
  rows: ColdRow[];
}

export interface ColdSubject {
  bundle: BundleRow;
  /** Environment of the handler's cloud (undefined: the cloud's emulator is not available). */
  env?: Record<string, string>;
  /** The cloud's `coldInvoke` (bench/rigs.ts) for its http bundle: adds the first-request columns. */
  coldInvoke?: string;
}

/**
 * Rounds of: bare node, then every subject's load and first request; ratios per round.
 * @example await coldStart(subjects, 5)
 */
export async function coldStart(subjects: ColdSubject[], rounds: number): Promise<ColdResult> {
  const bare: number[] = [];
  const samples = subjects.map(() => ({ load: [] as number[], first: [] as number[], loadRatio: [] as number[], firstRatio: [] as number[], req: [] as number[], reqFirst: [] as number[] }));
  const failed = new Map<number, string>();
  for (let r = 0; r < rounds; r++) {
    const bareRun = await timeNode('0', {});
    bare.push(bareRun.wallMs);
    for (const [i, s] of subjects.entries()) {
      if (s.bundle.status !== 'ok' || !s.env || failed.has(i)) continue;
      try {
        const load = await timeNode(loadScript(s.bundle.file!), s.env);
        samples[i]!.load.push(load.wallMs);
        samples[i]!.loadRatio.push(load.wallMs / bareRun.wallMs);
        samples[i]!.req.push(load.report!.loadMs);
        if (s.coldInvoke) {
          const first = await timeNode(firstRequestScript(s.bundle.file!, s.coldInvoke), s.env);
          if (first.report?.status !== 200) throw new Error(`first request answered ${first.report?.status}`);
          samples[i]!.first.push(first.wallMs);
          samples[i]!.firstRatio.push(first.wallMs / bareRun.wallMs);
          samples[i]!.reqFirst.push(first.report.firstMs!);
        }
      } catch (err) {
        failed.set(i, firstLine(err));
      }
    }
  }
  const rows = subjects.map((s, i): ColdRow => {
    const base = { cloud: s.bundle.cloud, name: s.bundle.name };
    if (s.bundle.status !== 'ok') return { ...base, status: 'not built yet', ...(s.bundle.reason && { reason: s.bundle.reason }) };
    if (!s.env) return { ...base, status: 'not built yet', reason: `the ${s.bundle.cloud} emulator is not available` };
    if (failed.has(i)) return { ...base, status: 'failed', reason: failed.get(i)! };
    const x = samples[i]!;
    return {
      ...base,
      status: 'ok',
      loadMs: spread(x.load),
      loadRatio: spread(x.loadRatio),
      requireMs: spread(x.req),
      ...(s.coldInvoke && { firstMs: spread(x.first), firstRatio: spread(x.firstRatio), requestMs: spread(x.reqFirst) }),
    };
  });
  return { bareMs: spread(bare), rows };
}

export function firstLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return (text.split('\n').find((l) => l.trim()) ?? 'unknown error').trim().slice(0, 200);
}
