import { errorResponse, type createApi, type ApiRequest, type ApiResponse } from '../../core/api.js';
import { BadRequestError, InternalError, RegcredError } from '../../core/errors.js';
import type { Logger } from '../../core/log.js';
import type { Invocation } from '../../core/service.js';

/** What FC's HTTP trigger and APIG take back from the function: the HTTP answer, never base64. */
export interface EventHttpResult extends ApiResponse {
  isBase64Encoded: false;
}

/**
 * The HTTP handler of a platform whose trigger hands the function a JSON event (FC, FunctionGraph):
 * the event translated by `toApiRequest` (a BadRequestError there is a 400 like any other), the
 * core API called with the invocation, and a JSON 500 without a stack trace if anything ever throws.
 * @example
 * const handle = eventHttpHandler({ api, log, invocation: runtime.invocation, toApiRequest });
 * export const handler = (event, context) => handle(event, context);
 */
export function eventHttpHandler<E, C>(options: {
  api: ReturnType<typeof createApi>;
  log: Logger;
  invocation: (context: C | undefined) => Invocation;
  toApiRequest: (event: E) => ApiRequest;
}) {
  return async function handle(event: E, context?: C): Promise<EventHttpResult> {
    const invocation = options.invocation(context);
    const log = invocation.log ?? options.log;
    try {
      let request: ApiRequest;
      try {
        request = options.toApiRequest(event);
      } catch (err) {
        if (!(err instanceof RegcredError)) throw err;
        log.info('request failed', { status: err.status, code: err.code });
        return { ...errorResponse(err), isBase64Encoded: false };
      }
      return { ...(await options.api(request, invocation)), isBase64Encoded: false };
    } catch (err) {
      // The core API never throws; this is the last line of defence (same answer as error-boundary.ts).
      log.error('unhandled error', { err });
      return { ...errorResponse(new InternalError({ cause: err })), isBase64Encoded: false };
    }
  };
}


/**
 * A JSON event as the platform may pass it (a Buffer or string to parse, or already an object);
 * undefined when empty. BadRequestError names `what` when it is not JSON.
 * @example parseJson(Buffer.from('{"targets":[]}'), 'event') // { targets: [] }
 */
export function parseJson(raw: unknown, what: string): unknown {
  if (!Buffer.isBuffer(raw) && typeof raw !== 'string') return raw;
  const text = raw.toString().trim();
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw new BadRequestError(`${what} is not JSON`);
  }
}

/** A plain JSON object (not null, not an array). */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
