// Reference for the cold-start table: the ECR SDK client alone, bundled like a handler. What
// regcred's AWS handler cannot go below while it loads the SDK at cold start.
import { ECRClient, GetAuthorizationTokenCommand } from '@aws-sdk/client-ecr';

export const handler = { ECRClient, GetAuthorizationTokenCommand };
