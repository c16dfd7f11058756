/**
 * The test registry's token service can say no: the real docker-registry in token-auth mode, a
 * login bound to a hand-written policy (this file tests the oracle, not a deploy), and each way a
 * token request or a token must fail. Needs test/support/global-setup.ts (the test run's CA).
 */
import { generateKeyPairSync, sign } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SkopeoError, skopeoCopy, writeAuthFile, writeOciLayout, type OciImage, type SkopeoAuth } from '../test/support/oci-layout.js';
import type { LocalRegistry } from '../test/support/registry.js';
import { startTokenRealm, type TokenRealm } from '../test/support/token-realm.js';
import { ECR_REPOSITORY_ACCESS } from './aws/repository-access.js';
import type { MintedLogin } from './registry-access.js';

const ACCOUNT = '123456789012';
const LOCATION = { region: 'us-east-1', account: ACCOUNT };
const REPO = (name: string) => `arn:aws:ecr:us-east-1:${ACCOUNT}:repository/${name}`;
const PULL = ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'];
const SERVICE = 'self-test-ecr';
const hour = () => Date.now() + 3_600_000;

/** Logins "an emulator minted", each by its own key. */
const login = (key: string, extra: Partial<MintedLogin> = {}): MintedLogin => ({
  username: 'AWS',
  password: `password-of-${key}-${Math.random().toString(36).slice(2)}`,
  accessKeyId: key,
  region: 'us-east-1',
  account: ACCOUNT,
  expiresAt: hour(),
  ...extra,
});
const PULLER = login('AKIAPULLER');
const DENIED = login('AKIADENIED');
const UNBOUND = login('AKIAUNBOUND');
const EXPIRED = login('AKIAPULLER', { expiresAt: Date.now() - 1_000 });
const OTHER_REGION = login('AKIAPULLER', { region: 'eu-west-1' });
const MINTED = [PULLER, DENIED, UNBOUND, EXPIRED, OTHER_REGION];

let realm: TokenRealm;
let registry: LocalRegistry;
let work: string;
let image: OciImage;

beforeAll(async () => {
  realm = await startTokenRealm();
  registry = await realm.startRegistry(SERVICE, { access: ECR_REPOSITORY_ACCESS, location: LOCATION });
  realm.trustMinted(MINTED);
  realm.bindIdentity(PULLER.accessKeyId, { account: ACCOUNT, policies: [{ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: PULL, Resource: REPO('team/app') }] }] });
  realm.bindIdentity(DENIED.accessKeyId, {
    account: ACCOUNT,
    policies: [
      { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'ecr:*', Resource: REPO('*') }] },
      { Version: '2012-10-17', Statement: [{ Effect: 'Deny', Action: 'ecr:BatchGetImage', Resource: REPO('team/app') }] },
    ],
  });
  work = await mkdtemp(join(tmpdir(), 'regcred-token-self-test-'));
  image = await writeOciLayout(join(work, 'image'), { tag: 'v1' });
  const seed = await auth(realm.admin.username, realm.admin.password);
  for (const name of ['team/app', 'team/app2']) await skopeoCopy(image.ref, `docker://${registry.host}/${name}:v1`, seed);
});
afterAll(async () => {
  await realm?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

async function auth(username: string, password: string): Promise<SkopeoAuth> {
  const authfile = await writeAuthFile(await mkdtemp(join(work, 'auth-')), [{ registry: registry.host, username, password }]);
  return { authfile, certDir: registry.certDir };
}
const pull = async (l: { username: string; password: string }, name: string) => skopeoCopy(`docker://${registry.host}/${name}:v1`, `oci:${await mkdtemp(join(work, 'pull-'))}:v1`, await auth(l.username, l.password));
const failure = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e);
const tokenRequest = (l: { username: string; password: string }, scope = 'repository:team/app:pull') =>
  fetch(`${realm.realm}?service=${SERVICE}&scope=${encodeURIComponent(scope)}`, { headers: { Authorization: `Basic ${Buffer.from(`${l.username}:${l.password}`).toString('base64')}` } });
const decisionsFor = (key: string, name: string) => realm.decisions.filter((d) => d.who === key && d.name === name);

/** A manifest GET with a bearer token, straight at the registry. */
async function manifestWith(token: string): Promise<number> {
  const res = await fetch(`https://${registry.host}/v2/team/app/manifests/v1`, { headers: { Authorization: `Bearer ${token}`, Accept: 'application/vnd.oci.image.manifest.v1+json' } });
  await res.body?.cancel();
  return res.status;
}
const claims = (overrides: Record<string, unknown> = {}) => {
  const now = Math.floor(Date.now() / 1000);
  return { iss: realm.issuer, sub: 'self-test', aud: SERVICE, iat: now, nbf: now - 1, exp: now + 300, access: [{ type: 'repository', name: 'team/app', actions: ['pull'] }], ...overrides };
};

describe('token service: what it grants', () => {
  it('lets a login pull the repository its identity policy allows', async () => {
    await expect(pull(PULLER, 'team/app')).resolves.toBeUndefined();
  });

  it('denies that login a repository its policy does not name, the wildcard-free resource matching team/app only', async () => {
    // Act
    const error = await failure(pull(PULLER, 'team/app2'));
    // Assess
    expect(error).toBeInstanceOf(SkopeoError);
    expect(decisionsFor(PULLER.accessKeyId, 'team/app2').at(-1)).toMatchObject({ asked: ['pull'], granted: [] });
  });

  it('denies that login a push, for which its policy grants nothing', async () => {
    // Act
    const error = await failure(skopeoCopy(image.ref, `docker://${registry.host}/team/app:pushed`, await auth(PULLER.username, PULLER.password)));
    // Assess
    expect((error as SkopeoError).stderr).toMatch(/denied|unauthorized|insufficient/i);
    expect(decisionsFor(PULLER.accessKeyId, 'team/app').filter((d) => d.asked.includes('push')).at(-1)).toMatchObject({ asked: ['pull', 'push'], granted: ['pull'] });
  });

  it('lets an explicit deny win over an allow on every repository', async () => {
    // Act
    const error = await failure(pull(DENIED, 'team/app'));
    // Assess
    expect(error).toBeInstanceOf(SkopeoError);
    expect(decisionsFor(DENIED.accessKeyId, 'team/app').at(-1)).toMatchObject({ asked: ['pull'], granted: [] });
    await expect(pull(DENIED, 'team/app2')).resolves.toBeUndefined();
  });
});

describe('token service: logins it refuses (401)', () => {
  it.each([
    ['a wrong password', { username: PULLER.username, password: 'not-the-minted-password' }, 'not a login any emulator minted'],
    ['a login whose minting key has no bound identity', UNBOUND, 'no policy is bound'],
    ['an expired login', EXPIRED, 'expired'],
    ['a login minted for another region', OTHER_REGION, 'another registry'],
  ])('refuses %s, and its answer holds no password', async (_name, l, reason) => {
    // Act
    const res = await tokenRequest(l);
    const body = await res.text();
    // Assess
    expect([res.status, body]).toEqual([401, expect.stringContaining(reason)]);
    expect(body).not.toContain(l.password);
  });

  it('refuses a request with no login at all', async () => {
    const res = await fetch(`${realm.realm}?service=${SERVICE}&scope=repository:team/app:pull`);
    await res.body?.cancel();
    expect([res.status, res.headers.get('www-authenticate')]).toEqual([401, `Basic realm="${realm.issuer}"`]);
  });

  it('refuses a service it does not serve (400)', async () => {
    const res = await fetch(`${realm.realm}?service=elsewhere&scope=repository:team/app:pull`, { headers: { Authorization: `Basic ${Buffer.from(`${PULLER.username}:${PULLER.password}`).toString('base64')}` } });
    await res.body?.cancel();
    expect(res.status).toBe(400);
  });

  it('records its decisions without any password', () => {
    expect(JSON.stringify(realm.decisions)).not.toMatch(/password-of-|not-the-minted-password/);
    expect(JSON.stringify(realm.decisions)).not.toContain(realm.admin.password);
  });
});

describe('the real registry checks each token', () => {
  it('accepts a token the service signed for this registry and repository (the control for the refusals below)', async () => {
    expect(await manifestWith(realm.sign(claims()))).toBe(200);
  });

  it.each([
    ['an expired token', () => realm.sign(claims({ exp: Math.floor(Date.now() / 1000) - 3_600, nbf: Math.floor(Date.now() / 1000) - 7_200 }))],
    ['a token for another service', () => realm.sign(claims({ aud: 'another-registry' }))],
    ['a token from another issuer', () => realm.sign(claims({ iss: 'someone-else' }))],
    ['a token granting another repository', () => realm.sign(claims({ access: [{ type: 'repository', name: 'team/app2', actions: ['pull'] }] }))],
    ['a token signed by another key than the certified one', () => forgedWithOtherKey(realm.sign(claims()))],
  ])('refuses %s (401)', async (_name, token) => {
    expect(await manifestWith(token())).toBe(401);
  });
});

/** The same header and claims, signed by a fresh key: the x5c cert no longer matches the signature. */
function forgedWithOtherKey(token: string): string {
  const [header, payload] = token.split('.');
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const input = `${header}.${payload}`;
  return `${input}.${sign('sha256', Buffer.from(input), privateKey).toString('base64url')}`;
}
