import { BadRequestError } from '../../core/errors.js';
import { targetsFor } from '../../core/targets.js';
import { refreshPipeline } from '../shared/pipeline.js';
import type { LambdaContext } from './runtime.js';
import { awsSecretsRuntime, type AwsSecretsRuntime } from './secrets-runtime.js';

/**
 * Scheduled and event-driven refresh into Secrets Manager. Where the targets come from:
 * - an EventBridge event (a schedule without input, or a custom `regcred.refresh` event):
 *   `detail.targets`, else REGCRED_TARGETS;
 * - a schedule or direct invocation whose whole input is `{"targets":[...]}`;
 * - an empty input: REGCRED_TARGETS.
 */
function targetSpec(event: unknown): unknown {
  if (event === undefined || event === null) return undefined;
  if (typeof event !== 'object' || Array.isArray(event)) throw new BadRequestError('event must be a JSON object');
  const fields = event as Record<string, unknown>;
  if ('detail-type' in fields) {
    const { detail } = fields;
    return typeof detail === 'object' && detail !== null && 'targets' in detail ? detail : undefined;
  }
  return Object.keys(fields).length ? fields : undefined;
}

export const targetsOf = (event: unknown, runtime: Pick<AwsSecretsRuntime, 'config'>) => targetsFor(targetSpec(event), runtime.config);

/** The handler over a runtime built elsewhere (tests). */
export const createRefreshHandler = (runtime: AwsSecretsRuntime) => refreshPipeline<AwsSecretsRuntime, LambdaContext>(() => runtime, targetsOf);

/** Lambda entry point: resolves with the per-target outcomes, rejects when the event is bad or a target failed. */
export const handler = refreshPipeline<AwsSecretsRuntime, LambdaContext>(() => awsSecretsRuntime(process.env), targetsOf);
