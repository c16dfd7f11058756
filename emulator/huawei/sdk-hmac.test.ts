import querystring from 'node:querystring';
import * as SignerNs from '@huaweicloud/huaweicloud-sdk-core/auth/AKSKSigner.js';
import { describe, expect, it } from 'vitest';
import type { WireRequest } from '../http-server.js';
import { MAX_CLOCK_SKEW_MS, canonicalUri, verifySdkHmac, type HuaweiIdentity } from './sdk-hmac.js';
import { formatBasicTime, parseBasicTime } from '../signing.js';

// The SDK's own signer, used only to produce reference requests: the verifier under test shares no code with it.
const AKSKSigner = ((SignerNs as unknown as { AKSKSigner?: unknown; default?: { AKSKSigner: unknown } }).AKSKSigner ??
  (SignerNs as unknown as { default: { AKSKSigner: unknown } }).default.AKSKSigner) as {
  sign(request: object, credential: { getAk(): string; getSk(): string }): Record<string, string>;
};

const NOW = Date.parse('2026-11-30T20:30:00Z');
const AGENCY: HuaweiIdentity = { accessKeyId: 'TEMPAK', secretAccessKey: 'agency-sk', securityToken: 'agency-token', sessionExpiresAt: NOW + 30 * 60_000 };
const USER: HuaweiIdentity = { accessKeyId: 'PERMAK', secretAccessKey: 'user-sk' };
const identities = [AGENCY, USER];

interface SignOptions {
  identity?: HuaweiIdentity;
  /** Secret used to sign (default: the identity's). */
  signWith?: string;
  method?: string;
  path?: string;
  query?: Record<string, string>;
  body?: Record<string, unknown>;
  date?: number;
  /** Token to send; null sends none (default: the identity's). */
  sendToken?: string | null;
}

/** A request as the SDK signs and sends it (header names lower-cased by Node on arrival). */
function signed(o: SignOptions = {}): WireRequest {
  const identity = o.identity ?? AGENCY;
  const token = o.sendToken === null ? undefined : (o.sendToken ?? identity.securityToken);
  const path = o.path ?? '/v1/0a1b/secrets/regcred.docker/versions';
  const headers: Record<string, string> = {
    'X-Sdk-Date': formatBasicTime(o.date ?? NOW),
    'content-type': 'application/json',
    ...(token ? { 'X-Security-Token': token } : {}),
  };
  const request = { endpoint: `http://127.0.0.1:9000${path}`, method: o.method ?? 'POST', headers, queryParams: o.query ?? {}, data: o.body };
  const all = AKSKSigner.sign(request, { getAk: () => identity.accessKeyId, getSk: () => o.signWith ?? identity.secretAccessKey });
  const wireHeaders = Object.fromEntries(Object.entries(all).map(([k, v]) => [k.toLowerCase(), String(v)]));
  const qs = querystring.stringify(o.query ?? {});
  return { method: request.method, url: qs ? `${path}?${qs}` : path, headers: wireHeaders, body: Buffer.from(o.body ? JSON.stringify(o.body) : '') };
}

const verify = (req: WireRequest, now = NOW) => verifySdkHmac(req, { identities, now });

describe('verifySdkHmac', () => {
  it('accepts an agency-session request signed by the SDK, with a JSON body and a query', () => {
    const v = verify(signed({ query: { projectname: 'cn-north-4', marker: 'a b/c' }, body: { secret_string: '{"auths":{}}' } }));
    expect(v).toMatchObject({ ok: true, identity: { accessKeyId: 'TEMPAK' } });
  });

  it('accepts a permanent key without a security token', () => {
    expect(verify(signed({ identity: USER, method: 'GET', path: '/v2/manage/utils/secret' })).ok).toBe(true);
  });

  it('signs the path with a trailing slash although none is sent', () => {
    expect(canonicalUri('/v2/manage/utils/secret')).toBe('/v2/manage/utils/secret/');
    expect(verify(signed({ path: '/v2/manage/utils/secret' })).ok).toBe(true);
  });

  it('rejects a signature made with the wrong secret (401 APIGW.0301)', () => {
    expect(verify(signed({ signWith: 'not-the-sk' }))).toMatchObject({ ok: false, status: 401, code: 'APIGW.0301', message: expect.stringContaining('signature') });
  });

  it('rejects an unknown access key (401 APIGW.0301)', () => {
    expect(verify(signed({ identity: { accessKeyId: 'NOSUCHAK', secretAccessKey: 'x' } }))).toMatchObject({ ok: false, status: 401, code: 'APIGW.0301', message: expect.stringContaining('ak not found') });
  });

  it('rejects an X-Sdk-Date more than 15 minutes off', () => {
    const req = signed({ date: NOW - MAX_CLOCK_SKEW_MS - 1_000 });
    expect(verify(req)).toMatchObject({ ok: false, status: 401, message: expect.stringContaining('skew') });
  });

  it('accepts an X-Sdk-Date just inside the 15 minute window', () => {
    expect(verify(signed({ date: NOW - MAX_CLOCK_SKEW_MS + 1_000 })).ok).toBe(true);
  });

  it('rejects a temporary key sent without its security token', () => {
    expect(verify(signed({ sendToken: null }))).toMatchObject({ ok: false, status: 401, message: expect.stringContaining('security token required') });
  });

  it('rejects a temporary key sent with another security token', () => {
    expect(verify(signed({ sendToken: 'other-token' }))).toMatchObject({ ok: false, status: 401, message: expect.stringContaining('does not match') });
  });

  it('rejects the agency token after its session ended (APIGW.0307)', () => {
    expect(verify(signed({ date: AGENCY.sessionExpiresAt! }), AGENCY.sessionExpiresAt!)).toMatchObject({ ok: false, status: 401, code: 'APIGW.0307' });
  });

  it('rejects a tampered body', () => {
    const req = signed({ body: { secret_string: 'a' } });
    expect(verify({ ...req, body: Buffer.from(JSON.stringify({ secret_string: 'b' })) })).toMatchObject({ ok: false, message: expect.stringContaining('signature') });
  });

  it('rejects a tampered query value', () => {
    const req = signed({ query: { projectname: 'cn-north-4' } });
    expect(verify({ ...req, url: req.url.replace('cn-north-4', 'cn-north-1') })).toMatchObject({ ok: false, message: expect.stringContaining('signature') });
  });

  it('rejects a tampered path', () => {
    const req = signed();
    expect(verify({ ...req, url: req.url.replace('regcred.docker', 'other') })).toMatchObject({ ok: false, message: expect.stringContaining('signature') });
  });

  it('rejects a request without Authorization', () => {
    const { authorization: _dropped, ...headers } = signed().headers;
    expect(verify({ ...signed(), headers })).toMatchObject({ ok: false, status: 401, message: expect.stringContaining('Authorization') });
  });

  it('parses and formats X-Sdk-Date as the SDK writes it', () => {
    expect(formatBasicTime(NOW)).toBe('20261130T203000Z');
    expect(parseBasicTime('20261130T203000Z')).toBe(NOW);
    expect(parseBasicTime('2026-11-30T20:30:00Z')).toBeUndefined();
  });
});
