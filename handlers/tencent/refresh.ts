import { BadRequestError, InternalError } from '../../core/errors.js';
import type { TargetOutcome } from '../../core/refresh.js';
import { targetsFor, type RefreshTarget } from '../../core/targets.js';
import { coldStart, type Started } from '../shared/cold-start.js';
import { isObject, parseJsonEvent } from '../shared/event.js';
import { runRefresh } from '../shared/refresh.js';
import { tencentRuntime, type ScfContext, type TencentRuntime } from './runtime.js';

/**
 * Scheduled refresh on SCF into SSM. Where the targets come from:
 * - an SCF timer trigger: `{"Type":"Timer","TriggerName","Time","Message"}`, `Message` being the
 *   trigger's free text: the JSON string `{"targets":[...]}`, or empty for REGCRED_TARGETS;
 * - an `Invoke` call whose whole event is `{"targets":[...]}`;
 * - an empty event: REGCRED_TARGETS.
 * An event may name only exact entries of REGCRED_TARGETS (core/targets.ts).
 *
 * Resolves with the per-target outcomes; rejects (so SCF marks the invocation failed and its async
 * retry policy applies) when the event is bad or any target failed.
 */
export function createRefreshHandler(runtime: TencentRuntime) {
  return async function handler(event: unknown, context?: ScfContext): Promise<{ outcomes: TargetOutcome[] }> {
    return runRefresh(runtime, runtime.invocation(context), () => targetsOf(event, runtime));
  };
}

/** The refresh targets an event names, else the configured ones; BadRequestError names the problem. */
export function targetsOf(raw: unknown, runtime: Pick<TencentRuntime, 'config'>): RefreshTarget[] {
  return targetsFor(targetSpec(parseJsonEvent(raw, 'event')), runtime.config);
}

function targetSpec(event: unknown): unknown {
  if (event === undefined || event === null) return undefined;
  if (!isObject(event)) throw new BadRequestError('event must be a JSON object');
  if (event.Type === 'Timer') {
    const message = event.Message;
    if (message === undefined || message === null || message === '') return undefined;
    if (typeof message !== 'string') throw new BadRequestError('timer event Message must be a string');
    return parseJsonEvent(message, 'timer event Message');
  }
  return Object.keys(event).length ? event : undefined;
}

let started: Started<ReturnType<typeof createRefreshHandler>> | undefined;

/** SCF entry point (`index.handler`); the runtime is built on the first invocation, as in http.ts. */
export const handler = async (event: unknown, context?: ScfContext): Promise<{ outcomes: TargetOutcome[] }> => {
  started ??= coldStart(() => createRefreshHandler(tencentRuntime(process.env)));
  if (!started.ok) throw new InternalError();
  return started.runtime(event, context);
};
