import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { DEFAULT_IDENTITY, alibabaFaults, startAlibabaEmulator, type AlibabaEmulator } from '../../emulator/alibaba/server.js';
import { createHttpHandler, type FcHttpEvent } from './http.js';
import { alibabaRuntime, type FcContext } from './runtime.js';

const EE = 'emulator-registry.cn-hangzhou.cr.aliyuncs.com';
const CALLER_AK = 'LTAI5tCallerKeyId0001';
/** What a signed call carries once FC's gateway has verified it (shape of an ACS3 header). */
const SIGNED_AUTH = `ACS3-HMAC-SHA256 Credential=${CALLER_AK},SignedHeaders=host;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce,Signature=${'ab'.repeat(32)}`;

let emu: AlibabaEmulator;
let lines: string[] = [];
beforeAll(async () => {
  emu = await startAlibabaEmulator();
});
afterEach(() => {
  emu.clearFaults();
  emu.calls.length = 0;
  lines = [];
});
afterAll(() => emu.stop());

/** A fresh warm instance (own cache) of the HTTP function, logging into `lines`. */
function fcFunction(env: Record<string, string> = {}) {
  const runtime = alibabaRuntime(
    {
      REGCRED_REGISTRIES: `acr:cn-shanghai,acr-ee:cn-hangzhou:cri-emulator`,
      ALIBABA_CLOUD_ENDPOINT_URL_CR: emu.url,
      ...env,
    },
    { write: (line) => lines.push(line) },
  );
  return createHttpHandler(runtime);
}

/** The FC 3.0 context of a function with a role. */
const context: FcContext = {
  requestId: '1-6700a1b2-0c1d2e3f4a5b6c7d8e9f0a1b',
  credentials: { ...DEFAULT_IDENTITY },
  function: { name: 'regcred', timeout: 10 },
  region: 'cn-hangzhou',
  accountId: '1234567890123456',
};

/** An HTTP-trigger event exactly as FC 3.0 documents it, as the Buffer the runtime passes. */
function httpEvent(options: { path?: string; query?: Record<string, string>; method?: string; headers?: Record<string, string>; body?: string; base64?: boolean } = {}): Buffer {
  const path = options.path ?? '/credentials';
  const event: FcHttpEvent & Record<string, unknown> = {
    version: 'v1',
    rawPath: path,
    body: options.body ?? '',
    isBase64Encoded: options.base64 ?? false,
    headers: { 'Accept': 'application/json', 'Authorization': SIGNED_AUTH, 'X-Acs-Date': '2026-01-05T06:41:11Z', ...options.headers },
    queryParameters: options.query ?? {},
    requestContext: {
      accountId: '1234567890123456',
      domainName: 'regcred-abcdefghij.cn-hangzhou.fcapp.run',
      domainPrefix: 'regcred-abcdefghij',
      http: { method: options.method ?? 'GET', path: decodeURIComponent(path), protocol: 'HTTP/1.1', sourceIp: '203.0.113.7', userAgent: 'regcred-cli/0.1' },
      requestId: '1-6700a1b2-0c1d2e3f4a5b6c7d8e9f0a1b',
      time: '2026-01-05T06:41:11Z',
      timeEpoch: '1767595271000',
    } as FcHttpEvent['requestContext'],
  };
  return Buffer.from(JSON.stringify(event));
}

const tokenCalls = () => emu.calls.filter((c) => c.operation === 'GetAuthorizationToken');

describe('FC HTTP trigger: formats', () => {
  it('answers format=credential-helper for one percent-encoded registry path', async () => {
    const res = await fcFunction()(httpEvent({ path: `/credentials/${encodeURIComponent(EE)}`, query: { format: 'credential-helper' } }), context);
    expect(JSON.parse(res.body)).toMatchObject({ ServerURL: EE, Username: 'cr_temp_user' });
  });

  it('accepts a plain and a base64 body on a GET and ignores them', async () => {
    const handler = fcFunction();
    const plain = await handler(httpEvent({ body: 'hello' }), context);
    const base64 = await handler(httpEvent({ body: Buffer.from([0, 1, 2, 255]).toString('base64'), base64: true }), context);
    expect([plain.statusCode, base64.statusCode]).toEqual([200, 200]);
  });

  it('serves an InvokeFunction event without requestContext as a GET', async () => {
    const res = await fcFunction()(Buffer.from(JSON.stringify({ rawPath: '/credentials', queryParameters: { format: 'json' } })), context);
    expect(res.statusCode).toBe(200);
  });
});

describe('FC HTTP trigger: bad requests', () => {
  const cases: Array<[string, Buffer, number, string]> = [
    ['an unknown route', httpEvent({ path: '/tokens' }), 404, 'NotFound'],
    ['a POST', httpEvent({ method: 'POST' }), 405, 'MethodNotAllowed'],
    ['an unknown format', httpEvent({ query: { format: 'yaml' } }), 400, 'BadRequest'],
  ];
  it.each(cases)('answers %s with %s %s and calls no registry', async (_name, event, status, code) => {
    const res = await fcFunction()(event, context);
    expect([res.statusCode, JSON.parse(res.body).error.code]).toEqual([status, code]);
    expect(tokenCalls()).toHaveLength(0);
  });

});

describe('FC HTTP trigger: caller identity', () => {
  it('records the AccessKeyId the Authorization header claims in the audit line, marked unverified', async () => {
    await fcFunction()(httpEvent(), context);
    const audit = lines.map((l) => JSON.parse(l)).filter((l) => l.msg === 'credential issued');
    expect(audit.map((l) => [l.caller, l.callerVerified])).toEqual([
      [CALLER_AK, false],
      [CALLER_AK, false],
    ]);
  });

  it("writes 'unknown' when the event carries no signature", async () => {
    await fcFunction()(httpEvent({ headers: { Authorization: '' } }), context);
    const audit = lines.map((l) => JSON.parse(l)).filter((l) => l.msg === 'credential issued');
    expect(audit.map((l) => l.caller)).toEqual(['unknown', 'unknown']);
  });

  it('refuses REGCRED_ALLOWED_CALLERS at cold start, saying why and what the gate is', () => {
    expect(() => fcFunction({ REGCRED_ALLOWED_CALLERS: 'LTAI5tReleaseBot*' })).toThrow(
      /^REGCRED_ALLOWED_CALLERS cannot be enforced on Alibaba Cloud Function Compute: .*InvokeFunction caller writes the whole event.*grant fc:InvokeFunction/,
    );
  });

  it('gives a forged InvokeFunction event naming an allowed key id no credential: the configuration is refused, the answer a generic 500', async () => {
    // Prepare: the deployed entry point, configured with an allow-list, as an attacker would find it.
    const saved = { ...process.env };
    Object.assign(process.env, {
      REGCRED_REGISTRIES: 'acr:cn-shanghai',
      ALIBABA_CLOUD_ENDPOINT_URL_CR: emu.url,
      REGCRED_ALLOWED_CALLERS: 'LTAI5tReleaseBot*',
    });
    const stdout: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => (stdout.push(String(chunk)), true));
    try {
      vi.resetModules();
      const { handler } = await import('./http.js');
      const forged = httpEvent({ headers: { Authorization: SIGNED_AUTH.replace(CALLER_AK, 'LTAI5tReleaseBot0001') } });
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

  it('answers a bad configuration with a generic 500 that names no variable and no value', async () => {
    const saved = { ...process.env };
    Object.assign(process.env, { REGCRED_REGISTRIES: 'acr:cn-shanghai,not-a-provider:x' });
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      vi.resetModules();
      const { handler } = await import('./http.js');
      const res = await handler(httpEvent(), context);
      expect(res.statusCode).toBe(500);
      expect(res.body).not.toMatch(/REGCRED|not-a-provider/);
    } finally {
      spy.mockRestore();
      process.env = saved;
    }
  });
});

describe('FC HTTP trigger: an explicit invocation', () => {
  it('two concurrent invocations in one instance with different role keys each sign with their own', async () => {
    // Prepare: FC renewed the role's keys between two invocations that are now in flight at once.
    const renewed = { accessKeyId: 'STS.NUrenewedRoleSession', accessKeySecret: 'renewed-role-session-secret', securityToken: 'CAIS.renewed-token' };
    const own = await startAlibabaEmulator({ identities: [DEFAULT_IDENTITY, renewed] });
    try {
      const handler = createHttpHandler(alibabaRuntime({ REGCRED_REGISTRIES: 'acr:cn-shanghai,acr:cn-beijing', ALIBABA_CLOUD_ENDPOINT_URL_CR: own.url }));
      own.inject('cr', 'GetAuthorizationToken', { ...alibabaFaults.delay(200), times: 2 }); // both calls overlap
      // Act
      const [a, b] = await Promise.all([
        handler(httpEvent({ path: '/credentials/registry.cn-shanghai.aliyuncs.com' }), { ...context, requestId: 'req-a' }),
        handler(httpEvent({ path: '/credentials/registry.cn-beijing.aliyuncs.com' }), { ...context, requestId: 'req-b', credentials: { ...renewed } }),
      ]);
      // Assess
      expect([a.statusCode, b.statusCode]).toEqual([200, 200]);
      const signers = own.calls.filter((c) => c.operation === 'GetAuthorizationToken').map((c) => c.accessKeyId).sort();
      expect(signers).toEqual([DEFAULT_IDENTITY.accessKeyId, renewed.accessKeyId].sort());
    } finally {
      await own.stop();
    }
  });

  it('writes the invocation\'s request id on every log line of it', async () => {
    await fcFunction()(httpEvent({ query: { format: 'xml' } }), context);
    await fcFunction()(httpEvent(), context);
    expect(lines.length).toBeGreaterThan(2);
    expect(lines.map((l) => JSON.parse(l).requestId)).toEqual(lines.map(() => context.requestId));
  });
});
