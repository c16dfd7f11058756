import { ECRClient } from '@aws-sdk/client-ecr';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ecrService, type EcrService } from '../../emulator/aws/ecr.js';
import { awsFaults, startAwsEmulator, TEST_IDENTITY, DEFAULT_IDENTITY, type AwsEmulator, type AwsIdentity } from '../../emulator/aws/server.js';
import { RegcredError, UpstreamError, UpstreamUnavailableError } from '../errors.js';
import { withRetry, type RetryPolicy } from '../retry.js';
import { createEcrProvider, decodeAuthorizationToken, EcrProvider, registryOf } from './ecr.js';

const PASSWORD = 'emulated-ecr-password:with-colons:0123456789';
const ACCOUNT = '111122223333';
const HOUR = 3_600_000;
const target = { provider: 'ecr' as const, region: 'eu-west-1' };
const FAST: RetryPolicy = { maxAttempts: 3, baseDelayMs: 5, maxDelayMs: 20, attemptTimeoutMs: 2_000 };

let ecr: EcrService;
let emu: AwsEmulator;
beforeAll(async () => {
  ecr = ecrService({ accountId: ACCOUNT, password: () => PASSWORD });
  emu = await startAwsEmulator({ services: [ecr] });
});
afterEach(() => {
  emu.clearFaults();
  emu.calls.length = 0;
});
afterAll(() => emu.stop());

interface ClientTweaks {
  credentials?: AwsIdentity;
  systemClockOffset?: number;
  endpoint?: string;
}
function provider(tweaks: ClientTweaks = {}) {
  return new EcrProvider({
    clientFor: (region) =>
      new ECRClient({
        endpoint: tweaks.endpoint ?? emu.url,
        region,
        credentials: tweaks.credentials ?? DEFAULT_IDENTITY,
        maxAttempts: 1,
        ...(tweaks.systemClockOffset ? { systemClockOffset: tweaks.systemClockOffset } : {}),
      }),
  });
}
const signal = () => AbortSignal.timeout(5_000);
const failure = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e);
const token = (text: string) => Buffer.from(text).toString('base64');
const entry = (over: Record<string, unknown> = {}) => ({
  authorizationToken: token(`AWS:${PASSWORD}`),
  expiresAt: Date.now() / 1000 + 12 * 3600,
  proxyEndpoint: `https://${ACCOUNT}.dkr.ecr.eu-west-1.amazonaws.com`,
  ...over,
});

describe('EcrProvider against the emulator (real SDK, SigV4 verified)', () => {
  it('mints an AWS login for the proxyEndpoint host, valid 12 h, signed with the role session', async () => {
    // Prepare
    const before = Date.now();
    // Act
    const [cred, ...rest] = await provider().fetch(target, signal());
    // Assess
    expect(rest).toEqual([]);
    expect(cred).toMatchObject({ registry: `${ACCOUNT}.dkr.ecr.eu-west-1.amazonaws.com`, username: 'AWS', password: PASSWORD, provider: 'ecr', region: 'eu-west-1' });
    expect(cred!.expiresAt.getTime()).toBeGreaterThanOrEqual(before + 12 * HOUR - 1);
    expect(cred!.expiresAt.getTime()).toBeLessThanOrEqual(Date.now() + 12 * HOUR);
    expect(emu.calls).toEqual([expect.objectContaining({ service: 'ecr', operation: 'GetAuthorizationToken', status: 200, region: 'eu-west-1', accessKeyId: DEFAULT_IDENTITY.accessKeyId })]);
  });

  it('splits the token on the FIRST colon, keeping colons in the password', async () => {
    const [cred] = await provider().fetch(target, signal());
    expect(cred!.password).toBe(ecr.minted.at(-1)!.password);
  });

  it('uses the target host override instead of the proxyEndpoint host', async () => {
    const [cred] = await provider().fetch({ ...target, host: 'Registry.Example:5443' }, signal());
    expect(cred!.registry).toBe('registry.example:5443');
  });

  it('builds one client per region and reuses it', async () => {
    // Prepare
    const regions: string[] = [];
    const ecrProvider = new EcrProvider({
      clientFor: (region) => {
        regions.push(region);
        return new ECRClient({ endpoint: emu.url, region, credentials: TEST_IDENTITY, maxAttempts: 1 });
      },
    });
    // Act
    await ecrProvider.fetch(target, signal());
    await ecrProvider.fetch(target, signal());
    await ecrProvider.fetch({ ...target, region: 'us-east-1' }, signal());
    // Assess
    expect(regions).toEqual(['eu-west-1', 'us-east-1']);
  });

  it('is denied (UpstreamAccessDenied, not retryable) when signed with a wrong secret', async () => {
    const err = await failure(provider({ credentials: { ...TEST_IDENTITY, secretAccessKey: 'not-the-secret' } }).fetch(target, signal()));
    expect(err).toBeInstanceOf(UpstreamError);
    expect(err).toMatchObject({ code: 'UpstreamAccessDenied', status: 502, retryable: false });
    expect(emu.calls[0]).toMatchObject({ status: 400, code: 'InvalidSignatureException' });
  });

  it('is denied (UpstreamAccessDenied) when the session key comes without its token', async () => {
    const { sessionToken: _dropped, ...withoutToken } = DEFAULT_IDENTITY;
    const err = await failure(provider({ credentials: withoutToken }).fetch(target, signal()));
    expect(err).toMatchObject({ code: 'UpstreamAccessDenied' });
    expect(emu.calls[0]).toMatchObject({ code: 'UnrecognizedClientException' });
  });

  it('is refused when the signing clock is 10 minutes off (Signature expired → UpstreamAccessDenied)', async () => {
    const err = await failure(provider({ systemClockOffset: 10 * 60_000 }).fetch(target, signal()));
    expect(err).toMatchObject({ code: 'UpstreamAccessDenied' });
    expect((err as Error).cause).toMatchObject({ name: 'InvalidSignatureException', message: expect.stringContaining('Signature expired') });
  });

  it('maps AccessDeniedException (role lacks ecr:GetAuthorizationToken) to UpstreamAccessDenied', async () => {
    emu.inject('ecr', 'GetAuthorizationToken', awsFaults.accessDenied());
    const err = await failure(provider().fetch(target, signal()));
    expect(err).toMatchObject({ code: 'UpstreamAccessDenied', message: 'GetAuthorizationToken was denied (AccessDeniedException)' });
  });
});

describe('EcrProvider refuses answers it cannot use (UpstreamInvalidResponse naming the field)', () => {
  it.each([
    ['no authorizationData entries', { authorizationData: [] }, 'authorizationData must hold exactly one entry (got 0 entries)'],
    ['two authorizationData entries', { authorizationData: [entry(), entry()] }, 'authorizationData must hold exactly one entry (got 2 entries)'],
    ['no authorizationData at all', {}, 'authorizationData must hold exactly one entry (got none)'],
    ['a token without a colon', { authorizationData: [entry({ authorizationToken: token('AWSnocolonpassword') })] }, "authorizationData[0].authorizationToken does not decode to user:password (no ':')"],
    ['a token that is not base64', { authorizationData: [entry({ authorizationToken: `AWS:${PASSWORD}` })] }, 'authorizationData[0].authorizationToken is not base64'],
    ['a token with an empty password', { authorizationData: [entry({ authorizationToken: token('AWS:') })] }, 'authorizationData[0].authorizationToken has an empty password'],
    ['a missing token', { authorizationData: [entry({ authorizationToken: undefined })] }, 'authorizationData[0].authorizationToken is missing or not a string'],
    ['an expiry in the past', { authorizationData: [entry({ expiresAt: Date.now() / 1000 - 60 })] }, 'authorizationData[0].expiresAt is in the past'],
    ['a missing expiry', { authorizationData: [entry({ expiresAt: undefined })] }, 'authorizationData[0].expiresAt is missing or not a timestamp'],
    ['a missing proxyEndpoint', { authorizationData: [entry({ proxyEndpoint: undefined })] }, 'authorizationData[0].proxyEndpoint is missing or not a string'],
    ['a proxyEndpoint that is not a URL', { authorizationData: [entry({ proxyEndpoint: 'not a url' })] }, 'authorizationData[0].proxyEndpoint is not a URL'],
  ])('%s', async (_case, answer, problem) => {
    // Prepare
    emu.inject('ecr', 'GetAuthorizationToken', awsFaults.respond(answer));
    // Act
    const err = await failure(provider().fetch(target, signal()));
    // Assess
    expect(err).toBeInstanceOf(UpstreamError);
    expect(err).toMatchObject({ code: 'UpstreamInvalidResponse', retryable: false, message: `GetAuthorizationToken answer field ${problem}` });
    expect((err as Error).message).not.toContain(PASSWORD);
  });

  it('a raw non-JSON 200 body', async () => {
    emu.inject('ecr', 'GetAuthorizationToken', awsFaults.malformed());
    const err = await failure(provider().fetch(target, signal()));
    expect(err).toMatchObject({ code: 'UpstreamInvalidResponse', message: 'GetAuthorizationToken answered with a body that could not be parsed' });
  });
});

describe('EcrProvider classifies failures for the retry loop', () => {
  it('a 500 ServerException is a retryable UpstreamError', async () => {
    emu.inject('ecr', 'GetAuthorizationToken', awsFaults.serverException());
    const err = await failure(provider().fetch(target, signal()));
    expect(err).toMatchObject({ code: 'UpstreamError', status: 502, retryable: true, message: 'GetAuthorizationToken failed (ServerException)' });
  });

  it('a throttle is UpstreamThrottled carrying the Retry-After seconds', async () => {
    emu.inject('ecr', 'GetAuthorizationToken', awsFaults.throttle(7));
    const err = await failure(provider().fetch(target, signal()));
    expect(err).toBeInstanceOf(UpstreamUnavailableError);
    expect(err).toMatchObject({ code: 'UpstreamThrottled', status: 503, retryAfterSeconds: 7, headers: { 'Retry-After': '7' } });
  });

  it('a bare 429 is UpstreamThrottled', async () => {
    emu.inject('ecr', 'GetAuthorizationToken', { status: 429, code: 'TooManyRequests', retryAfterSeconds: 3 });
    const err = await failure(provider().fetch(target, signal()));
    expect(err).toMatchObject({ code: 'UpstreamThrottled', retryAfterSeconds: 3 });
  });

  it('a dropped connection is a retryable UpstreamError', async () => {
    emu.inject('ecr', 'GetAuthorizationToken', awsFaults.reset());
    const err = await failure(provider().fetch(target, signal()));
    expect(err).toMatchObject({ code: 'UpstreamError', retryable: true });
  });

  it('a refused connection (ECONNREFUSED) is a retryable UpstreamError', async () => {
    // Prepare: a port that was just free
    const closed = await startAwsEmulator({ services: [] });
    await closed.stop();
    // Act
    const err = await failure(provider({ endpoint: closed.url }).fetch(target, signal()));
    // Assess
    expect(err).toMatchObject({ code: 'UpstreamError', retryable: true, message: 'GetAuthorizationToken failed: network error ECONNREFUSED' });
  });

  it('an abort is rethrown as is, not as a RegcredError (retry.ts owns timeouts)', async () => {
    // Prepare
    emu.inject('ecr', 'GetAuthorizationToken', awsFaults.delay(500));
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 20);
    // Act
    const err = await failure(provider().fetch(target, controller.signal));
    // Assess
    expect(err).toBeInstanceOf(Error);
    expect(err).not.toBeInstanceOf(RegcredError);
  });

  it('with withRetry: one 500 then success → the credential, after two calls', async () => {
    // Prepare
    emu.inject('ecr', 'GetAuthorizationToken', awsFaults.serverException());
    const ecrProvider = provider();
    // Act
    const [cred] = await withRetry((s) => ecrProvider.fetch(target, s), { policy: FAST, deadline: Date.now() + 5_000 });
    // Assess
    expect(cred!.password).toBe(PASSWORD);
    expect(emu.calls.map((c) => c.status)).toEqual([500, 200]);
  });

  it('with withRetry: an answer slower than the attempt timeout → UpstreamTimeout', async () => {
    // Prepare
    emu.inject('ecr', 'GetAuthorizationToken', { delayMs: 400, times: Infinity });
    const ecrProvider = provider();
    const policy = { ...FAST, maxAttempts: 2, attemptTimeoutMs: 100 };
    // Act
    const err = await failure(withRetry((s) => ecrProvider.fetch(target, s), { policy, deadline: Date.now() + 5_000 }));
    // Assess
    expect(err).toMatchObject({ code: 'UpstreamTimeout', status: 503 });
  });
});

describe('decodeAuthorizationToken', () => {
  it.each([
    [token('AWS:p'), { username: 'AWS', password: 'p' }],
    [token('AWS:a:b:c'), { username: 'AWS', password: 'a:b:c' }],
    [token('user:pa ss=='), { username: 'user', password: 'pa ss==' }],
  ])('decodes %s', (input, expected) => {
    expect(decodeAuthorizationToken(input, 'token')).toEqual(expected);
  });

  it.each([
    ['an empty user name', token(':password'), 'token has an empty user name'],
    ['base64 with junk characters', `${token('AWS:p')}!`, 'token is not base64'],
    ['a number', 42, 'token is missing or not a string'],
  ])('refuses %s', (_case, input, message) => {
    expect(() => decodeAuthorizationToken(input, 'token')).toThrow(message);
  });
});

/** Run with these environment variables set, then put the environment back. */
async function withEnv<T>(vars: Record<string, string | undefined>, run: () => Promise<T>): Promise<T> {
  const saved = { ...process.env };
  Object.assign(process.env, vars);
  try {
    return await run();
  } finally {
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
  }
}

describe('EcrProvider default client', () => {
  it('honours AWS_ENDPOINT_URL_ECR and the standard credential chain (as in Lambda)', async () => {
    // Prepare
    const env = {
      AWS_ENDPOINT_URL_ECR: emu.url,
      AWS_ACCESS_KEY_ID: DEFAULT_IDENTITY.accessKeyId,
      AWS_SECRET_ACCESS_KEY: DEFAULT_IDENTITY.secretAccessKey,
      AWS_SESSION_TOKEN: DEFAULT_IDENTITY.sessionToken,
    };
    // Act
    const [cred] = await withEnv(env, () => createEcrProvider().fetch(target, signal()));
    // Assess
    expect(cred).toMatchObject({ registry: `${ACCOUNT}.dkr.ecr.eu-west-1.amazonaws.com`, password: PASSWORD });
    expect(emu.calls).toEqual([expect.objectContaining({ status: 200, accessKeyId: DEFAULT_IDENTITY.accessKeyId, region: 'eu-west-1' })]);
  });

  it('makes one attempt per call (a 500 is not retried by the SDK)', async () => {
    // Prepare
    emu.inject('ecr', 'GetAuthorizationToken', awsFaults.serverException());
    const env = { AWS_ENDPOINT_URL_ECR: emu.url, AWS_ACCESS_KEY_ID: TEST_IDENTITY.accessKeyId, AWS_SECRET_ACCESS_KEY: TEST_IDENTITY.secretAccessKey };
    // Act
    const err = await withEnv(env, () => failure(createEcrProvider().fetch(target, signal())));
    // Assess
    expect(err).toMatchObject({ code: 'UpstreamError', retryable: true });
    expect(emu.calls).toHaveLength(1);
  });
});

describe('EcrProvider.mayServe (which hosts a target can be, before any call)', () => {
  const target = { provider: 'ecr' as const, region: 'us-east-1' };
  it.each([
    ['123456789012.dkr.ecr.us-east-1.amazonaws.com', true],
    ['123456789012.dkr.ecr-fips.us-east-1.amazonaws.com', true],
    ['123456789012.dkr.ecr.eu-west-1.amazonaws.com', false],
    ['12345.dkr.ecr.us-east-1.amazonaws.com', false],
    ['public.ecr.aws', false],
    ['registry.cn-shanghai.aliyuncs.com', false],
  ])('%s → %s', (host, expected) => {
    expect(createEcrProvider().mayServe(target, host)).toBe(expected);
  });

  const other = { ...target, instanceId: '111122223333' };
  it.each([
    ['111122223333.dkr.ecr.us-east-1.amazonaws.com', true],
    ['111122223333.dkr.ecr-fips.us-east-1.amazonaws.com', true],
    ['123456789012.dkr.ecr.us-east-1.amazonaws.com', false],
    ['111122223333.dkr.ecr.eu-west-1.amazonaws.com', false],
  ])('an entry naming account 111122223333: %s → %s', (host, expected) => {
    expect(createEcrProvider().mayServe(other, host)).toBe(expected);
  });
});

describe('registryOf (an entry\'s host from its region\'s proxyEndpoint)', () => {
  const own = { provider: 'ecr', region: 'us-east-1' };
  const other = { ...own, instanceId: '111122223333' };
  it.each([
    [own, 'https://123456789012.dkr.ecr.us-east-1.amazonaws.com', '123456789012.dkr.ecr.us-east-1.amazonaws.com'],
    [other, 'https://123456789012.dkr.ecr.us-east-1.amazonaws.com', '111122223333.dkr.ecr.us-east-1.amazonaws.com'],
    [other, 'https://123456789012.dkr.ecr-fips.us-east-1.amazonaws.com', '111122223333.dkr.ecr-fips.us-east-1.amazonaws.com'],
    [{ ...other, region: 'cn-north-1' }, 'https://123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn', '111122223333.dkr.ecr.cn-north-1.amazonaws.com.cn'],
    [own, 'https://127.0.0.1:5000', '127.0.0.1:5000'],
  ])('%j with %s → %s', (target, proxyEndpoint, host) => {
    expect(registryOf(target, proxyEndpoint)).toBe(host);
  });

  it('refuses to guess another account\'s host from a proxyEndpoint that is no ECR host', () => {
    expect(() => registryOf(other, 'https://127.0.0.1:5000')).toThrow(
      "proxyEndpoint is not an ECR registry host, so account 111122223333's host cannot follow from it (name it: ecr:us-east-1:111122223333=<host>)",
    );
  });
});

describe('EcrProvider.fetchBatch: several accounts\' registries in one region, one upstream call', () => {
  const own = { provider: 'ecr', region: 'eu-west-1' };
  const other = { ...own, instanceId: '444455556666' };
  const ecrCalls = () => emu.calls.filter((c) => c.service === 'ecr' && c.operation === 'GetAuthorizationToken');

  it('answers every entry, each with its own account\'s host, from one GetAuthorizationToken call', async () => {
    // Act
    const [mine, theirs] = (await provider().fetchBatch([own, other], signal())).flat();
    // Assess
    expect(ecrCalls()).toHaveLength(1);
    expect([mine!.registry, theirs!.registry]).toEqual([`${ACCOUNT}.dkr.ecr.eu-west-1.amazonaws.com`, '444455556666.dkr.ecr.eu-west-1.amazonaws.com']);
    expect(theirs!.password).toBe(mine!.password);
  });

  it('keys a batch by region: entries of one region, whatever their account, go together', () => {
    const ecrProvider = createEcrProvider();
    expect([own, other, { ...own, region: 'us-east-1' }].map((t) => ecrProvider.batchKey(t))).toEqual(['eu-west-1', 'eu-west-1', 'us-east-1']);
  });

  it('fails every entry of the batch with the call\'s failure', async () => {
    emu.inject('ecr', 'GetAuthorizationToken', awsFaults.accessDenied());
    const err = await failure(provider().fetchBatch([own, other], signal()));
    expect(err).toMatchObject({ code: 'UpstreamAccessDenied' });
    expect(ecrCalls()).toHaveLength(1);
  });
});
