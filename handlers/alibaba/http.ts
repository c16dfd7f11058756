import type { ApiRequest } from '../../core/api.js';
import { BadRequestError } from '../../core/errors.js';
import { checkBody, claimedCaller, eventHttpResult, eventMethod, eventObject, eventPath, isObject, stringMap } from '../shared/event.js';
import { httpPipeline } from '../shared/pipeline.js';
import { alibabaRuntime, type AlibabaRuntime, type FcContext } from './runtime.js';

/**
 * Function Compute 3.0 HTTP trigger (built-in runtime): FC hands the request over as a JSON event
 * (a Buffer) `{ version, rawPath, headers, queryParameters, requestContext, body, isBase64Encoded }`
 * and maps `{ statusCode, headers, body, isBase64Encoded }` back to the HTTP response.
 *
 * The same handler serves `InvokeFunction` with an event of that shape (`requestContext` may be
 * left out: the method is then GET).
 *
 * Caller identity: FC passes none it verified (`requestContext.accountId` is the function owner's
 * account, not the caller's). A signed HTTP request carries `Authorization: ACS3-HMAC-SHA256
 * Credential=<AccessKeyId>,...`, but an `InvokeFunction` caller writes the whole event, that header
 * included, so the key id is only a claim: it goes into the audit line marked unverified, and
 * REGCRED_ALLOWED_CALLERS is refused on this cloud (core/alibaba/cloud.ts). RAM's fc:InvokeFunction is the gate.
 */
export interface FcHttpEvent {
  version?: string;
  rawPath: string;
  headers?: Record<string, string>;
  queryParameters?: Record<string, string>;
  requestContext?: { accountId?: string; requestId?: string; http?: { method?: string; path?: string; sourceIp?: string } };
  body?: string;
  isBase64Encoded?: boolean;
}

export function toApiRequest(raw: unknown): ApiRequest {
  const event = eventObject(raw);
  const http = isObject(event.requestContext) ? event.requestContext.http : undefined;
  if (http !== undefined && !isObject(http)) throw new BadRequestError('event.requestContext.http must be an object');
  const method = eventMethod(http?.method ?? 'GET', 'event.requestContext.http.method');
  const path = eventPath(event.rawPath, 'event.rawPath');
  checkBody(event);
  const caller = claimedCaller(stringMap(event.headers, 'event.headers'), /^ACS3-HMAC-SHA256 Credential=([A-Za-z0-9.]{1,128}),/);
  return {
    method,
    path,
    query: new URLSearchParams(stringMap(event.queryParameters, 'event.queryParameters')).toString(),
    ...(caller && { caller }),
    callerVerified: false,
  };
}

const translation = { toApiRequest, toResult: eventHttpResult };

/** The handler over a runtime built elsewhere (tests, the local server). */
export const createHttpHandler = (runtime: AlibabaRuntime) => httpPipeline<AlibabaRuntime, FcContext | undefined, ReturnType<typeof eventHttpResult>>(() => runtime, translation);

/** FC entry point (`index.handler`); the runtime is built on the first invocation (handlers/shared/pipeline.ts). */
export const handler = httpPipeline<AlibabaRuntime, FcContext | undefined, ReturnType<typeof eventHttpResult>>(() => alibabaRuntime(process.env), translation);
