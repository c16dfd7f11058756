import type { ApiRequest } from '../../core/api.js';
import { BadRequestError } from '../../core/errors.js';
import { checkBody, claimedCaller, eventHttpResult, eventObject, eventPath, isObject, queryOf, stringMap } from '../shared/event.js';
import { httpPipeline } from '../shared/pipeline.js';
import { tencentRuntime, type ScfContext, type TencentRuntime } from './runtime.js';

/**
 * An SCF event function behind two HTTP front doors, both handing over the same API-Gateway-style
 * event (https://cloud.tencent.com/document/product/583/96099, /583/31927):
 * - a **function URL** with CAM auth: `{ httpMethod, path, queryString, headers, body }`;
 * - an **API Gateway trigger**: the same fields plus `requestContext { serviceId, path, httpMethod,
 *   requestId, identity: { secretId }, sourceIp, stage }`, `queryStringParameters`, `headerParameters`, ….
 * Both turn `{ isBase64Encoded, statusCode, headers, body }` into the HTTP response.
 *
 * Caller identity: SCF passes none it verified. A TC3-signed call's `Authorization: TC3-HMAC-SHA256
 * Credential=<SecretId>/...` is in the function URL's event, the API Gateway event carries
 * `requestContext.identity.secretId`; but whoever holds `scf:InvokeFunction` writes the whole event,
 * those fields included. So the key id is only a claim, marked unverified in the audit line, and
 * REGCRED_ALLOWED_CALLERS is refused on this cloud (core/tencent/cloud.ts). CAM's
 * scf:InvokeFunctionUrl (and who holds scf:InvokeFunction) is the gate.
 */
export interface ScfHttpEvent {
  httpMethod?: string;
  path?: string;
  /** Every query parameter (a repeated one may come as a list). */
  queryString?: Record<string, string | string[]>;
  /** API Gateway: the query parameters the API declares. */
  queryStringParameters?: Record<string, string>;
  headers?: Record<string, string>;
  body?: string;
  isBase64Encoded?: boolean;
  requestContext?: { serviceId?: string; path?: string; httpMethod?: string; requestId?: string; identity?: { secretId?: string }; sourceIp?: string; stage?: string };
}

export function toApiRequest(raw: unknown): ApiRequest {
  const event = eventObject(raw);
  const context = isObject(event.requestContext) ? event.requestContext : {};
  const path = eventPath(event.path, 'event.path');
  const method = event.httpMethod ?? context.httpMethod ?? 'GET';
  if (typeof method !== 'string' || !/^[A-Za-z]{1,16}$/.test(method)) throw new BadRequestError('event.httpMethod must be an HTTP method');
  checkBody(event);
  const caller = claimedCaller(stringMap(event.headers, 'event.headers'), /^TC3-HMAC-SHA256\s+Credential=([A-Za-z0-9]{1,128})\//) ?? claimedSecretId(context.identity);
  return {
    method: method.toUpperCase(),
    path,
    query: queryOf(event.queryString ?? event.queryStringParameters, 'event.queryString'),
    ...(caller && { caller }),
    callerVerified: false,
  };
}

/** API Gateway's key-pair SecretId (also written by whoever invokes the function directly). */
function claimedSecretId(identity: unknown): string | undefined {
  const id = isObject(identity) ? identity.secretId : undefined;
  return typeof id === 'string' && /^[A-Za-z0-9]{1,128}$/.test(id) ? id : undefined;
}

const translation = { toApiRequest, toResult: eventHttpResult };

/** The handler over a runtime built elsewhere (tests, the local server). */
export const createHttpHandler = (runtime: TencentRuntime) => httpPipeline<TencentRuntime, ScfContext | undefined, ReturnType<typeof eventHttpResult>>(() => runtime, translation);

/** SCF entry point (`index.handler`); the runtime is built on the first invocation (handlers/shared/pipeline.ts). */
export const handler = httpPipeline<TencentRuntime, ScfContext | undefined, ReturnType<typeof eventHttpResult>>(() => tencentRuntime(process.env), translation);
