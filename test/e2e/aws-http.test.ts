/**
 * The AWS function URL handler end to end: real event shapes in, the real ECR / ECR Public SDK
 * clients out to the signature-checking loopback emulator, responses and log lines checked.
 */
import type { Context, LambdaFunctionURLEventWithIAMAuthorizer } from 'aws-lambda';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { ecrPublicService } from '../../emulator/aws/ecr-public.js';
import { ecrService } from '../../emulator/aws/ecr.js';
import { awsFaults, startAwsEmulator, DEFAULT_IDENTITY, type AwsEmulator } from '../../emulator/aws/server.js';
import { createHttpHandler } from '../../handlers/aws/http.js';
import { functionEnv } from '../../emulator/aws/function-env.js';
import { awsRuntime } from '../../handlers/aws/runtime.js';

const CI_ROLE = 'arn:aws:sts::123456789012:assumed-role/ci-build/job-42';
const ECR_HOST = '123456789012.dkr.ecr.us-east-1.amazonaws.com';
const ECR = 'GetAuthorizationToken';

let emu: AwsEmulator;
let ecr: ReturnType<typeof ecrService>;
let ecrPublic: ReturnType<typeof ecrPublicService>;
let lines: string[] = [];

beforeAll(async () => {
  ecr = ecrService({ accountId: '123456789012' });
  ecrPublic = ecrPublicService();
  emu = await startAwsEmulator({ services: [ecr, ecrPublic] });
  Object.assign(process.env, functionEnv(emu.url));
});
afterEach(() => {
  emu.clearFaults();
  emu.calls.length = 0;
});
afterAll(() => emu.stop());

/** A fresh warm instance of the function (its own cache), logging into `lines`. */
function lambda(env: Record<string, string> = {}) {
  return createHttpHandler(
    awsRuntime(
      {
        REGCRED_REGISTRIES: 'ecr:us-east-1,ecr-public:us-east-1',
        REGCRED_ALLOWED_CALLERS: 'arn:aws:sts::123456789012:assumed-role/ci-*/*',
        REGCRED_ATTEMPT_TIMEOUT_MS: '300',
        LOG_LEVEL: 'debug',
        ...env,
      },
      { write: (line) => lines.push(line) },
    ),
  );
}

/** A function URL event as Lambda delivers it for an AWS_IAM-signed request (payload 2.0). */
function urlEvent(path: string, query = '', options: { method?: string; caller?: string; headers?: Record<string, string> } = {}) {
  const method = options.method ?? 'GET';
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: path,
    rawQueryString: query,
    headers: { host: 'abcdefg.lambda-url.us-east-1.on.aws', 'x-amz-date': '20261123T120000Z', 'user-agent': 'curl/8.5.0', ...options.headers },
    ...(query && { queryStringParameters: Object.fromEntries(new URLSearchParams(query)) }),
    requestContext: {
      accountId: '123456789012',
      apiId: 'abcdefg',
      authorizer: {
        iam: {
          accessKey: 'ASIAEXAMPLECALLER',
          accountId: '123456789012',
          callerId: 'AROAEXAMPLE:job-42',
          cognitoIdentity: null,
          principalOrgId: null,
          userArn: options.caller ?? CI_ROLE,
          userId: 'AROAEXAMPLE:job-42',
        },
      },
      domainName: 'abcdefg.lambda-url.us-east-1.on.aws',
      domainPrefix: 'abcdefg',
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '203.0.113.7', userAgent: 'curl/8.5.0' },
      requestId: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef',
      routeKey: '$default',
      stage: '$default',
      time: '23/Nov/2026:12:00:00 +0000',
      timeEpoch: 1795435200000,
    },
    isBase64Encoded: false,
  } as unknown as LambdaFunctionURLEventWithIAMAuthorizer;
}

function context(remainingMs = 3_000): Context {
  const deadline = Date.now() + remainingMs;
  return { awsRequestId: 'req-1', functionName: 'regcred-prod-http', getRemainingTimeInMillis: () => deadline - Date.now() } as Context;
}

async function call(handler: ReturnType<typeof lambda>, event: LambdaFunctionURLEventWithIAMAuthorizer, remainingMs?: number) {
  const res = (await handler(event, context(remainingMs))) as { statusCode: number; headers: Record<string, string>; body: string };
  return { ...res, json: JSON.parse(res.body) };
}

const upstreamCalls = (service: string) => emu.calls.filter((c) => c.service === service && c.operation === ECR).length;

describe('AWS HTTP handler: formats', () => {
  it('GET /credentials returns both registries minted through the SDK, no-store', async () => {
    const res = await call(lambda(), urlEvent('/credentials'));
    expect(res.statusCode).toBe(200);
    expect(res.headers).toMatchObject({ 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
    expect(res.json.credentials.map((c: { registry: string; username: string }) => [c.registry, c.username])).toEqual([
      [ECR_HOST, 'AWS'],
      ['public.ecr.aws', 'AWS'],
    ]);
    const hoursLeft = (Date.parse(res.json.credentials[0].expiresAt) - Date.now()) / 3_600_000;
    expect(hoursLeft).toBeGreaterThan(11.9);
    expect(emu.calls.every((c) => c.accessKeyId === DEFAULT_IDENTITY.accessKeyId && c.status === 200)).toBe(true);
  });

  it('tags every line of an invocation, the metrics line included, with its request id and X-Ray trace id', async () => {
    // Prepare: Lambda sets _X_AMZN_TRACE_ID in the environment before each invocation.
    const env = { _X_AMZN_TRACE_ID: 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1' };
    lines = [];
    // Act
    await lambda(env)(urlEvent('/credentials', '', { caller: CI_ROLE }), { ...context(), awsRequestId: 'req-traced' });
    // Assess
    const tagged = lines.map((l) => JSON.parse(l)).filter((l) => !/^cold start/.test(l.msg));
    expect(tagged.length).toBeGreaterThan(2);
    expect(tagged.some((l) => l._aws)).toBe(true);
    expect(tagged.map((l) => [l.requestId, l.traceId])).toEqual(tagged.map(() => ['req-traced', '1-5759e988-bd862e3fe1be46a994272793']));
  });

  it('writes one audit line per credential issued, with caller and fingerprint', async () => {
    lines = [];
    await call(lambda(), urlEvent('/credentials'));
    const audit = lines.map((l) => JSON.parse(l)).filter((l) => l.msg === 'credential issued');
    expect(audit).toHaveLength(2);
    expect(audit[0]).toMatchObject({ caller: CI_ROLE, callerVerified: true, registry: ECR_HOST });
    expect(audit[0].fingerprint).toMatch(/^[0-9a-f]{12}$/);
  });
});

describe('AWS HTTP handler: caller identity and routing (the rest of the HTTP API: test/matrix)', () => {
  it('a caller outside REGCRED_ALLOWED_CALLERS → 403 with a JSON error naming it', async () => {
    const res = await call(lambda(), urlEvent('/credentials', '', { caller: 'arn:aws:iam::123456789012:user/intruder' }));
    expect(res.statusCode).toBe(403);
    expect(res.json.error.message).toMatch(/caller is not allowed/);
    expect(res.headers['Cache-Control']).toBe('no-store');
  });

  it('one registry host asks only the registry that can serve it', async () => {
    const res = await call(lambda(), urlEvent('/credentials/public.ecr.aws'));
    expect(res.statusCode).toBe(200);
    expect([upstreamCalls('ecr'), upstreamCalls('ecr-public')]).toEqual([0, 1]);
  });

  it('an event without an IAM-verified caller never passes the allow-list (403, no upstream call)', async () => {
    const event = urlEvent('/credentials');
    delete (event.requestContext as { authorizer?: unknown }).authorizer;
    const res = await call(lambda(), event);
    expect(res.statusCode).toBe(403);
    expect(emu.calls).toHaveLength(0);
  });

  it('a misconfigured function answers a generic 500 naming no variable or value; the cold-start log line names it', async () => {
    // Prepare: the shipped entry point, loaded with a bad configuration
    const saved = process.env.REGCRED_REGISTRIES;
    process.env.REGCRED_REGISTRIES = 'ecr:us-east-1,acr-ee:cn-hangzhou:not-an-instance';
    const stdout: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => (stdout.push(String(chunk)), true));
    try {
      vi.resetModules();
      const { handler } = await import('../../handlers/aws/http.js');
      // Act
      const res = (await handler(urlEvent('/credentials') as never, { getRemainingTimeInMillis: () => 5_000 } as Context)) as { statusCode: number; body: string };
      // Assess
      expect(res.statusCode).toBe(500);
      expect(JSON.parse(res.body)).toEqual({ error: { code: 'InternalError', message: 'internal error' } });
      expect(stdout.join('')).toMatch(/"msg":"cold start failed: the function is misconfigured".*REGCRED_REGISTRIES/);
    } finally {
      spy.mockRestore();
      process.env.REGCRED_REGISTRIES = saved;
    }
  });

  it('a forbidden caller causes no upstream call', async () => {
    await call(lambda(), urlEvent('/credentials', '', { caller: 'arn:aws:iam::999999999999:root' }));
    expect(emu.calls).toHaveLength(0);
  });

});

describe('AWS HTTP handler: upstream faults', () => {
  const ecrOnly = { REGCRED_REGISTRIES: 'ecr:us-east-1' };

  it('upstream slower than the attempt timeout → 503 UpstreamTimeout', async () => {
    emu.inject('ecr', ECR, { ...awsFaults.delay(1_500), times: Infinity });
    const res = await call(lambda(ecrOnly), urlEvent('/credentials'), 1_200);
    expect(res.statusCode).toBe(503);
    expect(res.json.error.code).toBe('UpstreamTimeout');
    expect(res.headers['Retry-After']).toBeDefined();
  });

  const validToken = Buffer.from('AWS:secret-password').toString('base64');
  const future = Math.floor(Date.now() / 1000) + 43_200;
  it.each([
    ['no authorizationData', { authorizationData: [] }],
    ['two authorizationData', { authorizationData: [1, 2].map(() => ({ authorizationToken: validToken, expiresAt: future, proxyEndpoint: `https://${ECR_HOST}` })) }],
    ['a token without ":"', { authorizationData: [{ authorizationToken: Buffer.from('AWSnopassword').toString('base64'), expiresAt: future, proxyEndpoint: `https://${ECR_HOST}` }] }],
    ['a token that is not base64', { authorizationData: [{ authorizationToken: '!!!not base64!!!', expiresAt: future, proxyEndpoint: `https://${ECR_HOST}` }] }],
    ['an expiry in the past', { authorizationData: [{ authorizationToken: validToken, expiresAt: future - 86_400, proxyEndpoint: `https://${ECR_HOST}` }] }],
    ['no proxyEndpoint', { authorizationData: [{ authorizationToken: validToken, expiresAt: future }] }],
  ])('malformed answer (%s) → 502 UpstreamInvalidResponse, not retried', async (_name, body) => {
    emu.inject('ecr', ECR, awsFaults.respond(body));
    const res = await call(lambda(ecrOnly), urlEvent('/credentials'));
    expect(res.statusCode).toBe(502);
    expect(res.json.error.code).toBe('UpstreamInvalidResponse');
    expect(res.body).not.toContain('secret-password');
    expect(upstreamCalls('ecr')).toBe(1);
  });
});
