// One execution role per function, each holding exactly the actions that function calls on the
// resources it calls them on, derived from the registries and secrets regcred is configured for.
// Used by serverless.yml as ${file(./deploy/aws/iam.cjs):roles} (functions name them with `role:`).
'use strict';

module.exports = async ({ resolveVariable }) => {
  const service = await resolveVariable('self:service');
  const stage = await resolveVariable('sls:stage');
  const providers = String(await resolveVariable('param:registries'))
    .split(',')
    .map((entry) => entry.trim().split(':')[0]);

  const registry = [];
  if (providers.includes('ecr')) {
    // GetAuthorizationToken is an account-level action: IAM accepts no narrower resource than '*'.
    registry.push({ Effect: 'Allow', Action: ['ecr:GetAuthorizationToken'], Resource: '*' });
  }
  if (providers.includes('ecr-public')) {
    registry.push({ Effect: 'Allow', Action: ['ecr-public:GetAuthorizationToken', 'sts:GetServiceBearerToken'], Resource: '*' });
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
      throw new Error(`param secretArns: '${arn}' is not a Secrets Manager secret ARN (only a trailing -?????? may stand for the random suffix)`);
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

  return {
    roles: {
      HttpRole: role('http', registry),
      RefreshRole: role('refresh', [...registry, onSecrets('DescribeSecret', 'PutSecretValue')]),
      RotateRole: role('rotate', [...registry, onSecrets('DescribeSecret', 'GetSecretValue', 'PutSecretValue', 'UpdateSecretVersionStage')]),
    },
  };
};
