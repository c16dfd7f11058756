import { ALIBABA, ALIBABA_ENDPOINTS } from '../../core/alibaba/cloud.js';
import { createAcrEeProvider } from '../../core/alibaba/acr-ee.js';
import { createAcrProvider } from '../../core/alibaba/acr.js';
import { createKmsSecretStore } from '../../core/alibaba/kms.js';
import type { Env } from '../../core/config.js';
import type { RoleKeys } from '../../core/credential.js';
import { ConfigError } from '../../core/errors.js';
import { registerRoleKeys } from '../../core/log.js';
import type { StoreFactories } from '../../core/refresh.js';
import { coreRuntime, eventInvocation, type FunctionRuntime, type RuntimeOptions } from '../shared/runtime.js';

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
export type AlibabaRuntime = FunctionRuntime<FcContext>;
export type AlibabaRuntimeOptions = RuntimeOptions;

/** FC's default function timeout, for a context that does not say. */
const DEFAULT_TIMEOUT_S = 3;

/**
 * The Alibaba composition root, built once per cold start. Providers and the KMS store sign with
 * the role keys FC hands each invocation in `context.credentials` (STS keys FC renews), passed
 * down with the invocation; without them the @alicloud/credentials default chain (ALIBABA_CLOUD_*
 * variables) applies.
 * @example
 * const runtime = alibabaRuntime(process.env);
 * const { credentials } = await runtime.service.all(runtime.invocation(context));
 */
export function alibabaRuntime(env: Env, options: AlibabaRuntimeOptions = {}): AlibabaRuntime {
  const core = coreRuntime(env, ALIBABA, options, (now, config) => {
    const cr = config.endpoints[ALIBABA_ENDPOINTS.cr];
    return {
      acr: () => createAcrProvider({ ...(cr && { endpointUrl: cr }), now }),
      'acr-ee': () => createAcrEeProvider({ ...(cr && { endpointUrl: cr }), now }),
    };
  });
  const kms = core.config.endpoints[ALIBABA_ENDPOINTS.kms];
  const stores: StoreFactories = {
    // KMS secrets live in the function's own region; refreshTargets builds stores per run.
    kms: (invocation) => {
      if (!invocation.region) throw new ConfigError('the function region is unknown (no context.region), so the KMS endpoint is unknown');
      return createKmsSecretStore(invocation.region, { ...(kms && { endpointUrl: kms }), ...(invocation.keys && { keys: invocation.keys }) });
    },
  };

  return {
    config: core.config,
    log: core.log,
    service: core.service,
    stores,
    invocation(context) {
      const timeoutS = context?.function?.timeout;
      return eventInvocation(core, options, {
        remainingMs: (typeof timeoutS === 'number' && timeoutS > 0 ? timeoutS : DEFAULT_TIMEOUT_S) * 1000,
        requestId: context?.requestId,
        functionName: context?.function?.name,
        keys: roleKeys(context?.credentials),
        region: context?.region,
      });
    },
  };
}

function roleKeys(credentials: FcContext['credentials']): RoleKeys | undefined {
  const { accessKeyId, accessKeySecret, securityToken } = credentials ?? {};
  registerRoleKeys({ accessKeySecret, securityToken });
  if (!accessKeyId || !accessKeySecret) return undefined;
  return { accessKeyId, accessKeySecret, ...(securityToken && { securityToken }) };
}
