/**
 * The plumbing every cloud adapter (core/<cloud>/client.ts) shares, so each keeps only what is its
 * cloud's own: which errno codes mean "no answer".
 */

/** Node and undici errno codes for a request that never got an answer: retryable. */
export const NETWORK_CODES: ReadonlySet<string> = new Set([
  'ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ENOTFOUND', 'EHOSTUNREACH', 'ECONNABORTED', 'UND_ERR_SOCKET',
]);

/**
 * Whether `err.code` is one of {@link NETWORK_CODES}.
 * @example isNetworkError(Object.assign(new Error('x'), { code: 'ECONNRESET' })) // true
 */
export function isNetworkError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null | undefined)?.code;
  return typeof code === 'string' && NETWORK_CODES.has(code);
}

