import { loadConfig, type Config, type Env } from '../../core/config.js';
import type { RoleKeys } from '../../core/credential.js';
import { ConfigError } from '../../core/errors.js';
import { assertHuaweiRegion, huaweiKeysOf } from '../../core/huawei/client.js';
import { HUAWEI, HUAWEI_ENDPOINTS } from '../../core/huawei/cloud.js';
import { createCsmsSecretStore } from '../../core/huawei/csms.js';
import { createSwrProvider } from '../../core/huawei/swr.js';
import { createLogger, type Logger } from '../../core/log.js';
import type { StoreFactories } from '../../core/refresh.js';
import { budgetFor, CredentialService, type Invocation } from '../../core/service.js';
import { tagged } from '../shared/metrics.js';

/**
 * The part of FunctionGraph's Node.js `context` regcred reads (methods, as the runtime passes them).
 * With an agency configured, `getSecurityAccessKey()` / `getSecuritySecretKey()` /
 * `getSecurityToken()` return the agency's temporary keys for this invocation.
 */
export interface FunctionGraphContext {
  getRequestID?(): string;
  getRemainingTimeInMilliSeconds?(): number;
  getSecurityAccessKey?(): string;
  getSecuritySecretKey?(): string;
  getSecurityToken?(): string;
  getProjectID?(): string;
  getFunctionName?(): string;
}

/** What every Huawei handler shares in one warm instance (nothing per request). */
export interface HuaweiRuntime {
  config: Config;
  log: Logger;
  service: CredentialService;
  stores: StoreFactories;
  /** This invocation, from FunctionGraph's context: request id, budget, the agency's keys. */
  invocation(context: FunctionGraphContext | undefined): Invocation;
}

export interface HuaweiRuntimeOptions {
  /** Where log lines go (tests capture them); stdout by default. */
  write?: (line: string) => void;
  now?: () => number;
}

/** FunctionGraph's default function timeout, for a context that does not say. */
const DEFAULT_TIMEOUT_MS = 3_000;

/**
 * The Huawei composition root, built once per cold start. SWR and CSMS calls sign with the agency
 * keys FunctionGraph hands each invocation (`context.getSecurity*()`), passed down with the
 * invocation; a function without an agency has none and every call fails as denied.
 *
 * `HUAWEICLOUD_REGION` (set by the deploy) names the function's region: CSMS secrets live there,
 * and FunctionGraph's context documents no region accessor. Read and checked here, at cold start.
 * @example
 * const runtime = huaweiRuntime(process.env);
 * const { credentials } = await runtime.service.all(runtime.invocation(context));
 */
export function huaweiRuntime(env: Env, options: HuaweiRuntimeOptions = {}): HuaweiRuntime {
  const config = loadConfig(env, HUAWEI);
  const now = options.now ?? Date.now;
  const log = createLogger({ level: config.logLevel, ...(options.write && { write: options.write }), now });
  const swr = config.endpoints[HUAWEI_ENDPOINTS.swr];
  const csms = config.endpoints[HUAWEI_ENDPOINTS.csms];
  const region = env.HUAWEICLOUD_REGION?.trim();
  if (region) assertHuaweiRegion(region);
  if (config.refreshTargets?.some((t) => t.store === 'csms') && !region) {
    throw new ConfigError('HUAWEICLOUD_REGION must name the function region: REGCRED_TARGETS writes CSMS secrets there');
  }
  const service = new CredentialService({
    registries: config.registries,
    providers: { swr: () => createSwrProvider({ ...(swr && { endpointUrl: swr }), now }) },
    retry: config.retry,
    log,
    now,
  });
  const stores: StoreFactories = {
    csms: (invocation) => {
      if (!invocation.keys) throw new ConfigError('the function has no agency: FunctionGraph handed it no temporary keys');
      const projectId = (invocation as HuaweiInvocation).projectId;
      if (!projectId) throw new ConfigError('the function project id is unknown (no context.getProjectID())');
      return createCsmsSecretStore(region!, { keys: huaweiKeysOf(invocation.keys), projectId, ...(csms && { endpointUrl: csms }) });
    },
  };

  return {
    config,
    log,
    service,
    stores,
    invocation(context) {
      const requestId = call(context, 'getRequestID');
      const remaining = Number(call(context, 'getRemainingTimeInMilliSeconds') ?? NaN);
      const keys = agencyKeys(context);
      const projectId = call(context, 'getProjectID');
      const invocation: HuaweiInvocation = {
        ...budgetFor(Number.isFinite(remaining) && remaining > 0 ? remaining : DEFAULT_TIMEOUT_MS, now),
        ...tagged({ requestId, functionName: call(context, 'getFunctionName'), sink: 'log', log, ...(options.write && { write: options.write }) }),
        ...(keys && { keys }),
        ...(region && { region }),
        ...(projectId && { projectId }),
      };
      return invocation;
    },
  };
}

/** The invocation plus the project CSMS paths name (FunctionGraph `context.getProjectID()`). */
interface HuaweiInvocation extends Invocation {
  projectId?: string;
}

/** A context method's answer, or undefined when the method is absent, throws or answers another type. */
function call<K extends keyof FunctionGraphContext>(context: FunctionGraphContext | undefined, name: K): ReturnType<NonNullable<FunctionGraphContext[K]>> | undefined {
  try {
    const method = context?.[name] as (() => unknown) | undefined;
    const value = typeof method === 'function' ? method.call(context) : undefined;
    return (typeof value === 'string' || typeof value === 'number' ? value : undefined) as never;
  } catch {
    return undefined;
  }
}

function agencyKeys(context: FunctionGraphContext | undefined): RoleKeys | undefined {
  const accessKeyId = call(context, 'getSecurityAccessKey');
  const accessKeySecret = call(context, 'getSecuritySecretKey');
  const securityToken = call(context, 'getSecurityToken');
  if (!accessKeyId || !accessKeySecret) return undefined;
  return { accessKeyId, accessKeySecret, ...(securityToken && { securityToken }) };
}
