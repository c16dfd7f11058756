/**
 * The local registry and skopeo, end to end: a dockerconfigjson made by regcred's formatter pushes
 * and pulls a hand-made OCI image over verified TLS, and a wrong password is refused.
 * Needs test/support/global-setup.ts (the test run's CA).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UpstreamError } from '../../core/errors.js';
import { checkRegistryLogin } from '../../core/registry-login.js';
import { type LocalRegistry, requireTestCa, startRegistry } from '../support/registry.js';
import { SkopeoError, manifestDigestOf, skopeoCopy, skopeoInspect, writeAuthFile, writeOciLayout, type OciImage } from '../support/oci-layout.js';

const USER = { username: 'pusher', password: 'right-password-7f3a9c' };
const WRONG = 'wrong-password-c0ffee';

describe('local registry with skopeo', () => {
  let registry: LocalRegistry;
  let work: string;
  let image: OciImage;

  beforeAll(async () => {
    requireTestCa();
    registry = await startRegistry({ users: [USER], tls: true });
    work = await mkdtemp(join(tmpdir(), 'regcred-e2e-registry-'));
    image = await writeOciLayout(join(work, 'image'), { tag: 'v1' });
  });
  afterAll(async () => {
    await registry?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  async function auth(password: string, name: string) {
    const authfile = await writeAuthFile(await mkdtemp(join(work, name)), [{ registry: registry.host, ...USER, password }]);
    return { authfile, certDir: registry.certDir };
  }

  it('starts an HTTPS registry on loopback that challenges with Basic auth', async () => {
    // Prepare / Act
    const res = await fetch(`https://${registry.host}/v2/`);
    await res.body?.cancel();

    // Assess
    expect(registry.host).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Basic realm="regcred-test"');
  });

  it('checkRegistryLogin accepts the right password over verified HTTPS', async () => {
    // Prepare / Act
    const login = checkRegistryLogin(registry.host, USER.username, USER.password, { signal: AbortSignal.timeout(10_000) });

    // Assess
    await expect(login).resolves.toBeUndefined();
  });

  it('checkRegistryLogin refuses a wrong password with an error that names registry and status, not the password', async () => {
    // Prepare / Act
    const error = await checkRegistryLogin(registry.host, USER.username, WRONG).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(UpstreamError);
    expect((error as UpstreamError).code).toBe('UpstreamAccessDenied');
    expect((error as UpstreamError).message).toBe(`registry ${registry.host} refused the credential (HTTP 401)`);
    expect(JSON.stringify(error) + String((error as Error).stack)).not.toContain(WRONG);
  });

  it('pushes the hand-made image with a dockerconfigjson auth file, then pulls the same manifest back', async () => {
    // Prepare
    const good = await auth(USER.password, 'good-');
    const remote = `docker://${registry.host}/demo/hello:v1`;
    const pulled = join(work, 'pulled');

    // Act
    await skopeoCopy(image.ref, remote, good);
    const inspected = await skopeoInspect(remote, good);
    await skopeoCopy(remote, `oci:${pulled}:v1`, good);

    // Assess
    expect(inspected.digest).toBe(image.manifestDigest);
    expect(await manifestDigestOf(pulled, 'v1')).toBe(image.manifestDigest);
  });

  it('refuses a push with a wrong password, and skopeo does not print the password', async () => {
    // Prepare
    const bad = await auth(WRONG, 'bad-');

    // Act
    const error = await skopeoCopy(image.ref, `docker://${registry.host}/demo/hello:bad`, bad).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(SkopeoError);
    expect((error as SkopeoError).stderr).toMatch(/unauthorized|authentication required/i);
    expect((error as SkopeoError).stderr).not.toContain(WRONG);
  });

  it('accepts a user added to htpasswd while it runs, without a restart', async () => {
    // Prepare
    const late = { username: 'late', password: 'late-password-41d2' };

    // Act
    await registry.addUser(late);

    // Assess
    await expect(checkRegistryLogin(registry.host, late.username, late.password)).resolves.toBeUndefined();
  });
});
