import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { fcCloudEvent, fcTimerEvent } from '../../emulator/alibaba/fc-event.js';
import { DEFAULT_IDENTITY, alibabaFaults, startAlibabaEmulator, type AlibabaEmulator } from '../../emulator/alibaba/server.js';
import { createRefreshHandler } from './refresh.js';
import { alibabaRuntime, type FcContext } from './runtime.js';

const PERSONAL = 'registry.cn-shanghai.aliyuncs.com';
const OLD = '{"auths":{"old.example":{}}}';
const context: FcContext = {
  requestId: 'c0ffee00-1111-2222-3333-444455556666',
  credentials: { ...DEFAULT_IDENTITY },
  function: { name: 'regcred-refresh', timeout: 10 },
  region: 'cn-hangzhou',
  accountId: '1234567890123456',
};

let emu: AlibabaEmulator;
let lines: string[] = [];
beforeAll(async () => {
  emu = await startAlibabaEmulator();
});
afterEach(() => {
  emu.clearFaults();
  emu.calls.length = 0;
  lines = [];
});
afterAll(() => emu.stop());

/** A KMS secret of its own per test, holding OLD as ACSCurrent. */
function secret(): string {
  const name = `regcred/pull-${Math.random().toString(36).slice(2, 10)}`;
  emu.kms.createSecret(name, OLD, Date.now());
  return name;
}
const targets = (secretId: string, format = 'dockerconfigjson') => ({ targets: [{ store: 'kms', secretId, format, registries: ['acr:cn-shanghai'] }] });
/** REGCRED_TARGETS holding the one target of `secretId`: events may name only configured targets. */
const configured = (secretId: string) => ({ REGCRED_TARGETS: JSON.stringify(targets(secretId)) });

function fcFunction(env: Record<string, string> = {}) {
  const runtime = alibabaRuntime(
    { REGCRED_REGISTRIES: 'acr:cn-shanghai', ALIBABA_CLOUD_ENDPOINT_URL_CR: emu.url, ALIBABA_CLOUD_ENDPOINT_URL_KMS: emu.url, ...env },
    { write: (line) => lines.push(line) },
  );
  return createRefreshHandler(runtime);
}

const failure = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e);
const decoded = (json: string) => JSON.parse(json) as { auths: Record<string, { username: string; password: string; auth: string }> };

describe('FC refresh: where targets come from', () => {
  it('writes the dockerconfigjson named in a timer payload as the new ACSCurrent of the KMS secret', async () => {
    const name = secret();
    const { outcomes } = await fcFunction(configured(name))(fcTimerEvent(JSON.stringify(targets(name))), context);
    expect(outcomes).toMatchObject([{ store: 'kms', secretId: name, ok: true, written: true }]);
    const current = decoded(emu.kms.current(name)!);
    expect(Object.keys(current.auths)).toEqual([PERSONAL]);
    expect(emu.kms.versions(name).map((v) => v.stages)).toEqual([['ACSPrevious'], ['ACSCurrent']]);
  });

  it('writes the targets in the data of an EventBridge CloudEvent', async () => {
    const name = secret();
    await fcFunction(configured(name))(fcCloudEvent(targets(name)), context);
    expect(Object.keys(decoded(emu.kms.current(name)!).auths)).toEqual([PERSONAL]);
  });

  it('falls back to REGCRED_TARGETS for a timer with an empty payload', async () => {
    const name = secret();
    await fcFunction({ REGCRED_TARGETS: JSON.stringify(targets(name)) })(fcTimerEvent(''), context);
    expect(emu.kms.versions(name)).toHaveLength(2);
  });

  it('falls back to REGCRED_TARGETS for a CloudEvent whose data names no targets', async () => {
    const name = secret();
    await fcFunction({ REGCRED_TARGETS: JSON.stringify(targets(name)) })(fcCloudEvent({ reason: 'manual' }), context);
    expect(emu.kms.versions(name)).toHaveLength(2);
  });

  it('takes a whole-event {"targets":[...]} from InvokeFunction', async () => {
    const name = secret();
    await fcFunction(configured(name))(Buffer.from(JSON.stringify(targets(name))), context);
    expect(emu.kms.versions(name)).toHaveLength(2);
  });

  it('rejects a payload that names a registry the function is not configured for, writing nothing', async () => {
    const name = secret();
    const spec = { targets: [{ store: 'kms', secretId: name, registries: ['acr:cn-beijing'] }] };
    const err = await failure(fcFunction()(fcTimerEvent(JSON.stringify(spec)), context));
    expect(err).toMatchObject({ code: 'BadRequest', message: expect.stringContaining('not in REGCRED_REGISTRIES') });
    expect(emu.calls).toEqual([]);
  });

  it('rejects an event with no targets when REGCRED_TARGETS is unset', async () => {
    const err = await failure(fcFunction()(fcTimerEvent(''), context));
    expect(err).toMatchObject({ code: 'BadRequest', message: expect.stringContaining('REGCRED_TARGETS') });
  });

  it.each([
    ['another format (json) for the configured secret', (name: string) => targets(name, 'json')],
    ['a secret that is not configured', () => targets('regcred/someone-elses-secret')],
  ])('rejects an InvokeFunction event naming %s; nothing is written and ACSCurrent stays readable', async (_, forged) => {
    const name = secret();
    const handler = fcFunction(configured(name));
    await handler(fcTimerEvent(''), context);
    const good = emu.kms.current(name)!;
    const err = await failure(handler(Buffer.from(JSON.stringify(forged(name))), context));
    expect(err).toMatchObject({ code: 'BadRequest', message: 'targets[0] is not an entry of REGCRED_TARGETS; an event may name only configured targets, exactly' });
    expect(emu.kms.current(name)).toBe(good);
    expect(Object.keys(decoded(good).auths)).toEqual([PERSONAL]);
    expect(emu.count('kms', 'PutSecretValue')).toBe(1);
  });

  it('rejects a timer payload that is not JSON', async () => {
    const err = await failure(fcFunction()(fcTimerEvent('targets=all'), context));
    expect(err).toMatchObject({ code: 'BadRequest', message: 'timer event payload is not JSON' });
  });
});

describe('FC refresh: idempotency and failures', () => {
  it('with REGCRED_ATTEMPT_TIMEOUT_MS=10000, a KMS write that answers after 4 s lands', async () => {
    const name = secret();
    emu.inject('kms', 'PutSecretValue', alibabaFaults.delay(4_000));
    const { outcomes } = await fcFunction({ ...configured(name), REGCRED_ATTEMPT_TIMEOUT_MS: '10000' })(fcTimerEvent(''), { ...context, function: { timeout: 15 } });
    expect(outcomes).toMatchObject([{ ok: true, written: true }]);
  }, 20_000);

});
