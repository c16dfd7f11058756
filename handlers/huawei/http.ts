import type { ApiRequest } from '../../core/api.js';
import { checkBody, claimedCaller, eventHttpResult, eventMethod, eventObject, eventPath, queryOf, stringMap } from '../shared/event.js';
import { httpPipeline } from '../shared/pipeline.js';
import { huaweiRuntime, type FunctionGraphContext, type HuaweiRuntime } from './runtime.js';

/**
 * FunctionGraph event function behind an APIG trigger with IAM authentication. APIG hands the
 * request over as `{ httpMethod, path, queryStringParameters, headers, body, isBase64Encoded,
 * requestContext: { apiId, requestId, stage, sourceIp } }` and maps `{ statusCode, headers, body,
 * isBase64Encoded }` back to the HTTP response (FunctionGraph developer guide, functiongraph_02_0741).
 *
 * Caller identity: APIG verifies the caller's SDK-HMAC-SHA256 signature (or IAM token) before the
 * function runs, but passes the function nothing it verified about the caller; and a caller
 * holding `functiongraph:function:invoke` may call InvokeFunction with any event, headers included.
 * So the AK in an `Authorization: SDK-HMAC-SHA256 Access=<AK>, …` header is only a claim: it goes
 * into the audit line marked unverified, and REGCRED_ALLOWED_CALLERS is refused on this cloud
 * (core/huawei/cloud.ts). The gate is APIG: IAM authentication and the PERMIT access control policy
 * by account that deploy:huawei binds to the API; and IAM on who may invoke the function.
 */
export interface ApigEvent {
  httpMethod: string;
  path: string;
  headers?: Record<string, string>;
  /** A repeated query parameter comes as an array of its values. */
  queryStringParameters?: Record<string, string | string[]>;
  pathParameters?: Record<string, string>;
  requestContext?: { apiId?: string; requestId?: string; stage?: string; sourceIp?: string };
  body?: string;
  isBase64Encoded?: boolean;
}

export function toApiRequest(raw: unknown): ApiRequest {
  const event = eventObject(raw);
  const path = eventPath(event.path, 'event.path');
  const method = eventMethod(event.httpMethod, 'event.httpMethod');
  checkBody(event);
  const caller = claimedCaller(stringMap(event.headers, 'event.headers'), /^SDK-HMAC-SHA256\s+Access=([A-Za-z0-9]{1,128}),/);
  return {
    method,
    path,
    query: queryOf(event.queryStringParameters, 'event.queryStringParameters'),
    ...(caller && { caller }),
    callerVerified: false,
  };
}

const translation = { toApiRequest, toResult: eventHttpResult };

/** The handler over a runtime built elsewhere (tests, the local server). */
export const createHttpHandler = (runtime: HuaweiRuntime) => httpPipeline<HuaweiRuntime, FunctionGraphContext | undefined, ReturnType<typeof eventHttpResult>>(() => runtime, translation);

/** FunctionGraph entry point (`index.handler`); the runtime is built on the first invocation (handlers/shared/pipeline.ts). */
export const handler = httpPipeline<HuaweiRuntime, FunctionGraphContext | undefined, ReturnType<typeof eventHttpResult>>(() => huaweiRuntime(process.env), translation);
