import { BadRequestError } from '../../core/errors.js';
import { refreshTargets, type RefreshOptions, type TargetOutcome } from '../../core/refresh.js';
import type { Config } from '../../core/config.js';
import type { Invocation } from '../../core/service.js';
import type { RefreshTarget } from '../../core/targets.js';

export interface RefreshRuntime extends Pick<RefreshOptions, 'service' | 'stores' | 'log'> {
  config: Pick<Config, 'retry'>;
}

/**
 * One refresh invocation: the targets the event names (a bad event is logged with the invocation's
 * request id and rethrown, so the platform marks the invocation failed), then every target written.
 * @example return runRefresh(runtime, budget, () => targetsOf(event, runtime));
 */
export async function runRefresh(runtime: RefreshRuntime, budget: Invocation, targetsOf: () => RefreshTarget[]): Promise<{ outcomes: TargetOutcome[] }> {
  let targets: RefreshTarget[];
  try {
    targets = targetsOf();
  } catch (err) {
    budget.log?.error('refresh event rejected', { err });
    throw err;
  }
  const outcomes = await refreshTargets(targets, { service: runtime.service, stores: runtime.stores, log: runtime.log, retry: runtime.config.retry }, budget);
  return { outcomes };
}

/** An event (or a field of one) that arrives as JSON text or a Buffer, parsed; undefined when empty. */
export function parseJsonEvent(raw: unknown, what: string): unknown {
  if (!Buffer.isBuffer(raw) && typeof raw !== 'string') return raw;
  const text = raw.toString().trim();
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw new BadRequestError(`${what} is not JSON`);
  }
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
