import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { apigEvent, functionGraphContext } from '../../emulator/huawei/apig.js';
import { DEFAULT_IDENTITY, faults, startHuaweiEmulator, type HuaweiEmulator } from '../../emulator/huawei/server.js';
import { createHttpHandler } from './http.js';
import { huaweiRuntime } from './runtime.js';

const NORTH = 'swr.cn-north-4.myhuaweicloud.com';
const SOUTHEAST = 'swr.ap-southeast-1.myhuaweicloud.com';
const CALLER_AK = 'HPUACALLERKEYID000001';
/** What a signed call carries through APIG (the shape of an SDK-HMAC-SHA256 header). */
const SIGNED_AUTH = `SDK-HMAC-SHA256 Access=${CALLER_AK}, SignedHeaders=host;x-sdk-date, Signature=${'ab'.repeat(32)}`;

let emu: HuaweiEmulator;
let lines: string[] = [];
beforeAll(async () => {
  emu = await startHuaweiEmulator({ swr: { regions: ['ap-southeast-1'] }, sessionLifetimeMs: 24 * 60 * 60_000 });
});
afterEach(() => {
  emu.clearFaults();
  emu.calls.length = 0;
  lines = [];
});
afterAll(() => emu.stop());

/** A fresh warm instance (own cache) of the HTTP function, logging into `lines`. */
function fgFunction(env: Record<string, string> = {}) {
  const runtime = huaweiRuntime({ REGCRED_REGISTRIES: 'swr:cn-north-4,swr:ap-southeast-1', HUAWEICLOUD_ENDPOINT_URL_SWR: emu.url, ...env }, { write: (line) => lines.push(line) });
  return createHttpHandler(runtime);
}

/** The APIG-trigger event FunctionGraph documents, for a signed GET unless told otherwise. */
function event(options: { path?: string; query?: Record<string, string>; method?: string; headers?: Record<string, string> } = {}) {
  return apigEvent({
    method: options.method ?? 'GET',
    path: options.path ?? '/credentials',
    query: new URLSearchParams(options.query ?? {}).toString(),
    headers: { Authorization: SIGNED_AUTH, 'X-Sdk-Date': '20261130T203000Z', ...options.headers },
  });
}
const context = functionGraphContext();
const mints = () => emu.calls.filter((c) => c.operation === 'CreateSecret');
const audits = () => lines.map((l) => JSON.parse(l)).filter((l) => l.msg === 'credential issued');

describe('APIG trigger: the five formats', () => {
  it('answers json with every configured registry and the <region>@<AK> usernames', async () => {
    // Act
    const res = await fgFunction()(event(), context);
    // Assess
    expect([res.statusCode, res.isBase64Encoded]).toEqual([200, false]);
    expect(res.headers).toEqual({ 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
    const { credentials } = JSON.parse(res.body);
    expect(credentials.map((c: { registry: string; username: string }) => [c.registry, c.username])).toEqual([
      [NORTH, `cn-north-4@${DEFAULT_IDENTITY.accessKeyId}`],
      [SOUTHEAST, `ap-southeast-1@${DEFAULT_IDENTITY.accessKeyId}`],
    ]);
  });

  it('answers dockerconfigjson with a base64 user:password auth per registry', async () => {
    const res = await fgFunction()(event({ query: { format: 'dockerconfigjson' } }), context);
    const { auths } = JSON.parse(res.body);
    expect(Object.keys(auths)).toEqual([NORTH, SOUTHEAST]);
    expect(Buffer.from(auths[NORTH].auth, 'base64').toString()).toBe(`${auths[NORTH].username}:${auths[NORTH].password}`);
  });

  it('answers kubernetes with a named dockerconfigjson Secret', async () => {
    const res = await fgFunction()(event({ query: { format: 'kubernetes', name: 'pull', namespace: 'ci' } }), context);
    expect(JSON.parse(res.body)).toMatchObject({ kind: 'Secret', type: 'kubernetes.io/dockerconfigjson', metadata: { name: 'pull', namespace: 'ci' } });
  });

  it('answers credential-helper for one registry path', async () => {
    const res = await fgFunction()(event({ path: `/credentials/${SOUTHEAST}`, query: { format: 'credential-helper' } }), context);
    expect(JSON.parse(res.body)).toMatchObject({ ServerURL: SOUTHEAST, Username: `ap-southeast-1@${DEFAULT_IDENTITY.accessKeyId}` });
  });

  it('answers kubelet with a CredentialProviderResponse', async () => {
    const res = await fgFunction()(event({ path: `/credentials/${NORTH}`, query: { format: 'kubelet' } }), context);
    expect(JSON.parse(res.body)).toMatchObject({ kind: 'CredentialProviderResponse', cacheKeyType: 'Registry' });
  });

  it('reads the event whether FunctionGraph passes it as an object or a JSON string', async () => {
    const res = await fgFunction()(JSON.stringify(event()), context);
    expect(res.statusCode).toBe(200);
  });
});

describe('APIG trigger: bad requests', () => {
  const cases: Array<[string, unknown, number, string]> = [
    ['an unknown route', event({ path: '/tokens' }), 404, 'NotFound'],
    ['a registry host that is not configured', event({ path: '/credentials/swr.cn-east-3.myhuaweicloud.com' }), 404, 'NotFound'],
    ['a POST', event({ method: 'POST' }), 405, 'MethodNotAllowed'],
    ['an unknown format', event({ query: { format: 'yaml' } }), 400, 'BadRequest'],
  ];
  it.each(cases)('answers %s with %s %s and mints nothing', async (_name, e, status, code) => {
    const res = await fgFunction()(e, context);
    expect([res.statusCode, JSON.parse(res.body).error.code]).toEqual([status, code]);
    expect(mints()).toHaveLength(0);
  });

  it('answers 403 for a caller outside REGCRED_ALLOWED_CALLERS: refused at cold start on this cloud, so no instance serves it', () => {
    expect(() => fgFunction({ REGCRED_ALLOWED_CALLERS: 'HPUA*' })).toThrow(/^REGCRED_ALLOWED_CALLERS cannot be enforced on Huawei Cloud FunctionGraph: .*writes the whole event/);
  });
});

describe('APIG trigger: caller identity', () => {
  it('records the AK the Authorization header claims in the audit line, marked unverified', async () => {
    await fgFunction()(event(), context);
    expect(audits().map((l) => [l.caller, l.callerVerified])).toEqual([
      [CALLER_AK, false],
      [CALLER_AK, false],
    ]);
  });

  it('gives a forged InvokeFunction event naming an allowed AK no credential: a generic 500 from the deployed entry point', async () => {
    // Prepare: the deployed entry point, configured with an allow-list, as an attacker would find it.
    const saved = { ...process.env };
    Object.assign(process.env, { REGCRED_REGISTRIES: 'swr:cn-north-4', HUAWEICLOUD_ENDPOINT_URL_SWR: emu.url, REGCRED_ALLOWED_CALLERS: 'RELEASEBOT*' });
    const stdout: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => (stdout.push(String(chunk)), true));
    try {
      vi.resetModules();
      const { handler } = await import('./http.js');
      // Act
      const res = await handler(event({ headers: { Authorization: SIGNED_AUTH.replace(CALLER_AK, 'RELEASEBOT0000000001') } }), context);
      // Assess
      expect(res.statusCode).toBe(500);
      expect(JSON.parse(res.body)).toEqual({ error: { code: 'InternalError', message: 'internal error' } });
      expect(mints()).toHaveLength(0);
      expect(stdout.join('')).toContain('REGCRED_ALLOWED_CALLERS cannot be enforced');
    } finally {
      spy.mockRestore();
      process.env = saved;
    }
  });
});

describe('APIG trigger: the invocation', () => {
  it('signs SWR calls with the agency keys of each invocation', async () => {
    // Prepare: FunctionGraph renewed the agency's keys between two invocations in flight at once.
    const renewed = { accessKeyId: 'EMULATORRENEWEDAK0001', secretAccessKey: 'renewed-agency-secret', securityToken: 'renewed-agency-token' };
    const own = await startHuaweiEmulator({ identities: [{ ...DEFAULT_IDENTITY }, renewed], swr: { regions: ['ap-southeast-1'] } });
    try {
      const handler = createHttpHandler(huaweiRuntime({ REGCRED_REGISTRIES: 'swr:cn-north-4,swr:ap-southeast-1', HUAWEICLOUD_ENDPOINT_URL_SWR: own.url }, { write: () => {} }));
      own.inject('swr', 'CreateSecret', { ...faults.delay(200), times: 2 });
      // Act
      const [a, b] = await Promise.all([
        handler(event({ path: `/credentials/${NORTH}` }), functionGraphContext()),
        handler(event({ path: `/credentials/${SOUTHEAST}` }), functionGraphContext(renewed)),
      ]);
      // Assess
      expect([a.statusCode, b.statusCode]).toEqual([200, 200]);
      expect(own.calls.map((c) => c.accessKeyId).sort()).toEqual([DEFAULT_IDENTITY.accessKeyId, renewed.accessKeyId].sort());
    } finally {
      await own.stop();
    }
  });

  it('answers a generic 500 when FunctionGraph hands no agency keys (a function without an agency), the reason in the log only', async () => {
    // Act
    const res = await fgFunction()(event(), { getRequestID: () => 'no-agency' });
    // Assess
    expect([res.statusCode, JSON.parse(res.body)]).toEqual([500, { error: { code: 'InternalError', message: 'internal error' } }]);
    expect(lines.join('\n')).toContain('agency access key is missing');
    expect(mints()).toHaveLength(0);
  });

  it("writes the invocation's request id on every log line", async () => {
    await fgFunction()(event({ query: { format: 'xml' } }), context);
    await fgFunction()(event(), context);
    expect(lines.length).toBeGreaterThan(2);
    expect(lines.map((l) => JSON.parse(l).requestId)).toEqual(lines.map(() => context.getRequestID()));
  });
});
