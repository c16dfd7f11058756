import type { Context } from 'aws-lambda';
import { InternalError } from '../../core/errors.js';
import { checkRegistryLogin } from '../../core/registry-login.js';
import { parseRotationEvent, rotateStep, type RegistryLogin, type RotationResult } from '../../core/rotation.js';
import { coldStart, type Started } from '../shared/cold-start.js';
import { awsSecretsRuntime, type AwsSecretsRuntime } from './secrets-runtime.js';

/**
 * Secrets Manager rotation function: `{ SecretId, ClientRequestToken, Step, RotationToken? }` in,
 * one protocol step (core/rotation.ts) out. A thrown error fails the step; Secrets Manager
 * retries it and never moves AWSCURRENT on its own.
 */
export function createRotateHandler(
  runtime: Pick<AwsSecretsRuntime, 'config' | 'log' | 'service' | 'secretsManager' | 'invocation'>,
  options: { login?: RegistryLogin } = {},
) {
  return async function handler(event: unknown, context: Pick<Context, 'getRemainingTimeInMillis'> & Partial<Pick<Context, 'awsRequestId'>>): Promise<RotationResult> {
    const budget = runtime.invocation(context);
    try {
      const request = parseRotationEvent(event);
      return await rotateStep(
        request,
        {
          store: runtime.secretsManager(),
          service: runtime.service,
          ...(runtime.config.refreshTargets && { targets: runtime.config.refreshTargets }),
          login: options.login ?? checkRegistryLogin,
          log: runtime.log,
          retry: runtime.config.retry,
        },
        budget,
      );
    } catch (err) {
      budget.log?.error('rotation step failed', { step: (event as { Step?: unknown } | null)?.Step, err });
      budget.metrics?.count('RotationFailures', {});
      throw err;
    } finally {
      budget.metrics?.flush();
    }
  };
}

let started: Started<ReturnType<typeof createRotateHandler>> | undefined;

/** Lambda entry point; the runtime is built on the first invocation of a cold instance. */
export const handler = async (event: unknown, context: Context): Promise<RotationResult> => {
  started ??= coldStart(() => createRotateHandler(awsSecretsRuntime(process.env)));
  if (!started.ok) throw new InternalError();
  return started.runtime(event, context);
};
