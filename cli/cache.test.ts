import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cacheDir, cached, freshUntil, isFresh, NOT_SERVED_MS, type CacheEntry } from './cache.js';
import type { Credential } from './client.js';

const HOUR = 3_600_000;
const T0 = Date.parse('2026-11-30T12:00:00Z');
const credential = (expiresAt: number, password = 'pw-1'): Credential => ({ registry: 'r.example', username: 'AWS', password, expiresAt: new Date(expiresAt).toISOString() });

let dir: string;
beforeEach(() => {
  dir = join(mkdtempSync(join(tmpdir(), 'regcred-cache-test-')), 'regcred');
});
afterEach(() => rmSync(join(dir, '..'), { recursive: true, force: true }));

/** A fetch that counts its calls and answers a 12 h credential minted at `at`. */
function upstream(at = T0) {
  const counter = { calls: 0, fetch: async () => (counter.calls++, credential(at + 12 * HOUR, `pw-${counter.calls}`)) };
  return counter;
}
const options = (now: number) => ({ dir, now: () => now, staleLockMs: 2_000, pollMs: 5 });

describe('freshness', () => {
  const entry: CacheEntry = { credential: credential(T0 + 12 * HOUR), fetchedAt: T0, freshUntil: freshUntil(T0, T0 + 12 * HOUR) };
  it.each([
    ['just fetched', T0, true],
    ['half-life − 1 ms', T0 + 6 * HOUR - 1, true],
    ['at the half-life', T0 + 6 * HOUR, false],
    ['half-life + 1 ms', T0 + 6 * HOUR + 1, false],
  ])('%s → %s', (_name, now, fresh) => {
    expect(isFresh(entry, now)).toBe(fresh);
  });

  it('never past expiry, whatever freshUntil says', () => {
    expect(isFresh({ ...entry, freshUntil: T0 + 24 * HOUR }, T0 + 12 * HOUR)).toBe(false);
  });

  it.each([
    [{ XDG_CACHE_HOME: '/x/cache' }, '/x/cache/regcred'],
    [{ XDG_CACHE_HOME: 'relative/cache' }, '/home/u/.cache/regcred'],
    [{}, '/home/u/.cache/regcred'],
  ])('cacheDir(%j) → %s', (env, expected) => {
    expect(cacheDir(env, () => '/home/u')).toBe(expected);
  });
});

describe('cached', () => {
  it('fetches once, then serves the file until the half-life, then fetches again', async () => {
    const up = upstream();
    const first = await cached('k', options(T0), up.fetch);
    const second = await cached('k', options(T0 + 6 * HOUR - 1), up.fetch);
    const third = await cached('k', options(T0 + 6 * HOUR), up.fetch);
    expect([first.credential?.password, second.credential?.password, third.credential?.password, up.calls]).toEqual(['pw-1', 'pw-1', 'pw-2', 2]);
  });

  it('20 concurrent misses in one process share one fetch', async () => {
    const up = upstream();
    const slow = async () => (await new Promise((r) => setTimeout(r, 50)), up.fetch());
    const all = await Promise.all(Array.from({ length: 20 }, () => cached('k', options(T0), slow)));
    expect(new Set(all.map((e) => e.credential?.password))).toEqual(new Set(['pw-1']));
    expect(up.calls).toBe(1);
  });

  it('makes the directory 0700 and the file 0600, and leaves no lock or temp file', async () => {
    await cached('k', options(T0), upstream().fetch);
    const files = readdirSync(dir);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(files).toHaveLength(1);
    expect(statSync(join(dir, files[0]!)).mode & 0o777).toBe(0o600);
  });

  it.each([
    ['corrupt JSON', '{"v":1,'],
    ['a torn write', JSON.stringify({ v: 1, key: 'k' }).slice(0, 10)],
    ['another format', JSON.stringify({ hello: 'world' })],
    ['another key', JSON.stringify({ v: 1, key: 'other', fetchedAt: T0, freshUntil: T0 + HOUR, credential: credential(T0 + HOUR) })],
    ['a password that is not a string', JSON.stringify({ v: 1, key: 'k', fetchedAt: T0, freshUntil: T0 + HOUR, credential: { ...credential(T0 + HOUR), password: 1 } })],
  ])('a file holding %s is ignored and replaced', async (_name, content) => {
    await cached('k', options(T0), upstream().fetch);
    const file = join(dir, readdirSync(dir)[0]!);
    writeFileSync(file, content);
    const up = upstream();
    const entry = await cached('k', options(T0), up.fetch);
    expect([entry.credential?.password, up.calls]).toEqual(['pw-1', 1]);
    expect(JSON.parse(readFileSync(file, 'utf8')).key).toBe('k');
  });

  it('does not follow a symlink planted in the cache directory', async () => {
    await cached('k', options(T0), upstream().fetch);
    const name = readdirSync(dir)[0]!;
    const elsewhere = join(dir, '..', 'planted.json');
    writeFileSync(elsewhere, readFileSync(join(dir, name)));
    rmSync(join(dir, name));
    symlinkSync(elsewhere, join(dir, name));
    const up = upstream();
    await cached('k', options(T0), up.fetch);
    expect(up.calls).toBe(1);
  });

  it('takes over a lock whose process is gone', async () => {
    await cached('warm-up', options(T0), upstream().fetch); // makes the directory
    const up = upstream();
    const keyFile = async () => {
      await cached('k', options(T0), up.fetch);
      return readdirSync(dir).find((f) => f.endsWith('.json') && JSON.parse(readFileSync(join(dir, f), 'utf8')).key === 'k')!;
    };
    const name = await keyFile();
    rmSync(join(dir, name));
    writeFileSync(join(dir, `${name}.lock`), `999999999 ${(await import('node:os')).hostname()}`);
    const started = Date.now();
    await cached('k', options(T0), up.fetch);
    expect(up.calls).toBe(2);
    expect(Date.now() - started).toBeLessThan(1_000); // not the 2 s stale timeout
    expect(existsSync(join(dir, `${name}.lock`))).toBe(false);
  });

  it('a cache directory it cannot use is not fatal: it fetches every time', async () => {
    mkdirSync(join(dir, '..'), { recursive: true });
    writeFileSync(dir, 'not a directory');
    const up = upstream();
    await cached('k', options(T0), up.fetch);
    await cached('k', options(T0), up.fetch);
    expect(up.calls).toBe(2);
  });

  it('a registry the function does not serve (null) is remembered for a minute, then asked again', async () => {
    let calls = 0;
    const notServed = async () => (calls++, null);
    const first = await cached('k', options(T0), notServed);
    await cached('k', options(T0 + NOT_SERVED_MS - 1), notServed);
    const third = await cached('k', options(T0 + NOT_SERVED_MS), notServed);
    expect([first.credential, third.credential, calls]).toEqual([null, null, 2]);
  });

  it('a file of the version before (expiry not capped) is ignored', async () => {
    await cached('k', options(T0), upstream().fetch);
    const file = join(dir, readdirSync(dir)[0]!);
    writeFileSync(file, JSON.stringify({ ...JSON.parse(readFileSync(file, 'utf8')), v: 1 }));
    const up = upstream();
    await cached('k', options(T0), up.fetch);
    expect(up.calls).toBe(1);
  });
});

describe('a cache folder others may write into, or files that are not ours', () => {
  /** The cache filled with pw-1, then the file's password replaced (by us: only the folder's mode stands between). */
  async function planted(): Promise<string> {
    await cached('k', options(T0), upstream().fetch);
    const file = join(dir, readdirSync(dir)[0]!);
    const entry = JSON.parse(readFileSync(file, 'utf8'));
    writeFileSync(file, JSON.stringify({ ...entry, credential: { ...entry.credential, password: 'planted' } }));
    return file;
  }

  it.each([[0o777], [0o770], [0o702]])('mode %o: not read, not written, the function asked, and it says so once', async (mode) => {
    const file = await planted();
    chmodSync(dir, mode);
    const warnings: string[] = [];
    const up = upstream();
    const entry = await cached('k', { ...options(T0), warn: (m) => warnings.push(m) }, up.fetch);
    expect([entry.credential?.password, up.calls]).toEqual(['pw-1', 1]);
    expect(warnings).toEqual([`not using the cache folder ${dir}: others may write into it (mode 0${mode.toString(8)}); asking the function (chmod 700 it, or remove it)`]);
    expect(JSON.parse(readFileSync(file, 'utf8')).credential.password).toBe('planted');
  });

  it('mode 0755 (only we may write) is used, and made 0700 on the next write', async () => {
    await cached('k', options(T0), upstream().fetch);
    chmodSync(dir, 0o755);
    const up = upstream();
    await cached('k', options(T0), up.fetch); // a hit
    await cached('other', options(T0), up.fetch); // a miss writes
    expect([up.calls, statSync(dir).mode & 0o777]).toEqual([1, 0o700]);
  });

  it('a folder that is a symlink is not used', async () => {
    const real = join(dir, '..', 'real');
    mkdirSync(real, { mode: 0o700 });
    symlinkSync(real, dir);
    const warnings: string[] = [];
    await cached('k', { ...options(T0), warn: (m) => warnings.push(m) }, upstream().fetch);
    await cached('k', { ...options(T0), warn: (m) => warnings.push(m) }, upstream().fetch);
    expect(readdirSync(real)).toEqual([]);
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toContain('it is not a folder');
  });

  it.each([
    ['the cache file', (file: string) => file],
    ['the lock file', (file: string) => `${file}.lock`],
  ])('a FIFO in place of %s neither blocks nor is served', async (_name, fifoPath) => {
    await cached('k', options(T0), upstream().fetch);
    const file = join(dir, readdirSync(dir)[0]!);
    rmSync(file);
    execFileSync('mkfifo', [fifoPath(file)]);
    const up = upstream();
    const entry = await cached('k', options(T0), up.fetch);
    expect([entry.credential?.password, up.calls, lstatSync(file).isFile()]).toEqual(['pw-1', 1, true]);
  });

  it('a file larger than a cache file can be is ignored', async () => {
    await cached('k', options(T0), upstream().fetch);
    const file = join(dir, readdirSync(dir)[0]!);
    const entry = JSON.parse(readFileSync(file, 'utf8'));
    writeFileSync(file, JSON.stringify({ ...entry, padding: ' '.repeat(70_000) }));
    const up = upstream();
    await cached('k', options(T0), up.fetch);
    expect(up.calls).toBe(1);
  });
});
