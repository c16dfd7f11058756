import { BadRequestError } from '../../core/errors.js';

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
