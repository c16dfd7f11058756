/**
 * Call a regcred function URL that has CAM auth: a GET signed with TC3-HMAC-SHA256 (Tencent Cloud's
 * API 3.0 signature, which SCF's function URL CAM auth checks; the caller needs
 * `scf:InvokeFunctionUrl` on the function). Written with node:crypto from the published algorithm:
 *
 *   CanonicalRequest = GET \n <path> \n <query as sent> \n content-type:application/json\nhost:<host>\n \n content-type;host \n sha256("")
 *   StringToSign     = TC3-HMAC-SHA256 \n <timestamp> \n <date>/<service>/tc3_request \n sha256(CanonicalRequest)
 *
 *   TENCENTCLOUD_SECRET_ID=AKID… TENCENTCLOUD_SECRET_KEY=… npx tsx deploy/tencent/call.ts "https://<app-id>-<url-id>.<region>.tencentscf.com/credentials?format=dockerconfigjson"
 *
 * Not verified against a live function URL (no account here): the credential-scope service name
 * (`scf`, `--service` changes it) is the one assumption; see README "Deploy to Tencent Cloud".
 */
import { createHash, createHmac } from 'node:crypto';
import { pathToFileURL } from 'node:url';

export interface CallerKeys {
  secretId: string;
  secretKey: string;
  /** A temporary key's token, sent as X-TC-Token. */
  token?: string;
}

/**
 * The headers of a TC3-signed GET of `url`.
 * @example const headers = tc3GetHeaders(new URL(url), { secretId, secretKey }, Date.now());
 */
export function tc3GetHeaders(url: URL, keys: CallerKeys, now: number, service = 'scf'): Record<string, string> {
  const timestamp = String(Math.floor(now / 1000));
  const date = new Date(Number(timestamp) * 1000).toISOString().slice(0, 10);
  const contentType = 'application/json';
  const canonical = ['GET', url.pathname || '/', url.search.slice(1), `content-type:${contentType}\nhost:${url.host.toLowerCase()}\n`, 'content-type;host', sha256('')].join('\n');
  const scope = `${date}/${service}/tc3_request`;
  const stringToSign = ['TC3-HMAC-SHA256', timestamp, scope, sha256(canonical)].join('\n');
  const kDate = hmac(`TC3${keys.secretKey}`, date);
  const kSigning = hmac(hmac(kDate, service), 'tc3_request');
  const signature = createHmac('sha256', kSigning).update(stringToSign).digest('hex');
  return {
    'Content-Type': contentType,
    'X-TC-Timestamp': timestamp,
    Authorization: `TC3-HMAC-SHA256 Credential=${keys.secretId}/${scope}, SignedHeaders=content-type;host, Signature=${signature}`,
    ...(keys.token && { 'X-TC-Token': keys.token }),
  };
}

/**
 * GET a function URL, TC3-signed.
 * @example const res = await tc3Get('http://127.0.0.1:8787/credentials', CAM_USER_KEY);
 */
export function tc3Get(url: string, keys: CallerKeys, service = 'scf'): Promise<Response> {
  const target = new URL(url);
  return fetch(target, { headers: tc3GetHeaders(target, keys, Date.now(), service) });
}

function sha256(data: string): string {
  return createHash('sha256').update(data).digest('hex');
}

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data).digest();
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
