/**
 * An independent AWS Signature Version 4 verifier, written from the published algorithm with
 * node:crypto rather than with the SDK's signer, so a signer bug cannot hide behind a verifier
 * that shares its code.
 *
 *   CanonicalRequest = Method \n CanonicalURI \n CanonicalQuery \n CanonicalHeaders \n SignedHeaders \n HashedPayload
 *   StringToSign     = "AWS4-HMAC-SHA256" \n X-Amz-Date \n <date>/<region>/<service>/aws4_request \n hex(sha256(CanonicalRequest))
 *   SigningKey       = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request")
 *   Authorization    = AWS4-HMAC-SHA256 Credential=<AK>/<scope>, SignedHeaders=<h1;h2>, Signature=<hex>
 *
 * Rejections carry the codes and messages AWS's JSON services answer with, so the SDK surfaces
 * the same error names as against the real cloud.
 */

export const SIGV4 = 'AWS4-HMAC-SHA256';
/** AWS rejects requests whose X-Amz-Date is more than 5 minutes off its clock. */
export const MAX_CLOCK_SKEW_MS = 5 * 60_000;

/** A test key pair: an IAM user key (no token) or a role session (with token). */
export interface AwsIdentity {
  accessKeyId: string;
  secretAccessKey: string;
  /** Present for session keys: requests must carry it in X-Amz-Security-Token. */
  sessionToken?: string;
}

import type { WireRequest } from '../http-server.js';
import { authorizationParams, formatBasicTime, header, hmac, parseBasicTime, reject, rfc3986Encode, safeEqual, sha256Hex, signedHeaderNames, type Rejection } from '../signing.js';
export type { WireRequest };

export type VerifyResult =
  | { ok: true; identity: AwsIdentity; service: string; region: string }
  | ({ ok: false } & Rejection);

export interface VerifyOptions {
  identities: readonly AwsIdentity[];
  /** The emulator's clock (epoch ms). */
  now: number;
  /** Signing name the endpoint serves (e.g. `ecr`); the credential scope must name it. */
  service: string;
  /** Regions the endpoint accepts; any well-formed region when omitted. */
  regions?: readonly string[];
}

interface ParsedAuthorization {
  accessKeyId: string;
  date: string;
  region: string;
  service: string;
  signedHeaders: string[];
  signature: string;
}

const SIGNATURE_MISMATCH =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';
const INVALID_TOKEN = 'The security token included in the request is invalid.';

/**
 * Check one request's SigV4 signature the way AWS's front end does, and say why it is rejected.
 * @example
 * const r = verifySigV4({ method: req.method, url: req.url, headers: req.headers, body }, { identities, now: Date.now(), service: 'ecr' });
 * if (!r.ok) reply(r.status, { __type: r.code, message: r.message });
 */
export function verifySigV4(req: WireRequest, options: VerifyOptions): VerifyResult {
  const auth = header(req.headers, 'authorization');
  if (auth === undefined) return reject(403, 'MissingAuthenticationTokenException', 'Missing Authentication Token');
  const parsed = parseAuthorization(auth);
  if (!parsed) {
    return reject(400, 'IncompleteSignatureException', `Authorization header requires 'Credential', 'Signature' and 'SignedHeaders' parameters in the ${SIGV4} format.`);
  }

  const identity = options.identities.find((i) => i.accessKeyId === parsed.accessKeyId);
  if (!identity) return reject(400, 'UnrecognizedClientException', INVALID_TOKEN);

  const token = header(req.headers, 'x-amz-security-token');
  if (identity.sessionToken !== undefined ? token === undefined || !safeEqual(token, identity.sessionToken) : token !== undefined) {
    return reject(400, 'UnrecognizedClientException', INVALID_TOKEN);
  }

  if (parsed.service !== options.service) {
    return reject(400, 'InvalidSignatureException', `Credential should be scoped to correct service: '${options.service}'. `);
  }
  if (options.regions && !options.regions.includes(parsed.region)) {
    return reject(400, 'InvalidSignatureException', `Credential should be scoped to a valid region. `);
  }

  const signed = parsed.signedHeaders;
  if (!signed.includes('host') || signed.some((h) => header(req.headers, h) === undefined)) {
    return reject(400, 'InvalidSignatureException', `'Host' or a listed header must be signed and present. ${SIGNATURE_MISMATCH}`);
  }
  const amzDate = header(req.headers, 'x-amz-date') ?? '';
  const requestTime = parseBasicTime(amzDate);
  if (requestTime === undefined || !signed.includes('x-amz-date')) {
    return reject(400, 'IncompleteSignatureException', 'Authorization header requires existence of either a \'X-Amz-Date\' or a \'Date\' header.');
  }
  if (amzDate.slice(0, 8) !== parsed.date) {
    return reject(400, 'InvalidSignatureException', `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${parsed.date}' != '${amzDate.slice(0, 8)}', from '${amzDate}'.`);
  }
  if (Math.abs(options.now - requestTime) > MAX_CLOCK_SKEW_MS) {
    const bound = requestTime < options.now ? options.now - MAX_CLOCK_SKEW_MS : options.now + MAX_CLOCK_SKEW_MS;
    const relation = requestTime < options.now ? 'earlier' : 'later';
    const sign = requestTime < options.now ? '-' : '+';
    return reject(400, 'InvalidSignatureException', `Signature expired: ${amzDate} is now ${relation} than ${formatBasicTime(bound)} (${formatBasicTime(options.now)} ${sign} 5 min.)`);
  }

  // JSON services hash the body themselves; a sent x-amz-content-sha256 must agree with it.
  const bodyHash = sha256Hex(req.body);
  const claimed = header(req.headers, 'x-amz-content-sha256');
  if (claimed !== undefined && claimed !== bodyHash) return reject(400, 'InvalidSignatureException', SIGNATURE_MISMATCH);

  const expected = signatureFor(req, parsed, identity.secretAccessKey, bodyHash);
  if (!safeEqual(parsed.signature, expected)) return reject(400, 'InvalidSignatureException', SIGNATURE_MISMATCH);
  return { ok: true, identity, service: parsed.service, region: parsed.region };
}

/** The canonical request rebuilt from what arrived on the wire. Exported for tests. */
export function canonicalRequest(req: WireRequest, signedHeaders: readonly string[], hashedPayload: string): string {
  const q = req.url.indexOf('?');
  const path = q < 0 ? req.url : req.url.slice(0, q);
  const rawQuery = q < 0 ? '' : req.url.slice(q + 1);
  const sorted = [...signedHeaders].sort();
  const canonicalHeaders = sorted.map((h) => `${h}:${(header(req.headers, h) ?? '').trim().replace(/\s+/g, ' ')}\n`).join('');
  return [req.method.toUpperCase(), canonicalUri(path), canonicalQuery(rawQuery), canonicalHeaders, sorted.join(';'), hashedPayload].join('\n');
}

/**
 * Every service but S3 encodes the path twice: the signer URI-encodes each segment of the path it
 * sends, and the path on the wire is already encoded once.
 */
export function canonicalUri(wirePath: string): string {
  if (!wirePath || wirePath === '/') return '/';
  return wirePath.split('/').map(rfc3986Encode).join('/');
}

/** Query parameters decoded from the wire, re-encoded per RFC 3986, sorted by name then value. */
export function canonicalQuery(rawQuery: string): string {
  if (!rawQuery) return '';
  return rawQuery
    .split('&')
    .filter(Boolean)
    .map((pair) => {
      const eq = pair.indexOf('=');
      const k = decode(eq < 0 ? pair : pair.slice(0, eq));
      const v = decode(eq < 0 ? '' : pair.slice(eq + 1));
      return `${rfc3986Encode(k)}=${rfc3986Encode(v)}`;
    })
    .sort()
    .join('&');
}

export function signingKey(secret: string, date: string, region: string, service: string): Buffer {
  const kDate = hmac(`AWS4${secret}`, date);
  const kRegion = hmac(kDate, region);
  const kService = hmac(kRegion, service);
  return hmac(kService, 'aws4_request');
}

function signatureFor(req: WireRequest, auth: ParsedAuthorization, secret: string, hashedPayload: string): string {
  const scope = `${auth.date}/${auth.region}/${auth.service}/aws4_request`;
  const amzDate = header(req.headers, 'x-amz-date') ?? '';
  const stringToSign = [SIGV4, amzDate, scope, sha256Hex(canonicalRequest(req, auth.signedHeaders, hashedPayload))].join('\n');
  return hmac(signingKey(secret, auth.date, auth.region, auth.service), stringToSign).toString('hex');
}

export { sha256Hex };

function parseAuthorization(value: string): ParsedAuthorization | undefined {
  const p = authorizationParams(value, SIGV4, ['Credential', 'SignedHeaders', 'Signature'], 'spaced');
  if (!p) return undefined;
  const scope = p.Credential.split('/');
  if (scope.length !== 5 || scope[4] !== 'aws4_request' || !/^\d{8}$/.test(scope[1]!)) return undefined;
  const [accessKeyId, date, region, service] = scope as [string, string, string, string];
  return { accessKeyId, date, region, service, signedHeaders: signedHeaderNames(p.SignedHeaders), signature: p.Signature };
}

/** Plain percent-decoding: here a `+` stays a `+` (decodeQueryPart would make it a space). */
function decode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
