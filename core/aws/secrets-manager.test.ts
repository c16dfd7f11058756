import { CreateSecretCommand, PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { secretsManagerService } from '../../emulator/aws/secrets-manager.js';
import { awsFaults, startAwsEmulator, DEFAULT_IDENTITY, type AwsEmulator } from '../../emulator/aws/server.js';
import { UpstreamError, UpstreamUnavailableError } from '../errors.js';
import { SecretsManagerStore } from './secrets-manager.js';

const sm = secretsManagerService();
let emu: AwsEmulator;
let client: SecretsManagerClient;
let store: SecretsManagerStore;
let n = 0;

const token = (label: string) => `regcred-${label}-`.padEnd(48, '0');
const signal = () => AbortSignal.timeout(5_000);
const callsOf = (operation: string) => emu.calls.filter((c) => c.operation === operation).length;

async function newSecret(value = 'initial'): Promise<{ name: string; first: string }> {
  const name = `regcred/store-${++n}`;
  const first = token(`first${n}`);
  await client.send(new CreateSecretCommand({ Name: name, SecretString: value, ClientRequestToken: first }));
  return { name, first };
}

async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a failure');
    },
    (err: unknown) => err,
  );
}

beforeAll(async () => {
  emu = await startAwsEmulator({ services: [sm] });
  // A role session key, as Lambda gives the function; one attempt per call, as the store expects.
  client = new SecretsManagerClient({ endpoint: emu.url, region: 'us-east-1', credentials: DEFAULT_IDENTITY, maxAttempts: 1 });
  store = new SecretsManagerStore({ client });
});
afterAll(async () => {
  client.destroy();
  await emu.stop();
});
beforeEach(() => emu.clearFaults());

describe('SecretsManagerStore.putVersion', () => {
  it('writes the value as the new AWSCURRENT and leaves the old one AWSPREVIOUS', async () => {
    // Prepare
    const { name, first } = await newSecret();
    const t = token('a');
    // Act
    const result = await store.putVersion(name, '{"auths":{}}', t, signal());
    // Assess
    expect(result).toEqual({ versionId: t, written: true });
    expect(sm.state.stagesOf(name)).toEqual({ [first]: ['AWSPREVIOUS'], [t]: ['AWSCURRENT'] });
  });

  it('writes nothing for a token that already names a version (a retried invocation)', async () => {
    // Prepare
    const { name, first } = await newSecret();
    const t = token('again');
    await store.putVersion(name, 'v1', t, signal());
    const puts = callsOf('PutSecretValue');
    // Act
    const result = await store.putVersion(name, 'v1', t, signal());
    // Assess
    expect(result).toEqual({ versionId: t, written: false });
    expect(callsOf('PutSecretValue')).toBe(puts);
    expect(sm.state.stagesOf(name)).toEqual({ [first]: ['AWSPREVIOUS'], [t]: ['AWSCURRENT'] });
  });

  it('fails retryably on a PutSecretValue 500 and leaves AWSCURRENT on the last good version', async () => {
    // Prepare
    const { name, first } = await newSecret('last-good');
    emu.inject('secretsmanager', 'PutSecretValue', awsFaults.internalFailure());
    // Act
    const err = await failure(store.putVersion(name, 'new', token('boom'), signal()));
    // Assess
    expect(err).toBeInstanceOf(UpstreamError);
    expect((err as UpstreamError).retryable).toBe(true);
    expect(sm.state.stagesOf(name)).toEqual({ [first]: ['AWSCURRENT'] });
  });

  it('reports a throttled DescribeSecret as UpstreamThrottled with its Retry-After', async () => {
    // Prepare
    const { name } = await newSecret();
    emu.inject('secretsmanager', 'DescribeSecret', awsFaults.throttle(3));
    // Act
    const err = await failure(store.putVersion(name, 'v', token('slow'), signal()));
    // Assess
    expect(err).toBeInstanceOf(UpstreamUnavailableError);
    expect([(err as UpstreamUnavailableError).code, (err as UpstreamUnavailableError).retryAfterSeconds]).toEqual(['UpstreamThrottled', 3]);
  });

  it('reports an unknown secret as a final UpstreamError naming the AWS code, not the value', async () => {
    // Act
    const err = (await failure(store.putVersion('regcred/missing', 'top-secret-value', token('x'), signal()))) as UpstreamError;
    // Assess
    expect([err.code, err.retryable, err.message]).toEqual(['UpstreamError', false, 'DescribeSecret failed (ResourceNotFoundException)']);
  });

  it('reports a connection that could not be made as a retryable UpstreamError', async () => {
    // Prepare
    const dead = new SecretsManagerClient({ endpoint: 'http://127.0.0.1:9', region: 'us-east-1', credentials: DEFAULT_IDENTITY, maxAttempts: 1 });
    // Act
    const err = (await failure(new SecretsManagerStore({ client: dead }).putVersion('s', 'v', token('net'), signal()))) as UpstreamError;
    // Assess
    expect([err.code, err.retryable]).toEqual(['UpstreamError', true]);
    dead.destroy();
  });

  it('refuses a token Secrets Manager would not accept, before any call', async () => {
    // Prepare
    const before = emu.calls.length;
    // Act
    const err = await failure(store.putVersion('s', 'v', 'short', signal()));
    // Assess
    expect(err).toBeInstanceOf(UpstreamError);
    expect(emu.calls.length).toBe(before);
  });
});

describe('SecretsManagerStore rotation calls', () => {
  it('describe lists only labelled versions, with name, ARN and rotation flag', async () => {
    // Prepare
    const { name } = await newSecret();
    for (const label of ['b', 'c']) await client.send(new PutSecretValueCommand({ SecretId: name, ClientRequestToken: token(`${n}${label}`), SecretString: label }));
    // Act
    const described = await store.describe(name, signal());
    // Assess
    expect(described).toEqual({
      arn: sm.state.arnOf(name),
      name,
      rotationEnabled: false,
      versions: { [token(`${n}b`)]: ['AWSPREVIOUS'], [token(`${n}c`)]: ['AWSCURRENT'] },
    });
  });

  it('getValue answers undefined for a version that has no such stage', async () => {
    // Prepare
    const { name, first } = await newSecret();
    // Act
    const value = await store.getValue(name, first, 'AWSPENDING', signal());
    // Assess
    expect(value).toBeUndefined();
  });

  it('putPending fills the RotateSecret placeholder with the RotationToken passed through', async () => {
    // Prepare
    const { name, first } = await newSecret();
    const event = sm.state.beginRotation(name, token('rot'));
    // Act
    await store.putPending(name, 'pending-value', event.ClientRequestToken, event.RotationToken, signal());
    // Assess
    expect(sm.state.stagesOf(name)).toEqual({ [first]: ['AWSCURRENT'], [event.ClientRequestToken]: ['AWSPENDING'] });
    expect(sm.state.valueOf(name, 'AWSPENDING')).toBe('pending-value');
  });

  it('moveCurrent is refused, and moves nothing, when the version it removes from is no longer current', async () => {
    // Prepare
    const { name, first } = await newSecret();
    const pending = token('p');
    await client.send(new PutSecretValueCommand({ SecretId: name, ClientRequestToken: pending, SecretString: 'p', VersionStages: ['AWSPENDING'] }));
    const winner = token('w');
    await client.send(new PutSecretValueCommand({ SecretId: name, ClientRequestToken: winner, SecretString: 'w' }));
    // Act
    const err = (await failure(store.moveCurrent(name, pending, first, signal()))) as UpstreamError;
    // Assess
    expect([err.code, err.retryable]).toEqual(['UpstreamError', false]);
    expect(sm.state.stagesOf(name)[winner]).toEqual(['AWSCURRENT']);
  });
});
