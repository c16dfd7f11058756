/**
 * The pieces every signature verifier of the emulators shares (SigV4, ACS3, TC3, SDK-HMAC): each
 * verifier is written from its cloud's published algorithm, independent of the SDK signers it
 * checks, but reading the Authorization header, percent-encoding, hashing, comparing and
 * rejecting are the same everywhere. What each cloud accepts stays in its verifier.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { WireRequest } from './http-server.js';

/** Why a verifier turned a request away: the status, code and message its cloud answers with. */
export interface Rejection {
  status: number;
  code: string;
  message: string;
}

export function reject(status: number, code: string, message: string): { ok: false } & Rejection {
  return { ok: false, status, code, message };
}

/** A header by name in any case (Node stores names in lower case); repeated values joined with `,`. */
export function header(headers: WireRequest['headers'], name: string): string | undefined {
  const v = headers[name] ?? headers[name.toLowerCase()];
  return Array.isArray(v) ? v.join(',') : v;
}

/**
 * Whitespace a gateway tolerates in `<scheme> K=v,K=v`: `tight` one space after the scheme and none
 * around commas (ACS3); `spaced` any after the scheme and after commas (SigV4, SDK-HMAC); `loose`
 * also before commas (TC3).
 */
export type AuthorizationLayout = 'tight' | 'spaced' | 'loose';

/**
 * The parameters of an Authorization header `<scheme> K1=v1,K2=v2,…`, exactly `names` in that
 * order, or undefined when it is anything else. Values hold no comma or whitespace, and a
 * `Signature` must be 64 lower-case hex digits (every scheme here signs with hex HMAC-SHA256).
 * @example authorizationParams(auth, 'SDK-HMAC-SHA256', ['Access', 'SignedHeaders', 'Signature'], 'spaced')
 */
export function authorizationParams<K extends string>(
  value: string,
  scheme: string,
  names: readonly K[],
  layout: AuthorizationLayout,
): Record<K, string> | undefined {
  const lead = layout === 'tight' ? ' ' : '\\s+';
  const comma = layout === 'tight' ? ',' : layout === 'spaced' ? ',\\s*' : '\\s*,\\s*';
  const m = new RegExp(`^${escapeRegExp(scheme)}${lead}${names.map((n) => `${escapeRegExp(n)}=([^,\\s]+)`).join(comma)}$`).exec(value.trim());
  if (!m) return undefined;
  const params = Object.fromEntries(names.map((n, i) => [n, m[i + 1]!])) as Record<K, string>;
  const signature = (params as Record<string, string>)['Signature'];
  return signature === undefined || /^[0-9a-f]{64}$/.test(signature) ? params : undefined;
}

/** A SignedHeaders list as names in lower case. */
export function signedHeaderNames(list: string): string[] {
  return list.split(';').map((h) => h.toLowerCase());
}

/** Compares in constant time, so a forged signature or token learns nothing from the timing. */
export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data).digest();
}

/** RFC 3986 percent-encoding: everything but A-Z a-z 0-9 - _ . ~ (UTF-8, upper-case hex). */
export function rfc3986Encode(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

export function sha256Hex(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** One query-string part as received (`+` is a space); left as is when it is not valid percent-encoding. */
export function decodeQueryPart(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, '%20'));
  } catch {
    return s;
  }
}

/** A raw query string as decoded name/value pairs, in the order sent. */
export function parseQuery(rawQuery: string): Array<[string, string]> {
  return rawQuery
    .split('&')
    .filter(Boolean)
    .map((pair) => {
      const eq = pair.indexOf('=');
      return [decodeQueryPart(eq < 0 ? pair : pair.slice(0, eq)), decodeQueryPart(eq < 0 ? '' : pair.slice(eq + 1))];
    });
}

/**
 * A query as canonical requests write it: names and values decoded, re-encoded per RFC 3986 and
 * sorted by name, then by value when `byValue` (else equal names keep the order sent), as `k=v&…`.
 */
export function sortedQuery(rawQuery: string, byValue: boolean): string {
  if (!rawQuery) return '';
  return parseQuery(rawQuery)
    .map(([k, v]) => [rfc3986Encode(k), rfc3986Encode(v)] as const)
    .sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : !byValue ? 0 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
}

/** ISO 8601 basic UTC time (`20240101T120000Z`, X-Amz-Date and X-Sdk-Date) → epoch ms, or undefined. */
export function parseBasicTime(value: string): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!m) return undefined;
  const ms = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!);
  return Number.isNaN(ms) ? undefined : ms;
}

export function formatBasicTime(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
