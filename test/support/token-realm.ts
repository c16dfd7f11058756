/**
 * The test registry in token-auth mode: one token service (emulator/registry-token.ts) per test
 * file, HTTPS on 127.0.0.1 with the test run's CA, signing with an RSA key made for this run (Node's
 * crypto) whose self-signed certificate (openssl, scripts/registry.sh signer-cert) is every
 * registry's rootcertbundle; and docker-registry processes that send their clients to it.
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTokenService, type ServedRegistry, type TokenService, type TokenSigner } from '../../emulator/registry-token.js';
import { makeServerCert, requireTestCa, script, startRegistry, type LocalRegistry } from './registry.js';

export interface TokenRealm extends TokenService {
  /** The signer's certificate file: the registries' rootcertbundle. */
  readonly rootCertBundle: string;
  /** Start a registry served under `service` and register it with the token service. */
  startRegistry(service: string, registry: ServedRegistry): Promise<LocalRegistry>;
}

/**
 * A signing key made now and its self-signed certificate, in `dir` (signer.key 0600, signer.crt).
 * @example const { key, certificate, certFile } = await makeTokenSigner(dir);
 */
export async function makeTokenSigner(dir: string): Promise<TokenSigner & { certFile: string }> {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  await writeFile(join(dir, 'signer.key'), privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  await script(['signer-cert', dir]);
  const certFile = join(dir, 'signer.crt');
  return { key: privateKey, certificate: await readFile(certFile, 'utf8'), certFile };
}

/**
 * @example
 * const realm = await startTokenRealm();
 * const registry = await realm.startRegistry('ecr', { access: ECR_REPOSITORY_ACCESS, location });
 * await registry.stop(); await realm.stop();
 */
export async function startTokenRealm(): Promise<TokenRealm> {
  requireTestCa();
  const dir = await mkdtemp(join(tmpdir(), 'regcred-token-realm-'));
  const { certFile, keyFile } = await makeServerCert(dir);
  const signer = await makeTokenSigner(dir);
  const tokens = await startTokenService({ tls: { cert: await readFile(certFile), key: await readFile(keyFile) }, signer });
  const registries: LocalRegistry[] = [];
  const stopService = tokens.stop;
  return Object.assign(tokens, {
    rootCertBundle: signer.certFile,
    async startRegistry(service: string, served: ServedRegistry) {
      tokens.addRegistry(service, served);
      const registry = await startRegistry({ token: { realm: tokens.realm, service, issuer: tokens.issuer, rootCertBundle: signer.certFile } });
      registries.push(registry);
      return registry;
    },
    async stop() {
      await Promise.all(registries.map((r) => r.stop()));
      await stopService();
      await rm(dir, { recursive: true, force: true });
    },
  });
}
