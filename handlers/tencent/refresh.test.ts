/** Where an SCF refresh takes its targets from, and what it refuses (nothing is written then). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scfRoleEnvironment, startTencentEmulator, type TencentEmulator } from '../../emulator/tencent/server.js';
import { scfContext, scfTimerEvent } from '../../emulator/tencent/scf-event.js';
import { createRefreshHandler, targetsOf } from './refresh.js';
import { tencentRuntime, type ScfContext } from './runtime.js';

const CONFIGURED = { store: 'ssm', secretId: 'regcred-pull', format: 'dockerconfigjson', registries: ['tcr:ap-guangzhou:tcr-emulator'] };

let emu: TencentEmulator;
beforeAll(async () => {
  emu = await startTencentEmulator({ secrets: { 'regcred-pull': undefined, 'other-secret': undefined } });
});
afterAll(() => emu.stop());

function runtime() {
  return tencentRuntime({
    REGCRED_REGISTRIES: 'tcr:ap-guangzhou:tcr-emulator',
    REGCRED_TARGETS: JSON.stringify({ targets: [CONFIGURED] }),
    ...scfRoleEnvironment(),
    TENCENTCLOUD_ENDPOINT_URL_TCR: emu.url,
    TENCENTCLOUD_ENDPOINT_URL_SSM: emu.url,
  }, { write: () => {} });
}

describe('SCF refresh: targets', () => {
  it.each([
    ['a timer with an empty Message', scfTimerEvent('')],
    ['a timer without Message', { Type: 'Timer', TriggerName: 't', Time: '2026-11-30T12:00:00Z' }],
    ['an empty event', {}],
    ['a timer whose Message names the configured target', scfTimerEvent(JSON.stringify({ targets: [CONFIGURED] }))],
    ['a direct invocation naming the configured target', { targets: [CONFIGURED] }],
  ])('takes REGCRED_TARGETS\' entry from %s', (_name, event) => {
    expect(targetsOf(event, runtime()).map((t) => [t.store, t.secretId, t.format])).toEqual([['ssm', 'regcred-pull', 'dockerconfigjson']]);
  });

  it.each([
    ['a timer Message that is not JSON', scfTimerEvent('user define msg body'), /Message is not JSON/],
    ['a timer Message that is not a string', scfTimerEvent({ targets: [] }), /Message must be a JSON string/],
    ['a secret that is not configured', scfTimerEvent(JSON.stringify({ targets: [{ ...CONFIGURED, secretId: 'other-secret' }] })), /REGCRED_TARGETS/],
    ['a format that is not configured', { targets: [{ ...CONFIGURED, format: 'json' }] }, /REGCRED_TARGETS/],
  ])('rejects %s', (_name, event, message) => {
    expect(() => targetsOf(event, runtime())).toThrow(message);
  });

  it('rejects an event naming a target that is not configured and writes nothing', async () => {
    // Prepare
    const forged = scfTimerEvent(JSON.stringify({ targets: [{ ...CONFIGURED, secretId: 'other-secret' }] }));
    emu.calls.length = 0;
    // Act
    const run = createRefreshHandler(runtime())(forged, scfContext() as ScfContext);
    // Assess
    await expect(run).rejects.toMatchObject({ status: 400 });
    expect(emu.calls).toEqual([]);
    expect(emu.ssm.versionIds('other-secret')).toEqual([]);
  });
});
