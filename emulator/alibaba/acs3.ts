/**
 * An independent ACS3-HMAC-SHA256 verifier (Alibaba Cloud's V3 request signature), written from
 * the published algorithm with node:crypto, not with the SDK's signer, so a signer bug cannot
 * hide behind a verifier that shares it.
 *
 *   CanonicalRequest = Method \n CanonicalURI \n CanonicalQuery \n CanonicalHeaders \n SignedHeaders \n HashedPayload
 *   StringToSign     = "ACS3-HMAC-SHA256" \n hex(sha256(CanonicalRequest))
 *   Signature        = hex(hmac-sha256(AccessKeySecret, StringToSign))
 *   Authorization    = ACS3-HMAC-SHA256 Credential=<AK>,SignedHeaders=<h1;h2>,Signature=<sig>
 */
export const ACS3 = 'ACS3-HMAC-SHA256';
/** Alibaba rejects requests whose x-acs-date is more than 15 minutes off. */
export const MAX_CLOCK_SKEW_MS = 15 * 60_000;

/** A test identity: a RAM user key (no token) or an STS role session (token + expiry). */
export interface AcsIdentity {
  accessKeyId: string;
  accessKeySecret: string;
  /** Present for STS keys: requests must carry it in x-acs-security-token. */
  securityToken?: string;
  /** Epoch ms when the STS session ends; after it the token is rejected as expired. */
  sessionExpiresAt?: number;
}

import type { WireRequest } from '../http-server.js';
import { authorizationParams, header, hmac, reject, safeEqual, sha256Hex, signedHeaderNames, sortedQuery, type Rejection } from '../signing.js';
export type { WireRequest };

export type VerifyResult = { ok: true; identity: AcsIdentity } | ({ ok: false } & Rejection);

export interface VerifyOptions {
  identities: readonly AcsIdentity[];
  now: number;
  /** Nonces already seen (with when), to reject replays; the verifier prunes old ones. */
  nonces?: Map<string, number>;
  /**
   * Headers the signature must cover. The OpenAPI gateway's default names the action and version;
   * an FC HTTP trigger (a plain request to the function) has neither: {@link TRIGGER_SIGNED}.
   */
  requiredSigned?: readonly string[];
}

/** What an FC 3.0 HTTP trigger with authType `function` needs signed. */
export const TRIGGER_SIGNED = ['host', 'x-acs-date', 'x-acs-signature-nonce', 'x-acs-content-sha256'];

const REQUIRED_SIGNED = ['host', 'x-acs-action', 'x-acs-version', 'x-acs-date', 'x-acs-signature-nonce', 'x-acs-content-sha256'];

/**
 * Check one request's signature the way Alibaba's gateway does, and say why it is rejected.
 * @example
 * const r = verifyAcs3({ method: req.method, url: req.url, headers: req.headers, body }, { identities, now: Date.now() });
 * if (!r.ok) reply(r.status, { Code: r.code, Message: r.message });
 */
export function verifyAcs3(req: WireRequest, options: VerifyOptions): VerifyResult {
  const auth = header(req.headers, 'authorization');
  const parsed = auth ? parseAuthorization(auth) : undefined;
  if (!parsed) return reject(400, 'IncompleteSignature', 'The request signature does not conform to Aliyun standards.');

  const signed = parsed.signedHeaders;
  const unsignedAcs = Object.keys(req.headers).filter((h) => h.toLowerCase().startsWith('x-acs-') && !signed.includes(h.toLowerCase()));
  const missing = (options.requiredSigned ?? REQUIRED_SIGNED).filter((h) => !signed.includes(h));
  if (missing.length || unsignedAcs.length || signed.some((h) => header(req.headers, h) === undefined)) {
    return reject(400, 'IncompleteSignature', `The request signature does not conform to Aliyun standards. Unsigned or missing headers: ${[...missing, ...unsignedAcs].join(',') || 'listed header absent'}.`);
  }

  const identity = options.identities.find((i) => i.accessKeyId === parsed.accessKeyId);
  if (!identity) return reject(404, 'InvalidAccessKeyId.NotFound', 'Specified access key is not found.');
  const headerAk = header(req.headers, 'x-acs-accesskey-id');
  if (headerAk !== undefined && headerAk !== parsed.accessKeyId) {
    return reject(400, 'IncompleteSignature', 'x-acs-accesskey-id does not match the Credential in Authorization.');
  }

  const token = header(req.headers, 'x-acs-security-token');
  if (identity.securityToken !== undefined) {
    if (token === undefined) return reject(400, 'MissingSecurityToken', 'SecurityToken is mandatory for this action.');
    if (!safeEqual(token, identity.securityToken)) return reject(400, 'InvalidSecurityToken.MismatchWithAccessKey', 'Specified SecurityToken mismatch with the AccessKey.');
    if (identity.sessionExpiresAt !== undefined && options.now >= identity.sessionExpiresAt) {
      return reject(400, 'InvalidSecurityToken.Expired', 'Specified SecurityToken is expired.');
    }
  } else if (token !== undefined) {
    return reject(400, 'InvalidSecurityToken.MismatchWithAccessKey', 'Specified SecurityToken mismatch with the AccessKey.');
  }

  const date = header(req.headers, 'x-acs-date') ?? '';
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/.test(date) || Number.isNaN(Date.parse(date))) {
    return reject(400, 'InvalidTimeStamp.Format', 'Specified time stamp or date value is not well formatted.');
  }
  if (Math.abs(options.now - Date.parse(date)) > MAX_CLOCK_SKEW_MS) {
    return reject(400, 'InvalidTimeStamp.Expired', 'Specified time stamp or date value is expired.');
  }

  const bodyHash = sha256Hex(req.body);
  if (header(req.headers, 'x-acs-content-sha256') !== bodyHash) {
    return reject(400, 'SignatureDoesNotMatch', 'Specified signature is not matched with our calculation: x-acs-content-sha256 does not match the body.');
  }

  const expected = signatureFor(req, signed, identity.accessKeySecret, bodyHash);
  if (!safeEqual(parsed.signature, expected)) {
    return reject(400, 'SignatureDoesNotMatch', 'Specified signature is not matched with our calculation.');
  }

  // Replay check last, so a forged request cannot burn a legitimate nonce.
  if (options.nonces) {
    const nonce = header(req.headers, 'x-acs-signature-nonce') ?? '';
    for (const [n, at] of options.nonces) if (options.now - at > MAX_CLOCK_SKEW_MS) options.nonces.delete(n);
    if (options.nonces.has(nonce)) return reject(400, 'SignatureNonceUsed', 'Specified signature nonce was used already.');
    options.nonces.set(nonce, options.now);
  }
  return { ok: true, identity };
}

/** The canonical request rebuilt from what arrived on the wire. Exported for tests. */
export function canonicalRequest(req: WireRequest, signedHeaders: readonly string[], hashedPayload: string): string {
  const q = req.url.indexOf('?');
  const path = q < 0 ? req.url : req.url.slice(0, q);
  const rawQuery = q < 0 ? '' : req.url.slice(q + 1);
  const canonicalHeaders = [...signedHeaders]
    .sort()
    .map((h) => `${h}:${(header(req.headers, h) ?? '').trim()}\n`)
    .join('');
  return [req.method.toUpperCase(), path || '/', canonicalQuery(rawQuery), canonicalHeaders, [...signedHeaders].sort().join(';'), hashedPayload].join('\n');
}

export function signatureFor(req: WireRequest, signedHeaders: readonly string[], secret: string, hashedPayload: string): string {
  const stringToSign = `${ACS3}\n${sha256Hex(Buffer.from(canonicalRequest(req, signedHeaders, hashedPayload)))}`;
  return hmac(secret, stringToSign).toString('hex');
}

/** Query parameters decoded from the wire, re-encoded per RFC 3986, sorted by name only. */
export function canonicalQuery(rawQuery: string): string {
  return sortedQuery(rawQuery, false);
}

export { sha256Hex };

function parseAuthorization(value: string): { accessKeyId: string; signedHeaders: string[]; signature: string } | undefined {
  const p = authorizationParams(value, ACS3, ['Credential', 'SignedHeaders', 'Signature'], 'tight');
  return p && { accessKeyId: p.Credential, signedHeaders: signedHeaderNames(p.SignedHeaders), signature: p.Signature };
}
