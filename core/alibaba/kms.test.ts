import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_IDENTITY, alibabaFaults, startAlibabaEmulator, type AlibabaEmulator } from '../../emulator/alibaba/server.js';
import { createAlibabaClient, type AlibabaKeys } from './client.js';
import { withRetry } from '../retry.js';
import { createKmsSecretStore, KmsSecretStore } from './kms.js';

const SECRET = 'regcred/dockerconfig';
const OLD = '{"auths":{"old":{}}}';
const NEW = '{"auths":{"registry.cn-hangzhou.aliyuncs.com":{"auth":"c2VjcmV0LXBhc3N3b3Jk"}}}';

let emu: AlibabaEmulator;
beforeAll(async () => {
  emu = await startAlibabaEmulator();
});
afterEach(() => {
  emu.clearFaults();
  emu.calls.length = 0;
});
afterAll(() => emu.stop());

/** A fresh secret per test, holding OLD as ACSCurrent. */
function freshSecret(name = `${SECRET}-${Math.random().toString(36).slice(2)}`): string {
  emu.kms.createSecret(name, OLD, Date.now());
  return name;
}
function store(keys: AlibabaKeys = DEFAULT_IDENTITY) {
  return new KmsSecretStore({ client: createAlibabaClient({ endpoint: emu.endpoint, protocol: 'http', keys }) });
}
const signal = () => AbortSignal.timeout(5_000);
const failure = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e);

describe('KmsSecretStore against the emulator (real SDK, ACS3 signature verified)', () => {
  it('writes a new version that becomes ACSCurrent and demotes the old one to ACSPrevious', async () => {
    const name = freshSecret();
    const result = await store().putVersion(name, NEW, 'rc-abc123', signal());
    expect(result).toEqual({ versionId: 'rc-abc123', written: true });
    expect(emu.kms.current(name)).toBe(NEW);
    expect(emu.kms.versions(name).map((v) => [v.versionId, v.stages])).toEqual([['v1', ['ACSPrevious']], ['rc-abc123', ['ACSCurrent']]]);
  });

  it('keeps the secret value out of every URL', async () => {
    const name = freshSecret();
    await store().putVersion(name, NEW, 'rc-url', signal());
    const put = emu.calls.find((c) => c.operation === 'PutSecretValue');
    expect(put?.queryNames).not.toContain('SecretData');
    expect(JSON.stringify(emu.calls)).not.toContain('c2VjcmV0LXBhc3N3b3Jk');
  });

  it('treats a retried write (same token, same value) as a no-op: written false, no second version', async () => {
    const name = freshSecret();
    await store().putVersion(name, NEW, 'rc-retry', signal());
    emu.calls.length = 0;
    const again = await store().putVersion(name, NEW, 'rc-retry', signal());
    expect(again).toEqual({ versionId: 'rc-retry', written: false });
    expect(emu.kms.versions(name)).toHaveLength(2);
    expect(emu.calls.map((c) => c.operation)).toEqual(['GetSecretValue']);
  });

  it('refuses the same token with a different value and leaves ACSCurrent untouched', async () => {
    const name = freshSecret();
    await store().putVersion(name, NEW, 'rc-clash', signal());
    const err = await failure(store().putVersion(name, '{"other":1}', 'rc-clash', signal()));
    expect(err).toMatchObject({ code: 'UpstreamError', retryable: false });
    expect(emu.kms.current(name)).toBe(NEW);
  });

  it('leaves ACSCurrent untouched when PutSecretValue fails, and says it may be retried', async () => {
    const name = freshSecret();
    emu.inject('kms', 'PutSecretValue', alibabaFaults.serviceUnavailable());
    const err = await failure(store().putVersion(name, NEW, 'rc-fail', signal()));
    expect(err).toMatchObject({ code: 'UpstreamError', retryable: true });
    expect(emu.kms.current(name)).toBe(OLD);
    expect(emu.kms.versions(name)).toHaveLength(1);
  });

  it('with withRetry, lands the version after one ServiceUnavailable', async () => {
    const name = freshSecret();
    emu.inject('kms', 'PutSecretValue', alibabaFaults.serviceUnavailable());
    const s = store();
    const result = await withRetry((sig) => s.putVersion(name, NEW, 'rc-retried', sig), {
      policy: { maxAttempts: 3, baseDelayMs: 5, maxDelayMs: 20, attemptTimeoutMs: 2_000 },
      deadline: Date.now() + 5_000,
    });
    expect(result.written).toBe(true);
    expect(emu.kms.current(name)).toBe(NEW);
  });

  it('reports a secret that does not exist as a non-retryable UpstreamError, not a denial', async () => {
    const err = await failure(store().putVersion('no-such-secret', NEW, 'rc-x', signal()));
    expect(err).toMatchObject({ code: 'UpstreamError', retryable: false });
  });

  it('turns throttling into UpstreamThrottled', async () => {
    const name = freshSecret();
    emu.inject('kms', 'GetSecretValue', alibabaFaults.throttling());
    expect(await failure(store().putVersion(name, NEW, 'rc-t', signal()))).toMatchObject({ code: 'UpstreamThrottled', status: 503 });
    expect(emu.kms.current(name)).toBe(OLD);
  });

  it('is denied (UpstreamAccessDenied) with a wrong secret key, writing nothing', async () => {
    const name = freshSecret();
    const err = await failure(store({ ...DEFAULT_IDENTITY, accessKeySecret: 'wrong' }).putVersion(name, NEW, 'rc-d', signal()));
    expect(err).toMatchObject({ code: 'UpstreamAccessDenied' });
    expect(emu.kms.versions(name)).toHaveLength(1);
  });

  it('createKmsSecretStore reaches the endpoint override', async () => {
    const name = freshSecret();
    const s = createKmsSecretStore('cn-hangzhou', { endpointUrl: emu.url, keys: DEFAULT_IDENTITY });
    expect(await s.putVersion(name, NEW, 'rc-f', signal())).toEqual({ versionId: 'rc-f', written: true });
  });
});
