/**
 * Alibaba Cloud: ACS3-HMAC-SHA256, as an FC 3.0 HTTP trigger with `authType: function` and FC's
 * OpenAPI (InvokeFunction, cli/invoke.ts) check it, computed by `@alicloud/openapi-util` (README
 * "3. Call the HTTP trigger, signed"); the caller's keys come from the `@alicloud/credentials`
 * default chain unless given.
 */
import { createHash, randomUUID } from 'node:crypto';
import type * as CredentialsNs from '@alicloud/credentials';
import type * as OpenApiUtilNs from '@alicloud/openapi-util';
import { NoCallerCredentialsError } from '../errors.js';
import type { CallerKeys, Signer, SignOptions } from './index.js';

interface AlibabaKeys {
  accessKeyId: string;
  accessKeySecret: string;
  securityToken?: string;
}

export const alibabaSigner: Signer = {
  sign: (url, options) => acs3Headers({ method: 'GET', url }, options),
};

/** One request to sign: the trigger's GET has no body; FC's InvokeFunction is a POST with one. */
export interface Acs3Request {
  method: string;
  url: URL;
  body?: string;
  /** Sent and signed with the rest (x-acs-action, x-acs-version, content-type). */
  headers?: Record<string, string>;
}

/**
 * The headers of an ACS3-HMAC-SHA256-signed request: x-acs-date, a nonce, the body's sha256, the
 * security token when the keys are temporary, and Authorization.
 * @example await acs3Headers({ method: 'POST', url, body, headers: { 'x-acs-action': 'InvokeFunction' } }, {})
 */
export async function acs3Headers(req: Acs3Request, options: SignOptions): Promise<Record<string, string>> {
  const keys = options.credentials ? fromCallerKeys(options.credentials) : await callerKeys();
  const OpenApiUtil = cjsDefault<typeof OpenApiUtilNs.default.default>(await import('@alicloud/openapi-util'));
  const payloadHash = createHash('sha256').update(req.body ?? '').digest('hex');
  const request = {
    method: req.method,
    pathname: req.url.pathname,
    query: Object.fromEntries(req.url.searchParams),
    headers: {
      host: req.url.host,
      ...req.headers,
      'x-acs-date': new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
      'x-acs-signature-nonce': randomUUID(),
      'x-acs-content-sha256': payloadHash,
      ...(keys.securityToken && { 'x-acs-security-token': keys.securityToken }),
    } as Record<string, string>,
  };
  const authorization = OpenApiUtil.getAuthorization(request as never, 'ACS3-HMAC-SHA256', payloadHash, keys.accessKeyId, keys.accessKeySecret);
  // fetch sets Host itself, to the same value.
  const { host: _host, ...headers } = request.headers;
  return { ...headers, authorization };
}

function fromCallerKeys(keys: CallerKeys): AlibabaKeys {
  return { accessKeyId: keys.accessKeyId, accessKeySecret: keys.secretAccessKey, ...(keys.sessionToken && { securityToken: keys.sessionToken }) };
}

async function callerKeys(): Promise<AlibabaKeys> {
  const Credential = cjsDefault<typeof CredentialsNs.default.default>(await import('@alicloud/credentials'));
  try {
    const c = await new Credential().getCredential();
    if (!c.accessKeyId || !c.accessKeySecret) throw new Error('the chain returned no AccessKey');
    return { accessKeyId: c.accessKeyId, accessKeySecret: c.accessKeySecret, ...(c.securityToken && { securityToken: c.securityToken }) };
  } catch (err) {
    throw new NoCallerCredentialsError(
      `no Alibaba Cloud credentials for the caller in the @alicloud/credentials chain (ALIBABA_CLOUD_ACCESS_KEY_ID/ALIBABA_CLOUD_ACCESS_KEY_SECRET, ~/.alibabacloud/credentials, ECS RAM role): ${(err as Error).message}`,
    );
  }
}

/**
 * The Darabonba packages are CommonJS with `exports.default`: Node gives an ESM importer the whole
 * `module.exports` as `default`, esbuild's bundle and vitest give `exports.default` itself.
 */
function cjsDefault<T>(ns: { default: unknown }): T {
  const d = ns.default as { default?: unknown };
  return (typeof d === 'function' ? d : d.default) as T;
}
