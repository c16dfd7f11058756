/**
 * What the client believes of a function and of its answers. A function URL is whatever the user
 * (or a config file, or an environment variable) names, and whatever answers there may be hostile:
 *
 * - signed requests go over https:// only, plain http only to loopback (the local server, tests);
 * - redirects are never followed (cli/client.ts): a signed request stays where it was sent;
 * - a body over 1 MiB is cut off, unread;
 * - a credential must be for the registry asked for, with no control character in its username or
 *   password, and not expired; its expiry is capped at 24 h ahead (every registry's token lives
 *   less), so nothing is cached, or given to kubelet, for more than 12 h;
 * - every text that came from the function is stripped of control characters before it is printed.
 *
 * Node built-ins only: this is on the path of a cache hit.
 */
import type { Credential } from './client.js';
import { UntrustedAnswerError, UsageError } from './errors.js';

/** The largest answer read: a regcred answer is a few KiB. */
export const MAX_ANSWER_BYTES = 1024 * 1024;
/** The longest a credential is believed to live (SWR's, the longest-lived of the four clouds' logins, is 24 h). */
export const MAX_VALIDITY_MS = 24 * 3_600_000;

/**
 * `localhost`, 127.0.0.0/8 and ::1 (as `URL.hostname` spells them, so `127.1` counts too).
 * @example isLoopback('127.0.0.1') // true; isLoopback('192.168.1.10') // false
 */
export function isLoopback(hostname: string): boolean {
  const host = hostname.toLowerCase();
  return host === 'localhost' || host === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/**
 * Why the client must not send a signed request to `url`, or undefined when it may: https://, or
 * plain http to loopback. Checked before anything is sent (a plain-http request to any other host
 * hands the signed request, and then the credential, to whoever is on the path).
 * @example urlProblem(new URL('http://10.0.0.5:8080')) // 'http://10.0.0.5:8080 is plain http: …'
 */
export function urlProblem(url: URL): string | undefined {
  if (url.username || url.password) return `${url.protocol}//${url.host} carries a user name or password in the URL: regcred signs each request instead`;
  if (url.protocol === 'https:') return undefined;
  if (url.protocol === 'http:') {
    return isLoopback(url.hostname) ? undefined : `${url.origin} is plain http: regcred sends signed requests over https:// only (plain http only to loopback: localhost, 127.0.0.0/8, ::1)`;
  }
  return `${url.protocol} is not https: regcred sends signed requests over https:// only`;
}

/** Throws the {@link urlProblem} of `url` as a usage error naming `what` (the flag, variable or config entry). */
export function requireTrustedUrl(url: URL, what: string): void {
  const problem = urlProblem(url);
  if (problem) throw new UsageError(`${what}: ${problem}`);
}

/** C0, DEL, C1 and the bidi overrides: what a terminal acts on, or reorders, instead of printing. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/gu;

/**
 * `text` without control characters, for printing.
 * @example printable('boom\u001b]0;pwned\u0007') // 'boom]0;pwned'
 */
export function printable(text: string): string {
  return text.replace(CONTROL, '');
}

/** `value` with every string in it {@link printable}. */
export function printableValue(value: unknown): unknown {
  if (typeof value === 'string') return printable(value);
  if (Array.isArray(value)) return value.map(printableValue);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [printable(k), printableValue(v)]));
  return value;
}

/**
 * The body of `response` as text, refused once it passes {@link MAX_ANSWER_BYTES}: the rest is
 * never read (the stream is cancelled, which closes the connection).
 * @example const text = await readLimited(response, 'https://abc.lambda-url.us-east-1.on.aws');
 */
export async function readLimited(response: Response, origin: string): Promise<string> {
  const tooLarge = () => new UntrustedAnswerError(`the answer of ${origin} is larger than ${MAX_ANSWER_BYTES / 1024 / 1024} MiB: refused`);
  if (Number(response.headers.get('content-length')) > MAX_ANSWER_BYTES) {
    await response.body?.cancel().catch(() => {});
    throw tooLarge();
  }
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_ANSWER_BYTES) {
      await reader.cancel().catch(() => {});
      throw tooLarge();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * The json format's one credential, if it may be used for `registry` at `now`: for that registry
 * exactly, username and password without control characters, not expired; the expiry capped at
 * {@link MAX_VALIDITY_MS} ahead. Throws {@link UntrustedAnswerError} otherwise.
 * @example trustedCredential(await res.json(), '123456789012.dkr.ecr.us-east-1.amazonaws.com', Date.now())
 */
export function trustedCredential(body: unknown, registry: string, now: number): Credential {
  const b = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  const { registry: named, username, password, expiresAt } = b;
  if (typeof named !== 'string' || typeof username !== 'string' || typeof password !== 'string' || typeof expiresAt !== 'string' || !username || !password) {
    throw new UntrustedAnswerError('the function answered without a registry, username, password and expiresAt');
  }
  if (named.toLowerCase() !== registry.toLowerCase()) {
    throw new UntrustedAnswerError(`the function answered a credential for '${printable(named).slice(0, 100)}' when asked for ${registry}: refused`);
  }
  // A newline in a password would end up as a line of its own in an auth file or a helper's answer.
  if (printable(username) !== username || printable(password) !== password) {
    throw new UntrustedAnswerError(`the function answered a username or password for ${registry} with a control character in it: refused`);
  }
  const expires = Date.parse(expiresAt);
  if (Number.isNaN(expires)) throw new UntrustedAnswerError(`the function answered an expiresAt for ${registry} that is not a time: refused`);
  if (expires <= now) {
    throw new UntrustedAnswerError(`the function answered a credential for ${registry} that expired at ${new Date(expires).toISOString()}: refused (is this machine's clock right?)`);
  }
  return { registry: registry.toLowerCase(), username, password, expiresAt: new Date(Math.min(expires, now + MAX_VALIDITY_MS)).toISOString() };
}

/**
 * The registries an answer of `format` names (`get --registry`), so that one naming another
 * registry than asked is refused as {@link trustedCredential} refuses it.
 * @example registriesNamed({ auths: { 'r.example': {} } }, 'dockerconfigjson') // ['r.example']
 */
export function registriesNamed(body: unknown, format: string): string[] {
  const b = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  const keys = (map: unknown) => (map && typeof map === 'object' ? Object.keys(map) : []);
  switch (format) {
    case 'dockerconfigjson':
      return keys(b.auths);
    case 'kubernetes': {
      const data = (b.data as Record<string, unknown> | undefined)?.['.dockerconfigjson'];
      try {
        return keys((JSON.parse(Buffer.from(String(data), 'base64').toString('utf8')) as { auths?: unknown }).auths);
      } catch {
        return [];
      }
    }
    case 'credential-helper':
      return typeof b.ServerURL === 'string' ? [b.ServerURL] : [];
    case 'kubelet':
      return keys(b.auth);
    default:
      return typeof b.registry === 'string' ? [b.registry] : [];
  }
}
