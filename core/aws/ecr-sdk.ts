// The only parts of the ECR SDK regcred uses. Loaded with import() on first use (ecr.ts): a dynamic
// import of the package itself would keep every ECR command in the bundle; this keeps two.
export { ECRClient, GetAuthorizationTokenCommand } from '@aws-sdk/client-ecr';
