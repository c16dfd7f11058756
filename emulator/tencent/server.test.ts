import { CommonClient } from 'tencentcloud-sdk-nodejs-common';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { tc3Signature, utcDate } from './tc3.js';
import { CAM_USER_KEY, faults, MAX_SECRET_VERSIONS, DEFAULT_IDENTITY, startTencentEmulator, type TencentEmulator } from './server.js';

// The emulator as the real SDK sees it: answers, error envelopes and codes of Tencent's API 3.0.
let emu: TencentEmulator;
beforeAll(async () => {
  emu = await startTencentEmulator({
    instances: { 'tcr-acme': { name: 'acme', region: 'ap-guangzhou' } },
    tokens: { password: 'fixed-password' },
    secrets: { 'regcred-test': 'first' },
  });
});
afterEach(() => {
  emu.clearFaults();
  emu.calls.length = 0;
});
afterAll(() => emu.stop());

function sdk(version: string, options: { region?: string | null; keys?: typeof DEFAULT_IDENTITY } = {}) {
  const keys = options.keys ?? DEFAULT_IDENTITY;
  return new CommonClient(emu.endpoint, version, {
    credential: { secretId: keys.secretId, secretKey: keys.secretKey, ...(keys.token && { token: keys.token }) },
    ...(options.region !== null && { region: options.region ?? 'ap-guangzhou' }),
    profile: { httpProfile: { endpoint: emu.endpoint, protocol: 'http://' } },
  });
}
const tcr = (options?: Parameters<typeof sdk>[1]) => sdk('2019-09-24', options);
const ssm = () => sdk('2019-09-23');
/** A request signed like the SDK signs a loopback call (service `127`, host without port), sent with fetch to see headers. */
function signedFetch(action: string, version: string, body: string): Promise<Response> {
  const timestamp = String(Math.floor(Date.now() / 1000));
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    host: emu.endpoint,
    'x-tc-action': action,
    'x-tc-version': version,
    'x-tc-region': 'ap-guangzhou',
    'x-tc-timestamp': timestamp,
    'x-tc-token': DEFAULT_IDENTITY.token!,
  };
  const req = { method: 'POST', url: '/', headers, body: Buffer.from(body) };
  const date = utcDate(Number(timestamp) * 1000);
  const signature = tc3Signature(req, ['content-type', 'host'], DEFAULT_IDENTITY.secretKey, timestamp, date, '127', '127.0.0.1');
  headers['authorization'] = `TC3-HMAC-SHA256 Credential=${DEFAULT_IDENTITY.secretId}/${date}/127/tc3_request, SignedHeaders=content-type;host, Signature=${signature}`;
  const { host: _host, ...sent } = headers;
  return fetch(emu.url, { method: 'POST', headers: sent, body });
}

/** The SDK's rejection as {code, requestId}: both come from the Response.Error envelope. */
const rejection = (p: Promise<unknown>) =>
  p.then(
    () => ({ code: 'resolved', requestId: '' }),
    (e: { code?: string; requestId?: string }) => ({ code: e.code, requestId: e.requestId }),
  );

describe('Tencent emulator (API 3.0 wire, TC3 verified, real SDK)', () => {
  it('answers CreateInstanceToken with Username, Token and ExpTime in epoch ms, one hour ahead', async () => {
    const before = Date.now();
    const answer = await tcr().request('CreateInstanceToken', { RegistryId: 'tcr-acme', TokenType: 'temp' });
    expect(answer).toMatchObject({ Username: '100000000001', Token: 'fixed-password', RequestId: expect.any(String) });
    expect(answer.ExpTime).toBeGreaterThanOrEqual(before + 3_600_000);
    expect(answer.ExpTime).toBeLessThanOrEqual(Date.now() + 3_600_000);
  });

  it('answers DescribeInstances with the instance PublicDomain <name>.tencentcloudcr.com', async () => {
    const answer = await tcr().request('DescribeInstances', { Registryids: ['tcr-acme'] });
    expect(answer).toMatchObject({ TotalCount: 1, Registries: [{ RegistryId: 'tcr-acme', PublicDomain: 'acme.tencentcloudcr.com', Status: 'Running' }] });
  });

  it('rejects the mis-spelled RegistryIds as UnknownParameter (the API spells it Registryids)', async () => {
    expect(await rejection(tcr().request('DescribeInstances', { RegistryIds: ['tcr-acme'] }))).toMatchObject({ code: 'UnknownParameter' });
  });

  it('errors carry a Response.Error code and a RequestId in an HTTP 200 answer', async () => {
    const r = await rejection(tcr().request('CreateInstanceToken', { RegistryId: 'tcr-nope' }));
    expect(r).toMatchObject({ code: 'ResourceNotFound' });
    expect(r.requestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it.each([
    ['an unknown action', () => tcr().request('NoSuchAction', {}), 'InvalidAction'],
    ['an unknown version', () => sdk('2000-01-01').request('CreateInstanceToken', {}), 'NoSuchVersion'],
    ['a call without a region', () => tcr({ region: null }).request('CreateInstanceToken', { RegistryId: 'tcr-acme' }), 'MissingParameter'],
    ['a call without RegistryId', () => tcr().request('CreateInstanceToken', {}), 'MissingParameter'],
    ['an instance of another region', () => tcr({ region: 'ap-shanghai' }).request('CreateInstanceToken', { RegistryId: 'tcr-acme' }), 'ResourceNotFound'],
  ])('answers %s with %s', async (_name, call, code) => {
    expect(await rejection(call())).toMatchObject({ code });
  });

  it('maps injected statuses to Tencent codes: 500 InternalError, 503 ResourceUnavailable, throttle RequestLimitExceeded', async () => {
    emu.inject('tcr', 'CreateInstanceToken', faults.serverError(500));
    emu.inject('tcr', 'CreateInstanceToken', faults.serverError(503));
    emu.inject('tcr', 'CreateInstanceToken', faults.throttle(2));
    const codes = [];
    for (let i = 0; i < 3; i++) codes.push((await rejection(tcr().request('CreateInstanceToken', { RegistryId: 'tcr-acme' }))).code);
    expect(codes).toEqual(['InternalError', 'ResourceUnavailable', 'RequestLimitExceeded']);
  });

  it('sends Retry-After with a throttle', async () => {
    emu.inject('tcr', 'DescribeInstances', faults.throttle(7));
    const res = await signedFetch('DescribeInstances', '2019-09-24', '{}');
    expect(res.headers.get('retry-after')).toBe('7');
    expect(await res.json()).toMatchObject({ Response: { Error: { Code: 'RequestLimitExceeded' } } });
  });

  it('refuses an unsigned request with AuthFailure.InvalidAuthorization, HTTP 200', async () => {
    const res = await fetch(emu.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-tc-action': 'DescribeInstances', 'x-tc-version': '2019-09-24', 'x-tc-region': 'ap-guangzhou' },
      body: '{}',
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ Response: { Error: { Code: 'AuthFailure.InvalidAuthorization' }, RequestId: expect.any(String) } });
  });

  it('records who called with which parameters, never the session token or key', async () => {
    await tcr({ keys: CAM_USER_KEY }).request('CreateInstanceToken', { RegistryId: 'tcr-acme' });
    expect(emu.calls[0]).toMatchObject({ cloud: 'tencent', service: 'tcr', operation: 'CreateInstanceToken', accessKeyId: CAM_USER_KEY.secretId, region: 'ap-guangzhou', status: 200 });
    expect(JSON.stringify(emu.calls)).not.toContain(CAM_USER_KEY.secretKey);
  });

  it('records a refused call with a failure status, so count() counts successes only', async () => {
    await rejection(tcr({ keys: { ...DEFAULT_IDENTITY, secretKey: 'wrong' } }).request('CreateInstanceToken', { RegistryId: 'tcr-acme' }));
    await tcr().request('CreateInstanceToken', { RegistryId: 'tcr-acme' });
    expect(emu.calls.map((c) => [c.status, c.code])).toEqual([[401, 'AuthFailure.SignatureFailure'], [200, undefined]]);
    expect(emu.count('tcr', 'CreateInstanceToken')).toBe(1);
  });

  describe('SSM', () => {
    it('reads a version by id; a missing version is ResourceNotFound', async () => {
      expect(await ssm().request('GetSecretValue', { SecretName: 'regcred-test', VersionId: 'SSM_Current' })).toMatchObject({ SecretString: 'first', VersionId: 'SSM_Current' });
      expect(await rejection(ssm().request('GetSecretValue', { SecretName: 'regcred-test', VersionId: 'nope' }))).toMatchObject({ code: 'ResourceNotFound' });
    });

    it('refuses a second PutSecretValue of the same VersionId with ResourceInUse.VersionIdExists', async () => {
      await ssm().request('PutSecretValue', { SecretName: 'regcred-test', VersionId: 'dup', SecretString: 'a' });
      expect(await rejection(ssm().request('PutSecretValue', { SecretName: 'regcred-test', VersionId: 'dup', SecretString: 'a' }))).toMatchObject({ code: 'ResourceInUse.VersionIdExists' });
    });

    it(`caps a secret at ${MAX_SECRET_VERSIONS} versions with LimitExceeded`, async () => {
      emu.ssm.createSecret('capped', { value: 'v0' });
      for (let i = 1; i < MAX_SECRET_VERSIONS; i++) await ssm().request('PutSecretValue', { SecretName: 'capped', VersionId: `v${i}`, SecretString: 'x' });
      expect(await rejection(ssm().request('PutSecretValue', { SecretName: 'capped', VersionId: 'one-too-many', SecretString: 'x' }))).toMatchObject({ code: 'LimitExceeded' });
    });

    it('UpdateSecret replaces a version in place and refuses a version that does not exist', async () => {
      await ssm().request('UpdateSecret', { SecretName: 'regcred-test', VersionId: 'SSM_Current', SecretString: 'second' });
      expect(emu.ssm.value('regcred-test', 'SSM_Current')).toBe('second');
      expect(await rejection(ssm().request('UpdateSecret', { SecretName: 'regcred-test', VersionId: 'nope', SecretString: 'x' }))).toMatchObject({ code: 'ResourceNotFound' });
    });

    it('records SecretString as its length only', async () => {
      await ssm().request('UpdateSecret', { SecretName: 'regcred-test', VersionId: 'SSM_Current', SecretString: 'very-secret-value' });
      expect(emu.calls[0]?.params).toEqual({ SecretName: 'regcred-test', VersionId: 'SSM_Current', SecretString: '[17 chars]' });
    });
  });
});
