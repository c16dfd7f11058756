/**
 * Vitest global setup: install the registry tools once and make the test run's throwaway CA,
 * before any test worker starts.
 *
 * Why here: Node reads NODE_EXTRA_CA_CERTS only when a process starts, so setting it inside a test
 * file is too late for that file's own `fetch`. Global setup runs in the main vitest process before
 * the pool forks its workers, and the forks pool passes the main process's environment to every
 * worker it spawns, so each worker starts already trusting the CA — the same way the deployed
 * function trusts a registry's CA. (This needs the default `forks` pool: worker threads share the
 * main process and would not see the variable.)
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TEST_CA_DIR_ENV, makeServerCert, registryTools } from './registry.js';

export default async function setup(): Promise<() => Promise<void>> {
  const previous = { ca: process.env.NODE_EXTRA_CA_CERTS, dir: process.env[TEST_CA_DIR_ENV] };
  await registryTools();
  const caDir = await mkdtemp(join(tmpdir(), 'regcred-test-ca-'));
  process.env[TEST_CA_DIR_ENV] = caDir;
  // Makes ca.crt/ca.key in caDir (and a spare server cert we do not use).
  await makeServerCert(caDir);

  // Keep whatever extra CAs the caller already trusted.
  const bundle = join(caDir, 'bundle.pem');
  const extra = previous.ca ? await readFile(previous.ca, 'utf8').catch(() => '') : '';
  await writeFile(bundle, `${extra.trimEnd()}\n${await readFile(join(caDir, 'ca.crt'), 'utf8')}`.trimStart());
  process.env.NODE_EXTRA_CA_CERTS = bundle;

  return async () => {
    restore('NODE_EXTRA_CA_CERTS', previous.ca);
    restore(TEST_CA_DIR_ENV, previous.dir);
    await rm(caDir, { recursive: true, force: true });
  };
}

function restore(name: string, value: string | undefined): void {
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
}
