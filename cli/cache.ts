/**
 * The client's per-user credential cache, shared by every helper and kubelet process of a user:
 * `$XDG_CACHE_HOME/regcred` (else `~/.cache/regcred`), one file per function URL + registry.
 *
 * A credential is served until its half-life, measured from when it was fetched, and never past
 * its expiry. Processes that miss at once share one call: the first takes a lock file (O_EXCL),
 * the rest wait and read what it wrote. Files are written to a temporary name and renamed, so a
 * reader sees the old file or the new one, never part of one. A file that is not ours (corrupt,
 * another format, another key, another owner) is ignored and replaced. No cache trouble is fatal:
 * at worst the process calls the function itself.
 *
 * Node built-ins only: this is the path of a cache hit, which must load no cloud SDK.
 */
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, closeSync, constants, fstatSync, lstatSync, mkdirSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { homedir, hostname } from 'node:os';
import { isAbsolute, join } from 'node:path';
import type { Credential } from './client.js';

export interface CacheEntry {
  credential: Credential;
  /** Epoch ms (the client's clock) when the function answered. */
  fetchedAt: number;
  /** Epoch ms of the half-life: served until then. */
  freshUntil: number;
}

export interface CacheOptions {
  dir: string;
  /** The client's clock (epoch ms); injectable so tests can step past a half-life. */
  now: () => number;
  /** A lock older than this is taken over (its holder's call is bounded by the client timeout). */
  staleLockMs: number;
  pollMs?: number;
}

const VERSION = 1;

/**
 * `$XDG_CACHE_HOME/regcred`, else `~/.cache/regcred` (XDG: a relative XDG_CACHE_HOME is ignored).
 * @example cacheDir({ XDG_CACHE_HOME: '/run/user/1000/cache' }) // '/run/user/1000/cache/regcred'
 */
export function cacheDir(env: NodeJS.ProcessEnv, home: () => string = homedir): string {
  const xdg = env.XDG_CACHE_HOME;
  return join(xdg && isAbsolute(xdg) ? xdg : join(home(), '.cache'), 'regcred');
}

/**
 * When a credential fetched at `fetchedAt` stops being served: its half-life.
 * @example freshUntil(0, 12 * 3_600_000) // 6 * 3_600_000
 */
export function freshUntil(fetchedAt: number, expiresAt: number): number {
  return fetchedAt + Math.floor((expiresAt - fetchedAt) / 2);
}

/** Served iff before the half-life and before expiry (the latter guards a clock that moved back). */
export function isFresh(entry: CacheEntry, now: number): boolean {
  return now < entry.freshUntil && now < Date.parse(entry.credential.expiresAt);
}

/**
 * The cached credential for `key`, or `fetch()`'s, stored for the other processes.
 * @example const { credential } = await cached(`${url}\n${host}`, { dir, now: Date.now, staleLockMs: 35_000 }, () => fetchCredential(client, host));
 */
export async function cached(key: string, options: CacheOptions, fetch: () => Promise<Credential>): Promise<CacheEntry> {
  const { dir, now } = options;
  const file = join(dir, `${createHash('sha256').update(key).digest('hex').slice(0, 40)}.json`);
  const hit = readEntry(file, key, now());
  if (hit) return hit;

  const fetchNow = async () => entryOf(await fetch(), now());
  if (!usableDir(dir)) return fetchNow();
  const lock = `${file}.lock`;
  const started = Date.now();
  for (;;) {
    const taken = takeLock(lock);
    if (taken === 'unusable') return fetchNow();
    if (taken === 'taken') {
      try {
        const again = readEntry(file, key, now());
        if (again) return again;
        const entry = await fetchNow();
        if (isFresh(entry, entry.fetchedAt)) writeEntry(dir, file, key, entry);
        return entry;
      } finally {
        removeQuietly(lock);
      }
    }
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 20));
    const written = readEntry(file, key, now());
    if (written) return written;
    // Two waiters may both judge a dead holder's lock stale, and the second may remove the lock the
    // first just took: the cost is one extra call, never a torn file (writes are renames).
    if (lockIsStale(lock, options.staleLockMs)) removeQuietly(lock);
    // Never wait forever on a lock that keeps coming back: call the function ourselves.
    if (Date.now() - started > 2 * options.staleLockMs) return fetchNow();
  }
}

function entryOf(credential: Credential, fetchedAt: number): CacheEntry {
  return { credential, fetchedAt, freshUntil: freshUntil(fetchedAt, Date.parse(credential.expiresAt)) };
}

/** The entry in `file` if it is ours, for `key`, well-formed and fresh; else undefined. */
function readEntry(file: string, key: string, now: number): CacheEntry | undefined {
  let text: string;
  try {
    // O_NOFOLLOW: a symlink planted in the cache dir is not followed.
    const fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW);
    try {
      const stat = fstatSync(fd);
      if (!stat.isFile() || (process.getuid && stat.uid !== process.getuid())) return undefined;
      text = readFileSync(fd, 'utf8');
    } finally {
      closeSync(fd);
    }
  } catch {
    return undefined;
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return undefined;
  }
  const entry = parseEntry(data, key);
  return entry && isFresh(entry, now) ? entry : undefined;
}

function parseEntry(data: unknown, key: string): CacheEntry | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  const d = data as Record<string, unknown>;
  const c = d.credential as Record<string, unknown> | undefined;
  if (d.v !== VERSION || d.key !== key || typeof d.fetchedAt !== 'number' || typeof d.freshUntil !== 'number') return undefined;
  if (typeof c !== 'object' || c === null) return undefined;
  const { registry, username, password, expiresAt } = c;
  if (typeof registry !== 'string' || typeof username !== 'string' || typeof password !== 'string' || typeof expiresAt !== 'string') return undefined;
  if (Number.isNaN(Date.parse(expiresAt))) return undefined;
  return { credential: { registry, username, password, expiresAt }, fetchedAt: d.fetchedAt, freshUntil: d.freshUntil };
}

function writeEntry(dir: string, file: string, key: string, entry: CacheEntry): void {
  const temp = join(dir, `.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const fd = openSync(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
    try {
      writeSync(fd, JSON.stringify({ v: VERSION, key, ...entry }));
    } finally {
      closeSync(fd);
    }
    renameSync(temp, file);
  } catch {
    removeQuietly(temp); // a cache we cannot write is only a slower client
  }
}

/** The cache dir exists, is ours and is 0700 (made so if needed). */
function usableDir(dir: string): boolean {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const stat = lstatSync(dir);
    if (!stat.isDirectory() || (process.getuid && stat.uid !== process.getuid())) return false;
    if ((stat.mode & 0o777) !== 0o700) chmodSync(dir, 0o700);
    return true;
  } catch {
    return false;
  }
}

function takeLock(lock: string): 'taken' | 'held' | 'unusable' {
  try {
    const fd = openSync(lock, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
    try {
      writeSync(fd, `${process.pid} ${hostname()}`);
    } finally {
      closeSync(fd);
    }
    return 'taken';
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EEXIST' ? 'held' : 'unusable';
  }
}

/** Older than `staleMs`, or held by a process of this host that no longer exists. */
function lockIsStale(lock: string, staleMs: number): boolean {
  try {
    if (Date.now() - statSync(lock).mtimeMs > staleMs) return true;
    const [pid, host] = readFileSync(lock, 'utf8').split(' ');
    if (host !== hostname() || !pid || !/^\d+$/.test(pid)) return false;
    try {
      process.kill(Number(pid), 0);
      return false;
    } catch (err) {
      return (err as NodeJS.ErrnoException).code === 'ESRCH';
    }
  } catch {
    return false;
  }
}

function removeQuietly(file: string): void {
  try {
    unlinkSync(file);
  } catch {
    // already gone
  }
}
