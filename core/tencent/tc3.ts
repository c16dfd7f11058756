/**
 * TC3-HMAC-SHA256 (Tencent Cloud's API 3.0 signature) for a GET, as an SCF function URL with CAM
 * auth checks it: the one TC3 signer of the repository, used by the client (cli/sign/tencent.ts)
 * and by the deploy's call script (deploy/tencent/call.ts). Written with node:crypto from the
 * published algorithm ("Signature v3", https://www.tencentcloud.com/document/product/267/37447), no SDK:
 *
 *   CanonicalRequest = GET \n <path> \n <query as sent> \n content-type:application/json\nhost:<host>\n \n content-type;host \n sha256("")
 *   StringToSign     = TC3-HMAC-SHA256 \n <timestamp> \n <date>/<service>/tc3_request \n sha256(CanonicalRequest)
 *
 * Not verified against a live function URL (no account here): the credential-scope service name
 * `scf` is the one assumption. No handler imports it, so it adds nothing to a function's bundle.
 */
import { createHash, createHmac } from 'node:crypto';

/** A CAM key as TC3 names its parts. */
export interface TencentKeys {
  secretId: string;
  secretKey: string;
  /** A temporary key's token, sent as X-TC-Token. */
  token?: string;
}

/**
 * The headers of a TC3-signed GET of `url`.
 * @example const headers = tc3GetHeaders(new URL(url), { secretId, secretKey }, Date.now());
 */
export function tc3GetHeaders(url: URL, keys: TencentKeys, now: number, service = 'scf'): Record<string, string> {
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

function sha256(data: string): string {
  return createHash('sha256').update(data).digest('hex');
}

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data).digest();
}
