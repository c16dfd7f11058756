/**
 * The repository statements of the AWS roles (deploy/aws/iam.cjs), called the way osls calls it:
 * every minting role holds the mint action and exactly the scope's repository rights, on the
 * configured registries only; other accounts get the repository policy they must attach.
 */
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
type Statement = { Effect: string; Action: string[] | string; Resource: unknown };
type Role = { Properties: { Policies: Array<{ PolicyDocument: { Statement: Statement[] } }> } };
type Glue = (ctx: { resolveVariable: (name: string) => Promise<unknown> }) => Promise<{
  roles: Record<'HttpRole' | 'RefreshRole' | 'RotateRole', Role>;
  repositoryPolicies: Record<string, { Version: string; Statement: Array<{ Sid: string; Effect: string; Principal: unknown; Action: string[] }> }>;
  stackOutputs: { Outputs: Record<string, { Description: string; Value: { 'Fn::Sub': string } }> };
}>;
const iam = require('./iam.cjs') as Glue;

const glue = (params: Record<string, string>) =>
  iam({ resolveVariable: async (name) => ({ 'self:service': 'regcred', 'sls:stage': 'prod', ...Object.fromEntries(Object.entries(params).map(([k, v]) => [`param:${k}`, v])) })[name] });

const ROLES = ['HttpRole', 'RefreshRole', 'RotateRole'] as const;
/** A role's registry statements (not its log or Secrets Manager ones), as [actions, resources]. */
const registryStatements = (role: Role) =>
  role.Properties.Policies.flatMap((p) => p.PolicyDocument.Statement)
    .filter((s) => ([] as string[]).concat(s.Action).every((a) => /^(ecr|ecr-public|sts):/.test(a)))
    .map((s) => [s.Action, s.Resource]);
const repo = (region: string, account: string, pattern: string) => ({ 'Fn::Sub': `arn:\${AWS::Partition}:ecr:${region}:${account}:repository/${pattern}` });
const own = (pattern: string) => repo('us-east-1', '${AWS::AccountId}', pattern);

const MINT = [['ecr:GetAuthorizationToken'], '*'];
const PULL = ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'];
const PUSH = ['ecr:InitiateLayerUpload', 'ecr:UploadLayerPart', 'ecr:CompleteLayerUpload', 'ecr:PutImage'];

describe('iam.cjs: the repository rights of every minting role', () => {
  it.each(ROLES)('default (pull *, push none): %s pulls every repository of the configured registry and pushes none', async (name) => {
    const { roles } = await glue({ registries: 'ecr:us-east-1' });
    expect(registryStatements(roles[name])).toEqual([MINT, [PULL, [own('*')]]]);
  });

  it.each(ROLES)('scoped (pull=team/app,base/*): %s pulls exactly those two patterns', async (name) => {
    const { roles } = await glue({ registries: 'ecr:us-east-1', pull: 'team/app,base/*', push: '' });
    expect(registryStatements(roles[name])).toEqual([MINT, [PULL, [own('team/app'), own('base/*')]]]);
  });

  it.each(ROLES)('push (push=ci/cache): %s pushes to ci/cache only, and pulls it too', async (name) => {
    const { roles } = await glue({ registries: 'ecr:us-east-1', pull: 'team/app,base/*', push: 'ci/cache' });
    expect(registryStatements(roles[name])).toEqual([MINT, [PULL, [own('team/app'), own('base/*'), own('ci/cache')]], [PUSH, [own('ci/cache')]]]);
  });

  it('grants on every configured ECR registry, in its region and account, and on no other', async () => {
    const { roles } = await glue({ registries: 'ecr:us-east-1,ecr:eu-west-1:111122223333=mirror.example.com', pull: 'team/app' });
    expect(registryStatements(roles.HttpRole)).toEqual([MINT, [PULL, [own('team/app'), repo('eu-west-1', '111122223333', 'team/app')]]]);
  });

  it('gives ECR Public only its mint actions when push names no repository', async () => {
    const { roles } = await glue({ registries: 'ecr-public:us-east-1', pull: 'team/app' });
    expect(registryStatements(roles.HttpRole)).toEqual([[['ecr-public:GetAuthorizationToken', 'sts:GetServiceBearerToken'], '*']]);
  });

  it('gives ECR Public the push set on the push entries\' repositories, and ECR the same scope', async () => {
    const { roles } = await glue({ registries: 'ecr:us-east-1,ecr-public:us-east-1', push: 'ci/cache' });
    expect(registryStatements(roles.RotateRole)).toEqual([
      MINT,
      [PULL, [own('*')]],
      [PUSH, [own('ci/cache')]],
      [['ecr-public:GetAuthorizationToken', 'sts:GetServiceBearerToken'], '*'],
      [
        ['ecr-public:BatchCheckLayerAvailability', 'ecr-public:InitiateLayerUpload', 'ecr-public:UploadLayerPart', 'ecr-public:CompleteLayerUpload', 'ecr-public:PutImage'],
        [{ 'Fn::Sub': 'arn:${AWS::Partition}:ecr-public::${AWS::AccountId}:repository/ci/cache' }],
      ],
    ]);
  });

  it('grants no delete, no repository create and no other ECR action', async () => {
    const { roles } = await glue({ registries: 'ecr:us-east-1,ecr:us-east-1:111122223333,ecr-public:us-east-1', pull: '*', push: '*' });
    const actions = new Set(ROLES.flatMap((r) => registryStatements(roles[r]).flatMap(([a]) => a as string[])));
    expect([...actions].filter((a) => /Delete|Create|Policy|Tag|Replication|Lifecycle/.test(a))).toEqual([]);
  });
});

describe('iam.cjs: cross-account registries', () => {
  const roleArns = { AWS: ROLES.map((r) => ({ 'Fn::GetAtt': [r, 'Arn'] })) };

  it('gives each other account the repository policy naming the three roles, with the pull set', async () => {
    const { repositoryPolicies } = await glue({ registries: 'ecr:us-east-1,ecr:us-east-1:111122223333,ecr:eu-west-1:111122223333', pull: 'team/app' });
    expect(repositoryPolicies).toEqual({
      '111122223333': { Version: '2012-10-17', Statement: [{ Sid: 'RegcredPull', Effect: 'Allow', Principal: roleArns, Action: PULL }] },
    });
  });

  it('adds the push set when push names repositories', async () => {
    const { repositoryPolicies } = await glue({ registries: 'ecr:us-east-1:111122223333', push: 'ci/cache' });
    expect(repositoryPolicies['111122223333']!.Statement.map((s) => [s.Sid, s.Action])).toEqual([['RegcredPull', PULL], ['RegcredPush', PUSH]]);
  });

  it('has no repository policy and no output without another account', async () => {
    const { repositoryPolicies, stackOutputs } = await glue({ registries: 'ecr:us-east-1' });
    expect([repositoryPolicies, stackOutputs]).toEqual([{}, { Outputs: {} }]);
  });

  it('puts the same document in a stack output, the role ARNs filled in by Fn::Sub', async () => {
    // Act
    const { repositoryPolicies, stackOutputs } = await glue({ registries: 'ecr:us-east-1:111122223333', pull: 'team/app,base/*' });
    const output = stackOutputs.Outputs.RegcredRepositoryPolicy111122223333!;
    // Assess
    const withArns = output.Value['Fn::Sub'].replace(/\$\{(\w+)\.Arn\}/g, (_, role) => `arn-of-${role}`);
    const expected = JSON.parse(JSON.stringify(repositoryPolicies['111122223333']).replace(/\{"Fn::GetAtt":\["(\w+)","Arn"\]\}/g, '"arn-of-$1"'));
    expect(JSON.parse(withArns)).toEqual(expected);
    expect(output.Description).toBe('regcred cross-account pull: the repository policy account 111122223333 must set on its repositories team/app, base/*');
  });
});

describe('iam.cjs: bad parameters fail with one line naming the parameter and the entry', () => {
  it.each([
    [{ pull: 'Team App' }, "param pull: 'Team App' is not a repository name"],
    [{ pull: 'a//b' }, "param pull: 'a//b' is not a repository name"],
    [{ push: 'team/*x' }, "param push: 'team/*x' is not a repository name"],
    [{ pull: 'team/app,' }, "param pull: entry 2 of 'team/app,' is empty"],
    [{ registries: 'ecr:us-east-1:1234' }, "param registries: 'ecr:us-east-1:1234' is not ecr:<region>[:<account-id>][=<host>] (an account id has 12 digits)"],
  ])('%j', async (params, message) => {
    const err = (await glue({ registries: 'ecr:us-east-1', ...params }).catch((e: unknown) => e)) as Error;
    expect(err.message).toContain(message);
    expect(err.stack).toBe(`Error: ${err.message}`);
  });
});
