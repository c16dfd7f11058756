/**
 * What can go wrong in the client, each with the one sentence the user sees (`regcred: …`). None
 * carries a secret: messages name hosts, status codes and error codes, never keys or passwords.
 */

/** The function answered with an error (the API's `{"error":{"code","message"}}`, or the trigger's own refusal). */
export class RegcredClientError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * FC's InvokeFunction API refused the call or failed before the function ran (no such function,
 * no fc:InvokeFunction, wrong keys). Not a {@link RegcredClientError}: a 404 here is a wrong
 * --invoke, not a registry the function does not serve, so the helpers must not go on anonymously.
 */
export class InvokeFunctionError extends Error {}

/**
 * The function's answer broke one of the client's trust rules (cli/trust.ts): a redirect, a body
 * over 1 MiB, another registry than the one asked for, a control character in a username or
 * password, an expiry already past. Nothing of such an answer is printed, cached or written.
 */
export class UntrustedAnswerError extends Error {}

/** The cloud's credential chain found no identity for the caller. */
export class NoCallerCredentialsError extends Error {}

/** The function URL could not be reached at all (DNS, refused, reset, TLS). */
export class UnreachableError extends Error {}

/** No answer within the client's timeout, or the platform reported the function timed out. */
export class FunctionTimeoutError extends Error {}

/** Bad command line or input; exit code 2. */
export class UsageError extends Error {}

/**
 * The one line the CLI prints for an error. Anything that is not one of ours is reported by name
 * and message only, never with a stack.
 * @example describeError(new RegcredClientError(404, 'NotFound', "registry 'x' is not configured")) // "404 NotFound: registry 'x' is not configured"
 */
export function describeError(err: unknown): string {
  if (err instanceof RegcredClientError) return `${err.status} ${err.code}: ${err.message}`;
  if (err instanceof Error) return err.message || err.name;
  return String(err);
}
