import middy from '@middy/core';
import type { Context, LambdaFunctionURLEventWithIAMAuthorizer, LambdaFunctionURLResult } from 'aws-lambda';
import { createApi } from '../../core/api.js';
import { budgetFor } from '../../core/service.js';
import { errorBoundary } from '../shared/error-boundary.js';
import { awsRuntime, type AwsRuntime } from './runtime.js';

/**
 * Lambda function URL (payload 2.0, AuthType AWS_IAM): the caller is whoever signed the request,
 * as IAM authenticated it in `requestContext.authorizer.iam`.
 */
export function createHttpHandler(runtime: AwsRuntime) {
  const api = createApi({ service: runtime.service, log: runtime.log, allowedCallers: runtime.config.allowedCallers });
  return middy<LambdaFunctionURLEventWithIAMAuthorizer, LambdaFunctionURLResult, Error, Context>()
    .use(errorBoundary(runtime.log))
    .handler((event, context) =>
      api(
        {
          method: event.requestContext.http.method,
          path: event.rawPath,
          query: event.rawQueryString ?? '',
          caller: event.requestContext.authorizer?.iam?.userArn,
        },
        budgetFor(context.getRemainingTimeInMillis()),
      ),
    );
}

export const handler = createHttpHandler(awsRuntime(process.env));
