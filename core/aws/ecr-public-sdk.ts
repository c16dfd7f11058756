// The only parts of the ECR Public SDK regcred uses, loaded on first use (see ecr-sdk.ts).
export { ECRPUBLICClient, GetAuthorizationTokenCommand } from '@aws-sdk/client-ecr-public';
