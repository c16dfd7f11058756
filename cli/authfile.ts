/**
 * `regcred login` without Docker: the credential goes straight into the auth file that Docker,
 * podman, skopeo and crane read, keeping everything else in it (other `auths`, `credHelpers`,
 * `credsStore`, keys we do not know); `regcred logout` takes one registry's entry out again. The
 * new file is written beside the old one and renamed over it, so a login or logout killed half-way
 * leaves the old file as it was.
 */
import { closeSync, constants, fsyncSync, mkdirSync, openSync, readFileSync, realpathSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { registryOf } from './client.js';
import { UsageError } from './errors.js';

/**
 * The auth file: `--authfile`, else `$REGISTRY_AUTH_FILE` (podman, skopeo), else
 * `$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`.
 * @example authFilePath(undefined, { DOCKER_CONFIG: '/ci/docker' }) // '/ci/docker/config.json'
 */
export function authFilePath(flag: string | undefined, env: NodeJS.ProcessEnv, home: () => string = homedir): string {
  if (flag) return flag;
  if (env.REGISTRY_AUTH_FILE) return env.REGISTRY_AUTH_FILE;
  if (env.DOCKER_CONFIG) return join(env.DOCKER_CONFIG, 'config.json');
  return join(home(), '.docker', 'config.json');
}

export interface LoginResult {
  /** The file written (a symlinked auth file is written where it points). */
  file: string;
  /** A credential helper the file names for this registry, which clients ask before `auths`. */
  shadowedBy?: string;
}

/**
 * Put `registry`'s login into the auth file `path` (created 0600 if missing), atomically.
 * @example writeLogin('/home/me/.docker/config.json', '123456789012.dkr.ecr.us-east-1.amazonaws.com', 'AWS', password)
 */
export function writeLogin(path: string, registry: string, username: string, password: string): LoginResult {
  const file = resolveLink(path);
  const config = readConfig(file);
  config.auths = { ...authsOf(config, file), [registry]: { auth: Buffer.from(`${username}:${password}`).toString('base64') } };
  writeAtomically(file, config);
  const helper = (config.credHelpers as Record<string, unknown> | undefined)?.[registry] ?? config.credsStore;
  return { file, ...(typeof helper === 'string' && { shadowedBy: `docker-credential-${helper}` }) };
}

/**
 * Take `registry`'s login out of the auth file `path`: every `auths` key naming that host
 * (`r.example`, `https://r.example`, `https://r.example/v2/`), nothing else. A file without one is
 * left untouched (and not created).
 * @example removeLogin('/home/me/.docker/config.json', '123456789012.dkr.ecr.us-east-1.amazonaws.com') // { file, removed: true }
 */
export function removeLogin(path: string, registry: string): { file: string; removed: boolean } {
  const file = resolveLink(path);
  const config = readConfig(file);
  const auths = authsOf(config, file);
  const kept = Object.entries(auths).filter(([key]) => registryOf(key) !== registry.toLowerCase());
  if (kept.length === Object.keys(auths).length) return { file, removed: false };
  config.auths = Object.fromEntries(kept);
  writeAtomically(file, config);
  return { file, removed: true };
}

function authsOf(config: Record<string, unknown>, file: string): Record<string, unknown> {
  const auths = config.auths ?? {};
  if (typeof auths !== 'object' || auths === null || Array.isArray(auths)) throw new UsageError(`${file}: "auths" is not an object; not touching the file`);
  return auths as Record<string, unknown>;
}

/** Write `config` to a new file beside `file` (0600), then rename it over `file`. */
function writeAtomically(file: string, config: Record<string, unknown>): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  // O_EXCL keeps a clash from clobbering anything (node:crypto is not loaded for a name: cli/cache.ts says why).
  const temp = join(dirname(file), `.${basename(file)}.regcred-${process.pid}-${Math.random().toString(36).slice(2)}.tmp`);
  try {
    const fd = openSync(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
    try {
      writeSync(fd, `${JSON.stringify(config, null, '\t')}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, file);
  } catch (err) {
    try {
      unlinkSync(temp);
    } catch {
      // never created
    }
    throw new Error(`cannot write ${file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
}

function readConfig(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new Error(`cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  if (text.trim() === '') return {};
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    // Never replace a file we cannot read back: it may hold the user's other logins.
    throw new UsageError(`${file} is not valid JSON; not touching it`);
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw new UsageError(`${file} is not a JSON object; not touching it`);
  return data as Record<string, unknown>;
}

/** Docker writes through a symlinked config.json to its target; so do we. */
function resolveLink(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}
