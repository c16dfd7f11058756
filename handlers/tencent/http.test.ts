/**
 * The SCF http handler with the two events SCF hands it — a function URL's and an API Gateway
 * trigger's — against the TC3-checking TCR emulator, through the real SDK.
 */
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { faults, DEFAULT_IDENTITY, scfRoleEnvironment, startTencentEmulator, type TencentEmulator } from '../../emulator/tencent/server.js';
import { scfApiGatewayEvent, scfContext, scfUrlEvent } from '../../emulator/tencent/scf-event.js';
import type { LocalRequest } from '../../emulator/trigger.js';
import { createHttpHandler } from './http.js';
import { tencentRuntime, type ScfContext } from './runtime.js';

const GZ = 'acme.tencentcloudcr.com';
const SH = 'second.tencentcloudcr.com';
const CALLER = 'AKIDcallerKeyId000000000000000001';
const SIGNED_AUTH = `TC3-HMAC-SHA256 Credential=${CALLER}/2026-11-30/scf/tc3_request, SignedHeaders=content-type;host, Signature=${'ab'.repeat(32)}`;

let emu: TencentEmulator;
let lines: string[] = [];
beforeAll(async () => {
  emu = await startTencentEmulator({ instances: { 'tcr-acme': { name: 'acme' }, 'tcr-second': { name: 'second', region: 'ap-shanghai' } } });
});
afterEach(() => {
  emu.clearFaults();
  emu.calls.length = 0;
  lines = [];
});
afterAll(() => emu.stop());

/** A fresh warm instance (own cache) of the SCF http function, logging into `lines`. */
function scfFunction(env: Record<string, string> = {}) {
  const runtime = tencentRuntime(
    { REGCRED_REGISTRIES: 'tcr:ap-guangzhou:tcr-acme,tcr:ap-shanghai:tcr-second', ...scfRoleEnvironment(), TENCENTCLOUD_ENDPOINT_URL_TCR: emu.url, ...env },
    { write: (line) => lines.push(line) },
  );
  return createHttpHandler(runtime);
}

const context = scfContext() as ScfContext;
const request = (r: Partial<LocalRequest> = {}): LocalRequest => ({ method: 'GET', path: '/credentials', query: '', headers: { authorization: SIGNED_AUTH }, ...r });
/** The two front doors, as the events SCF hands the function. */
const EVENTS = {
  'function URL': (r?: Partial<LocalRequest>) => scfUrlEvent(request(r)),
  'API Gateway': (r?: Partial<LocalRequest>) => scfApiGatewayEvent(request(r)),
} as const;
const tokenCalls = () => emu.calls.filter((c) => c.operation === 'CreateInstanceToken' && c.status === 200);
const describeCalls = () => emu.calls.filter((c) => c.operation === 'DescribeInstances');
const auditLines = () => lines.map((l) => JSON.parse(l)).filter((l) => l.msg === 'credential issued');

describe.each(Object.entries(EVENTS))('SCF http handler, %s event: formats', (_door, event) => {
  it('answers GET /credentials with every configured registry as json', async () => {
    const res = await scfFunction()(event(), context);
    expect(res.statusCode).toBe(200);
    expect(res.isBase64Encoded).toBe(false);
    expect(res.headers).toEqual({ 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
    const body = JSON.parse(res.body);
    expect(body.credentials.map((c: { registry: string; provider: string; region: string }) => [c.registry, c.provider, c.region])).toEqual([
      [GZ, 'tcr', 'ap-guangzhou'],
      [SH, 'tcr', 'ap-shanghai'],
    ]);
  });

  it('answers format=dockerconfigjson with an auths entry per registry', async () => {
    const res = await scfFunction()(event({ query: 'format=dockerconfigjson' }), context);
    const { auths } = JSON.parse(res.body);
    expect(Object.keys(auths)).toEqual([GZ, SH]);
    expect(Buffer.from(auths[GZ].auth, 'base64').toString()).toBe(`${auths[GZ].username}:${auths[GZ].password}`);
  });

  it('answers format=kubernetes with a named dockerconfigjson Secret', async () => {
    const res = await scfFunction()(event({ query: 'format=kubernetes&name=pull&namespace=ci' }), context);
    expect(JSON.parse(res.body)).toMatchObject({ apiVersion: 'v1', kind: 'Secret', type: 'kubernetes.io/dockerconfigjson', metadata: { name: 'pull', namespace: 'ci' } });
  });

  it('answers format=credential-helper for one registry', async () => {
    const res = await scfFunction()(event({ path: `/credentials/${SH}`, query: 'format=credential-helper' }), context);
    expect(JSON.parse(res.body)).toMatchObject({ ServerURL: SH, Username: '100000000001' });
  });

  it('answers format=kubelet with a CredentialProviderResponse', async () => {
    const res = await scfFunction()(event({ path: `/credentials/${GZ}`, query: 'format=kubelet' }), context);
    expect(JSON.parse(res.body)).toMatchObject({ kind: 'CredentialProviderResponse', cacheKeyType: 'Registry' });
  });
});

describe.each(Object.entries(EVENTS))('SCF http handler, %s event: bad requests', (_door, event) => {
  it.each([
    ['an unknown route', { path: '/tokens' }, 404, 'NotFound'],
    ['a registry host that is not configured', { path: '/credentials/other.tencentcloudcr.com' }, 404, 'NotFound'],
    ['a POST', { method: 'POST' }, 405, 'MethodNotAllowed'],
    ['an unknown format', { query: 'format=yaml' }, 400, 'BadRequest'],
  ] as const)('answers %s with %s %s', async (_name, r, status, code) => {
    const res = await scfFunction()(event(r), context);
    expect([res.statusCode, JSON.parse(res.body).error.code]).toEqual([status, code]);
  });
});

describe('SCF http handler: caller identity', () => {
  it('records the SecretId a function URL request\'s TC3 Authorization names, marked unverified', async () => {
    await scfFunction()(EVENTS['function URL'](), context);
    expect(auditLines().map((l) => [l.caller, l.callerVerified])).toEqual([
      [CALLER, false],
      [CALLER, false],
    ]);
  });

  it('records API Gateway\'s requestContext.identity.secretId, marked unverified, when no TC3 header is there', async () => {
    await scfFunction()(scfApiGatewayEvent(request({ headers: {} }), 'AKIDapigwKeyPair01'), context);
    expect(auditLines().map((l) => [l.caller, l.callerVerified])).toEqual([
      ['AKIDapigwKeyPair01', false],
      ['AKIDapigwKeyPair01', false],
    ]);
  });

  it('refuses REGCRED_ALLOWED_CALLERS at cold start, saying why and what the gate is', () => {
    expect(() => scfFunction({ REGCRED_ALLOWED_CALLERS: 'AKIDreleaseBot*' })).toThrow(
      /^REGCRED_ALLOWED_CALLERS cannot be enforced on Tencent Cloud SCF: .*scf:InvokeFunction.*grant scf:InvokeFunctionUrl/,
    );
  });

  it('gives a forged direct-invoke event naming an allowed SecretId no credential: the configuration is refused, the answer a generic 500', async () => {
    // Prepare: the deployed entry point configured with an allow-list, as an attacker with scf:InvokeFunction finds it.
    const saved = { ...process.env };
    Object.assign(process.env, { REGCRED_REGISTRIES: 'tcr:ap-guangzhou:tcr-acme', ...scfRoleEnvironment(), TENCENTCLOUD_ENDPOINT_URL_TCR: emu.url, REGCRED_ALLOWED_CALLERS: 'AKIDreleaseBot*' });
    const stdout: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => (stdout.push(String(chunk)), true));
    try {
      vi.resetModules();
      const { handler } = await import('./http.js');
      const forged = EVENTS['function URL']({ headers: { authorization: SIGNED_AUTH.replace(CALLER, 'AKIDreleaseBot0001') } });
      // Act
      const res = await handler(forged, context);
      // Assess
      expect(res.statusCode).toBe(500);
      expect(JSON.parse(res.body)).toEqual({ error: { code: 'InternalError', message: 'internal error' } });
      expect(tokenCalls()).toHaveLength(0);
      expect(stdout.join('')).toContain('REGCRED_ALLOWED_CALLERS cannot be enforced');
    } finally {
      spy.mockRestore();
      process.env = saved;
    }
  });
});

describe('SCF http handler: the invocation', () => {
  it('writes the invocation\'s request id on every log line of it', async () => {
    const handler = scfFunction();
    await handler(EVENTS['function URL']({ query: 'format=xml' }), context);
    await handler(EVENTS['function URL'](), context);
    expect(lines.length).toBeGreaterThan(2);
    expect(lines.map((l) => JSON.parse(l).requestId)).toEqual(lines.map(() => context.request_id));
  });

  it('signs every upstream call with the execution role\'s session key and token from the environment', async () => {
    await scfFunction()(EVENTS['function URL'](), context);
    expect(new Set(emu.calls.map((c) => [c.accessKeyId, c.status].join(' ')))).toEqual(new Set([`${DEFAULT_IDENTITY.secretId} 200`]));
  });

  it('fails the cold start, naming the variables, when the function has no execution role', () => {
    expect(() => scfFunction({ TENCENTCLOUD_SECRETID: '', TENCENTCLOUD_SECRETKEY: '', TENCENTCLOUD_SESSIONTOKEN: '' })).toThrow(/TENCENTCLOUD_SECRETID.*execution role/);
  });
});

describe('SCF http handler: cold instance under load', () => {
  it.each(Object.entries(EVENTS))('answers 1000 concurrent %s requests with 1 CreateInstanceToken and at most 1 DescribeInstances', async (_door, event) => {
    // Prepare: one registry, a cold instance, an upstream slow enough that every request arrives before the answer.
    const handler = scfFunction({ REGCRED_REGISTRIES: 'tcr:ap-guangzhou:tcr-acme' });
    emu.inject('tcr', 'CreateInstanceToken', faults.delay(100));
    // Act
    const results = await Promise.all(Array.from({ length: 1000 }, () => handler(event(), context)));
    // Assess
    expect(results.filter((r) => r.statusCode !== 200)).toEqual([]);
    expect(tokenCalls()).toHaveLength(1);
    expect(describeCalls().length).toBeLessThanOrEqual(1);
  });
});

describe('SCF http handler: safety', () => {
  it('keeps registry passwords, their auth form and the role keys out of every log line', async () => {
    // Prepare
    const handler = scfFunction();
    // Act: one success (audit lines) and one failure (error lines)
    const ok = await handler(EVENTS['function URL']({ query: 'format=dockerconfigjson' }), context);
    emu.inject('tcr', 'CreateInstanceToken', { status: 500, times: Infinity });
    await scfFunction()(EVENTS['API Gateway'](), context);
    // Assess
    const { auths } = JSON.parse(ok.body) as { auths: Record<string, { password: string; auth: string }> };
    const secrets = [...Object.values(auths).flatMap((a) => [a.password, a.auth]), DEFAULT_IDENTITY.secretKey, DEFAULT_IDENTITY.token!];
    expect(lines.length).toBeGreaterThanOrEqual(3);
    for (const secret of secrets) expect(lines.filter((l) => l.includes(secret))).toEqual([]);
  });

  it('never answers 500 or a stack trace to 5 000 fuzzed events', async () => {
    const handler = scfFunction();
    const text = fc.oneof(fc.string(), fc.constantFrom('/credentials', `/credentials/${GZ}`, '/credentials/%ZZ', '/', ''));
    const query = fc.dictionary(fc.constantFrom('format', 'name', 'namespace', 'x', ''), fc.oneof(fc.string(), fc.array(fc.string()), fc.constantFrom('json', 'kubelet', 'kubernetes', 'credential-helper')));
    const structured = fc.record(
      {
        httpMethod: fc.oneof(fc.constantFrom('GET', 'POST', 'get', ''), fc.anything()),
        path: fc.oneof(text, fc.anything()),
        headers: fc.oneof(fc.dictionary(fc.string(), fc.string()), fc.anything()),
        queryString: fc.oneof(query, fc.anything()),
        queryStringParameters: fc.oneof(query, fc.anything()),
        requestContext: fc.oneof(fc.record({ httpMethod: fc.anything(), identity: fc.oneof(fc.record({ secretId: fc.anything() }), fc.anything()) }), fc.anything()),
        body: fc.oneof(fc.string(), fc.anything()),
        isBase64Encoded: fc.oneof(fc.boolean(), fc.anything()),
      },
      { requiredKeys: [] },
    );
    const event = fc.oneof(structured, fc.jsonValue(), fc.string(), fc.anything());
    await fc.assert(
      fc.asyncProperty(event, async (e) => {
        const res = await handler(e, context);
        expect(res.statusCode).not.toBe(500);
        expect(res.body).not.toMatch(/\n\s+at |Error:/);
      }),
      { numRuns: 5_000 },
    );
  }, 120_000);
});
