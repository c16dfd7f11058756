import { BadRequestError, InternalError } from '../../core/errors.js';
import type { TargetOutcome } from '../../core/refresh.js';
import { targetsFor, type RefreshTarget } from '../../core/targets.js';
import { coldStart, type Started } from '../shared/cold-start.js';
import { runRefresh } from '../shared/refresh.js';
import { isObject, parseJsonEvent as parse } from '../shared/event.js';
import { huaweiRuntime, type FunctionGraphContext, type HuaweiRuntime } from './runtime.js';

/**
 * Scheduled refresh on FunctionGraph, writing CSMS. Where the targets come from:
 * - a timer trigger: `{ version, time, trigger_type: "TIMER", trigger_name, user_event }`, the
 *   trigger's additional information `user_event` being the string `{"targets":[...]}`;
 * - an InvokeFunction call whose whole event is `{"targets":[...]}`;
 * - otherwise (empty `user_event`, empty event): REGCRED_TARGETS.
 * An event may name targets only as exact entries of REGCRED_TARGETS (core/targets.ts).
 *
 * Resolves with the per-target outcomes; rejects (so FunctionGraph marks the invocation failed)
 * when the event is bad or any target failed.
 */
export function createRefreshHandler(runtime: HuaweiRuntime) {
  return async function handler(event: unknown, context?: FunctionGraphContext): Promise<{ outcomes: TargetOutcome[] }> {
    return runRefresh(runtime, runtime.invocation(context), () => targetsOf(event, runtime));
  };
}

/** The refresh targets an event names, else the configured ones; BadRequestError names the problem. */
export function targetsOf(raw: unknown, runtime: Pick<HuaweiRuntime, 'config'>): RefreshTarget[] {
  return targetsFor(targetSpec(parse(raw, 'event')), runtime.config);
}

/** The `{"targets":[...]}` object inside an event, or undefined when the event carries none. */
function targetSpec(event: unknown): unknown {
  if (event === undefined || event === null) return undefined;
  if (!isObject(event)) throw new BadRequestError('event must be a JSON object');
  if (event.trigger_type === 'TIMER') {
    const userEvent = event.user_event;
    if (userEvent === undefined || userEvent === null || userEvent === '') return undefined;
    if (typeof userEvent !== 'string') throw new BadRequestError('timer event user_event must be a JSON string');
    return parse(userEvent, 'timer event user_event');
  }
  return Object.keys(event).length ? event : undefined;
}

let started: Started<ReturnType<typeof createRefreshHandler>> | undefined;

/** FunctionGraph entry point (`index.handler`); the runtime is built on the first invocation, as in http.ts. */
export const handler = async (event: unknown, context?: FunctionGraphContext): Promise<{ outcomes: TargetOutcome[] }> => {
  started ??= coldStart(() => createRefreshHandler(huaweiRuntime(process.env)));
  if (!started.ok) throw new InternalError();
  return started.runtime(event, context);
};
