/**
 * A real registry for tests: Debian's docker-registry (distribution 2.8) with htpasswd auth, or in
 * token-auth mode behind a token service (test/support/token-realm.ts) that decides what each
 * login may do, serving HTTPS on 127.0.0.1 with a certificate from the test run's throwaway CA.
 * The tools come from scripts/registry.sh, which unpacks them into .cache/registry without a daemon.
 */
import { spawn } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const PROJECT_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const REGISTRY_SCRIPT = join(PROJECT_DIR, 'scripts/registry.sh');
/** Set by test/support/global-setup.ts: the folder holding the test run's CA (ca.crt, ca.key). */
export const TEST_CA_DIR_ENV = 'REGCRED_TEST_CA_DIR';

const START_TIMEOUT_MS = 15_000;
const STOP_TIMEOUT_MS = 5_000;

export interface RegistryUser {
  username: string;
  password: string;
}

/** Token-auth mode: the registry sends clients to `realm` and trusts tokens signed by `rootCertBundle`'s key. */
export interface RegistryTokenAuth {
  realm: string;
  /** The registry's name in token requests and the tokens' `aud`. */
  service: string;
  issuer: string;
  /** PEM file of the token signer's certificate. */
  rootCertBundle: string;
}

export interface StartRegistryOptions {
  /** htpasswd users (htpasswd mode, the default). */
  users?: RegistryUser[];
  /** Token-auth mode instead of htpasswd. */
  token?: RegistryTokenAuth;
  /** HTTPS with a cert for 127.0.0.1 (default). `false` serves plain HTTP. */
  tls?: boolean;
}

export interface LocalRegistry {
  /** `127.0.0.1:<port>`, as a registry host in a credential. */
  host: string;
  /** The CA that signed the server certificate (PEM). */
  caFile: string;
  /** A folder holding only `ca.crt`, for skopeo's `--src-cert-dir` / `--dest-cert-dir`. */
  certDir: string;
  /** How long from spawning the process until `/v2/` answered 401. */
  startupMs: number;
  /** Add (or replace) a user; docker-registry 2.8 re-reads htpasswd, so no restart is needed (htpasswd mode only). */
  addUser(user: RegistryUser): Promise<void>;
  stop(): Promise<void>;
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run a program to the end; `input` goes to its stdin (so secrets never appear in argv). */
export function run(
  file: string,
  args: string[],
  options: { input?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<RunResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(file, args, {
      env: options.env ?? process.env,
      stdio: ['pipe', 'pipe', 'pipe'],
      timeout: options.timeoutMs ?? 120_000,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code, signal) => resolvePromise({ code: code ?? (signal ? 128 : 1), stdout, stderr }));
    // A program that exits without reading its input (a failed start) closes the pipe: EPIPE on
    // stdin is then that program's exit, which 'close' reports with its code, not a test crash.
    child.stdin.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EPIPE') reject(err);
    });
    child.stdin.end(options.input ?? '');
  });
}

export async function script(args: string[]): Promise<string> {
  const result = await run('bash', [REGISTRY_SCRIPT, ...args]);
  if (result.code !== 0) throw new Error(`scripts/registry.sh ${args[0]} failed (${result.code}): ${result.stderr.trim()}`);
  return result.stdout;
}

/**
 * The test run's CA folder; throws when the vitest global setup did not run, because then Node's
 * fetch cannot trust the registry's certificate (NODE_EXTRA_CA_CERTS is read only at process start).
 */
export function requireTestCa(): { caDir: string; caFile: string } {
  const caDir = process.env[TEST_CA_DIR_ENV];
  if (!caDir) {
    throw new Error(`${TEST_CA_DIR_ENV} is not set: add test/support/global-setup.ts to vitest's globalSetup`);
  }
  return { caDir, caFile: join(caDir, 'ca.crt') };
}

export interface RegistryTools {
  /** Folder with docker-registry, skopeo and htpasswd. */
  bin: string;
  /** process.env plus PATH and LD_LIBRARY_PATH for the unpacked tools. */
  env: NodeJS.ProcessEnv;
}

let tools: Promise<RegistryTools> | undefined;

/** Install the tools (idempotent, fast when done) and return where they are. */
export function registryTools(): Promise<RegistryTools> {
  tools ??= script(['paths']).then((out) => {
    const line = (key: string) => out.split('\n').find((l) => l.startsWith(`${key} `))?.slice(key.length + 1) ?? '';
    const bin = line('bin');
    const lib = line('lib');
    const env: NodeJS.ProcessEnv = { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}` };
    if (lib) env.LD_LIBRARY_PATH = [lib, process.env.LD_LIBRARY_PATH].filter(Boolean).join(':');
    return { bin, env };
  });
  return tools;
}

/**
 * Make `server.crt`/`server.key` for 127.0.0.1 in `dir`, signed by the test run's CA when the
 * global setup made one (so Node trusts it through NODE_EXTRA_CA_CERTS), else by a new CA in `dir`.
 */
export async function makeServerCert(dir: string): Promise<{ certFile: string; keyFile: string; caFile: string }> {
  const caDir = process.env[TEST_CA_DIR_ENV] || dir;
  await script(['cert', dir, caDir]);
  return { certFile: join(dir, 'server.crt'), keyFile: join(dir, 'server.key'), caFile: join(caDir, 'ca.crt') };
}

/** Write `user`'s bcrypt hash into the htpasswd file (created if missing). */
export async function writeHtpasswd(file: string, user: RegistryUser): Promise<void> {
  const { env } = await registryTools();
  const result = await run('htpasswd', ['-B', '-i', file, user.username], { input: user.password, env });
  if (result.code !== 0) throw new Error(`htpasswd failed for user ${user.username}: ${result.stderr.trim()}`);
}

/**
 * Start a real docker-registry on an ephemeral port of 127.0.0.1 and wait until it challenges.
 * @example
 * const registry = await startRegistry({ users: [{ username: 'ci', password: 's3cret' }] });
 * // ... https://${registry.host}/v2/ ...
 * await registry.stop();
 */
export async function startRegistry(options: StartRegistryOptions): Promise<LocalRegistry> {
  const tls = options.tls ?? true;
  const users = options.users ?? [];
  if (options.token && users.length) throw new Error('startRegistry: a token-auth registry has no htpasswd users');
  const { bin, env } = await registryTools();
  const dir = await mkdtemp(join(tmpdir(), 'regcred-registry-'));
  const certDir = join(dir, 'certs.d');
  await mkdir(join(dir, 'storage'));
  await mkdir(certDir);
  const { caFile } = await makeServerCert(dir);
  // Only ca.crt: skopeo treats *.key in a cert dir as a client key and fails without its *.cert.
  await copyFile(caFile, join(certDir, 'ca.crt'));
  const htpasswd = join(dir, 'htpasswd');
  await writeFile(htpasswd, '');
  for (const user of users) await writeHtpasswd(htpasswd, user);
  const token = options.token;
  const auth = token ? ['token', token.realm, token.service, token.issuer, token.rootCertBundle] : ['htpasswd'];
  await script(['config', dir, '0', tls ? 'tls' : 'plain', ...auth]);

  const started = performance.now();
  const child = spawn(join(bin, 'docker-registry'), ['serve', join(dir, 'config.yml')], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  let log = '';
  const address = new Promise<string>((done, fail) => {
    const onData = (chunk: string) => {
      log += chunk;
      // Port 0 lets the kernel choose; the registry logs the address it really bound.
      const match = /listening on (127\.0\.0\.1:\d+)/.exec(log);
      if (match?.[1]) done(match[1]);
    };
    child.stdout.setEncoding('utf8').on('data', onData);
    child.stderr.setEncoding('utf8').on('data', onData);
    child.once('exit', (code) => fail(new Error(`docker-registry exited (${code}) before listening:\n${log}`)));
    child.once('error', fail);
  });

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      await exited;
      clearTimeout(timer);
    }
    await rm(dir, { recursive: true, force: true });
  };

  try {
    const host = await withTimeout(address, START_TIMEOUT_MS, 'docker-registry did not report its address');
    await waitForChallenge(host, tls ? readFileSync(caFile) : undefined, started + START_TIMEOUT_MS);
    return {
      host,
      caFile,
      certDir,
      startupMs: Math.round(performance.now() - started),
      addUser: async (user) => {
        if (token) throw new Error('a token-auth registry has no htpasswd users: bind the login in the token service');
        await writeHtpasswd(htpasswd, user);
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** Poll `/v2/` until it answers 401 (auth is wired up), trusting only `ca`. */
async function waitForChallenge(host: string, ca: Buffer | undefined, deadline: number): Promise<void> {
  let last = 'no answer';
  while (performance.now() < deadline) {
    try {
      const status = await getStatus(`${ca ? 'https' : 'http'}://${host}/v2/`, ca);
      if (status === 401) return;
      last = `HTTP ${status}`;
    } catch (err) {
      last = String(err);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`registry at ${host} did not answer 401 on /v2/ in time (${last})`);
}

async function getStatus(url: string, ca: Buffer | undefined): Promise<number> {
  if (!ca) {
    const res = await fetch(url);
    await res.body?.cancel();
    return res.status;
  }
  return new Promise((done, fail) => {
    const req = request(url, { ca, timeout: 2_000 }, (res) => {
      res.resume();
      done(res.statusCode ?? 0);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', fail);
    req.end();
  });
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, fail) => (timer = setTimeout(() => fail(new Error(message)), ms)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
