import type { CloudFunctions } from '../functions.js';

/**
 * What ships on AWS: one Lambda function per handler. serverless.yml deploys them (osls cannot read
 * this file: deploy/aws/functions.test.ts keeps the two in step).
 */
export const AWS_FUNCTIONS = {
  http: { cloud: 'aws', name: 'http', entry: 'handlers/aws/http.ts' },
  refresh: { cloud: 'aws', name: 'refresh', entry: 'handlers/aws/refresh.ts' },
  rotate: { cloud: 'aws', name: 'rotate', entry: 'handlers/aws/rotate.ts' },
} as const satisfies CloudFunctions;
