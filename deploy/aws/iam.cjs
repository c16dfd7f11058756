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
  return { statements };
};
