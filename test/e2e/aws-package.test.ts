/**
 * The CloudFormation that `osls package` produces, offline and with no AWS credentials: the
 * function URL is IAM-authenticated and the role holds exactly the actions regcred uses.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const dirs: string[] = [];

interface Template {
  Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
}

const offline = { ...process.env, AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '', AWS_SESSION_TOKEN: '', AWS_PROFILE: 'regcred-none', AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null' };

/** `osls package` with the given params into a fresh folder: the parsed template and what osls printed. */
async function packaged(...params: string[]): Promise<{ template: Template; stdout: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'regcred-package-'));
  dirs.push(dir);
  const { stdout } = await run('npx', ['osls', 'package', '--package', dir, ...params.flatMap((p) => ['--param', p])], { env: offline, timeout: 240_000 });
  return { template: JSON.parse(await readFile(join(dir, 'cloudformation-template-update-stack.json'), 'utf8')) as Template, stdout };
}
const packageWith = async (...params: string[]) => (await packaged(...params)).template;

function ofType(template: Template, type: string) {
  return Object.values(template.Resources).filter((r) => r.Type === type);
}

type Statement = { Effect: string; Action: string[]; Resource: unknown };

/** The statements of the role a function runs as (one role per function), actions as arrays. */
function roleOf(template: Template, fn: 'Http' | 'Refresh' | 'Rotate'): Statement[] {
  const ref = template.Resources[`${fn}LambdaFunction`]?.Properties.Role as { 'Fn::GetAtt': [string, string] };
  const role = template.Resources[ref['Fn::GetAtt'][0]]!;
  expect(role.Type).toBe('AWS::IAM::Role');
  const policies = role.Properties.Policies as Array<{ PolicyDocument: { Statement: Array<Omit<Statement, 'Action'> & { Action: string | string[] }> } }>;
  return policies.flatMap((p) => p.PolicyDocument.Statement).map((s) => ({ ...s, Action: ([] as string[]).concat(s.Action) }));
}

/** What every function needs: writing to its own log group. */
const isLogging = (s: Statement) => s.Action.every((a) => a.startsWith('logs:'));
const actionsOf = (statements: Statement[]) => statements.filter((s) => !isLogging(s)).flatMap((s) => s.Action).sort();

const PULL = ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'];
const PUSH = ['ecr:InitiateLayerUpload', 'ecr:UploadLayerPart', 'ecr:CompleteLayerUpload', 'ecr:PutImage'];
const repository = (pattern: string, account = '${AWS::AccountId}') => ({ 'Fn::Sub': `arn:\${AWS::Partition}:ecr:us-east-1:${account}:repository/${pattern}` });
const EXTRA_SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:team/pull-??????';
const ALARM_TOPIC = 'arn:aws:sns:us-east-1:123456789012:regcred-oncall';
const OTHER_ACCOUNT = '111122223333';
let ecrOnly: Template;
let withPublic: Template;
let scoped: Template;
let pushing: { template: Template; stdout: string };
beforeAll(async () => {
  // One after the other: osls packages through a shared .esbuild/ work folder. The second run also
  // sets alarmTopic (each run costs seconds); the first is the stack without it.
  ecrOnly = await packageWith('registries=ecr:us-east-1', `secretArns=${EXTRA_SECRET_ARN}`);
  withPublic = await packageWith('registries=ecr:us-east-1,ecr-public:us-east-1', `alarmTopic=${ALARM_TOPIC}`);
  scoped = await packageWith('registries=ecr:us-east-1', 'pull=team/app,base/*');
  pushing = await packaged(`registries=ecr:us-east-1,ecr:us-east-1:${OTHER_ACCOUNT}`, 'pull=team/app,base/*', 'push=ci/cache');
}, 480_000);
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

describe('osls package (offline, no credentials)', () => {
  it('creates a function URL with AuthType AWS_IAM', () => {
    const urls = ofType(ecrOnly, 'AWS::Lambda::Url');
    expect(urls).toHaveLength(1);
    expect(urls[0]!.Properties.AuthType).toBe('AWS_IAM');
  });

  it('runs the http function on nodejs22.x, arm64', () => {
    const fns = ofType(ecrOnly, 'AWS::Lambda::Function');
    const http = fns.find((f) => String(f.Properties.Handler).includes('http'));
    expect(http?.Properties).toMatchObject({ Runtime: 'nodejs22.x', Architectures: ['arm64'] });
  });

  it('gives each function its own role', () => {
    const roles = ['Http', 'Refresh', 'Rotate'].map((fn) => JSON.stringify(ecrOnly.Resources[`${fn}LambdaFunction`]?.Properties.Role));
    expect(new Set(roles).size).toBe(3);
    expect(ofType(ecrOnly, 'AWS::IAM::Role')).toHaveLength(3);
  });

  it('[S3] grants the http role exactly ecr:GetAuthorizationToken on * and, by default, the pull set on every repository of the configured registry (matrix: aws/http)', () => {
    expect(roleOf(ecrOnly, 'Http').filter((s) => !isLogging(s)).map((s) => [s.Effect, s.Action, s.Resource])).toEqual([
      ['Allow', ['ecr:GetAuthorizationToken'], '*'],
      ['Allow', PULL, [repository('*')]],
    ]);
  });

  it('[S3] adds ecr-public:GetAuthorizationToken and sts:GetServiceBearerToken only when ecr-public is configured (matrix: aws/http)', () => {
    expect(actionsOf(roleOf(withPublic, 'Http'))).toEqual(['ecr-public:GetAuthorizationToken', 'ecr:GetAuthorizationToken', ...PULL, 'sts:GetServiceBearerToken'].sort());
    expect(actionsOf(roleOf(ecrOnly, 'Refresh'))).not.toContain('sts:GetServiceBearerToken');
  });

  it('lets each function write only to its own log group', () => {
    for (const fn of ['Http', 'Refresh', 'Rotate'] as const) {
      const logging = roleOf(ecrOnly, fn).filter(isLogging);
      expect(logging.map((s) => s.Action)).toEqual([['logs:CreateLogStream', 'logs:PutLogEvents']]);
      expect(JSON.stringify(logging[0]!.Resource)).toContain(`log-group:/aws/lambda/regcred-prod-${fn.toLowerCase()}:*`);
    }
  });
});

describe('osls package: the repositories the credential is for (params pull, push)', () => {
  /** A role's registry statements, as [actions, resources]. */
  const onRepositories = (template: Template, fn: 'Http' | 'Refresh' | 'Rotate') =>
    roleOf(template, fn).filter((s) => s.Action.every((a) => a.startsWith('ecr:') && a !== 'ecr:GetAuthorizationToken')).map((s) => [s.Action, s.Resource]);

  it.each(['Http', 'Refresh', 'Rotate'] as const)('pull=team/app,base/*: the %s role holds exactly the pull set on those two patterns', (fn) => {
    expect(onRepositories(scoped, fn)).toEqual([[PULL, [repository('team/app'), repository('base/*')]]]);
  });

  it.each(['Http', 'Refresh', 'Rotate'] as const)('push=ci/cache: the %s role pushes to ci/cache only, in both accounts, and pulls it too', (fn) => {
    const everyAccount = (pattern: string) => [repository(pattern), repository(pattern, OTHER_ACCOUNT)];
    expect(onRepositories(pushing.template, fn)).toEqual([
      [PULL, [...['team/app', 'base/*', 'ci/cache'].map((p) => repository(p)), ...['team/app', 'base/*', 'ci/cache'].map((p) => repository(p, OTHER_ACCOUNT))]],
      [PUSH, everyAccount('ci/cache')],
    ]);
  });

  it('outputs the repository policy the other account must attach, and prints it at the end of the package', () => {
    // Prepare
    const output = (pushing.template as Template & { Outputs: Record<string, { Value: { 'Fn::Sub': string } }> }).Outputs[`RegcredRepositoryPolicy${OTHER_ACCOUNT}`]!;
    const policy = JSON.parse(output.Value['Fn::Sub']) as { Statement: Array<{ Sid: string; Principal: { AWS: string[] }; Action: string[] }> };
    // Assess
    expect(policy.Statement.map((s) => [s.Sid, s.Principal.AWS, s.Action])).toEqual([
      ['RegcredPull', ['${HttpRole.Arn}', '${RefreshRole.Arn}', '${RotateRole.Arn}'], PULL],
      ['RegcredPush', ['${HttpRole.Arn}', '${RefreshRole.Arn}', '${RotateRole.Arn}'], PUSH],
    ]);
    expect(pushing.stdout).toContain(`the repository policy account ${OTHER_ACCOUNT} must set on its repositories team/app, base/*, ci/cache`);
    expect(pushing.stdout).toContain(JSON.stringify(policy, null, 2));
  });

  it('prints no repository policy without another account', () => {
    expect(Object.keys((scoped as Template & { Outputs: object }).Outputs)).not.toContain(expect.stringMatching(/^RegcredRepositoryPolicy/));
  });

  it('fails the package on a bad entry with the one line naming the parameter and the entry, no stack trace', async () => {
    // Act
    const err = (await packaged('registries=ecr:us-east-1', 'pull=team/app,Team App').catch((e: unknown) => e)) as { code: number; stdout: string; stderr: string };
    // Assess
    const printed = `${err.stdout}${err.stderr}`;
    expect(err.code).not.toBe(0);
    expect(printed).toContain("param pull: 'Team App' is not a repository name");
    expect(printed).not.toMatch(/\n\s+at /);
  }, 240_000);
});

describe('osls package: refresh, rotation and Secrets Manager', () => {
  const template = () => ecrOnly;
  const extraArn = EXTRA_SECRET_ARN;

  const onSecrets = (fn: 'Http' | 'Refresh' | 'Rotate') =>
    roleOf(template(), fn).filter((s) => s.Action.some((a) => a.startsWith('secretsmanager:'))).map((s) => [s.Action.sort(), s.Resource]);
  const secrets = [{ Ref: 'RegcredPullSecret' }, extraArn];

  it('[S3] grants refresh only DescribeSecret and PutSecretValue, on the example secret and the configured ARNs (matrix: aws/refresh)', () => {
    expect(onSecrets('Refresh')).toEqual([[['secretsmanager:DescribeSecret', 'secretsmanager:PutSecretValue'], secrets]]);
  });

  it('grants rotate the four rotation calls, on the example secret and the configured ARNs', () => {
    expect(onSecrets('Rotate')).toEqual([
      [['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue', 'secretsmanager:PutSecretValue', 'secretsmanager:UpdateSecretVersionStage'], secrets],
    ]);
  });

  it('[S3] grants the http function no secretsmanager action (matrix: aws/http)', () => {
    expect(onSecrets('Http')).toEqual([]);
  });

  it('lets only Secrets Manager, for the example secret, invoke the rotate function', () => {
    // Prepare
    const permissions = Object.values(template().Resources).filter((r) => r.Type === 'AWS::Lambda::Permission' && r.Properties.Principal === 'secretsmanager.amazonaws.com');
    // Assess
    expect(permissions.map((p) => [p.Properties.FunctionName, p.Properties.SourceArn])).toEqual([[{ 'Fn::GetAtt': ['RotateLambdaFunction', 'Arn'] }, { Ref: 'RegcredPullSecret' }]]);
  });

  it('rotates the example secret with the rotate function every 4 hours', () => {
    // Prepare
    const schedule = Object.values(template().Resources).find((r) => r.Type === 'AWS::SecretsManager::RotationSchedule')!;
    // Assess
    expect(schedule.Properties).toMatchObject({
      SecretId: { Ref: 'RegcredPullSecret' },
      RotationLambdaARN: { 'Fn::GetAtt': ['RotateLambdaFunction', 'Arn'] },
      RotationRules: { ScheduleExpression: 'rate(4 hours)' },
    });
  });

  it('runs refresh every 4 hours and on regcred.refresh events from the listed sources only', () => {
    // Prepare
    const rules = Object.values(template().Resources).filter((r) => r.Type === 'AWS::Events::Rule').map((r) => r.Properties);
    // Assess
    expect(rules.map((r) => r.ScheduleExpression ?? r.EventPattern).sort()).toEqual(
      [{ source: ['regcred.operator'], 'detail-type': ['regcred.refresh'] }, 'rate(4 hours)'].sort(),
    );
  });

  it('grants only AWS services, each for its own rule or secret, a resource policy to invoke a function; none for http', () => {
    // Direct invocation bypasses the function URL's IAM auth and lets the caller write the event's
    // authorizer block; callers get lambda:InvokeFunction only through their own policy, conditioned
    // on lambda:InvokedViaFunctionUrl (README, "Security").
    const permissions = Object.values(template().Resources).filter((r) => r.Type === 'AWS::Lambda::Permission');
    expect(permissions.map((p) => [JSON.stringify(p.Properties.FunctionName), p.Properties.Principal, p.Properties.SourceArn !== undefined]).sort()).toEqual([
      [JSON.stringify({ 'Fn::GetAtt': ['RefreshLambdaFunction', 'Arn'] }), 'events.amazonaws.com', true],
      [JSON.stringify({ 'Fn::GetAtt': ['RefreshLambdaFunction', 'Arn'] }), 'events.amazonaws.com', true],
      [JSON.stringify({ 'Fn::GetAtt': ['RotateLambdaFunction', 'Arn'] }), 'secretsmanager.amazonaws.com', true],
    ]);
  });
});

describe('osls package: alarms and the refresh on-failure destination (param alarmTopic)', () => {
  type Alarm = { AlarmName: string; Namespace: string; MetricName: string; Dimensions: { Name: string; Value: unknown }[]; Statistic: string; ComparisonOperator: string; Threshold: number; AlarmActions: string[] };
  const alarms = (template: Template) => ofType(template, 'AWS::CloudWatch::Alarm').map((a) => a.Properties as unknown as Alarm);
  const onFailure = (template: Template) =>
    (template.Resources.RefreshLambdaEvConf?.Properties.DestinationConfig as { OnFailure?: { Destination: string } } | undefined)?.OnFailure;
  /** Every IAM statement in the template, with the roles it applies to (inline role policies and AWS::IAM::Policy). */
  const statements = (template: Template) =>
    Object.entries(template.Resources).flatMap(([id, r]) => {
      if (r.Type === 'AWS::IAM::Role') return roleOf(template, id.replace(/Role$/, '') as 'Http').map((s) => ({ roles: [id], ...s }));
      if (r.Type !== 'AWS::IAM::Policy') return [];
      const p = r.Properties as { Roles: { Ref: string }[]; PolicyDocument: { Statement: Statement[] } };
      return p.PolicyDocument.Statement.map((s) => ({ roles: p.Roles.map((role) => role.Ref), ...s, Action: ([] as string[]).concat(s.Action) }));
    });

  it('creates the four alarms, each notifying the topic', () => {
    expect(alarms(withPublic).map((a) => [a.AlarmName, a.Namespace, a.MetricName, a.Dimensions, a.Statistic, a.ComparisonOperator, a.Threshold]).sort()).toEqual(
      [
        ['regcred-prod-refresh-failed', 'AWS/Lambda', 'Errors', [{ Name: 'FunctionName', Value: { Ref: 'RefreshLambdaFunction' } }], 'Sum', 'GreaterThanOrEqualToThreshold', 1],
        ['regcred-prod-rotation-failed', 'AWS/Lambda', 'Errors', [{ Name: 'FunctionName', Value: { Ref: 'RotateLambdaFunction' } }], 'Sum', 'GreaterThanOrEqualToThreshold', 1],
        ['regcred-prod-upstream-errors', 'regcred', 'UpstreamErrors', [{ Name: 'function', Value: { Ref: 'HttpLambdaFunction' } }], 'Sum', 'GreaterThanThreshold', 10],
        ['regcred-prod-served-validity-low', 'regcred', 'ValiditySecondsLeft', [{ Name: 'function', Value: { Ref: 'HttpLambdaFunction' } }], 'Minimum', 'LessThanThreshold', 900],
      ].sort(),
    );
    for (const alarm of alarms(withPublic)) expect(alarm.AlarmActions).toEqual([ALARM_TOPIC]);
  });

  it('sends a refresh event Lambda gave up on to the topic, after the policy that allows it exists', () => {
    expect(onFailure(withPublic)).toEqual({ Destination: ALARM_TOPIC });
    expect(withPublic.Resources.RefreshLambdaEvConf).toMatchObject({ DependsOn: expect.arrayContaining(['RegcredRefreshFailureDestinationPolicy']) });
  });

  it('lets the refresh role, and no other, publish to that topic only', () => {
    const sns = statements(withPublic).filter((s) => s.Action.some((a) => a.startsWith('sns:')));
    expect(sns.map((s) => [s.roles, s.Effect, s.Action, s.Resource])).toEqual([[['RefreshRole'], 'Allow', ['sns:Publish'], ALARM_TOPIC]]);
  });

  it('creates no alarm, no destination and no sns grant without alarmTopic', () => {
    expect(alarms(ecrOnly)).toEqual([]);
    expect(onFailure(ecrOnly)).toBeUndefined();
    expect(ofType(ecrOnly, 'AWS::IAM::Policy')).toEqual([]);
    expect(JSON.stringify(ecrOnly)).not.toMatch(/sns:|CloudWatch::Alarm/);
  });
});
