import fc from 'fast-check';
import http from 'node:http';
import net from 'node:net';
import { CommonClient } from 'tencentcloud-sdk-nodejs-common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bodyServer, listenOnLoopback, type Listening } from '../http-server.js';
import { MAX_CLOCK_SKEW_MS, verifyTc3, type TencentIdentity, type WireRequest } from './tc3.js';

// Reference requests come from the real SDK (its signer shares no code with the verifier under
// test), captured by a bare loopback server that answers every call with an empty success.
const SESSION: TencentIdentity = { secretId: 'AKIDsession', secretKey: 'session-secret', token: 'session-token' };
const PERMANENT: TencentIdentity = { secretId: 'AKIDpermanent', secretKey: 'permanent-secret' };
const identities = [SESSION, PERMANENT];

let capture: Listening;
let port = 0;
const captured: WireRequest[] = [];
beforeAll(async () => {
  capture = await listenOnLoopback(
    bodyServer(1 << 20, (req, res, body) => {
      captured.push({ method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, body });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"Response":{"RequestId":"captured"}}');
    }),
  );
  port = capture.port;
});
afterAll(() => capture.stop());

/** Send one SDK call and return the request as it arrived. `host` other than loopback is dialled to the capture server. */
async function sdkRequest(keys: TencentIdentity, options: { host?: string; body?: Record<string, unknown> } = {}): Promise<WireRequest> {
  const host = options.host ?? `127.0.0.1:${port}`;
  const agent = new (class extends http.Agent {
    override createConnection(): net.Socket {
      return net.connect(port, '127.0.0.1');
    }
  })();
  const client = new CommonClient(host, '2019-09-24', {
    credential: { secretId: keys.secretId, secretKey: keys.secretKey, ...(keys.token && { token: keys.token }) },
    region: 'ap-guangzhou',
    profile: { httpProfile: { endpoint: host, protocol: 'http://', ...(options.host && { agent }) } },
  });
  captured.length = 0;
  await client.request('CreateInstanceToken', options.body ?? { RegistryId: 'tcr-abc', TokenType: 'temp' });
  return captured[0]!;
}

const timestampOf = (req: WireRequest) => Number(req.headers['x-tc-timestamp']) * 1000;
const verify = (req: WireRequest, now = timestampOf(req), service = 'tcr') => verifyTc3(req, { identities, now, service });
const withHeaders = (req: WireRequest, change: Record<string, string | undefined>): WireRequest => {
  const headers = { ...req.headers, ...change };
  for (const [k, v] of Object.entries(change)) if (v === undefined) delete headers[k];
  return { ...req, headers };
};

describe('verifyTc3 against what tencentcloud-sdk-nodejs-common really sends', () => {
  it('accepts a role-session request to a loopback endpoint, signed for service "127" and host without port', async () => {
    const req = await sdkRequest(SESSION);
    expect(req.headers['authorization']).toMatch(/Credential=AKIDsession\/\d{4}-\d{2}-\d{2}\/127\/tc3_request/);
    expect(verify(req)).toMatchObject({ ok: true, identity: { secretId: 'AKIDsession' }, service: '127' });
  });

  it('accepts a request to the real product host signed for the real service name', async () => {
    const req = await sdkRequest(SESSION, { host: 'tcr.tencentcloudapi.com' });
    expect(req.headers['host']).toBe('tcr.tencentcloudapi.com');
    expect(verify(req)).toMatchObject({ ok: true, service: 'tcr' });
  });

  it('rejects a real-host request routed to another product (service scope tcr, product ssm)', async () => {
    const req = await sdkRequest(SESSION, { host: 'tcr.tencentcloudapi.com' });
    expect(verify(req, timestampOf(req), 'ssm')).toMatchObject({ ok: false, code: 'AuthFailure.SignatureFailure' });
  });

  it('accepts a permanent key that sends no X-TC-Token', async () => {
    const req = await sdkRequest(PERMANENT);
    expect(req.headers['x-tc-token']).toBeUndefined();
    expect(verify(req)).toMatchObject({ ok: true });
  });

  it('rejects a signature made with the wrong SecretKey as AuthFailure.SignatureFailure', async () => {
    const req = await sdkRequest({ ...SESSION, secretKey: 'guessed' });
    expect(verify(req)).toMatchObject({ ok: false, code: 'AuthFailure.SignatureFailure' });
  });

  it('rejects an unknown SecretId as AuthFailure.SecretIdNotFound', async () => {
    const req = await sdkRequest({ ...PERMANENT, secretId: 'AKIDnobody' });
    expect(verify(req)).toMatchObject({ ok: false, code: 'AuthFailure.SecretIdNotFound' });
  });

  it.each([
    [MAX_CLOCK_SKEW_MS - 1_000, true],
    [MAX_CLOCK_SKEW_MS + 1_000, false],
    [-(MAX_CLOCK_SKEW_MS + 1_000), false],
  ])('with the clock %i ms past X-TC-Timestamp, accepts: %s', async (skew, accepted) => {
    const req = await sdkRequest(SESSION);
    const result = verify(req, timestampOf(req) + skew);
    expect(result.ok ? true : result.code).toBe(accepted ? true : 'AuthFailure.SignatureExpire');
  });

  it('rejects a temporary key sent without its X-TC-Token as AuthFailure.TokenFailure', async () => {
    const req = await sdkRequest(SESSION);
    expect(verify(withHeaders(req, { 'x-tc-token': undefined }))).toMatchObject({ ok: false, code: 'AuthFailure.TokenFailure' });
  });

  it('rejects a temporary key with another session token as AuthFailure.TokenFailure', async () => {
    const req = await sdkRequest({ ...SESSION, token: 'someone-elses-token' });
    expect(verify(req)).toMatchObject({ ok: false, code: 'AuthFailure.TokenFailure' });
  });

  it('rejects a temporary key after its session ended as AuthFailure.TokenFailure', async () => {
    const req = await sdkRequest(SESSION);
    const ended = { ...SESSION, sessionExpiresAt: timestampOf(req) - 1 };
    expect(verifyTc3(req, { identities: [ended], now: timestampOf(req), service: 'tcr' })).toMatchObject({ ok: false, code: 'AuthFailure.TokenFailure' });
  });

  it('rejects a tampered body as AuthFailure.SignatureFailure', async () => {
    const req = await sdkRequest(SESSION, { body: { RegistryId: 'tcr-mine', TokenType: 'temp' } });
    const tampered = Buffer.from(req.body.toString('utf8').replace('tcr-mine', 'tcr-your'));
    expect(verify({ ...req, body: tampered })).toMatchObject({ ok: false, code: 'AuthFailure.SignatureFailure' });
  });

  it('rejects a loopback signature replayed against a public Host', async () => {
    const req = await sdkRequest(SESSION);
    expect(verify(withHeaders(req, { host: 'tcr.tencentcloudapi.com' }))).toMatchObject({ ok: false, code: 'AuthFailure.SignatureFailure' });
  });

  it('rejects a request without Authorization as AuthFailure.InvalidAuthorization', async () => {
    const req = await sdkRequest(SESSION);
    expect(verify(withHeaders(req, { authorization: undefined }))).toMatchObject({ ok: false, code: 'AuthFailure.InvalidAuthorization' });
  });

  it('never throws and never accepts on fuzzed Authorization, timestamp, token and body', async () => {
    const real = await sdkRequest(SESSION);
    fc.assert(
      fc.property(
        fc.oneof(fc.string(), fc.constant(String(real.headers['authorization'])).map((a) => a.replace(/Signature=\w/, 'Signature=0'))),
        fc.oneof(fc.string(), fc.constant(String(real.headers['x-tc-timestamp']))),
        fc.option(fc.string(), { nil: undefined }),
        fc.uint8Array({ maxLength: 64 }),
        (authorization, timestamp, token, body) => {
          const req = withHeaders({ ...real, body: Buffer.from(body) }, { authorization, 'x-tc-timestamp': timestamp, 'x-tc-token': token });
          const result = verify(req, timestampOf(real));
          return !result.ok && /^AuthFailure\./.test(result.code);
        },
      ),
      { numRuns: 300 },
    );
  });
});
