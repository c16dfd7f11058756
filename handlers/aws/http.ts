import type { Context, LambdaFunctionURLResult } from 'aws-lambda';
import { createApi, errorResponse, type ApiRequest } from '../../core/api.js';
import { BadRequestError, InternalError } from '../../core/errors.js';
import { coldStart, type Started } from '../shared/cold-start.js';
import { eventMethod, eventPath, isObject } from '../shared/event.js';
import { answerHttp } from '../shared/http-answer.js';
import { awsRuntime, type AwsRuntime } from './runtime.js';

/**
 * Lambda function URL (payload 2.0, AuthType AWS_IAM): the caller is whoever signed the request,
 * as IAM authenticated it in `requestContext.authorizer.iam`. The event is checked before it is
 * read: Lambda writes a function URL's event itself, but a direct invocation writes its own, so
 * a malformed one is a 400 naming the field, never a TypeError answered as a 500.
 */
export function createHttpHandler(runtime: AwsRuntime) {
  const api = createApi({ service: runtime.service, log: runtime.log, allowedCallers: runtime.config.allowedCallers });
  return async function handle(event: unknown, context: Pick<Context, 'getRemainingTimeInMillis'> & Partial<Context>): Promise<LambdaFunctionURLResult> {
    const invocation = runtime.invocation(context);
    return answerHttp(api, () => toApiRequest(event), invocation, invocation.log ?? runtime.log);
  };
}

/** Translate a function URL event (payload 2.0) into the cloud-neutral request; BadRequestError names what is wrong. */
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

let started: Started<ReturnType<typeof createHttpHandler>> | undefined;

/**
 * Lambda entry point; the runtime is built on the first invocation of an instance, as every other
 * handler's (importing the module has no side effect). A misconfigured function answers a generic
 * 500; the cold-start log line names the variable.
 */
export const handler = async (event: unknown, context: Context): Promise<LambdaFunctionURLResult> => {
  started ??= coldStart(() => createHttpHandler(awsRuntime(process.env)));
  return started.ok ? started.runtime(event, context) : errorResponse(new InternalError());
};
