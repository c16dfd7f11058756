/**
 * The packed client against hostile stand-ins for a regcred function (plain loopback servers):
 * what it refuses to send, to follow, to believe, to print and to read from its cache
 * (cli/trust.ts, cli/cache.ts). Each test is one finding of issue 20 kept.
 */
import { chmodSync, chownSync, lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPackedClient, clientEnv, type PackedClient } from '../support/packed-client.js';
import { run } from '../support/registry.js';
import { askedRegistry, credentialFor, json, startStandIn, type StandIn } from '../support/stand-in.js';

const HOST = 'registry.example.com';
const HOUR = 3_600_000;
/** Any control character but the newline that ends a line. */
const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;

let work: string;
let client: PackedClient;
const standIns: StandIn[] = [];
let homes = 0;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'regcred-client-trust-'));
  client = await buildPackedClient(work);
});
afterAll(async () => {
  await Promise.all(standIns.map((s) => s.close()));
  rmSync(work, { recursive: true, force: true });
});

/** A stand-in closed after the file. */
async function standIn(...args: Parameters<typeof startStandIn>): Promise<StandIn> {
  const s = await startStandIn(...args);
  standIns.push(s);
  return s;
}

/** A stand-in that answers every `/credentials/{host}` with `answer(host)` (a json credential). */
const answering = (answer: (host: string) => unknown) => standIn((req, res) => json(res, 200, answer(askedRegistry(req))));

/** A fresh home (cache, config) for one test, with REGCRED_URL at `url`. */
const homeEnv = (url: string, extra: Record<string, string> = {}) => clientEnv(join(work, `home-${++homes}`), { REGCRED_URL: url, ...extra });
const helperGet = (env: Record<string, string>, host = HOST) => client.run('docker-credential-regcred', ['get'], env, `${host}\n`);
const kubelet = (env: Record<string, string>, host = HOST) =>
  client.run('regcred', ['kubelet'], env, JSON.stringify({ apiVersion: 'credentialprovider.kubelet.k8s.io/v1', kind: 'CredentialProviderRequest', image: `${host}/team/app:v1` }));

/** A Go duration (`11h59m59s`, `1m0.5s`) in ms. */
function durationMs(text: string): number {
  const m = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+(?:\.\d+)?)s)?$/.exec(text);
  if (!m) throw new Error(`not a Go duration: ${text}`);
  return (Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0)) * 1000;
}

/** An auth file with another registry's login in it, and its bytes. */
function existingAuthFile(): { file: string; before: string } {
  const file = join(mkdtempSync(join(work, 'auth-')), 'config.json');
  const before = JSON.stringify({ auths: { 'other.example.com': { auth: Buffer.from('someone:other').toString('base64') } } });
  writeFileSync(file, before, { mode: 0o600 });
  return { file, before };
}

describe('https only, plain http to loopback only, refused before anything is sent', () => {
  const lan = Object.values(networkInterfaces())
    .flat()
    .find((i) => i?.family === 'IPv4' && !i.internal)?.address;
  const refusal = (origin: string) => `${origin} is plain http: regcred sends signed requests over https:// only (plain http only to loopback: localhost, 127.0.0.0/8, ::1)`;

  it.skipIf(!lan)("a plain-http URL to this machine's LAN address: refused naming https, and the server listening there sees no connection", async () => {
    // Prepare
    const fn = await standIn((req, res) => json(res, 200, credentialFor(askedRegistry(req), 'sent-in-clear')), lan);
    // Act
    const r = await helperGet(homeEnv(fn.url));
    // Assess
    expect([r.code, r.stderr]).toEqual([2, `regcred: --url (or REGCRED_URL): ${refusal(fn.url)}\n`]);
    expect(fn.connections).toBe(0);
  });

  it.each([
    ['docker-credential-regcred get', (env: Record<string, string>) => helperGet(env)],
    ['regcred kubelet', (env: Record<string, string>) => kubelet(env)],
    ['regcred login', (env: Record<string, string>) => client.run('regcred', ['login', '--registry', HOST, '--authfile', join(work, 'never.json')], env)],
    ['regcred get --invoke', (env: Record<string, string>) => client.run('regcred', ['get', '--invoke', 'regcred'], { ...env, ALIBABA_CLOUD_ACCESS_KEY_ID: 'LTAI5tTrustTest', ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'trust-test-secret' })],
  ])('%s with a plain-http URL whose host resolves nowhere: the https refusal, not a DNS failure', async (_name, command) => {
    const r = await command(homeEnv('http://regcred-function.invalid:8080'));
    expect([r.code, r.stderr]).toEqual([2, `regcred: --url (or REGCRED_URL): ${refusal('http://regcred-function.invalid:8080')}\n`]);
  });
});

describe('redirects are never followed', () => {
  it.each([
    ['the function URL (docker-credential-regcred get)', (url: string) => helperGet(homeEnv(url))],
    [
      "FC's InvokeFunction (regcred get --invoke)",
      (url: string) => client.run('regcred', ['get', '--invoke', 'regcred', '--url', url], homeEnv(url, { ALIBABA_CLOUD_ACCESS_KEY_ID: 'LTAI5tTrustTest', ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'trust-test-secret' })),
    ],
  ])('%s answering 307: exit 1, says so, and the redirect target sees nothing', async (_name, command) => {
    // Prepare
    const target = await answering((host) => credentialFor(host, 'followed'));
    const fn = await standIn((req, res) => res.writeHead(307, { Location: `${target.url}${req.url}` }).end());
    // Act
    const r = await command(fn.url);
    // Assess
    expect([r.code, r.stderr]).toEqual([1, `regcred: ${fn.url} answered with a redirect (HTTP 307): regcred never follows one\n`]);
    expect(fn.requests).toHaveLength(1);
    expect(target.connections).toBe(0);
  });
});

describe('an answer for another registry than asked is refused, and nothing printed or written', () => {
  const ghcr = () =>
    standIn((req, res) => {
      const format = new URL(req.url!, 'http://x').searchParams.get('format');
      const credential = credentialFor('ghcr.io', 'ghcr-password');
      json(res, 200, format === 'dockerconfigjson' ? { auths: { 'ghcr.io': { username: 'AWS', password: 'ghcr-password', auth: 'x' } } } : credential);
    });
  const line = `regcred: the function answered a credential for 'ghcr.io' when asked for ${HOST}: refused\n`;

  it('docker-credential-regcred get: exit 1, the refusal on stdout and stderr, no password', async () => {
    const fn = await ghcr();
    const r = await helperGet(homeEnv(fn.url));
    expect([r.code, r.stdout, r.stderr]).toEqual([1, line, line]);
  });

  it('regcred login: exit 1, the auth file unchanged, no "Login Succeeded"', async () => {
    const fn = await ghcr();
    const { file, before } = existingAuthFile();
    const r = await client.run('regcred', ['login', '--registry', HOST, '--authfile', file], homeEnv(fn.url));
    expect([r.code, r.stdout, r.stderr]).toEqual([1, '', line]);
    expect(readFileSync(file, 'utf8')).toBe(before);
  });

  it('regcred get --registry --format dockerconfigjson: exit 1, nothing printed', async () => {
    const fn = await ghcr();
    const r = await client.run('regcred', ['get', '--registry', HOST, '--format', 'dockerconfigjson'], homeEnv(fn.url));
    expect([r.code, r.stdout, r.stderr]).toEqual([1, '', `regcred: the function answered for 'ghcr.io' when asked for ${HOST}: refused\n`]);
  });
});

describe('a username or password with a control character is refused', () => {
  const line = `regcred: the function answered a username or password for ${HOST} with a control character in it: refused\n`;

  it('docker-credential-regcred get with a newline in the password: exit 1, nothing of it printed', async () => {
    const fn = await answering((host) => credentialFor(host, 'first-line\nsecond-line'));
    const r = await helperGet(homeEnv(fn.url));
    expect([r.code, r.stdout, r.stderr]).toEqual([1, line, line]);
  });

  it('regcred login with a newline in the password: exit 1, the auth file unchanged', async () => {
    const fn = await answering((host) => credentialFor(host, 'first-line\nsecond-line'));
    const { file, before } = existingAuthFile();
    const r = await client.run('regcred', ['login', '--registry', HOST, '--authfile', file], homeEnv(fn.url));
    expect([r.code, r.stderr]).toEqual([1, line]);
    expect(readFileSync(file, 'utf8')).toBe(before);
  });
});

describe("the answer's expiry", () => {
  it("an expiresAt of 2099 is capped at 24 h: kubelet's cacheDuration is at most 12 h", async () => {
    // Prepare
    const fn = await answering((host) => credentialFor(host, 'long-lived', '2099-01-01T00:00:00Z'));
    // Act
    const r = await kubelet(homeEnv(fn.url));
    // Assess
    expect(r.code, r.stderr).toBe(0);
    const cacheMs = durationMs(JSON.parse(r.stdout).cacheDuration);
    expect(cacheMs).toBeLessThanOrEqual(12 * HOUR);
    expect(cacheMs).toBeGreaterThan(12 * HOUR - 60_000);
  });

  it('an expiresAt already past is refused, and not cached: the next get asks again', async () => {
    const fn = await answering((host) => credentialFor(host, 'stale', '2000-01-01T00:00:00Z'));
    const env = homeEnv(fn.url);
    const first = await helperGet(env);
    const second = await helperGet(env);
    const line = `regcred: the function answered a credential for ${HOST} that expired at 2000-01-01T00:00:00.000Z: refused (is this machine's clock right?)\n`;
    expect([first.code, first.stdout, first.stderr]).toEqual([1, line, line]);
    expect([second.code, fn.requests.length]).toEqual([1, 2]);
  });
});

describe('a body over 1 MiB', () => {
  it('a 64 MiB answer (sent over 6 s) is cut off within seconds: exit 1, and the rest is never sent', async () => {
    // Prepare: 2 MiB at once, then 1 MiB every 100 ms up to 64 MiB, no Content-Length (chunked).
    const MiB = 1024 * 1024;
    let sent = 0;
    const fn = await standIn((_req, res: ServerResponse) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      const chunk = Buffer.alloc(MiB, 0x20);
      let timer: NodeJS.Timeout | undefined;
      const send = () => {
        if (res.destroyed || sent >= 64 * MiB) return void (res.destroyed || res.end());
        res.write(chunk);
        sent += MiB;
        timer = setTimeout(send, sent < 2 * MiB ? 0 : 100);
      };
      res.on('close', () => clearTimeout(timer));
      send();
    });
    // Act
    const r = await helperGet(homeEnv(fn.url));
    // Assess
    expect([r.code, r.stderr]).toEqual([1, `regcred: the answer of ${fn.url} is larger than 1 MiB: refused\n`]);
    expect(r.ms).toBeLessThan(5_000);
    expect(sent).toBeLessThan(16 * MiB);
  });
});

describe('terminal escapes from the function are not printed', () => {
  it('an error code and message with ESC, BEL and CSI: stripped on stderr and on the helper protocol\'s stdout', async () => {
    const fn = await standIn((_req, res) => json(res, 500, { error: { code: 'Boom\u001b[2J', message: 'bad \u001b]0;owned\u0007 thing \u009b31m' } }));
    const r = await helperGet(homeEnv(fn.url));
    const line = 'regcred: 500 Boom[2J: bad ]0;owned thing 31m\n';
    expect([r.code, r.stderr, r.stdout]).toEqual([1, line, line]);
  });

  it('regcred get prints an answer with ESC in it without the ESC, raw or JSON-escaped', async () => {
    const fn = await standIn((_req, res) => json(res, 200, { auths: { [HOST]: { username: 'AWS', password: 'pw', auth: 'QVdTOnB3' } }, note: 'title\u001b]0;owned\u0007' }));
    const r = await client.run('regcred', ['get', '--format', 'dockerconfigjson'], homeEnv(fn.url));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).not.toMatch(CONTROL);
    expect(r.stdout).not.toMatch(/\\u00(1b|07)/i);
    expect(JSON.parse(r.stdout).note).toBe('title]0;owned');
  });
});

describe('the cache folder', () => {
  /** A home whose cache holds the function's credential for HOST; its folder and file. */
  async function filledCache(fn: StandIn): Promise<{ env: Record<string, string>; dir: string; file: string }> {
    const env = homeEnv(fn.url);
    const r = await helperGet(env);
    expect(r.code, r.stderr).toBe(0);
    const dir = join(env.XDG_CACHE_HOME!, 'regcred');
    return { env, dir, file: join(dir, readdirSync(dir).find((f) => f.endsWith('.json'))!) };
  }
  const plant = (file: string) => {
    const entry = JSON.parse(readFileSync(file, 'utf8'));
    entry.credential.password = 'planted';
    writeFileSync(file, JSON.stringify(entry), { mode: 0o600 });
  };

  it('made 0700; when others may write into it (0777) it is not read: the function is asked, and it says so once on stderr', async () => {
    // Prepare: a file of ours (so only the folder's mode can save us) holding a planted password.
    const fn = await answering((host) => credentialFor(host, 'from-function'));
    const { env, dir, file } = await filledCache(fn);
    const madeMode = lstatSync(dir).mode & 0o777;
    plant(file);
    chmodSync(dir, 0o777);
    // Act
    const r = await helperGet(env);
    // Assess
    expect(madeMode).toBe(0o700);
    expect([r.code, JSON.parse(r.stdout).Secret, fn.requests.length]).toEqual([0, 'from-function', 2]);
    expect(r.stderr).toBe(`regcred: not using the cache folder ${dir}: others may write into it (mode 0777); asking the function (chmod 700 it, or remove it)\n`);
    expect(JSON.parse(readFileSync(file, 'utf8')).credential.password).toBe('planted'); // nothing written there either
  });

  it.skipIf(process.getuid?.() !== 0)('a folder of another owner is not read either (needs root to chown)', async () => {
    const fn = await answering((host) => credentialFor(host, 'from-function'));
    const { env, dir, file } = await filledCache(fn);
    plant(file);
    chownSync(dir, 65534, 65534);
    const r = await helperGet(env);
    expect([r.code, JSON.parse(r.stdout).Secret, fn.requests.length]).toEqual([0, 'from-function', 2]);
    expect(r.stderr).toBe(`regcred: not using the cache folder ${dir}: it belongs to uid 65534; asking the function (chmod 700 it, or remove it)\n`);
  });

  it.each([
    ['the cache file', (file: string) => file],
    ['the lock file', (file: string) => `${file}.lock`],
  ])('a FIFO in place of %s does not hang docker-credential-regcred get: it answers within seconds', async (_name, fifoPath) => {
    // Prepare
    const fn = await answering((host) => credentialFor(host, 'from-function'));
    const { env, file } = await filledCache(fn);
    rmSync(file);
    const fifo = await run('mkfifo', [fifoPath(file)]);
    expect(fifo.code, fifo.stderr).toBe(0);
    // Act
    const r = await helperGet(env);
    // Assess
    expect([r.code, JSON.parse(r.stdout).Secret], r.stderr).toEqual([0, 'from-function']);
    expect(r.ms).toBeLessThan(10_000);
    expect(lstatSync(file).isFile()).toBe(true);
  });
});
