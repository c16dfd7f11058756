import type { CloudModule } from '../../core/cloud.js';
import { loadConfig, type Config, type Env } from '../../core/config.js';
import type { RoleKeys } from '../../core/credential.js';
import { createLogger, registerSecret, type Logger } from '../../core/log.js';
import type { StoreFactories } from '../../core/refresh.js';
import { budgetFor, CredentialService, type Invocation, type ProviderFactories } from '../../core/service.js';
import { tagged } from './metrics.js';

/**
 * What every handler of one cloud shares in a warm instance (nothing per request), built once by
 * that cloud's composition root (handlers/<cloud>/runtime.ts) from its platform's context type.
 */
export interface FunctionRuntime<Context> {
  config: Config;
  log: Logger;
  service: CredentialService;
  stores: StoreFactories;
  /** This invocation, from the platform's context: request id, budget, a logger bound to it, and the role's keys and region where the platform hands them per invocation. */
  invocation(context: Context | undefined): Invocation;
}

export interface RuntimeOptions {
  /** Where log lines go (tests capture them); stdout by default. */
  write?: (line: string) => void;
  now?: () => number;
}

/**
 * The part of a composition root every cloud builds the same way: the configuration validated
 * for `cloud`, the clock, the logger, and the cached credential service over the cloud's providers.
 * @example const { config, now, log, service } = coreRuntime(env, TENCENT, options, (now) => ({ tcr: () => createTcrProvider({ now }) }));
 */
export function coreRuntime(env: Env, cloud: CloudModule, options: RuntimeOptions, providers: (now: () => number, config: Config) => ProviderFactories) {
  const config = loadConfig(env, cloud);
  // The role's keys in the environment (where the SDK reads them) must never reach a log line.
  for (const name of cloud.secretVariables ?? []) registerSecret(env[name] ?? '');
  const now = options.now ?? Date.now;
  const log = createLogger({ level: config.logLevel, ...(options.write && { write: options.write }), now });
  const service = new CredentialService({ registries: config.registries, providers: providers(now, config), retry: config.retry, log, now });
  return { config, now, log, service };
}

/**
 * One invocation on a platform that logs metrics as a line (every cloud but AWS): its budget, its
 * request id on every line, and what the platform handed it (role keys, region).
 */
export function eventInvocation(
  core: { now: () => number; log: Logger },
  options: RuntimeOptions,
  context: { remainingMs: number; requestId: string | undefined; functionName: string | undefined; keys?: RoleKeys | undefined; region?: string | undefined },
): Invocation {
  return {
    ...budgetFor(context.remainingMs, core.now),
    ...tagged({ requestId: context.requestId, functionName: context.functionName, sink: 'log', log: core.log, ...(options.write && { write: options.write }) }),
    ...(context.keys && { keys: context.keys }),
    ...(context.region && { region: context.region }),
  };
}
