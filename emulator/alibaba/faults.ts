/**
 * Fault injection for the Alibaba emulator, per action: one-shot faults are served first in,
 * first out; a persistent fault applies to every call until cleared.
 */
export type Fault =
  /** An Alibaba error answer, e.g. 503 ServiceUnavailable or 400 Throttling.User. */
  | { kind: 'error'; status: number; code: string; message?: string }
  /** Answer normally, but only after `ms`. */
  | { kind: 'delay'; ms: number }
  /** 200 with a body that is not JSON. */
  | { kind: 'malformed' }
  /** Answer normally, then rewrite the JSON body (drop a field, set IsSuccess:false, …). */
  | { kind: 'transform'; transform: (body: Record<string, unknown>) => unknown }
  /** Mint a token whose expiry is already in the past. */
  | { kind: 'expiredToken' }
  /** Drop the connection without answering. */
  | { kind: 'reset' };

/** Ready-made faults with the codes and statuses Alibaba's gateway uses. */
export const faults = {
  serviceUnavailable: (): Fault => ({ kind: 'error', status: 503, code: 'ServiceUnavailable', message: 'The request has failed due to a temporary failure of the server.' }),
  internalError: (): Fault => ({ kind: 'error', status: 500, code: 'InternalError', message: 'The request processing has failed due to some unknown error, exception or failure.' }),
  throttling: (): Fault => ({ kind: 'error', status: 400, code: 'Throttling.User', message: 'Request was denied due to user flow control.' }),
  forbiddenRam: (): Fault => ({ kind: 'error', status: 403, code: 'Forbidden.RAM', message: 'User not authorized to operate on the specified resource, or this API does not support RAM.' }),
  delay: (ms: number): Fault => ({ kind: 'delay', ms }),
  malformed: (): Fault => ({ kind: 'malformed' }),
  notSuccessful: (): Fault => ({ kind: 'transform', transform: (b) => ({ ...b, IsSuccess: false, Code: 'INSTANCE_STATUS_ERROR' }) }),
  withoutField: (path: string): Fault => ({ kind: 'transform', transform: (b) => dropPath(b, path.split('.')) }),
  expiredToken: (): Fault => ({ kind: 'expiredToken' }),
  reset: (): Fault => ({ kind: 'reset' }),
};

export class FaultQueue {
  readonly #once = new Map<string, Fault[]>();
  readonly #persistent = new Map<string, Fault>();

  add(action: string, fault: Fault, options: { persistent?: boolean } = {}): void {
    if (options.persistent) {
      this.#persistent.set(action, fault);
      return;
    }
    const queue = this.#once.get(action) ?? [];
    queue.push(fault);
    this.#once.set(action, queue);
  }

  /** The fault for the next call of `action`, consuming a one-shot one. */
  next(action: string): Fault | undefined {
    const queue = this.#once.get(action);
    if (queue?.length) return queue.shift();
    return this.#persistent.get(action);
  }

  clear(): void {
    this.#once.clear();
    this.#persistent.clear();
  }
}

function dropPath(obj: Record<string, unknown>, path: string[]): Record<string, unknown> {
  const [head, ...rest] = path;
  if (head === undefined || !(head in obj)) return obj;
  const copy = { ...obj };
  const child = copy[head];
  if (rest.length === 0) delete copy[head];
  else if (child && typeof child === 'object') copy[head] = dropPath(child as Record<string, unknown>, rest);
  return copy;
}
