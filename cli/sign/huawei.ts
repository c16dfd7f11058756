/**
 * Huawei Cloud: SDK-HMAC-SHA256, as an APIG API with IAM authentication checks it, computed by the
 * SDK core's own `AKSKSigner` (README "3. Call the API, signed"). The caller's keys are the ones
 * given, else the SDK's standard variables HUAWEICLOUD_SDK_AK / _SK [/ _SECURITY_TOKEN].
 *
 * Only `auth/AKSKSigner.js` is loaded (crypto, moment, lodash): BasicCredentials would pull the
 * SDK's IAM client and HTTP stack, and the signer needs nothing of a credential but AK and SK.
 */
import type * as SignerNs from '@huaweicloud/huaweicloud-sdk-core/auth/AKSKSigner.js';
import { NoCallerCredentialsError } from '../errors.js';
import type { CallerKeys, Signer } from './index.js';

export const huaweiSigner: Signer = {
  async sign(url, options) {
    const keys = options.credentials ?? callerKeys(process.env);
    const AKSKSigner = cjsNamed(await import('@huaweicloud/huaweicloud-sdk-core/auth/AKSKSigner.js'));
    const request = {
      method: 'GET',
      endpoint: `${url.origin}${url.pathname}`,
      queryParams: Object.fromEntries(url.searchParams),
      // A temporary key's token is a signed header, as the SDK's own BasicCredentials sends it.
      headers: { ...(keys.sessionToken && { 'X-Security-Token': keys.sessionToken }) } as Record<string, string>,
    };
    const credential = { getAk: () => keys.accessKeyId, getSk: () => keys.secretAccessKey };
    const signed = AKSKSigner.sign(request as never, credential as never) as Record<string, string>;
    // fetch sets Host itself, to the same value.
    const { host: _host, ...headers } = signed;
    return headers;
  },
};

/**
 * The caller's IAM key from the SDK's standard variables; a temporary key adds its token.
 * @example callerKeys({ HUAWEICLOUD_SDK_AK: 'HPUA…', HUAWEICLOUD_SDK_SK: '…' })
 */
export function callerKeys(env: Record<string, string | undefined>): CallerKeys {
  const { HUAWEICLOUD_SDK_AK: accessKeyId, HUAWEICLOUD_SDK_SK: secretAccessKey, HUAWEICLOUD_SDK_SECURITY_TOKEN: sessionToken } = env;
  if (!accessKeyId || !secretAccessKey) {
    throw new NoCallerCredentialsError('no Huawei Cloud credentials for the caller: set HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK (and HUAWEICLOUD_SDK_SECURITY_TOKEN for a temporary key)');
  }
  return { accessKeyId, secretAccessKey, ...(sessionToken && { sessionToken }) };
}

/** Node's ESM loader exposes the CommonJS named export; esbuild's bundle may give only `default`. */
function cjsNamed(ns: typeof SignerNs): typeof SignerNs.AKSKSigner {
  const m = ns as typeof SignerNs & { default?: typeof SignerNs };
  return m.AKSKSigner ?? m.default!.AKSKSigner;
}
