import { BadRequestError } from '../../core/errors.js';
import { targetsFor } from '../../core/targets.js';
import { isObject, parseJsonEvent, timerPayload } from '../shared/event.js';
import { refreshPipeline } from '../shared/pipeline.js';
import { alibabaRuntime, type AlibabaRuntime, type FcContext } from './runtime.js';

/**
 * Scheduled and event-driven refresh on Function Compute into KMS. Where the targets come from:
 * - an FC timer trigger `{ triggerTime, triggerName, payload }`: `payload`, the JSON string `{"targets":[...]}`;
 * - an EventBridge CloudEvent (`specversion`, ...): `data.targets`;
 * - an `InvokeFunction` call whose whole event is `{"targets":[...]}`;
 * - otherwise (empty payload, no `targets` in `data`, empty event): REGCRED_TARGETS.
 */
function targetSpec(event: unknown): unknown {
  if (event === undefined) return undefined;
  if (!isObject(event)) throw new BadRequestError('event must be a JSON object');
  if ('triggerTime' in event && 'triggerName' in event) return timerPayload(event.payload, 'timer event payload');
  if ('specversion' in event) {
    const data = typeof event.data === 'string' ? parseJsonEvent(event.data, 'CloudEvent data') : event.data;
    return isObject(data) && 'targets' in data ? data : undefined;
  }
  return event;
}

export const targetsOf = (event: unknown, runtime: Pick<AlibabaRuntime, 'config'>) => targetsFor(targetSpec(parseJsonEvent(event, 'event')), runtime.config);

/** The handler over a runtime built elsewhere (tests, the local server). */
export const createRefreshHandler = (runtime: AlibabaRuntime) => refreshPipeline<AlibabaRuntime, FcContext | undefined>(() => runtime, targetsOf);

/** FC entry point: resolves with the per-target outcomes, rejects when the event is bad or a target failed. */
export const handler = refreshPipeline<AlibabaRuntime, FcContext | undefined>(() => alibabaRuntime(process.env), targetsOf);
