import { BadRequestError } from '../../core/errors.js';
import { targetsFor } from '../../core/targets.js';
import { isObject, parseJsonEvent, timerPayload } from '../shared/event.js';
import { refreshPipeline } from '../shared/pipeline.js';
import { huaweiRuntime, type FunctionGraphContext, type HuaweiRuntime } from './runtime.js';

/**
 * Scheduled refresh on FunctionGraph into CSMS. Where the targets come from:
 * - a timer trigger `{ version, time, trigger_type: "TIMER", trigger_name, user_event }`: `user_event`,
 *   the trigger's additional information, the string `{"targets":[...]}`;
 * - an InvokeFunction call whose whole event is `{"targets":[...]}`;
 * - otherwise (empty `user_event`, empty event): REGCRED_TARGETS.
 */
function targetSpec(event: unknown): unknown {
  if (event === undefined || event === null) return undefined;
  if (!isObject(event)) throw new BadRequestError('event must be a JSON object');
  if (event.trigger_type === 'TIMER') return timerPayload(event.user_event, 'timer event user_event');
  return Object.keys(event).length ? event : undefined;
}

export const targetsOf = (event: unknown, runtime: Pick<HuaweiRuntime, 'config'>) => targetsFor(targetSpec(parseJsonEvent(event, 'event')), runtime.config);

/** The handler over a runtime built elsewhere (tests, the local server). */
export const createRefreshHandler = (runtime: HuaweiRuntime) => refreshPipeline<HuaweiRuntime, FunctionGraphContext | undefined>(() => runtime, targetsOf);

/** FunctionGraph entry point: resolves with the per-target outcomes, rejects when the event is bad or a target failed. */
export const handler = refreshPipeline<HuaweiRuntime, FunctionGraphContext | undefined>(() => huaweiRuntime(process.env), targetsOf);
