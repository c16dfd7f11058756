#!/usr/bin/env node
/**
 * regcred's client. Every command signs with the caller's own AWS identity (the SDK's standard
 * credential chain) and talks to the function URL in --url or REGCRED_URL.
 *
 *   regcred get [--registry HOST] [--format F] [--name N] [--namespace NS]
 *   regcred login --registry HOST            docker login with a fresh credential (password on stdin)
 *   regcred docker-credential get|store|erase|list   as docker-credential-regcred (Docker credential-helper protocol)
 *   regcred kubelet                          a kubelet image credential provider (request on stdin)
 *   regcred serve [--emulator] [--cloud aws|alibaba|huawei] [--port 8787]   the HTTPS API on localhost (npm start)
 */
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import { getSigned, registryOf, RegcredClientError, type ClientOptions } from './client.js';

const USAGE = 'usage: regcred get|login|docker-credential|kubelet|serve [options] (see README)';

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      url: { type: 'string' },
      region: { type: 'string' },
      registry: { type: 'string' },
      format: { type: 'string' },
      name: { type: 'string' },
      namespace: { type: 'string' },
      emulator: { type: 'boolean' },
      port: { type: 'string' },
      cloud: { type: 'string' },
    },
  });
  if (command === 'serve') {
    const { serve } = await import('./serve.js');
    await serve({ emulator: values.emulator ?? false, port: Number(values.port ?? 8787), ...(values.cloud && { cloud: values.cloud }) });
    return 0; // the server keeps the process alive until Ctrl-C
  }

  if (!['get', 'login', 'docker-credential', 'kubelet'].includes(command ?? '')) throw new UsageError(USAGE);
  const url = values.url ?? process.env.REGCRED_URL;
  if (!url) throw new UsageError('--url (or REGCRED_URL) is required: the regcred function URL');
  const client: ClientOptions = { url, ...(values.region && { region: values.region }) };
  const routeFor = (host?: string) => (host ? `/credentials/${encodeURIComponent(host)}` : '/credentials');

  switch (command) {
    case 'get': {
      const query: Record<string, string> = {};
      for (const key of ['format', 'name', 'namespace'] as const) if (values[key]) query[key] = values[key];
      print(await getSigned(client, routeFor(values.registry), query));
      return 0;
    }
    case 'login': {
      if (!values.registry) throw new UsageError('login needs --registry HOST');
      const c = (await getSigned(client, routeFor(values.registry))) as { username: string; password: string; registry: string };
      return dockerLogin(c.registry, c.username, c.password);
    }
    case 'docker-credential':
      return dockerCredential(client, positionals[0], routeFor);
    case 'kubelet': {
      const request = JSON.parse(await readStdin()) as { image?: unknown };
      if (typeof request.image !== 'string') throw new UsageError('kubelet: the CredentialProviderRequest has no image');
      print(await getSigned(client, routeFor(registryOf(request.image)), { format: 'kubelet' }));
      return 0;
    }
    default:
      throw new UsageError(USAGE);
  }
}

/** The Docker credential-helper protocol: `get` reads a server URL on stdin. Minted credentials are never stored. */
async function dockerCredential(client: ClientOptions, action: string | undefined, routeFor: (h: string) => string): Promise<number> {
  const input = (await readStdin()).trim();
  switch (action) {
    case 'get':
      try {
        print(await getSigned(client, routeFor(registryOf(input)), { format: 'credential-helper' }));
        return 0;
      } catch (err) {
        if (err instanceof RegcredClientError && err.status === 404) {
          process.stdout.write('credentials not found in native keychain\n');
          return 1;
        }
        throw err;
      }
    case 'list':
      print({});
      return 0;
    case 'store':
    case 'erase':
      return 0;
    default:
      throw new UsageError('docker-credential needs get, store, erase or list');
  }
}

function dockerLogin(registry: string, username: string, password: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn('docker', ['login', '--username', username, '--password-stdin', registry], { stdio: ['pipe', 'inherit', 'inherit'] });
    child.on('error', reject);
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

class UsageError extends Error {}

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (err: unknown) => {
    const message = err instanceof RegcredClientError ? `${err.status} ${err.code}: ${err.message}` : (err as Error).message;
    process.stderr.write(`regcred: ${message}\n`);
    process.exitCode = err instanceof UsageError ? 2 : 1;
  },
);
