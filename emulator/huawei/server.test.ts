import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createHuaweiClient, type HuaweiApiClient, type HuaweiCall } from '../../core/huawei/client.js';
import { PERMANENT_KEY, faults, startHuaweiEmulator, type HuaweiEmulator } from './server.js';
import { MAX_LOGIN_SECONDS } from './swr.js';

// The real SDK core signs every request; these tests pin what the emulated services answer.
let emu: HuaweiEmulator;
let client: HuaweiApiClient;
let csms: HuaweiApiClient;
beforeAll(async () => {
  emu = await startHuaweiEmulator({ sessionLifetimeMs: 3 * 60 * 60_000, swr: { password: 'htpasswd-password', usernamePrefix: 'regcred' } });
  const s = emu.agencySession;
  const keys = { ak: s.accessKeyId, sk: s.secretAccessKey, securityToken: s.securityToken! };
  client = createHuaweiClient({ endpoint: emu.url, keys });
  csms = createHuaweiClient({ endpoint: emu.url, keys, projectId: emu.projectId });
});
afterEach(() => {
  emu.clearFaults();
  emu.calls.length = 0;
});
afterAll(() => emu.stop());

const signal = () => AbortSignal.timeout(5_000);
const failure = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e);
const createSecret = (query: Record<string, string> = { projectname: emu.region }) =>
  client.call({ action: 'CreateSecret', method: 'POST', path: '/v2/manage/utils/secret', query, responseHeaders: ['X-Swr-Dockerlogin', 'X-Swr-Expireat'] }, signal());
const csmsCall = (call: Omit<HuaweiCall, 'action'> & { action?: string }) => csms.call({ action: 'csms', ...call }, signal());
const decoded = (body: Record<string, unknown>) => {
  const auth = (body['auths'] as Record<string, { auth: string }>)['swr.cn-north-4.myhuaweicloud.com']!.auth;
  return Buffer.from(auth, 'base64').toString('utf8');
};

describe('emulated SWR CreateSecret', () => {
  it('mints the configured username prefix and fixed password, so a local registry can accept them', async () => {
    const answer = await createSecret();
    expect(decoded(answer.body)).toBe(`regcred@${emu.agencySession.accessKeyId}:htpasswd-password`);
    expect(answer.headers['X-Swr-Dockerlogin']).toBe(`docker login -u regcred@${emu.agencySession.accessKeyId} -p htpasswd-password swr.cn-north-4.myhuaweicloud.com`);
  });

  it('prints X-Swr-Expireat with microseconds and caps it at the agency session end', async () => {
    const answer = await createSecret();
    expect(answer.headers['X-Swr-Expireat']).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/);
    expect(Date.parse(answer.headers['X-Swr-Expireat']!)).toBe(emu.agencySession.sessionExpiresAt);
  });

  it('honours duration_seconds within 15 min .. 24 h', async () => {
    const before = Date.now();
    const answer = await createSecret({ projectname: emu.region, duration_seconds: '900' });
    const lifetime = Date.parse(answer.headers['X-Swr-Expireat']!) - before;
    expect(lifetime).toBeGreaterThan(899_000);
    expect(lifetime).toBeLessThanOrEqual(900_000 + 1_000);
    const err = await failure(createSecret({ projectname: emu.region, duration_seconds: String(MAX_LOGIN_SECONDS + 1) }));
    expect(err).toMatchObject({ code: 'UpstreamError', message: expect.stringContaining('SVCSTG.SWR.4000001') });
  });

  it('never mints more than 24 h when the session end is unknown', async () => {
    const permanent = await startHuaweiEmulator({ identities: [{ ...PERMANENT_KEY, securityToken: 'made-temporary-for-the-client', sessionExpiresAt: undefined }] });
    try {
      const keys = { ak: PERMANENT_KEY.accessKeyId, sk: PERMANENT_KEY.secretAccessKey, securityToken: 'made-temporary-for-the-client' };
      const before = Date.now();
      const answer = await createHuaweiClient({ endpoint: permanent.url, keys }).call(
        { action: 'CreateSecret', method: 'POST', path: '/v2/manage/utils/secret', responseHeaders: ['X-Swr-Expireat'] },
        signal(),
      );
      expect(Date.parse(answer.headers['X-Swr-Expireat']!) - before).toBeLessThanOrEqual(MAX_LOGIN_SECONDS * 1000 + 1_000);
    } finally {
      await permanent.stop();
    }
  });

  it('mints an already expired login under the expiredToken fault', async () => {
    emu.inject('swr', 'CreateSecret', faults.expiredToken());
    const answer = await createSecret();
    expect(Date.parse(answer.headers['X-Swr-Expireat']!)).toBeLessThan(Date.now());
  });

  it('refuses an unsigned request with 401 APIGW.0301 in the {error_code, error_msg} shape', async () => {
    const res = await fetch(`${emu.url}/v2/manage/utils/secret`, { method: 'POST' });
    expect(res.status).toBe(401);
    expect(res.headers.get('x-request-id')).toBeTruthy();
    expect(await res.json()).toEqual({ error_code: 'APIGW.0301', error_msg: expect.any(String) });
  });

  it('answers APIG throttling as 429 APIGW.0308', async () => {
    emu.inject('swr', 'CreateSecret', faults.throttle(2));
    const err = await failure(createSecret());
    expect(err).toMatchObject({ code: 'UpstreamThrottled' });
    expect(emu.calls.at(-1)).toMatchObject({ status: 429, code: 'APIGW.0308' });
  });

  it('answers an unknown route with 404 APIGW.0101', async () => {
    const err = await failure(client.call({ action: 'Nope', method: 'GET', path: '/v2/nope' }, signal()));
    expect(err).toMatchObject({ message: 'Nope failed (APIGW.0101)' });
  });
});

describe('emulated CSMS versions and stages', () => {
  const base = '/v1/{project_id}/secrets/{secret_name}';
  const name = { secret_name: 'stages-demo' };

  it('moves SYSCURRENT to each new version and SYSPREVIOUS to the one before', async () => {
    emu.csms.createSecret('stages-demo', 'one', Date.now());
    await csmsCall({ method: 'POST', path: `${base}/versions`, pathParams: name, body: { secret_string: 'two' } });
    const third = await csmsCall({ method: 'POST', path: `${base}/versions`, pathParams: name, body: { secret_string: 'three' } });
    expect(third.body).toMatchObject({ version_metadata: { id: 'v3', version_stages: ['SYSCURRENT'], secret_name: 'stages-demo' } });
    expect(emu.csms.versions('stages-demo').map((v) => v.stages)).toEqual([[], ['SYSPREVIOUS'], ['SYSCURRENT']]);
    const stage = await csmsCall({ method: 'GET', path: `${base}/stages/{stage}`, pathParams: { ...name, stage: 'SYSPREVIOUS' } });
    expect(stage.body).toMatchObject({ stage: { name: 'SYSPREVIOUS', version_id: 'v2' } });
    const latest = await csmsCall({ method: 'GET', path: `${base}/versions/{v}`, pathParams: { ...name, v: 'latest' } });
    expect(latest.body).toMatchObject({ version: { secret_string: 'three', version_metadata: { id: 'v3' } } });
  });

  it('labels only the named custom stage when version_stages leaves SYSCURRENT out', async () => {
    emu.csms.createSecret('custom-demo', 'one', Date.now());
    await csmsCall({ method: 'POST', path: `${base}/versions`, pathParams: { secret_name: 'custom-demo' }, body: { secret_string: 'two', version_stages: ['PENDING'] } });
    expect(emu.csms.valueAt('custom-demo')).toBe('one');
    expect(emu.csms.valueAt('custom-demo', 'PENDING')).toBe('two');
    await csmsCall({ method: 'PUT', path: `${base}/stages/{stage}`, pathParams: { secret_name: 'custom-demo', stage: 'SYSCURRENT' }, body: { version_id: 'v2' } });
    expect(emu.csms.valueAt('custom-demo')).toBe('two');
  });

  it('refuses a path naming another project (403)', async () => {
    const other = createHuaweiClient({ endpoint: emu.url, keys: { ak: emu.agencySession.accessKeyId, sk: emu.agencySession.secretAccessKey, securityToken: emu.agencySession.securityToken! }, projectId: 'f'.repeat(32) });
    const err = await failure(other.call({ action: 'ShowSecretStage', method: 'GET', path: `${base}/stages/SYSCURRENT`, pathParams: name }, signal()));
    expect(err).toMatchObject({ code: 'UpstreamAccessDenied' });
  });
});
