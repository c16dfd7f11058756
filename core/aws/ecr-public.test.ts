import { ECRPUBLICClient } from '@aws-sdk/client-ecr-public';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ecrPublicService, type EcrPublicService } from '../../emulator/aws/ecr-public.js';
import { awsFaults, startAwsEmulator, TEST_IDENTITY, DEFAULT_IDENTITY, type AwsEmulator, type AwsIdentity } from '../../emulator/aws/server.js';
import { ConfigError, RegcredError, UpstreamError, UpstreamUnavailableError } from '../errors.js';
import { withRetry, type RetryPolicy } from '../retry.js';
import { createEcrPublicProvider, EcrPublicProvider } from './ecr-public.js';

const PASSWORD = 'emulated-ecr-public-password:0123456789';
const HOUR = 3_600_000;
const target = { provider: 'ecr-public' as const, region: 'us-east-1' };
const FAST: RetryPolicy = { maxAttempts: 3, baseDelayMs: 5, maxDelayMs: 20, attemptTimeoutMs: 2_000 };

let pub: EcrPublicService;
let emu: AwsEmulator;
beforeAll(async () => {
  pub = ecrPublicService({ password: () => PASSWORD });
  emu = await startAwsEmulator({ services: [pub] });
});
afterEach(() => {
  emu.clearFaults();
  emu.calls.length = 0;
});
afterAll(() => emu.stop());

function provider(credentials: AwsIdentity = DEFAULT_IDENTITY, extra: { systemClockOffset?: number } = {}) {
  return new EcrPublicProvider({
    clientFor: (region) => new ECRPUBLICClient({ endpoint: emu.url, region, credentials, maxAttempts: 1, ...extra }),
  });
}
const signal = () => AbortSignal.timeout(5_000);
const failure = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e);
const token = (text: string) => Buffer.from(text).toString('base64');
const data = (over: Record<string, unknown> = {}) => ({
  authorizationToken: token(`AWS:${PASSWORD}`),
  expiresAt: Date.now() / 1000 + 12 * 3600,
  ...over,
});

describe('EcrPublicProvider against the emulator (real SDK, SigV4 verified)', () => {
  it('mints an AWS login for public.ecr.aws, valid 12 h, signed for ecr-public in us-east-1', async () => {
    // Prepare
    const before = Date.now();
    // Act
    const [cred, ...rest] = await provider().fetch(target, signal());
    // Assess
    expect(rest).toEqual([]);
    expect(cred).toMatchObject({ registry: 'public.ecr.aws', username: 'AWS', password: PASSWORD, provider: 'ecr-public', region: 'us-east-1' });
    expect(cred!.expiresAt.getTime()).toBeGreaterThanOrEqual(before + 12 * HOUR - 1);
    expect(cred!.expiresAt.getTime()).toBeLessThanOrEqual(Date.now() + 12 * HOUR);
    expect(emu.calls).toEqual([expect.objectContaining({ service: 'ecr-public', status: 200, region: 'us-east-1', accessKeyId: DEFAULT_IDENTITY.accessKeyId })]);
  });

  it('uses the target host override instead of public.ecr.aws', async () => {
    const [cred] = await provider().fetch({ ...target, host: 'Mirror.Example:5443' }, signal());
    expect(cred!.registry).toBe('mirror.example:5443');
  });

  it('refuses a target outside us-east-1 without calling AWS (ConfigError)', async () => {
    const err = await failure(provider().fetch({ ...target, region: 'eu-west-1' }, signal()));
    expect(err).toBeInstanceOf(ConfigError);
    expect(emu.calls).toEqual([]);
  });

  it('is denied (UpstreamAccessDenied) when signed with a wrong secret', async () => {
    const err = await failure(provider({ ...TEST_IDENTITY, secretAccessKey: 'not-the-secret' }).fetch(target, signal()));
    expect(err).toMatchObject({ code: 'UpstreamAccessDenied', retryable: false });
    expect(emu.calls[0]).toMatchObject({ status: 400, code: 'InvalidSignatureException' });
  });

  it('is refused when the signing clock is 10 minutes behind (Signature expired → UpstreamAccessDenied)', async () => {
    const err = await failure(provider(TEST_IDENTITY, { systemClockOffset: -10 * 60_000 }).fetch(target, signal()));
    expect(err).toMatchObject({ code: 'UpstreamAccessDenied' });
    expect((err as Error).cause).toMatchObject({ message: expect.stringContaining('Signature expired') });
  });
});

describe('EcrPublicProvider refuses answers it cannot use (UpstreamInvalidResponse naming the field)', () => {
  it.each([
    ['no authorizationData', {}, 'authorizationData is missing or not one object'],
    // The SDK deserializes a list where a structure belongs as an empty structure.
    ['a list instead of one object (the ECR shape)', { authorizationData: [data()] }, 'authorizationData.authorizationToken is missing or not a string'],
    ['a token without a colon', { authorizationData: data({ authorizationToken: token('AWSnocolonpassword') }) }, "authorizationData.authorizationToken does not decode to user:password (no ':')"],
    ['a token that is not base64', { authorizationData: data({ authorizationToken: `AWS:${PASSWORD}` }) }, 'authorizationData.authorizationToken is not base64'],
    ['an expiry in the past', { authorizationData: data({ expiresAt: Date.now() / 1000 - 60 }) }, 'authorizationData.expiresAt is in the past'],
    ['a missing expiry', { authorizationData: data({ expiresAt: undefined }) }, 'authorizationData.expiresAt is missing or not a timestamp'],
  ])('%s', async (_case, answer, problem) => {
    // Prepare
    emu.inject('ecr-public', 'GetAuthorizationToken', awsFaults.respond(answer));
    // Act
    const err = await failure(provider().fetch(target, signal()));
    // Assess
    expect(err).toBeInstanceOf(UpstreamError);
    expect(err).toMatchObject({ code: 'UpstreamInvalidResponse', message: `GetAuthorizationToken answer field ${problem}` });
    expect((err as Error).message).not.toContain(PASSWORD);
  });

  it('a raw non-JSON 200 body', async () => {
    emu.inject('ecr-public', 'GetAuthorizationToken', awsFaults.malformed());
    const err = await failure(provider().fetch(target, signal()));
    expect(err).toMatchObject({ code: 'UpstreamInvalidResponse' });
  });
});

describe('EcrPublicProvider classifies failures for the retry loop', () => {
  it('a 500 ServerException is a retryable UpstreamError', async () => {
    emu.inject('ecr-public', 'GetAuthorizationToken', awsFaults.serverException());
    const err = await failure(provider().fetch(target, signal()));
    expect(err).toMatchObject({ code: 'UpstreamError', retryable: true });
  });

  it('a throttle is UpstreamThrottled carrying the Retry-After seconds', async () => {
    emu.inject('ecr-public', 'GetAuthorizationToken', awsFaults.throttle(4));
    const err = await failure(provider().fetch(target, signal()));
    expect(err).toBeInstanceOf(UpstreamUnavailableError);
    expect(err).toMatchObject({ code: 'UpstreamThrottled', retryAfterSeconds: 4 });
  });

  it('an abort is rethrown as is, not as a RegcredError', async () => {
    // Prepare
    emu.inject('ecr-public', 'GetAuthorizationToken', awsFaults.delay(500));
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 20);
    // Act
    const err = await failure(provider().fetch(target, controller.signal));
    // Assess
    expect(err).toBeInstanceOf(Error);
    expect(err).not.toBeInstanceOf(RegcredError);
  });

  it('with withRetry: one 500 then success → the credential', async () => {
    emu.inject('ecr-public', 'GetAuthorizationToken', awsFaults.serverException());
    const pubProvider = provider();
    const [cred] = await withRetry((s) => pubProvider.fetch(target, s), { policy: FAST, deadline: Date.now() + 5_000 });
    expect(cred!.password).toBe(PASSWORD);
    expect(emu.calls.map((c) => c.status)).toEqual([500, 200]);
  });

  it('with withRetry: an answer slower than the attempt timeout → UpstreamTimeout', async () => {
    emu.inject('ecr-public', 'GetAuthorizationToken', { delayMs: 400, times: Infinity });
    const pubProvider = provider();
    const policy = { ...FAST, maxAttempts: 2, attemptTimeoutMs: 100 };
    const err = await failure(withRetry((s) => pubProvider.fetch(target, s), { policy, deadline: Date.now() + 5_000 }));
    expect(err).toMatchObject({ code: 'UpstreamTimeout', status: 503 });
  });

  it('the default client honours AWS_ENDPOINT_URL_ECR_PUBLIC and the environment credentials', async () => {
    // Prepare
    const saved = { ...process.env };
    Object.assign(process.env, {
      AWS_ENDPOINT_URL_ECR_PUBLIC: emu.url,
      AWS_ACCESS_KEY_ID: DEFAULT_IDENTITY.accessKeyId,
      AWS_SECRET_ACCESS_KEY: DEFAULT_IDENTITY.secretAccessKey,
      AWS_SESSION_TOKEN: DEFAULT_IDENTITY.sessionToken,
    });
    try {
      // Act
      const [cred] = await createEcrPublicProvider().fetch(target, signal());
      // Assess
      expect(cred).toMatchObject({ registry: 'public.ecr.aws', password: PASSWORD });
      expect(emu.calls).toHaveLength(1);
    } finally {
      for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
      Object.assign(process.env, saved);
    }
  });
});
