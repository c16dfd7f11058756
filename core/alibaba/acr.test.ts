import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_IDENTITY, alibabaFaults, startAlibabaEmulator, type AlibabaEmulator } from '../../emulator/alibaba/server.js';
import { UpstreamError, UpstreamUnavailableError } from '../errors.js';
import { withRetry, type RetryPolicy } from '../retry.js';
import { AcrProvider, createAcrProvider } from './acr.js';
import { createAlibabaClient, type AlibabaKeys } from './client.js';

const PASSWORD = 'emulated-acr-password-0123456789';
const target = { provider: 'acr' as const, region: 'cn-shanghai' };
const FAST: RetryPolicy = { maxAttempts: 3, baseDelayMs: 5, maxDelayMs: 20, attemptTimeoutMs: 2_000 };

let emu: AlibabaEmulator;
beforeAll(async () => {
  emu = await startAlibabaEmulator({ tokens: { password: PASSWORD } });
});
afterEach(() => {
  emu.clearFaults();
  emu.calls.length = 0;
});
afterAll(() => emu.stop());

function provider(keys: AlibabaKeys = DEFAULT_IDENTITY, extra: { sessionExpiresAt?: () => Date | undefined } = {}) {
  return new AcrProvider({ clientFor: () => createAlibabaClient({ endpoint: emu.endpoint, protocol: 'http', keys }), ...extra });
}
const signal = () => AbortSignal.timeout(5_000);
const failure = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e);

describe('AcrProvider against the emulator (real SDK, ACS3 signature verified)', () => {
  it('mints a cr_temp_user login for registry.<region>.aliyuncs.com valid for about an hour', async () => {
    // Prepare
    const before = Date.now();
    // Act
    const [cred] = await provider().fetch(target, signal());
    // Assess
    expect(cred).toMatchObject({ registry: 'registry.cn-shanghai.aliyuncs.com', username: 'cr_temp_user', password: PASSWORD, provider: 'acr', region: 'cn-shanghai' });
    expect(cred!.expiresAt.getTime() - before).toBeGreaterThan(59 * 60_000);
    expect(cred!.expiresAt.getTime() - before).toBeLessThanOrEqual(60 * 60_000 + 1_000);
    expect(emu.calls).toEqual([expect.objectContaining({ service: 'cr', operation: 'GetAuthorizationToken', method: 'GET', path: '/tokens', status: 200, accessKeyId: DEFAULT_IDENTITY.accessKeyId })]);
  });

  it('uses the configured registry host when the target names one', async () => {
    const [cred] = await provider().fetch({ ...target, host: 'Registry-VPC.cn-shanghai.aliyuncs.com' }, signal());
    expect(cred!.registry).toBe('registry-vpc.cn-shanghai.aliyuncs.com');
  });

  it('is denied (UpstreamAccessDenied) when signed with a wrong secret', async () => {
    const err = await failure(provider({ ...DEFAULT_IDENTITY, accessKeySecret: 'not-the-secret' }).fetch(target, signal()));
    expect(err).toMatchObject({ code: 'UpstreamAccessDenied', status: 502 });
    expect(emu.calls[0]).toMatchObject({ status: 400, code: 'SignatureDoesNotMatch' });
  });

  it('is denied (UpstreamAccessDenied) when the STS key comes without its security token', async () => {
    const { securityToken: _dropped, ...withoutToken } = DEFAULT_IDENTITY;
    const err = await failure(provider(withoutToken).fetch(target, signal()));
    expect(err).toMatchObject({ code: 'UpstreamAccessDenied' });
    expect(emu.calls[0]).toMatchObject({ code: 'MissingSecurityToken' });
  });

  it('caps expiresAt at the role session end: a session ending in 20 min gives 20 min, not 60', async () => {
    // Prepare: the emulated service reports the full hour, so only the provider's cap can shorten it
    const uncapped = await startAlibabaEmulator({ tokens: { password: PASSWORD, capToSession: false } });
    const sessionEnd = new Date(Date.now() + 20 * 60_000);
    const acr = new AcrProvider({
      clientFor: () => createAlibabaClient({ endpoint: uncapped.endpoint, protocol: 'http', keys: DEFAULT_IDENTITY }),
      sessionExpiresAt: () => sessionEnd,
    });
    try {
      // Act
      const [cred] = await acr.fetch(target, signal());
      // Assess
      expect(cred!.expiresAt.getTime()).toBe(sessionEnd.getTime());
    } finally {
      await uncapped.stop();
    }
  });

  it.each([
    ['data', alibabaFaults.withoutField('data')],
    ['data.tempUserName', alibabaFaults.withoutField('data.tempUserName')],
    ['data.authorizationToken', alibabaFaults.withoutField('data.authorizationToken')],
    ['data.expireDate', alibabaFaults.withoutField('data.expireDate')],
    ['data.expireDate', alibabaFaults.expiredToken()],
    ['not JSON', alibabaFaults.malformed()],
  ])('rejects an answer with a bad %s as UpstreamInvalidResponse', async (name, fault) => {
    emu.inject('cr', 'GetAuthorizationToken', fault);
    const err = await failure(provider().fetch(target, signal()));
    expect(err).toBeInstanceOf(UpstreamError);
    expect(err).toMatchObject({ code: 'UpstreamInvalidResponse', retryable: false });
    expect((err as Error).message).toContain(name);
    expect((err as Error).message).not.toContain(PASSWORD);
  });

  it('turns Throttling.User into a retryable UpstreamThrottled (503)', async () => {
    emu.inject('cr', 'GetAuthorizationToken', alibabaFaults.throttling());
    const err = await failure(provider().fetch(target, signal()));
    expect(err).toBeInstanceOf(UpstreamUnavailableError);
    expect(err).toMatchObject({ code: 'UpstreamThrottled', status: 503, retryable: true });
  });

  it('treats Forbidden.RAM as UpstreamAccessDenied', async () => {
    emu.inject('cr', 'GetAuthorizationToken', alibabaFaults.forbiddenRam());
    expect(await failure(provider().fetch(target, signal()))).toMatchObject({ code: 'UpstreamAccessDenied', retryable: false });
  });

  it('treats a dropped connection as a retryable UpstreamError', async () => {
    emu.inject('cr', 'GetAuthorizationToken', alibabaFaults.reset());
    expect(await failure(provider().fetch(target, signal()))).toMatchObject({ code: 'UpstreamError', retryable: true });
  });

  it('with withRetry, recovers from one ServiceUnavailable', async () => {
    emu.inject('cr', 'GetAuthorizationToken', alibabaFaults.serviceUnavailable());
    const acr = provider();
    const creds = await withRetry((s) => acr.fetch(target, s), { policy: FAST, deadline: Date.now() + 5_000 });
    expect(creds[0]!.password).toBe(PASSWORD);
    expect(emu.calls.map((c) => c.status)).toEqual([503, 200]);
  });

  it('with withRetry, gives up with UpstreamError after maxAttempts when 5xx persists', async () => {
    emu.inject('cr', 'GetAuthorizationToken', { ...alibabaFaults.serviceUnavailable(), times: Infinity });
    const acr = provider();
    const err = await failure(withRetry((s) => acr.fetch(target, s), { policy: FAST, deadline: Date.now() + 5_000 }));
    expect(err).toMatchObject({ code: 'UpstreamError', status: 502 });
    expect(emu.calls).toHaveLength(FAST.maxAttempts);
  });

  it('with withRetry, abandons a slow answer as UpstreamTimeout without waiting for it', async () => {
    emu.inject('cr', 'GetAuthorizationToken', { ...alibabaFaults.delay(3_000), times: Infinity });
    const acr = provider();
    const started = Date.now();
    const err = await failure(withRetry((s) => acr.fetch(target, s), { policy: { ...FAST, maxAttempts: 1, attemptTimeoutMs: 150 }, deadline: Date.now() + 5_000 }));
    expect(err).toMatchObject({ code: 'UpstreamTimeout', status: 503 });
    expect(Date.now() - started).toBeLessThan(1_500);
  });

  it('createAcrProvider reaches the endpoint override with explicit keys', async () => {
    const acr = createAcrProvider({ endpointUrl: emu.url, keys: DEFAULT_IDENTITY });
    const [cred] = await acr.fetch(target, signal());
    expect(cred!.username).toBe('cr_temp_user');
  });
});
