#!/usr/bin/env node
/**
 * regcred's client. Every command signs with the caller's own cloud identity (that cloud's standard
 * credential chain) for the function URL / HTTP trigger in --url or REGCRED_URL; the cloud comes
 * from the URL's host, else --cloud / REGCRED_CLOUD, else AWS. On Alibaba Cloud, --invoke NAME[:QUALIFIER]
 * (REGCRED_INVOKE) calls the function through FC's InvokeFunction instead, --url being FC's API
 * endpoint https://<account-id>.<region>.fc.aliyuncs.com (cli/invoke.ts).
 *
 *   regcred get [--registry HOST] [--format F] [--name N] [--namespace NS]
 *   regcred login --registry HOST [--authfile F | --docker]   write the login into the auth file (or docker login)
 *   regcred docker-credential get|store|erase|list   the Docker credential-helper protocol
 *   docker-credential-regcred get|store|erase|list   the same, by the name Docker and podman call
 *   regcred kubelet                          a kubelet image credential provider (request on stdin)
 *   regcred serve [--emulator] [--cloud aws|alibaba|tencent|huawei] [--port 8787]   the HTTPS API on localhost (npm start)
 *
 * `docker-credential … get` and `kubelet` answer from the per-user cache (cli/cache.ts) until the
 * credential's half-life. A cache hit runs only this file, cache.ts and node built-ins: the cloud
 * SDKs load on the first signed call (cli/sign/).
 */
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { goDuration } from '../core/formats.js';
import { authFilePath, writeLogin } from './authfile.js';
import { cached, cacheDir, type CacheEntry } from './cache.js';
import { fetchCredential, getSigned, registryOf, type ClientOptions } from './client.js';
import { describeError, RegcredClientError, UsageError } from './errors.js';
import { cloudOf } from './sign/index.js';

const USAGE = 'usage: regcred get|login|docker-credential|kubelet|serve [options] (see README)';
const HELPER_NAME = 'docker-credential-regcred';
const NOT_FOUND = 'credentials not found in native keychain';
const KUBELET_API_VERSIONS = ['credentialprovider.kubelet.k8s.io/v1', 'credentialprovider.kubelet.k8s.io/v1beta1', 'credentialprovider.kubelet.k8s.io/v1alpha1'];

async function main(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const [command, ...rest] = argv;
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
      emulator: { type: 'boolean' },
      port: { type: 'string' },
    },
  });
  if (command === 'serve') {
    const { serve } = await import('./serve.js');
    await serve({ emulator: values.emulator ?? false, port: Number(values.port ?? 8787), ...(values.cloud && { cloud: values.cloud }) });
    return 0; // the server keeps the process alive until Ctrl-C
  }

  if (!['get', 'login', 'docker-credential', 'kubelet'].includes(command ?? '')) throw new UsageError(USAGE);
  // store, erase and list never call the function: Docker may run them where REGCRED_URL is unset.
  if (command === 'docker-credential' && positionals[0] !== 'get') return dockerCredential(positionals[0], undefined);
  // Docker and kubelet run the helper with no flags: everything also comes from the environment.
  const url = values.url ?? env.REGCRED_URL;
  const invoke = values.invoke || env.REGCRED_INVOKE || undefined;
  if (!url) throw new UsageError(`--url (or REGCRED_URL) is required: ${invoke ? "FC's endpoint https://<account-id>.<region>.fc.aliyuncs.com" : 'the regcred function URL'}`);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError(`--url (or REGCRED_URL) is not a URL: ${url}`);
  }
  const timeoutMs = Number(env.REGCRED_TIMEOUT_MS || 30_000);
  if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) throw new UsageError(`REGCRED_TIMEOUT_MS must be a positive whole number of milliseconds, not '${env.REGCRED_TIMEOUT_MS}'`);
  const client: ClientOptions = {
    url,
    cloud: invoke ? invokeCloud(parsed, values.cloud ?? env.REGCRED_CLOUD) : cloudOf(parsed, values.cloud ?? env.REGCRED_CLOUD),
    ...(invoke && { invoke }),
    ...(values.region && { region: values.region }),
    timeoutMs,
  };
  const credentialFor = cachedCredential(client, env, timeoutMs);

  switch (command) {
    case 'get': {
      const query: Record<string, string> = {};
      for (const key of ['format', 'name', 'namespace'] as const) if (values[key]) query[key] = values[key];
      print(await getSigned(client, values.registry ? `/credentials/${encodeURIComponent(values.registry)}` : '/credentials', query));
      return 0;
    }
    case 'login':
      return login(client, values.registry, values.docker ? undefined : authFilePath(values.authfile, env));
    case 'docker-credential':
      return dockerCredential(positionals[0], credentialFor);
    case 'kubelet':
      return kubelet(credentialFor);
    default:
      throw new UsageError(USAGE);
  }
}

/** InvokeFunction is FC's API: --invoke means Alibaba Cloud, and no other cloud may be named. */
function invokeCloud(url: URL, named: string | undefined): 'alibaba' {
  const cloud = cloudOf(url, named || 'alibaba');
  if (cloud !== 'alibaba') throw new UsageError(`--invoke (or REGCRED_INVOKE) calls Alibaba Cloud FC's InvokeFunction, not ${cloud}`);
  return cloud;
}

type CredentialFor = (registry: string) => Promise<{ entry: CacheEntry; now: number }>;

/** A credential from the per-user cache, else from the function (then cached for the others). */
function cachedCredential(client: ClientOptions, env: NodeJS.ProcessEnv, timeoutMs: number): CredentialFor {
  // Test-only: a fixed "now" (epoch ms) so tests can step past a half-life without waiting.
  const fixedNow = Number.isFinite(Number(env.REGCRED_TEST_NOW_MS || NaN)) ? Number(env.REGCRED_TEST_NOW_MS) : undefined;
  const now = () => fixedNow ?? Date.now();
  // An invoked function is part of the key: one FC endpoint serves every function of the account.
  const key = (registry: string) => JSON.stringify([client.cloud, client.url.replace(/\/+$/, ''), registry, ...(client.invoke ? [client.invoke] : [])]);
  return async (registry) => {
    const entry = await cached(key(registry), { dir: cacheDir(env), now, staleLockMs: timeoutMs + 5_000 }, () => fetchCredential(client, registry));
    return { entry, now: now() };
  };
}

/** The Docker credential-helper protocol: `get` reads a server URL on stdin. Minted credentials are never stored. */
async function dockerCredential(action: string | undefined, credentialFor: CredentialFor | undefined): Promise<number> {
  switch (action) {
    case 'get': {
      if (!credentialFor) throw new UsageError('docker-credential get needs --url (or REGCRED_URL)');
      const registry = registryOf((await readStdin()).trim());
      try {
        const { credential } = (await credentialFor(registry)).entry;
        print({ ServerURL: registry, Username: credential.username, Secret: credential.password });
        return 0;
      } catch (err) {
        if (!(err instanceof RegcredClientError && err.status === 404)) throw err;
        // What Docker's own helpers say, so Docker goes on anonymously.
        process.stdout.write(`${NOT_FOUND}\n`);
        return 1;
      }
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
  try {
    const { entry, now } = await credentialFor(registry);
    const { username, password } = entry.credential;
    print({ ...response, cacheDuration: goDuration(entry.freshUntil - now), auth: { [registry]: { username, password } } });
  } catch (err) {
    if (!(err instanceof RegcredClientError && err.status === 404)) throw err;
    // Not ours: no credentials, so kubelet pulls anonymously.
    print({ ...response, auth: {} });
  }
  return 0;
}

async function login(client: ClientOptions, registry: string | undefined, authFile: string | undefined): Promise<number> {
  if (!registry) throw new UsageError('login needs --registry HOST');
  const c = await fetchCredential(client, registry);
  if (authFile === undefined) return dockerLogin(c.registry, c.username, c.password);
  const written = writeLogin(authFile, c.registry, c.username, c.password);
  if (written.shadowedBy) {
    process.stderr.write(`regcred: note: ${written.file} names ${written.shadowedBy} for ${c.registry}; clients ask it before this login\n`);
  }
  process.stdout.write(`Login Succeeded: ${c.registry} (${written.file}, valid until ${c.expiresAt})\n`);
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

function print(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Called as docker-credential-regcred (a symlink or copy of this program), speak only the helper protocol. */
const invokedAs = basename(process.argv[1] ?? '').replace(/\.(c?js|ts)$/, '');
const argv = invokedAs === HELPER_NAME ? ['docker-credential', ...process.argv.slice(2)] : process.argv.slice(2);

main(argv, process.env).then(
  (code) => (process.exitCode = code),
  (err: unknown) => {
    const line = `regcred: ${describeError(err)}\n`;
    process.stderr.write(line);
    // Docker and containers/image show a failed helper's stdout, not its stderr.
    if (argv[0] === 'docker-credential') process.stdout.write(line);
    process.exitCode = err instanceof UsageError ? 2 : 1;
  },
);
