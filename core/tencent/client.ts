/**
 * Shared glue between regcred and Tencent Cloud's API 3.0 (TC3-HMAC-SHA256, `POST /` JSON) through
 * `tencentcloud-sdk-nodejs-common`'s `CommonClient`: one attempt per call (the SDK has no retry
 * loop; core/retry.ts owns retries), an abort signal, explicit keys, an endpoint override, and one
 * error classification for every Tencent product regcred calls (TCR, SSM).
 *
 * On SCF the function's role keys arrive in `TENCENTCLOUD_SECRETID` / `TENCENTCLOUD_SECRETKEY` /
 * `TENCENTCLOUD_SESSIONTOKEN`. The SDK's own environment provider reads differently named variables
 * (`TENCENTCLOUD_SECRET_ID`, …), so the composition root passes the keys in explicitly.
 */
import type * as TencentCommonNs from 'tencentcloud-sdk-nodejs-common';
import { ConfigError, RegcredError, UpstreamError, UpstreamUnavailableError, safeCode } from '../errors.js';
import type { RoleKeys } from '../provider.js';
import { abortable } from '../retry.js';
import { abandoned, assertRegionId, cachedPerRegion, endpointUrl, invalidAnswer, nonEmptyString } from '../upstream.js';

export type TencentProduct = 'tcr' | 'ssm';

/** API versions regcred speaks. */
export const API_VERSIONS: Readonly<Record<TencentProduct, string>> = { tcr: '2019-09-24', ssm: '2019-09-23' };

/** A key pair, temporary (with `token`) on SCF. */
export interface TencentKeys {
  secretId: string;
  secretKey: string;
  token?: string;
}

/**
 * The one port to a Tencent API: send one signed call, return the `Response` object (without
 * `RequestId`). Throws only RegcredErrors; never retries.
 */
export interface TencentApiClient {
  call(action: string, params: Record<string, unknown>, signal: AbortSignal): Promise<Record<string, unknown>>;
}

export interface TencentClientOptions {
  product: TencentProduct;
  region: string;
  /** Explicit keys, or a function read on every call (so refreshed role keys are picked up). */
  keys: TencentKeys | (() => TencentKeys);
  /** `TENCENTCLOUD_ENDPOINT_URL_TCR` / `_SSM` from config, e.g. `http://127.0.0.1:8080`; default `https://<product>.tencentcloudapi.com`. */
  endpointUrl?: string;
  /** Socket timeout backstop, seconds; the caller's abort signal usually ends a slow call first. */
  timeoutSeconds?: number;
}

/**
 * The SDK loads on the first call, not at cold start: the first request waits for the upstream
 * call anyway, and an import at module scope would sit on every cold start.
 */
let sdkModule: Promise<typeof TencentCommonNs> | undefined;
function loadSdk(): Promise<typeof TencentCommonNs> {
  return (sdkModule ??= import('tencentcloud-sdk-nodejs-common').then((m) => {
    // CommonJS: Node hands ESM the exports as `default` (and, through cjs-module-lexer, as names).
    const ns = m as typeof TencentCommonNs & { default?: typeof TencentCommonNs };
    return typeof ns.CommonClient === 'function' ? ns : (ns.default as typeof TencentCommonNs);
  }));
}

type SdkClient = InstanceType<typeof TencentCommonNs.CommonClient>;

/**
 * Build a client over the real SDK.
 * @example
 * const client = createTencentClient({ product: 'tcr', region: 'ap-guangzhou', keys: { secretId, secretKey, token } });
 * const answer = await client.call('CreateInstanceToken', { RegistryId: 'tcr-abc', TokenType: 'temp' }, signal);
 */
export function createTencentClient(options: TencentClientOptions): TencentApiClient {
  assertRegion(options.region);
  if (typeof options.keys !== 'function' && (!options.keys.secretId || !options.keys.secretKey)) {
    throw new ConfigError('Tencent Cloud keys need a secretId and a secretKey (on SCF: TENCENTCLOUD_SECRETID / TENCENTCLOUD_SECRETKEY)');
  }
  const { host, protocol } = resolveEndpoint(options.endpointUrl, `${options.product}.tencentcloudapi.com`);
  const version = API_VERSIONS[options.product];
  let ready: Promise<SdkClient> | undefined;

  async function connect(): Promise<SdkClient> {
    const { CommonClient } = await loadSdk();
    const keys = options.keys;
    return new CommonClient(host, version, {
      credential: typeof keys === 'function' ? { getCredential: async () => keys() } : { ...keys },
      region: options.region,
      profile: { httpProfile: { endpoint: host, protocol, reqMethod: 'POST', reqTimeout: options.timeoutSeconds ?? 10 } },
    });
  }

  return {
    async call(action, params, signal) {
      let sdk: SdkClient;
      try {
        sdk = await (ready ??= connect());
      } catch (err) {
        ready = undefined; // let the next call try again
        throw new UpstreamError('UpstreamError', `${action} failed: the Tencent Cloud SDK did not load`, { cause: err, retryable: true });
      }
      let response: unknown;
      try {
        response = await abortable(sdk.request(action, params, { signal }), signal, () => abandoned('call to the Tencent Cloud API', signal));
      } catch (err) {
        throw classifyTencentError(err, action);
      }
      if (!response || typeof response !== 'object' || Array.isArray(response)) {
        throw invalidAnswer(action, 'has no Response object');
      }
      const { RequestId: _requestId, ...fields } = response as Record<string, unknown>;
      return fields;
    },
  };
}

export interface TencentFactoryOptions {
  /** The function's role keys in regcred's one shape (SCF: TENCENTCLOUD_SECRETID / _SECRETKEY / _SESSIONTOKEN), or a function read on every call. */
  keys: RoleKeys | (() => RoleKeys);
  /** TENCENTCLOUD_ENDPOINT_URL_TCR (or _SSM) from config: one endpoint for every region. */
  endpointUrl?: string;
  /** When the role session ends, where known: credentials never outlive it. */
  sessionExpiresAt?: () => Date | undefined;
  now?: () => number;
}

/**
 * One client per region, built on first use.
 * @example const clientFor = regionalTencentClients('tcr', { keys, endpointUrl: config.endpoints.tcr });
 */
export function regionalTencentClients(product: TencentProduct, options: TencentFactoryOptions): (region: string) => TencentApiClient {
  const { keys: roleKeys } = options;
  const keys = typeof roleKeys === 'function' ? () => tencentKeysOf(roleKeys()) : tencentKeysOf(roleKeys);
  return cachedPerRegion((region) => createTencentClient({ product, region, keys, ...(options.endpointUrl !== undefined && { endpointUrl: options.endpointUrl }) }));
}

/** Role keys as the Tencent SDK names them: converted here, once, for every Tencent call. */
export function tencentKeysOf(keys: RoleKeys): TencentKeys {
  return { secretId: keys.accessKeyId, secretKey: keys.accessKeySecret, ...(keys.securityToken && { token: keys.securityToken }) };
}

/**
 * The SDK's `endpoint` (a bare `host[:port]`) and `protocol` (`https://`) for an override URL.
 * @example resolveEndpoint('http://127.0.0.1:8080', 'tcr.tencentcloudapi.com') // { host: '127.0.0.1:8080', protocol: 'http://' }
 */
export function resolveEndpoint(override: string | undefined, defaultHost: string): { host: string; protocol: 'http://' | 'https://' } {
  if (!override) return { host: defaultHost, protocol: 'https://' };
  const url = endpointUrl(override, 'endpoint override');
  if (url.pathname !== '/' || url.search) throw new ConfigError(`endpoint override '${override}' must have no path or query (API 3.0 calls POST /)`);
  return { host: url.host, protocol: url.protocol === 'http:' ? 'http://' : 'https://' };
}

/** Tencent region ids (`ap-guangzhou`, `na-siliconvalley`, `ap-shanghai-fsi`); also guards what goes into headers. */
export function assertRegion(region: string): void {
  assertRegionId(region, 'Tencent Cloud');
}

/** Codes under ResourceUnavailable that name a lasting state, not a passing outage. */
const LASTING_UNAVAILABLE = ['ResourceUnavailable.ResourceDisabled', 'ResourceUnavailable.NotPurchased', 'ResourceUnavailable.ResourcePendingDeleted'];

/**
 * Map what the SDK threw to regcred's error hierarchy. The message names the action and the
 * upstream code only; the SDK error (with its request id) stays in `cause`, for the log.
 *
 * What the SDK throws (tencentcloud-sdk-nodejs-common 4.1.x `abstract_client.js`):
 * an API error → TencentCloudSDKHttpException with `code` (HTTP 200); a non-200 status → the same
 * with `httpCode` and no code; a network failure or abort → the same with neither; a 200 body that
 * is not JSON → node-fetch's FetchError `type: 'invalid-json'`; JSON without `Response` → TypeError.
 * @example classifyTencentError(sdkError, 'CreateInstanceToken') // UpstreamUnavailableError for RequestLimitExceeded
 */
export function classifyTencentError(err: unknown, action: string): RegcredError {
  if (err instanceof RegcredError) return err;
  const e = (err ?? {}) as { code?: unknown; httpCode?: unknown; type?: unknown };
  const code = typeof e.code === 'string' ? e.code : '';
  const status = typeof e.httpCode === 'number' ? e.httpCode : undefined;
  const shown = safeCode(code) || (status !== undefined ? `HTTP ${status}` : '');

  if (code.startsWith('RequestLimitExceeded') || status === 429) {
    return new UpstreamUnavailableError('UpstreamThrottled', `${action} was throttled (${shown})`, { cause: err, retryAfterSeconds: 1 });
  }
  if (code.startsWith('AuthFailure') || code.startsWith('UnauthorizedOperation') || /^InternalError\.\w*Unauthorized$/.test(code) || status === 401 || status === 403) {
    return new UpstreamError('UpstreamAccessDenied', `${action} was denied (${shown})`, { cause: err });
  }
  if (code) {
    const transient = code.startsWith('InternalError') || (code.startsWith('ResourceUnavailable') && !LASTING_UNAVAILABLE.includes(code));
    return new UpstreamError('UpstreamError', `${action} failed (${shown || 'unreadable code'})`, { cause: err, retryable: transient });
  }
  if (status !== undefined) {
    return new UpstreamError('UpstreamError', `${action} failed (${shown})`, { cause: err, retryable: status >= 500 });
  }
  if (e.type === 'invalid-json') {
    // node-fetch's message quotes the parser's, which on Node 20+ quotes the body: keep it out of the log.
    return new UpstreamError('UpstreamInvalidResponse', `${action} answered with a body that is not JSON`, { cause: new Error('invalid json response body') });
  }
  if (err instanceof TypeError) {
    return new UpstreamError('UpstreamInvalidResponse', `${action} answered without a Response envelope`, { cause: err });
  }
  // No code and no status: the request never got an answer (connection refused or reset, DNS, socket timeout).
  return new UpstreamError('UpstreamError', `${action} failed: no answer`, { cause: err, retryable: true });
}

/** The Tencent error code behind a classified error (e.g. `ResourceNotFound`), for callers that branch on one. */
export function upstreamCode(err: unknown): string | undefined {
  const cause = (err as { cause?: { code?: unknown } } | null)?.cause;
  return typeof cause?.code === 'string' ? cause.code : undefined;
}

/** Strict answer reading; errors name the field, never its value. */
export function stringField(obj: Record<string, unknown>, name: string, action: string): string {
  return nonEmptyString(obj[name], name, action);
}
