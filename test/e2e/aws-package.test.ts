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

/** Package with the given registries into a fresh folder; return the parsed template. */
async function packageWith(...params: string[]): Promise<Template> {
  const dir = await mkdtemp(join(tmpdir(), 'regcred-package-'));
  dirs.push(dir);
  const env = { ...process.env, AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '', AWS_SESSION_TOKEN: '', AWS_PROFILE: 'regcred-none', AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null' };
  await run('npx', ['osls', 'package', '--package', dir, ...params.flatMap((p) => ['--param', p])], { env, timeout: 240_000 });
  return JSON.parse(await readFile(join(dir, 'cloudformation-template-update-stack.json'), 'utf8')) as Template;
}

function ofType(template: Template, type: string) {
  return Object.values(template.Resources).filter((r) => r.Type === type);
}

/** Every statement of the execution role's inline policies, actions as arrays. */
function roleStatements(template: Template) {
  const [role] = ofType(template, 'AWS::IAM::Role');
  const policies = (role?.Properties.Policies ?? []) as Array<{ PolicyDocument: { Statement: Array<{ Effect: string; Action: string | string[]; Resource: unknown }> } }>;
  return policies.flatMap((p) => p.PolicyDocument.Statement).map((s) => ({ ...s, Action: ([] as string[]).concat(s.Action) }));
}

/** Statements osls adds for the function's own log group, which every Lambda needs. */
const isLogging = (s: { Action: string[] }) => s.Action.every((a) => a.startsWith('logs:'));

const EXTRA_SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:team/pull-??????';
let ecrOnly: Template;
let withPublic: Template;
beforeAll(async () => {
  // One after the other: osls packages through a shared .esbuild/ work folder.
  ecrOnly = await packageWith('registries=ecr:us-east-1', `secretArns=${EXTRA_SECRET_ARN}`);
  withPublic = await packageWith('registries=ecr:us-east-1,ecr-public:us-east-1');
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

  it('grants exactly ecr:GetAuthorizationToken on * when only ECR is configured', () => {
    const statements = roleStatements(ecrOnly).filter((s) => !isLogging(s));
    expect(statements.filter((s) => s.Action.some((a) => a.startsWith('ecr'))).map((s) => [s.Effect, s.Action, s.Resource])).toEqual([
      ['Allow', ['ecr:GetAuthorizationToken'], '*'],
    ]);
    const actions = statements.flatMap((s) => s.Action);
    expect(actions.filter((a) => !a.startsWith('secretsmanager:'))).toEqual(['ecr:GetAuthorizationToken']);
  });

  it('adds ecr-public:GetAuthorizationToken and sts:GetServiceBearerToken only when ecr-public is configured', () => {
    const actions = roleStatements(withPublic).filter((s) => !isLogging(s)).flatMap((s) => s.Action).filter((a) => !a.startsWith('secretsmanager:'));
    expect(actions.sort()).toEqual(['ecr-public:GetAuthorizationToken', 'ecr:GetAuthorizationToken', 'sts:GetServiceBearerToken']);
    expect(roleStatements(ecrOnly).flatMap((s) => s.Action)).not.toContain('sts:GetServiceBearerToken');
  });

  it('grants logs:* actions only on the function log groups, never *', () => {
    for (const s of roleStatements(ecrOnly).filter(isLogging)) expect(s.Resource).not.toBe('*');
  });
});

describe('osls package: refresh, rotation and Secrets Manager', () => {
  const template = () => ecrOnly;
  const extraArn = EXTRA_SECRET_ARN;

  it('grants secretsmanager actions only on the example secret and the configured ARNs', () => {
    // Prepare
    const role = Object.values(template().Resources).find((r) => r.Type === 'AWS::IAM::Role')!;
    const statements = (role.Properties.Policies as Array<{ PolicyDocument: { Statement: Array<{ Action: string | string[]; Resource: unknown }> } }>)
      .flatMap((p) => p.PolicyDocument.Statement)
      .filter((s) => ([] as string[]).concat(s.Action).some((a) => a.startsWith('secretsmanager:')));
    // Assess
    expect(statements.map((s) => [([] as string[]).concat(s.Action).sort(), s.Resource])).toEqual([
      [
        ['secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue', 'secretsmanager:PutSecretValue', 'secretsmanager:UpdateSecretVersionStage'],
        [{ Ref: 'RegcredPullSecret' }, extraArn],
      ],
    ]);
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

  it('runs refresh every 4 hours and on regcred.refresh events', () => {
    // Prepare
    const rules = Object.values(template().Resources).filter((r) => r.Type === 'AWS::Events::Rule').map((r) => r.Properties);
    // Assess
    expect(rules.map((r) => r.ScheduleExpression ?? r.EventPattern).sort()).toEqual([{ 'detail-type': ['regcred.refresh'] }, 'rate(4 hours)'].sort());
  });
});
