/**
 * Huawei refresh end to end: the FunctionGraph timer handler mints an SWR login through the SWR
 * emulator (signed with the agency keys of the invocation), writes it as a dockerconfigjson into
 * the CSMS emulator, and SYSCURRENT read back, given to skopeo as its authfile, pushes and pulls an
 * image on a real local registry.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { functionGraphContext, functionGraphTimerEvent } from '../../emulator/huawei/apig.js';
import { DEFAULT_IDENTITY, startHuaweiEmulator, type HuaweiEmulator } from '../../emulator/huawei/server.js';
import { createRefreshHandler } from '../../handlers/huawei/refresh.js';
import { huaweiRuntime } from '../../handlers/huawei/runtime.js';
import { manifestDigestOf, skopeoCopy, skopeoInspect, writeOciLayout, type OciImage } from '../support/oci-layout.js';
import { requireTestCa, startRegistry, type LocalRegistry } from '../support/registry.js';

// The registry accepts the login the SWR emulator mints (`<region>@<AK>`), as SWR's registry accepts the real one.
const LOGIN = { username: `cn-north-4@${DEFAULT_IDENTITY.accessKeyId}`, password: 'swr-temp-password-9c2f4e' };
const SECRET = 'regcred-pull';

let registry: LocalRegistry;
let emu: HuaweiEmulator;
let work: string;
let image: OciImage;
const lines: string[] = [];

beforeAll(async () => {
  requireTestCa();
  registry = await startRegistry({ users: [LOGIN], tls: true });
  emu = await startHuaweiEmulator({ swr: { password: LOGIN.password }, secrets: { [SECRET]: '{"auths":{}}' }, sessionLifetimeMs: 24 * 60 * 60_000 });
  work = await mkdtemp(join(tmpdir(), 'regcred-e2e-huawei-'));
  image = await writeOciLayout(join(work, 'image'), { tag: 'v1' });
});
afterAll(async () => {
  await registry?.stop();
  await emu?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('Huawei timer refresh → CSMS → skopeo', () => {
  it('writes a dockerconfigjson whose SYSCURRENT logs skopeo into the registry for a push and a pull', async () => {
    // Prepare: SWR, with its registry host pointed at the local registry.
    const runtime = huaweiRuntime(
      {
        REGCRED_REGISTRIES: `swr:cn-north-4=${registry.host}`,
        REGCRED_TARGETS: JSON.stringify({ targets: [{ store: 'csms', secretId: SECRET, registries: ['swr:cn-north-4'] }] }),
        HUAWEICLOUD_ENDPOINT_URL_SWR: emu.url,
        HUAWEICLOUD_ENDPOINT_URL_CSMS: emu.url,
        HUAWEICLOUD_REGION: 'cn-north-4',
      },
      { write: (line) => lines.push(line) },
    );
    const timer = functionGraphTimerEvent('');

    // Act: refresh, then use SYSCURRENT as skopeo's authfile.
    const { outcomes } = await createRefreshHandler(runtime)(timer, functionGraphContext());
    const authfile = join(work, 'auth.json');
    await writeFile(authfile, emu.csms.valueAt(SECRET)!, { mode: 0o600 });
    const auth = { authfile, certDir: registry.certDir };
    const remote = `docker://${registry.host}/team/app:v1`;
    await skopeoCopy(image.ref, remote, auth);
    const pushed = await skopeoInspect(remote, auth);
    await skopeoCopy(remote, `oci:${join(work, 'pulled')}:v1`, auth);

    // Assess
    expect(outcomes).toMatchObject([{ store: 'csms', secretId: SECRET, ok: true, written: true }]);
    expect(pushed.digest).toBe(image.manifestDigest);
    expect(await manifestDigestOf(join(work, 'pulled'), 'v1')).toBe(image.manifestDigest);
    expect(lines.join('\n')).not.toContain(LOGIN.password);
  });
});
