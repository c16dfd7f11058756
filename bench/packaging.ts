/**
 * Packaging: wall time of `npx osls package` (serverless-esbuild bundles every function), into a
 * temporary directory, offline, no AWS credentials. Killed with its process group past the limit.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../scripts/bundle.js';
import { firstLine } from './cold.js';
import { msSince } from './stats.js';

export interface PackagingResult {
  status: 'ok' | 'failed' | 'timed out' | 'skipped';
  ms?: number;
  reason?: string;
}

/** @example await packageWallTime(120_000) // { status: 'ok', ms: 12_900 } */
export function packageWallTime(timeoutMs: number): Promise<PackagingResult> {
  const out = mkdtempSync(join(tmpdir(), 'regcred-bench-pkg-'));
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? tmpdir(),
    SLS_TELEMETRY_DISABLED: '1',
    SLS_NOTIFICATIONS_MODE: 'off',
  };
  return new Promise((resolve) => {
    const started = process.hrtime.bigint();
    const child = spawn('npx', ['osls', 'package', '--package', out], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let log = '';
    child.stdout.on('data', (c: Buffer) => (log += c.toString()));
    child.stderr.on('data', (c: Buffer) => (log += c.toString()));
    let timedOut = false;
    const kill = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }, timeoutMs);
    child.on('close', (code) => {
      const ms = msSince(started);
      clearTimeout(kill);
      rmSync(out, { recursive: true, force: true });
      if (timedOut) return resolve({ status: 'timed out', ms, reason: `no result within ${timeoutMs / 1000} s` });
      if (code !== 0) {
        const error = log.split('\n').find((l) => /ERROR|^Error/.test(l) && !/^Error:$/.test(l.trim()));
        return resolve({ status: 'failed', ms, reason: firstLine(error ?? `exit ${code}`) });
      }
      resolve({ status: 'ok', ms });
    });
  });
}
