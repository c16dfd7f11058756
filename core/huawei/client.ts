/**
 * Shared glue between regcred and Huawei Cloud's SDK core (`@huaweicloud/huaweicloud-sdk-core`):
 * one SDK-HMAC-SHA256-signed REST call with the SDK's own signer and HTTP client, one attempt, an
 * abort signal, a silenced SDK logger, and one error classification for every Huawei service we
 * call (SWR, CSMS).
 *
 * Why not ClientBuilder: `withRegion` first asks IAM for a project id (an extra call, and one the
 * emulator does not serve); `withEndpoint` + an explicit project id needs none. And its
 * DefaultHttpClient logs every failed request with log4js to stdout, headers (Authorization,
 * X-Security-Token) included; we build the DefaultHttpClient ourselves with a silent logger.
 *
 * Why the raw headers: SDK 3.1.128's typed `createSecret` keeps only `X-Swr-Dockerlogin`; the
 * SDK's own `responseHeaders` request option (what SwrClient itself uses) copies any header we
 * name into the answer, so callers ask for `X-Swr-Expireat` that way.
 */
import type * as HcClientNs from '@huaweicloud/huaweicloud-sdk-core/HcClient.js';
import type * as HttpClientNs from '@huaweicloud/huaweicloud-sdk-core/http/DefaultHttpClient.js';
import type * as CredentialsNs from '@huaweicloud/huaweicloud-sdk-core/auth/BasicCredentials.js';
import type { RoleKeys } from '../provider.js';
import { ConfigError, RegcredError, UpstreamError, UpstreamUnavailableError } from '../errors.js';
import { abortable } from '../retry.js';
import { abandoned, assertRegionId, endpointUrl } from '../upstream.js';

/**
 * The SDK loads on the first call, not at cold start (it pulls axios, moment, lodash and log4js),
 * and the first request waits for the upstream call anyway.
 */
async function loadSdk() {
  const [hc, http, creds] = await Promise.all([
    import('@huaweicloud/huaweicloud-sdk-core/HcClient.js') as Promise<typeof HcClientNs>,
    import('@huaweicloud/huaweicloud-sdk-core/http/DefaultHttpClient.js') as Promise<typeof HttpClientNs>,
    import('@huaweicloud/huaweicloud-sdk-core/auth/BasicCredentials.js') as Promise<typeof CredentialsNs>,
  ]);
  return {
    HcClient: cjsNamed(hc, 'HcClient') as typeof HcClientNs.HcClient,
    DefaultHttpClient: cjsNamed(http, 'DefaultHttpClient') as typeof HttpClientNs.DefaultHttpClient,
    BasicCredentials: cjsNamed(creds, 'BasicCredentials') as typeof CredentialsNs.BasicCredentials,
  };
}
let sdkModules: ReturnType<typeof loadSdk> | undefined;

/** The SDK core's classes a signed client is built from: this package's own, or the copy another SDK package nests (the deploy's FunctionGraph SDK). */
export type HuaweiSdkCore = Awaited<ReturnType<typeof loadSdk>>;

/** The SDK's HTTP client with a logger that drops everything (its own logs failed requests' headers, the token included). */
export function silentHttpClient(sdk: HuaweiSdkCore, endpoint: string, axiosRequestConfig: Record<string, unknown>): HttpClientNs.DefaultHttpClient {
  return new sdk.DefaultHttpClient({ logger: SILENT_LOGGER as never, axiosRequestConfig }, [endpoint]);
}

/** Keys to sign with: an agency's temporary keys (with their token) or, for the deploy, an account's own. */
export type SigningKeys = Omit<HuaweiKeys, 'securityToken'> & { securityToken?: string };

/** An HcClient signing with `keys` over `http`, its logger silenced too. */
export function signedHcClient(sdk: HuaweiSdkCore, http: HttpClientNs.DefaultHttpClient, endpoint: string, keys: SigningKeys, projectId?: string): HcClientNs.HcClient {
  const credential = new sdk.BasicCredentials().withAk(keys.ak).withSk(keys.sk);
  if (keys.securityToken) credential.withSecurityToken(keys.securityToken);
  if (projectId) credential.withProjectId(projectId);
  const hc = new sdk.HcClient(http).withCredential(credential).withEndpoints([endpoint]);
  (hc as unknown as { logger: unknown }).logger = SILENT_LOGGER;
  return hc;
}

/** Node's ESM loader exposes CommonJS named exports; some bundlers only `default`. */
function cjsNamed(ns: unknown, name: string): unknown {
  const m = ns as Record<string, unknown> & { default?: Record<string, unknown> };
  return m[name] ?? m.default?.[name];
}

/** A logger that drops everything: the SDK's would print request headers and the token. */
const SILENT_LOGGER = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  setLevel() {},
  getLevel: () => 'error' as const,
  setName() {},
};

/**
 * Temporary keys of the function's agency (FunctionGraph `context.getSecurityAccessKey()`,
 * `getSecuritySecretKey()`, `getSecurityToken()`). Never a long-lived key: a token is required.
 */
export interface HuaweiKeys {
  ak: string;
  sk: string;
  securityToken: string;
}

export interface HuaweiCall {
  /** Operation name, for error messages (`CreateSecret`). */
  action: string;
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Path with `{project_id}` left for the SDK to fill from the client's project id. */
  path: string;
  /** Other path parameters, filled (URL-encoded) by us. */
  pathParams?: Record<string, string>;
  query?: Record<string, string>;
  body?: Record<string, unknown>;
  /** Response headers to return (the SDK copies them into the answer). */
  responseHeaders?: string[];
}

export interface HuaweiAnswer {
  status: number;
  /** The parsed JSON body; `{}` when the body was empty or not JSON. */
  body: Record<string, unknown>;
  /** The requested response headers that were present, by the name asked for. */
  headers: Record<string, string>;
}

/**
 * The one port to a Huawei REST API: one signed request, parsed answer. Throws only
 * RegcredErrors (see {@link classifyHuaweiError}); never retries (core/retry.ts does).
 */
export interface HuaweiApiClient {
  /** `keys`: this invocation's agency keys (FunctionGraph `context.getSecurity*()`); else the client's own. */
  call(request: HuaweiCall, signal: AbortSignal, keys?: RoleKeys): Promise<HuaweiAnswer>;
}

export interface HuaweiClientOptions {
  /** Service endpoint URL, e.g. `https://swr-api.cn-north-4.myhuaweicloud.com` or the emulator's `http://127.0.0.1:port`. */
  endpoint: string;
  /**
   * The agency's temporary keys when the caller of {@link HuaweiApiClient.call} passes none (tests,
   * tools); a FunctionGraph handler passes each invocation's keys to `call` instead.
   */
  keys?: HuaweiKeys | (() => HuaweiKeys);
  /** Project id for `{project_id}` paths (CSMS); SWR's CreateSecret needs none. */
  projectId?: string;
  /** Socket backstop; the caller's abort signal usually ends a slow call first. */
  timeoutMs?: number;
}

/** The sanitized upstream failure kept as an error's `cause`: status, code, request id; never headers. */
export class HuaweiUpstreamFault extends Error {
  constructor(
    readonly action: string,
    readonly status: number | undefined,
    readonly errorCode: string | undefined,
    readonly requestId: string | undefined,
  ) {
    super(`${action}: ${status ?? 'no status'} ${errorCode ?? ''}`.trim());
    this.name = 'HuaweiUpstreamFault';
  }
}

/**
 * Build a client over the real SDK core (signer + HTTP client).
 * @example
 * const swr = createHuaweiClient({ endpoint: 'https://swr-api.cn-north-4.myhuaweicloud.com', keys: () => huaweiKeysOf(roleKeys) });
 * const answer = await swr.call({ action: 'CreateSecret', method: 'POST', path: '/v2/manage/utils/secret', query: { projectname: 'cn-north-4' } }, signal);
 */
export function createHuaweiClient(options: HuaweiClientOptions): HuaweiApiClient {
  rejectUnknownOptions(options, ['endpoint', 'keys', 'projectId', 'timeoutMs'], 'createHuaweiClient');
  const endpoint = checkEndpoint(options.endpoint);
  if (options.projectId !== undefined && !/^[0-9a-f]{32}$/i.test(options.projectId)) throw new ConfigError('Huawei project id must be 32 hex characters');
  let http: Promise<{ sdk: Awaited<ReturnType<typeof loadSdk>>; httpClient: HttpClientNs.DefaultHttpClient }> | undefined;
  async function connect() {
    const sdk = await (sdkModules ??= loadSdk());
    return { sdk, httpClient: silentHttpClient(sdk, endpoint, { timeout: options.timeoutMs ?? 10_000 }) };
  }

  return {
    async call(request, signal, callKeys) {
      // No client is kept per set of keys: the signer reads them per request (a fresh HcClient per
      // call below), so concurrent invocations with different agency keys never share credentials.
      const keys = callKeys ? huaweiKeysOf(callKeys) : typeof options.keys === 'function' ? options.keys() : options.keys;
      checkKeys(keys);
      let connected: Awaited<ReturnType<typeof connect>>;
      try {
        connected = await (http ??= connect());
      } catch (err) {
        http = undefined;
        throw new UpstreamError('UpstreamError', `${request.action} failed: the Huawei Cloud SDK did not load`, { cause: err, retryable: true });
      }
      if (signal.aborted) throw abandoned(request.action, signal);
      const { sdk, httpClient } = connected;
      // A fresh HcClient per call: it keeps per-request state on itself; the HTTP client is shared.
      const hc = signedHcClient(sdk, httpClient, endpoint, keys, options.projectId);

      const requestOptions = {
        method: request.method,
        url: fillPath(request.path, request.pathParams),
        contentType: 'application/json',
        queryParams: { ...request.query },
        pathParams: {},
        headers: {},
        ...(request.body && { data: request.body }),
        ...(request.responseHeaders && { responseHeaders: request.responseHeaders }),
        axiosRequestConfig: { signal },
      };
      let raw: Record<string, unknown>;
      try {
        raw = await abortable(hc.sendRequest(requestOptions as HcClientNs.HttpRequestOptions) as Promise<never>, signal);
      } catch (err) {
        if (signal.aborted) throw abandoned(request.action, signal);
        throw classifyHuaweiError(err, request.action);
      }
      const { httpStatusCode, ...rest } = raw;
      const headers: Record<string, string> = {};
      for (const name of request.responseHeaders ?? []) {
        const v = rest[name];
        delete rest[name];
        if (typeof v === 'string') headers[name] = v;
      }
      return { status: typeof httpStatusCode === 'number' ? httpStatusCode : 200, body: rest, headers };
    },
  };
}

/**
 * The endpoint for a service: the override from config (HUAWEICLOUD_ENDPOINT_URL_SWR / _CSMS)
 * when set, else `https://<service>.<region>.myhuaweicloud.com`.
 * @example resolveHuaweiEndpoint(undefined, 'swr-api', 'cn-north-4') // 'https://swr-api.cn-north-4.myhuaweicloud.com'
 */
export function resolveHuaweiEndpoint(override: string | undefined, service: 'swr-api' | 'kms' | 'functiongraph' | 'apig', region: string): string {
  assertHuaweiRegion(region);
  return checkEndpoint(override ?? `https://${service}.${region}.myhuaweicloud.com`);
}

/**
 * Huawei region ids (`cn-north-4`, `ap-southeast-1`, `la-south-2`): also guards hosts built from them.
 * @example assertHuaweiRegion('cn-north-4') // ok; assertHuaweiRegion('cn-north-4.evil.com') throws ConfigError
 */
export function assertHuaweiRegion(region: string): void {
  assertRegionId(region, 'Huawei Cloud');
}

/**
 * Factories take exactly the options they document: a misspelt one fails at cold start, not silently.
 * @example rejectUnknownOptions({ endpoint, keyz }, ['endpoint', 'keys'], 'createHuaweiClient') // throws ConfigError naming `keyz`
 */
export function rejectUnknownOptions(options: object, known: readonly string[], factory: string): void {
  const unknown = Object.keys(options).filter((k) => !known.includes(k));
  if (unknown.length) throw new ConfigError(`${factory}: unknown option(s) ${unknown.join(', ')}`);
}

/** The endpoint's origin (the SDK takes no path); a Huawei endpoint is a whole URL, never a bare host. */
function checkEndpoint(value: string): string {
  const url = endpointUrl(value, 'Huawei endpoint', false);
  return `${url.protocol}//${url.host}`;
}

/**
 * The invocation's {@link RoleKeys} in the SDK's terms.
 * @example huaweiKeysOf({ accessKeyId: 'AK', accessKeySecret: 'SK', securityToken: 'T' }) // { ak: 'AK', sk: 'SK', securityToken: 'T' }
 */
export function huaweiKeysOf(keys: RoleKeys): HuaweiKeys {
  return { ak: keys.accessKeyId, sk: keys.accessKeySecret, securityToken: keys.securityToken ?? '' };
}

function checkKeys(keys: HuaweiKeys | undefined): asserts keys is HuaweiKeys {
  // Names the missing piece, never a value.
  if (!keys || typeof keys.ak !== 'string' || !keys.ak) throw new ConfigError('Huawei agency access key is missing');
  if (typeof keys.sk !== 'string' || !keys.sk) throw new ConfigError('Huawei agency secret key is missing');
  if (typeof keys.securityToken !== 'string' || !keys.securityToken) {
    throw new ConfigError('Huawei agency security token is missing: regcred uses the function agency temporary keys only');
  }
}

function fillPath(path: string, params: Record<string, string> = {}): string {
  return path.replace(/\{(\w+)\}/g, (whole, name: string) => (name === 'project_id' ? whole : encodeURIComponent(params[name] ?? '')));
}

const THROTTLE_CODES = ['APIGW.0308'];

/**
 * Map what the SDK threw (ClientRequestException, ServerResponseException,
 * ServiceResponseException: `httpStatusCode`, `errorCode`, `errorMsg`, `requestId`) to regcred's
 * errors. The message names the action and the upstream code only; `cause` is a sanitized
 * {@link HuaweiUpstreamFault} (the SDK's own error may carry request details).
 * @example classifyHuaweiError({ httpStatusCode: 429, errorCode: 'APIGW.0308' }, 'CreateSecret') // UpstreamUnavailableError UpstreamThrottled
 */
export function classifyHuaweiError(err: unknown, action: string): RegcredError {
  if (err instanceof RegcredError) return err;
  const e = (err ?? {}) as { httpStatusCode?: unknown; errorCode?: unknown; requestId?: unknown };
  const status = typeof e.httpStatusCode === 'number' ? e.httpStatusCode : undefined;
  const code = typeof e.errorCode === 'string' && /^[A-Za-z0-9._-]{1,80}$/.test(e.errorCode) ? e.errorCode : undefined;
  const requestId = typeof e.requestId === 'string' && /^[A-Za-z0-9._-]{1,128}$/.test(e.requestId) ? e.requestId : undefined;
  const cause = new HuaweiUpstreamFault(action, status, code, requestId);
  const what = code ?? status;

  if (status === 429 || (code && THROTTLE_CODES.includes(code))) {
    return new UpstreamUnavailableError('UpstreamThrottled', `${action} was throttled (${what})`, { cause, retryAfterSeconds: 1 });
  }
  if (status === 401 || status === 403) {
    return new UpstreamError('UpstreamAccessDenied', `${action} was denied (${what})`, { cause });
  }
  if (status === undefined) {
    return new UpstreamError('UpstreamError', `${action} failed: no answer`, { cause, retryable: true });
  }
  if (status >= 500) {
    return new UpstreamError('UpstreamError', `${action} failed (${what})`, { cause, retryable: true });
  }
  return new UpstreamError('UpstreamError', `${action} failed (${what})`, { cause });
}

/**
 * The HTTP status behind a classified error, when upstream answered (e.g. 404 for "no such stage").
 * @example if (upstreamStatus(err) === 404) return undefined;
 */
export function upstreamStatus(err: unknown): number | undefined {
  const cause = (err as { cause?: unknown } | null)?.cause;
  return cause instanceof HuaweiUpstreamFault ? cause.status : undefined;
}
