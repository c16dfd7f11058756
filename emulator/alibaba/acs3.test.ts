import querystring from 'node:querystring';
import * as OpenApiUtilNs from '@alicloud/openapi-util';
import { describe, expect, it } from 'vitest';
import { MAX_CLOCK_SKEW_MS, sha256Hex, verifyAcs3, type AcsIdentity, type WireRequest } from './acs3.js';

// The SDK's own signer, used only to produce reference requests: the verifier under test shares no code with it.
const d = (OpenApiUtilNs as unknown as { default: { getAuthorization?: unknown; default?: unknown } }).default;
const OpenApiUtil = (typeof d.getAuthorization === 'function' ? d : d.default) as {
  getAuthorization(req: object, alg: string, payload: string, ak: string, secret: string): string;
};

const NOW = Date.parse('2026-03-01T12:00:00Z');
const STS: AcsIdentity = { accessKeyId: 'STS.test', accessKeySecret: 'sts-secret', securityToken: 'CAIS.token', sessionExpiresAt: NOW + 20 * 60_000 };
const RAM: AcsIdentity = { accessKeyId: 'LTAI.test', accessKeySecret: 'ram-secret' };
const identities = [STS, RAM];
let nonceCounter = 0;

interface SignOptions {
  identity?: AcsIdentity;
  query?: Record<string, string>;
  body?: string;
  date?: number;
  extraHeaders?: Record<string, string>;
  sendToken?: string | null;
}

function signed(o: SignOptions = {}): WireRequest {
  const identity = o.identity ?? STS;
  const body = o.body ?? '';
  const hashed = sha256Hex(body);
  const token = o.sendToken === null ? undefined : (o.sendToken ?? identity.securityToken);
  const headers: Record<string, string> = {
    host: '127.0.0.1:9000',
    'x-acs-action': 'PutSecretValue',
    'x-acs-version': '2016-01-20',
    'x-acs-date': new Date(o.date ?? NOW).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    'x-acs-signature-nonce': `nonce-${++nonceCounter}`,
    'x-acs-content-sha256': hashed,
    ...(body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
    ...(token ? { 'x-acs-accesskey-id': identity.accessKeyId, 'x-acs-security-token': token } : {}),
    ...o.extraHeaders,
  };
  const query = o.query ?? {};
  headers['authorization'] = OpenApiUtil.getAuthorization({ method: 'POST', pathname: '/', query, headers }, 'ACS3-HMAC-SHA256', hashed, identity.accessKeyId, identity.accessKeySecret);
  const qs = querystring.stringify(query);
  return { method: 'POST', url: qs ? `/?${qs}` : '/', headers, body: Buffer.from(body) };
}

const verify = (req: WireRequest, now = NOW, nonces?: Map<string, number>) => verifyAcs3(req, { identities, now, ...(nonces ? { nonces } : {}) });

describe('verifyAcs3', () => {
  it('accepts a request signed by the SDK, with awkward query characters and a form body', () => {
    const req = signed({ query: { SecretName: 'a b*c~d!(é)', VersionId: "v'1" }, body: 'SecretData=x%20y' });
    expect(verify(req)).toMatchObject({ ok: true, identity: { accessKeyId: 'STS.test' } });
  });

  it('accepts a RAM user key without a security token', () => {
    expect(verify(signed({ identity: RAM }))).toMatchObject({ ok: true });
  });

  it('rejects a tampered query value with SignatureDoesNotMatch', () => {
    const req = signed({ query: { SecretName: 'mine' } });
    expect(verify({ ...req, url: '/?SecretName=yours' })).toMatchObject({ ok: false, status: 400, code: 'SignatureDoesNotMatch' });
  });

  it('rejects a body that does not match x-acs-content-sha256', () => {
    const req = signed({ body: 'SecretData=a' });
    expect(verify({ ...req, body: Buffer.from('SecretData=b') })).toMatchObject({ ok: false, code: 'SignatureDoesNotMatch' });
  });

  it('rejects a signature made with the wrong secret', () => {
    expect(verify(signed({ identity: { ...STS, accessKeySecret: 'guess' } }))).toMatchObject({ ok: false, code: 'SignatureDoesNotMatch' });
  });

  it('rejects an unknown AccessKeyId with 404 InvalidAccessKeyId.NotFound', () => {
    expect(verify(signed({ identity: { ...RAM, accessKeyId: 'LTAI.nobody' } }))).toMatchObject({ ok: false, status: 404, code: 'InvalidAccessKeyId.NotFound' });
  });

  it('rejects an STS key without its security token', () => {
    expect(verify(signed({ sendToken: null }))).toMatchObject({ ok: false, code: 'MissingSecurityToken' });
  });

  it('rejects an STS key with another security token', () => {
    expect(verify(signed({ sendToken: 'CAIS.other' }))).toMatchObject({ ok: false, code: 'InvalidSecurityToken.MismatchWithAccessKey' });
  });

  it('rejects an STS token after its session ended', () => {
    const late = NOW + 21 * 60_000;
    expect(verify(signed({ date: late }), late)).toMatchObject({ ok: false, code: 'InvalidSecurityToken.Expired' });
  });

  it.each([
    [MAX_CLOCK_SKEW_MS - 1_000, true],
    [MAX_CLOCK_SKEW_MS + 1_000, false],
  ])('with x-acs-date %i ms old, accepts: %s', (age, accepted) => {
    const result = verify(signed({ date: NOW - age }));
    expect(result.ok ? true : result.code).toBe(accepted ? true : 'InvalidTimeStamp.Expired');
  });

  it('rejects an x-acs-* header that is not signed', () => {
    const req = signed();
    expect(verify({ ...req, headers: { ...req.headers, 'x-acs-extra': '1' } })).toMatchObject({ ok: false, code: 'IncompleteSignature' });
  });

  it('rejects a request without Authorization', () => {
    const { authorization: _a, ...headers } = signed().headers;
    expect(verify({ ...signed(), headers })).toMatchObject({ ok: false, code: 'IncompleteSignature' });
  });

  it('rejects a replayed nonce', () => {
    const nonces = new Map<string, number>();
    const req = signed();
    expect(verify(req, NOW, nonces)).toMatchObject({ ok: true });
    expect(verify(req, NOW, nonces)).toMatchObject({ ok: false, code: 'SignatureNonceUsed' });
  });
});
