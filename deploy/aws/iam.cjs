// The execution role's statements, derived from the registries and secrets regcred is configured
// for, so the role holds exactly the actions it uses on the resources it uses.
// Used by serverless.yml as ${file(./deploy/aws/iam.cjs):statements}.
'use strict';

module.exports = async ({ resolveVariable }) => {
  const registries = String(await resolveVariable('param:registries'))
    .split(',')
    .map((entry) => entry.trim().split(':')[0]);
  const statements = [];
  if (registries.includes('ecr')) {
    // GetAuthorizationToken is an account-level action: IAM accepts no narrower resource than '*'.
    statements.push({ Effect: 'Allow', Action: ['ecr:GetAuthorizationToken'], Resource: '*' });
  }
  if (registries.includes('ecr-public')) {
    statements.push({ Effect: 'Allow', Action: ['ecr-public:GetAuthorizationToken', 'sts:GetServiceBearerToken'], Resource: '*' });
  }
  // Refresh and rotation: the four calls they make, only on the example secret (its Ref is its ARN)
  // and the ARNs configured in param:secretArns. Never '*'.
  const secretArns = String((await resolveVariable('param:secretArns')) ?? '')
    .split(',')
    .map((arn) => arn.trim())
    .filter(Boolean);
  for (const arn of secretArns) {
    if (!/^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[^*]+[?*]*$/.test(arn)) {
      throw new Error(`param secretArns: '${arn}' is not a Secrets Manager secret ARN (a trailing ?????? or * for the suffix is allowed)`);
    }
  }
  statements.push({
    Effect: 'Allow',
    Action: ['secretsmanager:PutSecretValue', 'secretsmanager:DescribeSecret', 'secretsmanager:GetSecretValue', 'secretsmanager:UpdateSecretVersionStage'],
    Resource: [{ Ref: 'RegcredPullSecret' }, ...secretArns],
  });
  return { statements };
};
