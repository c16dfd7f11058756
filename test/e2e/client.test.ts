/**
 * The client as users install and run it: `npm pack` + `npm install -g` put `regcred` and
 * `docker-credential-regcred` on the PATH, and real clients run them: skopeo through `credHelpers`
 * and kubelet's credential-provider protocol, against a real registry (htpasswd over HTTPS) whose
 * password is what the local regcred server's emulated ECR minted. Every process's stderr is
 * checked for secrets at the end.
 */
import { execFile } from 'node:child_process';
import { existsSync, lstatSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callerEnv } from '../../bench/client.js';
import { getSigned } from '../../cli/client.js';
import { goDuration } from '../../core/formats.js';
import { LOCAL_CALLER } from '../../dev/alibaba.js';
import { serve, type LocalServer } from '../../dev/serve.js';
import { LOCAL_CALLER as TENCENT_CALLER } from '../../dev/tencent.js';
import { sha256Hex, signatureFor } from '../../emulator/alibaba/acs3.js';
import { TEST_IDENTITY } from '../../emulator/aws/server.js';
import { manifestDigestOf, writeOciLayout, type OciImage } from '../support/oci-layout.js';
import { FIXTURES, fixedClock } from '../support/packed-client.js';
import { registryTools, requireTestCa, run, startRegistry, type LocalRegistry, type RunResult } from '../support/registry.js';

const WRONG_SECRET = 'wrong-secret-access-key-for-tests-0000';

let work: string;
let bin: string;
let registry: LocalRegistry;
let server: LocalServer;
let image: OciImage;
let toolsPath: string;
let password: string;
let expiresAt: string;
let calls = 0;
const stderrs: string[] = [];
const savedRegistries = process.env.REGCRED_REGISTRIES;

beforeAll(async () => {
  requireTestCa();
  work = await mkdtemp(join(tmpdir(), 'regcred-e2e-client-'));
  // Install exactly as a user would: the packed tarball (prepack builds the client), globally.
  const pack = await run('npm', ['pack', '--pack-destination', work, '--silent'], { timeoutMs: 120_000 });
  expect(pack.code, pack.stderr).toBe(0);
  const tarball = join(work, pack.stdout.trim().split('\n').pop()!);
  const install = await run('npm', ['install', '-g', '--prefix', join(work, 'prefix'), tarball, '--prefer-offline', '--no-audit', '--no-fund'], { timeoutMs: 180_000 });
  expect(install.code, install.stderr).toBe(0);
  bin = join(work, 'prefix', 'bin');

  toolsPath = (await registryTools()).env.PATH!;
  registry = await startRegistry({ users: [] });
  image = await writeOciLayout(join(work, 'image'), { tag: 'v1' });
  // The emulated ECR registry is the local registry (a host override, as a config may name any host).
  process.env.REGCRED_REGISTRIES = `ecr:us-east-1=${registry.host},ecr-public:us-east-1`;
  server = await serve({ emulator: true, port: 0, quiet: true, onRequest: () => calls++ });
  // The registry accepts what the emulated ECR minted, as ECR's registries accept its tokens.
  const minted = (await getSigned({ url: server.url, credentials: TEST_IDENTITY }, `/credentials/${registry.host}`)) as { password: string; expiresAt: string };
  ({ password, expiresAt } = minted);
  await registry.addUser({ username: 'AWS', password });
}, 300_000);

afterAll(async () => {
  await server?.close();
  await registry?.stop();
  if (work) await rm(work, { recursive: true, force: true });
  if (savedRegistries === undefined) delete process.env.REGCRED_REGISTRIES;
  else process.env.REGCRED_REGISTRIES = savedRegistries;
  // No secret in the client's stderr, in any test here.
  for (const secret of [password, TEST_IDENTITY.secretAccessKey, TENCENT_CALLER.secretKey, WRONG_SECRET]) {
    for (const stderr of stderrs) expect(stderr).not.toContain(secret);
  }
});

/** The environment Docker, skopeo or kubelet would run the client in: only the installed commands on the PATH. */
function clientEnv(cache: string, extra: Record<string, string> = {}): Record<string, string> {
  return { ...callerEnv(server.url, join(work, 'home')), PATH: `${bin}:${toolsPath}`, XDG_CACHE_HOME: cache, ...extra };
}

/** Run an installed command (found on the PATH, as Docker finds a helper) with stdin; stderr is kept for the secret check. */
function client(command: string, args: string[], stdin: string, env: Record<string, string>): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = execFile(command, args, { env, timeout: 60_000 }, (err, stdout, stderr) => {
      stderrs.push(stderr);
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 128) : 0;
      resolve({ code, stdout, stderr });
    });
    child.stdin!.end(stdin);
  });
}

async function skopeo(args: string[], env: Record<string, string>): Promise<RunResult> {
  const home = join(work, 'skopeo');
  await mkdir(join(home, 'registries.d'), { recursive: true });
  await writeFile(join(home, 'policy.json'), JSON.stringify({ default: [{ type: 'insecureAcceptAnything' }] }));
  await writeFile(join(home, 'registries.conf'), '');
  const tools = await registryTools();
  return run('skopeo', ['--policy', join(home, 'policy.json'), '--registries.d', join(home, 'registries.d'), ...args], {
    env: { ...tools.env, ...env, CONTAINERS_REGISTRIES_CONF: join(home, 'registries.conf'), XDG_RUNTIME_DIR: home },
  });
}

let caches = 0;
const newCache = () => join(work, `cache-${++caches}`);

describe('installed from the packed tarball', () => {
  it('npm install -g puts regcred and docker-credential-regcred on the PATH', () => {
    expect(existsSync(join(bin, 'regcred'))).toBe(true);
    expect(existsSync(join(bin, 'docker-credential-regcred'))).toBe(true);
  });

  it('the packed client carries no test hook: no REGCRED_TEST_ variable (the clock is the tests\' own preload)', () => {
    const dist = join(work, 'prefix', 'lib', 'node_modules', 'regcred', 'dist', 'cli');
    const files = readdirSync(dist).filter((f) => f.endsWith('.cjs'));
    const hooks = files.filter((f) => /REGCRED_TEST_|TEST_NOW/.test(readFileSync(join(dist, f), 'utf8')));
    expect(files).toContain('regcred.cjs');
    expect(hooks).toEqual([]);
  });

  it('skopeo configured only with credHelpers → docker-credential-regcred copies an image to and from the registry', async () => {
    // Prepare: an auth file with no login at all, only the helper for the registry.
    const authfile = join(work, 'helpers-only.json');
    await writeFile(authfile, JSON.stringify({ credHelpers: { [registry.host]: 'regcred' } }), { mode: 0o600 });
    const env = clientEnv(newCache());
    const before = calls;
    const tls = (side: string) => [`--${side}-authfile`, authfile, `--${side}-cert-dir`, registry.certDir, `--${side}-tls-verify=true`];
    // Act
    const push = await skopeo(['copy', '--retry-times', '0', ...tls('dest'), image.ref, `docker://${registry.host}/regcred/helper:v1`], env);
    const pull = await skopeo(['copy', '--retry-times', '0', ...tls('src'), `docker://${registry.host}/regcred/helper:v1`, `oci:${join(work, 'pulled')}:v1`], env);
    // Assess
    expect(push.code, push.stderr).toBe(0);
    expect(pull.code, pull.stderr).toBe(0);
    expect(await manifestDigestOf(join(work, 'pulled'), 'v1')).toBe(image.manifestDigest);
    expect(calls - before).toBe(1); // the helper asked the function once; its cache served the rest
  });
});

describe('regcred kubelet', () => {
  it('a CredentialProviderRequest v1 gets an auth that logs skopeo in, cached for the time to half-life', async () => {
    // Prepare
    const now = Date.now();
    const request = { apiVersion: 'credentialprovider.kubelet.k8s.io/v1', kind: 'CredentialProviderRequest', image: `${registry.host}/regcred/kubelet:v1` };
    // Act
    const { code, stdout } = await client('regcred', ['kubelet'], JSON.stringify(request), clientEnv(newCache(), fixedClock(now)));
    const response = JSON.parse(stdout);
    const login = response.auth[registry.host];
    const authfile = join(work, 'kubelet-auth.json');
    await writeFile(authfile, JSON.stringify({ auths: { [registry.host]: { auth: Buffer.from(`${login.username}:${login.password}`).toString('base64') } } }), { mode: 0o600 });
    const push = await skopeo(['copy', '--retry-times', '0', '--dest-authfile', authfile, '--dest-cert-dir', registry.certDir, image.ref, `docker://${registry.host}/regcred/kubelet:v1`], {});
    // Assess
    expect(code).toBe(0);
    expect(response).toMatchObject({ kind: 'CredentialProviderResponse', apiVersion: 'credentialprovider.kubelet.k8s.io/v1', cacheKeyType: 'Registry' });
    expect(response.cacheDuration).toBe(goDuration(Math.floor((Date.parse(expiresAt) - now) / 2)));
    expect(push.code, push.stderr).toBe(0);
  });
});

describe('the per-user cache', () => {
  /** A helper get; `at` stands its clock still there (the fixed-clock preload: the client has no test hook). */
  const get = (cache: string, at?: number) => client('docker-credential-regcred', ['get'], `${registry.host}\n`, clientEnv(cache, at === undefined ? {} : fixedClock(at)));
  const round = (cache: string, at?: number) => Promise.all(Array.from({ length: 50 }, () => get(cache, at)));
  /** Move every entry of the cache `ms` into the past, as if fetched that much earlier. */
  const age = (cache: string, ms: number) => {
    const dir = join(cache, 'regcred');
    for (const f of readdirSync(dir).filter((name) => name.endsWith('.json'))) {
      const entry = JSON.parse(readFileSync(join(dir, f), 'utf8'));
      writeFileSync(join(dir, f), JSON.stringify({ ...entry, fetchedAt: entry.fetchedAt - ms, freshUntil: entry.freshUntil - ms }), { mode: 0o600 });
    }
  };

  it('50 concurrent helper gets on an empty cache make 1 call, a second round 0 (a second before the half-life), and past the half-life 1', async () => {
    // Prepare
    const cache = newCache();
    const now = Date.now();
    const halfLife = Math.floor((Date.parse(expiresAt) - now) / 2);
    // Act: the second round's clocks stand a second before the half-life (hits sign nothing, so
    // any clock will do); past it a miss signs, which needs the real clock: the entry is aged instead.
    const c0 = calls;
    const first = await round(cache);
    const c1 = calls;
    const second = await round(cache, now + halfLife - 1_000);
    const c2 = calls;
    age(cache, halfLife + 1_000);
    const third = await round(cache);
    const c3 = calls;
    // Assess
    for (const r of [...first, ...second, ...third]) {
      expect(r.code, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout)).toEqual({ ServerURL: registry.host, Username: 'AWS', Secret: password });
    }
    expect([c1 - c0, c2 - c1, c3 - c2]).toEqual([1, 0, 1]);
  }, 300_000); // 150 Node processes: ~20 s on an idle 2-core machine, a minute under a full test run

  it('keeps one 0600 file per function URL + registry in a 0700 directory, with no lock or temp file left', async () => {
    const cache = newCache();
    const result = await get(cache);
    const dir = join(cache, 'regcred');
    const files = readdirSync(dir);
    expect(result.code).toBe(0);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/^[0-9a-f]{16}\.json$/);
    expect(statSync(join(dir, files[0]!)).mode & 0o777).toBe(0o600);
  });

  it('a hit loads no cloud signer and makes no call; a miss loads only the chosen cloud\'s', async () => {
    // Prepare
    const cache = newCache();
    const loaded = async (name: string) => {
      const out = join(work, `${name}-loaded.json`);
      const r = await client('docker-credential-regcred', ['get'], `${registry.host}\n`, {
        ...clientEnv(cache),
        NODE_OPTIONS: `--require ${join(FIXTURES, 'loaded-modules.cjs')}`,
        REGCRED_TEST_LOADED_OUT: out,
      });
      expect(r.code, r.stderr).toBe(0);
      return (JSON.parse(readFileSync(out, 'utf8')) as string[]).map((f) => f.split('/').pop());
    };
    // Act
    const miss = await loaded('miss');
    const before = calls;
    const hit = await loaded('hit');
    // Assess
    expect(miss).toEqual(['loaded-modules.cjs', 'regcred.cjs', 'sign-aws.cjs']);
    expect(hit).toEqual(['loaded-modules.cjs', 'regcred.cjs']);
    expect(calls).toBe(before);
  });

  it('a corrupt cache file is ignored and replaced', async () => {
    const cache = newCache();
    await get(cache);
    const dir = join(cache, 'regcred');
    const file = join(dir, readdirSync(dir)[0]!);
    await writeFile(file, '{"v":2,"key":', { mode: 0o600 });
    const before = calls;
    const result = await get(cache);
    expect([result.code, calls - before]).toEqual([0, 1]);
    expect(JSON.parse(readFileSync(file, 'utf8')).credential.password).toBe(password);
  });
});

describe('signing for Alibaba Cloud (REGCRED_CLOUD=alibaba)', () => {
  it('the installed helper signs with ACS3-HMAC-SHA256 from the @alicloud/credentials chain, as an FC HTTP trigger checks', async () => {
    // Prepare: a stand-in trigger that recomputes the signature with the emulator's independent verifier.
    const keys = { id: 'LTAI5tClientTest0001', secret: 'alibaba-caller-secret-for-tests' };
    const seen: boolean[] = [];
    const trigger = http.createServer((req, res) => {
      const [, signedHeaders, signature] = /SignedHeaders=([^,]+),Signature=([0-9a-f]{64})$/.exec(req.headers.authorization ?? '') ?? [];
      const wire = { method: req.method!, url: req.url!, headers: req.headers as Record<string, string>, body: Buffer.alloc(0) };
      const ok = !!signedHeaders && signatureFor(wire, signedHeaders.split(';'), keys.secret, sha256Hex('')) === signature;
      seen.push(ok);
      res.writeHead(ok ? 200 : 403, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(ok ? { registry: 'registry.cn-hangzhou.aliyuncs.com', username: 'cr_temp_user', password: 'acr-temp-password', expiresAt: new Date(Date.now() + 3_600_000).toISOString() } : {}));
    });
    await new Promise<void>((resolve) => trigger.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(trigger.address() as AddressInfo).port}`;
    // Act
    const r = await client('docker-credential-regcred', ['get'], 'registry.cn-hangzhou.aliyuncs.com\n', {
      ...clientEnv(newCache(), { REGCRED_URL: url, REGCRED_CLOUD: 'alibaba', ALIBABA_CLOUD_ACCESS_KEY_ID: keys.id, ALIBABA_CLOUD_ACCESS_KEY_SECRET: keys.secret }),
    });
    await new Promise((resolve) => trigger.close(resolve));
    // Assess
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ ServerURL: 'registry.cn-hangzhou.aliyuncs.com', Username: 'cr_temp_user', Secret: 'acr-temp-password' });
    expect(seen).toEqual([true]);
    expect(r.stderr).not.toContain(keys.secret);
  });
});

describe('against the Alibaba Cloud handler (FC HTTP trigger, ACS3)', () => {
  it('skopeo configured only with credHelpers → docker-credential-regcred (REGCRED_CLOUD=alibaba) copies an image to and from the registry', async () => {
    // Prepare: the real Alibaba handler behind the local ACS3-checking trigger, its ACR registry being the local one.
    const saved = process.env.REGCRED_REGISTRIES;
    process.env.REGCRED_REGISTRIES = `acr:cn-shanghai=${registry.host}`;
    let aliCalls = 0;
    const ali = await serve({ emulator: true, cloud: 'alibaba', port: 0, quiet: true, onRequest: () => aliCalls++ });
    process.env.REGCRED_REGISTRIES = saved;
    try {
      const env = clientEnv(newCache(), { REGCRED_URL: ali.url, REGCRED_CLOUD: 'alibaba', ALIBABA_CLOUD_ACCESS_KEY_ID: LOCAL_CALLER.accessKeyId, ALIBABA_CLOUD_ACCESS_KEY_SECRET: LOCAL_CALLER.accessKeySecret });
      // The registry accepts what the emulated ACR minted (the helper's first answer, which it caches).
      const first = await client('docker-credential-regcred', ['get'], `${registry.host}\n`, env);
      expect(first.code, first.stderr).toBe(0);
      const login = JSON.parse(first.stdout) as { Username: string; Secret: string };
      await registry.addUser({ username: login.Username, password: login.Secret });
      const authfile = join(work, 'helpers-only-alibaba.json');
      await writeFile(authfile, JSON.stringify({ credHelpers: { [registry.host]: 'regcred' } }), { mode: 0o600 });
      const tls = (side: string) => [`--${side}-authfile`, authfile, `--${side}-cert-dir`, registry.certDir, `--${side}-tls-verify=true`];
      // Act
      const push = await skopeo(['copy', '--retry-times', '0', ...tls('dest'), image.ref, `docker://${registry.host}/regcred/alibaba:v1`], env);
      const pull = await skopeo(['copy', '--retry-times', '0', ...tls('src'), `docker://${registry.host}/regcred/alibaba:v1`, `oci:${join(work, 'pulled-alibaba')}:v1`], env);
      // Assess
      expect(push.code, push.stderr).toBe(0);
      expect(pull.code, pull.stderr).toBe(0);
      expect(await manifestDigestOf(join(work, 'pulled-alibaba'), 'v1')).toBe(image.manifestDigest);
      expect(login.Username).toBe('cr_temp_user');
      expect(aliCalls).toBe(1); // one signed call reached the function; the helper's cache served skopeo
      for (const r of [push, pull]) expect(r.stderr).not.toContain(login.Secret);
    } finally {
      await ali.close();
    }
  });
});

describe('against the Tencent Cloud handler (function URL, CAM auth)', () => {
  it('the installed client signs with TC3-HMAC-SHA256 (its sign-tencent.cjs, the signer the deploy shares) as the local function URL checks', async () => {
    // Prepare: the real SCF handler behind the local TC3-checking function URL, serving its own registries.
    const saved = process.env.REGCRED_REGISTRIES;
    delete process.env.REGCRED_REGISTRIES;
    const scf = await serve({ emulator: true, cloud: 'tencent', port: 0, quiet: true });
    process.env.REGCRED_REGISTRIES = saved;
    try {
      const env = clientEnv(newCache(), { TENCENTCLOUD_SECRET_ID: TENCENT_CALLER.secretId, TENCENTCLOUD_SECRET_KEY: TENCENT_CALLER.secretKey });
      // Act
      const r = await client('regcred', ['get', '--cloud', 'tencent', '--url', scf.url, '--format', 'json'], '', env);
      // Assess
      expect(r.code, r.stderr).toBe(0);
      expect((JSON.parse(r.stdout) as { credentials: Array<{ registry: string }> }).credentials.map((c) => c.registry)).toEqual(scf.local!.hosts);
    } finally {
      await scf.close();
    }
  });
});

describe('regcred login (no Docker)', () => {
  const existing = {
    auths: { 'other.example.com': { auth: Buffer.from('someone:other-password').toString('base64') } },
    credHelpers: { 'gcr.io': 'gcloud' },
    psFormat: 'table {{.ID}}',
  };

  it('writes the login into an auth file with other registries and credHelpers, keeping them all, mode 0600', async () => {
    // Prepare
    const authfile = join(work, 'login', 'auth.json');
    await mkdir(join(work, 'login'), { recursive: true });
    await writeFile(authfile, JSON.stringify(existing), { mode: 0o644 });
    // Act: the file comes from REGISTRY_AUTH_FILE, as podman and skopeo use it.
    const login = await client('regcred', ['login', '--registry', registry.host], '', clientEnv(newCache(), { REGISTRY_AUTH_FILE: authfile }));
    const written = JSON.parse(readFileSync(authfile, 'utf8'));
    const inspect = await skopeo(['inspect', '--raw', '--authfile', authfile, '--cert-dir', registry.certDir, `docker://${registry.host}/regcred/helper:v1`], {});
    // Assess
    expect(login.code, login.stderr).toBe(0);
    expect(written).toEqual({ ...existing, auths: { ...existing.auths, [registry.host]: { auth: Buffer.from(`AWS:${password}`).toString('base64') } } });
    expect(lstatSync(authfile).mode & 0o777).toBe(0o600);
    expect(inspect.code, inspect.stderr).toBe(0);
    expect(login.stdout).not.toContain(password);
  });

  it('a login killed in the middle of writing leaves the old auth file intact', async () => {
    // Prepare
    const dir = join(work, 'killed');
    const authfile = join(dir, 'config.json');
    await mkdir(dir, { recursive: true });
    const old = JSON.stringify(existing, null, 2);
    await writeFile(authfile, old, { mode: 0o600 });
    // Act: from $DOCKER_CONFIG/config.json; the preload kills the process half-way through the write.
    const login = await client('regcred', ['login', '--registry', registry.host], '', {
      ...clientEnv(newCache(), { DOCKER_CONFIG: dir }),
      NODE_OPTIONS: `--require ${join(FIXTURES, 'kill-mid-write.cjs')}`,
    });
    // Assess
    expect(login.code).not.toBe(0);
    expect(readdirSync(dir).some((f) => f.endsWith('.tmp'))).toBe(true); // it was killed mid-write
    expect(readFileSync(authfile, 'utf8')).toBe(old);
    expect(lstatSync(authfile).mode & 0o777).toBe(0o600);
  });
});

describe('clear messages and exit codes', () => {
  /** A stand-in for the function that answers `status` with `body`, or never (`status` 0); `answers` overrides the first ones. */
  async function fakeFunction(status: number, body: unknown, answers: Array<{ status: number; headers?: Record<string, string>; body: unknown }> = []): Promise<{ url: string; requests: number; signatures: string[]; close(): Promise<void> }> {
    const fn = { url: '', requests: 0, signatures: [] as string[], close: async () => {} };
    const s = http.createServer((req, res) => {
      fn.signatures.push(/Signature=(\w+)/.exec(req.headers.authorization ?? '')?.[1] ?? '');
      const next = answers[fn.requests++];
      if (next) return void res.writeHead(next.status, { 'Content-Type': 'application/json', ...next.headers }).end(JSON.stringify(next.body));
      if (!status) return; // hang, as a function that times out
      res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
    });
    await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
    fn.url = `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
    fn.close = () => new Promise((resolve) => { s.closeAllConnections(); s.close(() => resolve()); });
    return fn;
  }
  const helperGet = (env: Record<string, string>, host = registry.host) => client('docker-credential-regcred', ['get'], `${host}\n`, clientEnv(newCache(), env));
  const noStack = (stderr: string) => expect(stderr).not.toMatch(/\n\s+at |node:internal|Error:/);

  it('regcred serve: says the local server is no client command but npm start in a checkout, exit 2', async () => {
    const r = await client('regcred', ['serve', '--emulator'], '', clientEnv(newCache()));
    expect([r.code, r.stderr]).toEqual([2, 'regcred: serve is not a client command: the local server runs from a checkout of regcred, with npm start (dev/serve.ts; README, Try it locally)\n']);
  });

  it('a wrong caller key: the trigger refused the signature (403), exit 1', async () => {
    const r = await helperGet({ AWS_SECRET_ACCESS_KEY: WRONG_SECRET });
    const line = "regcred: 403 SignatureRefused: the aws trigger refused the request: the caller's keys are wrong, or it may not invoke the function (lambda:InvokeFunctionUrl)\n";
    // stdout too: Docker shows a failed helper's stdout.
    expect([r.code, r.stderr, r.stdout]).toEqual([1, line, line]);
    expect(r.stdout).not.toContain(WRONG_SECRET);
    noStack(r.stderr);
  });

  it('no caller credentials: says so, exit 1', async () => {
    const r = await helperGet({ AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '' });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^regcred: no AWS credentials for the caller in the AWS SDK chain \(.+\): .+\n$/);
    noStack(r.stderr);
  });

  it('an unknown registry: the helper says "credentials not found in native keychain", exit 1', async () => {
    const r = await helperGet({}, 'registry.example.com');
    expect([r.code, r.stdout, r.stderr]).toEqual([1, 'credentials not found in native keychain\n', '']);
  });

  it('caller not allowed by the function: exit 1', async () => {
    const fn = await fakeFunction(403, { error: { code: 'Forbidden', message: 'caller is not allowed' } });
    const r = await helperGet({ REGCRED_URL: fn.url });
    await fn.close();
    expect([r.code, r.stderr]).toEqual([1, 'regcred: 403 Forbidden: the function does not allow this caller (caller is not allowed)\n']);
  });

  it('network failure: cannot reach the URL, exit 1', async () => {
    const fn = await fakeFunction(200, {});
    await fn.close(); // nothing listens there any more
    const r = await helperGet({ REGCRED_URL: fn.url });
    expect([r.code, r.stderr]).toEqual([1, `regcred: cannot reach ${fn.url} (ECONNREFUSED)\n`]);
  });

  it('the function does not answer in time: exit 1', async () => {
    const fn = await fakeFunction(0, undefined);
    const r = await helperGet({ REGCRED_URL: fn.url, REGCRED_TIMEOUT_MS: '500' });
    await fn.close();
    expect([r.code, r.stderr]).toEqual([1, `regcred: ${fn.url} did not answer within 0.5 s\n`]);
  });

  it('a 503 with Retry-After (the registry API throttled or held off) is waited out and asked again, signed anew', async () => {
    const unavailable = { status: 503, headers: { 'Retry-After': '1' }, body: { error: { code: 'UpstreamUnavailable', message: 'the registry API failed (UpstreamError); not asked again for 1 s' } } };
    const fn = await fakeFunction(200, { registry: registry.host, username: 'AWS', password: 'after-the-wait', expiresAt: new Date(Date.now() + 3_600_000).toISOString() }, [unavailable]);
    const started = Date.now();
    const r = await helperGet({ REGCRED_URL: fn.url });
    await fn.close();
    expect([r.code, fn.requests, JSON.parse(r.stdout).Secret]).toEqual([0, 2, 'after-the-wait']);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);
    expect(new Set(fn.signatures).size).toBe(2);
  });

  it('a 503 that keeps coming is given up after 3 attempts, with its code: exit 1', async () => {
    const unavailable = { status: 503, headers: { 'Retry-After': '1' }, body: { error: { code: 'UpstreamThrottled', message: 'the registry API is throttling' } } };
    const fn = await fakeFunction(200, {}, [unavailable, unavailable, unavailable]);
    const r = await helperGet({ REGCRED_URL: fn.url });
    await fn.close();
    expect([r.code, fn.requests, r.stderr]).toEqual([1, 3, 'regcred: 503 UpstreamThrottled: the registry API is throttling\n']);
  });

  it('a 503 without Retry-After (a platform\'s, not the API\'s) is reported at once: exit 1', async () => {
    const fn = await fakeFunction(503, { message: 'Service Unavailable' });
    const r = await helperGet({ REGCRED_URL: fn.url });
    await fn.close();
    expect([r.code, fn.requests, r.stderr]).toEqual([1, 1, 'regcred: 503 HttpError: HTTP 503\n']);
  });

  it('the platform reports the function timed out (504): exit 1', async () => {
    const fn = await fakeFunction(504, { message: 'Endpoint request timed out' });
    const r = await helperGet({ REGCRED_URL: fn.url });
    await fn.close();
    expect([r.code, r.stderr]).toEqual([1, 'regcred: 504 FunctionFailed: the function timed out or failed before answering (HTTP 504)\n']);
  });
});
