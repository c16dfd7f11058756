/**
 * `npm start`'s local server end to end: the CLI client signs with SigV4 exactly as it would for a
 * deployed function URL, the server checks the signature like AWS_IAM, and the real handler
 * answers from the ECR emulator.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getSigned, registryOf, RegcredClientError } from '../../cli/client.js';
import { serve, type LocalServer } from '../../cli/serve.js';
import { TEST_IDENTITY } from '../../emulator/aws/server.js';

let server: LocalServer;
beforeAll(async () => {
  server = await serve({ emulator: true, port: 0, quiet: true });
});
afterAll(() => server.close());

describe('local server (npm start)', () => {
  it('answers a SigV4-signed request with credentials for both emulated registries', async () => {
    const body = (await getSigned({ url: server.url, region: 'us-east-1', credentials: TEST_IDENTITY }, '/credentials', { format: 'dockerconfigjson' })) as {
      auths: Record<string, { username: string }>;
    };
    expect(Object.keys(body.auths)).toEqual(['123456789012.dkr.ecr.us-east-1.amazonaws.com', 'public.ecr.aws']);
  });

  it('refuses an unsigned request with 403, as an AWS_IAM function URL does', async () => {
    const res = await fetch(`${server.url}/credentials`);
    expect(res.status).toBe(403);
  });

  it('refuses a request signed with the wrong secret', async () => {
    const wrong = { accessKeyId: TEST_IDENTITY.accessKeyId, secretAccessKey: 'not-the-secret' };
    await expect(getSigned({ url: server.url, region: 'us-east-1', credentials: wrong }, '/credentials')).rejects.toMatchObject({ status: 403 });
  });

  it('passes the API error through to the client', async () => {
    const err = await getSigned({ url: server.url, credentials: TEST_IDENTITY }, '/credentials', { format: 'xml' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RegcredClientError);
    expect(err).toMatchObject({ status: 400, code: 'BadRequest' });
  });
});

describe('registryOf', () => {
  it.each([
    ['https://123456789012.dkr.ecr.us-east-1.amazonaws.com', '123456789012.dkr.ecr.us-east-1.amazonaws.com'],
    ['https://registry.cn-shanghai.aliyuncs.com/v2/', 'registry.cn-shanghai.aliyuncs.com'],
    ['public.ecr.aws/nginx/nginx:latest', 'public.ecr.aws'],
    ['localhost:5000/app:1', 'localhost:5000'],
    ['127.0.0.1:5000/app', '127.0.0.1:5000'],
    ['library/nginx:latest', 'docker.io'],
    ['nginx', 'nginx'],
    ['REGISTRY.Example.com/x', 'registry.example.com'],
  ])('%s → %s', (reference, host) => {
    expect(registryOf(reference)).toBe(host);
  });
});
