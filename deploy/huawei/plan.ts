/**
 * The Huawei deployment as data: which FunctionGraph functions and triggers to create or update,
 * and the custom policy each function's own agency needs (one agency per function: the
 * internet-facing HTTP function holds no CSMS action). Pure functions of the options and the
 * validated regcred config, so the dry run prints exactly what a real run sends.
 */
import { loadConfig, type Config } from '../../core/config.js';
import { ConfigError } from '../../core/errors.js';
import { assertHuaweiRegion } from '../../core/huawei/client.js';
import { HUAWEI } from '../../core/huawei/cloud.js';
import { HUAWEI_FUNCTIONS } from '../../handlers/huawei/functions.js';
import type { FunctionOptions } from '../shared/options.js';
import { parseRepositoryScope, type RepositoryScope } from '../shared/repository-scope.cjs';
import { accessControlPlan, type AccessControlOptions, type AccessControlPlan } from './access-control.js';

export interface DeployOptions extends FunctionOptions {
  region: string;
  /** The project of the region (32 hex characters): FunctionGraph paths and function URNs name it. */
  projectId: string;
  /** The account (domain) id, for the CSMS secret URNs of the refresh agency's policy. */
  accountId: string;
  /** The agency the HTTP function runs as. */
  agency: string;
  /** The agency the refresh function runs as (its own: it alone may write CSMS secrets). */
  refreshAgency: string;
  /** The APIG API group the trigger's API joins (on the shared gateway, or on `apigInstanceId`'s). */
  apigGroupId: string;
  /** A dedicated APIG gateway (`--apig-instance-id`); absent: the shared gateway. */
  apigInstanceId?: string;
  /** Who may call the API: account ids (`--allowed-accounts`, default `accountId`) or names (`--allowed-account-names`). */
  allowedAccounts?: AccessControlOptions['allowedAccounts'];
  allowedAccountNames?: AccessControlOptions['allowedAccountNames'];
}

/** An SWR repository is <organization>/<repository>; the repository part may hold '/' (SWR API, CreateRepo). */
const SWR_NAMES = { minSegments: 2, shape: 'SWR repositories are <organization>/<repository>' };

export interface FunctionSpec {
  funcName: string;
  /** Which handler module is bundled into the function's index.js. */
  entry: string;
  /** The FunctionGraph CreateFunction / UpdateFunctionConfig fields (code travels separately). */
  config: {
    func_name: string;
    package: 'default';
    runtime: 'Node.js20.15';
    handler: 'index.handler';
    timeout: number;
    memory_size: number;
    xrole: string;
    description: string;
    /** The environment variables, as FunctionGraph takes them: a JSON object string. */
    user_data: string;
  };
  triggers: TriggerSpec[];
  /** What this function's agency must allow, exactly (a custom policy to attach to the agency). */
  policy: AgencyPolicy;
}

export interface TriggerSpec {
  trigger_type_code: 'APIG' | 'DEDICATEDGATEWAY' | 'TIMER';
  trigger_status: 'ACTIVE';
  event_type_code?: string;
  event_data: Record<string, unknown>;
}

/**
 * A FunctionGraph agency is a cloud-service agency of IAM's role/policy model (FunctionGraph user
 * guide, "Configuring Agency Permissions", functiongraph_01_0920): it takes roles and custom
 * policies (Version 1.1), not the identity policies (Version 5.0) of IAM's trust agencies. SWR's own
 * custom-policy examples are Version 1.1 (swr_01_0103) and its repositories take resource paths in
 * them (`swr:<region>:<domain-id>:repo:<organization>/<repository>`, swr_01_0104).
 */
export interface AgencyPolicy {
  Version: '1.1';
  Statement: Array<{ Effect: 'Allow'; Action: string[]; Resource?: string[] }>;
}

export interface DeployPlan {
  region: string;
  projectId: string;
  functions: FunctionSpec[];
  /** The PERMIT policy bound to the HTTP trigger's API before it answers anyone. */
  accessControl: AccessControlPlan;
}

/** The variables that configure regcred in the function; anything else is not shipped. */
export const FUNCTION_ENV = ['REGCRED_REGISTRIES', 'REGCRED_TARGETS', 'REGCRED_ATTEMPT_TIMEOUT_MS', 'LOG_LEVEL'];
export const RUNTIME = 'Node.js20.15';

/** SWR CreateSecret's action (SWR API reference, swr_02_0052; SWR custom policies, swr_01_0103); it takes no resource. */
export const SWR_LOGIN_ACTION = 'swr::createLoginSecret';
/** Pull and push on a repository (SWR custom policies, swr_01_0103: `swr:repo:download`; `swr:repo:upload`, see the README). */
export const SWR_PULL_ACTION = 'swr:repo:download';
export const SWR_PUSH_ACTION = 'swr:repo:upload';
/**
 * What the CSMS store calls on a secret: ShowSecretStage, ShowSecretVersion, CreateSecretVersion
 * (DEW API reference: ShowSecretStage, ShowSecretVersion, CreateSecretVersion pages).
 */
export const CSMS_ACTIONS = ['csms:secret:getStage', 'csms:secret:getVersion', 'csms:secret:createVersion'];

/**
 * @example
 * import { parseArgs } from './deploy.js';
 * const plan = deployPlan(parseArgs(['--dry-run'], process.env).options);
 */
export function deployPlan(options: DeployOptions): DeployPlan {
  checkOptions(options);
  const config = loadConfig(options.env, HUAWEI); // fails now, with the variable named, not at cold start
  const scope = parseRepositoryScope(options, { label: (name) => `--${name}`, rules: SWR_NAMES });
  // FunctionGraph's context documents no region: the function learns it from its environment.
  const userData = JSON.stringify({ ...pick(options.env, FUNCTION_ENV), HUAWEICLOUD_REGION: options.region });
  const functionConfig = (funcName: string, agency: string, description: string): FunctionSpec['config'] => ({
    func_name: funcName,
    package: 'default',
    runtime: RUNTIME,
    handler: 'index.handler',
    timeout: options.timeoutSeconds,
    memory_size: options.memoryMb,
    xrole: agency,
    description,
    user_data: userData,
  });

  const gatewayTrigger = options.apigInstanceId === undefined ? 'APIG' : 'DEDICATEDGATEWAY';
  const accessControl = accessControlPlan(options, `${gatewayTrigger}/${apiName(options.name)}`);
  const functions: FunctionSpec[] = [
    {
      funcName: options.name,
      entry: HUAWEI_FUNCTIONS.http.entry,
      config: functionConfig(options.name, options.agency, 'regcred: short-lived container registry credentials (APIG, IAM auth)'),
      triggers: [
        {
          trigger_type_code: gatewayTrigger,
          trigger_status: 'ACTIVE',
          event_type_code: 'APICreated',
          event_data: {
            name: apiName(options.name),
            ...(options.apigInstanceId !== undefined && { instance_id: options.apigInstanceId }),
            group_id: options.apigGroupId,
            env_name: 'RELEASE',
            // IAM: APIG accepts only callers who sign with an IAM AK/SK (or send an IAM token).
            auth: 'IAM',
            protocol: 'HTTPS',
            req_method: 'GET',
            path: '/credentials',
            // Prefix match: /credentials and /credentials/{registry-host} reach the one function.
            match_mode: 'SWA',
            type: 1,
            backend_type: 'FUNCTION',
            func_info: { timeout: options.timeoutSeconds * 1000 },
          },
        },
      ],
      policy: agencyPolicy(config, options, 'http', scope),
    },
  ];
  if (config.refreshTargets) {
    const name = `${options.name}-refresh`;
    functions.push({
      funcName: name,
      entry: HUAWEI_FUNCTIONS.refresh.entry,
      config: functionConfig(name, options.refreshAgency, 'regcred: keeps dockerconfigjson secrets in CSMS fresh'),
      triggers: [
        {
          trigger_type_code: 'TIMER',
          trigger_status: 'ACTIVE',
          // Empty user_event: the function falls back to its own REGCRED_TARGETS, so the two cannot drift.
          event_data: { name: 'regcred_refresh', schedule_type: 'Rate', schedule: options.schedule, user_event: '' },
        },
      ],
      policy: agencyPolicy(config, options, 'refresh', scope),
    });
  }
  return { region: options.region, projectId: options.projectId, functions, accessControl };
}

/**
 * Least privilege for one function's agency: the SWR login action (which takes no resource), the
 * scope's repository rights on the configured registries (a login carries the agency's rights:
 * swr:repo:download on every pull and push pattern, swr:repo:upload on the push patterns), and
 * for the refresh function only, the CSMS calls on the configured secrets only.
 * @example agencyPolicy(loadConfig({ REGCRED_REGISTRIES: 'swr:cn-north-4' }, HUAWEI), options, 'http', { pull: ['*'], push: [] }).Statement[0] // { Effect: 'Allow', Action: ['swr::createLoginSecret'] }
 */
export function agencyPolicy(config: Config, options: Pick<DeployOptions, 'region' | 'accountId'>, fn: 'http' | 'refresh', scope: RepositoryScope): AgencyPolicy {
  const statements: AgencyPolicy['Statement'] = [];
  const regions = [...new Set(config.registries.filter((r) => r.provider === 'swr').map((r) => r.region))];
  if (regions.length) statements.push({ Effect: 'Allow', Action: [SWR_LOGIN_ACTION] });
  const repositories = (patterns: string[]) => regions.flatMap((region) => patterns.map((p) => `swr:${region}:${options.accountId}:repo:${p}`));
  if (regions.length && scope.pull.length) statements.push({ Effect: 'Allow', Action: [SWR_PULL_ACTION], Resource: repositories(scope.pull) });
  if (regions.length && scope.push.length) statements.push({ Effect: 'Allow', Action: [SWR_PUSH_ACTION], Resource: repositories(scope.push) });
  const secrets = fn === 'refresh' ? (config.refreshTargets ?? []).filter((t) => t.store === 'csms').map((t) => t.secretId) : [];
  if (secrets.length) {
    statements.push({
      Effect: 'Allow',
      Action: CSMS_ACTIONS,
      Resource: [...new Set(secrets)].map((s) => `csms:${options.region}:${options.accountId}:secret:${s}`),
    });
  }
  return { Version: '1.1', Statement: statements };
}

/** APIG API names: letters, digits and underscores, starting with a letter. */
export function apiName(name: string): string {
  return `${name.replace(/[^A-Za-z0-9_]/g, '_')}_credentials`;
}

function checkOptions(o: DeployOptions): void {
  try {
    assertHuaweiRegion(o.region);
  } catch {
    throw new ConfigError(`--region '${o.region}' is not a Huawei Cloud region id`);
  }
  if (!/^[0-9a-f]{32}$/i.test(o.projectId)) throw new ConfigError(`--project-id '${o.projectId}' is not a Huawei Cloud project id (32 hex characters)`);
  if (!/^[0-9a-f]{32}$/i.test(o.accountId)) throw new ConfigError(`--account-id '${o.accountId}' is not a Huawei Cloud account (domain) id (32 hex characters)`);
  for (const [flag, agency] of [['--agency', o.agency], ['--refresh-agency', o.refreshAgency]] as const) {
    if (!/^[A-Za-z0-9_.-]{1,64}$/.test(agency)) throw new ConfigError(`${flag} '${agency}' is not an agency name`);
  }
  if (o.agency === o.refreshAgency) throw new ConfigError('--agency and --refresh-agency must differ: the HTTP function must not hold the CSMS actions');
  if (!/^[A-Za-z][A-Za-z0-9_-]{0,50}$/.test(o.name)) throw new ConfigError(`--name '${o.name}' is not a valid FunctionGraph function name`);
  if (!/^[0-9a-f]{32}$/i.test(o.apigGroupId)) throw new ConfigError(`--apig-group-id '${o.apigGroupId}' is not an APIG API group id (32 hex characters)`);
  if (!/^\d{1,4}[mhd]$/.test(o.schedule)) throw new ConfigError(`--schedule '${o.schedule}' must be a rate like 20m, 4h or 1d`);
  if (!Number.isInteger(o.timeoutSeconds) || o.timeoutSeconds < 3 || o.timeoutSeconds > 900) throw new ConfigError('--timeout must be 3..900 seconds');
  if (!Number.isInteger(o.memoryMb) || o.memoryMb < 128 || o.memoryMb > 10_240) throw new ConfigError('--memory must be 128..10240 MB');
}

function pick(env: Record<string, string>, names: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const n of names) if (env[n]?.trim()) out[n] = env[n]!.trim();
  return out;
}
