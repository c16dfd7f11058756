/**
 * Tencent refresh end to end: the SCF timer refresh mints a TCR login through the TCR emulator
 * (which mints the real local registry's password and names it as the instance's PublicDomain),
 * writes it as a dockerconfigjson into the SSM emulator, and a consumer reads it the way the README
 * says — `GetSecretValue {SecretName, VersionId: "current"}` through the real SSM SDK with its own
 * CAM key — and gives it to skopeo as its authfile to push and pull an image.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tencentSsm from 'tencentcloud-sdk-nodejs-ssm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CAM_USER_KEY, scfRoleEnvironment, startTencentEmulator, type TencentEmulator } from '../../emulator/tencent/server.js';
import { scfContext, scfTimerEvent } from '../../emulator/tencent/scf-event.js';
import { createRefreshHandler } from '../../handlers/tencent/refresh.js';
import { tencentRuntime, type ScfContext } from '../../handlers/tencent/runtime.js';
import { manifestDigestOf, skopeoCopy, skopeoInspect, writeOciLayout, type OciImage } from '../support/oci-layout.js';
import { requireTestCa, startRegistry, type LocalRegistry } from '../support/registry.js';

const LOGIN = { username: '100000000001', password: 'tcr-temp-password-3f9d1c' };
const SECRET = 'regcred-pull';
const REGION = 'ap-guangzhou';
const TIMER = scfTimerEvent('');
const WRITES = ['PutSecretValue', 'UpdateSecret'];

let registry: LocalRegistry;
let emu: TencentEmulator;
let work: string;
let image: OciImage;
let lines: string[] = [];

beforeAll(async () => {
  requireTestCa();
  registry = await startRegistry({ users: [LOGIN], tls: true });
  // The operator created the secret (no version yet); regcred's first run creates version `current`.
  emu = await startTencentEmulator({ tokens: LOGIN, instances: { 'tcr-e2e': { name: 'e2e', publicDomain: registry.host } }, secrets: { [SECRET]: undefined } });
  work = await mkdtemp(join(tmpdir(), 'regcred-e2e-tencent-'));
  image = await writeOciLayout(join(work, 'image'), { tag: 'v1' });
});
afterEach(() => {
  emu.clearFaults();
  lines = [];
});
afterAll(async () => {
  await registry?.stop();
  await emu?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

/** A fresh warm instance of the SCF refresh function. */
function refreshFunction() {
  const runtime = tencentRuntime(
    {
      REGCRED_REGISTRIES: 'tcr:ap-guangzhou:tcr-e2e',
      REGCRED_TARGETS: JSON.stringify({ targets: [{ store: 'ssm', secretId: SECRET, registries: ['tcr:ap-guangzhou:tcr-e2e'] }] }),
      ...scfRoleEnvironment(),
      TENCENTCLOUD_ENDPOINT_URL_TCR: emu.url,
      TENCENTCLOUD_ENDPOINT_URL_SSM: emu.url,
      REGCRED_ATTEMPT_TIMEOUT_MS: '2000',
    },
    { write: (line) => lines.push(line) },
  );
  return createRefreshHandler(runtime);
}
const context = () => scfContext(REGION) as ScfContext;

/** What the README tells consumers: one GetSecretValue of VersionId `current`, with the consumer's own key. */
async function readCurrent(): Promise<string> {
  const client = new tencentSsm.ssm.v20190923.Client({
    credential: { secretId: CAM_USER_KEY.secretId, secretKey: CAM_USER_KEY.secretKey },
    region: REGION,
    profile: { httpProfile: { endpoint: emu.endpoint, protocol: 'http://' } },
  });
  const answer = await client.GetSecretValue({ SecretName: SECRET, VersionId: 'current' });
  return answer.SecretString!;
}
const writes = () => emu.calls.filter((c) => c.service === 'ssm' && WRITES.includes(c.operation) && c.status === 200).length;

describe('Tencent timer refresh → SSM → skopeo', () => {
  it('writes a dockerconfigjson that, read as VersionId current, logs skopeo into the registry for a push and a pull', async () => {
    // Act: the timer fires, a consumer reads the secret and uses it as skopeo's authfile.
    const { outcomes } = await refreshFunction()(TIMER, context());
    const authfile = join(work, 'auth.json');
    await writeFile(authfile, await readCurrent(), { mode: 0o600 });
    const auth = { authfile, certDir: registry.certDir };
    const remote = `docker://${registry.host}/team/app:v1`;
    await skopeoCopy(image.ref, remote, auth);
    const pushed = await skopeoInspect(remote, auth);
    await skopeoCopy(remote, `oci:${join(work, 'pulled')}:v1`, auth);

    // Assess
    expect(outcomes).toMatchObject([{ store: 'ssm', secretId: SECRET, ok: true, written: true, versionId: 'current' }]);
    expect(pushed.digest).toBe(image.manifestDigest);
    expect(await manifestDigestOf(join(work, 'pulled'), 'v1')).toBe(image.manifestDigest);
    expect(emu.ssm.versionIds(SECRET)).toEqual(['current']);
    expect(lines.join('\n')).not.toContain(LOGIN.password);
  });

  it('writes nothing when the same run is retried', async () => {
    // Prepare: one warm instance that has already written
    const refresh = refreshFunction();
    await refresh(TIMER, context());
    const before = writes();
    // Act: SCF retries the invocation
    const { outcomes } = await refresh(TIMER, context());
    // Assess
    expect(outcomes).toMatchObject([{ ok: true, written: false }]);
    expect(writes()).toBe(before);
    expect(emu.ssm.versionIds(SECRET)).toEqual(['current']);
  });

  it('fails the invocation and leaves the readable value as it was when TCR keeps failing', async () => {
    // Prepare
    const readable = await readCurrent();
    emu.inject('tcr', 'CreateInstanceToken', { status: 500, times: Infinity });
    // Act
    const run = refreshFunction()(TIMER, context());
    // Assess
    await expect(run).rejects.toMatchObject({ code: 'RefreshFailed' });
    expect(await readCurrent()).toBe(readable);
  });

  it('fails the invocation and leaves the readable value as it was when SSM refuses the write', async () => {
    // Prepare: the secret holds an older credential, so this run must write, and SSM fails every write.
    emu.ssm.secrets.get(SECRET)!.versions[0]!.secretString = '{"auths":{"older":{}}}';
    emu.inject('ssm', 'UpdateSecret', { status: 500, times: Infinity });
    // Act
    const run = refreshFunction()(TIMER, context());
    // Assess
    await expect(run).rejects.toMatchObject({ code: 'RefreshFailed' });
    expect(await readCurrent()).toBe('{"auths":{"older":{}}}');
  });
});
