#!/usr/bin/env node
/**
 * regcred's client. Every command signs with the caller's own cloud identity (that cloud's standard
 * credential chain) for the function URL / HTTP trigger that serves the registry asked for: the
 * config file's entry for that host (cli/config.ts), else --url or REGCRED_URL; the cloud comes
 * from the entry, else the URL's host, else --cloud / REGCRED_CLOUD, else AWS. On Alibaba Cloud,
 * --invoke NAME[:QUALIFIER] (REGCRED_INVOKE, an entry's "invoke") calls the function through FC's
 * InvokeFunction instead, --url being FC's API endpoint https://<account-id>.<region>.fc.aliyuncs.com
 * (cli/invoke.ts). What the client trusts of a function and its answers is cli/trust.ts.
 *
 *   regcred get [--registry HOST] [--format F] [--name N] [--namespace NS]
 *   regcred login --registry HOST [--authfile F | --docker]   write the login into the auth file (or docker login)
 *   regcred logout --registry HOST [--authfile F]   take it out again
 *   regcred docker-credential get|store|erase|list   the Docker credential-helper protocol
 *   docker-credential-regcred get|store|erase|list   the same, by the name Docker and podman call
 *   regcred kubelet                          a kubelet image credential provider (request on stdin)
 *
 * `docker-credential … get` and `kubelet` answer from the per-user cache (cli/cache.ts) until the
 * credential's half-life. A cache hit runs only our own small modules and node built-ins: the cloud
 * SDKs load on the first signed call (cli/sign/).
 *
 * The local server is not a client command: it runs the handlers against the emulators, from a
 * checkout of regcred (`npm start`, dev/serve.ts).
 */
import { readSync, writeSync } from 'node:fs';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { goDuration } from '../core/formats.js';
import { authFilePath, removeLogin, writeLogin } from './authfile.js';
import { cached, cacheDir } from './cache.js';
import { fetchCredential, getSigned, registryOf, type ClientOptions, type Credential } from './client.js';
import { functionFor, loadConfig, type RegcredConfig } from './config.js';
import { describeError, RegcredClientError, UntrustedAnswerError, UsageError } from './errors.js';
import { cloudOf } from './sign/index.js';
import { printable, printableValue, registriesNamed, requireTrustedUrl } from './trust.js';

const USAGE = 'usage: regcred get|login|logout|docker-credential|kubelet [options] (see README)';
/** What `regcred serve` (a client command until the local server moved to dev/) says now. */
const NOT_SERVE = "serve is not a client command: the local server runs from a checkout of regcred, with npm start (dev/serve.ts; README, Try it locally)";
const HELPER_NAME = 'docker-credential-regcred';
const NOT_FOUND = 'credentials not found in native keychain';
const KUBELET_API_VERSIONS = ['credentialprovider.kubelet.k8s.io/v1', 'credentialprovider.kubelet.k8s.io/v1beta1', 'credentialprovider.kubelet.k8s.io/v1alpha1'];

async function main(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const [command, ...rest] = argv;
  if (command === 'serve') throw new UsageError(NOT_SERVE);
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      url: { type: 'string' },
      invoke: { type: 'string' },
      cloud: { type: 'string' },
      region: { type: 'string' },
      registry: { type: 'string' },
      format: { type: 'string' },
      name: { type: 'string' },
      namespace: { type: 'string' },
      authfile: { type: 'string' },
      docker: { type: 'boolean' },
    },
  });

  if (command === 'logout') return logout(values.registry, authFilePath(values.authfile, env));
  if (!['get', 'login', 'docker-credential', 'kubelet'].includes(command ?? '')) throw new UsageError(USAGE);
  // store, erase and list never call the function: Docker may run them where REGCRED_URL is unset.
  if (command === 'docker-credential' && positionals[0] !== 'get') return dockerCredential(positionals[0], undefined);
  const timeoutMs = Number(env.REGCRED_TIMEOUT_MS || 30_000);
  if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) throw new UsageError(`REGCRED_TIMEOUT_MS must be a positive whole number of milliseconds, not '${env.REGCRED_TIMEOUT_MS}'`);
  const clientFor = functionPicker(values, env, timeoutMs);
  const registry = values.registry ? registryOf(values.registry) : undefined;

  switch (command) {
    case 'get':
      return get(clientFor, registry, values);
    case 'login':
      return login(clientFor, registry, values.docker ? undefined : authFilePath(values.authfile, env));
    case 'docker-credential':
      return dockerCredential(positionals[0], cachedCredential(clientFor, env, timeoutMs));
    case 'kubelet':
      return kubelet(cachedCredential(clientFor, env, timeoutMs));
    default:
      throw new UsageError(USAGE);
  }
}

interface Flags {
  url?: string | undefined;
  invoke?: string | undefined;
  cloud?: string | undefined;
  region?: string | undefined;
}

/** The function that serves a registry host, or undefined when none does; `undefined` host: the one of --url. */
type ClientFor = (registry: string | undefined) => ClientOptions | undefined;

/**
 * The function for a registry: the config file's entry for the host, else --url / REGCRED_URL
 * (Docker and kubelet run the helper with no flags: everything also comes from the environment).
 * With a config file that names none for the host and no URL, no function serves it (undefined):
 * nothing is asked.
 */
function functionPicker(flags: Flags, env: NodeJS.ProcessEnv, timeoutMs: number): ClientFor {
  let config: RegcredConfig | undefined;
  let loaded = false;
  return (registry) => {
    if (registry !== undefined && !loaded) {
      config = loadConfig(env);
      loaded = true;
    }
    const entry = config && registry !== undefined ? functionFor(config, registry) : undefined;
    if (entry) {
      const url = new URL(entry.url); // checked when the file was read
      const cloud = entry.invoke ? 'alibaba' : (entry.cloud ?? cloudOf(url, undefined));
      return { url: entry.url, cloud, ...(entry.invoke && { invoke: entry.invoke }), ...(flags.region && { region: flags.region }), timeoutMs };
    }
    const url = flags.url ?? env.REGCRED_URL;
    const invoke = flags.invoke || env.REGCRED_INVOKE || undefined;
    if (!url) {
      if (config) return undefined;
      throw new UsageError(`--url (or REGCRED_URL) is required: ${invoke ? "FC's endpoint https://<account-id>.<region>.fc.aliyuncs.com" : 'the regcred function URL'}`);
    }
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new UsageError(`--url (or REGCRED_URL) is not a URL: ${url}`);
    }
    requireTrustedUrl(parsed, '--url (or REGCRED_URL)');
    return {
      url,
      cloud: invoke ? invokeCloud(parsed, flags.cloud ?? env.REGCRED_CLOUD) : cloudOf(parsed, flags.cloud ?? env.REGCRED_CLOUD),
      ...(invoke && { invoke }),
      ...(flags.region && { region: flags.region }),
      timeoutMs,
    };
  };
}

/** The function for `registry`, which must exist (get --registry, login). */
function requireClient(clientFor: ClientFor, registry: string | undefined): ClientOptions {
  const client = clientFor(registry);
  if (!client) throw new UsageError(`no regcred function for ${registry}: the config file names none for it, and there is no --url (or REGCRED_URL)`);
  return client;
}

/** InvokeFunction is FC's API: --invoke means Alibaba Cloud, and no other cloud may be named. */
function invokeCloud(url: URL, named: string | undefined): 'alibaba' {
  const cloud = cloudOf(url, named || 'alibaba');
  if (cloud !== 'alibaba') throw new UsageError(`--invoke (or REGCRED_INVOKE) calls Alibaba Cloud FC's InvokeFunction, not ${cloud}`);
  return cloud;
}

/** Any route and format, printed; with --registry, an answer naming another registry is refused. */
async function get(clientFor: ClientFor, registry: string | undefined, values: { format?: string | undefined; name?: string | undefined; namespace?: string | undefined }): Promise<number> {
  const query: Record<string, string> = {};
  for (const key of ['format', 'name', 'namespace'] as const) if (values[key]) query[key] = values[key];
  const body = await getSigned(requireClient(clientFor, registry), registry ? `/credentials/${encodeURIComponent(registry)}` : '/credentials', query);
  if (registry) {
    const named = registriesNamed(body, query.format ?? 'json');
    if (!named.length || named.some((r) => r.toLowerCase() !== registry)) {
      throw new UntrustedAnswerError(`the function answered for ${named.length ? named.map((r) => `'${printable(r).slice(0, 100)}'`).join(', ') : 'no registry'} when asked for ${registry}: refused`);
    }
  }
  print(body);
  return 0;
}

/** A credential (null: no function serves the registry) and until when the cache holds it. */
type CredentialFor = (registry: string) => Promise<{ credential: Credential | null; freshUntil: number; now: number }>;

/** A credential from the per-user cache, else from the function (then cached for the others; a 404 for a minute). */
function cachedCredential(clientFor: ClientFor, env: NodeJS.ProcessEnv, timeoutMs: number): CredentialFor {
  const warn = (message: string) => say(2, `regcred: ${message}`);
  return async (registry) => {
    const client = clientFor(registry);
    if (!client) return { credential: null, freshUntil: 0, now: Date.now() };
    // An invoked function is part of the key: one FC endpoint serves every function of the account.
    const key = JSON.stringify([client.cloud, client.url.replace(/\/+$/, ''), registry, ...(client.invoke ? [client.invoke] : [])]);
    const fetch = async () => {
      try {
        return await fetchCredential(client, registry);
      } catch (err) {
        if (err instanceof RegcredClientError && err.status === 404) return null;
        throw err;
      }
    };
    const entry = await cached(key, { dir: cacheDir(env), now: Date.now, staleLockMs: timeoutMs + 5_000, warn }, fetch);
    return { ...entry, now: Date.now() };
  };
}

/** The Docker credential-helper protocol: `get` reads a server URL on stdin. Minted credentials are never stored. */
async function dockerCredential(action: string | undefined, credentialFor: CredentialFor | undefined): Promise<number> {
  switch (action) {
    case 'get': {
      if (!credentialFor) throw new UsageError('docker-credential get needs --url (or REGCRED_URL)');
      const registry = registryOf((await readStdin()).trim());
      const { credential } = await credentialFor(registry);
      if (!credential) {
        // What Docker's own helpers say, so Docker goes on anonymously.
        write(1, `${NOT_FOUND}\n`);
        return 1;
      }
      print({ ServerURL: registry, Username: credential.username, Secret: credential.password });
      return 0;
    }
    case 'list':
      print({});
      return 0;
    case 'store':
    case 'erase':
      await readStdin();
      return 0;
    default:
      throw new UsageError('docker-credential needs get, store, erase or list');
  }
}

/** A kubelet CredentialProviderRequest on stdin → a CredentialProviderResponse cached until the half-life. */
async function kubelet(credentialFor: CredentialFor): Promise<number> {
  let request: { apiVersion?: unknown; image?: unknown };
  try {
    request = JSON.parse(await readStdin()) as typeof request;
  } catch {
    throw new UsageError('kubelet: stdin is not a CredentialProviderRequest (JSON)');
  }
  if (typeof request?.image !== 'string') throw new UsageError('kubelet: the CredentialProviderRequest has no image');
  const apiVersion = typeof request.apiVersion === 'string' && KUBELET_API_VERSIONS.includes(request.apiVersion) ? request.apiVersion : KUBELET_API_VERSIONS[0];
  const registry = registryOf(request.image);
  const response = { kind: 'CredentialProviderResponse', apiVersion, cacheKeyType: 'Registry' };
  const { credential, freshUntil, now } = await credentialFor(registry);
  if (!credential) {
    // Not ours: no credentials, so kubelet pulls anonymously.
    print({ ...response, auth: {} });
    return 0;
  }
  const { username, password } = credential;
  print({ ...response, cacheDuration: goDuration(freshUntil - now), auth: { [registry]: { username, password } } });
  return 0;
}

async function login(clientFor: ClientFor, registry: string | undefined, authFile: string | undefined): Promise<number> {
  if (!registry) throw new UsageError('login needs --registry HOST');
  const c = await fetchCredential(requireClient(clientFor, registry), registry);
  if (authFile === undefined) return dockerLogin(c.registry, c.username, c.password);
  const written = writeLogin(authFile, c.registry, c.username, c.password);
  if (written.shadowedBy) say(2, `regcred: note: ${written.file} names ${written.shadowedBy} for ${c.registry}; clients ask it before this login`);
  say(1, `Login Succeeded: ${c.registry} (${written.file}, valid until ${c.expiresAt})`);
  return 0;
}

/** Take the registry's login out of the auth file (what `login` wrote, or `docker login`). */
function logout(registry: string | undefined, authFile: string): number {
  if (!registry) throw new UsageError('logout needs --registry HOST');
  const host = registryOf(registry);
  const { file, removed } = removeLogin(authFile, host);
  say(1, removed ? `Removed login credentials for ${host} from ${file}` : `Not logged in to ${host} (${file})`);
  return 0;
}

async function dockerLogin(registry: string, username: string, password: string): Promise<number> {
  // Loaded here: node:child_process alone costs a cache hit ~10 % of Node's start-up.
  const { spawn } = await import('node:child_process');
  return new Promise((resolve, reject) => {
    const child = spawn('docker', ['login', '--username', username, '--password-stdin', registry], { stdio: ['pipe', 'inherit', 'inherit'] });
    child.on('error', (err) => reject(new Error(`cannot run docker (${(err as NodeJS.ErrnoException).code ?? err.message}); without --docker, login writes the auth file itself`)));
    child.on('exit', (code) => resolve(code ?? 1));
    child.stdin.end(password);
  });
}

/** A JSON answer on stdout; strings from the function may carry terminal escapes, so none are printed. */
function print(value: unknown): void {
  write(1, JSON.stringify(printableValue(value), null, 2) + '\n');
}

/** One line of text, without the control characters any part of it (a host, a file name) may carry. */
function say(fd: 1 | 2, line: string): void {
  write(fd, `${printable(line)}\n`);
}

/** Whether stdout / stderr went over to their streams (see {@link write}). */
const streaming = { 1: false, 2: false };

/**
 * Write to stdout (1) or stderr (2) with write(2): process.stdout on a pipe is a net.Socket, whose
 * modules cost a cache hit a fifth of Node's start-up. Only a non-blocking pipe that is full
 * (EAGAIN) gets the rest, and all that follows, through the stream.
 */
function write(fd: 1 | 2, text: string): void {
  let rest = Buffer.from(text);
  while (rest.length && !streaming[fd]) {
    try {
      rest = rest.subarray(writeSync(fd, rest));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') throw err;
      streaming[fd] = true;
    }
  }
  if (rest.length) (fd === 1 ? process.stdout : process.stderr).write(rest);
}

/**
 * All of stdin. Read synchronously: setting up process.stdin as a stream costs a cache hit about a
 * third of Node's start-up. Only a non-blocking stdin (EAGAIN; not what Docker, podman or kubelet
 * give a helper) is read the slow way, from where the fast way stopped.
 */
async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  const buffer = Buffer.alloc(64 * 1024);
  for (;;) {
    let n: number;
    try {
      n = readSync(0, buffer);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EOF') break;
      if (code !== 'EAGAIN') throw new UsageError(`cannot read stdin (${code ?? (err as Error).message})`);
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      break;
    }
    if (n === 0) break;
    chunks.push(Buffer.from(buffer.subarray(0, n)));
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Called as docker-credential-regcred (a symlink or copy of this program), speak only the helper protocol. */
const invokedAs = basename(process.argv[1] ?? '').replace(/\.(c?js|ts)$/, '');
const argv = invokedAs === HELPER_NAME ? ['docker-credential', ...process.argv.slice(2)] : process.argv.slice(2);

main(argv, process.env).then(
  (code) => (process.exitCode = code),
  (err: unknown) => {
    // Error messages carry what the function said: printed without its control characters.
    const line = `regcred: ${printable(describeError(err))}\n`;
    process.exitCode = err instanceof UsageError ? 2 : 1;
    try {
      write(2, line);
      // Docker and containers/image show a failed helper's stdout, not its stderr.
      if (argv[0] === 'docker-credential') write(1, line);
    } catch {
      // stdout or stderr closed: the exit code is all that is left to say it
    }
  },
);
