import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { functionGraphContext, functionGraphTimerEvent } from '../../emulator/huawei/apig.js';
import { startHuaweiEmulator, type HuaweiEmulator } from '../../emulator/huawei/server.js';
import { createRefreshHandler } from './refresh.js';
import { huaweiRuntime } from './runtime.js';

const HOST = 'swr.cn-north-4.myhuaweicloud.com';
const OLD = '{"auths":{"old.example":{}}}';
const context = functionGraphContext();

let emu: HuaweiEmulator;
let lines: string[] = [];
beforeAll(async () => {
  emu = await startHuaweiEmulator({ sessionLifetimeMs: 24 * 60 * 60_000 });
});
afterEach(() => {
  emu.clearFaults();
  emu.calls.length = 0;
  lines = [];
});
afterAll(() => emu.stop());

/** A CSMS secret of its own per test, holding OLD as SYSCURRENT. */
function secret(): string {
  const name = `regcred-pull-${Math.random().toString(36).slice(2, 10)}`;
  emu.csms.createSecret(name, OLD, Date.now());
  return name;
}
const targets = (secretId: string, format = 'dockerconfigjson') => ({ targets: [{ store: 'csms', secretId, format, registries: ['swr:cn-north-4'] }] });
const configured = (secretId: string) => ({ REGCRED_TARGETS: JSON.stringify(targets(secretId)) });

function fgFunction(env: Record<string, string> = {}) {
  const runtime = huaweiRuntime(
    { REGCRED_REGISTRIES: 'swr:cn-north-4', HUAWEICLOUD_ENDPOINT_URL_SWR: emu.url, HUAWEICLOUD_ENDPOINT_URL_CSMS: emu.url, HUAWEICLOUD_REGION: 'cn-north-4', ...env },
    { write: (line) => lines.push(line) },
  );
  return createRefreshHandler(runtime);
}

const failure = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e);
const decoded = (json: string) => JSON.parse(json) as { auths: Record<string, { username: string; password: string; auth: string }> };

describe('FunctionGraph refresh: where targets come from', () => {
  it('writes the dockerconfigjson named in user_event as the new SYSCURRENT of the CSMS secret', async () => {
    // Prepare
    const name = secret();
    // Act
    const { outcomes } = await fgFunction(configured(name))(functionGraphTimerEvent(JSON.stringify(targets(name))), context);
    // Assess
    expect(outcomes).toMatchObject([{ store: 'csms', secretId: name, ok: true, written: true }]);
    expect(Object.keys(decoded(emu.csms.valueAt(name)!).auths)).toEqual([HOST]);
    expect(emu.csms.valueAt(name, 'SYSPREVIOUS')).toBe(OLD);
  });

  it('falls back to REGCRED_TARGETS for a timer with an empty user_event', async () => {
    const name = secret();
    await fgFunction(configured(name))(functionGraphTimerEvent(''), context);
    expect(emu.csms.versions(name)).toHaveLength(2);
  });

  it('rejects an InvokeFunction event naming a secret that is not configured, writing nothing', async () => {
    const name = secret();
    const err = await failure(fgFunction(configured(name))(targets('someone-elses-secret'), context));
    expect(err).toMatchObject({ code: 'BadRequest', message: expect.stringContaining('not an entry of REGCRED_TARGETS') });
    expect(emu.calls).toEqual([]);
  });

  it('rejects a user_event that is not JSON', async () => {
    const err = await failure(fgFunction()(functionGraphTimerEvent('targets=all'), context));
    expect(err).toMatchObject({ code: 'BadRequest', message: 'timer event user_event is not JSON' });
  });

  it('refuses a CSMS target at cold start when HUAWEICLOUD_REGION does not name the region', () => {
    expect(() => fgFunction({ ...configured('x'), HUAWEICLOUD_REGION: '' })).toThrow(/HUAWEICLOUD_REGION/);
  });
});
