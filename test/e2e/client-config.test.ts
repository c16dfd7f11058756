/**
 * The packed client with one config file for every registry (cli/config.ts): each host's function
 * picked by the file, hosts it does not name answered "not found" without a call, a function's 404
 * remembered for a minute, a bad file refused in one line; and `regcred logout`.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPackedClient, clientEnv, FIXTURES, fixedClock, type PackedClient } from '../support/packed-client.js';
import { askedRegistry, credentialFor, json, startStandIn, type StandIn } from '../support/stand-in.js';

const NOT_FOUND = 'credentials not found in native keychain\n';

let work: string;
let client: PackedClient;
/** Stand-in functions, each answering a credential for the host asked with the password `from-<name>`. */
const fns: Record<'exact' | 'anyExample' | 'eu' | 'fallback', StandIn> = {} as never;
let homes = 0;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'regcred-client-config-'));
  client = await buildPackedClient(work);
  for (const name of Object.keys({ exact: 0, anyExample: 0, eu: 0, fallback: 0 }) as Array<keyof typeof fns>) {
    fns[name] = await startStandIn((req, res) => json(res, 200, credentialFor(askedRegistry(req), `from-${name}`)));
  }
});
afterAll(async () => {
  await Promise.all(Object.values(fns).map((f) => f.close()));
  rmSync(work, { recursive: true, force: true });
});

const requests = () => Object.values(fns).reduce((n, f) => n + f.requests.length, 0);

/** A fresh home whose ~/.config/regcred/config.json holds `registries` (as text if a string). */
function homeWithConfig(registries: Record<string, unknown> | string, extra: Record<string, string> = {}): { env: Record<string, string>; file: string } {
  const env = clientEnv(join(work, `home-${++homes}`), extra);
  const file = join(env.XDG_CONFIG_HOME!, 'regcred', 'config.json');
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(file, typeof registries === 'string' ? registries : JSON.stringify({ registries }));
  return { env, file };
}
const standard = () => ({
  'r.example.com': { url: fns.exact.url, cloud: 'aws' },
  '*.example.com': { url: fns.anyExample.url },
  '*.eu.example.com': { url: fns.eu.url, cloud: 'aws' },
});
const helperGet = (env: Record<string, string>, host: string) => client.run('docker-credential-regcred', ['get'], env, `${host}\n`);
const kubelet = (env: Record<string, string>, host: string) =>
  client.run('regcred', ['kubelet'], env, JSON.stringify({ apiVersion: 'credentialprovider.kubelet.k8s.io/v1', kind: 'CredentialProviderRequest', image: `${host}/team/app:v1` }));
const secretOf = (r: { stdout: string }) => (JSON.parse(r.stdout) as { Secret: string }).Secret;

describe('the function is picked by the host asked for', () => {
  it.each([
    ['an exact host over a pattern that matches it too', 'r.example.com', 'from-exact'],
    ['a pattern', 'y.example.com', 'from-anyExample'],
    ['the longest of two matching patterns', 'x.eu.example.com', 'from-eu'],
  ])('docker-credential-regcred get: %s', async (_name, host, secret) => {
    const { env } = homeWithConfig(standard());
    const r = await helperGet(env, host);
    expect([r.code, secretOf(r)], r.stderr).toEqual([0, secret]);
  });

  it('kubelet, login and get --registry pick by host too; REGCRED_CONFIG names another file', async () => {
    // Prepare
    const { file } = homeWithConfig(standard());
    const env = clientEnv(join(work, `home-${++homes}`), { REGCRED_CONFIG: file });
    const authfile = join(work, `auth-${homes}.json`);
    // Act
    const k = await kubelet(env, 'x.eu.example.com');
    const login = await client.run('regcred', ['login', '--registry', 'y.example.com', '--authfile', authfile], env);
    const get = await client.run('regcred', ['get', '--registry', 'r.example.com'], env);
    // Assess
    expect(JSON.parse(k.stdout).auth).toEqual({ 'x.eu.example.com': { username: 'AWS', password: 'from-eu' } });
    expect([login.code, JSON.parse(readFileSync(authfile, 'utf8')).auths['y.example.com'].auth], login.stderr).toEqual([0, Buffer.from('AWS:from-anyExample').toString('base64')]);
    expect(JSON.parse(get.stdout).password).toBe('from-exact');
  });

  it("a host no entry matches (`*` never crosses a dot): \"not found\" and kubelet's empty auth at once, no call, no signer loaded", async () => {
    // Prepare
    const { env } = homeWithConfig(standard());
    const loadedOut = join(work, `loaded-${homes}.json`);
    const before = requests();
    // Act
    const get = await client.run('docker-credential-regcred', ['get'], { ...env, NODE_OPTIONS: `--require ${join(FIXTURES, 'loaded-modules.cjs')}`, REGCRED_TEST_LOADED_OUT: loadedOut }, 'a.b.eu.example.com\n');
    const k = await kubelet(env, 'a.b.eu.example.com');
    // Assess
    expect([get.code, get.stdout, get.stderr]).toEqual([1, NOT_FOUND, '']);
    expect([k.code, JSON.parse(k.stdout).auth]).toEqual([0, {}]);
    expect(requests()).toBe(before);
    expect((JSON.parse(readFileSync(loadedOut, 'utf8')) as string[]).map((f) => f.split('/').pop())).toEqual(['loaded-modules.cjs', 'regcred.cjs']);
  });

  it('REGCRED_URL still serves a host that no entry matches', async () => {
    const { env } = homeWithConfig(standard(), { REGCRED_URL: fns.fallback.url });
    const r = await helperGet(env, 'elsewhere.example.org');
    expect([r.code, secretOf(r)], r.stderr).toEqual([0, 'from-fallback']);
  });
});

describe("a function's 404", () => {
  let notServing: StandIn;
  beforeAll(async () => {
    notServing = await startStandIn((req, res) => json(res, 404, { error: { code: 'NotFound', message: `registry '${askedRegistry(req)}' is not configured` } }));
  });
  afterAll(() => notServing.close());

  it('is remembered for a minute: a node pulling public images does not call the function per pull', async () => {
    // Prepare
    const { env } = homeWithConfig({ '*.example.net': { url: notServing.url } });
    const now = Date.now();
    // Act: two pulls now, one 59 s later, one 61 s later (the fixed-clock preload stands the process there).
    const answers = [await helperGet(env, 'public.example.net'), await helperGet(env, 'public.example.net')];
    const afterTwo = notServing.requests.length;
    answers.push(await helperGet({ ...env, ...fixedClock(now + 59_000) }, 'public.example.net'));
    const after59s = notServing.requests.length;
    answers.push(await helperGet({ ...env, ...fixedClock(now + 61_000) }, 'public.example.net'));
    const k = await kubelet({ ...env, ...fixedClock(now + 62_000) }, 'public.example.net');
    // Assess
    for (const r of answers) expect([r.code, r.stdout]).toEqual([1, NOT_FOUND]);
    expect([afterTwo, after59s, notServing.requests.length]).toEqual([1, 1, 2]);
    expect(JSON.parse(k.stdout).auth).toEqual({});
  });
});

describe('a bad config file: one line naming the file and the entry, exit 2, nothing sent', () => {
  it.each([
    ['not JSON', () => '{"registries": {', ': not valid JSON'],
    ['a plain-http LAN url', () => ({ '*.example.com': { url: 'http://192.168.1.20:8080' } }), ': registries["*.example.com"]: "url": http://192.168.1.20:8080 is plain http: regcred sends signed requests over https:// only'],
    ['an unknown cloud', () => ({ '*.example.com': { url: fns.anyExample.url, cloud: 'gcp' } }), ': registries["*.example.com"]: "cloud" must be one of aws, alibaba, tencent, huawei, not "gcp"'],
    ['an unknown key', () => ({ '*.example.com': { url: fns.anyExample.url, URL: fns.exact.url } }), ': registries["*.example.com"]: unknown key "URL" (only "url", "cloud", "invoke")'],
  ])('%s', async (_name, registries, problem) => {
    // Prepare
    const { env, file } = homeWithConfig(registries());
    const before = requests();
    // Act
    const get = await helperGet(env, 'y.example.com');
    const login = await client.run('regcred', ['login', '--registry', 'y.example.com', '--authfile', join(work, 'never.json')], env);
    // Assess
    const line = get.stderr;
    expect(line.startsWith(`regcred: ${file}${problem}`), line).toBe(true);
    expect(line.split('\n')).toHaveLength(2); // one line, then the end
    expect([get.code, get.stdout]).toEqual([2, line]); // the helper protocol reads errors on stdout
    expect([login.code, login.stderr]).toEqual([2, line]);
    expect(requests()).toBe(before);
  });
});

describe('regcred logout', () => {
  it("takes the registry's entry out of the auth file (which login put there), and nothing else; erase stays a no-op", async () => {
    // Prepare: an auth file with another login and a credHelpers entry, then a login from the config's function.
    const { env } = homeWithConfig(standard());
    const authfile = join(work, `logout-${homes}.json`);
    const others = { auths: { 'other.example.org': { auth: Buffer.from('someone:other').toString('base64') } }, credHelpers: { 'gcr.io': 'gcloud' }, psFormat: 'table' };
    writeFileSync(authfile, JSON.stringify(others), { mode: 0o600 });
    const login = await client.run('regcred', ['login', '--registry', 'r.example.com', '--authfile', authfile], env);
    const loggedIn = readFileSync(authfile, 'utf8');
    // Act
    const erase = await client.run('docker-credential-regcred', ['erase'], env, 'r.example.com\n');
    const afterErase = readFileSync(authfile, 'utf8');
    const logout = await client.run('regcred', ['logout', '--registry', 'r.example.com', '--authfile', authfile], env);
    const again = await client.run('regcred', ['logout', '--registry', 'r.example.com', '--authfile', authfile], env);
    // Assess
    expect(login.code, login.stderr).toBe(0);
    expect(Object.keys(JSON.parse(loggedIn).auths)).toEqual(['other.example.org', 'r.example.com']);
    expect([erase.code, afterErase]).toEqual([0, loggedIn]);
    expect([logout.code, logout.stdout]).toEqual([0, `Removed login credentials for r.example.com from ${authfile}\n`]);
    expect(JSON.parse(readFileSync(authfile, 'utf8'))).toEqual(others);
    expect([again.code, again.stdout]).toEqual([0, `Not logged in to r.example.com (${authfile})\n`]);
  });

  it('without --registry: says what it needs, exit 2', async () => {
    const r = await client.run('regcred', ['logout'], clientEnv(join(work, `home-${++homes}`)));
    expect([r.code, r.stderr]).toEqual([2, 'regcred: logout needs --registry HOST\n']);
  });
});
