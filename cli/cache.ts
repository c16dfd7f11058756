/**
 * The client's per-user credential cache, shared by every helper and kubelet process of a user:
 * `$XDG_CACHE_HOME/regcred` (else `~/.cache/regcred`), one file per function URL + registry.
 *
 * A credential is served until its half-life, measured from when it was fetched, and never past
 * its expiry; a registry the function does not serve (its 404) is remembered for a minute, so a
 * node pulling public images does not call the function per pull. Processes that miss at once
 * share one call: the first takes a lock file (O_EXCL), the rest wait and read what it wrote.
 * Files are written to a temporary name and renamed, so a reader sees the old file or the new one,
 * never part of one.
 *
 * Whoever can write into the folder could hand us a credential (or a FIFO to hang on), so the
 * folder is used only while it is ours and writable by us alone (made 0700), and its files only
 * when they are regular files of ours, opened without following a link and without blocking. A
 * file that is not ours (corrupt, another format, another key, another owner, not a file) is
 * ignored and replaced. No cache trouble is fatal: at worst the process calls the function itself.
 *
 * Node built-ins only: this is the path of a cache hit, which must load no cloud SDK.
 */
import { chmodSync, closeSync, constants, fstatSync, lstatSync, mkdirSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { homedir, hostname } from 'node:os';
import { isAbsolute, join } from 'node:path';
import type { Credential } from './client.js';

export interface CacheEntry {
  /** Null: the function does not serve the registry (it answered 404). */
  credential: Credential | null;
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
  /** Told, once, why the folder is not used. */
  warn?: (message: string) => void;
}

// 2: `credential` may be null. Files of version 1 are ignored (and their credentials, whose
// expiry was not capped, fetched anew).
const VERSION = 2;
/** How long "the function does not serve this registry" is believed. */
export const NOT_SERVED_MS = 60_000;
/** A cache file is a few hundred bytes; anything larger is not ours. */
const MAX_FILE_BYTES = 64 * 1024;
/** Open flags for any file in the folder: a planted symlink is not followed, a planted FIFO does not block. */
const OPEN_FLAGS = constants.O_NOFOLLOW | constants.O_NONBLOCK;

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
  return now < entry.freshUntil && (entry.credential === null || now < Date.parse(entry.credential.expiresAt));
}

/**
 * The cached credential for `key`, or `fetch()`'s, stored for the other processes.
 * @example
 * import { fetchCredential } from './client.js';
 * const { credential } = await cached(`${url}\n${host}`, { dir, now: Date.now, staleLockMs: 35_000 }, () => fetchCredential(clientOptions, host));
 */
export async function cached(key: string, options: CacheOptions, fetch: () => Promise<Credential | null>): Promise<CacheEntry> {
  const { dir, now } = options;
  const fetchNow = async () => entryOf(await fetch(), now());
  const distrust = distrusted(dir);
  if (distrust) {
    options.warn?.(`not using the cache folder ${dir}: ${distrust}; asking the function (chmod 700 it, or remove it)`);
    return fetchNow();
  }
  const file = join(dir, `${fileNameOf(key)}.json`);
  const hit = readEntry(file, key, now());
  if (hit) return hit;

  if (!usableDir(dir)) return fetchNow();
  const lock = `${file}.lock`;
  // A monotonic clock: the wall clock may be stepped (or, in tests, stopped) while we wait.
  const started = performance.now();
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
    if (performance.now() - started > 2 * options.staleLockMs) return fetchNow();
  }
}

/**
 * The cache file's name for `key`: FNV-1a, 64 bits. Not a cryptographic hash, which would load
 * node:crypto (with its streams, a fifth of Node's start-up) on every hit; the key is stored in the
 * file and compared, so a clash costs a call, never a wrong credential.
 */
function fileNameOf(key: string): string {
  let hash = 0xcbf29ce484222325n;
  for (const byte of Buffer.from(key, 'utf8')) hash = ((hash ^ BigInt(byte)) * 0x100000001b3n) & 0xffffffffffffffffn;
  return hash.toString(16).padStart(16, '0');
}

function entryOf(credential: Credential | null, fetchedAt: number): CacheEntry {
  return { credential, fetchedAt, freshUntil: credential ? freshUntil(fetchedAt, Date.parse(credential.expiresAt)) : fetchedAt + NOT_SERVED_MS };
}

/**
 * Why the folder must not be read, or undefined: it is missing (nothing to read yet), or a folder
 * of ours that only we may write.
 */
function distrusted(dir: string): string | undefined {
  let stat;
  try {
    stat = lstatSync(dir);
  } catch {
    return undefined;
  }
  if (!stat.isDirectory()) return 'it is not a folder';
  if (process.getuid && stat.uid !== process.getuid()) return `it belongs to uid ${stat.uid}`;
  if (stat.mode & 0o022) return `others may write into it (mode ${(stat.mode & 0o777).toString(8).padStart(4, '0')})`;
  return undefined;
}

/** The open file `fd` is a regular file of ours, small enough to be a cache file. */
function isOurFile(fd: number): boolean {
  const stat = fstatSync(fd);
  return stat.isFile() && (!process.getuid || stat.uid === process.getuid()) && stat.size <= MAX_FILE_BYTES;
}

/** The entry in `file` if it is ours, for `key`, well-formed and fresh; else undefined. */
function readEntry(file: string, key: string, now: number): CacheEntry | undefined {
  let text: string;
  try {
    const fd = openSync(file, constants.O_RDONLY | OPEN_FLAGS);
    try {
      if (!isOurFile(fd)) return undefined;
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
  if (c === null) return { credential: null, fetchedAt: d.fetchedAt, freshUntil: d.freshUntil };
  if (typeof c !== 'object') return undefined;
  const { registry, username, password, expiresAt } = c;
  if (typeof registry !== 'string' || typeof username !== 'string' || typeof password !== 'string' || typeof expiresAt !== 'string') return undefined;
  if (Number.isNaN(Date.parse(expiresAt))) return undefined;
  return { credential: { registry, username, password, expiresAt }, fetchedAt: d.fetchedAt, freshUntil: d.freshUntil };
}

function writeEntry(dir: string, file: string, key: string, entry: CacheEntry): void {
  // O_EXCL keeps a clash from clobbering anything: a unique-enough name is all it takes.
  const temp = join(dir, `.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`);
  try {
    const fd = openSync(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | OPEN_FLAGS, 0o600);
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

/** The cache dir exists (made 0700 if not), is ours and only we may write into it; made 0700 if it is 0755 or so. */
function usableDir(dir: string): boolean {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    if (distrusted(dir)) return false;
    if ((lstatSync(dir).mode & 0o777) !== 0o700) chmodSync(dir, 0o700);
    return true;
  } catch {
    return false;
  }
}

function takeLock(lock: string): 'taken' | 'held' | 'unusable' {
  try {
    const fd = openSync(lock, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | OPEN_FLAGS, 0o600);
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

/** Older than `staleMs`, held by a process of this host that no longer exists, or not a lock file of ours at all. */
function lockIsStale(lock: string, staleMs: number): boolean {
  try {
    const fd = openSync(lock, constants.O_RDONLY | OPEN_FLAGS);
    let text: string;
    try {
      if (!isOurFile(fd)) return true;
      if (Date.now() - fstatSync(fd).mtimeMs > staleMs) return true;
      text = readFileSync(fd, 'utf8');
    } finally {
      closeSync(fd);
    }
    const [pid, host] = text.split(' ');
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
