import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { faults, startHuaweiEmulator, type HuaweiEmulator } from '../../emulator/huawei/server.js';
import type { HuaweiOutput } from '../../emulator/huawei/wire.js';
import { ConfigError, UpstreamError, UpstreamUnavailableError } from '../errors.js';
import { withRetry, type RetryPolicy } from '../retry.js';
import { createHuaweiClient, type HuaweiKeys } from './client.js';
import { SwrProvider, createSwrProvider, decodeAuth, parseSwrTime } from './swr.js';

const REGION = 'cn-north-4';
const HOST = 'swr.cn-north-4.myhuaweicloud.com';
const PASSWORD = 'emulated-swr-password-0123456789abcdef';
const target = { provider: 'swr' as const, region: REGION };
const FAST: RetryPolicy = { maxAttempts: 3, baseDelayMs: 5, maxDelayMs: 20, attemptTimeoutMs: 2_000 };

let emu: HuaweiEmulator;
let keys: HuaweiKeys;
beforeAll(async () => {
  emu = await startHuaweiEmulator({ region: REGION, swr: { password: PASSWORD } });
  const s = emu.agencySession;
  keys = { ak: s.accessKeyId, sk: s.secretAccessKey, securityToken: s.securityToken! };
});
afterEach(() => {
  emu.clearFaults();
  emu.calls.length = 0;
});
afterAll(() => emu.stop());

function provider(k: HuaweiKeys = keys, extra: { sessionExpiresAt?: () => Date | undefined } = {}) {
  return createSwrProvider({ keys: k, endpointUrl: emu.url, ...extra });
}
const signal = () => AbortSignal.timeout(5_000);
const failure = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e);
const retried = (p: SwrProvider) => withRetry((s) => p.fetch(target, s), { policy: FAST, deadline: Date.now() + 10_000 });
/** Nothing secret may show in an error, its cause, or their JSON. */
function expectNoSecret(err: unknown) {
  const text = `${String(err)} ${JSON.stringify(err)} ${String((err as { cause?: unknown }).cause)} ${JSON.stringify((err as { cause?: unknown }).cause)}`;
  for (const secret of [keys.sk, keys.securityToken, PASSWORD]) expect(text).not.toContain(secret);
}
const withOutput = (rewrite: (o: HuaweiOutput) => HuaweiOutput) => faults.transform((o) => rewrite(o as unknown as HuaweiOutput));

describe('SwrProvider against the emulator (real SDK core, SDK-HMAC-SHA256 + security token verified)', () => {
  it('mints a <region>@<AK> login for swr.<region>.myhuaweicloud.com through the real SDK, signature and token verified', async () => {
    // Prepare
    const before = Date.now();
    // Act
    const [cred] = await provider().fetch(target, signal());
    // Assess
    expect(cred).toMatchObject({ registry: HOST, username: `${REGION}@${keys.ak}`, password: PASSWORD, provider: 'swr', region: REGION });
    // The emulated login lasts 24 h but the agency session (1 h) ends first, and SWR caps at it.
    expect(cred!.expiresAt.getTime()).toBe(emu.agencySession.sessionExpiresAt);
    expect(cred!.expiresAt.getTime()).toBeGreaterThan(before);
    expect(emu.calls).toEqual([
      expect.objectContaining({ service: 'swr', operation: 'CreateSecret', status: 200, accessKeyId: keys.ak, params: { projectname: REGION } }),
    ]);
  });

  it('takes expiresAt from X-Swr-Expireat when it ends before the session', async () => {
    // Prepare
    const at = Date.now() + 30 * 60_000;
    emu.inject('swr', 'CreateSecret', withOutput((o) => ({ ...o, headers: { ...o.headers, 'X-Swr-Expireat': new Date(at).toISOString() } })));
    // Act
    const [cred] = await provider().fetch(target, signal());
    // Assess
    expect(cred!.expiresAt.getTime()).toBe(at);
  });

  it('never trusts a login for more than the documented 24 h', async () => {
    // Prepare: a session long enough not to matter, and an answer claiming 48 h
    const now = Date.now();
    emu.inject('swr', 'CreateSecret', withOutput((o) => ({ ...o, headers: { ...o.headers, 'X-Swr-Expireat': new Date(now + 48 * 3_600_000).toISOString() } })));
    // Act
    const [cred] = await createSwrProvider({ keys, endpointUrl: emu.url, now: () => now }).fetch(target, signal());
    // Assess
    expect(cred!.expiresAt.getTime()).toBe(now + 24 * 3_600_000);
  });

  it('reads the agency keys on every call, so fresh keys from a new invocation are used', async () => {
    // Prepare
    let current: HuaweiKeys = { ...keys, sk: 'stale-sk-from-an-old-invocation' };
    const swr = createSwrProvider({ keys: () => current, endpointUrl: emu.url });
    await failure(swr.fetch(target, signal()));
    current = keys;
    // Act
    const [cred] = await swr.fetch(target, signal());
    // Assess
    expect(cred!.password).toBe(PASSWORD);
    expect(emu.calls.map((c) => c.status)).toEqual([401, 200]);
  });

  it('signs with the keys fetch is given (the invocation\'s), not with the provider\'s own', async () => {
    // Prepare: a provider built with no keys, as the FunctionGraph runtime builds it
    const swr = createSwrProvider({ endpointUrl: emu.url });
    const invocationKeys = { accessKeyId: keys.ak, accessKeySecret: keys.sk, securityToken: keys.securityToken };
    // Act
    const [cred] = await swr.fetch(target, signal(), invocationKeys);
    const stale = await failure(swr.fetch(target, signal(), { ...invocationKeys, accessKeySecret: 'stale-sk' }));
    // Assess
    expect(cred!.username).toBe(`${REGION}@${keys.ak}`);
    expect(stale).toMatchObject({ code: 'UpstreamAccessDenied' });
    expect(emu.calls.map((c) => c.status)).toEqual([200, 401]);
  });

  it('keeps the <region>@ prefix of the username and splits the password on the first colon only', () => {
    expect(decodeAuth(Buffer.from('cn-north-4@AK:pass:with:colons').toString('base64'))).toEqual({ username: 'cn-north-4@AK', password: 'pass:with:colons' });
  });

  it('uses the configured registry host when the target names one', async () => {
    const [cred] = await provider().fetch({ ...target, host: 'Registry.Example.internal:5000' }, signal());
    expect(cred!.registry).toBe('registry.example.internal:5000');
  });

  it('caps expiresAt at a known agency session end: 20 min left gives 20 min', async () => {
    // Prepare: the service itself would allow up to the session's 1 h
    const sessionEnd = new Date(Date.now() + 20 * 60_000);
    // Act
    const [cred] = await provider(keys, { sessionExpiresAt: () => sessionEnd }).fetch(target, signal());
    // Assess
    expect(cred!.expiresAt.getTime()).toBe(sessionEnd.getTime());
  });

  it('mayServe only the region SWR host (or the configured one)', () => {
    const swr = provider();
    expect(swr.mayServe(target, HOST)).toBe(true);
    expect(swr.mayServe(target, 'swr.cn-north-1.myhuaweicloud.com')).toBe(false);
    expect(swr.mayServe({ ...target, host: 'r.example:5000' }, 'r.example:5000')).toBe(true);
  });

  it('is denied (UpstreamAccessDenied, not retried) when signed with a wrong secret key', async () => {
    // Act
    const err = await failure(retried(provider({ ...keys, sk: 'not-the-agency-secret' })));
    // Assess
    expect(err).toBeInstanceOf(UpstreamError);
    expect(err).toMatchObject({ code: 'UpstreamAccessDenied', message: 'CreateSecret was denied (APIGW.0301)' });
    expect(emu.calls).toHaveLength(1);
    expect(emu.calls[0]).toMatchObject({ status: 401, code: 'APIGW.0301' });
    expectNoSecret(err);
  });

  it('is denied when the agency token does not match its key', async () => {
    const err = await failure(provider({ ...keys, securityToken: 'someone-elses-token' }).fetch(target, signal()));
    expect(err).toMatchObject({ code: 'UpstreamAccessDenied' });
    expect(emu.calls[0]).toMatchObject({ status: 401, code: 'APIGW.0301' });
  });

  it('refuses keys without a security token before any call (never a long-lived key)', async () => {
    const err = await failure(provider({ ...keys, securityToken: '' }).fetch(target, signal()));
    expect(err).toBeInstanceOf(ConfigError);
    expect(emu.calls).toHaveLength(0);
  });

  it('turns APIG throttling (429 APIGW.0308) into a retryable UpstreamThrottled', async () => {
    emu.inject('swr', 'CreateSecret', faults.throttle(1));
    const err = await failure(provider().fetch(target, signal()));
    expect(err).toBeInstanceOf(UpstreamUnavailableError);
    expect(err).toMatchObject({ code: 'UpstreamThrottled', retryable: true, message: 'CreateSecret was throttled (APIGW.0308)' });
  });

  it('does not retry a 403 denial', async () => {
    emu.inject('swr', 'CreateSecret', { status: 403, code: 'SVCSTG.SWR.4030000', message: 'no permission' });
    const err = await failure(retried(provider()));
    expect(err).toMatchObject({ code: 'UpstreamAccessDenied', retryable: false });
    expect(emu.calls).toHaveLength(1);
  });

  it('retries a 500 and lands the login on the second attempt', async () => {
    emu.inject('swr', 'CreateSecret', faults.serverError(500));
    const [cred] = await retried(provider());
    expect(cred!.password).toBe(PASSWORD);
    expect(emu.calls.map((c) => c.status)).toEqual([500, 200]);
  });

  it('treats a dropped connection as a retryable UpstreamError', async () => {
    emu.inject('swr', 'CreateSecret', faults.reset());
    const err = await failure(provider().fetch(target, signal()));
    expect(err).toMatchObject({ code: 'UpstreamError', retryable: true });
  });

  it('abandons a slow call as soon as the signal aborts', async () => {
    emu.inject('swr', 'CreateSecret', faults.delay(3_000));
    const started = Date.now();
    const err = await failure(provider().fetch(target, AbortSignal.timeout(100)));
    expect(err).toMatchObject({ code: 'UpstreamTimeout' });
    expect(Date.now() - started).toBeLessThan(1_500);
  });

  it.each([
    ['no auths', withOutput((o) => ({ ...o, body: {} })), 'has no auths'],
    ['auths with two other hosts', withOutput((o) => ({ ...o, body: { auths: { a: { auth: 'eDp5' }, b: { auth: 'eDp5' } } } })), 'no single entry'],
    ['auth not base64', withOutput((o) => ({ ...o, body: { auths: { [HOST]: { auth: 'not base64!' } } } })), 'not base64'],
    ['auth without a colon', withOutput((o) => ({ ...o, body: { auths: { [HOST]: { auth: Buffer.from('userpassword').toString('base64') } } } })), 'not user:password'],
    ['no X-Swr-Expireat', withOutput((o) => ({ ...o, headers: { 'X-Swr-Dockerlogin': 'docker login' } })), 'no X-Swr-Expireat'],
    ['X-Swr-Expireat not a time', withOutput((o) => ({ ...o, headers: { ...o.headers, 'X-Swr-Expireat': 'tomorrow' } })), 'not an ISO-8601 time'],
    ['X-Swr-Expireat in the past (expiredToken)', faults.expiredToken(), 'not in the future'],
    ['a body that is not JSON', faults.malformed(), 'has no auths'],
  ])('rejects an answer with %s as UpstreamInvalidResponse, not retried', async (_name, fault, why) => {
    // Prepare
    emu.inject('swr', 'CreateSecret', fault);
    // Act
    const err = await failure(retried(provider()));
    // Assess
    expect(err).toMatchObject({ code: 'UpstreamInvalidResponse', retryable: false, message: expect.stringContaining(why) });
    expect(emu.calls).toHaveLength(1);
    expectNoSecret(err);
  });

  it('parses X-Swr-Expireat with microseconds as SWR prints it', () => {
    expect(parseSwrTime('2025-11-01T12:18:44.382000Z')).toBe(Date.UTC(2025, 10, 1, 12, 18, 44, 382));
    expect(parseSwrTime('2024-12-26T11:22:50.769Z')).toBe(Date.UTC(2024, 11, 26, 11, 22, 50, 769));
  });
});

describe('the Huawei SDK logger', () => {
  /** Everything written to stdout while `run` runs. */
  async function stdoutOf(run: () => Promise<unknown>): Promise<string> {
    const chunks: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      return true;
    });
    try {
      await run().catch(() => undefined);
    } finally {
      spy.mockRestore();
    }
    return chunks.join('');
  }

  it('control: the SDK as shipped prints a failed request with its security token to stdout', async () => {
    // Prepare: the SDK's own client, as its README builds it (so this test proves the capture works)
    const core = await import('@huaweicloud/huaweicloud-sdk-core');
    const { SwrClient, CreateSecretRequest } = await import('@huaweicloud/huaweicloud-sdk-swr');
    const credentials = new core.BasicCredentials().withAk(keys.ak).withSk('wrong-sk-for-control').withSecurityToken(keys.securityToken);
    const client = SwrClient.newBuilder().withCredential(credentials).withEndpoint(emu.url).build();
    // Act
    const out = await stdoutOf(() => client.createSecret(new CreateSecretRequest().withProjectname(REGION)));
    // Assess
    expect(out).toContain(keys.securityToken);
  });

  it('is silenced: a failed call through our client prints neither the token nor anything else', async () => {
    // Prepare
    const client = createHuaweiClient({ endpoint: emu.url, keys: { ...keys, sk: 'wrong-sk' } });
    // Act
    const out = await stdoutOf(() => client.call({ action: 'CreateSecret', method: 'POST', path: '/v2/manage/utils/secret', query: { projectname: REGION } }, signal()));
    // Assess
    expect(emu.calls.at(-1)).toMatchObject({ status: 401 });
    expect(out).not.toContain(keys.securityToken);
    expect(out).toBe('');
  });
});
