/**
 * A tiny structured logger: one JSON object per line on stdout, which both Lambda and Function
 * Compute ship to their log services as is. Kept dependency-free so it costs nothing at cold start.
 *
 * Defense in depth against leaks: every password regcred mints is registered with
 * {@link registerSecret}, and any line that would contain one is written with it masked.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** A logger whose every line also carries `fields` (e.g. the invocation's request id). */
  child(fields: LogFields): Logger;
}

/** Secret → when it stops mattering (epoch ms; Infinity for a secret without an expiry). */
const secrets = new Map<string, number>();
/** The keys of `secrets`, longest first, rebuilt when a secret is added or dropped. */
let longestFirst: string[] = [];

/**
 * Remember a secret so no log line can carry it, in any of the forms a line may hold it: as is,
 * JSON-escaped (once or twice, as a JSON string inside a JSON string) and, with `username`, as the
 * `auth` field of a dockerconfigjson (base64 of `user:password`). A secret is kept until it
 * expires, never evicted while still valid; expired ones are dropped as new ones arrive.
 * @example registerSecret(credential.password, { username: credential.username, expiresAt: credential.expiresAt.getTime() });
 */
export function registerSecret(secret: string, options: { username?: string; expiresAt?: number; now?: number } = {}): void {
  if (!secret) return;
  const expiresAt = options.expiresAt ?? Infinity;
  const now = options.now ?? Date.now();
  for (const [s, until] of secrets) if (until <= now) secrets.delete(s);
  const forms = [secret, ...escapedForms(secret)];
  if (options.username !== undefined) forms.push(Buffer.from(`${options.username}:${secret}`).toString('base64'));
  for (const form of forms) secrets.set(form, Math.max(expiresAt, secrets.get(form) ?? 0));
  longestFirst = [...secrets.keys()].sort((a, b) => b.length - a.length);
}

function escapedForms(secret: string): string[] {
  const once = JSON.stringify(secret).slice(1, -1);
  const twice = JSON.stringify(once).slice(1, -1);
  return [once, twice].filter((form) => form !== secret);
}

/** Mask every registered secret in `line`, longest first so a secret inside another cannot leave a tail. */
export function redact(line: string): string {
  for (const s of longestFirst) if (line.includes(s)) line = line.split(s).join('[REDACTED]');
  return line;
}

/**
 * @example
 * const log = createLogger({ level: 'info' });
 * log.info('credential issued', { registry: 'public.ecr.aws' });
 */
export function createLogger(options: {
  level: LogLevel;
  write?: (line: string) => void;
  now?: () => number;
}): Logger {
  const threshold = LOG_LEVELS.indexOf(options.level);
  const write = options.write ?? ((line: string) => process.stdout.write(line + '\n'));
  const now = options.now ?? Date.now;
  const bound = (context: LogFields): Logger => {
    const emit = (level: LogLevel) => (msg: string, fields?: LogFields) => {
      if (LOG_LEVELS.indexOf(level) < threshold) return;
      const entry = { level, time: new Date(now()).toISOString(), ...context, msg, ...fields };
      write(redact(JSON.stringify(entry, replaceErrors)));
    };
    return { debug: emit('debug'), info: emit('info'), warn: emit('warn'), error: emit('error'), child: (fields) => bound({ ...context, ...fields }) };
  };
  return bound({});
}

/** Errors serialize to their name, code, message and cause chain: never the stack, never a raw SDK response. */
function replaceErrors(_key: string, value: unknown): unknown {
  if (!(value instanceof Error)) return value;
  const e = value as Error & { code?: unknown; $metadata?: { requestId?: string; httpStatusCode?: number } };
  return {
    name: e.name,
    ...(e.code !== undefined && { code: e.code }),
    message: e.message,
    ...(e.$metadata && { requestId: e.$metadata.requestId, httpStatus: e.$metadata.httpStatusCode }),
    ...(e.cause !== undefined && { cause: e.cause }),
  };
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => silentLogger };
