import type { CloudModule } from '../../core/cloud-module.js';
import { loadConfig, type Config, type Env } from '../../core/config.js';
import type { RoleKeys } from '../../core/provider.js';
import { createLogger, registerRoleKeys, registerSecret } from '../../core/log.js';
import type { StoreFactories } from '../../core/refresh.js';
import { budgetFor, CredentialService, type ProviderFactories } from '../../core/service.js';
import type { PipelineRuntime } from './middleware/context.js';
import { tagged } from './metrics.js';

/**
 * What every handler of one cloud shares in a warm instance (nothing per request), built once by
 * that cloud's composition root (handlers/<cloud>/runtime.ts) from its platform's context type.
 */
export interface FunctionRuntime<Context> extends PipelineRuntime<Context | undefined> {
  stores: StoreFactories;
}

export interface RuntimeOptions {
  /** Where log lines go (tests capture them); stdout by default. */
  write?: (line: string) => void;
  now?: () => number;
}

/**
 * The part of a composition root every cloud builds the same way: the configuration validated
 * for `cloud`, the clock, the logger, and the cached credential service over the cloud's providers.
 * @example
 * import { TENCENT } from '../../core/tencent/cloud.js';
 * import { createTcrProvider } from '../../core/tencent/tcr.js';
 * const { config, now, log, service } = coreRuntime(process.env, TENCENT, {}, (now) => ({ tcr: () => createTcrProvider({ keys: () => ({ accessKeyId: 'AKID', accessKeySecret: 'k' }), now }) }));
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

/** What a platform's context says of one invocation, as each cloud's runtime reads it. */
export interface PlatformInvocation {
  /** Time left, ms; absent, not a number or not positive: the platform's default timeout. */
  remainingMs: number | undefined;
  requestId: string | undefined;
  functionName: string | undefined;
  /** The role's keys, where the platform hands them per invocation (FC, FunctionGraph). */
  keys?: RoleKeys | undefined;
  region?: string | undefined;
  /** Platform-specific fields the cloud's stores read (FunctionGraph's project id). */
  extra?: Record<string, string>;
}

/**
 * The composition root of a platform that hands the function a JSON event and logs metrics as a
 * line (FC, SCF, FunctionGraph): the core built by {@link coreRuntime}, the cloud's stores, and each
 * invocation read from the platform's context by `read`.
 * @example
 * import { TENCENT } from '../../core/tencent/cloud.js';
 * const runtime = eventRuntime(process.env, TENCENT, {}, { providers: () => ({}), stores: () => ({}), defaultTimeoutMs: 3_000, read: () => ({ remainingMs: undefined, requestId: undefined, functionName: undefined }) });
 */
export function eventRuntime<Context>(
  env: Env,
  cloud: CloudModule,
  options: RuntimeOptions,
  parts: {
    providers: (now: () => number, config: Config) => ProviderFactories;
    /** Built once the configuration is valid; a cloud's own cold-start checks run here too. */
    stores: (config: Config) => StoreFactories;
    defaultTimeoutMs: number;
    read: (context: Context | undefined) => PlatformInvocation;
  },
): FunctionRuntime<Context> {
  const { config, now, log, service } = coreRuntime(env, cloud, options, parts.providers);
  const write = options.write;
  return {
    config,
    log,
    service,
    stores: parts.stores(config),
    invocation(context) {
      const { remainingMs, requestId, functionName, keys, region, extra } = parts.read(context);
      const left = typeof remainingMs === 'number' && Number.isFinite(remainingMs) && remainingMs > 0 ? remainingMs : parts.defaultTimeoutMs;
      return {
        ...budgetFor(left, now),
        ...tagged({ requestId: requestId || undefined, functionName, sink: 'log', log, ...(write && { write }) }),
        ...(keys && { keys }),
        ...(region && { region }),
        ...extra,
      };
    },
  };
}

/**
 * The role's keys as every platform hands them (FC's `context.credentials`, FunctionGraph's
 * `getSecurity*()`), in regcred's one shape; the secret parts are registered with the log
 * redactor as they are first seen. Undefined without a key pair.
 */
export function roleKeysOf(parts: { accessKeyId?: string | undefined; accessKeySecret?: string | undefined; securityToken?: string | undefined }): RoleKeys | undefined {
  const { accessKeyId, accessKeySecret, securityToken } = parts;
  registerRoleKeys({ accessKeySecret, securityToken });
  if (!accessKeyId || !accessKeySecret) return undefined;
  return { accessKeyId, accessKeySecret, ...(securityToken && { securityToken }) };
}
