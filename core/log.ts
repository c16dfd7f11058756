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
}

const MAX_SECRETS = 256;
const secrets = new Set<string>();

/** Remember a secret so no log line can carry it (the oldest are forgotten past 256). */
export function registerSecret(secret: string): void {
  if (secret.length < 8) return; // too short to mask without mangling ordinary text
  secrets.delete(secret);
  secrets.add(secret);
  if (secrets.size > MAX_SECRETS) secrets.delete(secrets.values().next().value as string);
}

export function redact(line: string): string {
  for (const s of secrets) if (line.includes(s)) line = line.split(s).join('[REDACTED]');
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
  const emit = (level: LogLevel) => (msg: string, fields?: LogFields) => {
    if (LOG_LEVELS.indexOf(level) < threshold) return;
    const entry = { level, time: new Date(now()).toISOString(), msg, ...fields };
    write(redact(JSON.stringify(entry, replaceErrors)));
  };
  return { debug: emit('debug'), info: emit('info'), warn: emit('warn'), error: emit('error') };
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

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
