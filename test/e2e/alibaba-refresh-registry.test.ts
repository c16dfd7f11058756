/**
 * Alibaba refresh end to end: the FC refresh handler mints an ACR login through the CR emulator,
 * writes it as a dockerconfigjson into the KMS emulator, and that secret's ACSCurrent value, given
 * to skopeo as its authfile, pushes and pulls an image on a real local registry.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fcTimerEvent } from '../../emulator/alibaba/fc-event.js';
import { DEFAULT_IDENTITY, startAlibabaEmulator, type AlibabaEmulator } from '../../emulator/alibaba/server.js';
import { createRefreshHandler } from '../../handlers/alibaba/refresh.js';
import { alibabaRuntime, type FcContext } from '../../handlers/alibaba/runtime.js';
import { manifestDigestOf, skopeoCopy, skopeoInspect, writeOciLayout, type OciImage } from '../support/oci-layout.js';
import { requireTestCa, startRegistry, type LocalRegistry } from '../support/registry.js';

// The registry accepts the login the CR emulator mints, as ACR's registry accepts the real one.
const LOGIN = { username: 'cr_temp_user', password: 'acr-temp-password-5b1e7d' };
const SECRET = 'regcred/pull';
const context: FcContext = {
  requestId: 'e2e-refresh',
  credentials: { ...DEFAULT_IDENTITY },
  function: { name: 'regcred-refresh', timeout: 10 },
  region: 'cn-shanghai',
  accountId: '1234567890123456',
};

let registry: LocalRegistry;
let emu: AlibabaEmulator;
let work: string;
let image: OciImage;
const lines: string[] = [];

beforeAll(async () => {
  requireTestCa();
  registry = await startRegistry({ users: [LOGIN], tls: true });
  emu = await startAlibabaEmulator({ tokens: LOGIN, secrets: { [SECRET]: '{"auths":{}}' } });
  work = await mkdtemp(join(tmpdir(), 'regcred-e2e-alibaba-'));
  image = await writeOciLayout(join(work, 'image'), { tag: 'v1' });
});
afterAll(async () => {
  await registry?.stop();
  await emu?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('Alibaba timer refresh → KMS → skopeo', () => {
  it('writes a dockerconfigjson that logs skopeo into the registry for a push and a pull', async () => {
    // Prepare: ACR personal, with its registry host pointed at the local registry.
    const runtime = alibabaRuntime(
      {
        REGCRED_REGISTRIES: `acr:cn-shanghai=${registry.host}`,
        REGCRED_TARGETS: JSON.stringify({ targets: [{ store: 'kms', secretId: SECRET, registries: ['acr:cn-shanghai'] }] }),
        ALIBABA_CLOUD_ENDPOINT_URL_CR: emu.url,
        ALIBABA_CLOUD_ENDPOINT_URL_KMS: emu.url,
      },
      { write: (line) => lines.push(line) },
    );
    const timer = fcTimerEvent('');

    // Act: refresh, then use ACSCurrent as skopeo's authfile.
    const { outcomes } = await createRefreshHandler(runtime)(timer, context);
    const authfile = join(work, 'auth.json');
    await writeFile(authfile, emu.kms.current(SECRET)!, { mode: 0o600 });
    const auth = { authfile, certDir: registry.certDir };
    const remote = `docker://${registry.host}/team/app:v1`;
    await skopeoCopy(image.ref, remote, auth);
    const pushed = await skopeoInspect(remote, auth);
    await skopeoCopy(remote, `oci:${join(work, 'pulled')}:v1`, auth);

    // Assess
    expect(outcomes).toMatchObject([{ store: 'kms', secretId: SECRET, ok: true, written: true }]);
    expect(pushed.digest).toBe(image.manifestDigest);
    expect(await manifestDigestOf(join(work, 'pulled'), 'v1')).toBe(image.manifestDigest);
    expect(lines.join('\n')).not.toContain(LOGIN.password);
  });
});
