import type { Env } from '../../core/config.js';
import { ConfigError } from '../../core/errors.js';
import { assertHuaweiRegion, huaweiKeysOf } from '../../core/huawei/client.js';
import { HUAWEI, HUAWEI_ENDPOINTS } from '../../core/huawei/cloud.js';
import { createCsmsSecretStore } from '../../core/huawei/csms.js';
import { createSwrProvider } from '../../core/huawei/swr.js';
import type { Invocation } from '../../core/service.js';
import { eventRuntime, roleKeysOf, type FunctionRuntime, type RuntimeOptions } from '../shared/runtime.js';

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
export type HuaweiRuntime = FunctionRuntime<FunctionGraphContext>;
export type HuaweiRuntimeOptions = RuntimeOptions;

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
  const region = env.HUAWEICLOUD_REGION?.trim();
  return eventRuntime<FunctionGraphContext>(env, HUAWEI, options, {
    providers: (now, config) => {
      const swr = config.endpoints[HUAWEI_ENDPOINTS.swr];
      return { swr: () => createSwrProvider({ ...(swr && { endpointUrl: swr }), now }) };
    },
    stores: (config) => {
      if (region) assertHuaweiRegion(region);
      if (config.refreshTargets?.some((t) => t.store === 'csms') && !region) {
        throw new ConfigError('HUAWEICLOUD_REGION must name the function region: REGCRED_TARGETS writes CSMS secrets there');
      }
      const csms = config.endpoints[HUAWEI_ENDPOINTS.csms];
      return {
        csms: (invocation) => {
          if (!invocation.keys) throw new ConfigError('the function has no agency: FunctionGraph handed it no temporary keys');
          const projectId = (invocation as HuaweiInvocation).projectId;
          if (!projectId) throw new ConfigError('the function project id is unknown (no context.getProjectID())');
          return createCsmsSecretStore(region!, { keys: huaweiKeysOf(invocation.keys), projectId, ...(csms && { endpointUrl: csms }) });
        },
      };
    },
    defaultTimeoutMs: DEFAULT_TIMEOUT_MS,
    read: (context) => {
      const projectId = call(context, 'getProjectID');
      return {
        remainingMs: Number(call(context, 'getRemainingTimeInMilliSeconds') ?? NaN),
        requestId: call(context, 'getRequestID'),
        functionName: call(context, 'getFunctionName'),
        keys: roleKeysOf({ accessKeyId: call(context, 'getSecurityAccessKey'), accessKeySecret: call(context, 'getSecuritySecretKey'), securityToken: call(context, 'getSecurityToken') }),
        region,
        ...(projectId && { extra: { projectId } }),
      };
    },
  });
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
