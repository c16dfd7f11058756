/**
 * The Tencent deployment as data: which SCF functions and triggers to create or update, and the CAM
 * policy each function's own execution role needs (one role per function: the internet-facing HTTP
 * function holds no SSM action). Pure functions of the options and the validated regcred config, so
 * the dry run prints exactly what a real run sends.
 */
import { loadConfig, type Config } from '../../core/config.js';
import { ConfigError } from '../../core/errors.js';
import { isRegionId } from '../../core/upstream.js';
import { TENCENT_FUNCTIONS } from '../../handlers/tencent/functions.js';
import { FUNCTION_ENV, pick, unique, type FunctionOptions } from '../shared/options.js';
import { parseRepositoryScope, type RepositoryScope } from '../shared/repository-scope.cjs';
import { TENCENT } from '../../core/tencent/cloud.js';

/**
 * The newest Node.js runtime SCF offers, as far as could be established offline: `Nodejs20.15`
 * appears in published SCF deployments (serverless `component: scf`, `runtime: Nodejs20.15`); the
 * installed tencentcloud-sdk-nodejs-scf 4.1.151 documents up to `Nodejs18.15`. The bundle targets
 * node20 either way (scripts/bundle.ts). `--runtime Nodejs18.15` falls back if a region refuses it.
 */
export const SCF_NODE_RUNTIME = 'Nodejs20.15';

export interface DeployOptions extends FunctionOptions {
  region: string;
  /** The account's UIN (owner of the TCR instances and SSM secrets), for CAM resource names. */
  uin: string;
  /** The CAM role (name) the HTTP function runs as; SCF assumes it and hands its keys to the function. */
  role: string;
  /** The CAM role (name) the refresh function runs as: it alone may read and write the SSM secrets. */
  refreshRole: string;
  namespace: string;
  runtime: string;
}

/** A TCR Enterprise repository is <namespace>/<repository>, the repository part possibly with more '/' segments. */
const TCR_NAMES = { minSegments: 2, shape: 'TCR repositories are <namespace>/<repository>' };

export interface FunctionSpec {
  functionName: string;
  /** Which handler module is bundled into the function's index.js. */
  entry: string;
  /** CreateFunction's fields (without Code); UpdateFunctionConfiguration takes the same minus Handler/Type. */
  body: {
    FunctionName: string;
    Namespace: string;
    Type: 'Event';
    Runtime: string;
    Handler: 'index.handler';
    Role: string;
    Timeout: number;
    MemorySize: number;
    Description: string;
    Environment: { Variables: Array<{ Key: string; Value: string }> };
  };
  triggers: TriggerSpec[];
  /** What this function's role must allow, exactly. */
  policy: CamPolicy;
}

/** CreateTrigger / UpdateTrigger fields (TriggerDesc is a JSON string, as SCF takes it). */
export interface TriggerSpec {
  TriggerName: string;
  Type: 'http' | 'timer';
  TriggerDesc: string;
  Enable: 'OPEN';
  Qualifier: '$DEFAULT';
  CustomArgument?: string;
  Description: string;
}

export interface CamPolicy {
  version: '2.0';
  statement: Array<{ effect: 'allow'; action: string[]; resource: string[] }>;
}

export interface DeployPlan {
  region: string;
  functions: FunctionSpec[];
}


/**
 * @example
 * import { parseArgs } from './deploy.js';
 * const plan = deployPlan(parseArgs(['--dry-run'], process.env).options);
 */
export function deployPlan(options: DeployOptions): DeployPlan {
  checkOptions(options);
  const config = loadConfig(options.env, TENCENT); // fails now, with the variable named, not at cold start
  const scope = parseRepositoryScope(options, { label: (name) => `--${name}`, rules: TCR_NAMES });
  const body = (FunctionName: string, Role: string, Description: string): FunctionSpec['body'] => ({
    FunctionName,
    Namespace: options.namespace,
    Type: 'Event',
    Runtime: options.runtime,
    Handler: 'index.handler',
    Role,
    Timeout: options.timeoutSeconds,
    MemorySize: options.memoryMb,
    Description,
    Environment: { Variables: Object.entries(pick(options.env, FUNCTION_ENV)).map(([Key, Value]) => ({ Key, Value })) },
  });

  const functions: FunctionSpec[] = [
    {
      functionName: options.name,
      entry: TENCENT_FUNCTIONS.http.entry,
      body: body(options.name, options.role, 'regcred: short-lived container registry credentials (function URL, CAM auth)'),
      triggers: [
        {
          // A function URL is created through CreateTrigger with Type http (https://cloud.tencent.com/document/product/583/100227).
          TriggerName: 'url',
          Type: 'http',
          TriggerDesc: JSON.stringify({ AuthType: 'CAM', NetConfig: { EnableIntranet: false, EnableExtranet: true } }),
          Enable: 'OPEN',
          Qualifier: '$DEFAULT',
          Description: 'TC3-signed GET /credentials (scf:InvokeFunctionUrl)',
        },
      ],
      policy: camPolicy(config, options, 'http', scope),
    },
  ];
  if (config.refreshTargets) {
    // No CustomArgument: the timer's Message is empty, so the function refreshes its own REGCRED_TARGETS and the two cannot drift.
    const name = `${options.name}-refresh`;
    functions.push({
      functionName: name,
      entry: TENCENT_FUNCTIONS.refresh.entry,
      body: body(name, options.refreshRole, 'regcred: keeps dockerconfigjson secrets in SSM fresh'),
      triggers: [
        {
          TriggerName: 'timer',
          Type: 'timer',
          TriggerDesc: JSON.stringify({ cron: options.schedule }),
          Enable: 'OPEN',
          Qualifier: '$DEFAULT',
          Description: 'scheduled refresh of REGCRED_TARGETS',
        },
      ],
      policy: camPolicy(config, options, 'refresh', scope),
    });
  }
  return { region: options.region, functions };
}

/**
 * Least privilege for one function's role: the two TCR actions on the configured instances
 * (DescribeInstances only where a registry takes its host from it), and — for the refresh function
 * only — the three SSM actions the store uses (core/tencent/ssm.ts: read `current`, create it,
 * replace it in place) on the configured secrets. A login carries the role's rights, so the role
 * also holds the scope's repository rights on the instances it mints for: tcr:PullRepository on
 * every pull (and push) pattern, tcr:PushRepository on the push patterns.
 * @example camPolicy(loadConfig({ REGCRED_REGISTRIES: 'tcr:ap-guangzhou:tcr-abc' }), options, 'http', { pull: ['*'], push: [] }).statement[0].action // ['tcr:CreateInstanceToken']
 */
export function camPolicy(config: Config, options: Pick<DeployOptions, 'region' | 'uin'>, fn: 'http' | 'refresh', scope: RepositoryScope): CamPolicy {
  const statement: CamPolicy['statement'] = [];
  const instances = config.registries.filter((r) => r.provider === 'tcr');
  const instance = (r: (typeof instances)[number]) => `qcs::tcr:${r.region}:uin/${options.uin}:instance/${r.instanceId}`;
  const minted = fn === 'http' ? instances : instances.filter((r) => (config.refreshTargets ?? []).some((t) => t.registries.some((x) => x.region === r.region && x.instanceId === r.instanceId)));
  if (minted.length) statement.push({ effect: 'allow', action: ['tcr:CreateInstanceToken'], resource: unique(minted.map(instance)) });
  const described = minted.filter((r) => !r.host);
  if (described.length) statement.push({ effect: 'allow', action: ['tcr:DescribeInstances'], resource: unique(described.map(instance)) });
  // qcs::tcr:<region>:uin/<uin>:repository/<instance>/<namespace>/<repository> (TCR, "Managing Sub-account
  // Permissions Based on CAM"). TCR's own read-only example names a repository as `<instance>/<namespace>/<repository>/*`
  // ("TCR Enterprise Authorization Management"), so a named repository gets both forms.
  const repositories = (patterns: string[]) =>
    unique(
      minted.flatMap((r) =>
        patterns.flatMap((p) => {
          const name = `qcs::tcr:${r.region}:uin/${options.uin}:repository/${r.instanceId}/${p}`;
          return p.endsWith('*') ? [name] : [name, `${name}/*`];
        }),
      ),
    );
  if (minted.length && scope.pull.length) statement.push({ effect: 'allow', action: ['tcr:PullRepository'], resource: repositories(scope.pull) });
  if (minted.length && scope.push.length) statement.push({ effect: 'allow', action: ['tcr:PushRepository'], resource: repositories(scope.push) });
  const secrets = fn === 'refresh' ? (config.refreshTargets ?? []).filter((t) => t.store === 'ssm').map((t) => t.secretId) : [];
  if (secrets.length) {
    statement.push({
      effect: 'allow',
      action: ['ssm:GetSecretValue', 'ssm:PutSecretValue', 'ssm:UpdateSecret'],
      resource: unique(secrets.map((s) => `qcs::ssm:${options.region}:uin/${options.uin}:secret/creatorUin/${options.uin}/${s}`)),
    });
  }
  return { version: '2.0', statement };
}

function checkOptions(o: DeployOptions): void {
  if (!isRegionId(o.region)) throw new ConfigError(`--region '${o.region}' is not a Tencent Cloud region id`);
  if (!/^\d{5,20}$/.test(o.uin)) throw new ConfigError(`--uin '${o.uin}' is not a Tencent Cloud account UIN`);
  for (const [flag, role] of [['--role', o.role], ['--refresh-role', o.refreshRole]]) {
    if (!/^[\w+=,.@-]{1,128}$/.test(role!)) throw new ConfigError(`${flag} '${role}' is not a CAM role name`);
  }
  if (o.role === o.refreshRole) throw new ConfigError('--role and --refresh-role must differ: one role per function');
  if (!/^[A-Za-z][A-Za-z0-9_-]{0,50}[A-Za-z0-9]$/.test(o.name)) throw new ConfigError(`--name '${o.name}' is not a valid SCF function name`);
  if (!/^[A-Za-z0-9_-]{1,30}$/.test(o.namespace)) throw new ConfigError(`--namespace '${o.namespace}' is not a valid SCF namespace`);
  if (!/^(\S+ ){6}\S+$/.test(o.schedule)) throw new ConfigError(`--schedule '${o.schedule}' must be SCF's 7-field cron, e.g. '0 */20 * * * * *'`);
  if (!/^Nodejs\d+\.\d+$/.test(o.runtime)) throw new ConfigError(`--runtime '${o.runtime}' is not an SCF Node.js runtime (e.g. ${SCF_NODE_RUNTIME})`);
  if (!Number.isInteger(o.timeoutSeconds) || o.timeoutSeconds < 1 || o.timeoutSeconds > 900) throw new ConfigError('--timeout must be 1..900 seconds');
  if (!Number.isInteger(o.memoryMb) || o.memoryMb < 64 || o.memoryMb > 3072) throw new ConfigError('--memory must be 64..3072 MB');
}
