import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_IDENTITY, alibabaFaults, startAlibabaEmulator, type AlibabaEmulator } from '../../emulator/alibaba/server.js';
import { ConfigError } from '../errors.js';
import { withRetry } from '../retry.js';
import { AcrEeProvider } from './acr-ee.js';
import { createAlibabaClient, type AlibabaKeys } from './client.js';

const PASSWORD = 'emulated-ee-password-0123456789';
const DOMAIN = 'acme-registry.cn-hangzhou.cr.aliyuncs.com';
const target = { provider: 'acr-ee' as const, region: 'cn-hangzhou', instanceId: 'cri-acme' };

let emu: AlibabaEmulator;
beforeAll(async () => {
  emu = await startAlibabaEmulator({ tokens: { password: PASSWORD }, instances: { 'cri-acme': { domain: DOMAIN } } });
});
afterEach(() => {
  emu.clearFaults();
  emu.calls.length = 0;
});
afterAll(() => emu.stop());

function provider(keys: AlibabaKeys = DEFAULT_IDENTITY, endpoint = () => emu.endpoint) {
  return new AcrEeProvider({ clientFor: () => createAlibabaClient({ endpoint: endpoint(), protocol: 'http', keys }) });
}
const signal = () => AbortSignal.timeout(5_000);
const failure = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e);

describe('AcrEeProvider against the emulator (real SDK, ACS3 signature verified)', () => {
  it('mints a login for the instance domain that GetInstanceEndpoint reports', async () => {
    const [cred] = await provider().fetch(target, signal());
    expect(cred).toMatchObject({ registry: DOMAIN, username: 'cr_temp_user', password: PASSWORD, provider: 'acr-ee', region: 'cn-hangzhou' });
    const endpointCall = emu.calls.find((c) => c.operation === 'GetInstanceEndpoint');
    expect(endpointCall?.params).toMatchObject({ InstanceId: 'cri-acme', EndpointType: 'internet', ModuleName: 'Registry' });
  });

  it('asks for the instance endpoint once and reuses it', async () => {
    const ee = provider();
    await ee.fetch(target, signal());
    await ee.fetch(target, signal());
    expect(emu.calls.filter((c) => c.operation === 'GetInstanceEndpoint')).toHaveLength(1);
    expect(emu.calls.filter((c) => c.operation === 'GetAuthorizationToken')).toHaveLength(2);
  });

  it('skips GetInstanceEndpoint when the target names a host', async () => {
    const [cred] = await provider().fetch({ ...target, host: 'registry.example.com:5000' }, signal());
    expect(cred!.registry).toBe('registry.example.com:5000');
    expect(emu.calls.map((c) => c.operation)).toEqual(['GetAuthorizationToken']);
  });

  it.each([
    ['IsSuccess', alibabaFaults.notSuccessful()],
    ['TempUsername', alibabaFaults.withoutField('TempUsername')],
    ['AuthorizationToken', alibabaFaults.withoutField('AuthorizationToken')],
    ['ExpireTime', alibabaFaults.withoutField('ExpireTime')],
    ['ExpireTime', alibabaFaults.expiredToken()],
    ['not JSON', alibabaFaults.malformed()],
  ])('rejects a GetAuthorizationToken answer with a bad %s as UpstreamInvalidResponse', async (name, fault) => {
    emu.inject('cr-ee', 'GetAuthorizationToken', fault);
    const err = await failure(provider().fetch(target, signal()));
    expect(err).toMatchObject({ code: 'UpstreamInvalidResponse', retryable: false });
    expect((err as Error).message).toContain(name);
  });

  it('rejects a GetInstanceEndpoint answer without Domains as UpstreamInvalidResponse', async () => {
    emu.inject('cr-ee', 'GetInstanceEndpoint', alibabaFaults.withoutField('Domains'));
    expect(await failure(provider().fetch(target, signal()))).toMatchObject({ code: 'UpstreamInvalidResponse', message: expect.stringContaining('Domains') });
  });

  it('reports an unknown instance as a non-retryable UpstreamError', async () => {
    const err = await failure(provider().fetch({ ...target, instanceId: 'cri-nope' }, signal()));
    expect(err).toMatchObject({ code: 'UpstreamError', retryable: false });
  });

  it('refuses a target without an instance id as a configuration error', async () => {
    expect(await failure(provider().fetch({ provider: 'acr-ee', region: 'cn-hangzhou' }, signal()))).toBeInstanceOf(ConfigError);
  });

  it('reports an expired role session (InvalidSecurityToken.Expired) as UpstreamAccessDenied', async () => {
    const expired = { ...DEFAULT_IDENTITY, accessKeyId: 'STS.expired', sessionExpiresAt: Date.now() - 1_000 };
    const gw = await startAlibabaEmulator({ identities: [expired], instances: { 'cri-acme': { domain: DOMAIN } } });
    try {
      const err = await failure(provider(expired, () => gw.endpoint).fetch(target, signal()));
      expect(err).toMatchObject({ code: 'UpstreamAccessDenied' });
      expect(gw.calls[0]).toMatchObject({ code: 'InvalidSecurityToken.Expired' });
    } finally {
      await gw.stop();
    }
  });

  it('rejects a wrong security token (UpstreamAccessDenied)', async () => {
    const err = await failure(provider({ ...DEFAULT_IDENTITY, securityToken: 'CAIS.forged' }).fetch(target, signal()));
    expect(err).toMatchObject({ code: 'UpstreamAccessDenied' });
    expect(emu.calls[0]).toMatchObject({ code: 'InvalidSecurityToken.MismatchWithAccessKey' });
  });

  it('caps expiresAt at the role session end: a session ending in 20 min gives 20 min, not 60', async () => {
    const gw = await startAlibabaEmulator({ tokens: { capToSession: false }, instances: { 'cri-acme': { domain: DOMAIN } } });
    const sessionEnd = new Date(Date.now() + 20 * 60_000);
    const ee = new AcrEeProvider({
      clientFor: () => createAlibabaClient({ endpoint: gw.endpoint, protocol: 'http', keys: DEFAULT_IDENTITY }),
      sessionExpiresAt: () => sessionEnd,
    });
    try {
      const [cred] = await ee.fetch(target, signal());
      expect(cred!.expiresAt.getTime()).toBe(sessionEnd.getTime());
    } finally {
      await gw.stop();
    }
  });

  it('turns Throttling.User into UpstreamThrottled, and withRetry then succeeds', async () => {
    emu.inject('cr-ee', 'GetAuthorizationToken', alibabaFaults.throttling());
    const ee = provider();
    const first = await failure(ee.fetch(target, signal()));
    expect(first).toMatchObject({ code: 'UpstreamThrottled', status: 503 });
    emu.inject('cr-ee', 'GetAuthorizationToken', alibabaFaults.internalError());
    const creds = await withRetry((s) => ee.fetch(target, s), {
      policy: { maxAttempts: 3, baseDelayMs: 5, maxDelayMs: 20, attemptTimeoutMs: 2_000 },
      deadline: Date.now() + 5_000,
    });
    expect(creds[0]!.password).toBe(PASSWORD);
  });
});
