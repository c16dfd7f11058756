import { BadRequestError, InternalError } from '../../core/errors.js';
import { refreshTargets, type TargetOutcome } from '../../core/refresh.js';
import { targetsFor, type RefreshTarget } from '../../core/targets.js';
import { coldStart, type Started } from '../shared/cold-start.js';
import { isObject, parseJson as parse } from '../shared/event.js';
import { alibabaRuntime, type AlibabaRuntime, type FcContext } from './runtime.js';

/**
 * Scheduled and event-driven refresh on Function Compute. Where the targets come from:
 * - an FC timer trigger: `{ triggerTime, triggerName, payload }`, `payload` being the JSON string
 *   `{"targets":[...]}` set on the trigger;
 * - an EventBridge CloudEvent (`specversion`, ...): `data.targets`;
 * - an `InvokeFunction` call whose whole event is `{"targets":[...]}`;
 * - otherwise (empty payload, no `targets` in `data`, empty event): REGCRED_TARGETS.
 *
 * Resolves with the per-target outcomes; rejects (so FC marks the invocation failed and its async
 * retry policy applies) when the event is bad or any target failed.
 */
export function createRefreshHandler(runtime: AlibabaRuntime) {
  return async function handler(event: Buffer | string | object, context?: FcContext): Promise<{ outcomes: TargetOutcome[] }> {
    const budget = runtime.invocation(context);
    let targets: RefreshTarget[];
    try {
      targets = targetsOf(event, runtime);
    } catch (err) {
      budget.log?.error('refresh event rejected', { err });
      throw err;
    }
    const outcomes = await refreshTargets(targets, { service: runtime.service, stores: runtime.stores, log: runtime.log, retry: runtime.config.retry }, budget);
    return { outcomes };
  };
}

/** The refresh targets an event names, else the configured ones; BadRequestError names the problem. */
export function targetsOf(raw: Buffer | string | object, runtime: Pick<AlibabaRuntime, 'config'>): RefreshTarget[] {
  return targetsFor(targetSpec(parse(raw, 'event')), runtime.config);
}

/** The `{"targets":[...]}` object inside an event, or undefined when the event carries none. */
function targetSpec(event: unknown): unknown {
  if (event === undefined) return undefined;
  if (!isObject(event)) throw new BadRequestError('event must be a JSON object');
  if ('triggerTime' in event && 'triggerName' in event) {
    const { payload } = event;
    if (payload === undefined || payload === null || payload === '') return undefined;
    if (typeof payload !== 'string') throw new BadRequestError('timer event payload must be a JSON string');
    return parse(payload, 'timer event payload');
  }
  if ('specversion' in event) {
    const data = typeof event.data === 'string' ? parse(event.data, 'CloudEvent data') : event.data;
    return isObject(data) && 'targets' in data ? data : undefined;
  }
  return event;
}

let started: Started<ReturnType<typeof createRefreshHandler>> | undefined;

/** FC entry point (`index.handler`); the runtime is built on the first invocation, as in http.ts. */
export const handler = async (event: Buffer | string | object, context?: FcContext): Promise<{ outcomes: TargetOutcome[] }> => {
  started ??= coldStart(() => createRefreshHandler(alibabaRuntime(process.env)));
  if (!started.ok) throw new InternalError();
  return started.runtime(event, context);
};
