/**
 * An independent SDK-HMAC-SHA256 verifier (Huawei Cloud's APIG AK/SK request signature), written
 * with node:crypto from the algorithm as Huawei's signers build it, not with the SDK's signer, so a
 * signer bug cannot hide behind a verifier that shares it.
 *
 *   CanonicalRequest = Method \n CanonicalURI \n CanonicalQuery \n CanonicalHeaders \n SignedHeaders \n HashedPayload
 *   StringToSign     = "SDK-HMAC-SHA256" \n X-Sdk-Date \n hex(sha256(CanonicalRequest))
 *   Signature        = hex(hmac-sha256(SK, StringToSign))
 *   Authorization    = SDK-HMAC-SHA256 Access=<AK>, SignedHeaders=<h1;h2>, Signature=<sig>
 *
 * Details checked against @huaweicloud/huaweicloud-sdk-core 3.1.128 `auth/AKSKSigner.js`:
 * - CanonicalURI: every `/`-separated segment of the path percent-encoded again (RFC 3986
 *   unreserved kept), and a trailing `/` always appended (`/v2/x` signs as `/v2/x/`), while the
 *   wire path has no trailing slash (DefaultHttpClient strips it).
 * - CanonicalQuery: parameters sorted by name, name and value percent-encoded the same way.
 * - CanonicalHeaders: `lowercase-name:value\n` for each signed header, sorted; values not trimmed
 *   (Node has already trimmed outer whitespace on arrival).
 * - HashedPayload: the `X-Sdk-Content-Sha256` header when sent (`UNSIGNED-PAYLOAD` for non-JSON
 *   bodies), else hex(sha256(body)).
 * - Temporary keys (an agency session) add `X-Security-Token`; APIG rejects a temporary AK without
 *   its token (401, APIGW.0301 family). The SDK always signs that header; requiring it signed, and
 *   the exact APIG message texts, are this emulator's choices (not documented by Huawei).
 */
import type { WireRequest } from '../http-server.js';
import { authorizationParams, header, hmac, parseBasicTime, reject, rfc3986Encode, safeEqual, sha256Hex, signedHeaderNames, sortedQuery, type Rejection } from '../signing.js';

export const SDK_HMAC = 'SDK-HMAC-SHA256';
/** APIG rejects an X-Sdk-Date more than 15 minutes off its clock. */
export const MAX_CLOCK_SKEW_MS = 15 * 60_000;

/** A test identity: a permanent IAM user key (no token) or an agency session (token + end). */
export interface HuaweiIdentity {
  accessKeyId: string;
  secretAccessKey: string;
  /** Temporary keys only: requests must carry it as X-Security-Token. */
  securityToken?: string;
  /** Epoch ms when the temporary keys expire. */
  sessionExpiresAt?: number;
  /** The account (domain) the key belongs to: its id and name, what APIG access control policies name. */
  domainId?: string;
  domainName?: string;
}

export type HmacVerdict = { ok: true; identity: HuaweiIdentity } | ({ ok: false } & Rejection);

/** APIG's authentication failure codes (APIG error code reference). */
export const APIG_AUTH_FAILED = 'APIGW.0301';
export const APIG_TOKEN_EXPIRED = 'APIGW.0307';

const REQUIRED_SIGNED = ['host', 'x-sdk-date'];

/**
 * Check one request's AK/SK signature the way APIG does, and say why it is rejected.
 * @example
 * const v = verifySdkHmac(request, { identities: [agencySession], now: Date.now() });
 * if (!v.ok) reply(v.status, { error_code: v.code, error_msg: v.message });
 */
export function verifySdkHmac(req: WireRequest, options: { identities: readonly HuaweiIdentity[]; now: number }): HmacVerdict {
  const auth = header(req.headers, 'authorization');
  const parsed = auth ? parseAuthorization(auth) : undefined;
  if (!parsed) return reject(401, APIG_AUTH_FAILED, 'Incorrect IAM authentication information: Authorization format incorrect');

  const signed = parsed.signedHeaders;
  const missing = REQUIRED_SIGNED.filter((h) => !signed.includes(h));
  if (missing.length || signed.some((h) => header(req.headers, h) === undefined)) {
    return reject(401, APIG_AUTH_FAILED, `Incorrect IAM authentication information: signed headers missing (${missing.join(',') || 'listed header absent'})`);
  }

  const identity = options.identities.find((i) => i.accessKeyId === parsed.accessKeyId);
  if (!identity) return reject(401, APIG_AUTH_FAILED, 'Incorrect IAM authentication information: ak not found');

  const token = header(req.headers, 'x-security-token');
  if (identity.securityToken !== undefined) {
    if (token === undefined) return reject(401, APIG_AUTH_FAILED, 'Incorrect IAM authentication information: security token required for temporary ak');
    if (!signed.includes('x-security-token')) return reject(401, APIG_AUTH_FAILED, 'Incorrect IAM authentication information: x-security-token not signed');
    if (!safeEqual(token, identity.securityToken)) return reject(401, APIG_AUTH_FAILED, 'Incorrect IAM authentication information: security token does not match ak');
    if (identity.sessionExpiresAt !== undefined && options.now >= identity.sessionExpiresAt) {
      return reject(401, APIG_TOKEN_EXPIRED, 'The token expires.');
    }
  } else if (token !== undefined) {
    return reject(401, APIG_AUTH_FAILED, 'Incorrect IAM authentication information: security token given for a permanent ak');
  }

  const date = header(req.headers, 'x-sdk-date') ?? '';
  const at = parseBasicTime(date);
  if (at === undefined) return reject(401, APIG_AUTH_FAILED, 'Incorrect IAM authentication information: x-sdk-date format incorrect');
  if (Math.abs(options.now - at) > MAX_CLOCK_SKEW_MS) {
    return reject(401, APIG_AUTH_FAILED, 'Incorrect IAM authentication information: request time skew too large');
  }

  const expected = sdkHmacSignature(req, signed, identity.secretAccessKey);
  if (!safeEqual(parsed.signature, expected)) {
    return reject(401, APIG_AUTH_FAILED, 'Incorrect IAM authentication information: verify aksk signature fail');
  }
  return { ok: true, identity };
}

/** The canonical request rebuilt from what arrived on the wire. Exported for tests. */
export function canonicalRequest(req: WireRequest, signedHeaders: readonly string[]): string {
  const q = req.url.indexOf('?');
  const path = q < 0 ? req.url : req.url.slice(0, q);
  const rawQuery = q < 0 ? '' : req.url.slice(q + 1);
  const sorted = [...signedHeaders].sort();
  const canonicalHeaders = sorted.map((h) => `${h}:${header(req.headers, h) ?? ''}\n`).join('');
  const contentSha = header(req.headers, 'x-sdk-content-sha256');
  const payloadHash = contentSha ?? sha256Hex(req.body);
  return [req.method.toUpperCase(), canonicalUri(path), canonicalQuery(rawQuery), canonicalHeaders, sorted.join(';'), payloadHash].join('\n');
}

export function sdkHmacSignature(req: WireRequest, signedHeaders: readonly string[], secret: string): string {
  const date = header(req.headers, 'x-sdk-date') ?? '';
  const stringToSign = `${SDK_HMAC}\n${date}\n${sha256Hex(canonicalRequest(req, signedHeaders))}`;
  return hmac(secret, stringToSign).toString('hex');
}

/** Each segment encoded again, and always a trailing slash (as the SDK signer does). */
export function canonicalUri(path: string): string {
  const encoded = (path || '/').split('/').map(rfc3986Encode).join('/');
  return encoded.endsWith('/') ? encoded : `${encoded}/`;
}

/** Sorted by name, then by value. */
export function canonicalQuery(rawQuery: string): string {
  return sortedQuery(rawQuery, true);
}

export { sha256Hex };

function parseAuthorization(value: string): { accessKeyId: string; signedHeaders: string[]; signature: string } | undefined {
  const p = authorizationParams(value, SDK_HMAC, ['Access', 'SignedHeaders', 'Signature'], 'spaced');
  return p && { accessKeyId: p.Access, signedHeaders: signedHeaderNames(p.SignedHeaders), signature: p.Signature };
}
