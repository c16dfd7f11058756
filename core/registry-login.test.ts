/**
 * checkRegistryLogin against a tiny HTTPS registry on loopback that answers the way real ones do
 * (Basic or Bearer challenge, token service, faults). The certificate comes from the test run's CA,
 * which Node's fetch trusts through NODE_EXTRA_CA_CERTS (test/support/global-setup.ts).
 */
import { readFile, mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:https';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BadRequestError, UpstreamError, UpstreamUnavailableError } from './errors.js';
import { checkRegistryLogin, parseChallenges } from './registry-login.js';
import { makeServerCert, requireTestCa } from '../test/support/registry.js';

const USER = 'robot';
const PASSWORD = 'pa55-word-9d1e';
const BASIC = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`;
const TOKEN = 'tok-3b7c1a';

interface Seen {
  path: string;
  query: URLSearchParams;
  authorization: string | undefined;
}
type Reply = { status: number; headers?: Record<string, string>; body?: string };
type Route = (req: Seen) => Reply;

/** A loopback HTTPS server whose answers each test sets; it records every request. */
let server: Server;
let host: string;
let route: Route;
let seen: Seen[];
let dir: string;

beforeAll(async () => {
  requireTestCa();
  dir = await mkdtemp(join(tmpdir(), 'regcred-login-test-'));
  const { certFile, keyFile } = await makeServerCert(dir);
  server = createServer({ cert: await readFile(certFile), key: await readFile(keyFile) }, (req, res) => {
    const url = new URL(req.url ?? '/', 'https://localhost');
    const request = { path: url.pathname, query: url.searchParams, authorization: req.headers.authorization };
    seen.push(request);
    const reply = route(request);
    res.writeHead(reply.status, reply.headers ?? {}).end(reply.body ?? '');
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((done) => server?.close(() => done()));
  if (dir) await rm(dir, { recursive: true, force: true });
});

beforeEach(() => {
  seen = [];
});

/** A registry like ACR/TCR/SWR: Bearer challenge, token from the realm with Basic auth. */
function bearerRegistry(realm = `https://${host}/token`): Route {
  return ({ path, query, authorization }): Reply => {
    if (path === '/token') {
      if (authorization !== BASIC) return { status: 401, headers: { 'www-authenticate': 'Basic realm="token"' } };
      if (query.get('service') !== 'test-registry') return { status: 400 };
      return { status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: TOKEN }) };
    }
    if (authorization === `Bearer ${TOKEN}`) return { status: 200, body: '{}' };
    return { status: 401, headers: { 'www-authenticate': `Bearer realm="${realm}",service="test-registry"` } };
  };
}

/** A registry like ECR or docker-registry with htpasswd: Basic challenge. */
const basicRegistry: Route = ({ authorization }) =>
  authorization === BASIC ? { status: 200, body: '{}' } : { status: 401, headers: { 'www-authenticate': 'Basic realm="test"' } };

/** The parts of a RegcredError a caller relies on (getters and non-enumerable fields included). */
function summary(error: Error): { code: unknown; retryable: unknown; message: string } {
  const e = error as Error & { code?: unknown; retryable?: unknown };
  return { code: e.code, retryable: e.retryable, message: e.message };
}

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const probe = createNetServer();
    probe.once('error', fail);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => done(port));
    });
  });
}

async function failure(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof Error)) throw new Error('expected the login check to fail');
  return error;
}

describe('checkRegistryLogin with a Bearer challenge', () => {
  it('gets a token from the realm with Basic auth and retries /v2/ with it', async () => {
    // Prepare
    route = bearerRegistry();

    // Act
    await checkRegistryLogin(host, USER, PASSWORD);

    // Assess
    expect(seen.map((r) => [r.path, r.authorization])).toEqual([
      ['/v2/', undefined],
      ['/token', BASIC],
      ['/v2/', `Bearer ${TOKEN}`],
    ]);
  });

  it('passes the challenge service to the token service', async () => {
    // Prepare
    route = bearerRegistry();

    // Act
    await checkRegistryLogin(host, USER, PASSWORD);

    // Assess
    expect(seen[1]?.query.get('service')).toBe('test-registry');
  });

  it('fails as UpstreamAccessDenied naming the token service and 401 when the password is wrong', async () => {
    // Prepare
    route = bearerRegistry();

    // Act
    const error = await failure(checkRegistryLogin(host, USER, 'wrong-password-5e'));

    // Assess
    expect(summary(error)).toEqual({
      code: 'UpstreamAccessDenied',
      retryable: false,
      message: `token service of registry ${host} refused the credential (HTTP 401)`,
    });
  });

  it('does not send the password to a realm that is not https', async () => {
    // Prepare
    route = bearerRegistry(`http://${host}/token`);

    // Act
    const error = await failure(checkRegistryLogin(host, USER, PASSWORD));

    // Assess
    expect(error).toMatchObject({ code: 'UpstreamInvalidResponse' });
    expect(seen.filter((r) => r.path === '/token')).toEqual([]);
  });

  it('fails as UpstreamInvalidResponse when the token service answers without a token', async () => {
    // Prepare
    const registry = bearerRegistry();
    route = (req) => (req.path === '/token' ? { status: 200, body: '{"expires_in":60}' } : registry(req));

    // Act
    const error = await failure(checkRegistryLogin(host, USER, PASSWORD));

    // Assess
    expect(summary(error)).toEqual({
      code: 'UpstreamInvalidResponse',
      retryable: false,
      message: `token service of registry ${host} answered without a token`,
    });
  });
});

describe('checkRegistryLogin with a Basic challenge', () => {
  it('retries /v2/ with Basic auth and succeeds on 200', async () => {
    // Prepare
    route = basicRegistry;

    // Act
    await checkRegistryLogin(host, USER, PASSWORD);

    // Assess
    expect(seen.map((r) => r.authorization)).toEqual([undefined, BASIC]);
  });

  it('never puts the password in the error of a refused login', async () => {
    // Prepare
    route = basicRegistry;
    const wrong = 'wrong-password-77aa';

    // Act
    const error = await failure(checkRegistryLogin(host, USER, wrong));

    // Assess
    expect(`${error.message} ${JSON.stringify(error)} ${error.stack}`).not.toContain(wrong);
  });
});

describe('checkRegistryLogin error classes', () => {
  it('maps 503 on /v2/ to a retryable UpstreamError naming registry and status', async () => {
    // Prepare
    route = () => ({ status: 503 });

    // Act
    const error = await failure(checkRegistryLogin(host, USER, PASSWORD));

    // Assess
    expect(error).toBeInstanceOf(UpstreamError);
    expect(summary(error)).toEqual({ code: 'UpstreamError', retryable: true, message: `registry ${host} failed the login (HTTP 503)` });
  });

  it('maps 429 to UpstreamThrottled carrying the Retry-After seconds', async () => {
    // Prepare
    route = () => ({ status: 429, headers: { 'retry-after': '7' } });

    // Act
    const error = await failure(checkRegistryLogin(host, USER, PASSWORD));

    // Assess
    expect(error).toBeInstanceOf(UpstreamUnavailableError);
    expect(error).toMatchObject({ code: 'UpstreamThrottled', retryAfterSeconds: 7 });
  });

  it('maps a 401 without a usable challenge to UpstreamInvalidResponse', async () => {
    // Prepare
    route = () => ({ status: 401, headers: { 'www-authenticate': 'Negotiate' } });

    // Act
    const error = await failure(checkRegistryLogin(host, USER, PASSWORD));

    // Assess
    expect(error).toMatchObject({ code: 'UpstreamInvalidResponse' });
  });

  it('does not follow a redirect with the credential', async () => {
    // Prepare
    route = (req) =>
      req.authorization ? { status: 307, headers: { location: 'https://127.0.0.1:1/v2/' } } : basicRegistry(req);

    // Act
    const error = await failure(checkRegistryLogin(host, USER, PASSWORD));

    // Assess
    expect(summary(error)).toEqual({
      code: 'UpstreamInvalidResponse',
      retryable: false,
      message: `registry ${host} answered the login with HTTP 307`,
    });
  });

  it('maps an unreachable registry to a retryable UpstreamError naming it', async () => {
    // Prepare: a loopback port that was just free (fetch refuses low "bad ports" like 1 outright).
    const nowhere = `127.0.0.1:${await freePort()}`;

    // Act
    const error = await failure(checkRegistryLogin(nowhere, USER, PASSWORD));

    // Assess
    expect(summary(error)).toEqual({ code: 'UpstreamError', retryable: true, message: `could not reach registry ${nowhere} (ECONNREFUSED)` });
  });

  it('maps an aborted check to UpstreamTimeout', async () => {
    // Prepare
    route = basicRegistry;

    // Act
    const error = await failure(checkRegistryLogin(host, USER, PASSWORD, { signal: AbortSignal.abort() }));

    // Assess
    expect(error).toMatchObject({ code: 'UpstreamTimeout' });
  });

  it.each(['https://registry.example', 'registry.example/v2', '', 'user@registry.example'])(
    'rejects registry %j as BadRequest before any request',
    async (registry) => {
      // Prepare
      route = basicRegistry;

      // Act
      const error = await failure(checkRegistryLogin(registry, USER, PASSWORD));

      // Assess
      expect(error).toBeInstanceOf(BadRequestError);
      expect(seen).toEqual([]);
    },
  );
});

describe('parseChallenges', () => {
  it.each([
    ['Basic realm="regcred-test"', [{ scheme: 'basic', params: { realm: 'regcred-test' } }]],
    [
      'Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull"',
      [{ scheme: 'bearer', params: { realm: 'https://auth.example/token', service: 'registry.example', scope: 'repository:a/b:pull' } }],
    ],
    ['bearer Realm=https://a.example/t, Service=x', [{ scheme: 'bearer', params: { realm: 'https://a.example/t', service: 'x' } }]],
    [
      'Basic realm="a, b", Bearer realm="https://t.example/"',
      [
        { scheme: 'basic', params: { realm: 'a, b' } },
        { scheme: 'bearer', params: { realm: 'https://t.example/' } },
      ],
    ],
    ['Basic realm="say \\"hi\\""', [{ scheme: 'basic', params: { realm: 'say "hi"' } }]],
    ['', []],
  ])('parses %j', (header, expected) => {
    // Act / Assess
    expect(parseChallenges(header)).toEqual(expected);
  });
});
