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
async function packageWith(registries: string): Promise<Template> {
  const dir = await mkdtemp(join(tmpdir(), 'regcred-package-'));
  dirs.push(dir);
  const env = { ...process.env, AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '', AWS_SESSION_TOKEN: '', AWS_PROFILE: 'regcred-none', AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null' };
  await run('npx', ['osls', 'package', '--package', dir, '--param', `registries=${registries}`], { env, timeout: 240_000 });
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

let ecrOnly: Template;
let withPublic: Template;
beforeAll(async () => {
  ecrOnly = await packageWith('ecr:us-east-1');
  withPublic = await packageWith('ecr:us-east-1,ecr-public:us-east-1');
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
