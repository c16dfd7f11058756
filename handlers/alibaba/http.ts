import { createApi, errorResponse, type ApiRequest, type ApiResponse } from '../../core/api.js';
import { BadRequestError, InternalError } from '../../core/errors.js';
import { eventMethod, eventPath } from '../shared/event.js';
import { answerHttp } from '../shared/http-answer.js';
import { coldStart, type Started } from '../shared/cold-start.js';
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
 * REGCRED_ALLOWED_CALLERS is refused on this cloud (runtime.ts). RAM's fc:InvokeFunction is the gate.
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

export interface FcHttpResult {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
  isBase64Encoded: false;
}


/**
 * @example
 * export const handler = createHttpHandler(alibabaRuntime(process.env));
 */
export function createHttpHandler(runtime: AlibabaRuntime) {
  const api = createApi({ service: runtime.service, log: runtime.log, allowedCallers: runtime.config.allowedCallers });

  return async function handler(event: Buffer | string | object, context?: FcContext): Promise<FcHttpResult> {
    const budget = runtime.invocation(context);
    return fcResult(await answerHttp(api, () => toApiRequest(event), budget, budget.log ?? runtime.log));
  };
}

/** Translate FC's event into the cloud-neutral request; BadRequestError names what is wrong. */
export function toApiRequest(raw: Buffer | string | object): ApiRequest {
  const event = parseEvent(raw);
  const path = eventPath(event.rawPath, 'event.rawPath');
  const method = eventMethod(event.requestContext?.http?.method ?? 'GET', 'event.requestContext.http.method');
  if (event.body !== undefined && event.body !== null && typeof event.body !== 'string') throw new BadRequestError('event.body must be a string');
  if (event.isBase64Encoded !== undefined && typeof event.isBase64Encoded !== 'boolean') throw new BadRequestError('event.isBase64Encoded must be a boolean');
  const caller = callerOf(stringMap(event.headers, 'headers'));
  return {
    method,
    path,
    query: new URLSearchParams(Object.entries(stringMap(event.queryParameters, 'queryParameters'))).toString(),
    ...(caller && { caller }),
    callerVerified: false,
  };
}

function parseEvent(raw: Buffer | string | object): FcHttpEvent {
  let value: unknown = raw;
  if (Buffer.isBuffer(raw) || typeof raw === 'string') {
    try {
      value = JSON.parse(raw.toString());
    } catch {
      throw new BadRequestError('event is not JSON');
    }
  }
  if (!isObject(value)) throw new BadRequestError('event must be a JSON object');
  if (value.requestContext !== undefined && !isObject(value.requestContext)) throw new BadRequestError('event.requestContext must be an object');
  const http = (value.requestContext as Record<string, unknown> | undefined)?.http;
  if (http !== undefined && !isObject(http)) throw new BadRequestError('event.requestContext.http must be an object');
  return value as unknown as FcHttpEvent;
}

function stringMap(value: unknown, name: string): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (!isObject(value) || Object.values(value).some((v) => typeof v !== 'string')) {
    throw new BadRequestError(`event.${name} must be an object of strings`);
  }
  return value as Record<string, string>;
}

/** The AccessKeyId an ACS3 Authorization header names (a claim; an id, not a secret). */
function callerOf(headers: Record<string, string>): string | undefined {
  const auth = Object.entries(headers).find(([k]) => k.toLowerCase() === 'authorization')?.[1];
  return auth ? /^ACS3-HMAC-SHA256 Credential=([A-Za-z0-9.]{1,128}),/.exec(auth.trim())?.[1] : undefined;
}

function fcResult(res: ApiResponse): FcHttpResult {
  return { ...res, isBase64Encoded: false };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

let started: Started<ReturnType<typeof createHttpHandler>> | undefined;

/**
 * FC entry point (`index.handler`). The runtime is built on the first invocation, not at import,
 * so loading the bundle costs nothing but the code. A bad configuration answers every invocation
 * with a generic 500; the cold-start log line names the variable.
 */
export const handler = async (event: Buffer | string | object, context?: FcContext): Promise<FcHttpResult> => {
  started ??= coldStart(() => createHttpHandler(alibabaRuntime(process.env)));
  return started.ok ? started.runtime(event, context) : fcResult(errorResponse(new InternalError()));
};
