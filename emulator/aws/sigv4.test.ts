import { describe, expect, it } from 'vitest';
import { canonicalQuery, canonicalUri, verifySigV4, type AwsIdentity, type WireRequest } from './sigv4.js';
import { formatBasicTime, parseBasicTime } from '../signing.js';

// AWS's published SigV4 test suite, case "get-vanilla": GET / to example.amazonaws.com.
// secretlint-disable-next-line @secretlint/secretlint-rule-aws -- AWS's published SigV4 test-suite key, not a credential
const EXAMPLE: AwsIdentity = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
const EXAMPLE_TIME = Date.UTC(2015, 7, 30, 12, 36, 0);
const getVanilla = (signature = '5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31'): WireRequest => ({
  method: 'GET',
  url: '/',
  headers: {
    host: 'example.amazonaws.com',
    'x-amz-date': '20150830T123600Z',
    authorization: `AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=${signature}`,
  },
  body: Buffer.alloc(0),
});
const verify = (req: WireRequest, overrides: Partial<Parameters<typeof verifySigV4>[1]> = {}) =>
  verifySigV4(req, { identities: [EXAMPLE], now: EXAMPLE_TIME, service: 'service', ...overrides });

describe('verifySigV4', () => {
  it("accepts AWS's published get-vanilla reference request", () => {
    const result = verify(getVanilla());
    expect(result).toMatchObject({ ok: true, region: 'us-east-1', service: 'service' });
  });

  it('rejects a signature that differs in one digit as InvalidSignatureException', () => {
    const result = verify(getVanilla('6fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31'));
    expect(result).toMatchObject({ ok: false, status: 400, code: 'InvalidSignatureException' });
    expect(result.ok || result.message).toMatch(/^The request signature we calculated does not match/);
  });

  it('rejects an unknown key id as UnrecognizedClientException', () => {
    const result = verify(getVanilla(), { identities: [{ ...EXAMPLE, accessKeyId: 'AKIDOTHER' }] });
    expect(result).toMatchObject({ ok: false, code: 'UnrecognizedClientException' });
  });

  it('rejects a scope naming another service', () => {
    const result = verify(getVanilla(), { service: 'ecr' });
    expect(result).toMatchObject({ ok: false, code: 'InvalidSignatureException', message: expect.stringContaining("scoped to correct service: 'ecr'") });
  });

  it('rejects a scope naming a region the service does not accept', () => {
    const result = verify(getVanilla(), { regions: ['eu-west-1'] });
    expect(result).toMatchObject({ ok: false, code: 'InvalidSignatureException', message: expect.stringContaining('valid region') });
  });

  it('rejects a request 5 minutes and 1 second old as "Signature expired"', () => {
    const result = verify(getVanilla(), { now: EXAMPLE_TIME + 5 * 60_000 + 1_000 });
    expect(result).toMatchObject({ ok: false, code: 'InvalidSignatureException', message: expect.stringMatching(/^Signature expired: 20150830T123600Z is now earlier than 20150830T123601Z/) });
  });

  it('accepts a request exactly 5 minutes old', () => {
    const result = verify(getVanilla(), { now: EXAMPLE_TIME + 5 * 60_000 });
    expect(result.ok).toBe(true);
  });

  it('rejects a session key whose request carries no security token', () => {
    const result = verify(getVanilla(), { identities: [{ ...EXAMPLE, sessionToken: 'token' }] });
    expect(result).toMatchObject({ ok: false, code: 'UnrecognizedClientException' });
  });

  it('rejects a request without Authorization as MissingAuthenticationTokenException', () => {
    const req = getVanilla();
    delete req.headers['authorization'];
    expect(verify(req)).toMatchObject({ ok: false, status: 403, code: 'MissingAuthenticationTokenException' });
  });

  it('rejects an x-amz-content-sha256 that does not match the body', () => {
    const req = { ...getVanilla(), headers: { ...getVanilla().headers, 'x-amz-content-sha256': '0'.repeat(64) } };
    expect(verify(req)).toMatchObject({ ok: false, code: 'InvalidSignatureException' });
  });
});

describe('canonical parts', () => {
  it.each([
    ['', ''],
    ['b=2&a=1', 'a=1&b=2'],
    ['a=x%20y&a=b', 'a=b&a=x%20y'],
    ['k=%2F*', 'k=%2F%2A'],
  ])('query %j canonicalises to %j', (raw, expected) => {
    expect(canonicalQuery(raw)).toBe(expected);
  });

  it.each([
    ['/', '/'],
    ['/a%20b/c', '/a%2520b/c'],
  ])('path %j is encoded again to %j (non-S3 rule)', (raw, expected) => {
    expect(canonicalUri(raw)).toBe(expected);
  });

  it('formats and parses X-Amz-Date symmetrically', () => {
    const text = formatBasicTime(EXAMPLE_TIME);
    expect(text).toBe('20150830T123600Z');
    expect(parseBasicTime(text)).toBe(EXAMPLE_TIME);
  });
});
