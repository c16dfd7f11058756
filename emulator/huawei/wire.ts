/**
 * How Huawei Cloud's API gateway (APIG) speaks, for the shared emulator front end: REST routes by
 * method and path, SDK-HMAC-SHA256 signatures (emulator/huawei/sdk-hmac.ts), JSON answers whose
 * headers an operation may set (SWR's `X-Swr-Expireat`), errors as `{"error_code","error_msg"}`
 * with an `X-Request-Id` header, and APIG's own throttle answer (429, `APIGW.0308`).
 */
import { ServiceError, type Answer, type CloudWire, type Route, type Service } from '../front-end.js';
import type { WireRequest } from '../http-server.js';
import { verifySdkHmac, type HuaweiIdentity } from './sdk-hmac.js';
import { parseQuery } from '../signing.js';

/** APIG's answer when a caller exceeds the API's flow control (APIG error code reference). */
export const APIG_THROTTLED = 'APIGW.0308';

/** One REST route of a Huawei service; `{name}` segments become string inputs. */
export interface HuaweiRoute {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** e.g. `/v1/{project_id}/secrets/{secret_name}/versions` */
  path: string;
  operation: string;
}

export interface HuaweiService extends Service {
  readonly routes: readonly HuaweiRoute[];
}

/**
 * What a Huawei operation returns: the JSON body, and the response headers it sets. Fault
 * `transform`s receive and return this shape, so a test can drop a header or rewrite the body.
 */
export interface HuaweiOutput {
  body: unknown;
  headers?: Record<string, string>;
  status?: number;
}

/**
 * Operation input: path parameters, `query` (decoded), `body` (parsed JSON, or undefined).
 * Never recorded as a whole: it may hold a secret value.
 */
export interface HuaweiInput extends Record<string, unknown> {
  path: Record<string, string>;
  query: Record<string, string>;
  body: unknown;
}

export interface HuaweiWireOptions {
  identities: readonly HuaweiIdentity[];
}

/**
 * @example
 * const emu = await startFrontEnd({ wire: huaweiWire({ identities: [DEFAULT_IDENTITY] }), services: [swrService(settings)] });
 */
export function huaweiWire(options: HuaweiWireOptions): CloudWire {
  return {
    cloud: 'huawei',
    route(request, services) {
      const q = request.url.indexOf('?');
      const path = q < 0 ? request.url : request.url.slice(0, q);
      const query = Object.fromEntries(q < 0 ? [] : parseQuery(request.url.slice(q + 1)));
      for (const service of services as readonly Partial<HuaweiService>[]) {
        for (const r of service.routes ?? []) {
          const params = matchPath(r.path, path);
          if (!params) continue;
          if (r.method !== request.method.toUpperCase()) continue;
          let body: unknown;
          if (request.body.length > 0) {
            try {
              body = JSON.parse(request.body.toString('utf8'));
            } catch {
              return new ServiceError(400, 'APIGW.0201', 'Request body is not valid JSON.');
            }
          }
          const input: HuaweiInput = { path: params, query, body };
          return { service: service.name!, operation: r.operation, input };
        }
      }
      return new ServiceError(404, 'APIGW.0101', 'The API does not exist or has not been published in the environment.');
    },
    verify(request: WireRequest, _route: Route, now: number) {
      const verdict = verifySdkHmac(request, { identities: options.identities, now });
      if (!verdict.ok) return verdict;
      const { accessKeyId, sessionExpiresAt } = verdict.identity;
      return { ok: true, identity: { accessKeyId, ...(sessionExpiresAt !== undefined && { sessionExpiresAt }) } };
    },
    success(output, _route, requestId): Answer {
      const out = (output ?? { body: {} }) as HuaweiOutput;
      return {
        status: out.status ?? 200,
        body: JSON.stringify(out.body ?? {}),
        headers: { 'content-type': 'application/json;charset=utf8', 'X-Request-Id': requestId, ...out.headers },
      };
    },
    error(error, _route, requestId): Answer {
      return {
        status: error.status,
        body: JSON.stringify({ error_code: error.code, error_msg: error.message }),
        headers: { 'content-type': 'application/json', 'X-Request-Id': requestId, ...error.headers },
      };
    },
    throttle(retryAfterSeconds) {
      return new ServiceError(429, APIG_THROTTLED, 'The request is throttled.', retryAfterSeconds !== undefined ? { 'Retry-After': String(retryAfterSeconds) } : {});
    },
    recordParams(route) {
      // Path and query only: bodies (secret values) are never recorded.
      const input = route.input as HuaweiInput;
      return { ...input.path, ...input.query };
    },
  };
}

/**
 * A service's readers of a JSON body: an object, a non-empty string field (matching `pattern`);
 * anything else throws the service's own invalid-parameter error naming the field.
 * @example const { object, str } = bodyReaders((what) => new ServiceError(400, 'FSS.0400', `Invalid parameter: ${what}`));
 */
export function bodyReaders(bad: (what: string) => ServiceError) {
  return {
    object(v: unknown): Record<string, unknown> {
      if (typeof v !== 'object' || v === null || Array.isArray(v)) throw bad('body');
      return v as Record<string, unknown>;
    },
    str(b: Record<string, unknown>, name: string, pattern?: RegExp): string {
      const v = b[name];
      if (typeof v !== 'string' || !v || (pattern && !pattern.test(v))) throw bad(name);
      return v;
    },
  };
}

/** Path parameters when `path` matches the `{name}` template, else undefined. */
export function matchPath(template: string, path: string): Record<string, string> | undefined {
  const t = template.split('/');
  const p = path.split('/');
  if (t.length !== p.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < t.length; i++) {
    const seg = t[i]!;
    if (seg.startsWith('{') && seg.endsWith('}')) {
      if (!p[i]) return undefined;
      try {
        params[seg.slice(1, -1)] = decodeURIComponent(p[i]!);
      } catch {
        return undefined;
      }
    } else if (seg !== p[i]) return undefined;
  }
  return params;
}
