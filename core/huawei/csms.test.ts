import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { faults, startHuaweiEmulator, type HuaweiEmulator } from '../../emulator/huawei/server.js';
import { withRetry, type RetryPolicy } from '../retry.js';
import type { HuaweiKeys } from './client.js';
import { createCsmsSecretStore, type CsmsSecretStore } from './csms.js';

const SECRET = 'regcred-dockerconfig';
const OLD = '{"auths":{"swr.cn-north-4.myhuaweicloud.com":{"auth":"b2xk"}}}';
const PASSWORD = 'csms-test-registry-password-42';
const NEW = JSON.stringify({ auths: { 'swr.cn-north-4.myhuaweicloud.com': { username: 'cn-north-4@AK', password: PASSWORD, auth: Buffer.from(`cn-north-4@AK:${PASSWORD}`).toString('base64') } } });
const TOKEN = 'a1b2c3d4e5f6a7b8c9d0e1f2';
const FAST: RetryPolicy = { maxAttempts: 3, baseDelayMs: 5, maxDelayMs: 20, attemptTimeoutMs: 2_000 };

let emu: HuaweiEmulator;
let keys: HuaweiKeys;
beforeAll(async () => {
  emu = await startHuaweiEmulator();
  const s = emu.agencySession;
  keys = { ak: s.accessKeyId, sk: s.secretAccessKey, securityToken: s.securityToken! };
});
beforeEach(() => {
  emu.csms.createSecret(SECRET, OLD, Date.now());
});
afterEach(() => {
  emu.clearFaults();
  emu.calls.length = 0;
});
afterAll(() => emu.stop());

const store = (k: HuaweiKeys = keys): CsmsSecretStore => createCsmsSecretStore('cn-north-4', { keys: k, projectId: emu.projectId, endpointUrl: emu.url });
const signal = () => AbortSignal.timeout(5_000);
const failure = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e);
const stagesOf = () => emu.csms.versions(SECRET).map((v) => `${v.id}:${v.stages.join('+')}`);
const writes = () => emu.calls.filter((c) => c.operation === 'CreateSecretVersion');
function expectNoSecret(err: unknown) {
  const text = `${String(err)} ${JSON.stringify(err)} ${String((err as { cause?: unknown }).cause)}`;
  for (const secret of [PASSWORD, NEW, keys.sk, keys.securityToken]) expect(text).not.toContain(secret);
}

describe('CsmsSecretStore against the emulator (real SDK core, SDK-HMAC-SHA256 verified)', () => {
  it('first write: a new version becomes SYSCURRENT and the old one SYSPREVIOUS', async () => {
    // Act
    const result = await store().putVersion(SECRET, NEW, TOKEN, signal());
    // Assess
    expect(result).toEqual({ versionId: 'v2', written: true });
    expect(emu.csms.valueAt(SECRET)).toBe(NEW);
    expect(stagesOf()).toEqual(['v1:SYSPREVIOUS', 'v2:SYSCURRENT']);
  });

  it('first write to a secret with no version yet', async () => {
    emu.csms.createSecret(SECRET, undefined, Date.now());
    const result = await store().putVersion(SECRET, NEW, TOKEN, signal());
    expect(result).toEqual({ versionId: 'v1', written: true });
    expect(stagesOf()).toEqual(['v1:SYSCURRENT']);
  });

  it('a retry with the same token writes nothing (written false, no second version)', async () => {
    // Prepare
    await store().putVersion(SECRET, NEW, TOKEN, signal());
    emu.calls.length = 0;
    // Act
    const result = await store().putVersion(SECRET, NEW, TOKEN, signal());
    // Assess
    expect(result).toEqual({ versionId: 'v2', written: false });
    expect(writes()).toHaveLength(0);
    expect(stagesOf()).toEqual(['v1:SYSPREVIOUS', 'v2:SYSCURRENT']);
  });

  it('a retry after the write landed but its answer was lost writes nothing', async () => {
    // Prepare: the write lands after the caller gave up on it
    emu.inject('csms', 'CreateSecretVersion', faults.delay(400));
    const lost = await failure(store().putVersion(SECRET, NEW, TOKEN, AbortSignal.timeout(200)));
    expect(lost).toMatchObject({ code: 'UpstreamTimeout' });
    await new Promise((r) => setTimeout(r, 400));
    // Act
    const result = await store().putVersion(SECRET, NEW, TOKEN, signal());
    // Assess
    expect(result).toEqual({ versionId: 'v2', written: false });
    expect(emu.csms.versions(SECRET)).toHaveLength(2);
  });

  it('a late retry of a superseded refresh does not roll SYSCURRENT back', async () => {
    // Prepare: our value landed, then a newer refresh replaced it
    await store().putVersion(SECRET, NEW, TOKEN, signal());
    await store().putVersion(SECRET, '{"auths":{}}', 'newer-token', signal());
    emu.calls.length = 0;
    // Act
    const result = await store().putVersion(SECRET, NEW, TOKEN, signal());
    // Assess
    expect(result).toEqual({ versionId: 'v2', written: false });
    expect(emu.csms.valueAt(SECRET)).toBe('{"auths":{}}');
    expect(writes()).toHaveLength(0);
  });

  it('a failed write leaves SYSCURRENT as it was and may be retried', async () => {
    // Prepare
    emu.inject('csms', 'CreateSecretVersion', faults.serverError(500));
    // Act
    const err = await failure(store().putVersion(SECRET, NEW, TOKEN, signal()));
    // Assess
    expect(err).toMatchObject({ code: 'UpstreamError', retryable: true, message: 'CreateSecretVersion failed (InternalError)' });
    expect(emu.csms.valueAt(SECRET)).toBe(OLD);
    expect(stagesOf()).toEqual(['v1:SYSCURRENT']);
    expectNoSecret(err);
  });

  it('with withRetry, lands exactly one version after one 500', async () => {
    emu.inject('csms', 'CreateSecretVersion', faults.serverError(500));
    const result = await withRetry((s) => store().putVersion(SECRET, NEW, TOKEN, s), { policy: FAST, deadline: Date.now() + 10_000 });
    expect(result).toEqual({ versionId: 'v2', written: true });
    expect(emu.csms.versions(SECRET)).toHaveLength(2);
  });

  it('reports a secret that does not exist as a final UpstreamError, not a denial', async () => {
    const err = await failure(store().putVersion('no-such-secret', NEW, TOKEN, signal()));
    expect(err).toMatchObject({ code: 'UpstreamError', retryable: false, message: 'CreateSecretVersion failed (CSMS.0404)' });
    expectNoSecret(err);
  });

  it('turns throttling into UpstreamThrottled, writing nothing', async () => {
    emu.inject('csms', 'ShowSecretStage', faults.throttle());
    const err = await failure(store().putVersion(SECRET, NEW, TOKEN, signal()));
    expect(err).toMatchObject({ code: 'UpstreamThrottled' });
    expect(writes()).toHaveLength(0);
    expect(emu.csms.valueAt(SECRET)).toBe(OLD);
  });

  it('is denied (UpstreamAccessDenied) with a wrong secret key, writing nothing', async () => {
    const err = await failure(store({ ...keys, sk: 'wrong-agency-sk' }).putVersion(SECRET, NEW, TOKEN, signal()));
    expect(err).toMatchObject({ code: 'UpstreamAccessDenied' });
    expect(emu.csms.valueAt(SECRET)).toBe(OLD);
    expectNoSecret(err);
  });

  it('rejects a CreateSecretVersion answer without version_metadata as UpstreamInvalidResponse', async () => {
    emu.inject('csms', 'CreateSecretVersion', faults.transform((o) => ({ ...o, body: {} })));
    const err = await failure(store().putVersion(SECRET, NEW, TOKEN, signal()));
    expect(err).toMatchObject({ code: 'UpstreamInvalidResponse', retryable: false });
    expectNoSecret(err);
  });

  it('keeps the secret value out of every URL and call record', async () => {
    await store().putVersion(SECRET, NEW, TOKEN, signal());
    expect(JSON.stringify(emu.calls)).not.toContain(PASSWORD);
  });

  it('refuses a secret name CSMS would not accept, before any call', async () => {
    const err = await failure(store().putVersion('../other', NEW, TOKEN, signal()));
    expect(err).toMatchObject({ code: 'UpstreamError', retryable: false });
    expect(emu.calls).toHaveLength(0);
  });
});
