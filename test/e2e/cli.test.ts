/**
 * The `regcred` client as Docker and kubelet run it: a child process speaking the credential-helper
 * and kubelet credential-provider protocols on stdin/stdout, signing with the caller's AWS identity
 * (from its environment) against the local server.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serve, type LocalServer } from '../../dev/serve.js';
import { TEST_IDENTITY } from '../../emulator/aws/server.js';
import { runRegcred, type ProcessResult } from '../support/regcred-process.js';

const ECR_HOST = '123456789012.dkr.ecr.us-east-1.amazonaws.com';
let server: LocalServer;
// The helper and kubelet cache credentials per user: keep this run's cache out of the real home.
const cacheHome = mkdtempSync(join(tmpdir(), 'regcred-cli-cache-'));
beforeAll(async () => {
  server = await serve({ emulator: true, port: 0, quiet: true });
});
afterAll(async () => {
  await server.close();
  rmSync(cacheHome, { recursive: true, force: true });
});

/** Run `regcred <args>` against the local server, signed with the emulator's test key. */
function regcred(args: string[], stdin = '', env: Record<string, string> = {}): Promise<ProcessResult> {
  return runRegcred(
    args,
    {
      XDG_CACHE_HOME: cacheHome,
      REGCRED_URL: server.url,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: TEST_IDENTITY.accessKeyId,
      AWS_SECRET_ACCESS_KEY: TEST_IDENTITY.secretAccessKey,
      AWS_CONFIG_FILE: '/dev/null',
      AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      ...env,
    },
    stdin,
  );
}

describe('regcred docker-credential (Docker credential-helper protocol)', () => {
  it('get answers a server URL on stdin with ServerURL, Username and Secret', async () => {
    const { code, stdout } = await regcred(['docker-credential', 'get'], `https://${ECR_HOST}\n`);
    expect(code).toBe(0);
    const answer = JSON.parse(stdout);
    expect(answer).toMatchObject({ ServerURL: ECR_HOST, Username: 'AWS' });
    expect(answer.Secret.length).toBeGreaterThan(20);
  });

  it('get for an unconfigured registry says "credentials not found" and exits 1, so Docker goes anonymous', async () => {
    const { code, stdout } = await regcred(['docker-credential', 'get'], 'registry.example.com\n');
    expect([code, stdout.trim()]).toEqual([1, 'credentials not found in native keychain']);
  });

  it('list answers an empty object and store succeeds without storing', async () => {
    expect((await regcred(['docker-credential', 'list'])).stdout.trim()).toBe('{}');
    expect((await regcred(['docker-credential', 'store'], '{"ServerURL":"x","Username":"u","Secret":"s"}')).code).toBe(0);
  });
});

describe('regcred kubelet (kubelet image credential provider)', () => {
  it('answers a CredentialProviderRequest for the image registry, cached until the half-life', async () => {
    const request = { apiVersion: 'credentialprovider.kubelet.k8s.io/v1', kind: 'CredentialProviderRequest', image: 'public.ecr.aws/nginx/nginx:1.27' };
    const { code, stdout } = await regcred(['kubelet'], JSON.stringify(request));
    expect(code).toBe(0);
    const response = JSON.parse(stdout);
    expect(response).toMatchObject({ kind: 'CredentialProviderResponse', apiVersion: 'credentialprovider.kubelet.k8s.io/v1', cacheKeyType: 'Registry' });
    expect(response.cacheDuration).toMatch(/^5h59m\d+s$/);
    expect(Object.keys(response.auth)).toEqual(['public.ecr.aws']);
  });
});

describe('regcred errors', () => {
  it('reports the API error on stderr and exits 1', async () => {
    const { code, stderr } = await regcred(['get', '--format', 'xml']);
    expect(code).toBe(1);
    expect(stderr).toMatch(/^regcred: 400 BadRequest: format must be one of/);
  });

  it('a caller with the wrong secret is refused (403) and the secret is not printed', async () => {
    const { code, stderr, stdout } = await regcred(['get'], '', { AWS_SECRET_ACCESS_KEY: 'wrong-secret-value-1234' });
    expect(code).toBe(1);
    expect(stderr).toMatch(/^regcred: 403 SignatureRefused: /);
    expect(stderr + stdout).not.toContain('wrong-secret-value-1234');
  });

  it('without a URL it says which flag is missing and exits 2', async () => {
    const { code, stderr } = await regcred(['get'], '', { REGCRED_URL: '' });
    expect([code, stderr.trim()]).toEqual([2, 'regcred: --url (or REGCRED_URL) is required: the regcred function URL']);
  });
});
