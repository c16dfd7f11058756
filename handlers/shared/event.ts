import type { ApiResponse } from '../../core/api.js';
import { BadRequestError } from '../../core/errors.js';

/*
 * The pieces every cloud's event translation is made of. Each throws a BadRequestError naming the
 * field (`field` is where it was, e.g. `event.headers`), answered as a 400 by the pipeline.
 */

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

/** An HTTP event parsed (JSON text or a Buffer, or already an object), with an object or no `requestContext`. */
export function eventObject(raw: unknown): Record<string, unknown> {
  const event = parseJsonEvent(raw, 'event');
  if (!isObject(event)) throw new BadRequestError('event must be a JSON object');
  const { requestContext } = event;
  if (requestContext !== undefined && requestContext !== null && !isObject(requestContext)) throw new BadRequestError('event.requestContext must be an object');
  return event;
}

/** An HTTP event's request path: a string starting with `/`. */
export function eventPath(value: unknown, field: string): string {
  if (typeof value !== 'string' || !value.startsWith('/')) throw new BadRequestError(`${field} must be a path starting with /`);
  return value;
}

/** An HTTP event's method: 1-16 upper-case letters. */
export function eventMethod(value: unknown, field: string): string {
  if (typeof value !== 'string' || !/^[A-Z]{1,16}$/.test(value)) throw new BadRequestError(`${field} must be an HTTP method`);
  return value;
}

/** The body regcred never reads must still be what the platform writes: a string, flagged by a boolean. */
export function checkBody(event: Record<string, unknown>): void {
  if (event.body !== undefined && event.body !== null && typeof event.body !== 'string') throw new BadRequestError('event.body must be a string');
  if (event.isBase64Encoded !== undefined && typeof event.isBase64Encoded !== 'boolean') throw new BadRequestError('event.isBase64Encoded must be a boolean');
}

/** An object of strings (headers, declared query parameters); absent is empty. */
export function stringMap(value: unknown, field: string): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (!isObject(value) || Object.values(value).some((v) => typeof v !== 'string')) throw new BadRequestError(`${field} must be an object of strings`);
  return value as Record<string, string>;
}

/** A query object as a query string; a repeated parameter may come as a list of its values. */
export function queryOf(value: unknown, field: string): string {
  if (value === undefined || value === null) return '';
  if (!isObject(value)) throw new BadRequestError(`${field} must be an object`);
  const params = new URLSearchParams();
  for (const [name, v] of Object.entries(value)) {
    const values: unknown[] = Array.isArray(v) ? v : [v];
    if (!values.every((x) => typeof x === 'string')) throw new BadRequestError(`${field} values must be strings`);
    for (const x of values as string[]) params.append(name, x);
  }
  return params.toString();
}

/**
 * The key id a signed request's `Authorization` header names, `scheme` capturing it. Only a claim
 * where whoever may invoke the function writes the whole event (every cloud but AWS): an id, not a secret.
 */
export function claimedCaller(headers: Record<string, string>, scheme: RegExp): string | undefined {
  const auth = Object.entries(headers).find(([k]) => k.toLowerCase() === 'authorization')?.[1];
  return auth ? scheme.exec(auth.trim())?.[1] : undefined;
}

/** What FC's HTTP trigger, SCF and APIG take back from the function: the HTTP answer, never base64. */
export interface EventHttpResult extends ApiResponse {
  isBase64Encoded: false;
}

export function eventHttpResult(answer: ApiResponse): EventHttpResult {
  return { ...answer, isBase64Encoded: false };
}

/** A timer trigger's free-text field (`field` names it): the JSON `{"targets":[...]}`, or undefined when empty. */
export function timerPayload(value: unknown, field: string): unknown {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw new BadRequestError(`${field} must be a JSON string`);
  return parseJsonEvent(value, field);
}

/**
 * The `{"targets":[...]}` a refresh event carries: a timer trigger's free-text field (`timer` says
 * which events are timers and which field), else the whole event; undefined when empty.
 */
export function refreshSpec(event: unknown, timer: { is(event: Record<string, unknown>): boolean; field: string }): unknown {
  if (event === undefined || event === null) return undefined;
  if (!isObject(event)) throw new BadRequestError('event must be a JSON object');
  if (timer.is(event)) return timerPayload(event[timer.field], `timer event ${timer.field}`);
  return Object.keys(event).length ? event : undefined;
}
