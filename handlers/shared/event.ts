import type { ApiRequest, ApiResponse, createApi } from '../../core/api.js';
import { BadRequestError } from '../../core/errors.js';
import type { Logger } from '../../core/log.js';
import type { Invocation } from '../../core/service.js';
import { answerHttp } from './http-answer.js';

/** An event (or a field of one) that arrives as JSON text or a Buffer, parsed; undefined when empty. */
export function parseJsonEvent(raw: unknown, what: string): unknown {
  if (!Buffer.isBuffer(raw) && typeof raw !== 'string') return raw;
  const text = raw.toString().trim();
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw new BadRequestError(`${what} is not JSON`);
  }
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** An HTTP event's request path, `field` naming where it was: a string starting with `/`. */
export function eventPath(value: unknown, field: string): string {
  if (typeof value !== 'string' || !value.startsWith('/')) throw new BadRequestError(`${field} must be a path starting with /`);
  return value;
}

/** An HTTP event's method, `field` naming where it was: 1-16 upper-case letters. */
export function eventMethod(value: unknown, field: string): string {
  if (typeof value !== 'string' || !/^[A-Z]{1,16}$/.test(value)) throw new BadRequestError(`${field} must be an HTTP method`);
  return value;
}

/** What FC's HTTP trigger and APIG take back from the function: the HTTP answer, never base64. */
export interface EventHttpResult extends ApiResponse {
  isBase64Encoded: false;
}

/**
 * The HTTP handler of a platform whose trigger hands the function a JSON event (FC, FunctionGraph):
 * the invocation from the platform's context, then {@link answerHttp} (the event translated, the
 * core API called, a JSON 500 if anything ever throws, the metrics flushed).
 * @example const handle = eventHttpHandler({ api, log, invocation: runtime.invocation, toApiRequest });
 */
export function eventHttpHandler<E, C>(options: {
  api: ReturnType<typeof createApi>;
  log: Logger;
  invocation: (context: C | undefined) => Invocation;
  toApiRequest: (event: E) => ApiRequest;
}) {
  return async function handle(event: E, context?: C): Promise<EventHttpResult> {
    const invocation = options.invocation(context);
    const answer = await answerHttp(options.api, () => options.toApiRequest(event), invocation, invocation.log ?? options.log);
    return { ...answer, isBase64Encoded: false };
  };
}
