import { ECRClient, GetAuthorizationTokenCommand } from '@aws-sdk/client-ecr';
import { ECRPUBLICClient, GetAuthorizationTokenCommand as GetPublicTokenCommand } from '@aws-sdk/client-ecr-public';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ecrPublicService, type EcrPublicService } from './ecr-public.js';
import { ecrService, type EcrService } from './ecr.js';
import { startAwsEmulator, TEST_IDENTITY, DEFAULT_IDENTITY, type AwsEmulator, type AwsIdentity } from './server.js';

/** The parts of the SDK's HTTP request these tests rewrite. */
interface HttpRequest {
  headers: Record<string, string>;
  body?: unknown;
}

const PASSWORD = 'emulated-ecr-password-0123456789';
const HOUR = 3_600_000;

let ecr: EcrService;
let pub: EcrPublicService;
let emu: AwsEmulator;
beforeAll(async () => {
  let n = 0;
  ecr = ecrService({ accountId: '111122223333', password: () => `${PASSWORD}-${++n}` });
  pub = ecrPublicService({ password: () => PASSWORD });
  emu = await startAwsEmulator({ services: [ecr, pub] });
});
afterEach(() => {
  emu.clearFaults();
  emu.calls.length = 0;
});
afterAll(() => emu.stop());

const ecrClient = (credentials: AwsIdentity = TEST_IDENTITY, region = 'eu-west-1') =>
  new ECRClient({ endpoint: emu.url, region, credentials, maxAttempts: 1 });
const publicClient = (region = 'us-east-1') =>
  new ECRPUBLICClient({ endpoint: emu.url, region, credentials: DEFAULT_IDENTITY, maxAttempts: 1 });
const failure = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e);
const decode = (token: string | undefined) => Buffer.from(token ?? '', 'base64').toString('utf8');

/** Rewrite the request after the SDK signed it (the deserialize step runs below signing). */
function afterSigning(client: ECRClient, change: (request: HttpRequest) => void): ECRClient {
  client.middlewareStack.add(
    (next) => async (args) => {
      change(args.request as HttpRequest);
      return next(args);
    },
    { step: 'deserialize', priority: 'low', name: 'tamperAfterSigning' },
  );
  return client;
}

describe('ECR GetAuthorizationToken (real SDK, SigV4 verified)', () => {
  it('answers one AWS:<password> token for the caller account, valid 12 h, with its proxyEndpoint', async () => {
    // Prepare
    const before = Date.now();
    // Act
    const out = await ecrClient().send(new GetAuthorizationTokenCommand({}));
    // Assess
    const [data] = out.authorizationData ?? [];
    expect(out.authorizationData).toHaveLength(1);
    expect(decode(data?.authorizationToken)).toBe(`AWS:${ecr.minted.at(-1)?.password}`);
    expect(data?.proxyEndpoint).toBe('https://111122223333.dkr.ecr.eu-west-1.amazonaws.com');
    expect(data?.expiresAt?.getTime()).toBeGreaterThanOrEqual(before + 12 * HOUR - 1);
    expect(data?.expiresAt?.getTime()).toBeLessThanOrEqual(Date.now() + 12 * HOUR);
  });

  it('sends expiresAt as epoch seconds on the wire (the SDK reads a Date from it)', async () => {
    const out = await ecrClient().send(new GetAuthorizationTokenCommand({}));
    expect(out.authorizationData?.[0]?.expiresAt?.getTime()).toBe(Math.round(ecr.minted.at(-1)!.expiresAt));
  });

  it('answers one entry per requested registry id', async () => {
    const out = await ecrClient().send(new GetAuthorizationTokenCommand({ registryIds: ['111111111111', '222222222222'] }));
    expect(out.authorizationData?.map((d) => d.proxyEndpoint)).toEqual([
      'https://111111111111.dkr.ecr.eu-west-1.amazonaws.com',
      'https://222222222222.dkr.ecr.eu-west-1.amazonaws.com',
    ]);
  });

  it('refuses a registry id that is not 12 digits (InvalidParameterException)', async () => {
    const err = await failure(ecrClient().send(new GetAuthorizationTokenCommand({ registryIds: ['not-an-account'] })));
    expect(err).toMatchObject({ name: 'InvalidParameterException', $metadata: { httpStatusCode: 400 } });
  });

  it('reports a configured proxyEndpoint, e.g. a local registry', async () => {
    // Prepare
    const local = ecrService({ proxyEndpoint: 'https://127.0.0.1:5443' });
    const other = await startAwsEmulator({ services: [local] });
    try {
      // Act
      const out = await new ECRClient({ endpoint: other.url, region: 'us-east-1', credentials: TEST_IDENTITY }).send(new GetAuthorizationTokenCommand({}));
      // Assess
      expect(out.authorizationData?.[0]?.proxyEndpoint).toBe('https://127.0.0.1:5443');
    } finally {
      await other.stop();
    }
  });

  it('rejects a client with a wrong secret (InvalidSignatureException) and mints nothing', async () => {
    const minted = ecr.minted.length;
    const err = await failure(ecrClient({ ...TEST_IDENTITY, secretAccessKey: 'wrong-secret' }).send(new GetAuthorizationTokenCommand({})));
    expect(err).toMatchObject({ name: 'InvalidSignatureException', $metadata: { httpStatusCode: 400 } });
    expect(ecr.minted).toHaveLength(minted);
  });

  it('rejects an unknown key id (UnrecognizedClientException)', async () => {
    const err = await failure(ecrClient({ accessKeyId: 'AKIANOTKNOWN00000000', secretAccessKey: 'x' }).send(new GetAuthorizationTokenCommand({})));
    expect(err).toMatchObject({ name: 'UnrecognizedClientException' });
  });

  it('rejects a body changed after signing (InvalidSignatureException)', async () => {
    // Prepare: same length, so only the payload hash can tell
    let sent = '';
    const client = afterSigning(ecrClient(), (request) => {
      const body = typeof request.body === 'string' ? request.body : Buffer.from(request.body as Uint8Array).toString('utf8');
      sent = body.replace('111111111111', '999999999999');
      request.body = sent;
    });
    // Act
    const err = await failure(client.send(new GetAuthorizationTokenCommand({ registryIds: ['111111111111'] })));
    // Assess
    expect(sent).toContain('999999999999');
    expect(err).toMatchObject({ name: 'InvalidSignatureException' });
  });

  it('rejects a request signed for another service (ecr-public scope sent to ecr)', async () => {
    // Prepare: the ECR Public client signs with scope ecr-public; retarget it at ECR before signing
    const client = publicClient();
    client.middlewareStack.add(
      (next) => async (args) => {
        (args.request as HttpRequest).headers['x-amz-target'] = 'AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken';
        return next(args);
      },
      { step: 'build', name: 'retarget' },
    );
    // Act
    const err = await failure(client.send(new GetPublicTokenCommand({})));
    // Assess
    expect(err).toMatchObject({ name: 'InvalidSignatureException', message: expect.stringContaining("'ecr'") });
    expect(emu.calls).toEqual([expect.objectContaining({ service: 'ecr', status: 400, code: 'InvalidSignatureException' })]);
  });

  it('records calls without the minted password', async () => {
    await ecrClient().send(new GetAuthorizationTokenCommand({}));
    expect(emu.calls).toEqual([expect.objectContaining({ service: 'ecr', operation: 'GetAuthorizationToken', status: 200, accessKeyId: TEST_IDENTITY.accessKeyId })]);
    expect(JSON.stringify(emu.calls)).not.toContain(ecr.minted.at(-1)!.password);
  });
});

describe('ECR Public GetAuthorizationToken (real SDK, SigV4 verified)', () => {
  it('answers ONE authorizationData object (no list, no proxyEndpoint) valid 12 h', async () => {
    // Prepare
    const before = Date.now();
    // Act
    const out = await publicClient().send(new GetPublicTokenCommand({}));
    // Assess
    expect(decode(out.authorizationData?.authorizationToken)).toBe(`AWS:${PASSWORD}`);
    expect(Object.keys(out.authorizationData ?? {}).sort()).toEqual(['authorizationToken', 'expiresAt']);
    expect(out.authorizationData?.expiresAt?.getTime()).toBeGreaterThanOrEqual(before + 12 * HOUR - 1);
    expect(pub.minted.at(-1)).toMatchObject({ password: PASSWORD, region: 'us-east-1' });
  });

  it('refuses a credential scope outside us-east-1', async () => {
    const err = await failure(publicClient('eu-west-1').send(new GetPublicTokenCommand({})));
    expect(err).toMatchObject({ name: 'InvalidSignatureException', message: expect.stringContaining('region') });
  });
});
