/**
 * What every cloud's deploy script shares: its command line (`--flag value`, `--flag=value`,
 * `--dry-run`, unknown flags refused) and the parts of the caller's environment a function ships.
 */
import type { Env } from '../../core/config.js';

/** The variables that configure regcred in a function; anything else in the environment is not shipped. */
export const FUNCTION_ENV = ['REGCRED_REGISTRIES', 'REGCRED_ALLOWED_CALLERS', 'REGCRED_TARGETS', 'REGCRED_ATTEMPT_TIMEOUT_MS', 'LOG_LEVEL'];

/**
 * Parse `--flag value` / `--flag=value` options (only `known` ones) and `--dry-run`.
 * @example parseFlags(['--region', 'ap-guangzhou', '--dry-run'], ['region']) // { flags: Map { region → ap-guangzhou }, dryRun: true }
 */
export function parseFlags(argv: string[], known: readonly string[]): { flags: Map<string, string>; dryRun: boolean } {
  const flags = new Map<string, string>();
  let dryRun = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--dry-run') {
      dryRun = true;
      continue;
    }
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    if (!m || !known.includes(m[1]!)) throw new Error(`unknown argument '${arg}'; flags: --dry-run, ${known.map((f) => `--${f}`).join(', ')}`);
    const value = m[2] ?? argv[++i];
    if (value === undefined) throw new Error(`--${m[1]} needs a value`);
    flags.set(m[1]!, value);
  }
  return { flags, dryRun };
}

/** The set variables of an environment, as the plan's input. */
export function definedEnv(env: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined));
}

/** The non-empty values of `names` in `env`, trimmed. */
export function pick(env: Env, names: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const n of names) if (env[n]?.trim()) out[n] = env[n]!.trim();
  return out;
}

export function unique(values: string[]): string[] {
  return [...new Set(values)];
}
