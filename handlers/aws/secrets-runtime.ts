import type { Env } from '../../core/config.js';
import type { StoreFactories } from '../../core/refresh.js';
import { createSecretsManagerStore, type SecretsManagerStore } from '../../core/aws/secrets-manager.js';
import { awsRuntime, type AwsRuntime, type AwsRuntimeOptions } from './runtime.js';

/**
 * The runtime of the functions that write secrets (refresh, rotate): the shared AWS runtime plus
 * Secrets Manager. Kept apart so the http bundle carries no Secrets Manager code at all.
 */
export interface AwsSecretsRuntime extends AwsRuntime {
  /** Secrets Manager, built on first use; refresh targets and rotation share it. */
  secretsManager: () => SecretsManagerStore;
  stores: StoreFactories;
}

export function awsSecretsRuntime(env: Env, options: AwsRuntimeOptions = {}): AwsSecretsRuntime {
  let store: SecretsManagerStore | undefined;
  const secretsManager = () => (store ??= createSecretsManagerStore());
  return { ...awsRuntime(env, options), secretsManager, stores: { 'secrets-manager': secretsManager } };
}
