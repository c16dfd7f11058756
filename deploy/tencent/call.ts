/**
 * Call a regcred function URL that has CAM auth: a GET signed with TC3-HMAC-SHA256 by the one TC3
 * signer of the repository (core/tencent/tc3.ts, which the client signs with too; the caller needs
 * `scf:InvokeFunctionUrl` on the function):
 *
 *   TENCENTCLOUD_SECRET_ID=AKID… TENCENTCLOUD_SECRET_KEY=… npx tsx deploy/tencent/call.ts "https://<app-id>-<url-id>.<region>.tencentscf.com/credentials?format=dockerconfigjson"
 *
 * Not verified against a live function URL (no account here): the credential-scope service name
 * (`scf`, `--service` changes it) is the one assumption; see README "Deploy to Tencent Cloud".
 */
import { pathToFileURL } from 'node:url';
import { tc3GetHeaders, type TencentKeys } from '../../core/tencent/tc3.js';

/**
 * GET a function URL, TC3-signed.
 * @example const res = await tc3Get('http://127.0.0.1:8787/credentials', CAM_USER_KEY);
 */
export function tc3Get(url: string, keys: TencentKeys, service = 'scf'): Promise<Response> {
  const target = new URL(url);
  return fetch(target, { headers: tc3GetHeaders(target, keys, Date.now(), service) });
}

/** `call.ts <url> [--service scf]`, keys from TENCENTCLOUD_SECRET_ID / _SECRET_KEY / _SESSION_TOKEN (tccli's names). */
export async function main(argv: string[], env: Record<string, string | undefined>, out: (text: string) => void): Promise<number> {
  const url = argv.find((a) => !a.startsWith('--'));
  const serviceAt = argv.indexOf('--service');
  const service = serviceAt >= 0 ? argv[serviceAt + 1] : 'scf';
  const { TENCENTCLOUD_SECRET_ID: secretId, TENCENTCLOUD_SECRET_KEY: secretKey, TENCENTCLOUD_SESSION_TOKEN: token } = env;
  if (!url || !service || !secretId || !secretKey) {
    out('usage: TENCENTCLOUD_SECRET_ID=… TENCENTCLOUD_SECRET_KEY=… [TENCENTCLOUD_SESSION_TOKEN=…] tsx deploy/tencent/call.ts <function-url>/credentials[?format=…] [--service scf]');
    return 2;
  }
  const res = await tc3Get(url, { secretId, secretKey, ...(token && { token }) }, service);
  out(await res.text());
  return res.ok ? 0 : 1;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.exitCode = await main(process.argv.slice(2), process.env, (text) => console.log(text));
}
