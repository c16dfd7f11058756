/**
 * `npm start`'s local server end to end: the CLI client signs with SigV4 exactly as it would for a
 * deployed function URL, the server checks the signature like AWS_IAM, and the real handler
 * answers from the ECR emulator.
 */
import { spawn } from 'node:child_process';
import http from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getSigned, registryOf, RegcredClientError } from '../../cli/client.js';
import { tc3Get } from '../../deploy/tencent/call.js';
import { serve, type LocalServer } from '../../dev/serve.js';
import { LOCAL_CALLER as TENCENT_CALLER } from '../../dev/tencent.js';
import { TEST_IDENTITY } from '../../emulator/aws/server.js';
import { PROJECT_DIR, run } from '../support/registry.js';

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

/** A GET with any Host header (fetch will not send a foreign one). */
function get(url: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http.get(url, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
    }).on('error', reject);
  });
}

describe('local server without --emulator (the developer\'s own identity)', () => {
  let own: LocalServer;
  beforeAll(async () => {
    // The developer's own environment; here the emulated session and endpoints the server above put in process.env.
    process.env.REGCRED_REGISTRIES = 'ecr:us-east-1,ecr-public:us-east-1';
    own = await serve({ emulator: false, port: 0, quiet: true });
  });
  afterAll(() => own.close());
  const host = () => new URL(own.url).host;

  it('answers a request that carries the run\'s token and a loopback Host', async () => {
    const res = await get(`${own.url}/credentials`, { Host: host(), Authorization: `Bearer ${own.token}` });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body).credentials).toHaveLength(2);
  });

  it('refuses a request without the token with 401 and no credential', async () => {
    const res = await get(`${own.url}/credentials`, { Host: host() });
    expect(res.status).toBe(401);
    expect(res.body).not.toContain('password');
  });

  it('refuses a wrong token with 401', async () => {
    const res = await get(`${own.url}/credentials`, { Host: host(), Authorization: `Bearer ${own.token!.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'))}` });
    expect(res.status).toBe(401);
  });

  it('refuses a DNS-rebinding request (right token, foreign Host) with 403', async () => {
    const port = new URL(own.url).port;
    const res = await get(`${own.url}/credentials`, { Host: `attacker.example:${port}`, Authorization: `Bearer ${own.token}` });
    expect(res.status).toBe(403);
    expect(res.body).not.toContain('password');
  });

  it('makes a new token each run', async () => {
    const other = await serve({ emulator: false, port: 0, quiet: true });
    await other.close();
    expect(other.token).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(other.token).not.toBe(own.token);
  });
});

describe('local server with --emulator: Host check', () => {
  it('refuses a foreign Host with 403 before checking the signature', async () => {
    const port = new URL(server.url).port;
    const res = await get(`${server.url}/credentials`, { Host: `attacker.example:${port}` });
    expect(res.status).toBe(403);
    expect(JSON.parse(res.body).error.message).toBe(`Host must be 127.0.0.1:${port} or localhost:${port}`);
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

/** A clean environment for a spawned server: not this worker's (an earlier test set REGCRED_REGISTRIES in it). */
const CLEAN_ENV = { PATH: process.env.PATH!, HOME: process.env.HOME!, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };

/**
 * `npm start -- <args>` as the README has it, until its banner is out; stopped (its whole process
 * group: npm, the shell, tsx's node) when `use` is done.
 */
async function npmStart<T>(args: string[], use: (banner: string, url: string) => Promise<T>): Promise<T> {
  const child = spawn('npm', ['start', '--', ...args], { cwd: PROJECT_DIR, env: CLEAN_ENV, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    const banner = await new Promise<string>((resolve, reject) => {
      let out = '';
      let err = '';
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('Ctrl-C stops it.')) resolve(out);
      });
      child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
      child.on('exit', (code) => reject(new Error(`npm start exited ${code} before its banner: ${err}`)));
    });
    return await use(banner, /http:\/\/127\.0\.0\.1:\d+/.exec(banner)![0]);
  } finally {
    process.kill(-child.pid!, 'SIGTERM');
  }
}

describe('npm start (package.json runs dev/serve.ts --emulator)', () => {
  it('serves the AWS handler against the emulator, answering a SigV4-signed request (--port 0: a free port)', async () => {
    // Act
    const answer = await npmStart(['--port', '0'], async (banner, url) => ({
      banner: banner.split('\n').find((l) => l.startsWith('regcred is serving')),
      registries: ((await getSigned({ url, region: 'us-east-1', credentials: TEST_IDENTITY }, '/credentials')) as { credentials: Array<{ registry: string }> }).credentials.map((c) => c.registry),
      url,
    }));
    // Assess
    expect(answer).toEqual({
      banner: `regcred is serving the aws handler on ${answer.url} against the loopback emulator.`,
      registries: ['123456789012.dkr.ecr.us-east-1.amazonaws.com', 'public.ecr.aws'],
      url: answer.url,
    });
  }, 60_000);

  it('--cloud tencent serves the Tencent handler behind the TC3-checking function URL', async () => {
    // Act
    const status = await npmStart(['--cloud', 'tencent', '--port', '0'], async (_banner, url) => (await tc3Get(`${url}/credentials`, TENCENT_CALLER)).status);
    // Assess
    expect(status).toBe(200);
  }, 60_000);

  it('a bad --port is one line naming the flag and exit code 2', async () => {
    // Act
    const r = await run(process.execPath, ['--import', 'tsx', join(PROJECT_DIR, 'dev/serve.ts'), '--emulator', '--port', 'eighty'], { env: CLEAN_ENV, timeoutMs: 30_000 });
    // Assess
    expect([r.code, r.stderr]).toEqual([2, "regcred: --port must be a port number (0 to 65535), not 'eighty'\n"]);
  });

  it('an unknown --cloud names the clouds there are, exit code 1', async () => {
    // Act
    const r = await run(process.execPath, ['--import', 'tsx', join(PROJECT_DIR, 'dev/serve.ts'), '--emulator', '--cloud', 'azure', '--port', '0'], { env: CLEAN_ENV, timeoutMs: 30_000 });
    // Assess
    expect([r.code, r.stderr]).toEqual([1, "regcred: --cloud must be one of aws, alibaba, tencent, huawei, got 'azure'\n"]);
  });
});
