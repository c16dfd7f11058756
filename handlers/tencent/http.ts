import { createApi, errorResponse, type ApiRequest, type ApiResponse } from '../../core/api.js';
import { BadRequestError, InternalError } from '../../core/errors.js';
import { eventPath, isObject, parseJsonEvent } from '../shared/event.js';
import { answerHttp } from '../shared/http-answer.js';
import { coldStart, type Started } from '../shared/cold-start.js';
import { tencentRuntime, type ScfContext, type TencentRuntime } from './runtime.js';

/**
 * An SCF event function behind two HTTP front doors, both handing over the same API-Gateway-style
 * event (https://cloud.tencent.com/document/product/583/96099, /583/31927):
 *
 * - a **function URL** with CAM auth: `{ httpMethod, path, queryString, headers, body }` (the
 *   gateway's `requestContext`, `queryStringParameters`, … are left out);
 * - an **API Gateway trigger**: the same fields plus `requestContext { serviceId, path, httpMethod,
 *   requestId, identity: { secretId }, sourceIp, stage }`, `queryStringParameters`, `headerParameters`, ….
 *
 * The answer `{ isBase64Encoded, statusCode, headers, body }` is what both turn into the HTTP response.
 *
 * Caller identity: SCF passes none it verified. The function URL's event carries the request's
 * headers, so a TC3-signed call's `Authorization: TC3-HMAC-SHA256 Credential=<SecretId>/...` is
 * there, and the API Gateway event carries `requestContext.identity.secretId`; but whoever holds
 * `scf:InvokeFunction` on the function writes the whole event, those fields included. So the key id
 * is only a claim: it goes into the audit line marked unverified, and REGCRED_ALLOWED_CALLERS is
 * refused on this cloud (core/tencent/cloud.ts). CAM's scf:InvokeFunctionUrl (and who holds
 * scf:InvokeFunction) is the gate.
 */
export interface ScfHttpEvent {
  httpMethod?: string;
  path?: string;
  /** Function URL and API Gateway: every query parameter (a repeated one may come as a list). */
  queryString?: Record<string, string | string[]>;
  /** API Gateway: the query parameters the API declares. */
  queryStringParameters?: Record<string, string>;
  headers?: Record<string, string>;
  body?: string;
  isBase64Encoded?: boolean;
  requestContext?: { serviceId?: string; path?: string; httpMethod?: string; requestId?: string; identity?: { secretId?: string }; sourceIp?: string; stage?: string };
}

export interface ScfHttpResult {
  isBase64Encoded: false;
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * @example
 * export const handler = createHttpHandler(tencentRuntime(process.env));
 */
export function createHttpHandler(runtime: TencentRuntime) {
  const api = createApi({ service: runtime.service, log: runtime.log, allowedCallers: runtime.config.allowedCallers });

  return async function handler(event: unknown, context?: ScfContext): Promise<ScfHttpResult> {
    const budget = runtime.invocation(context);
    return scfResult(await answerHttp(api, () => toApiRequest(event), budget, budget.log ?? runtime.log));
  };
}

/** Translate SCF's event into the cloud-neutral request; BadRequestError names what is wrong. */
export function toApiRequest(raw: unknown): ApiRequest {
  const event = parseEvent(raw);
  const path = eventPath(event.path, 'event.path');
  const method = event.httpMethod ?? event.requestContext?.httpMethod ?? 'GET';
  if (typeof method !== 'string' || !/^[A-Za-z]{1,16}$/.test(method)) throw new BadRequestError('event.httpMethod must be an HTTP method');
  if (event.body !== undefined && event.body !== null && typeof event.body !== 'string') throw new BadRequestError('event.body must be a string');
  const headers = stringMap(event.headers, 'headers');
  const caller = callerOf(headers) ?? claimedSecretId(event.requestContext);
  return {
    method: method.toUpperCase(),
    path,
    query: queryOf(event),
    ...(caller && { caller }),
    callerVerified: false,
  };
}

function parseEvent(raw: unknown): ScfHttpEvent {
  const value = parseJsonEvent(raw, 'event');
  if (!isObject(value)) throw new BadRequestError('event must be a JSON object');
  if (value.requestContext !== undefined && value.requestContext !== null && !isObject(value.requestContext)) throw new BadRequestError('event.requestContext must be an object');
  return value as ScfHttpEvent;
}

/** `queryString` holds every parameter (a list for a repeated one); `queryStringParameters` only declared ones. */
function queryOf(event: ScfHttpEvent): string {
  const source = event.queryString ?? event.queryStringParameters;
  if (source === undefined || source === null) return '';
  if (!isObject(source)) throw new BadRequestError('event.queryString must be an object');
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(source)) {
    const values = Array.isArray(value) ? value : [value];
    if (!values.every((v) => typeof v === 'string')) throw new BadRequestError('event.queryString values must be strings');
    for (const v of values as string[]) params.append(key, v);
  }
  return params.toString();
}

function stringMap(value: unknown, name: string): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (!isObject(value) || Object.values(value).some((v) => typeof v !== 'string')) throw new BadRequestError(`event.${name} must be an object of strings`);
  return value as Record<string, string>;
}

/** The SecretId a TC3 Authorization header names (a claim; an id, not a secret). */
function callerOf(headers: Record<string, string>): string | undefined {
  const auth = Object.entries(headers).find(([k]) => k.toLowerCase() === 'authorization')?.[1];
  return auth ? /^TC3-HMAC-SHA256\s+Credential=([A-Za-z0-9]{1,128})\//.exec(auth.trim())?.[1] : undefined;
}

/** API Gateway's key-pair SecretId (also written by whoever invokes the function directly). */
function claimedSecretId(context: ScfHttpEvent['requestContext']): string | undefined {
  const id = context?.identity?.secretId;
  return typeof id === 'string' && /^[A-Za-z0-9]{1,128}$/.test(id) ? id : undefined;
}

function scfResult(res: ApiResponse): ScfHttpResult {
  return { isBase64Encoded: false, ...res };
}

let started: Started<ReturnType<typeof createHttpHandler>> | undefined;

/**
 * SCF entry point (`index.handler`). The runtime is built on the first invocation, not at import;
 * a bad configuration answers every invocation with a generic 500 and the cold-start log line names
 * the variable.
 */
export const handler = async (event: unknown, context?: ScfContext): Promise<ScfHttpResult> => {
  started ??= coldStart(() => createHttpHandler(tencentRuntime(process.env)));
  return started.ok ? started.runtime(event, context) : scfResult(errorResponse(new InternalError()));
};
