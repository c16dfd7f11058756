/**
 * Warm path: in-process latency of each HTTP handler per response format on a warm cache, and
 * requests/s through a local HTTP server (autocannon in a separate process, loopback only).
 */
import { spawn } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { ROOT } from '../scripts/bundle.js';
import type { BenchRequest, BenchResponse, WarmRequests } from './rigs.js';
import { percentile, spread, type Spread } from './stats.js';

export interface LatencyRow {
  handler: string;
  format: string;
  iterations: number;
  /** Per repeat: the p50 and p99 of that repeat's iterations (ms). */
  p50: Spread;
  p99: Spread;
}

/** The five formats of docs/design.md ("HTTPS API"); the one-registry ones go to `/credentials/{host}`. */
export function formatRequests(host: string): Array<{ format: string; req: BenchRequest }> {
  const one = `/credentials/${encodeURIComponent(host)}`;
  return [
    { format: 'json', req: { path: '/credentials', query: '' } },
    { format: 'dockerconfigjson', req: { path: '/credentials', query: 'format=dockerconfigjson' } },
    { format: 'kubernetes', req: { path: '/credentials', query: 'format=kubernetes&name=regcred&namespace=default' } },
    { format: 'credential-helper', req: { path: one, query: 'format=credential-helper' } },
    { format: 'kubelet', req: { path: one, query: 'format=kubelet' } },
  ];
}

/**
 * Time `iterations` sequential calls of `invoke` after a warm-up; every answer must be 200.
 * @example const samples = await sampleLatency(() => handler(event, ctx), 10_000)
 */
export async function sampleLatency(invoke: () => Promise<BenchResponse>, iterations: number): Promise<number[]> {
  for (let i = 0; i < Math.min(1_000, iterations); i++) await check(invoke());
  const samples = new Array<number>(iterations);
  for (let i = 0; i < iterations; i++) {
    const start = process.hrtime.bigint();
    const res = await invoke();
    samples[i] = Number(process.hrtime.bigint() - start) / 1e6;
    if (res.statusCode !== 200) throw new Error(`warm request answered ${res.statusCode}`);
  }
  return samples;
}

async function check(answer: Promise<BenchResponse>): Promise<void> {
  const res = await answer;
  if (res.statusCode !== 200) throw new Error(`warm request answered ${res.statusCode}: ${res.body.slice(0, 200)}`);
}

/** @example await latencyRows('alibaba/http', request, host, { iterations: 5_000, repeats: 3 }) */
export async function latencyRows(
  handler: string,
  request: WarmRequests,
  host: string,
  options: { iterations: number; repeats: number },
): Promise<LatencyRow[]> {
  const rows: LatencyRow[] = [];
  for (const { format, req } of formatRequests(host)) {
    const invoke = request(req);
    const p50: number[] = [];
    const p99: number[] = [];
    for (let r = 0; r < options.repeats; r++) {
      const samples = await sampleLatency(invoke, options.iterations);
      p50.push(percentile(samples, 50));
      p99.push(percentile(samples, 99));
    }
    rows.push({ handler, format, iterations: options.iterations, p50: spread(p50), p99: spread(p99) });
  }
  return rows;
}

export interface ThroughputRow {
  server: string;
  connections: number;
  seconds: number;
  /** Requests/s per repeat. */
  rps: Spread;
  /** autocannon's p99 latency (ms) per repeat. */
  p99: Spread;
  non2xx: number;
  errors: number;
}

export interface LoadTarget {
  url: string;
  headers?: Record<string, string>;
}

/**
 * A minimal local server around an in-process handler: method, path and query in, handler answer out.
 * @example const server = await serveRequests((req) => request(req)());
 */
export async function serveRequests(answer: (req: BenchRequest) => Promise<BenchResponse>): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    req.resume();
    req.on('end', () => {
      answer({ path: url.pathname, query: url.search.slice(1) }).then(
        (r) => res.writeHead(r.statusCode, { 'content-type': 'application/json' }).end(r.body),
        () => res.writeHead(500).end(),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

interface AutocannonResult {
  requests: { average: number; total: number };
  latency: { p99: number };
  non2xx: number;
  errors: number;
  duration: number;
}

/**
 * Run autocannon in its own process (so the server keeps its one core), bounded by `seconds`
 * and by a hard kill a little after.
 * @example await loadTest({ url: server.url + '/credentials' }, { connections: 2, seconds: 5 })
 */
export function loadTest(target: LoadTarget, options: { connections: number; seconds: number }): Promise<AutocannonResult> {
  const args = [join(ROOT, 'node_modules/autocannon/autocannon.js'), '--json', '-c', String(options.connections), '-d', String(options.seconds)];
  for (const [k, v] of Object.entries(target.headers ?? {})) args.push('-H', `${k}=${v}`);
  args.push(target.url);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    const kill = setTimeout(() => child.kill('SIGKILL'), (options.seconds + 15) * 1_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(kill);
      try {
        resolve(JSON.parse(out) as AutocannonResult);
      } catch {
        reject(new Error(`autocannon exited ${code} without a JSON result`));
      }
    });
  });
}

/** @example await throughputRow('alibaba/http (bench server)', target, { connections: 2, seconds: 5, repeats: 3 }) */
export async function throughputRow(
  server: string,
  target: LoadTarget,
  options: { connections: number; seconds: number; repeats: number },
): Promise<ThroughputRow> {
  const runs: AutocannonResult[] = [];
  for (let r = 0; r < options.repeats; r++) runs.push(await loadTest(target, options));
  return {
    server,
    connections: options.connections,
    seconds: options.seconds,
    rps: spread(runs.map((r) => r.requests.total / r.duration)),
    p99: spread(runs.map((r) => r.latency.p99)),
    non2xx: runs.reduce((n, r) => n + r.non2xx, 0),
    errors: runs.reduce((n, r) => n + r.errors, 0),
  };
}
