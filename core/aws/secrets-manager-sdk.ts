// The only parts of the Secrets Manager SDK regcred uses, loaded on first use (see ./ecr-sdk.ts).
export {
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
