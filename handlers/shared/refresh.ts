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
 * @example
 * import { targetsOf } from '../tencent/refresh.js';
 * const { outcomes } = await refreshInvocation(runtime, invocation, () => targetsOf(event, runtime));
 */
export async function refreshInvocation(runtime: RefreshRuntime, invocation: Invocation, targetsOf: () => RefreshTarget[]): Promise<{ outcomes: TargetOutcome[] }> {
  let targets: RefreshTarget[];
  try {
    targets = targetsOf();
  } catch (err) {
    invocation.log?.error('refresh event rejected', { err });
    invocation.metrics?.count('RefreshFailures', {});
    throw err;
  }
  const outcomes = await refreshTargets(targets, { service: runtime.service, stores: runtime.stores, log: runtime.log, retry: runtime.config.retry }, invocation);
  return { outcomes };
}
