/**
 * An independent TC3-HMAC-SHA256 verifier (Tencent Cloud API 3.0 signature), written from the
 * published algorithm with node:crypto, not with the SDK's signer, so a signer bug cannot hide
 * behind a verifier that shares it.
 *
 *   CanonicalRequest = Method \n CanonicalURI \n CanonicalQuery \n CanonicalHeaders \n SignedHeaders \n hex(sha256(body))
 *   StringToSign     = "TC3-HMAC-SHA256" \n X-TC-Timestamp \n <date>/<service>/tc3_request \n hex(sha256(CanonicalRequest))
 *   SecretSigning    = HMAC(HMAC(HMAC("TC3" + SecretKey, date), service), "tc3_request")
 *   Authorization    = TC3-HMAC-SHA256 Credential=<SecretId>/<date>/<service>/tc3_request, SignedHeaders=content-type;host, Signature=<hex>
 *
 * `date` is the UTC day of X-TC-Timestamp. Canonical headers are `lowercase-name:lowercase-trimmed-value\n`;
 * Tencent requires `content-type` and `host` to be signed.
 *
 * Loopback quirk (verified against tencentcloud-sdk-nodejs-common 4.1.x `sign.js` /
 * `abstract_client.js`): the SDK signs `host` as the URL's hostname WITHOUT the port, and takes the
 * credential-scope service from the endpoint's first dot label. Against `127.0.0.1:PORT` it
 * therefore signs `host:127.0.0.1` and service `127`. For a loopback Host this verifier expects
 * exactly that; for any other Host it expects the Host as sent and the product's real service name
 * (`tcr`, `ssm`), as Tencent's gateway does.
 */
import type { WireRequest } from '../http-server.js';
import { authorizationParams, header, hmac, safeEqual, sha256Hex } from '../signing.js';

export type { WireRequest };

export const TC3 = 'TC3-HMAC-SHA256';
/** Tencent rejects a request whose X-TC-Timestamp is more than 5 minutes off (AuthFailure.SignatureExpire). */
export const MAX_CLOCK_SKEW_MS = 5 * 60_000;

/** A test key: a permanent API key (no token) or a temporary role-session key (token + end). */
export interface TencentIdentity {
  secretId: string;
  secretKey: string;
  /** Present for temporary keys: requests must carry it in X-TC-Token. */
  token?: string;
  /** Epoch ms when the session ends; after it the token is refused. */
  sessionExpiresAt?: number;
}

export interface Tc3Rejection {
  code: string;
  message: string;
}

export type Tc3Result = { ok: true; identity: TencentIdentity; service: string } | ({ ok: false } & Tc3Rejection);

export interface Tc3Options {
  identities: readonly TencentIdentity[];
  /** The verifier's clock, epoch ms. */
  now: number;
  /** Signing name of the product the request is routed to (`tcr`, `ssm`). */
  service: string;
  /**
   * Expect the SDK's loopback quirk (service = first label of a loopback Host, host signed without
   * its port); default true. False checks the Host as sent and `service` even on loopback, as a
   * function URL's gateway does for a client that signs the URL it calls (dev/tencent.ts).
   */
  sdkLoopback?: boolean;
}

interface ParsedAuthorization {
  secretId: string;
  date: string;
  service: string;
  signedHeaders: string[];
  signature: string;
}

// Messages follow Tencent's common error code table (e.g. https://www.tencentcloud.com/document/api/1078/38658).
const SIGNATURE_FAILURE = 'The provided credentials could not be validated. Please check your signature is correct.';

/**
 * Check one request's TC3 signature the way Tencent's API gateway does; say why it is rejected.
 * @example
 * const r = verifyTc3({ method, url, headers, body }, { identities, now: Date.now(), service: 'tcr' });
 * if (!r.ok) reply({ Response: { Error: { Code: r.code, Message: r.message }, RequestId } });
 */
export function verifyTc3(req: WireRequest, options: Tc3Options): Tc3Result {
  const auth = header(req.headers, 'authorization');
  const parsed = auth ? parseAuthorization(auth) : undefined;
  if (!parsed) return reject('AuthFailure.InvalidAuthorization', 'Authorization in the request header is invalid.');

  const identity = options.identities.find((i) => i.secretId === parsed.secretId);
  if (!identity) return reject('AuthFailure.SecretIdNotFound', 'The SecretId is not found, please ensure that your SecretId is correct.');

  const timestamp = header(req.headers, 'x-tc-timestamp') ?? '';
  if (!/^\d{1,12}$/.test(timestamp)) return reject('AuthFailure.InvalidAuthorization', 'X-TC-Timestamp is missing or not a number of seconds.');
  const signedAt = Number(timestamp) * 1000;
  if (Math.abs(options.now - signedAt) > MAX_CLOCK_SKEW_MS) {
    return reject('AuthFailure.SignatureExpire', 'Signature expired. Timestamp and server time cannot differ by more than five minutes.');
  }

  const token = header(req.headers, 'x-tc-token');
  if (identity.token !== undefined) {
    if (token === undefined || !safeEqual(token, identity.token)) return reject('AuthFailure.TokenFailure', 'Token error: the temporary key needs its own X-TC-Token.');
    if (identity.sessionExpiresAt !== undefined && options.now >= identity.sessionExpiresAt) {
      return reject('AuthFailure.TokenFailure', 'Token error: the temporary key has expired.');
    }
  } else if (token !== undefined && token !== '') {
    return reject('AuthFailure.TokenFailure', 'Token error: a permanent key carries no X-TC-Token.');
  }

  const host = header(req.headers, 'host') ?? '';
  const loopback = options.sdkLoopback !== false && isLoopback(host);
  const expectedService = loopback ? host.split('.')[0]! : options.service;
  if (parsed.date !== utcDate(signedAt) || parsed.service !== expectedService) {
    return reject('AuthFailure.SignatureFailure', `${SIGNATURE_FAILURE} (credential scope must be ${utcDate(signedAt)}/${expectedService}/tc3_request)`);
  }
  if (!parsed.signedHeaders.includes('content-type') || !parsed.signedHeaders.includes('host')) {
    return reject('AuthFailure.SignatureFailure', `${SIGNATURE_FAILURE} (content-type and host must be signed)`);
  }
  if (parsed.signedHeaders.some((h) => header(req.headers, h) === undefined)) {
    return reject('AuthFailure.SignatureFailure', `${SIGNATURE_FAILURE} (a signed header is absent)`);
  }

  const canonicalHost = loopback ? stripPort(host) : host;
  const expected = tc3Signature(req, parsed.signedHeaders, identity.secretKey, timestamp, parsed.date, parsed.service, canonicalHost);
  if (!safeEqual(parsed.signature, expected)) return reject('AuthFailure.SignatureFailure', SIGNATURE_FAILURE);
  return { ok: true, identity, service: parsed.service };
}

/** The canonical request rebuilt from what arrived. Exported for tests. */
export function canonicalRequest(req: WireRequest, signedHeaders: readonly string[], canonicalHost: string): string {
  const q = req.url.indexOf('?');
  const path = q < 0 ? req.url : req.url.slice(0, q);
  const query = q < 0 ? '' : req.url.slice(q + 1);
  const sorted = [...signedHeaders].sort();
  const headers = sorted
    .map((h) => `${h}:${(h === 'host' ? canonicalHost : (header(req.headers, h) ?? '')).trim().toLowerCase()}\n`)
    .join('');
  return [req.method.toUpperCase(), path || '/', query, headers, sorted.join(';'), sha256Hex(req.body)].join('\n');
}

/** The hex signature a request should carry. Exported for tests that forge requests. */
export function tc3Signature(
  req: WireRequest,
  signedHeaders: readonly string[],
  secretKey: string,
  timestamp: string,
  date: string,
  service: string,
  canonicalHost: string,
): string {
  const stringToSign = [TC3, timestamp, `${date}/${service}/tc3_request`, sha256Hex(canonicalRequest(req, signedHeaders, canonicalHost))].join('\n');
  const kDate = hmac(`TC3${secretKey}`, date);
  const kService = hmac(kDate, service);
  const kSigning = hmac(kService, 'tc3_request');
  return hmac(kSigning, stringToSign).toString('hex');
}

export { sha256Hex };

/** `YYYY-MM-DD` (UTC) of an epoch-ms instant: the credential-scope date. */
export function utcDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

function parseAuthorization(value: string): ParsedAuthorization | undefined {
  const p = authorizationParams(value, TC3, ['Credential', 'SignedHeaders', 'Signature'], 'loose');
  if (!p) return undefined;
  const scope = p.Credential.split('/');
  if (scope.length !== 4 || scope[3] !== 'tc3_request' || !scope[0] || !/^\d{4}-\d{2}-\d{2}$/.test(scope[1]!) || !scope[2]) return undefined;
  const signedHeaders = p.SignedHeaders.split(';');
  if (signedHeaders.some((h) => !/^[a-z0-9-]+$/.test(h))) return undefined;
  return { secretId: scope[0], date: scope[1]!, service: scope[2]!, signedHeaders, signature: p.Signature };
}

function isLoopback(host: string): boolean {
  const name = stripPort(host).toLowerCase();
  return name === 'localhost' || name === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(name);
}

function stripPort(host: string): string {
  return host.replace(/:\d+$/, '');
}

/** Tencent answers every error with HTTP 200, so a rejection carries no status (its wire maps the code to one). */
function reject(code: string, message: string): { ok: false } & Tc3Rejection {
  return { ok: false, code, message };
}
