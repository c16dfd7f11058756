/**
 * `--flag value` / `--flag=value` options and `--dry-run`, as every deploy script takes them;
 * an unknown flag or a missing value is an error naming it.
 * @example parseFlags(['--region', 'cn-north-4', '--dry-run'], ['region']) // { flags: Map { 'region' => 'cn-north-4' }, dryRun: true }
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
