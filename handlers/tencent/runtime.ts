import type { Env } from '../../core/config.js';
import { ConfigError } from '../../core/errors.js';
import type { RoleKeys } from '../../core/provider.js';
import { TENCENT, TENCENT_ENDPOINTS } from '../../core/tencent/cloud.js';
import { createSsmSecretStore } from '../../core/tencent/ssm.js';
import { createTcrProvider } from '../../core/tencent/tcr.js';
import { eventRuntime, roleKeysOf, type FunctionRuntime, type RuntimeOptions } from '../shared/runtime.js';

/**
 * The part of SCF's Node.js `context` regcred reads (SCF event functions pass `(event, context)`;
 * the field names are SCF's own snake_case).
 */
export interface ScfContext {
  request_id?: string;
  /** The function's timeout, ms. */
  time_limit_in_ms?: number;
  getRemainingTimeInMillis?: () => number;
  function_name?: string;
  tencentcloud_region?: string;
}

/** What every Tencent handler shares in one warm instance. */
export type TencentRuntime = FunctionRuntime<ScfContext>;
export type TencentRuntimeOptions = RuntimeOptions;

/** SCF's default function timeout, for a context that does not say. */
const DEFAULT_TIMEOUT_MS = 3_000;

/**
 * The Tencent composition root, built once per cold start. SCF hands a function with an execution
 * role that role's temporary keys in TENCENTCLOUD_SECRETID / _SECRETKEY / _SESSIONTOKEN; they are
 * read from the environment the runtime is given on every call (so keys SCF renews in the process
 * environment are picked up) and passed to the SDK explicitly: the SDK's own chain reads other names,
 * and a long-lived key is never used. Without them the cold start fails (ConfigError).
 * @example
 * const runtime = tencentRuntime(process.env);
 * const { credentials } = await runtime.service.all(runtime.invocation(context));
 */
export function tencentRuntime(env: Env, options: TencentRuntimeOptions = {}): TencentRuntime {
  const keys = () => roleKeys(env);
  return eventRuntime<ScfContext>(env, TENCENT, options, {
    providers: (now, config) => {
      const tcr = config.endpoints[TENCENT_ENDPOINTS.tcr];
      return { tcr: () => createTcrProvider({ keys, ...(tcr && { endpointUrl: tcr }), now }) };
    },
    stores: (config) => {
      keys(); // no execution role: fail the cold start (a generic 500 to callers), not each request
      const ssm = config.endpoints[TENCENT_ENDPOINTS.ssm];
      // SSM secrets live in the function's own region.
      return {
        ssm: (invocation) => {
          if (!invocation.region) throw new ConfigError('the function region is unknown (no context.tencentcloud_region, no TENCENTCLOUD_REGION), so the SSM endpoint is unknown');
          return createSsmSecretStore(invocation.region, { keys, ...(ssm && { endpointUrl: ssm }) });
        },
      };
    },
    defaultTimeoutMs: DEFAULT_TIMEOUT_MS,
    read: (context) => ({
      remainingMs: remainingMs(context),
      requestId: typeof context?.request_id === 'string' ? context.request_id : undefined,
      functionName: context?.function_name,
      region: context?.tencentcloud_region || env.TENCENTCLOUD_REGION,
    }),
  });
}

/** SCF's own count of what is left, else the function's time limit. */
function remainingMs(context: ScfContext | undefined): number | undefined {
  const left = typeof context?.getRemainingTimeInMillis === 'function' ? context.getRemainingTimeInMillis() : undefined;
  return typeof left === 'number' && Number.isFinite(left) ? left : context?.time_limit_in_ms;
}

/** The execution role's temporary keys, as SCF sets them; never a permanent key from elsewhere. */
function roleKeys(env: Env): RoleKeys {
  // SCF renews these in the process environment: each renewed pair is masked as it is first read.
  const keys = roleKeysOf({ accessKeyId: env.TENCENTCLOUD_SECRETID, accessKeySecret: env.TENCENTCLOUD_SECRETKEY, securityToken: env.TENCENTCLOUD_SESSIONTOKEN });
  if (!keys) throw new ConfigError('TENCENTCLOUD_SECRETID / TENCENTCLOUD_SECRETKEY are not set: give the SCF function an execution role');
  return keys;
}
