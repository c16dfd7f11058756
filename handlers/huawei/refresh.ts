import { targetsFor } from '../../core/targets.js';
import { parseJsonEvent, refreshSpec } from '../shared/event.js';
import { refreshPipeline } from '../shared/pipeline.js';
import { huaweiRuntime, type FunctionGraphContext, type HuaweiRuntime } from './runtime.js';

/**
 * Scheduled refresh on FunctionGraph into CSMS. Where the targets come from:
 * - a timer trigger `{ version, time, trigger_type: "TIMER", trigger_name, user_event }`: `user_event`,
 *   the trigger's additional information, the string `{"targets":[...]}`;
 * - an InvokeFunction call whose whole event is `{"targets":[...]}`;
 * - otherwise (empty `user_event`, empty event): REGCRED_TARGETS.
 */
const targetSpec = (event: unknown) => refreshSpec(event, { is: (e) => e.trigger_type === 'TIMER', field: 'user_event' });

export const targetsOf = (event: unknown, runtime: Pick<HuaweiRuntime, 'config'>) => targetsFor(targetSpec(parseJsonEvent(event, 'event')), runtime.config);

/** The handler over a runtime built elsewhere (tests, the local server). */
export const createRefreshHandler = (runtime: HuaweiRuntime) => refreshPipeline<HuaweiRuntime, FunctionGraphContext | undefined>(() => runtime, targetsOf);

/** FunctionGraph entry point: resolves with the per-target outcomes, rejects when the event is bad or a target failed. */
export const handler = refreshPipeline<HuaweiRuntime, FunctionGraphContext | undefined>(() => huaweiRuntime(process.env), targetsOf);
