import { buildPackage, type CodePackage } from './package.js';

/**
 * What every deploy command does before it calls its cloud: parse the arguments and plan (a bad
 * one exits 2 naming it), bundle each function's code with the one recipe, and for `--dry-run`
 * print the plan and stop (exit 0) without credentials.
 * @example
 * const ready = await prepare('deploy:huawei', print, () => parseArgs(argv, env), deployPlan, describePlan);
 * if ('exit' in ready) return ready.exit;
 */
export async function prepare<O, P extends { functions: ReadonlyArray<{ entry: string }> }>(
  command: string,
  print: (text: string) => void,
  parse: () => { options: O; dryRun: boolean },
  plan: (options: O) => P,
  describe: (plan: P, packages: Map<string, CodePackage>) => unknown,
): Promise<{ options: O; plan: P; packages: Map<string, CodePackage> } | { exit: number }> {
  let options: O;
  let planned: P;
  let dryRun: boolean;
  try {
    ({ options, dryRun } = parse());
    planned = plan(options);
  } catch (err) {
    print(`${command}: ${(err as Error).message}`);
    return { exit: 2 };
  }
  const packages = new Map<string, CodePackage>();
  for (const fn of planned.functions) packages.set(fn.entry, await buildPackage(fn.entry));
  if (dryRun) {
    print(JSON.stringify(describe(planned, packages), null, 2));
    return { exit: 0 };
  }
  return { options, plan: planned, packages };
}
