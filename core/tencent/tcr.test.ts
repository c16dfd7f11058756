import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CAM_USER_KEY, faults, DEFAULT_IDENTITY, startTencentEmulator, type TencentEmulator } from '../../emulator/tencent/server.js';
import { ConfigError } from '../errors.js';
import { withRetry } from '../retry.js';
import { createTencentClient, upstreamCode, type TencentKeys } from './client.js';
import { createTcrProvider, TcrProvider } from './tcr.js';

const PASSWORD = 'emulated-tcr-password-0123456789';
const REGION = 'ap-guangzhou';
const target = { provider: 'tcr' as const, region: REGION, instanceId: 'tcr-acme' };
const DOMAIN = 'acme.tencentcloudcr.com';

let emu: TencentEmulator;
beforeAll(async () => {
  emu = await startTencentEmulator({ tokens: { password: PASSWORD }, instances: { 'tcr-acme': { name: 'acme', region: REGION } } });
});
afterEach(() => {
  emu.clearFaults();
  emu.calls.length = 0;
});
afterAll(() => emu.stop());

const keysOf = (i: { secretId: string; secretKey: string; token?: string }): TencentKeys => ({ secretId: i.secretId, secretKey: i.secretKey, ...(i.token && { token: i.token }) });
function provider(keys: TencentKeys = keysOf(DEFAULT_IDENTITY), extra: { sessionExpiresAt?: () => Date; now?: () => number } = {}) {
  return new TcrProvider({ clientFor: (region) => createTencentClient({ product: 'tcr', region, endpointUrl: emu.url, keys }), ...extra });
}
const signal = () => AbortSignal.timeout(5_000);
const failure = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e);
const FAST = { maxAttempts: 3, baseDelayMs: 5, maxDelayMs: 20, attemptTimeoutMs: 2_000 };

describe('TcrProvider against the emulator (real SDK, TC3 signature verified)', () => {
  it('mints a login for the public domain DescribeInstances reports, valid one hour', async () => {
    const before = Date.now();
    const [cred] = await provider().fetch(target, signal());
    expect(cred).toMatchObject({ registry: DOMAIN, username: '100000000001', password: PASSWORD, provider: 'tcr', region: REGION });
    expect(cred!.expiresAt.getTime()).toBeGreaterThanOrEqual(before + 60 * 60_000 - 1_000);
    expect(cred!.expiresAt.getTime()).toBeLessThanOrEqual(Date.now() + 60 * 60_000);
  });

  it('sends RegistryId with TokenType temp, and Registryids (the API\'s spelling) to DescribeInstances', async () => {
    await provider().fetch(target, signal());
    expect(emu.calls.find((c) => c.operation === 'CreateInstanceToken')).toMatchObject({ params: { RegistryId: 'tcr-acme', TokenType: 'temp' }, region: REGION, accessKeyId: DEFAULT_IDENTITY.secretId });
    expect(emu.calls.find((c) => c.operation === 'DescribeInstances')?.params).toEqual({ Registryids: ['tcr-acme'] });
  });

  it('asks DescribeInstances once across calls and reuses the domain', async () => {
    const tcr = provider();
    await tcr.fetch(target, signal());
    await tcr.fetch(target, signal());
    expect(emu.count('tcr', 'DescribeInstances')).toBe(1);
    expect(emu.count('tcr', 'CreateInstanceToken')).toBe(2);
  });

  it('skips DescribeInstances when the target names a host', async () => {
    const [cred] = await provider().fetch({ ...target, host: '127.0.0.1:5000' }, signal());
    expect(cred!.registry).toBe('127.0.0.1:5000');
    expect(emu.calls.map((c) => c.operation)).toEqual(['CreateInstanceToken']);
  });

  it('works with a permanent key too (no session token)', async () => {
    const [cred] = await provider(keysOf(CAM_USER_KEY)).fetch(target, signal());
    expect(cred!.password).toBe(PASSWORD);
  });

  it('rejects a wrong SecretKey as UpstreamAccessDenied, not retried', async () => {
    const err = await failure(provider({ ...keysOf(DEFAULT_IDENTITY), secretKey: 'wrong' }).fetch({ ...target, host: DOMAIN }, signal()));
    expect(err).toMatchObject({ code: 'UpstreamAccessDenied', retryable: false });
    expect(emu.calls[0]).toMatchObject({ code: 'AuthFailure.SignatureFailure' });
  });

  it('rejects a role session without its session token as UpstreamAccessDenied (AuthFailure.TokenFailure)', async () => {
    const { token: _t, ...noToken } = keysOf(DEFAULT_IDENTITY);
    const err = await failure(provider(noToken).fetch({ ...target, host: DOMAIN }, signal()));
    expect(err).toMatchObject({ code: 'UpstreamAccessDenied' });
    expect(emu.calls[0]).toMatchObject({ code: 'AuthFailure.TokenFailure' });
  });

  it('turns RequestLimitExceeded into a retryable UpstreamThrottled (503)', async () => {
    emu.inject('tcr', 'CreateInstanceToken', faults.throttle());
    const err = await failure(provider().fetch({ ...target, host: DOMAIN }, signal()));
    expect(err).toMatchObject({ code: 'UpstreamThrottled', status: 503, retryable: true });
    expect(emu.calls[0]).toMatchObject({ code: 'RequestLimitExceeded' });
  });

  it('does not retry UnauthorizedOperation (CAM denies the role): one call, UpstreamAccessDenied', async () => {
    emu.inject('tcr', 'CreateInstanceToken', { code: 'UnauthorizedOperation', status: 403, times: Infinity });
    const tcr = provider();
    const err = await failure(withRetry((s) => tcr.fetch({ ...target, host: DOMAIN }, s), { policy: FAST, deadline: Date.now() + 5_000 }));
    expect(err).toMatchObject({ code: 'UpstreamAccessDenied', retryable: false });
    expect(emu.calls.filter((c) => c.operation === 'CreateInstanceToken')).toHaveLength(1);
  });

  it('retries InternalError (injected 500) and then succeeds', async () => {
    emu.inject('tcr', 'CreateInstanceToken', faults.serverError(500));
    const tcr = provider();
    const creds = await withRetry((s) => tcr.fetch({ ...target, host: DOMAIN }, s), { policy: FAST, deadline: Date.now() + 5_000 });
    expect(creds[0]!.password).toBe(PASSWORD);
    expect(emu.calls.map((c) => c.code ?? 'ok')).toEqual(['InternalError', 'ok']);
  });

  it('answers an injected 503 with Tencent\'s ResourceUnavailable, which the client retries', async () => {
    emu.inject('tcr', 'CreateInstanceToken', faults.serverError(503));
    const err = await failure(provider().fetch({ ...target, host: DOMAIN }, signal()));
    expect(err).toMatchObject({ code: 'UpstreamError', retryable: true });
    expect(upstreamCode(err)).toBe('ResourceUnavailable');
  });

  it('treats a gateway page with HTTP 502 as retryable', async () => {
    emu.inject('tcr', 'CreateInstanceToken', { status: 502, body: '<html>bad gateway</html>' });
    expect(await failure(provider().fetch({ ...target, host: DOMAIN }, signal()))).toMatchObject({ code: 'UpstreamError', retryable: true });
  });

  it('treats a dropped connection as retryable', async () => {
    emu.inject('tcr', 'CreateInstanceToken', faults.reset());
    expect(await failure(provider().fetch({ ...target, host: DOMAIN }, signal()))).toMatchObject({ code: 'UpstreamError', retryable: true });
  });

  it('gives up on a slow answer when the signal aborts (UpstreamTimeout)', async () => {
    emu.inject('tcr', 'CreateInstanceToken', faults.delay(2_000));
    const started = Date.now();
    const err = await failure(provider().fetch({ ...target, host: DOMAIN }, AbortSignal.timeout(100)));
    expect(err).toMatchObject({ code: 'UpstreamTimeout' });
    expect(Date.now() - started).toBeLessThan(1_500);
  });

  it.each([
    ['Token', faults.transform(({ Token: _t, ...rest }) => rest)],
    ['Token', faults.transform((o) => ({ ...o, Token: '' }))],
    ['Username', faults.transform(({ Username: _u, ...rest }) => rest)],
    ['ExpTime', faults.transform(({ ExpTime: _e, ...rest }) => rest)],
    ['ExpTime', faults.expiredToken()],
    ['ExpTime', faults.transform((o) => ({ ...o, ExpTime: Math.floor(Date.now() / 1000) + 3600 }))],
    ['not JSON', faults.malformed()],
  ])('rejects a CreateInstanceToken answer with a bad %s as UpstreamInvalidResponse, not retried', async (name, fault) => {
    emu.inject('tcr', 'CreateInstanceToken', fault);
    const err = await failure(provider().fetch({ ...target, host: DOMAIN }, signal()));
    expect(err).toMatchObject({ code: 'UpstreamInvalidResponse', retryable: false });
    expect((err as Error).message).toContain(name);
  });

  it('rejects a DescribeInstances answer without a PublicDomain as UpstreamInvalidResponse', async () => {
    emu.inject('tcr', 'DescribeInstances', faults.transform((o) => ({ ...o, Registries: (o['Registries'] as Record<string, unknown>[]).map(({ PublicDomain: _p, ...r }: Record<string, unknown>) => r) })));
    expect(await failure(provider().fetch(target, signal()))).toMatchObject({ code: 'UpstreamInvalidResponse', message: expect.stringContaining('PublicDomain') });
  });

  it('asks DescribeInstances again after a failed first answer', async () => {
    emu.inject('tcr', 'DescribeInstances', faults.serverError(500));
    const tcr = provider();
    await failure(tcr.fetch(target, signal()));
    const [cred] = await tcr.fetch(target, signal());
    expect(cred!.registry).toBe(DOMAIN);
  });

  it('reports an instance the region does not have as a non-retryable UpstreamError', async () => {
    const err = await failure(provider().fetch({ ...target, instanceId: 'tcr-nope' }, signal()));
    expect(err).toMatchObject({ code: 'UpstreamError', retryable: false });
  });

  it('caps expiresAt at the role session end: a session ending in 20 min gives 20 min, not 60', async () => {
    const sessionEnd = new Date(Date.now() + 20 * 60_000);
    const [cred] = await provider(undefined, { sessionExpiresAt: () => sessionEnd }).fetch({ ...target, host: DOMAIN }, signal());
    expect(cred!.expiresAt.getTime()).toBe(sessionEnd.getTime());
  });

  it('refuses a target without an instance id as a configuration error', async () => {
    expect(await failure(provider().fetch({ provider: 'tcr', region: REGION }, signal()))).toBeInstanceOf(ConfigError);
  });

  it('mayServe: the reported domain once known, any *.tencentcloudcr.com before, the target host when set', async () => {
    const tcr = provider();
    expect(tcr.mayServe(target, 'other.tencentcloudcr.com')).toBe(true);
    expect(tcr.mayServe(target, 'registry.example.com')).toBe(false);
    await tcr.fetch(target, signal());
    expect(tcr.mayServe(target, DOMAIN)).toBe(true);
    expect(tcr.mayServe(target, 'other.tencentcloudcr.com')).toBe(false);
    expect(tcr.mayServe({ ...target, host: '127.0.0.1:5000' }, '127.0.0.1:5000')).toBe(true);
  });

  it('never puts the password or a secret key in an error message', async () => {
    const secrets = [PASSWORD, DEFAULT_IDENTITY.secretKey, DEFAULT_IDENTITY.token!];
    const errors: unknown[] = [];
    emu.inject('tcr', 'CreateInstanceToken', faults.transform(({ ExpTime: _e, ...rest }) => rest));
    errors.push(await failure(provider().fetch({ ...target, host: DOMAIN }, signal())));
    emu.inject('tcr', 'CreateInstanceToken', faults.throttle());
    errors.push(await failure(provider().fetch({ ...target, host: DOMAIN }, signal())));
    errors.push(await failure(provider({ ...keysOf(DEFAULT_IDENTITY), token: 'forged' }).fetch({ ...target, host: DOMAIN }, signal())));
    for (const err of errors) {
      expect(err).toBeInstanceOf(Error);
      for (const s of secrets) expect((err as Error).message).not.toContain(s);
    }
  });

  it('createTcrProvider reaches the endpoint override with the keys it is given', async () => {
    const tcr = createTcrProvider({ keys: { accessKeyId: DEFAULT_IDENTITY.secretId, accessKeySecret: DEFAULT_IDENTITY.secretKey, securityToken: DEFAULT_IDENTITY.token! }, endpointUrl: emu.url });
    const [cred] = await tcr.fetch(target, signal());
    expect(cred!.registry).toBe(DOMAIN);
  });
});
