/**
 * Alibaba Cloud's OpenAPI gateway as a {@link CloudWire} for the shared front end: every request's
 * ACS3-HMAC-SHA256 signature is checked by the independent verifier in acs3.ts (with a replay
 * check on the nonce), then routed by `x-acs-version` to a product and by `x-acs-action` to an
 * operation. RPC operations get their parameters from the query and a form body; ROA operations
 * (CR personal's `GET /tokens`, FC 3.0's JSON API) are also matched on method and path.
 */
import { ServiceError, type CloudWire, type Fault, type Route, type Service } from '../front-end.js';
import type { WireRequest } from '../http-server.js';
import { verifyAcs3, type AcsIdentity } from './acs3.js';
import { parseQuery } from '../signing.js';

/** Where an ROA action is served. */
export interface RoaPath {
  method: string;
  /** Matched against the path; named groups (decoded) become input fields. */
  path: RegExp;
  /** The body is JSON, handed to the operation as `input.body` (an unreadable one is rejected). */
  json?: boolean;
}

/**
 * A product on the Alibaba wire: the front end's {@link Service} plus the API version it answers.
 * An RPC operation's input is its decoded parameters (strings); an ROA one's is its path fields,
 * query parameters and, for JSON APIs, `body`.
 */
export interface AlibabaService extends Service {
  /** `x-acs-version`, e.g. `2016-01-20`. */
  readonly version: string;
  /** ROA actions by name; an action not listed is RPC. */
  readonly paths?: Readonly<Record<string, RoaPath>>;
  /** Header naming the request id on every answer (FC's `x-fc-request-id`). */
  readonly requestIdHeader?: string;
}

/** A route that also carries the header its product names the request id in. */
interface AlibabaRoute extends Route {
  requestIdHeader?: string;
}

/** Values never recorded: KMS secret data, and FC code packages (megabytes of base64). */
const UNRECORDED = new Set(['SecretData', 'zipFile']);
const NOT_FOUND = 'Specified api is not found, please check your url and method.';

/**
 * @example
 * const emu = await startFrontEnd({ wire: alibabaWire([DEFAULT_IDENTITY]), services: [kmsService(new KmsState())] });
 */
export function alibabaWire(identities: readonly AcsIdentity[]): CloudWire {
  const nonces = new Map<string, number>();
  return {
    cloud: 'alibaba',
    route(request, services): AlibabaRoute {
      const operation = header(request, 'x-acs-action');
      const version = header(request, 'x-acs-version');
      const params = rpcParams(request);
      const service = (services as readonly AlibabaService[]).find((s) => s.version === version);
      if (!service) return { service: 'gateway', operation, input: params, rejection: new ServiceError(400, 'InvalidVersion', 'Specified parameter Version is not valid.') };
      const route: AlibabaRoute = { service: service.name, operation, input: params, ...(service.requestIdHeader && { requestIdHeader: service.requestIdHeader }) };
      if (!Object.hasOwn(service.operations, operation)) return { ...route, rejection: new ServiceError(404, 'InvalidAction.NotFound', NOT_FOUND) };
      const roa = service.paths && Object.hasOwn(service.paths, operation) ? service.paths[operation] : undefined;
      if (!roa) return route;

      const path = request.url.split('?')[0] || '/';
      const match = roa.path.exec(path);
      if (!match) return { ...route, rejection: new ServiceError(404, 'InvalidAction.NotFound', NOT_FOUND) };
      if (request.method !== roa.method) return { ...route, rejection: new ServiceError(405, 'MethodNotAllowed', `${roa.method} ${path} only.`) };
      const fields = Object.entries(match.groups ?? {}).map(([k, v]) => [k, decodeURIComponent(v)]);
      const input: Record<string, unknown> = { ...params, ...Object.fromEntries(fields) };
      if (roa.json && request.body.length) {
        try {
          input['body'] = JSON.parse(request.body.toString('utf8'));
        } catch {
          return { ...route, input, rejection: new ServiceError(400, 'InvalidArgument', 'request body is not JSON') };
        }
      }
      return { ...route, input };
    },
    verify(request, _route, now) {
      const verified = verifyAcs3(request, { identities, now, nonces });
      if (!verified.ok) return verified;
      const { accessKeyId, sessionExpiresAt } = verified.identity;
      return { ok: true, identity: { accessKeyId, ...(sessionExpiresAt !== undefined && { sessionExpiresAt }) } };
    },
    success: (output, route, requestId) => ({ status: 200, body: JSON.stringify(output ?? null), headers: answerHeaders(route, requestId) }),
    error: (error, route, requestId) => ({
      status: error.status,
      body: JSON.stringify({
        RequestId: requestId,
        HostId: '127.0.0.1',
        Code: error.code,
        Message: error.message,
        Recommend: `https://api.aliyun.com/troubleshoot?q=${encodeURIComponent(error.code)}`,
      }),
      headers: { ...answerHeaders(route, requestId), ...error.headers },
    }),
    throttle: () => new ServiceError(400, 'Throttling.User', 'Request was denied due to user flow control.'),
    recordParams: (route) => redact(route.input) as Record<string, unknown>,
  };
}

function answerHeaders(route: AlibabaRoute | undefined, requestId: string): Record<string, string> {
  return { 'content-type': 'application/json;charset=utf-8', ...(route?.requestIdHeader && { [route.requestIdHeader]: requestId }) };
}

/** RPC parameters arrive in the query and, for large values, as a form body: both count. */
function rpcParams(request: WireRequest): Record<string, string> {
  const q = request.url.indexOf('?');
  const pairs = q < 0 ? [] : parseQuery(request.url.slice(q + 1));
  if (header(request, 'content-type').startsWith('application/x-www-form-urlencoded') && request.body.length) {
    pairs.push(...parseQuery(request.body.toString('utf8')));
  }
  return Object.fromEntries(pairs);
}

/** A copy with every unrecorded value replaced by its length. */
function redact(value: unknown): unknown {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return value;
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [k, UNRECORDED.has(k) && typeof v === 'string' ? `[${v.length} chars]` : redact(v)]),
  );
}

function header(request: WireRequest, name: string): string {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(',') : (value ?? '');
}

/** Ready-made front-end faults with the codes and statuses Alibaba's gateway uses. */
export const alibabaFaults = {
  serviceUnavailable: (): Fault => ({ status: 503, code: 'ServiceUnavailable', message: 'The request has failed due to a temporary failure of the server.' }),
  internalError: (): Fault => ({ status: 500, code: 'InternalError', message: 'The request processing has failed due to some unknown error, exception or failure.' }),
  /** 400 Throttling.User, as the gateway throttles a caller. */
  throttling: (): Fault => ({ throttle: true }),
  forbiddenRam: (): Fault => ({ status: 403, code: 'Forbidden.RAM', message: 'User not authorized to operate on the specified resource, or this API does not support RAM.' }),
  delay: (delayMs: number): Fault => ({ delayMs }),
  malformed: (): Fault => ({ body: '{"RequestId":"truncated' }),
  notSuccessful: (): Fault => ({ transform: (b) => ({ ...b, IsSuccess: false, Code: 'INSTANCE_STATUS_ERROR' }) }),
  withoutField: (path: string): Fault => ({ transform: (b) => dropPath(b, path.split('.')) }),
  expiredToken: (): Fault => ({ expiredToken: true }),
  reset: (): Fault => ({ reset: true }),
};

function dropPath(obj: Record<string, unknown>, path: string[]): Record<string, unknown> {
  const [head, ...rest] = path;
  if (head === undefined || !(head in obj)) return obj;
  const copy = { ...obj };
  const child = copy[head];
  if (rest.length === 0) delete copy[head];
  else if (child && typeof child === 'object') copy[head] = dropPath(child as Record<string, unknown>, rest);
  return copy;
}
