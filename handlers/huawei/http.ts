import { createApi, errorResponse, type ApiRequest } from '../../core/api.js';
import { BadRequestError, InternalError } from '../../core/errors.js';
import { coldStart, type Started } from '../shared/cold-start.js';
import { eventHttpHandler, eventMethod, eventPath, isObject, parseJsonEvent, type EventHttpResult } from '../shared/event.js';
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
  queryStringParameters?: Record<string, string | string[]>;
  pathParameters?: Record<string, string>;
  requestContext?: { apiId?: string; requestId?: string; stage?: string; sourceIp?: string };
  body?: string;
  isBase64Encoded?: boolean;
}

export type ApigResult = EventHttpResult;

/**
 * @example
 * export const handler = createHttpHandler(huaweiRuntime(process.env));
 */
export function createHttpHandler(runtime: HuaweiRuntime) {
  return eventHttpHandler<unknown, FunctionGraphContext>({
    api: createApi({ service: runtime.service, log: runtime.log, allowedCallers: runtime.config.allowedCallers }),
    log: runtime.log,
    invocation: (context) => runtime.invocation(context),
    toApiRequest,
  });
}

/** Translate APIG's event into the cloud-neutral request; BadRequestError names what is wrong. */
export function toApiRequest(raw: unknown): ApiRequest {
  const event = parseEvent(raw);
  const path = eventPath(event.path, 'event.path');
  const method = eventMethod(event.httpMethod, 'event.httpMethod');
  if (event.body !== undefined && event.body !== null && typeof event.body !== 'string') throw new BadRequestError('event.body must be a string');
  if (event.isBase64Encoded !== undefined && typeof event.isBase64Encoded !== 'boolean') throw new BadRequestError('event.isBase64Encoded must be a boolean');
  const caller = callerOf(headersOf(event.headers));
  return {
    method,
    path,
    query: queryOf(event.queryStringParameters),
    ...(caller && { caller }),
    callerVerified: false,
  };
}

function parseEvent(raw: unknown): ApigEvent {
  const value = parseJsonEvent(raw, 'event');
  if (!isObject(value)) throw new BadRequestError('event must be a JSON object');
  if (value.requestContext !== undefined && value.requestContext !== null && !isObject(value.requestContext)) {
    throw new BadRequestError('event.requestContext must be an object');
  }
  return value as unknown as ApigEvent;
}

function headersOf(value: unknown): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (!isObject(value) || Object.values(value).some((v) => typeof v !== 'string')) throw new BadRequestError('event.headers must be an object of strings');
  return value as Record<string, string>;
}

/** APIG passes a repeated query parameter as an array of its values. */
function queryOf(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (!isObject(value)) throw new BadRequestError('event.queryStringParameters must be an object');
  const params = new URLSearchParams();
  for (const [name, v] of Object.entries(value)) {
    const values = Array.isArray(v) ? v : [v];
    if (values.some((x) => typeof x !== 'string')) throw new BadRequestError('event.queryStringParameters must hold strings');
    for (const x of values as string[]) params.append(name, x);
  }
  return params.toString();
}

/** The AK an SDK-HMAC-SHA256 Authorization header names (a claim; an id, not a secret). */
function callerOf(headers: Record<string, string>): string | undefined {
  const auth = Object.entries(headers).find(([k]) => k.toLowerCase() === 'authorization')?.[1];
  return auth ? /^SDK-HMAC-SHA256\s+Access=([A-Za-z0-9]{1,128}),/.exec(auth.trim())?.[1] : undefined;
}


let started: Started<ReturnType<typeof createHttpHandler>> | undefined;

/**
 * FunctionGraph entry point (`index.handler`). The runtime is built on the first invocation, not
 * at import; a bad configuration answers every invocation with a generic 500 and the cold-start
 * log line names the variable.
 */
export const handler = async (event: unknown, context?: FunctionGraphContext): Promise<ApigResult> => {
  started ??= coldStart(() => createHttpHandler(huaweiRuntime(process.env)));
  return started.ok ? started.runtime(event, context) : { ...errorResponse(new InternalError()), isBase64Encoded: false };
};
