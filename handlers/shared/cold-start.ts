import { createLogger, type LogLevel } from '../../core/log.js';

export type Started<R> = { ok: true; runtime: R } | { ok: false };

/**
 * Build a function's runtime (config validated, clients wired) once per instance. A bad
 * configuration is logged in full, naming the variable and the entry, and remembered: the
 * handler then answers every invocation with a generic error, so a caller never sees the
 * configuration (variable names and values) in an answer.
 * @example const started = coldStart(() => awsRuntime(process.env));
 */
export function coldStart<R>(build: () => R, write?: (line: string) => void): Started<R> {
  try {
    return { ok: true, runtime: build() };
  } catch (err) {
    const level: LogLevel = 'error';
    createLogger({ level, ...(write && { write }) }).error('cold start failed: the function is misconfigured', { err });
    return { ok: false };
  }
}
