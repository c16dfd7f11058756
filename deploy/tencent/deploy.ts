/**
 * `npm run deploy:tencent -- --region ap-guangzhou --uin <uin> [--role regcred] [--refresh-role regcred-refresh] [--pull team/app,base/*] [--push ci/cache] [--dry-run]`
 *
 * Builds each function's zip with the one bundling recipe (scripts/bundle.ts) and creates or
 * updates, through the SCF API (tencentcloud-sdk-nodejs-scf, API 2018-04-16), the HTTP function with
 * its function URL (a trigger of Type http, AuthType CAM) and, when REGCRED_TARGETS is set, the
 * refresh function with its timer trigger. A second run updates in place (UpdateFunctionCode,
 * UpdateFunctionConfiguration, UpdateTrigger). `--dry-run` prints the plan and each function role's
 * CAM policy and needs no credentials.
 *
 * Deploy credentials: TENCENTCLOUD_SECRET_ID / TENCENTCLOUD_SECRET_KEY / TENCENTCLOUD_SESSION_TOKEN
 * (tccli's names); TENCENTCLOUD_ENDPOINT_URL_SCF points it elsewhere (the emulator in tests).
 */
import { pathToFileURL } from 'node:url';
import * as ScfSdk from 'tencentcloud-sdk-nodejs-scf';
import { resolveEndpoint } from '../../core/tencent/client.js';
import { describeFunctions, failure, prepare } from '../shared/command.js';
import { functionOptions, parseFlags } from '../shared/options.js';
import type { CodePackage } from '../../scripts/bundle.js';
import { deployPlan, SCF_NODE_RUNTIME, type DeployOptions, type DeployPlan, type FunctionSpec } from './plan.js';

/** CommonJS `exports.scf`; Node and vitest hand it to ESM as a name or under `default`. */
const scfNs = ((ScfSdk as { scf?: unknown }).scf ? ScfSdk : (ScfSdk as unknown as { default: typeof ScfSdk }).default) as typeof ScfSdk;
type ScfClient = InstanceType<typeof ScfSdk.scf.v20180416.Client>;

export interface DeployStep {
  functionName: string;
  triggerName?: string;
  action: 'CreateFunction' | 'UpdateFunctionCode' | 'UpdateFunctionConfiguration' | 'CreateTrigger' | 'UpdateTrigger';
  /** A function URL's address, where SCF reports one. */
  url?: string;
}

export interface ApplyOptions {
  /** How long to wait for a function to leave Creating/Updating; default 120 s. */
  waitMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

/**
 * Create or update every function and trigger of the plan; returns what was done, in order.
 * @example const steps = await applyPlan(plan, packages, scfClient({ region: plan.region, keys: { secretId, secretKey } }));
 */
export async function applyPlan(plan: DeployPlan, packages: Map<string, CodePackage>, client: ScfClient, options: ApplyOptions = {}): Promise<DeployStep[]> {
  const steps: DeployStep[] = [];
  const wait = (fn: FunctionSpec) => waitActive(client, fn, options);
  for (const fn of plan.functions) {
    const zipFile = Buffer.from(packages.get(fn.entry)!.zip).toString('base64');
    const { FunctionName, Namespace } = fn.body;
    if (await functionExists(client, fn)) {
      await wait(fn);
      await client.UpdateFunctionCode({ FunctionName, Namespace, Handler: fn.body.Handler, ZipFile: zipFile });
      steps.push({ functionName: FunctionName, action: 'UpdateFunctionCode' });
      await wait(fn); // SCF refuses a configuration change while the code update is in progress
      const { Handler: _h, Type: _t, ...configuration } = fn.body;
      await client.UpdateFunctionConfiguration(configuration);
      steps.push({ functionName: FunctionName, action: 'UpdateFunctionConfiguration' });
    } else {
      await client.CreateFunction({ ...fn.body, Code: { ZipFile: zipFile } });
      steps.push({ functionName: FunctionName, action: 'CreateFunction' });
    }
    await wait(fn);
    const existing = new Set(((await client.ListTriggers({ FunctionName, Namespace, Limit: 100 })).Triggers ?? []).map((t) => t.TriggerName));
    for (const t of fn.triggers) {
      const request = { FunctionName, Namespace, ...t };
      let desc: string | undefined;
      let action: DeployStep['action'];
      if (existing.has(t.TriggerName)) {
        await client.UpdateTrigger(request);
        action = 'UpdateTrigger';
      } else {
        desc = (await client.CreateTrigger(request)).TriggerInfo?.TriggerDesc;
        action = 'CreateTrigger';
      }
      const url = urlOf(desc);
      steps.push({ functionName: FunctionName, triggerName: t.TriggerName, action, ...(url && { url }) });
    }
  }
  return steps;
}

async function functionExists(client: ScfClient, fn: FunctionSpec): Promise<boolean> {
  try {
    await client.GetFunction({ FunctionName: fn.body.FunctionName, Namespace: fn.body.Namespace });
    return true;
  } catch (err) {
    if (String((err as { code?: unknown }).code ?? '').startsWith('ResourceNotFound')) return false;
    throw err;
  }
}

async function waitActive(client: ScfClient, fn: FunctionSpec, options: ApplyOptions): Promise<void> {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const until = Date.now() + (options.waitMs ?? 120_000);
  for (;;) {
    const { Status } = await client.GetFunction({ FunctionName: fn.body.FunctionName, Namespace: fn.body.Namespace });
    if (Status === 'Active') return;
    if (Status && /Failed$/.test(Status)) throw new Error(`function ${fn.body.FunctionName} is ${Status}`);
    if (Date.now() > until) throw new Error(`function ${fn.body.FunctionName} is still ${Status ?? 'not Active'}`);
    await sleep(1_000);
  }
}

function urlOf(desc: string | undefined): string | undefined {
  try {
    const url = (JSON.parse(desc ?? '') as { Url?: unknown }).Url;
    return typeof url === 'string' ? url : undefined;
  } catch {
    return undefined;
  }
}

export interface ClientOptions {
  region: string;
  /** TENCENTCLOUD_ENDPOINT_URL_SCF: e.g. the loopback emulator. */
  endpointUrl?: string;
  keys: { secretId: string; secretKey: string; token?: string };
}

/** An SCF client for `scf.tencentcloudapi.com` (or the override). */
export function scfClient(options: ClientOptions): ScfClient {
  const { host, protocol } = resolveEndpoint(options.endpointUrl, 'scf.tencentcloudapi.com');
  return new scfNs.scf.v20180416.Client({
    credential: { ...options.keys },
    region: options.region,
    profile: { httpProfile: { endpoint: host, protocol, reqTimeout: 120 } },
  });
}

/** Parse `--flag value` options; flags override the environment. */
export function parseArgs(argv: string[], env: Record<string, string | undefined>): { options: DeployOptions; dryRun: boolean } {
  const { flags, dryRun } = parseFlags(argv, KNOWN_FLAGS);
  // SCF timers take a 7-field cron: second minute hour day month weekday year.
  const common = functionOptions(flags, env, '0 */20 * * * * *');
  const { name } = common;
  return {
    dryRun,
    options: {
      ...common,
      region: flags.get('region') ?? env.TENCENTCLOUD_REGION ?? '',
      uin: flags.get('uin') ?? env.TENCENTCLOUD_UIN ?? '',
      role: flags.get('role') ?? name,
      refreshRole: flags.get('refresh-role') ?? `${name}-refresh`,
      namespace: flags.get('namespace') ?? 'default',
      runtime: flags.get('runtime') ?? SCF_NODE_RUNTIME,
    },
  };
}
const KNOWN_FLAGS = ['region', 'uin', 'role', 'refresh-role', 'name', 'namespace', 'schedule', 'runtime', 'timeout', 'memory', 'pull', 'push'];

/**
 * The command: build, then print the plan (dry run) or apply it. Returns the exit code.
 * @example process.exitCode = await main(process.argv.slice(2), process.env, console.log);
 */
export async function main(argv: string[], env: Record<string, string | undefined>, print: (text: string) => void, apply: ApplyOptions = {}): Promise<number> {
  const prepared = await prepare('deploy:tencent', argv, env, print, { parseArgs, deployPlan, describePlan });
  if ('exitCode' in prepared) return prepared.exitCode;
  const { options, plan, packages } = prepared;
  const { TENCENTCLOUD_SECRET_ID: secretId, TENCENTCLOUD_SECRET_KEY: secretKey, TENCENTCLOUD_SESSION_TOKEN: token } = env;
  if (!secretId || !secretKey) {
    print('deploy:tencent: set TENCENTCLOUD_SECRET_ID and TENCENTCLOUD_SECRET_KEY (and TENCENTCLOUD_SESSION_TOKEN for a temporary key), or use --dry-run');
    return 2;
  }
  const client = scfClient({ region: options.region, keys: { secretId, secretKey, ...(token && { token }) }, ...(env.TENCENTCLOUD_ENDPOINT_URL_SCF && { endpointUrl: env.TENCENTCLOUD_ENDPOINT_URL_SCF }) });
  try {
    const steps = await applyPlan(plan, packages, client, apply);
    for (const s of steps) print(`${s.action} ${s.functionName}${s.triggerName ? `/${s.triggerName}` : ''}${s.url ? ` ${s.url}` : ''}`);
    for (const fn of plan.functions) print(`CAM policy for role ${fn.body.Role} (${fn.functionName}):\n${JSON.stringify(fn.policy, null, 2)}`);
    return 0;
  } catch (err) {
    print(failure('deploy:tencent', err));
    return 1;
  }
}

/** The plan as printed by --dry-run: code packages by size and checksum, not content. */
export function describePlan(plan: DeployPlan, packages: Map<string, CodePackage>) {
  return describeFunctions(plan, packages, 'camPolicy');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.exitCode = await main(process.argv.slice(2), process.env, (text) => console.log(text));
}
