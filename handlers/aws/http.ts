import type { LambdaFunctionURLResult } from 'aws-lambda';
import type { ApiRequest } from '../../core/api.js';
import { BadRequestError } from '../../core/errors.js';
import { eventMethod, eventPath, isObject } from '../shared/event.js';
import { httpPipeline } from '../shared/pipeline.js';
import { awsRuntime, type AwsRuntime, type LambdaContext } from './runtime.js';

/**
 * Lambda function URL (payload 2.0, AuthType AWS_IAM): the caller is whoever signed the request,
 * as IAM authenticated it in `requestContext.authorizer.iam`. The event is checked before it is
 * read: Lambda writes a function URL's event itself, but a direct invocation writes its own, so
 * a malformed one is a 400 naming the field, never a TypeError answered as a 500.
 */
export function toApiRequest(event: unknown): ApiRequest {
  if (!isObject(event)) throw new BadRequestError('event must be a JSON object');
  const { requestContext, rawPath, rawQueryString } = event;
  if (!isObject(requestContext) || !isObject(requestContext.http)) throw new BadRequestError('event.requestContext.http must be an object');
  const method = eventMethod(requestContext.http.method, 'event.requestContext.http.method');
  const path = eventPath(rawPath, 'event.rawPath');
  if (rawQueryString !== undefined && typeof rawQueryString !== 'string') throw new BadRequestError('event.rawQueryString must be a string');
  const iam = isObject(requestContext.authorizer) && isObject(requestContext.authorizer.iam) ? requestContext.authorizer.iam : undefined;
  const caller = typeof iam?.userArn === 'string' ? iam.userArn : undefined;
  return {
    method,
    path,
    query: rawQueryString ?? '',
    ...(caller && { caller }),
    // IAM verified it, provided callers hold lambda:InvokeFunction only via the function URL (README, "Security").
    callerVerified: caller !== undefined,
  };
}

const translation = { toApiRequest, toResult: (answer: LambdaFunctionURLResult) => answer };

/** The handler over a runtime built elsewhere (tests, the local server). */
export function createHttpHandler(runtime: AwsRuntime) {
  return httpPipeline<AwsRuntime, LambdaContext, LambdaFunctionURLResult>(() => runtime, translation);
}

/** Lambda entry point; the runtime is built on the first invocation of an instance (handlers/shared/pipeline.ts). */
export const handler = httpPipeline<AwsRuntime, LambdaContext, LambdaFunctionURLResult>(() => awsRuntime(process.env), translation);
