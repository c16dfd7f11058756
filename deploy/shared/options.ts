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

/** What every deploy takes the same way: the function's name, refresh timer, size, environment and repository scope. */
export interface FunctionOptions {
  /** HTTP function name; the refresh function is `<name>-refresh`. */
  name: string;
  /** Timer for the refresh function, in the platform's own syntax (each deploy's default says which). */
  schedule: string;
  timeoutSeconds: number;
  memoryMb: number;
  /** The function's environment: REGCRED_* and LOG_LEVEL, validated with regcred's own config parser. */
  env: Record<string, string>;
  /** --pull: the repositories the login may pull, a raw comma list (`*`: every repository of the configured registries). */
  pull: string;
  /** --push: the repositories it may push to (and pull), a raw comma list ('' none). */
  push: string;
}

/**
 * The {@link FunctionOptions} from the flags `--name`, `--schedule`, `--timeout`, `--memory`,
 * `--pull`, `--push` and the caller's environment; `schedule` is the platform's default timer.
 * @example functionOptions(parseFlags(['--name', 'ci'], ['name']).flags, process.env, '20m').name // 'ci'
 */
export function functionOptions(flags: Map<string, string>, env: Record<string, string | undefined>, schedule: string): FunctionOptions {
  return {
    name: flags.get('name') ?? 'regcred',
    schedule: flags.get('schedule') ?? schedule,
    timeoutSeconds: Number(flags.get('timeout') ?? 10),
    memoryMb: Number(flags.get('memory') ?? 256),
    env: definedEnv(env),
    pull: flags.get('pull') ?? '*',
    push: flags.get('push') ?? '',
  };
}
