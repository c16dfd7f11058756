// One execution role per function, each holding exactly the actions that function calls on the
// resources it calls them on, derived from the registries and secrets regcred is configured for.
// A login carries the minting role's rights, so every minting role (http, refresh, rotate) also
// holds the repository rights of the deployment's scope: params `pull` (default *) and `push`.
// Used by serverless.yml as ${file(./deploy/aws/iam.cjs):roles} (functions name them with `role:`),
// :stackOutputs (the repository policy each other account must attach, with real role ARNs once
// deployed) and :repositoryPolicies (the same documents with the role ARNs as intrinsics).
'use strict';

const { inputError, parseRepositoryScope } = require('../shared/repository-scope.cjs');

// What a pull and a push ask ECR for (Amazon ECR user guide, "Private repository policy examples";
// the actions: Service Authorization Reference, Amazon Elastic Container Registry). No delete, no
// repository create: a push goes to repositories that exist.
const ECR_PULL = ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'];
const ECR_PUSH = ['ecr:InitiateLayerUpload', 'ecr:UploadLayerPart', 'ecr:CompleteLayerUpload', 'ecr:PutImage'];
// ECR Public images pull without a login; a push needs these (Service Authorization Reference,
// https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonelasticcontainerregistrypublic.html).
const ECR_PUBLIC_PUSH = ['ecr-public:BatchCheckLayerAvailability', 'ecr-public:InitiateLayerUpload', 'ecr-public:UploadLayerPart', 'ecr-public:CompleteLayerUpload', 'ecr-public:PutImage'];
/** The roles whose logins reach a registry: every function that mints. */
const MINTING_ROLES = ['HttpRole', 'RefreshRole', 'RotateRole'];
/** `ecr:<region>[:<account-id>][=<host>]`; the function's cold start checks the rest of the entry. */
const ECR_ENTRY = /^ecr:([a-z]{2}(?:-[a-z]+)+-\d{1,2})(?::(\d{12}))?(?:=.+)?$/;

module.exports = async ({ resolveVariable }) => {
  const service = await resolveVariable('self:service');
  const stage = await resolveVariable('sls:stage');
  const optional = async (name) => {
    const value = await resolveVariable(`param:${name}`);
    return value === undefined || value === null ? undefined : String(value);
  };
  const entries = String(await resolveVariable('param:registries')).split(',').map((entry) => entry.trim());
  const providers = entries.map((entry) => entry.split(/[:=]/)[0]);
  const ecr = entries.filter((entry) => entry.split(/[:=]/)[0] === 'ecr').map((entry) => {
    const match = ECR_ENTRY.exec(entry);
    if (!match) throw inputError(`param registries: '${entry}' is not ecr:<region>[:<account-id>][=<host>] (an account id has 12 digits)`);
    return { region: match[1], account: match[2] };
  });
  const scope = parseRepositoryScope({ pull: await optional('pull'), push: await optional('push') });

  // Each configured ECR registry's repositories matching the patterns: the own account's
  // (${AWS::AccountId}) and other accounts', whose repository policies must allow these roles too.
  const ecrRepositories = (patterns) =>
    ecr.flatMap(({ region, account }) =>
      patterns.map((p) => ({ 'Fn::Sub': `arn:\${AWS::Partition}:ecr:${region}:${account ?? '${AWS::AccountId}'}:repository/${p}` })),
    );
  const allow = (Action, Resource) => ({ Effect: 'Allow', Action, Resource });
  const registry = [];
  if (ecr.length) {
    // GetAuthorizationToken is an account-level action: IAM accepts no narrower resource than '*'.
    registry.push(allow(['ecr:GetAuthorizationToken'], '*'));
    if (scope.pull.length) registry.push(allow(ECR_PULL, ecrRepositories(scope.pull)));
    if (scope.push.length) registry.push(allow(ECR_PUSH, ecrRepositories(scope.push)));
  }
  if (providers.includes('ecr-public')) {
    registry.push(allow(['ecr-public:GetAuthorizationToken', 'sts:GetServiceBearerToken'], '*'));
    if (scope.push.length) {
      // ECR Public repositories are global: their ARN has no region.
      const repositories = scope.push.map((p) => ({ 'Fn::Sub': `arn:\${AWS::Partition}:ecr-public::\${AWS::AccountId}:repository/${p}` }));
      registry.push(allow(ECR_PUBLIC_PUSH, repositories));
    }
  }

  // Refresh and rotation act only on the example secret (its Ref is its ARN) and the ARNs in
  // param:secretArns, never '*'. Refresh adds versions (stages move by themselves); rotation also
  // reads the pending version and moves AWSCURRENT.
  const secretArns = String((await resolveVariable('param:secretArns')) ?? '')
    .split(',')
    .map((arn) => arn.trim())
    .filter(Boolean);
  for (const arn of secretArns) {
    // A wildcard may stand only for the random 6-character suffix Secrets Manager appends to a
    // name (`-??????`): anything wider (`secret:?*`, `secret:team/*`) would grant secrets nobody listed.
    if (!/^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+$/.test(arn.replace(/-\?{6}$/, ''))) {
      throw inputError(`param secretArns: '${arn}' is not a Secrets Manager secret ARN (only a trailing -?????? may stand for the random suffix)`);
    }
  }
  const onSecrets = (...actions) => ({
    Effect: 'Allow',
    Action: actions.map((a) => `secretsmanager:${a}`),
    Resource: [{ Ref: 'RegcredPullSecret' }, ...secretArns],
  });

  // Writing to its own log group (osls creates the group, so no logs:CreateLogGroup).
  const logs = (fn) => ({
    Effect: 'Allow',
    Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
    Resource: { 'Fn::Sub': `arn:\${AWS::Partition}:logs:\${AWS::Region}:\${AWS::AccountId}:log-group:/aws/lambda/${service}-${stage}-${fn}:*` },
  });
  const role = (fn, statements) => ({
    Type: 'AWS::IAM::Role',
    Properties: {
      AssumeRolePolicyDocument: {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
      },
      Policies: [{ PolicyName: `${service}-${stage}-${fn}`, PolicyDocument: { Version: '2012-10-17', Statement: [logs(fn), ...statements] } }],
    },
  });

  // Cross-account: the other account's repositories must name these roles too (a cross-account
  // call needs both the role's policy and the repository's). One document per account, for each of
  // its repositories in scope; what a role may do there is still only what its own policy allows
  // (the pull set on the pull patterns, the push set on the push patterns).
  const accounts = [...new Set(ecr.map((r) => r.account).filter(Boolean))];
  const repositoryPolicy = (roleArn) => ({
    Version: '2012-10-17',
    Statement: [
      { Sid: 'RegcredPull', Effect: 'Allow', Principal: { AWS: MINTING_ROLES.map(roleArn) }, Action: ECR_PULL },
      ...(scope.push.length ? [{ Sid: 'RegcredPush', Effect: 'Allow', Principal: { AWS: MINTING_ROLES.map(roleArn) }, Action: ECR_PUSH }] : []),
    ],
  });
  const repositoryPolicies = Object.fromEntries(accounts.map((a) => [a, repositoryPolicy((role) => ({ 'Fn::GetAtt': [role, 'Arn'] }))]));
  const inScope = [...new Set(scope.pull)].join(', ');
  const Outputs = Object.fromEntries(
    accounts.map((a) => [
      `RegcredRepositoryPolicy${a}`,
      {
        Description: `regcred cross-account pull: the repository policy account ${a} must set on its repositories ${inScope}`,
        // Fn::Sub turns ${HttpRole.Arn} and the others into the roles' ARNs once they exist.
        Value: { 'Fn::Sub': JSON.stringify(repositoryPolicy((role) => `\${${role}.Arn}`)) },
      },
    ]),
  );

  return {
    roles: {
      HttpRole: role('http', registry),
      RefreshRole: role('refresh', [...registry, onSecrets('DescribeSecret', 'PutSecretValue')]),
      RotateRole: role('rotate', [...registry, onSecrets('DescribeSecret', 'GetSecretValue', 'PutSecretValue', 'UpdateSecretVersionStage')]),
    },
    repositoryPolicies,
    stackOutputs: { Outputs },
  };
};
