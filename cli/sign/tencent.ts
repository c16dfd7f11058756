/**
 * Tencent Cloud: the caller's CAM key signs a GET with TC3-HMAC-SHA256 (core/tencent/tc3.ts, the
 * signer the deploy's call script uses too), as an SCF function URL with CAM auth checks it; the
 * caller needs `scf:InvokeFunctionUrl` on the function.
 *
 * The caller's keys are the ones given, else Tencent's standard variables TENCENTCLOUD_SECRET_ID /
 * _SECRET_KEY [/ _SESSION_TOKEN] (tccli's and the SDKs' names).
 */
import { tc3GetHeaders, type TencentKeys } from '../../core/tencent/tc3.js';
import { NoCallerCredentialsError } from '../errors.js';
import type { CallerKeys, Signer } from './index.js';

export const tencentSigner: Signer = {
  async sign(url, options) {
    return tc3GetHeaders(url, options.credentials ? fromCallerKeys(options.credentials) : callerKeys(process.env), Date.now());
  },
};

/**
 * The caller's CAM key from Tencent's standard variables; a temporary key adds its token.
 * @example callerKeys({ TENCENTCLOUD_SECRET_ID: 'AKID…', TENCENTCLOUD_SECRET_KEY: '…' })
 */
export function callerKeys(env: Record<string, string | undefined>): TencentKeys {
  const { TENCENTCLOUD_SECRET_ID: secretId, TENCENTCLOUD_SECRET_KEY: secretKey, TENCENTCLOUD_SESSION_TOKEN: token } = env;
  if (!secretId || !secretKey) {
    throw new NoCallerCredentialsError('no Tencent Cloud credentials for the caller: set TENCENTCLOUD_SECRET_ID and TENCENTCLOUD_SECRET_KEY (and TENCENTCLOUD_SESSION_TOKEN for a temporary key)');
  }
  return { secretId, secretKey, ...(token && { token }) };
}

function fromCallerKeys(keys: CallerKeys): TencentKeys {
  return { secretId: keys.accessKeyId, secretKey: keys.secretAccessKey, ...(keys.sessionToken && { token: keys.sessionToken }) };
}
