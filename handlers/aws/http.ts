import middy from '@middy/core';
import type { Context, LambdaFunctionURLEventWithIAMAuthorizer, LambdaFunctionURLResult } from 'aws-lambda';
import { createApi, errorResponse } from '../../core/api.js';
import { InternalError } from '../../core/errors.js';
import { coldStart, type Started } from '../shared/cold-start.js';
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
    .handler(async (event, context) => {
      const invocation = runtime.invocation(context);
      try {
        return await api(
          {
            method: event.requestContext.http.method,
            path: event.rawPath,
            query: event.rawQueryString ?? '',
            caller: event.requestContext.authorizer?.iam?.userArn,
            // IAM verified it, provided callers hold lambda:InvokeFunction only via the function URL (README, "Security").
            callerVerified: event.requestContext.authorizer?.iam?.userArn !== undefined,
          },
          invocation,
        );
      } finally {
        invocation.metrics?.flush();
      }
    });
}

let started: Started<ReturnType<typeof createHttpHandler>> | undefined;

/**
 * Lambda entry point; the runtime is built on the first invocation of an instance, as every other
 * handler's (importing the module has no side effect). A misconfigured function answers a generic
 * 500; the cold-start log line names the variable.
 */
export const handler = async (event: LambdaFunctionURLEventWithIAMAuthorizer, context: Context): Promise<LambdaFunctionURLResult> => {
  started ??= coldStart(() => createHttpHandler(awsRuntime(process.env)));
  return started.ok ? started.runtime(event, context) : errorResponse(new InternalError());
};
