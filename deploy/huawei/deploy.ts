/**
 * `npm run deploy:huawei -- --region cn-north-4 --project-id <id> --account-id <domain id> --apig-group-id <id> [--agency regcred] [--refresh-agency regcred-refresh] [--pull team/app,base/*] [--push ci/cache] [--dry-run]`
 *
 * Builds the function zips with the one bundling recipe (scripts/bundle.ts) and creates or updates,
 * through the FunctionGraph v2 API (`@huaweicloud/huaweicloud-sdk-functiongraph`), the HTTP
 * function (Node.js 20.15, its agency) with its APIG trigger (IAM authentication) and, when
 * REGCRED_TARGETS is set, the refresh function with its timer trigger. `--dry-run` prints the plan
 * and each function agency's custom policy and needs no credentials.
 *
 * Deploy credentials: HUAWEICLOUD_SDK_AK, HUAWEICLOUD_SDK_SK (and HUAWEICLOUD_SDK_SECURITY_TOKEN
 * with temporary keys), the SDK's own variable names. HUAWEICLOUD_ENDPOINT_URL_FUNCTIONGRAPH
 * overrides the endpoint (the emulator).
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { resolveHuaweiEndpoint } from '../../core/huawei/client.js';
import type { CodePackage } from '../../scripts/bundle.js';
import { prepare } from '../shared/command.js';
import { parseFlags } from '../shared/options.js';
import { deployPlan, type DeployOptions, type DeployPlan } from './plan.js';

/** The FunctionGraph calls the deploy makes (the SDK client's methods, plain request objects). */
export interface FunctionGraphApi {
  showFunctionConfig(req: { function_urn: string }): Promise<unknown>;
  createFunction(req: { body: Record<string, unknown> }): Promise<unknown>;
  updateFunctionCode(req: { function_urn: string; body: Record<string, unknown> }): Promise<unknown>;
  updateFunctionConfig(req: { function_urn: string; body: Record<string, unknown> }): Promise<unknown>;
  listFunctionTriggers(req: { function_urn: string }): Promise<unknown>;
  createFunctionTrigger(req: { function_urn: string; body: Record<string, unknown> }): Promise<unknown>;
  updateTrigger(req: { function_urn: string; trigger_type_code: string; trigger_id: string; body: Record<string, unknown> }): Promise<unknown>;
}

export interface DeployStep {
  funcName: string;
  trigger?: string;
  action: 'CreateFunction' | 'UpdateFunctionCode' | 'UpdateFunctionConfig' | 'CreateFunctionTrigger' | 'UpdateTrigger';
  url?: string;
}

interface TriggerView {
  trigger_id?: string;
  trigger_type_code?: string;
  event_data?: { name?: string; invoke_url?: string };
}

/** `urn:fss:<region>:<project>:function:default:<name>:latest`, the URN FunctionGraph paths take. */
export const functionUrn = (plan: Pick<DeployPlan, 'region' | 'projectId'>, funcName: string) => `urn:fss:${plan.region}:${plan.projectId}:function:default:${funcName}:latest`;

/**
 * Create or update every function and trigger of the plan; returns what was done, in order.
 * @example const steps = await applyPlan(plan, packages, functionGraphClient({ endpoint, projectId, keys }));
 */
export async function applyPlan(plan: DeployPlan, packages: Map<string, CodePackage>, client: FunctionGraphApi): Promise<DeployStep[]> {
  const steps: DeployStep[] = [];
  for (const fn of plan.functions) {
    const urn = functionUrn(plan, fn.funcName);
    const funcCode = { file: Buffer.from(packages.get(fn.entry)!.zip).toString('base64') };
    if (await exists(() => client.showFunctionConfig({ function_urn: urn }))) {
      await client.updateFunctionCode({ function_urn: urn, body: { code_type: 'zip', func_code: funcCode } });
      const { package: _package, ...config } = fn.config;
      await client.updateFunctionConfig({ function_urn: urn, body: config });
      steps.push({ funcName: fn.funcName, action: 'UpdateFunctionCode' }, { funcName: fn.funcName, action: 'UpdateFunctionConfig' });
    } else {
      await client.createFunction({ body: { ...fn.config, code_type: 'zip', func_code: funcCode } });
      steps.push({ funcName: fn.funcName, action: 'CreateFunction' });
    }
    const listed = await client.listFunctionTriggers({ function_urn: urn });
    const current = (Array.isArray(listed) ? listed : ((listed as { body?: unknown }).body ?? [])) as TriggerView[];
    for (const t of fn.triggers) {
      const name = String(t.event_data['name']);
      const found = current.find((c) => c.trigger_type_code === t.trigger_type_code && c.event_data?.name === name);
      let answer: TriggerView;
      if (found?.trigger_id) {
        answer = (await client.updateTrigger({ function_urn: urn, trigger_type_code: t.trigger_type_code, trigger_id: found.trigger_id, body: { trigger_status: t.trigger_status, event_data: t.event_data } })) as TriggerView;
        steps.push({ funcName: fn.funcName, trigger: `${t.trigger_type_code}/${name}`, action: 'UpdateTrigger', ...urlOf(answer ?? found) });
      } else {
        answer = (await client.createFunctionTrigger({ function_urn: urn, body: { ...t } })) as TriggerView;
        steps.push({ funcName: fn.funcName, trigger: `${t.trigger_type_code}/${name}`, action: 'CreateFunctionTrigger', ...urlOf(answer) });
      }
    }
  }
  return steps;
}

function urlOf(t: TriggerView | undefined): { url?: string } {
  const url = t?.event_data?.invoke_url;
  return typeof url === 'string' ? { url } : {};
}

async function exists(get: () => Promise<unknown>): Promise<boolean> {
  try {
    await get();
    return true;
  } catch (err) {
    if ((err as { httpStatusCode?: unknown }).httpStatusCode === 404) return false;
    throw err;
  }
}

/** A logger that drops everything: the SDK's would print failed requests' headers, security token included. */
const SILENT_LOGGER = { debug() {}, info() {}, warn() {}, error() {}, setLevel() {}, getLevel: () => 'error', setName() {} };

export interface ClientOptions {
  endpoint: string;
  projectId: string;
  keys: { ak: string; sk: string; securityToken?: string };
}

/**
 * The SDK's FunctionGraphClient over its own (nested) SDK core, built without ClientBuilder:
 * `withRegion` would first ask IAM for a project id, and ClientBuilder's HTTP client logs failed
 * requests with their headers. `withEndpoint` + the project id reaches any endpoint, the emulator too.
 * @example const client = functionGraphClient({ endpoint: 'https://functiongraph.cn-north-4.myhuaweicloud.com', projectId, keys });
 */
export function functionGraphClient(options: ClientOptions): FunctionGraphApi {
  const sdkRequire = createRequire(import.meta.url);
  const fgEntry = sdkRequire.resolve('@huaweicloud/huaweicloud-sdk-functiongraph');
  const fromFg = createRequire(fgEntry);
  const { FunctionGraphClient } = fromFg('./v2/FunctionGraphClient');
  const { HcClient } = fromFg('@huaweicloud/huaweicloud-sdk-core/HcClient');
  const { DefaultHttpClient } = fromFg('@huaweicloud/huaweicloud-sdk-core/http/DefaultHttpClient');
  const { BasicCredentials } = fromFg('@huaweicloud/huaweicloud-sdk-core/auth/BasicCredentials');
  const credential = new BasicCredentials().withAk(options.keys.ak).withSk(options.keys.sk).withProjectId(options.projectId);
  if (options.keys.securityToken) credential.withSecurityToken(options.keys.securityToken);
  const http = new DefaultHttpClient({ logger: SILENT_LOGGER, axiosRequestConfig: { timeout: 120_000, maxBodyLength: Infinity, maxContentLength: Infinity } }, [options.endpoint]);
  const hc = new HcClient(http).withCredential(credential).withEndpoints([options.endpoint]);
  hc.logger = SILENT_LOGGER;
  return new FunctionGraphClient(hc) as FunctionGraphApi;
}

const KNOWN_FLAGS = ['region', 'project-id', 'account-id', 'agency', 'refresh-agency', 'name', 'apig-group-id', 'schedule', 'timeout', 'memory', 'pull', 'push'];

/** Parse `--flag value` options; flags override the environment. */
export function parseArgs(argv: string[], env: Record<string, string | undefined>): { options: DeployOptions; dryRun: boolean } {
  const { flags, dryRun } = parseFlags(argv, KNOWN_FLAGS);
  const name = flags.get('name') ?? 'regcred';
  return {
    dryRun,
    options: {
      region: flags.get('region') ?? env.HUAWEICLOUD_SDK_REGION ?? '',
      projectId: flags.get('project-id') ?? env.HUAWEICLOUD_SDK_PROJECT_ID ?? '',
      accountId: flags.get('account-id') ?? env.HUAWEICLOUD_SDK_DOMAIN_ID ?? '',
      agency: flags.get('agency') ?? name,
      refreshAgency: flags.get('refresh-agency') ?? `${name}-refresh`,
      name,
      apigGroupId: flags.get('apig-group-id') ?? '',
      schedule: flags.get('schedule') ?? '20m',
      timeoutSeconds: Number(flags.get('timeout') ?? 10),
      memoryMb: Number(flags.get('memory') ?? 256),
      pull: flags.get('pull') ?? '*',
      push: flags.get('push') ?? '',
      env: Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined)),
    },
  };
}

/**
 * The command: build, then print the plan (dry run) or apply it. Returns the exit code.
 * @example process.exitCode = await main(process.argv.slice(2), process.env, console.log);
 */
export async function main(argv: string[], env: Record<string, string | undefined>, print: (text: string) => void): Promise<number> {
  const ready = await prepare('deploy:huawei', argv, env, print, { parseArgs, deployPlan, describePlan });
  if ('exitCode' in ready) return ready.exitCode;
  const { plan, packages } = ready;
  if (!env.HUAWEICLOUD_SDK_AK || !env.HUAWEICLOUD_SDK_SK) {
    print('deploy:huawei: set HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK (and HUAWEICLOUD_SDK_SECURITY_TOKEN for temporary keys), or use --dry-run');
    return 2;
  }
  const client = functionGraphClient({
    endpoint: resolveHuaweiEndpoint(env.HUAWEICLOUD_ENDPOINT_URL_FUNCTIONGRAPH, 'functiongraph', plan.region),
    projectId: plan.projectId,
    keys: { ak: env.HUAWEICLOUD_SDK_AK, sk: env.HUAWEICLOUD_SDK_SK, ...(env.HUAWEICLOUD_SDK_SECURITY_TOKEN && { securityToken: env.HUAWEICLOUD_SDK_SECURITY_TOKEN }) },
  });
  try {
    const steps = await applyPlan(plan, packages, client);
    for (const s of steps) print(`${s.action} ${s.funcName}${s.trigger ? ` ${s.trigger}` : ''}${s.url ? ` ${s.url}` : ''}`);
    for (const fn of plan.functions) print(`Custom policy (Version 1.1) for agency ${fn.config.xrole} (${fn.funcName}):\n${JSON.stringify(fn.policy, null, 2)}`);
    return 0;
  } catch (err) {
    const e = err as { errorCode?: unknown; errorMsg?: unknown; httpStatusCode?: unknown; message?: unknown };
    const what = typeof e.errorCode === 'string' ? `${e.errorCode}: ${String(e.errorMsg ?? '')}` : String(e.message ?? err).split('\n')[0];
    print(`deploy:huawei failed${typeof e.httpStatusCode === 'number' ? ` (${e.httpStatusCode})` : ''}: ${what}`);
    return 1;
  }
}

/** The plan as printed by --dry-run: code packages by size and checksum, not content. */
export function describePlan(plan: DeployPlan, packages: Map<string, CodePackage>) {
  return {
    region: plan.region,
    projectId: plan.projectId,
    functions: plan.functions.map((fn) => {
      const pkg = packages.get(fn.entry)!;
      return { ...fn.config, code: { entry: fn.entry, zipBytes: pkg.zip.length, sha256: pkg.sha256 }, triggers: fn.triggers, agencyPolicy: fn.policy };
    }),
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.exitCode = await main(process.argv.slice(2), process.env, (text) => console.log(text));
}
