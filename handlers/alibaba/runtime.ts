import { loadConfig, refuseUnverifiableAllowList, type Config, type Env } from '../../core/config.js';
import type { CredentialProvider, ProviderId } from '../../core/credential.js';
import { ConfigError } from '../../core/errors.js';
import { createLogger, type Logger, type LogLevel } from '../../core/log.js';
import { createAcrEeProvider } from '../../core/alibaba/acr-ee.js';
import { createAcrProvider } from '../../core/alibaba/acr.js';
import type { AlibabaFactoryOptions, AlibabaKeys } from '../../core/alibaba/client.js';
import type { StoreFactories } from '../../core/refresh.js';
import { budgetFor, CredentialService, type Budget } from '../../core/service.js';
import { createKmsSecretStore } from '../../core/alibaba/kms.js';

/** The part of Function Compute's Node.js `context` regcred reads. */
export interface FcContext {
  requestId?: string;
  /** The function role's STS keys, refreshed by FC; absent when the function has no role. */
  credentials?: { accessKeyId?: string; accessKeySecret?: string; securityToken?: string };
  /** `timeout` is the function's timeout in seconds. */
  function?: { name?: string; timeout?: number };
  region?: string;
  accountId?: string;
}

/** What every Alibaba handler shares in one warm instance. */
export interface AlibabaRuntime {
  config: Config;
  log: Logger;
  service: CredentialService;
  stores: StoreFactories;
  /** Take the role keys and region of this invocation; returns its time budget. */
  enter(context: FcContext | undefined): Budget;
}

export interface AlibabaRuntimeOptions {
  /** Where log lines go (tests capture them); stdout by default. */
  write?: (line: string) => void;
  now?: () => number;
}

/** Why FC cannot back REGCRED_ALLOWED_CALLERS (README, "Security"). */
export const FC_CALLER = {
  platform: 'Alibaba Cloud Function Compute',
  why: 'FC passes the function no caller identity it verified (an InvokeFunction caller writes the whole event, Authorization header included)',
  gate: 'fc:InvokeFunction (RAM policy)',
};

/** FC's default function timeout, for a context that does not say. */
const DEFAULT_TIMEOUT_S = 3;

/**
 * The Alibaba composition root, built once per cold start. The providers and the KMS store sign
 * with the role keys FC hands each invocation in `context.credentials` (STS keys that FC renews,
 * so clients are rebuilt when they change); without them the @alicloud/credentials default chain
 * (ALIBABA_CLOUD_* variables) applies.
 * @example
 * const runtime = alibabaRuntime(process.env);
 * const budget = runtime.enter(context);
 * const { credentials } = await runtime.service.all(budget);
 */
export function alibabaRuntime(env: Env, options: AlibabaRuntimeOptions = {}): AlibabaRuntime {
  const config = loadConfig(env);
  refuseUnverifiableAllowList(config, FC_CALLER);
  const now = options.now ?? Date.now;
  const log = createLogger({ level: config.logLevel as LogLevel, ...(options.write && { write: options.write }), now });
  let keys: AlibabaKeys | undefined;
  let region: string | undefined;

  const sdkOptions = (endpointUrl: string | undefined): AlibabaFactoryOptions => ({
    ...(endpointUrl && { endpointUrl }),
    ...(keys && { keys }),
    now,
  });
  const service = new CredentialService({
    registries: config.registries,
    providers: {
      acr: () => keyed('acr', () => createAcrProvider(sdkOptions(config.endpoints.cr)), () => keys),
      'acr-ee': () => keyed('acr-ee', () => createAcrEeProvider(sdkOptions(config.endpoints.cr)), () => keys),
    },
    retry: config.retry,
    log,
    now,
  });
  const stores: StoreFactories = {
    kms: () => {
      // KMS secrets live in the function's own region; refreshTargets builds stores per run.
      if (!region) throw new ConfigError('the function region is unknown (no context.region), so the KMS endpoint is unknown');
      return createKmsSecretStore(region, sdkOptions(config.endpoints.kms));
    },
  };

  return {
    config,
    log,
    service,
    stores,
    enter(context) {
      keys = roleKeys(context?.credentials);
      region = context?.region || region;
      const timeoutS = context?.function?.timeout;
      const timeoutMs = (typeof timeoutS === 'number' && timeoutS > 0 ? timeoutS : DEFAULT_TIMEOUT_S) * 1000;
      return budgetFor(timeoutMs, now);
    },
  };
}

function roleKeys(credentials: FcContext['credentials']): AlibabaKeys | undefined {
  const { accessKeyId, accessKeySecret, securityToken } = credentials ?? {};
  if (!accessKeyId || !accessKeySecret) return undefined;
  return { accessKeyId, accessKeySecret, ...(securityToken && { securityToken }) };
}

/**
 * A provider that rebuilds its SDK client when the role keys change (FC renews them while an
 * instance stays warm), and keeps it while they stay the same.
 */
function keyed(id: ProviderId, build: () => CredentialProvider, keys: () => AlibabaKeys | undefined): CredentialProvider {
  let built: { provider: CredentialProvider; keys: AlibabaKeys | undefined } | undefined;
  return {
    id,
    fetch(target, signal) {
      const current = keys();
      if (!built || !sameKeys(built.keys, current)) built = { provider: build(), keys: current };
      return built.provider.fetch(target, signal);
    },
    mayServe(target, host) {
      built ??= { provider: build(), keys: keys() };
      return built.provider.mayServe?.(target, host) ?? true;
    },
  };
}

function sameKeys(a: AlibabaKeys | undefined, b: AlibabaKeys | undefined): boolean {
  return a?.accessKeyId === b?.accessKeyId && a?.accessKeySecret === b?.accessKeySecret && a?.securityToken === b?.securityToken;
}
