/**
 * Fault injection for the AWS emulator, per service and operation: faults are served first in,
 * first out, each for `times` calls (default 1; `Infinity` keeps it until cleared).
 */
export interface Fault {
  /** Answer with this HTTP status and an AWS JSON error (code from `code`, else from the status). */
  status?: number;
  code?: string;
  message?: string;
  /** 400 ThrottlingException "Rate exceeded", as AWS's JSON services throttle. */
  throttle?: boolean;
  /** Sent as a `Retry-After` header with a throttle or error. */
  retryAfterSeconds?: number;
  /** Wait this long before answering (normally, unless another field says otherwise). */
  delayMs?: number;
  /** Answer 200 (or `status`) with this raw text as the body, e.g. something that is not JSON. */
  body?: string;
  /** Answer 200 with this JSON instead of what the operation would return. */
  respond?: unknown;
  /** Drop the connection without answering. */
  reset?: boolean;
  /** How many calls this fault serves (default 1); `Infinity` = until cleared. */
  times?: number;
}

/** Ready-made faults with the codes and statuses AWS's JSON services use. */
export const faults = {
  /** ECR's and ECR Public's modeled 500. */
  serverException: (): Fault => ({ status: 500, code: 'ServerException', message: 'Internal server error' }),
  internalFailure: (): Fault => ({ status: 500, code: 'InternalFailure', message: 'The request processing has failed because of an unknown error, exception or failure.' }),
  serviceUnavailable: (): Fault => ({ status: 503, code: 'ServiceUnavailable', message: 'Service is unavailable' }),
  throttle: (retryAfterSeconds?: number): Fault => ({ throttle: true, ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}) }),
  accessDenied: (): Fault => ({ status: 400, code: 'AccessDeniedException', message: 'User is not authorized to perform this operation' }),
  delay: (delayMs: number): Fault => ({ delayMs }),
  malformed: (): Fault => ({ body: '<html>502 Bad Gateway</html>' }),
  respond: (json: unknown): Fault => ({ respond: json }),
  reset: (): Fault => ({ reset: true }),
};

/** Default error code for an injected status without one. */
export function codeForStatus(status: number): string {
  if (status === 429) return 'ThrottlingException';
  if (status === 403) return 'AccessDeniedException';
  if (status === 503) return 'ServiceUnavailable';
  if (status >= 500) return 'InternalFailure';
  return 'ValidationException';
}

export class FaultQueue {
  readonly #queues = new Map<string, Array<{ fault: Fault; left: number }>>();

  add(service: string, operation: string, fault: Fault): void {
    const key = `${service}.${operation}`;
    const left = fault.times ?? 1;
    if (!(left > 0)) throw new RangeError('fault.times must be positive');
    const queue = this.#queues.get(key) ?? [];
    queue.push({ fault, left });
    this.#queues.set(key, queue);
  }

  /** The fault for the next call of `service.operation`, consuming one of its uses. */
  next(service: string, operation: string): Fault | undefined {
    const queue = this.#queues.get(`${service}.${operation}`);
    const head = queue?.[0];
    if (!head) return undefined;
    head.left -= 1;
    if (head.left <= 0) queue.shift();
    return head.fault;
  }

  clear(): void {
    this.#queues.clear();
  }
}
