/**
 * `npm run deploy:huawei -- --region cn-north-4 --project-id <id> --account-id <domain id> --apig-group-id <id>
 *   [--apig-instance-id <dedicated gateway>] [--allowed-accounts <id>,… | --allowed-account-names <name>,…]
 *   [--agency regcred] [--refresh-agency regcred-refresh] [--pull team/app,base/*] [--push ci/cache] [--dry-run]`
 *
 * Builds the function zips with the one bundling recipe (scripts/bundle.ts) and creates or updates,
 * through the FunctionGraph v2 API (`@huaweicloud/huaweicloud-sdk-functiongraph`), the HTTP
 * function (Node.js 20.15, its agency) with its APIG trigger (IAM authentication, on the shared or
 * a dedicated gateway) and, when REGCRED_TARGETS is set, the refresh function with its timer
 * trigger. Through the APIG API it creates or updates the PERMIT access control policy of the
 * allowed accounts and binds it to the trigger's API in RELEASE right after the trigger publishes
 * it (deploy/huawei/apig.ts); a failed binding disables the trigger again. `--dry-run` prints the
 * plan, the access control policy and its binding, and each function agency's custom policy, and
 * needs no credentials.
 *
 * Deploy credentials: HUAWEICLOUD_SDK_AK, HUAWEICLOUD_SDK_SK (and HUAWEICLOUD_SDK_SECURITY_TOKEN
 * with temporary keys), the SDK's own variable names. HUAWEICLOUD_ENDPOINT_URL_FUNCTIONGRAPH and
 * HUAWEICLOUD_ENDPOINT_URL_APIG override the endpoints (the emulator).
 */
import { pathToFileURL } from 'node:url';
import { resolveHuaweiEndpoint } from '../../core/huawei/client.js';
import type { CodePackage } from '../../scripts/bundle.js';
import { failureDetail, prepare } from '../shared/command.js';
import { functionOptions, parseFlags } from '../shared/options.js';
import { listFlag } from './access-control.js';
import { deployPlan, type DeployOptions, type DeployPlan } from './plan.js';
import { apigClient, bindPolicy, ensurePolicy, RELEASE_ENV_ID, type AclStep, type ApigApi } from './apig.js';
import { functionGraphSdkClient, type ClientOptions } from './sdk.js';

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
  action: 'CreateFunction' | 'UpdateFunctionCode' | 'UpdateFunctionConfig' | 'CreateFunctionTrigger' | 'UpdateTrigger' | AclStep;
  url?: string;
}

interface TriggerView {
  trigger_id?: string;
  trigger_type_code?: string;
  /** For a gateway trigger, the API FunctionGraph created for it (`api_id`, `env_id`). */
  event_data?: { name?: string; invoke_url?: string; api_id?: string; env_id?: string };
}

/** The binding failed after the trigger published the API; `offline` says whether the deploy took it offline again. */
export class AccessControlError extends Error {
  constructor(
    message: string,
    readonly offline: boolean,
  ) {
    super(message);
    this.name = 'AccessControlError';
  }
}

const GATEWAY_TRIGGERS = ['APIG', 'DEDICATEDGATEWAY'];

/** `urn:fss:<region>:<project>:function:default:<name>:latest`, the URN FunctionGraph paths take. */
export const functionUrn = (plan: Pick<DeployPlan, 'region' | 'projectId'>, funcName: string) => `urn:fss:${plan.region}:${plan.projectId}:function:default:${funcName}:latest`;

/**
 * Create or update every function and trigger of the plan, the access control policy first and
 * bound to the gateway trigger's API right after the trigger publishes it; returns what was done,
 * in order. A failed binding disables the trigger again (FunctionGraph takes its API offline) and
 * throws {@link AccessControlError}.
 * @example const steps = await applyPlan(plan, packages, functionGraphClient({ endpoint, projectId, keys }), apigClient({ endpoint, projectId, keys, gateway }));
 */
export async function applyPlan(plan: DeployPlan, packages: Map<string, CodePackage>, client: FunctionGraphApi, apig: ApigApi): Promise<DeployStep[]> {
  const steps: DeployStep[] = [];
  const acl = plan.accessControl;
  const { aclId, step } = await ensurePolicy(apig, acl.policy);
  steps.push({ funcName: plan.functions[0]!.funcName, trigger: `ACL/${acl.policy.acl_name}`, action: step });
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
      if (!GATEWAY_TRIGGERS.includes(t.trigger_type_code)) continue;
      const trigger = { ...found, ...answer, event_data: { ...found?.event_data, ...answer?.event_data } };
      try {
        if (!trigger.event_data.api_id) throw new Error('FunctionGraph answered no api_id for the trigger');
        steps.push({ funcName: fn.funcName, trigger: `ACL/${acl.policy.acl_name} -> ${t.trigger_type_code}/${name}`, action: await bindPolicy(apig, aclId, trigger.event_data.api_id, trigger.event_data.env_id ?? RELEASE_ENV_ID) });
      } catch (err) {
        const offline = await disable(client, urn, t, trigger.trigger_id);
        throw new AccessControlError(
          `binding access control policy ${acl.policy.acl_name} to ${t.trigger_type_code}/${name} failed${failureDetail(err)}; ` +
            (offline ? `took the API offline again (trigger ${t.trigger_type_code}/${name} DISABLED): no one can call it until a deploy binds the policy` : `taking the API offline failed too: disable trigger ${t.trigger_type_code}/${name} of ${fn.funcName} by hand now`),
          offline,
        );
      }
    }
  }
  return steps;
}

/** Disable a trigger (FunctionGraph takes a gateway trigger's API offline); false when that failed too. */
async function disable(client: FunctionGraphApi, urn: string, t: DeployPlan['functions'][number]['triggers'][number], triggerId: string | undefined): Promise<boolean> {
  if (!triggerId) return false;
  try {
    await client.updateTrigger({ function_urn: urn, trigger_type_code: t.trigger_type_code, trigger_id: triggerId, body: { trigger_status: 'DISABLED', event_data: t.event_data } });
    return true;
  } catch {
    return false;
  }
}

/** An SDK error as ` (status): code: message` (never its request details); any other error as `: <first line>`. */
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

/**
 * The SDK's FunctionGraphClient over its own (nested) SDK core (deploy/huawei/sdk.ts).
 * @example const client = functionGraphClient({ endpoint: 'https://functiongraph.cn-north-4.myhuaweicloud.com', projectId, keys });
 */
export function functionGraphClient(options: ClientOptions): FunctionGraphApi {
  return functionGraphSdkClient(options) as FunctionGraphApi;
}

const KNOWN_FLAGS = ['region', 'project-id', 'account-id', 'agency', 'refresh-agency', 'name', 'apig-group-id', 'apig-instance-id', 'allowed-accounts', 'allowed-account-names', 'schedule', 'timeout', 'memory', 'pull', 'push'];

/** Parse `--flag value` options; flags override the environment. */
export function parseArgs(argv: string[], env: Record<string, string | undefined>): { options: DeployOptions; dryRun: boolean } {
  const { flags, dryRun } = parseFlags(argv, KNOWN_FLAGS);
  // FunctionGraph timers take a rate (`20m`, `4h`) or a cron expression.
  const common = functionOptions(flags, env, '20m');
  const { name } = common;
  return {
    dryRun,
    options: {
      ...common,
      region: flags.get('region') ?? env.HUAWEICLOUD_SDK_REGION ?? '',
      projectId: flags.get('project-id') ?? env.HUAWEICLOUD_SDK_PROJECT_ID ?? '',
      accountId: flags.get('account-id') ?? env.HUAWEICLOUD_SDK_DOMAIN_ID ?? '',
      agency: flags.get('agency') ?? name,
      refreshAgency: flags.get('refresh-agency') ?? `${name}-refresh`,
      apigGroupId: flags.get('apig-group-id') ?? '',
      ...optional({ apigInstanceId: flags.get('apig-instance-id'), allowedAccounts: listFlag(flags.get('allowed-accounts')), allowedAccountNames: listFlag(flags.get('allowed-account-names')) }),
    },
  };
}

/** The entries whose value is set (exactOptionalPropertyTypes: an absent flag is no property). */
function optional<T extends Record<string, unknown>>(values: T): Partial<T> {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined)) as Partial<T>;
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
  const keys = { ak: env.HUAWEICLOUD_SDK_AK, sk: env.HUAWEICLOUD_SDK_SK, ...(env.HUAWEICLOUD_SDK_SECURITY_TOKEN && { securityToken: env.HUAWEICLOUD_SDK_SECURITY_TOKEN }) };
  const client = functionGraphClient({ endpoint: resolveHuaweiEndpoint(env.HUAWEICLOUD_ENDPOINT_URL_FUNCTIONGRAPH, 'functiongraph', plan.region), projectId: plan.projectId, keys });
  const apig = apigClient({ endpoint: resolveHuaweiEndpoint(env.HUAWEICLOUD_ENDPOINT_URL_APIG, 'apig', plan.region), projectId: plan.projectId, keys, gateway: plan.accessControl.gateway });
  try {
    const steps = await applyPlan(plan, packages, client, apig);
    for (const s of steps) print(`${s.action} ${s.funcName}${s.trigger ? ` ${s.trigger}` : ''}${s.url ? ` ${s.url}` : ''}`);
    for (const fn of plan.functions) print(`Custom policy (Version 1.1) for agency ${fn.config.xrole} (${fn.funcName}):\n${JSON.stringify(fn.policy, null, 2)}`);
    return 0;
  } catch (err) {
    print(`deploy:huawei failed${err instanceof AccessControlError ? `: ${err.message}` : failureDetail(err)}`);
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
    accessControl: plan.accessControl,
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.exitCode = await main(process.argv.slice(2), process.env, (text) => console.log(text));
}
