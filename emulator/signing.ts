/**
 * The pieces every signature verifier of the emulators shares (SigV4, ACS3, TC3, SDK-HMAC): each
 * verifier is written from its cloud's published algorithm, independent of the SDK signers it
 * checks, but percent-encoding and hashing are the same everywhere.
 */
import { createHash } from 'node:crypto';

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
