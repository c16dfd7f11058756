import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { faults, MAX_SECRET_VERSIONS, DEFAULT_IDENTITY, startTencentEmulator, type TencentEmulator } from '../../emulator/tencent/server.js';
import { withRetry } from '../retry.js';
import { createTencentClient, type TencentKeys } from './client.js';
import { createSsmSecretStore, SsmSecretStore } from './ssm.js';

const REGION = 'ap-guangzhou';
const OLD = '{"auths":{"acme.tencentcloudcr.com":{"auth":"b2xkLXBhc3N3b3Jk"}}}';
const NEW = '{"auths":{"acme.tencentcloudcr.com":{"auth":"c2VjcmV0LXBhc3N3b3Jk"}}}';
const KEYS: TencentKeys = { secretId: DEFAULT_IDENTITY.secretId, secretKey: DEFAULT_IDENTITY.secretKey, token: DEFAULT_IDENTITY.token! };

let emu: TencentEmulator;
beforeAll(async () => {
  emu = await startTencentEmulator();
});
afterEach(() => {
  emu.clearFaults();
  emu.calls.length = 0;
});
afterAll(() => emu.stop());

/** A fresh secret per test: created by the operator (first version `SSM_Current`), optionally with `current` holding OLD. */
function freshSecret(withCurrent: boolean): string {
  const name = `regcred-${Math.random().toString(36).slice(2)}`;
  emu.ssm.createSecret(name, { value: 'created-by-operator' });
  if (withCurrent) emu.ssm.secrets.get(name)!.versions.push({ versionId: 'current', secretString: OLD, createTime: 0 });
  return name;
}
function store(keys: TencentKeys = KEYS) {
  return new SsmSecretStore({ client: createTencentClient({ product: 'ssm', region: REGION, endpointUrl: emu.url, keys }) });
}
const signal = () => AbortSignal.timeout(5_000);
const failure = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e);
const FAST = { maxAttempts: 3, baseDelayMs: 5, maxDelayMs: 20, attemptTimeoutMs: 2_000 };

describe('SsmSecretStore against the emulator (real SDK, TC3 signature verified)', () => {
  it('first write creates the well-known version "current" with PutSecretValue', async () => {
    const name = freshSecret(false);
    expect(await store().putVersion(name, NEW, 'rc-1', signal())).toEqual({ versionId: 'current', written: true });
    expect(emu.ssm.value(name, 'current')).toBe(NEW);
    expect(emu.calls.map((c) => c.operation)).toEqual(['GetSecretValue', 'PutSecretValue']);
  });

  it('a later write replaces "current" in place with UpdateSecret: no new version', async () => {
    const name = freshSecret(true);
    expect(await store().putVersion(name, NEW, 'rc-2', signal())).toEqual({ versionId: 'current', written: true });
    expect(emu.ssm.value(name, 'current')).toBe(NEW);
    expect(emu.ssm.versionIds(name)).toEqual(['SSM_Current', 'current']);
    expect(emu.calls.map((c) => c.operation)).toEqual(['GetSecretValue', 'UpdateSecret']);
  });

  it('a retried write with the same content writes nothing (written false, one read only)', async () => {
    const name = freshSecret(false);
    await store().putVersion(name, NEW, 'rc-3', signal());
    emu.calls.length = 0;
    expect(await store().putVersion(name, NEW, 'rc-3', signal())).toEqual({ versionId: 'current', written: false });
    expect(emu.calls.map((c) => c.operation)).toEqual(['GetSecretValue']);
  });

  it('many refreshes never grow the version count past the cap', async () => {
    const name = freshSecret(false);
    for (let i = 0; i < MAX_SECRET_VERSIONS + 2; i++) await store().putVersion(name, `${NEW}-${i}`, `rc-${i}`, signal());
    expect(emu.ssm.versionIds(name)).toEqual(['SSM_Current', 'current']);
  });

  it('a failed UpdateSecret leaves the readable value as it was, and is retryable', async () => {
    const name = freshSecret(true);
    emu.inject('ssm', 'UpdateSecret', faults.serverError(500));
    const err = await failure(store().putVersion(name, NEW, 'rc-4', signal()));
    expect(err).toMatchObject({ code: 'UpstreamError', retryable: true });
    expect(emu.ssm.value(name, 'current')).toBe(OLD);
  });

  it('with withRetry, lands the value after one failed write', async () => {
    const name = freshSecret(true);
    emu.inject('ssm', 'UpdateSecret', faults.serverError(503));
    const s = store();
    const result = await withRetry((sig) => s.putVersion(name, NEW, 'rc-5', sig), { policy: FAST, deadline: Date.now() + 5_000 });
    expect(result.written).toBe(true);
    expect(emu.ssm.value(name, 'current')).toBe(NEW);
  });

  it('a writer that loses the race to create "current" replaces it instead (VersionIdExists → UpdateSecret)', async () => {
    const name = freshSecret(false);
    // Our read finds nothing; by the time we write, another run has created `current`.
    emu.inject('ssm', 'GetSecretValue', { status: 404, code: 'ResourceNotFound', message: 'The version `current` does not exist.' });
    emu.ssm.secrets.get(name)!.versions.push({ versionId: 'current', secretString: OLD, createTime: 0 });
    expect(await store().putVersion(name, NEW, 'rc-6', signal())).toEqual({ versionId: 'current', written: true });
    expect(emu.ssm.value(name, 'current')).toBe(NEW);
    expect(emu.calls.map((c) => `${c.operation}:${c.code ?? 'ok'}`)).toEqual(['GetSecretValue:ResourceNotFound', 'PutSecretValue:ResourceInUse.VersionIdExists', 'UpdateSecret:ok']);
  });

  it('reports a secret that does not exist as a non-retryable UpstreamError saying so', async () => {
    const err = await failure(store().putVersion('no-such-secret', NEW, 'rc-7', signal()));
    expect(err).toMatchObject({ code: 'UpstreamError', retryable: false, message: expect.stringContaining('does not exist') });
  });

  it('reports a secret already at 10 versions (LimitExceeded) as non-retryable, writing nothing', async () => {
    const name = freshSecret(false);
    for (let i = 1; i < MAX_SECRET_VERSIONS; i++) emu.ssm.secrets.get(name)!.versions.push({ versionId: `v${i}`, secretString: 'x', createTime: 0 });
    const err = await failure(store().putVersion(name, NEW, 'rc-8', signal()));
    expect(err).toMatchObject({ code: 'UpstreamError', retryable: false, message: expect.stringContaining('10 versions') });
    expect(emu.ssm.value(name, 'current')).toBeUndefined();
  });

  it('reports a disabled secret (ResourceUnavailable.ResourceDisabled) as non-retryable', async () => {
    const name = freshSecret(true);
    emu.ssm.secrets.get(name)!.status = 'Disabled';
    expect(await failure(store().putVersion(name, NEW, 'rc-9', signal()))).toMatchObject({ code: 'UpstreamError', retryable: false });
  });

  it('is denied (UpstreamAccessDenied) with a wrong SecretKey and writes nothing', async () => {
    const name = freshSecret(true);
    expect(await failure(store({ ...KEYS, secretKey: 'wrong' }).putVersion(name, NEW, 'rc-10', signal()))).toMatchObject({ code: 'UpstreamAccessDenied' });
    expect(emu.ssm.value(name, 'current')).toBe(OLD);
  });

  it('turns throttling into UpstreamThrottled and leaves the value alone', async () => {
    const name = freshSecret(true);
    emu.inject('ssm', 'GetSecretValue', faults.throttle());
    expect(await failure(store().putVersion(name, NEW, 'rc-11', signal()))).toMatchObject({ code: 'UpstreamThrottled', status: 503 });
    expect(emu.ssm.value(name, 'current')).toBe(OLD);
  });

  it('never puts the secret value or keys in an error message or a call record', async () => {
    const name = freshSecret(true);
    emu.inject('ssm', 'UpdateSecret', faults.serverError(500));
    const err = (await failure(store().putVersion(name, NEW, 'rc-12', signal()))) as Error;
    for (const s of [NEW, 'c2VjcmV0LXBhc3N3b3Jk', KEYS.secretKey, KEYS.token!]) {
      expect(err.message).not.toContain(s);
      expect(JSON.stringify(emu.calls)).not.toContain(s);
    }
  });

  it('createSsmSecretStore reaches the endpoint override', async () => {
    const name = freshSecret(false);
    const s = createSsmSecretStore(REGION, { keys: { accessKeyId: KEYS.secretId, accessKeySecret: KEYS.secretKey, securityToken: KEYS.token! }, endpointUrl: emu.url });
    expect(await s.putVersion(name, NEW, 'rc-13', signal())).toEqual({ versionId: 'current', written: true });
  });
});
