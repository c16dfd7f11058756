import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createAlibabaClient, type AlibabaCall } from '../../core/alibaba/client.js';
import { MAX_SECRET_VERSIONS } from './kms.js';
import { DEFAULT_IDENTITY, alibabaFaults, startAlibabaEmulator, type AlibabaEmulator } from './server.js';

let emu: AlibabaEmulator;
let client: ReturnType<typeof createAlibabaClient>;
beforeAll(async () => {
  emu = await startAlibabaEmulator({ secrets: { app: 'first' } });
  client = createAlibabaClient({ endpoint: emu.endpoint, protocol: 'http', keys: DEFAULT_IDENTITY });
});
afterEach(() => {
  emu.clearFaults();
  emu.calls.length = 0;
});
afterAll(() => emu.stop());

const signal = () => AbortSignal.timeout(5_000);
const failure = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e);
const kms = (action: string, query: Record<string, string>, body?: Record<string, string>): AlibabaCall => ({
  action, version: '2016-01-20', style: 'RPC', method: 'POST', pathname: '/', query, ...(body ? { body } : {}),
});
const put = (name: string, versionId: string, data: string) => client.call(kms('PutSecretValue', { SecretName: name, VersionId: versionId }, { SecretData: data }), signal());

describe('Alibaba emulator', () => {
  it('answers an unknown action with 404 InvalidAction.NotFound', async () => {
    const err = await failure(client.call(kms('DeleteEverything', {}), signal()));
    expect((err as { cause?: { code?: string } }).cause?.code).toBe('InvalidAction.NotFound');
  });

  it('serves one-shot faults first in, first out, then answers normally', async () => {
    emu.inject('kms', 'DescribeSecret', alibabaFaults.throttling());
    emu.inject('kms', 'DescribeSecret', alibabaFaults.serviceUnavailable());
    const call = () => failure(client.call(kms('DescribeSecret', { SecretName: 'app' }), signal()));
    expect(await call()).toMatchObject({ code: 'UpstreamThrottled' });
    expect(await call()).toMatchObject({ code: 'UpstreamError', retryable: true });
    expect(await call()).toBeUndefined();
    expect(emu.calls.map((c) => [c.status, c.code])).toEqual([[400, 'Throttling.User'], [503, 'ServiceUnavailable'], [200, undefined]]);
  });

  it('KMS moves ACSCurrent to a new version and ACSPrevious to the old one', async () => {
    emu.kms.createSecret('moving', 'first', Date.now());
    await put('moving', 'v2', 'second');
    const previous = await client.call(kms('GetSecretValue', { SecretName: 'moving', VersionStage: 'ACSPrevious' }), signal());
    const current = await client.call(kms('GetSecretValue', { SecretName: 'moving' }), signal());
    expect(previous).toMatchObject({ VersionId: 'v1', SecretData: 'first', VersionStages: { VersionStage: ['ACSPrevious'] } });
    expect(current).toMatchObject({ VersionId: 'v2', SecretData: 'second', VersionStages: { VersionStage: ['ACSCurrent'] } });
  });

  it('KMS treats the same VersionId with the same data as a no-op and with other data as a rejection', async () => {
    emu.kms.createSecret('idem', 'x', Date.now());
    await put('idem', 'v9', 'data');
    await put('idem', 'v9', 'data');
    const err = await failure(put('idem', 'v9', 'changed'));
    expect(emu.kms.versions('idem')).toHaveLength(2);
    expect((err as { cause?: { code?: string } }).cause?.code).toBe('Rejected.ResourceExist');
    expect(emu.kms.current('idem')).toBe('data');
  });

  it(`KMS keeps at most ${MAX_SECRET_VERSIONS} versions, dropping the oldest`, async () => {
    emu.kms.createSecret('many', 'v0-data', Date.now());
    for (let i = 2; i <= 12; i++) await put('many', `v${i}`, `data-${i}`);
    const ids = emu.kms.versions('many').map((v) => v.versionId);
    expect(ids).toHaveLength(MAX_SECRET_VERSIONS);
    expect(ids[0]).toBe('v3');
    expect(emu.kms.current('many')).toBe('data-12');
  });

  it('KMS lists version ids with their stages', async () => {
    emu.kms.createSecret('listed', 'a', Date.now());
    await put('listed', 'v2', 'b');
    const listed = await client.call(kms('ListSecretVersionIds', { SecretName: 'listed' }), signal());
    expect(listed).toMatchObject({
      SecretName: 'listed', TotalCount: 2,
      VersionIds: { VersionId: [{ VersionId: 'v1', VersionStages: { VersionStage: ['ACSPrevious'] } }, { VersionId: 'v2', VersionStages: { VersionStage: ['ACSCurrent'] } }] },
    });
  });

  it('records calls without the secret value', async () => {
    await put('app', 'v-rec', 'top-secret-value');
    expect(JSON.stringify(emu.calls)).not.toContain('top-secret-value');
    expect(emu.calls[0]?.params?.['SecretData']).toBe('[16 chars]');
  });
});
