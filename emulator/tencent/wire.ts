/**
 * How Tencent Cloud's API 3.0 gateway speaks, as a {@link CloudWire} for the shared front end:
 * `POST /` with a JSON body, the action and version in `X-TC-Action` / `X-TC-Version`, the region
 * in `X-TC-Region`, a TC3-HMAC-SHA256 signature (emulator/tencent/tc3.ts). Every answer, error or
 * not, is HTTP 200 with `{"Response":{...,"RequestId"}}`; an error is
 * `{"Response":{"Error":{"Code","Message"},"RequestId"}}` (API 3.0 "返回结果" / common error codes).
 */
import { ServiceError, type Answer, type CloudWire, type Route, type Service, type Verdict } from '../front-end.js';
import type { WireRequest } from '../http-server.js';
import { verifyTc3, type TencentIdentity } from './tc3.js';

/** A Tencent product: its API version and TC3 signing name, beside the front end's operations. */
export interface TencentService extends Service {
  /** X-TC-Version, e.g. `2019-09-24` (TCR), `2019-09-23` (SSM). */
  readonly version: string;
  /** TC3 credential-scope service, the first label of the product host (`tcr`, `ssm`). */
  readonly signingName: string;
  /** Input field names whose values are secret: recorded as their length only. */
  readonly secretParams?: readonly string[];
}

export interface TencentWireOptions {
  identities: readonly TencentIdentity[];
  /** The products served (the same list the front end gets): their signing names and secret fields. */
  services: readonly TencentService[];
}

/**
 * The front end's generic codes (for injected statuses and front-end failures) in Tencent's words.
 * 500 → InternalError, 503 → ResourceUnavailable, 429 → RequestLimitExceeded, 403 → UnauthorizedOperation.
 */
const TENCENT_CODES: Readonly<Record<string, string>> = {
  ServiceUnavailable: 'ResourceUnavailable',
  Throttling: 'RequestLimitExceeded',
  AccessDenied: 'UnauthorizedOperation',
  AuthFailure: 'AuthFailure.UnauthorizedOperation',
  UnknownOperation: 'InvalidAction',
};

/**
 * @example
 * const emu = await startFrontEnd({ wire: tencentWire({ identities, services }), services });
 */
export function tencentWire(options: TencentWireOptions): CloudWire {
  return {
    cloud: 'tencent',

    route(request, services): Route | ServiceError {
      const action = header(request, 'x-tc-action');
      const version = header(request, 'x-tc-version');
      const region = header(request, 'x-tc-region');
      if (request.method !== 'POST' || (request.url.split('?')[0] ?? '/') !== '/') {
        return tencentError('InvalidParameter', 'The emulator serves API 3.0 as POST / with a JSON body only.');
      }
      if (!action) return tencentError('MissingParameter', 'The request is missing a required parameter `Action`.');
      if (!version) return tencentError('MissingParameter', 'The request is missing a required parameter `Version`.');
      const product = services.filter(isTencentService).find((s) => s.version === version);
      if (!product) return tencentError('NoSuchVersion', `The API version \`${version}\` does not exist.`);
      if (!Object.hasOwn(product.operations, action)) return tencentError('InvalidAction', `The action \`${action}\` is not found.`);
      const contentType = header(request, 'content-type') ?? '';
      if (!contentType.toLowerCase().startsWith('application/json')) {
        return tencentError('InvalidParameter', 'Content-Type must be application/json.');
      }
      let input: unknown;
      try {
        input = request.body.length ? JSON.parse(request.body.toString('utf8')) : {};
      } catch {
        return tencentError('InvalidParameter', 'The request body is not valid JSON.');
      }
      if (!input || typeof input !== 'object' || Array.isArray(input)) {
        return tencentError('InvalidParameter', 'The request body must be a JSON object.');
      }
      return { service: product.name, operation: action, input: input as Record<string, unknown>, ...(region && { region }) };
    },

    verify(request, route, now): Verdict {
      const service = signingName(route.service);
      const result = verifyTc3(request, { identities: options.identities, now, service });
      if (!result.ok) return { ok: false, status: statusOf(result.code), code: result.code, message: result.message };
      return {
        ok: true,
        identity: {
          accessKeyId: result.identity.secretId,
          ...(result.identity.sessionExpiresAt !== undefined && { sessionExpiresAt: result.identity.sessionExpiresAt }),
        },
        ...(route.region && { region: route.region }),
      };
    },

    success(output, _route, requestId): Answer {
      const fields = output && typeof output === 'object' && !Array.isArray(output) ? (output as Record<string, unknown>) : {};
      return json({ Response: { ...fields, RequestId: requestId } });
    },

    error(error, _route, requestId): Answer {
      const code = TENCENT_CODES[error.code] ?? error.code;
      // API 3.0 answers errors with HTTP 200; the SDK reads the code from the body.
      return json({ Response: { Error: { Code: code, Message: error.message }, RequestId: requestId } }, error.headers);
    },

    throttle(): ServiceError {
      return tencentError('RequestLimitExceeded', 'Your current request times exceeds the frequency limit for a second. Please reduce the frequency of calls.');
    },

    recordParams(route, _request: WireRequest): Record<string, unknown> {
      const secret = secretParamsOf(route.service);
      return Object.fromEntries(
        Object.entries(route.input).map(([k, v]) => [k, secret.includes(k) && typeof v === 'string' ? `[${v.length} chars]` : v]),
      );
    },
  };

  function signingName(service: string): string {
    return options.services.find((s) => s.name === service)?.signingName ?? service;
  }
  function secretParamsOf(service: string): readonly string[] {
    return options.services.find((s) => s.name === service)?.secretParams ?? [];
  }
}

export function isTencentService(service: Service): service is TencentService {
  return typeof (service as Partial<TencentService>).version === 'string' && typeof (service as Partial<TencentService>).signingName === 'string';
}

/**
 * A Tencent error. Tencent answers every error with HTTP 200 (see `error` above); the status here
 * only classifies the call in the front end's record (so `count()` counts successes only).
 * @example throw tencentError('ResourceNotFound', 'The instance does not exist.');
 */
export function tencentError(code: string, message: string): ServiceError {
  return new ServiceError(statusOf(code), code, message);
}

function statusOf(code: string): number {
  const family = code.split('.')[0];
  if (family === 'AuthFailure') return 401;
  if (family === 'UnauthorizedOperation') return 403;
  if (family === 'RequestLimitExceeded') return 429;
  if (family === 'InternalError') return 500;
  if (family === 'ResourceUnavailable') return 503;
  if (family === 'ResourceNotFound' || family === 'InvalidAction' || family === 'NoSuchVersion') return 404;
  if (family === 'ResourceInUse') return 409;
  return 400;
}

/** Reject request fields the API does not define, as Tencent does (`UnknownParameter`). */
export function assertKnownParams(input: Record<string, unknown>, known: readonly string[]): void {
  const unknown = Object.keys(input).filter((k) => !known.includes(k));
  if (unknown.length) throw tencentError('UnknownParameter', `The parameter \`${unknown[0]}\` is not recognized.`);
}

export function requireString(input: Record<string, unknown>, name: string): string {
  const value = input[name];
  if (value === undefined || value === null || value === '') throw tencentError('MissingParameter', `The request is missing a required parameter \`${name}\`.`);
  if (typeof value !== 'string') throw tencentError('InvalidParameter', `The parameter \`${name}\` must be a string.`);
  return value;
}

function json(body: unknown, headers: Record<string, string> = {}): Answer {
  return { status: 200, body: JSON.stringify(body), headers: { 'content-type': 'application/json', ...headers } };
}

function header(request: WireRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
