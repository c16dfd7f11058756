import { checkRegistryLogin } from '../../core/registry-login.js';
import { parseRotationEvent, rotateStep, type RegistryLogin, type RotationResult } from '../../core/aws/rotation.js';
import type { Invocation } from '../../core/service.js';
import { pipeline } from '../shared/pipeline.js';
import type { LambdaContext } from './runtime.js';
import { awsSecretsRuntime, type AwsSecretsRuntime } from './secrets-runtime.js';

type RotateRuntime = Pick<AwsSecretsRuntime, 'config' | 'log' | 'service' | 'secretsManager' | 'invocation'>;

/**
 * Secrets Manager rotation function: `{ SecretId, ClientRequestToken, Step, RotationToken? }` in,
 * one protocol step (core/aws/rotation.ts) out. A thrown error fails the step; Secrets Manager
 * retries it and never moves AWSCURRENT on its own.
 */
async function rotate(event: unknown, runtime: RotateRuntime, invocation: Invocation, login: RegistryLogin): Promise<RotationResult> {
  try {
    const request = parseRotationEvent(event);
    const { config } = runtime;
    const options = { store: runtime.secretsManager(), service: runtime.service, login, log: runtime.log, retry: config.retry };
    return await rotateStep(request, { ...options, ...(config.refreshTargets && { targets: config.refreshTargets }) }, invocation);
  } catch (err) {
    invocation.log?.error('rotation step failed', { step: (event as { Step?: unknown } | null)?.Step, err });
    invocation.metrics?.count('RotationFailures', {});
    throw err;
  }
}

/** The handler over a runtime built elsewhere (tests), and the registry check a test may replace. */
export function createRotateHandler(runtime: RotateRuntime, options: { login?: RegistryLogin } = {}) {
  const login = options.login ?? checkRegistryLogin;
  return pipeline<RotateRuntime, LambdaContext, RotationResult>(() => runtime, (event, { invocation }) => rotate(event, runtime, invocation, login));
}

/** Lambda entry point; the runtime is built on the first invocation of an instance. */
export const handler = pipeline<AwsSecretsRuntime, LambdaContext, RotationResult>(
  () => awsSecretsRuntime(process.env),
  (event, { runtime, invocation }) => rotate(event, runtime, invocation, checkRegistryLogin),
);
