/**
 * What a caller sends a function's HTTP trigger and what comes back, as plain HTTP: each cloud's
 * trigger event builders (emulator/<cloud>/) turn a {@link LocalRequest} into the platform's event,
 * and the local worlds of dev/ answer with a {@link LocalAnswer}.
 */

/** A plain HTTP request, as a caller sends it to the function's HTTP trigger. */
export interface LocalRequest {
  method: string;
  path: string;
  /** Raw query string, without '?'. */
  query: string;
  headers?: Record<string, string>;
  /** The caller the trigger authenticated (the local server's verified signer). */
  caller?: string;
}

/** The answer that reaches the caller, as the trigger delivers the function's result. */
export interface LocalAnswer {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}
