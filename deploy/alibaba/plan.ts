/**
 * The Alibaba deployment as data: which FC 3.0 functions and triggers to create or update, and the
 * RAM policy each function's own role needs (one role per function: the internet-facing HTTP
 * function holds no KMS action). Pure functions of the options and the validated regcred config, so
 * the dry run prints exactly what a real run sends.
 */
import { ALIBABA } from '../../core/alibaba/cloud.js';
import { loadConfig, type Config } from '../../core/config.js';
import { ConfigError } from '../../core/errors.js';
import { isRegionId } from '../../core/upstream.js';
import { ALIBABA_FUNCTIONS } from '../../handlers/alibaba/functions.js';
import { FUNCTION_ENV, pick, unique, type FunctionOptions } from '../shared/options.js';
import { parseRepositoryScope, type RepositoryScope } from '../shared/repository-scope.cjs';

export interface DeployOptions extends FunctionOptions {
  region: string;
  accountId: string;
  /** The RAM role the HTTP function runs as: `acs:ram::<account>:role/<name>`. */
  roleArn: string;
  /** The RAM role the refresh function runs as (its own: it alone may write KMS secrets). */
  refreshRoleArn: string;
}

/** ACR repositories are exactly <namespace>/<repository>: a repository name has no '/' (ALIYUN::CR::Repository RepoName). */
const ACR_NAMES = { minSegments: 2, maxSegments: 2, shape: 'ACR repositories are <namespace>/<repository>' };

export interface FunctionSpec {
  functionName: string;
  /** Which handler module is bundled into the function's index.js. */
  entry: string;
  body: {
    functionName: string;
    runtime: 'nodejs20';
    handler: 'index.handler';
    role: string;
    timeout: number;
    memorySize: number;
    description: string;
    environmentVariables: Record<string, string>;
  };
  triggers: TriggerSpec[];
  /** What this function's role must allow, exactly. */
  policy: RamPolicy;
}

export interface TriggerSpec {
  triggerName: string;
  triggerType: 'http' | 'timer';
  /** FC takes trigger configs as JSON strings. */
  triggerConfig: string;
  description: string;
}

export interface RamPolicy {
  Version: '1';
  Statement: Array<{ Effect: 'Allow'; Action: string[]; Resource: string[] }>;
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
  const config = loadConfig(options.env, ALIBABA); // fails now, with the variable named, not at cold start
  const scope = parseRepositoryScope(options, { label: (name) => `--${name}`, rules: ACR_NAMES });
  const functionBody = (functionName: string, role: string, description: string) => ({
    functionName,
    runtime: 'nodejs20' as const,
    handler: 'index.handler' as const,
    role,
    timeout: options.timeoutSeconds,
    memorySize: options.memoryMb,
    description,
    environmentVariables: pick(options.env, FUNCTION_ENV),
  });

  const functions: FunctionSpec[] = [
    {
      functionName: options.name,
      entry: ALIBABA_FUNCTIONS.http.entry,
      body: functionBody(options.name, options.roleArn, 'regcred: short-lived container registry credentials (HTTP)'),
      triggers: [
        {
          triggerName: 'http',
          triggerType: 'http',
          // authType function: only requests signed by a RAM identity with fc:InvokeFunction get through.
          triggerConfig: JSON.stringify({ authType: 'function', methods: ['GET'], disableURLInternet: false }),
          description: 'signed GET /credentials',
        },
      ],
      policy: ramPolicy(config, options, 'http', scope),
    },
  ];
  if (config.refreshTargets) {
    // Empty payload: the function falls back to its own REGCRED_TARGETS, so the two cannot drift.
    const name = `${options.name}-refresh`;
    functions.push({
      functionName: name,
      entry: ALIBABA_FUNCTIONS.refresh.entry,
      body: functionBody(name, options.refreshRoleArn, 'regcred: keeps dockerconfigjson secrets in KMS fresh'),
      triggers: [
        {
          triggerName: 'timer',
          triggerType: 'timer',
          triggerConfig: JSON.stringify({ cronExpression: options.schedule, enable: true, payload: '' }),
          description: 'scheduled refresh of REGCRED_TARGETS',
        },
      ],
      policy: ramPolicy(config, options, 'refresh', scope),
    });
  }
  return { region: options.region, functions };
}

/**
 * Least privilege for one function's role: only the actions that function calls, on the named
 * resources where the API has them. ACR personal's GetAuthorizationToken has no narrower resource
 * than `*`; EE calls are scoped to the instance; only the refresh function touches KMS: it reads a
 * version (GetSecretValue, to skip a write that already happened) and writes one (PutSecretValue)
 * on the named secrets only. A login carries the role's rights, so the role also holds the scope's
 * repository rights on the configured registries: cr:PullRepository on every pull (and push)
 * pattern, cr:PushRepository on the push patterns (RAM authorization information, Container Registry).
 * @example ramPolicy(loadConfig({ REGCRED_REGISTRIES: 'acr:cn-shanghai' }), options, 'http', { pull: ['*'], push: [] }).Statement[0].Action // ['cr:GetAuthorizationToken']
 */
export function ramPolicy(config: Config, options: Pick<DeployOptions, 'region' | 'accountId'>, fn: 'http' | 'refresh', scope: RepositoryScope): RamPolicy {
  const statements: RamPolicy['Statement'] = [];
  const personal = config.registries.filter((r) => r.provider === 'acr');
  if (personal.length) {
    statements.push({ Effect: 'Allow', Action: ['cr:GetAuthorizationToken'], Resource: ['*'] });
  }
  const instances = config.registries.filter((r) => r.provider === 'acr-ee');
  if (instances.length) {
    const actions = instances.some((r) => !r.host) ? ['cr:GetAuthorizationToken', 'cr:GetInstanceEndpoint'] : ['cr:GetAuthorizationToken'];
    statements.push({
      Effect: 'Allow',
      Action: actions,
      Resource: unique(instances.map((r) => `acs:cr:${r.region}:${options.accountId}:instance/${r.instanceId}`)),
    });
  }
  // Personal: repository/<namespace>/<repository>; EE: repository/<instance-id>/<namespace>/<repository>.
  const repositories = (patterns: string[]) =>
    unique([
      ...personal.flatMap((r) => patterns.map((p) => `acs:cr:${r.region}:${options.accountId}:repository/${p}`)),
      ...instances.flatMap((r) => patterns.map((p) => `acs:cr:${r.region}:${options.accountId}:repository/${r.instanceId}/${p}`)),
    ]);
  if (scope.pull.length) statements.push({ Effect: 'Allow', Action: ['cr:PullRepository'], Resource: repositories(scope.pull) });
  if (scope.push.length) statements.push({ Effect: 'Allow', Action: ['cr:PushRepository'], Resource: repositories(scope.push) });
  const secrets = fn === 'refresh' ? (config.refreshTargets ?? []).filter((t) => t.store === 'kms').map((t) => t.secretId) : [];
  if (secrets.length) {
    statements.push({
      Effect: 'Allow',
      Action: ['kms:GetSecretValue', 'kms:PutSecretValue'],
      Resource: unique(secrets.map((s) => (s.startsWith('acs:kms:') ? s : `acs:kms:${options.region}:${options.accountId}:secret/${s}`))),
    });
  }
  return { Version: '1', Statement: statements };
}

function checkOptions(o: DeployOptions): void {
  if (!isRegionId(o.region)) throw new ConfigError(`--region '${o.region}' is not an Alibaba Cloud region id`);
  if (!/^\d{6,20}$/.test(o.accountId)) throw new ConfigError(`--account-id '${o.accountId}' is not an Alibaba Cloud account id`);
  for (const [flag, arn] of [['--role', o.roleArn], ['--refresh-role', o.refreshRoleArn]]) {
    if (!/^acs:ram::\d+:role\/[\w.@-]+$/i.test(arn!)) throw new ConfigError(`${flag} '${arn}' is not a RAM role ARN (acs:ram::<account>:role/<name>)`);
  }
  if (!/^[A-Za-z_][A-Za-z0-9_-]{0,119}$/.test(o.name)) throw new ConfigError(`--name '${o.name}' is not a valid FC function name`);
  if (!/^(@every \d+[hm]|(\S+ ){5}\S+)$/.test(o.schedule)) throw new ConfigError(`--schedule '${o.schedule}' must be '@every <n>m|h' or a 6-field cron`);
  if (!Number.isInteger(o.timeoutSeconds) || o.timeoutSeconds < 1 || o.timeoutSeconds > 600) throw new ConfigError('--timeout must be 1..600 seconds');
  if (!Number.isInteger(o.memoryMb) || o.memoryMb < 128 || o.memoryMb > 32_768) throw new ConfigError('--memory must be 128..32768 MB');
}
