import type { CloudModule } from '../cloud-module.js';

/** AWS: ECR and ECR Public behind a Lambda function URL (AWS_IAM), Secrets Manager for refreshes. */
export const AWS: CloudModule = {
  id: 'aws',
  providers: [
    // `ecr:<region>` is the role's own registry; `ecr:<region>:<account-id>` another account's (cross-account pull).
    { id: 'ecr', instanceId: { pattern: /^\d{12}$/, example: '123456789012 (an account id)', optional: true } },
    { id: 'ecr-public', regions: ['us-east-1'] },
  ],
  stores: ['secrets-manager'],
  // The AWS SDK reads AWS_ENDPOINT_URL_ECR, _ECR_PUBLIC and _SECRETS_MANAGER itself.
  endpointVariables: [],
  // Lambda's execution role keys (Lambda developer guide, "Defined runtime environment variables").
  secretVariables: ['AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN'],
  sdkPackages: ['@aws-sdk/client-ecr', '@aws-sdk/client-ecr-public', '@aws-sdk/client-secrets-manager'],
};
