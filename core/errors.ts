/**
 * One error hierarchy for regcred. Every error knows its HTTP status, a stable machine `code`
 * and a message that is safe to show a caller: no secret, no upstream request id, no stack.
 * Upstream detail goes into `cause` (for the log), never into `message`.
 */

export abstract class RegcredError extends Error {
  abstract readonly status: number;
  readonly code: string;
  /** Extra response headers (Allow, Retry-After). */
  readonly headers: Record<string, string> = {};

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }

  /** True when trying the same call again may succeed (throttling, 5xx, timeouts). */
  get retryable(): boolean {
    return false;
  }
}

/** 400: the caller sent something we cannot accept. The message names the field. */
export class BadRequestError extends RegcredError {
  /** Spelled out: a minified bundle renames classes, and the log must name the real one. */
  override readonly name = 'BadRequestError';
  readonly status = 400;
  constructor(message: string) {
    super('BadRequest', message);
  }
}

/** 403: authenticated by the cloud, but not in REGCRED_ALLOWED_CALLERS. */
export class ForbiddenError extends RegcredError {
  override readonly name = 'ForbiddenError';
  readonly status = 403;
  constructor(message = 'caller is not allowed') {
    super('Forbidden', message);
  }
}

export class NotFoundError extends RegcredError {
  override readonly name = 'NotFoundError';
  readonly status = 404;
  constructor(message: string) {
    super('NotFound', message);
  }
}

export class MethodNotAllowedError extends RegcredError {
  override readonly name = 'MethodNotAllowedError';
  readonly status = 405;
  constructor(allowed: string[]) {
    super('MethodNotAllowed', `method not allowed; use ${allowed.join(', ')}`);
    this.headers['Allow'] = allowed.join(', ');
  }
}

/**
 * 502: the registry service answered, but not with a usable credential (malformed body, refused
 * our role, or kept failing after retries). Codes: `UpstreamInvalidResponse`, `UpstreamError`,
 * `UpstreamAccessDenied`.
 */
export class UpstreamError extends RegcredError {
  override readonly name = 'UpstreamError';
  readonly status = 502;
  readonly #retryable: boolean;
  constructor(
    code: 'UpstreamInvalidResponse' | 'UpstreamError' | 'UpstreamAccessDenied',
    message: string,
    options?: { cause?: unknown; retryable?: boolean },
  ) {
    super(code, message, options);
    this.#retryable = options?.retryable ?? false;
  }
  override get retryable(): boolean {
    return this.#retryable;
  }
}

/**
 * 503 + Retry-After: the registry service throttled us or did not answer in time. Always
 * retryable within the time budget; reported when the budget is spent.
 */
export class UpstreamUnavailableError extends RegcredError {
  override readonly name = 'UpstreamUnavailableError';
  readonly status = 503;
  readonly retryAfterSeconds: number;
  constructor(
    code: 'UpstreamThrottled' | 'UpstreamTimeout' | 'UpstreamUnavailable',
    message: string,
    options?: { cause?: unknown; retryAfterSeconds?: number },
  ) {
    super(code, message, options);
    this.retryAfterSeconds = Math.max(1, Math.ceil(options?.retryAfterSeconds ?? 1));
    this.headers['Retry-After'] = String(this.retryAfterSeconds);
  }
  override get retryable(): boolean {
    return true;
  }
}

/** A bad environment variable. Thrown at cold start, so the function fails loudly at deploy time. */
export class ConfigError extends RegcredError {
  override readonly name = 'ConfigError';
  readonly status = 500;
  constructor(message: string) {
    super('ConfigError', message);
  }
}

/** Wrap anything unknown so callers only ever see a RegcredError. */
export function toRegcredError(err: unknown): RegcredError {
  if (err instanceof RegcredError) return err;
  return new InternalError({ cause: err });
}

export class InternalError extends RegcredError {
  override readonly name = 'InternalError';
  readonly status = 500;
  constructor(options?: { cause?: unknown }) {
    super('InternalError', 'internal error', options);
  }
}

/**
 * An upstream error code fit to echo in a message: a short identifier, else nothing (a code is
 * upstream text, and only an identifier is known to carry no secret or request id).
 * @example safeCode('Throttling.User') // 'Throttling.User'
 */
export function safeCode(code: string): string {
  return /^[A-Za-z0-9._-]{1,80}$/.test(code) ? code : '';
}
