/**
 * Shared glue between regcred and Alibaba Cloud's Darabonba SDK (`@alicloud/openapi-client`):
 * one signed call (ACS3-HMAC-SHA256, RPC or ROA) with no SDK retries, an abort signal, and one
 * error classification for every Alibaba product we call (CR personal, CR EE, KMS).
 *
 * Product SDKs such as `@alicloud/cr20181201` are not all on npm, so callers name the action,
 * version and path themselves, exactly as the generated SDKs do.
 */
import type * as OpenApiNs from '@alicloud/openapi-client';
import type * as CredentialsNs from '@alicloud/credentials';
import type * as TeaUtilNs from '@alicloud/tea-util';
import { RegcredError, UpstreamError, UpstreamUnavailableError, safeCode } from '../errors.js';
import { abortable } from '../retry.js';
import { abandoned, assertRegionId, cachedPerRegion, endpointUrl, invalidAnswer, isNetworkError, nonEmptyString } from '../upstream.js';

/**
 * The Darabonba packages are CommonJS with `exports.default`. Node gives an ESM importer the
 * whole `module.exports` as `default`; vite-node (vitest) gives `exports.default` itself.
 */
function cjsDefault<T>(ns: { default: unknown }): T {
  const d = ns.default as { default?: unknown };
  return (typeof d === 'function' ? d : d.default) as T;
}

/**
 * The SDK loads on the first call, not at cold start: it is most of the handler bundle's load
 * time (bench/RESULTS.md), and the first request waits for the upstream call anyway.
 */
async function loadSdk() {
  const [OpenApi, Credentials, TeaUtil] = await Promise.all([
    import('@alicloud/openapi-client') as Promise<typeof OpenApiNs>,
    import('@alicloud/credentials') as Promise<typeof CredentialsNs>,
    import('@alicloud/tea-util') as Promise<typeof TeaUtilNs>,
  ]);
  return {
    OpenApi,
    Credentials,
    OpenApiClient: cjsDefault<typeof OpenApi.default.default>(OpenApi),
    Credential: cjsDefault<typeof Credentials.default.default>(Credentials),
    RuntimeOptions:
      (TeaUtil as unknown as { RuntimeOptions?: typeof TeaUtil.default.RuntimeOptions }).RuntimeOptions ?? TeaUtil.default.RuntimeOptions,
  };
}
let sdkModules: ReturnType<typeof loadSdk> | undefined;

export interface AlibabaCall {
  action: string;
  version: string;
  style: 'RPC' | 'ROA';
  method: 'GET' | 'POST';
  /** `/` for RPC; the resource path for ROA (e.g. `/tokens`). */
  pathname: string;
  query?: Record<string, string>;
  /**
   * RPC parameters sent as a signed form body instead of the query: anything secret goes here,
   * so it never lands in a URL (and so in an access log).
   */
  body?: Record<string, string>;
}

/**
 * The one port to an Alibaba API: send one signed request, return the parsed JSON body. Throws
 * only RegcredErrors (see {@link classifyAlibabaError}); never retries (core/retry.ts does).
 */
export interface AlibabaApiClient {
  /** `keys`: this invocation's role keys (FC `context.credentials`); else the client's own. */
  call(request: AlibabaCall, signal: AbortSignal, keys?: AlibabaKeys): Promise<unknown>;
}

/** Static keys, e.g. FC's `context.credentials` or a test identity. */
export interface AlibabaKeys {
  accessKeyId: string;
  accessKeySecret: string;
  securityToken?: string;
}

export interface AlibabaClientOptions {
  /** `host[:port]` of the product endpoint, e.g. `cr.cn-hangzhou.aliyuncs.com` or `127.0.0.1:8080`. */
  endpoint: string;
  protocol?: 'https' | 'http';
  /** Explicit keys; else the @alicloud/credentials default chain (ALIBABA_CLOUD_* variables in FC). */
  keys?: AlibabaKeys;
  /** Socket read timeout: a backstop; the caller's abort signal usually ends a slow call first. */
  readTimeoutMs?: number;
  connectTimeoutMs?: number;
}

/**
 * Build a client over the real SDK.
 * @example
 * const client = createAlibabaClient({ endpoint: 'cr.cn-hangzhou.aliyuncs.com' });
 * const body = await client.call({ action: 'GetAuthorizationToken', version: '2016-06-07', style: 'ROA', method: 'GET', pathname: '/tokens' }, signal);
 */
export function createAlibabaClient(options: AlibabaClientOptions): AlibabaApiClient {
  // One SDK client per set of keys: FC renews a role's keys while an instance stays warm, and two
  // invocations in flight at once may carry different ones. The few most recent sets are kept.
  const connections = new Map<string, Promise<Awaited<ReturnType<typeof connect>>>>();
  async function connect(keys: AlibabaKeys | undefined) {
    const { OpenApi, Credentials, OpenApiClient, Credential, RuntimeOptions } = await (sdkModules ??= loadSdk());
    const credential = keys
      ? new Credential(
          new Credentials.Config({
            type: keys.securityToken ? 'sts' : 'access_key',
            accessKeyId: keys.accessKeyId,
            accessKeySecret: keys.accessKeySecret,
            securityToken: keys.securityToken,
          }),
        )
      : new Credential();
    const sdk = new OpenApiClient(new OpenApi.Config({ credential, endpoint: options.endpoint, protocol: options.protocol ?? 'https' }));
    const runtime = new RuntimeOptions({
      autoretry: false, // one attempt per call: core/retry.ts owns retries and the time budget
      readTimeout: options.readTimeoutMs ?? 10_000,
      connectTimeout: options.connectTimeoutMs ?? 3_000,
    });
    return { OpenApi, sdk, runtime };
  }

  return {
    async call(request, signal, callKeys) {
      const keys = callKeys ?? options.keys;
      const id = keys ? `${keys.accessKeyId}\n${keys.accessKeySecret}\n${keys.securityToken ?? ''}` : '';
      let connection = connections.get(id);
      if (!connection) {
        connection = connect(keys);
        connections.set(id, connection);
        if (connections.size > MAX_CONNECTIONS) connections.delete(connections.keys().next().value as string);
      }
      let connected: Awaited<ReturnType<typeof connect>>;
      try {
        connected = await connection;
      } catch (err) {
        connections.delete(id); // let the next call try again
        throw classifyAlibabaError(err, request.action);
      }
      const { OpenApi, sdk, runtime } = connected;
      const params = new OpenApi.Params({
        action: request.action,
        version: request.version,
        protocol: options.protocol ?? 'https',
        pathname: request.pathname,
        method: request.method,
        authType: 'AK',
        style: request.style,
        reqBodyType: request.style === 'RPC' ? 'formData' : 'json',
        // Read the body as text and parse it here, so a malformed 200 is told apart from an
        // unparseable error page (which the SDK surfaces as a bare SyntaxError).
        bodyType: 'string',
      });
      const sent = sdk.callApi(params, new OpenApi.OpenApiRequest({ query: request.query ?? {}, ...(request.body ? { body: request.body } : {}) }), runtime);
      let response: { body?: unknown };
      try {
        response = await abortable(sent, signal, () => abandoned('call to the registry service', signal));
      } catch (err) {
        throw classifyAlibabaError(err, request.action);
      }
      try {
        return JSON.parse(String(response.body));
      } catch (err) {
        throw new UpstreamError('UpstreamInvalidResponse', `${request.action} answered with a body that is not JSON`, { cause: err });
      }
    },
  };
}

/** SDK clients kept per set of role keys (FC renews them; a few overlap while invocations finish). */
const MAX_CONNECTIONS = 4;

export interface AlibabaFactoryOptions {
  /** ALIBABA_CLOUD_ENDPOINT_URL_CR (or _KMS) from config: one endpoint for every region. */
  endpointUrl?: string;
  /** Explicit keys (e.g. FC `context.credentials`); else the @alicloud/credentials default chain. */
  keys?: AlibabaKeys;
  sessionExpiresAt?: () => Date | undefined;
  now?: () => number;
}

/**
 * One SDK client per region, built on first use: `cr.<region>.aliyuncs.com` unless overridden.
 * @example const clientFor = regionalClients('cr', { endpointUrl: config.endpoints.cr });
 */
export function regionalClients(product: 'cr' | 'kms', options: AlibabaFactoryOptions): (region: string) => AlibabaApiClient {
  return cachedPerRegion((region) => {
    assertRegion(region);
    const { endpoint, protocol } = resolveEndpoint(options.endpointUrl, `${product}.${region}.aliyuncs.com`);
    return createAlibabaClient({ endpoint, protocol, ...(options.keys ? { keys: options.keys } : {}) });
  });
}

/**
 * The product endpoint: the override from config (a URL such as `http://127.0.0.1:8080`, or a
 * bare host) when set, else the product's public regional host.
 * @example resolveEndpoint(undefined, 'cr.cn-hangzhou.aliyuncs.com') // { endpoint: 'cr.cn-hangzhou.aliyuncs.com', protocol: 'https' }
 */
export function resolveEndpoint(override: string | undefined, defaultHost: string): { endpoint: string; protocol: 'http' | 'https' } {
  if (!override) return { endpoint: defaultHost, protocol: 'https' };
  const url = endpointUrl(override, 'endpoint override');
  return { endpoint: url.host, protocol: url.protocol === 'http:' ? 'http' : 'https' };
}

/** Alibaba region ids (`cn-hangzhou`, `ap-southeast-1`): also guards the hosts we build from them. */
export function assertRegion(region: string): void {
  assertRegionId(region, 'Alibaba Cloud');
}

const DENIED_CODES = [
  'SignatureDoesNotMatch',
  'IncompleteSignature',
  'InvalidAccessKeyId',
  'InvalidSecurityToken',
  'MissingSecurityToken',
  'Forbidden.RAM',
  'Forbidden.AccessDenied',
  'NoPermission',
  'InvalidAccessKeySecret',
];
const UNAVAILABLE_CODES = ['ServiceUnavailable', 'InternalError', 'UnknownError', 'ServiceTimeout'];

/**
 * Map what the SDK threw to regcred's error hierarchy. The message names the action and the
 * upstream code only; the SDK error (with its request id) stays in `cause`, for the log.
 * @example classifyAlibabaError(sdkError, 'GetAuthorizationToken') // UpstreamUnavailableError for Throttling.User
 */
export function classifyAlibabaError(err: unknown, action: string): RegcredError {
  if (err instanceof RegcredError) return err;
  const e = (err ?? {}) as { code?: unknown; statusCode?: unknown; name?: unknown; data?: unknown };
  const code = typeof e.code === 'string' ? e.code : '';
  const status = typeof e.statusCode === 'number' ? e.statusCode : undefined;

  if (code.startsWith('Throttling') || status === 429) {
    return new UpstreamUnavailableError('UpstreamThrottled', `${action} was throttled (${safeCode(code) || status})`, { cause: err, retryAfterSeconds: 1 });
  }
  if (code === 'Forbidden.ResourceNotFound') {
    // KMS's "no such secret/version": a wrong name in config, not a denied role.
    return new UpstreamError('UpstreamError', `${action} failed (${code})`, { cause: err });
  }
  if (DENIED_CODES.some((c) => code === c || code.startsWith(`${c}.`)) || code.startsWith('Forbidden') || status === 401 || status === 403) {
    return new UpstreamError('UpstreamAccessDenied', `${action} was denied (${safeCode(code) || status})`, { cause: err });
  }
  if (status === undefined && isNetworkError(err)) {
    return new UpstreamError('UpstreamError', `${action} failed: network error ${code}`, { cause: err, retryable: true });
  }
  if ((status !== undefined && status >= 500) || UNAVAILABLE_CODES.includes(code)) {
    return new UpstreamError('UpstreamError', `${action} failed (${safeCode(code) || status})`, { cause: err, retryable: true });
  }
  if (err instanceof SyntaxError) {
    // The SDK parses error bodies as JSON: an HTML gateway page lands here, with no status.
    return new UpstreamError('UpstreamError', `${action} failed with an unreadable error body`, { cause: err, retryable: true });
  }
  if (status === undefined && (e.name === 'RequestTimeoutError' || /timeout/i.test(String(e.name ?? '')) || /timeout/i.test(code))) {
    return new UpstreamError('UpstreamError', `${action} failed: timed out`, { cause: err, retryable: true });
  }
  if (status === undefined && !code) {
    return new UpstreamError('UpstreamError', `${action} failed: no answer`, { cause: err, retryable: true });
  }
  return new UpstreamError('UpstreamError', `${action} failed (${safeCode(code) || status})`, { cause: err });
}

/** Narrowing helpers for strict answer validation; errors name the field. */
export function field(obj: unknown, path: string, action: string): unknown {
  let value: unknown = obj;
  for (const key of path.split('.')) {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      throw invalidAnswer(action, `has no ${path}`);
    }
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

export function stringField(obj: unknown, path: string, action: string): string {
  return nonEmptyString(field(obj, path, action), path, action);
}

/** Epoch milliseconds (Alibaba sends numbers; tolerate a numeric string). */
export function epochMsField(obj: unknown, path: string, action: string): number {
  const value = field(obj, path, action);
  const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isFinite(n) || n <= 0) {
    throw invalidAnswer(action, `field ${path} is missing or not an epoch-milliseconds number`);
  }
  return n;
}
