import type { Context } from 'aws-lambda';
import { BadRequestError, InternalError } from '../../core/errors.js';
import type { TargetOutcome } from '../../core/refresh.js';
import { targetsFor, type RefreshTarget } from '../../core/targets.js';
import { coldStart, type Started } from '../shared/cold-start.js';
import { runRefresh } from '../shared/refresh.js';
import { awsSecretsRuntime, type AwsSecretsRuntime } from './secrets-runtime.js';

/**
 * Scheduled and event-driven refresh into Secrets Manager. Where the targets come from:
 * - an EventBridge event (a schedule without input, or a custom `regcred.refresh` event):
 *   `detail.targets`, else REGCRED_TARGETS;
 * - a schedule or direct invocation whose whole input is `{"targets":[...]}`;
 * - an empty input: REGCRED_TARGETS.
 *
 * Resolves with the per-target outcomes; rejects when the event is bad or any target failed, so
 * Lambda's async retries and on-failure destination apply.
 */
export function createRefreshHandler(runtime: Pick<AwsSecretsRuntime, 'config' | 'log' | 'service' | 'stores' | 'invocation'>) {
  return async function handler(event: unknown, context: Pick<Context, 'getRemainingTimeInMillis'> & Partial<Pick<Context, 'awsRequestId'>>): Promise<{ outcomes: TargetOutcome[] }> {
    return runRefresh(runtime, runtime.invocation(context), () => targetsOf(event, runtime));
  };
}

/** The targets an event names, else the configured ones; BadRequestError names the problem. */
export function targetsOf(event: unknown, runtime: Pick<AwsSecretsRuntime, 'config'>): RefreshTarget[] {
  return targetsFor(targetSpec(event), runtime.config);
}

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

let started: Started<ReturnType<typeof createRefreshHandler>> | undefined;

/** Lambda entry point; the runtime is built on the first invocation of a cold instance. */
export const handler = async (event: unknown, context: Context): Promise<{ outcomes: TargetOutcome[] }> => {
  started ??= coldStart(() => createRefreshHandler(awsSecretsRuntime(process.env)));
  if (!started.ok) throw new InternalError();
  return started.runtime(event, context);
};
