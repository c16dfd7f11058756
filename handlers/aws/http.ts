import middy from '@middy/core';
import type { Context, LambdaFunctionURLEventWithIAMAuthorizer, LambdaFunctionURLResult } from 'aws-lambda';
import { createApi, errorResponse } from '../../core/api.js';
import { InternalError } from '../../core/errors.js';
import { coldStart } from '../shared/cold-start.js';
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
          // IAM verified it, provided callers hold lambda:InvokeFunction only via the function URL (README, "Security").
          callerVerified: event.requestContext.authorizer?.iam?.userArn !== undefined,
        },
        runtime.invocation(context),
      ),
    );
}

const started = coldStart(() => awsRuntime(process.env));

/** Lambda entry point. A misconfigured function answers a generic 500; the cold-start log line names the variable. */
export const handler = started.ok ? createHttpHandler(started.runtime) : async () => errorResponse(new InternalError());
