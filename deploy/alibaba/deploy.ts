/**
 * `npm run deploy:alibaba -- --region cn-hangzhou --account-id <uid> --role acs:ram::<uid>:role/regcred [--refresh-role …] [--pull team/app,base/*] [--push ci/cache] [--dry-run]`
 *
 * Builds the function zips with esbuild and creates or updates, through the FC 3.0 API
 * (`@alicloud/fc20230330`), the HTTP function with its HTTP trigger (authType function) and, when
 * REGCRED_TARGETS is set, the refresh function with its timer trigger. The FC 3.0 API rather than
 * `@alicloud/fc2`: only functions created through 3.0 get the HTTP-trigger *event* in a built-in
 * runtime (2.0 functions are called as `(req, resp, context)`), and 3.0 triggers check ACS3
 * signatures. `--dry-run` prints the plan and each function role's RAM policy and needs no credentials.
 *
 * Deploy credentials: the @alicloud/credentials default chain (ALIBABA_CLOUD_ACCESS_KEY_ID,
 * ALIBABA_CLOUD_ACCESS_KEY_SECRET, ALIBABA_CLOUD_SECURITY_TOKEN, profiles, ...).
 */
import { pathToFileURL } from 'node:url';
import * as FcSdk from '@alicloud/fc20230330';
import * as Credentials from '@alicloud/credentials';
import * as OpenApiCore from '@alicloud/openapi-core';
import { resolveEndpoint } from '../../core/alibaba/client.js';
import { describeFunctions, failure, prepare } from '../shared/command.js';
import { functionOptions, parseFlags } from '../shared/options.js';
import type { CodePackage } from './bundle.js';
import { deployPlan, type DeployOptions, type DeployPlan } from './plan.js';

/** The Darabonba packages are CJS with `exports.default`; Node and vitest hand it to ESM differently. */
function cjsDefault<T>(ns: unknown): T {
  const d = (ns as { default: unknown }).default as { default?: unknown };
  return (typeof d === 'function' ? d : d.default) as T;
}
type FcClient = InstanceType<typeof FcSdk.default.default>;
const FcClientClass = cjsDefault<typeof FcSdk.default.default>(FcSdk);
const CredentialClass = cjsDefault<typeof Credentials.default.default>(Credentials);
const models = ((FcSdk as { CreateFunctionRequest?: unknown }).CreateFunctionRequest ? FcSdk : (FcSdk as unknown as { default: typeof FcSdk }).default) as typeof FcSdk;
const openApi = ((OpenApiCore as { $OpenApiUtil?: unknown }).$OpenApiUtil ? OpenApiCore : (OpenApiCore as unknown as { default: typeof OpenApiCore }).default) as typeof OpenApiCore;

export interface DeployStep {
  functionName: string;
  triggerName?: string;
  action: 'CreateFunction' | 'UpdateFunction' | 'CreateTrigger' | 'UpdateTrigger';
  url?: string;
}

/**
 * Create or update every function and trigger of the plan; returns what was done, in order.
 * @example const steps = await applyPlan(plan, packages, fcClient({ region, accountId }));
 */
export async function applyPlan(plan: DeployPlan, packages: Map<string, CodePackage>, client: FcClient): Promise<DeployStep[]> {
  const steps: DeployStep[] = [];
  for (const fn of plan.functions) {
    const code = new models.InputCodeLocation({ zipFile: Buffer.from(packages.get(fn.entry)!.zip).toString('base64') });
    if (await exists(() => client.getFunction(fn.functionName, new models.GetFunctionRequest({})), 'FunctionNotFound')) {
      const { functionName: _name, ...rest } = fn.body;
      await client.updateFunction(fn.functionName, new models.UpdateFunctionRequest({ body: new models.UpdateFunctionInput({ ...rest, code }) }));
      steps.push({ functionName: fn.functionName, action: 'UpdateFunction' });
    } else {
      await client.createFunction(new models.CreateFunctionRequest({ body: new models.CreateFunctionInput({ ...fn.body, code }) }));
      steps.push({ functionName: fn.functionName, action: 'CreateFunction' });
    }
    for (const t of fn.triggers) {
      let answer: { body?: { httpTrigger?: { urlInternet?: string } } };
      let action: DeployStep['action'];
      if (await exists(() => client.getTrigger(fn.functionName, t.triggerName), 'TriggerNotFound')) {
        const body = new models.UpdateTriggerInput({ triggerConfig: t.triggerConfig, description: t.description });
        answer = await client.updateTrigger(fn.functionName, t.triggerName, new models.UpdateTriggerRequest({ body }));
        action = 'UpdateTrigger';
      } else {
        answer = await client.createTrigger(fn.functionName, new models.CreateTriggerRequest({ body: new models.CreateTriggerInput({ ...t, qualifier: 'LATEST' }) }));
        action = 'CreateTrigger';
      }
      const url = answer.body?.httpTrigger?.urlInternet;
      steps.push({ functionName: fn.functionName, triggerName: t.triggerName, action, ...(url && { url }) });
    }
  }
  return steps;
}

async function exists(get: () => Promise<unknown>, notFoundCode: string): Promise<boolean> {
  try {
    await get();
    return true;
  } catch (err) {
    const e = err as { code?: unknown; statusCode?: unknown };
    if (e.code === notFoundCode || e.statusCode === 404) return false;
    throw err;
  }
}

export interface ClientOptions {
  region: string;
  accountId: string;
  /** ALIBABA_CLOUD_ENDPOINT_URL_FC: e.g. the loopback emulator. */
  endpointUrl?: string;
  /** Explicit keys; else the @alicloud/credentials default chain. */
  keys?: { accessKeyId: string; accessKeySecret: string; securityToken?: string };
}

/** An FC 3.0 client for the account's regional endpoint `<account>.<region>.fc.aliyuncs.com`. */
export function fcClient(options: ClientOptions): FcClient {
  const { endpoint, protocol } = resolveEndpoint(options.endpointUrl, `${options.accountId}.${options.region}.fc.aliyuncs.com`);
  const auth = options.keys ? { ...options.keys } : { credential: new CredentialClass() };
  return new FcClientClass(new openApi.$OpenApiUtil.Config({ ...auth, endpoint, protocol, regionId: options.region, readTimeout: 60_000 }));
}

/** Parse `--flag value` options; flags override the environment. */
export function parseArgs(argv: string[], env: Record<string, string | undefined>): { options: DeployOptions; dryRun: boolean } {
  const { flags, dryRun } = parseFlags(argv, KNOWN_FLAGS);
  const accountId = flags.get('account-id') ?? env.ALIBABA_CLOUD_ACCOUNT_ID ?? '';
  // FC timers take `@every <duration>` or a cron expression.
  const common = functionOptions(flags, env, '@every 20m');
  const { name } = common;
  return {
    dryRun,
    options: {
      ...common,
      region: flags.get('region') ?? env.ALIBABA_CLOUD_REGION_ID ?? '',
      accountId,
      roleArn: flags.get('role') ?? env.REGCRED_FC_ROLE_ARN ?? `acs:ram::${accountId}:role/${name}`,
      refreshRoleArn: flags.get('refresh-role') ?? env.REGCRED_FC_REFRESH_ROLE_ARN ?? `acs:ram::${accountId}:role/${name}-refresh`,
    },
  };
}
const KNOWN_FLAGS = ['region', 'account-id', 'role', 'refresh-role', 'name', 'schedule', 'timeout', 'memory', 'pull', 'push'];

/**
 * The command: build, then print the plan (dry run) or apply it. Returns the exit code.
 * @example process.exitCode = await main(process.argv.slice(2), process.env, console.log);
 */
export async function main(argv: string[], env: Record<string, string | undefined>, print: (text: string) => void): Promise<number> {
  const prepared = await prepare('deploy:alibaba', argv, env, print, { parseArgs, deployPlan, describePlan });
  if ('exitCode' in prepared) return prepared.exitCode;
  const { options, plan, packages } = prepared;
  const keys = env.ALIBABA_CLOUD_ACCESS_KEY_ID && env.ALIBABA_CLOUD_ACCESS_KEY_SECRET
    ? { accessKeyId: env.ALIBABA_CLOUD_ACCESS_KEY_ID, accessKeySecret: env.ALIBABA_CLOUD_ACCESS_KEY_SECRET, ...(env.ALIBABA_CLOUD_SECURITY_TOKEN && { securityToken: env.ALIBABA_CLOUD_SECURITY_TOKEN }) }
    : undefined;
  const client = fcClient({ region: options.region, accountId: options.accountId, ...(env.ALIBABA_CLOUD_ENDPOINT_URL_FC && { endpointUrl: env.ALIBABA_CLOUD_ENDPOINT_URL_FC }), ...(keys && { keys }) });
  try {
    const steps = await applyPlan(plan, packages, client);
    for (const s of steps) print(`${s.action} ${s.functionName}${s.triggerName ? `/${s.triggerName}` : ''}${s.url ? ` ${s.url}` : ''}`);
    for (const fn of plan.functions) print(`RAM policy for ${fn.body.role} (${fn.functionName}):\n${JSON.stringify(fn.policy, null, 2)}`);
    return 0;
  } catch (err) {
    print(failure('deploy:alibaba', err));
    return 1;
  }
}

/** The plan as printed by --dry-run: code packages by size and checksum, not content. */
export function describePlan(plan: DeployPlan, packages: Map<string, CodePackage>) {
  return describeFunctions(plan, packages, 'ramPolicy');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.exitCode = await main(process.argv.slice(2), process.env, (text) => console.log(text));
}
