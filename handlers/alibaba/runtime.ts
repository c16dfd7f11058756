import { ALIBABA, ALIBABA_ENDPOINTS } from '../../core/alibaba/cloud.js';
import { createAcrEeProvider } from '../../core/alibaba/acr-ee.js';
import { createAcrProvider } from '../../core/alibaba/acr.js';
import { createKmsSecretStore } from '../../core/alibaba/kms.js';
import type { Env } from '../../core/config.js';
import { ConfigError } from '../../core/errors.js';
import { eventRuntime, roleKeysOf, type FunctionRuntime, type RuntimeOptions } from '../shared/runtime.js';

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
const DEFAULT_TIMEOUT_MS = 3_000;

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
  return eventRuntime<FcContext>(env, ALIBABA, options, {
    providers: (now, config) => {
      const cr = config.endpoints[ALIBABA_ENDPOINTS.cr];
      return {
        acr: () => createAcrProvider({ ...(cr && { endpointUrl: cr }), now }),
        'acr-ee': () => createAcrEeProvider({ ...(cr && { endpointUrl: cr }), now }),
      };
    },
    stores: (config) => {
      const kms = config.endpoints[ALIBABA_ENDPOINTS.kms];
      // KMS secrets live in the function's own region; refreshTargets builds stores per run.
      return {
        kms: (invocation) => {
          if (!invocation.region) throw new ConfigError('the function region is unknown (no context.region), so the KMS endpoint is unknown');
          return createKmsSecretStore(invocation.region, { ...(kms && { endpointUrl: kms }), ...(invocation.keys && { keys: invocation.keys }) });
        },
      };
    },
    defaultTimeoutMs: DEFAULT_TIMEOUT_MS,
    read: (context) => ({
      remainingMs: typeof context?.function?.timeout === 'number' ? context.function.timeout * 1000 : undefined,
      requestId: context?.requestId,
      functionName: context?.function?.name,
      keys: roleKeysOf(context?.credentials ?? {}),
      region: context?.region,
    }),
  });
}
