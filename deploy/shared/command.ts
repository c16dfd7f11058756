import { buildPackage, type CodePackage } from '../../scripts/bundle.js';

export type Prepared<O, P> = { exitCode: number } | { options: O; plan: P; packages: Map<string, CodePackage> };

/**
 * The first half of every deploy command: parse the arguments, plan (the plan validates regcred's
 * configuration, so a typo fails here), bundle each function's handler, and for `--dry-run` print
 * the plan and stop. Returns the exit code when the command is done, else what the real run needs.
 * @example const prepared = await prepare('deploy:tencent', argv, env, print, { parseArgs, deployPlan, describePlan });
 */
export async function prepare<O, P extends { functions: ReadonlyArray<{ entry: string }> }>(
  command: string,
  argv: string[],
  env: Record<string, string | undefined>,
  print: (text: string) => void,
  steps: {
    parseArgs(argv: string[], env: Record<string, string | undefined>): { options: O; dryRun: boolean };
    deployPlan(options: O): P;
    describePlan(plan: P, packages: Map<string, CodePackage>): unknown;
  },
): Promise<Prepared<O, P>> {
  let options: O;
  let plan: P;
  let dryRun: boolean;
  try {
    ({ options, dryRun } = steps.parseArgs(argv, env));
    plan = steps.deployPlan(options);
  } catch (err) {
    print(`${command}: ${(err as Error).message}`);
    return { exitCode: 2 };
  }
  const packages = new Map<string, CodePackage>();
  for (const fn of plan.functions) packages.set(fn.entry, await buildPackage(fn.entry));
  if (dryRun) {
    print(JSON.stringify(steps.describePlan(plan, packages), null, 2));
    return { exitCode: 0 };
  }
  return { options, plan, packages };
}

/** How a deploy command reports a failed API call: the cloud's error code and the first line, no stack. */
export function failure(command: string, err: unknown): string {
  return `${command} failed${failureDetail(err)}`;
}

/**
 * A failed call's HTTP status where the SDK keeps it, its error code and the first line of its
 * message: Alibaba's and Tencent's SDK errors carry `code`/`message`, Huawei's `httpStatusCode`,
 * `errorCode` and `errorMsg`.
 * @example failureDetail({ httpStatusCode: 403, errorCode: 'APIG.0302', errorMsg: 'denied' }) // ' (403): APIG.0302: denied'
 */
export function failureDetail(err: unknown): string {
  const e = (err ?? {}) as { code?: unknown; message?: unknown; errorCode?: unknown; errorMsg?: unknown; httpStatusCode?: unknown };
  const code = typeof e.code === 'string' ? e.code : typeof e.errorCode === 'string' ? e.errorCode : undefined;
  const message = String(e.errorMsg ?? e.message ?? err).split('\n')[0];
  return `${typeof e.httpStatusCode === 'number' ? ` (${e.httpStatusCode})` : ''}: ${code ? `${code}: ` : ''}${message}`;
}

/**
 * A plan as `--dry-run` prints it: each function's fields, its code package by size and checksum
 * (not content), its triggers and its role's policy under the cloud's name for it.
 * @example describeFunctions(plan, packages, 'camPolicy')
 */
export function describeFunctions<F extends { entry: string; body: object; triggers: unknown; policy: unknown }>(
  plan: { region: string; functions: readonly F[] },
  packages: Map<string, CodePackage>,
  policyName: string,
) {
  return {
    region: plan.region,
    functions: plan.functions.map((fn) => {
      const pkg = packages.get(fn.entry)!;
      return { ...fn.body, code: { entry: fn.entry, zipBytes: pkg.zip.length, bundleBytes: pkg.bundleBytes, sha256: pkg.sha256 }, triggers: fn.triggers, [policyName]: fn.policy };
    }),
  };
}
