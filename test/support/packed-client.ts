import { mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { callerEnv } from '../../bench/client.js';
import { bundleCli } from '../../scripts/bundle.js';
import { PROJECT_DIR, run, type RunResult } from './registry.js';

export const FIXTURES = join(PROJECT_DIR, 'test/e2e/fixtures');

export interface PackedClient {
  /** The folder with `regcred` and `docker-credential-regcred`, as `npm install -g` links them. */
  bin: string;
  /**
   * Run an installed command with `env` as its whole environment (plus PATH to it and node) and
   * `stdin`; also how long it took.
   */
  run(command: 'regcred' | 'docker-credential-regcred', args: string[], env: Record<string, string>, stdin?: string): Promise<RunResult & { ms: number }>;
}

/**
 * The client as it ships, for tests of what users run: `dist/cli/*.cjs` from the bundleCli() that
 * `npm pack` runs (prepack), in `work`, with `regcred` and `docker-credential-regcred` linked to it
 * (test/e2e/client.test.ts installs the real tarball with `npm install -g`).
 * @example const client = await buildPackedClient(work); await client.run('docker-credential-regcred', ['get'], env, 'r.example\n');
 */
export async function buildPackedClient(work: string): Promise<PackedClient> {
  const file = await bundleCli(join(work, 'dist'));
  const bin = join(work, 'bin');
  mkdirSync(bin, { recursive: true });
  for (const name of ['regcred', 'docker-credential-regcred']) symlinkSync(file, join(bin, name));
  return {
    bin,
    async run(command, args, env, stdin = '') {
      const started = performance.now();
      const result = await run(join(bin, command), args, { env: { PATH: `${bin}:${process.env.PATH}`, ...env }, input: stdin, timeoutMs: 30_000 });
      return { ...result, ms: performance.now() - started };
    },
  };
}

/**
 * The environment of a client process that signs as the emulator's AWS test identity and takes
 * nothing from this machine (no profile files, no instance metadata, no config or cache of the user).
 */
export function clientEnv(home: string, extra: Record<string, string> = {}): Record<string, string> {
  const { PATH: _path, REGCRED_URL: _url, ...caller } = callerEnv('', home);
  return { ...caller, XDG_CACHE_HOME: join(home, 'cache'), XDG_CONFIG_HOME: join(home, 'config'), ...extra };
}

/** Preload the fixed clock into a client process: its Date stands at `at` (epoch ms). */
export function fixedClock(at: number): Record<string, string> {
  return { NODE_OPTIONS: `--require ${join(FIXTURES, 'fixed-clock.cjs')}`, FIXED_CLOCK_MS: String(at) };
}
