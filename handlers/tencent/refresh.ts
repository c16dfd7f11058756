import { targetsFor } from '../../core/targets.js';
import { parseJsonEvent, refreshSpec } from '../shared/event.js';
import { refreshPipeline } from '../shared/pipeline.js';
import { tencentRuntime, type ScfContext, type TencentRuntime } from './runtime.js';

/**
 * Scheduled refresh on SCF into SSM. Where the targets come from:
 * - an SCF timer trigger `{"Type":"Timer","TriggerName","Time","Message"}`: `Message`, the trigger's
 *   free text, the JSON string `{"targets":[...]}` (empty: REGCRED_TARGETS);
 * - an `Invoke` call whose whole event is `{"targets":[...]}`;
 * - an empty event: REGCRED_TARGETS.
 */
const targetSpec = (event: unknown) => refreshSpec(event, { is: (e) => e.Type === 'Timer', field: 'Message' });

export const targetsOf = (event: unknown, runtime: Pick<TencentRuntime, 'config'>) => targetsFor(targetSpec(parseJsonEvent(event, 'event')), runtime.config);

/** The handler over a runtime built elsewhere (tests, the local server). */
export const createRefreshHandler = (runtime: TencentRuntime) => refreshPipeline<TencentRuntime, ScfContext | undefined>(() => runtime, targetsOf);

/** SCF entry point: resolves with the per-target outcomes, rejects when the event is bad or a target failed. */
export const handler = refreshPipeline<TencentRuntime, ScfContext | undefined>(() => tencentRuntime(process.env), targetsOf);
