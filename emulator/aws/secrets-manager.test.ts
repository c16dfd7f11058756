import {
  CreateSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  RotateSecretCommand,
  SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { secretsManagerService, type RotationEvent } from './secrets-manager.js';
import { awsFaults, startAwsEmulator, TEST_IDENTITY, DEFAULT_IDENTITY, type AwsEmulator } from './server.js';

const sm = secretsManagerService();
let emu: AwsEmulator;
let client: SecretsManagerClient;
let n = 0;

const token = (label: string) => `${label}-`.padEnd(36, '0');
async function newSecret(value = 'v0'): Promise<{ name: string; first: string }> {
  const name = `test/secret-${++n}`;
  const first = token(`first${n}`);
  await client.send(new CreateSecretCommand({ Name: name, SecretString: value, ClientRequestToken: first }));
  return { name, first };
}
async function errorOf(promise: Promise<unknown>): Promise<{ name: string; status?: number }> {
  const err = (await promise.then(() => undefined, (e: unknown) => e)) as { name: string; $metadata?: { httpStatusCode?: number } } | undefined;
  if (!err) throw new Error('expected the call to fail');
  return { name: err.name, ...(err.$metadata?.httpStatusCode !== undefined && { status: err.$metadata.httpStatusCode }) };
}

beforeAll(async () => {
  emu = await startAwsEmulator({ services: [sm] });
  client = new SecretsManagerClient({ endpoint: emu.url, region: 'us-east-1', credentials: TEST_IDENTITY, maxAttempts: 1 });
});
afterAll(async () => {
  client.destroy();
  await emu.stop();
});
beforeEach(() => {
  emu.clearFaults();
  sm.state.rotationFunction = undefined;
});

describe('Secrets Manager emulator: signatures', () => {
  it('accepts the SDK signing with a role session key', async () => {
    // Prepare
    const { name } = await newSecret();
    const session = new SecretsManagerClient({ endpoint: emu.url, region: 'eu-west-1', credentials: DEFAULT_IDENTITY, maxAttempts: 1 });
    // Act
    const out = await session.send(new DescribeSecretCommand({ SecretId: name }));
    // Assess
    expect(out.Name).toBe(name);
    session.destroy();
  });

  it('rejects a request signed with the wrong secret key as InvalidSignatureException', async () => {
    // Prepare
    const { name } = await newSecret();
    const forger = new SecretsManagerClient({
      endpoint: emu.url, region: 'us-east-1', maxAttempts: 1,
      credentials: { accessKeyId: TEST_IDENTITY.accessKeyId, secretAccessKey: 'not-the-secret' },
    });
    // Act
    const err = await errorOf(forger.send(new GetSecretValueCommand({ SecretId: name })));
    // Assess
    expect(err).toEqual({ name: 'InvalidSignatureException', status: 400 });
    forger.destroy();
  });
});

describe('Secrets Manager emulator: PutSecretValue', () => {
  it('moves AWSCURRENT to a new version and AWSPREVIOUS to the old current', async () => {
    // Prepare
    const { name, first } = await newSecret();
    const second = token('second');
    // Act
    await client.send(new PutSecretValueCommand({ SecretId: name, ClientRequestToken: second, SecretString: 'v1' }));
    // Assess
    expect(sm.state.stagesOf(name)).toEqual({ [first]: ['AWSPREVIOUS'], [second]: ['AWSCURRENT'] });
  });

  it('takes AWSPREVIOUS off the older version when AWSCURRENT moves again', async () => {
    // Prepare
    const { name, first } = await newSecret();
    await client.send(new PutSecretValueCommand({ SecretId: name, ClientRequestToken: token('b'), SecretString: 'v1' }));
    // Act
    await client.send(new PutSecretValueCommand({ SecretId: name, ClientRequestToken: token('c'), SecretString: 'v2' }));
    // Assess
    const described = await client.send(new DescribeSecretCommand({ SecretId: name }));
    expect(described.VersionIdsToStages).toEqual({ [token('b')]: ['AWSPREVIOUS'], [token('c')]: ['AWSCURRENT'] });
    expect(sm.state.stagesOf(name)[first]).toEqual([]);
  });

  it('treats the same ClientRequestToken with the same value as a no-op returning that version', async () => {
    // Prepare
    const { name, first } = await newSecret();
    const t = token('same');
    await client.send(new PutSecretValueCommand({ SecretId: name, ClientRequestToken: t, SecretString: 'v1' }));
    // Act
    const again = await client.send(new PutSecretValueCommand({ SecretId: name, ClientRequestToken: t, SecretString: 'v1' }));
    // Assess
    expect(again.VersionId).toBe(t);
    expect(sm.state.stagesOf(name)).toEqual({ [first]: ['AWSPREVIOUS'], [t]: ['AWSCURRENT'] });
  });

  it('refuses the same ClientRequestToken with another value as ResourceExistsException', async () => {
    // Prepare
    const { name } = await newSecret();
    const t = token('clash');
    await client.send(new PutSecretValueCommand({ SecretId: name, ClientRequestToken: t, SecretString: 'v1' }));
    // Act
    const err = await errorOf(client.send(new PutSecretValueCommand({ SecretId: name, ClientRequestToken: t, SecretString: 'other' })));
    // Assess
    expect(err).toEqual({ name: 'ResourceExistsException', status: 400 });
    expect(sm.state.valueOf(name)).toBe('v1');
  });

  it('labels a version AWSPENDING only, leaving AWSCURRENT where it was', async () => {
    // Prepare
    const { name, first } = await newSecret();
    const t = token('pending');
    // Act
    await client.send(new PutSecretValueCommand({ SecretId: name, ClientRequestToken: t, SecretString: 'p', VersionStages: ['AWSPENDING'] }));
    // Assess
    expect(sm.state.stagesOf(name)).toEqual({ [first]: ['AWSCURRENT'], [t]: ['AWSPENDING'] });
  });

  it('answers an unknown secret with ResourceNotFoundException', async () => {
    // Act
    const err = await errorOf(client.send(new PutSecretValueCommand({ SecretId: 'no/such', ClientRequestToken: token('x'), SecretString: 'v' })));
    // Assess
    expect(err.name).toBe('ResourceNotFoundException');
  });

  it('rejects a RotationToken it never handed out', async () => {
    // Prepare
    const { name } = await newSecret();
    // Act
    const err = await errorOf(
      client.send(new PutSecretValueCommand({ SecretId: name, ClientRequestToken: token('r'), SecretString: 'p', VersionStages: ['AWSPENDING'], RotationToken: 'forged' })),
    );
    // Assess
    expect(err.name).toBe('InvalidParameterException');
  });
});

describe('Secrets Manager emulator: GetSecretValue', () => {
  it('finds a version by id only when it carries the asked stage', async () => {
    // Prepare
    const { name, first } = await newSecret('v0');
    // Act
    const asCurrent = await client.send(new GetSecretValueCommand({ SecretId: name, VersionId: first, VersionStage: 'AWSCURRENT' }));
    const asPending = await errorOf(client.send(new GetSecretValueCommand({ SecretId: name, VersionId: first, VersionStage: 'AWSPENDING' })));
    // Assess
    expect(asCurrent.SecretString).toBe('v0');
    expect(asPending.name).toBe('ResourceNotFoundException');
  });

  it('finds a secret by its full ARN and by its ARN without the random suffix', async () => {
    // Prepare
    const { name } = await newSecret('v0');
    const arn = sm.state.arnOf(name);
    // Act
    const full = await client.send(new GetSecretValueCommand({ SecretId: arn }));
    const partial = await client.send(new GetSecretValueCommand({ SecretId: arn.slice(0, -7) }));
    // Assess
    expect([full.Name, partial.Name]).toEqual([name, name]);
  });
});

describe('Secrets Manager emulator: UpdateSecretVersionStage', () => {
  async function withPending() {
    const { name, first } = await newSecret();
    const pending = token('pend');
    await client.send(new PutSecretValueCommand({ SecretId: name, ClientRequestToken: pending, SecretString: 'p', VersionStages: ['AWSPENDING'] }));
    return { name, first, pending };
  }

  it('moves AWSCURRENT when RemoveFromVersionId names the current version, leaving AWSPREVIOUS behind', async () => {
    // Prepare
    const { name, first, pending } = await withPending();
    // Act
    await client.send(new UpdateSecretVersionStageCommand({ SecretId: name, VersionStage: 'AWSCURRENT', MoveToVersionId: pending, RemoveFromVersionId: first }));
    // Assess
    expect(sm.state.stagesOf(name)).toEqual({ [first]: ['AWSPREVIOUS'], [pending]: ['AWSCURRENT', 'AWSPENDING'] });
  });

  it('refuses to move AWSCURRENT without RemoveFromVersionId and moves nothing', async () => {
    // Prepare
    const { name, first, pending } = await withPending();
    // Act
    const err = await errorOf(client.send(new UpdateSecretVersionStageCommand({ SecretId: name, VersionStage: 'AWSCURRENT', MoveToVersionId: pending })));
    // Assess
    expect(err.name).toBe('InvalidParameterException');
    expect(sm.state.stagesOf(name)).toEqual({ [first]: ['AWSCURRENT'], [pending]: ['AWSPENDING'] });
  });

  it('refuses a RemoveFromVersionId that is no longer current (a lost race) and moves nothing', async () => {
    // Prepare
    const { name, first, pending } = await withPending();
    const other = token('other');
    await client.send(new PutSecretValueCommand({ SecretId: name, ClientRequestToken: other, SecretString: 'o' }));
    // Act
    const err = await errorOf(
      client.send(new UpdateSecretVersionStageCommand({ SecretId: name, VersionStage: 'AWSCURRENT', MoveToVersionId: pending, RemoveFromVersionId: first })),
    );
    // Assess
    expect(err.name).toBe('InvalidParameterException');
    expect(sm.state.stagesOf(name)[other]).toEqual(['AWSCURRENT']);
  });

  it('refuses to move a label to a version that does not exist', async () => {
    // Prepare
    const { name, first } = await withPending();
    // Act
    const err = await errorOf(
      client.send(new UpdateSecretVersionStageCommand({ SecretId: name, VersionStage: 'AWSCURRENT', MoveToVersionId: token('ghost'), RemoveFromVersionId: first })),
    );
    // Assess
    expect(err.name).toBe('ResourceNotFoundException');
  });
});

describe('Secrets Manager emulator: RotateSecret', () => {
  it('creates a pending placeholder that DescribeSecret lists but GetSecretValue cannot read', async () => {
    // Prepare
    const { name } = await newSecret();
    const t = token('rot');
    // Act
    await client.send(new RotateSecretCommand({ SecretId: name, ClientRequestToken: t, RotationLambdaARN: 'arn:aws:lambda:us-east-1:123456789012:function:f' }));
    // Assess
    const described = await client.send(new DescribeSecretCommand({ SecretId: name }));
    expect([described.RotationEnabled, described.VersionIdsToStages?.[t]]).toEqual([true, ['AWSPENDING']]);
    const err = await errorOf(client.send(new GetSecretValueCommand({ SecretId: name, VersionId: t, VersionStage: 'AWSPENDING' })));
    expect(err.name).toBe('ResourceNotFoundException');
  });

  it('refuses a second rotation while the first is unfinished', async () => {
    // Prepare
    const { name } = await newSecret();
    const lambda = 'arn:aws:lambda:us-east-1:123456789012:function:f';
    await client.send(new RotateSecretCommand({ SecretId: name, ClientRequestToken: token('one'), RotationLambdaARN: lambda }));
    // Act
    const err = await errorOf(client.send(new RotateSecretCommand({ SecretId: name, ClientRequestToken: token('two') })));
    // Assess
    expect(err.name).toBe('InvalidRequestException');
  });

  it('invokes the rotation function for the four steps in order with the token and a RotationToken', async () => {
    // Prepare
    const { name } = await newSecret();
    const events: RotationEvent[] = [];
    sm.state.rotationFunction = async (event) => void events.push(event);
    const t = token('steps');
    // Act
    await client.send(new RotateSecretCommand({ SecretId: name, ClientRequestToken: t, RotationLambdaARN: 'arn:aws:lambda:us-east-1:123456789012:function:f' }));
    await sm.state.rotations.at(-1)!.done;
    // Assess
    expect(events.map((e) => e.Step)).toEqual(['createSecret', 'setSecret', 'testSecret', 'finishSecret']);
    expect(new Set(events.map((e) => `${e.SecretId}|${e.ClientRequestToken}|${e.RotationToken.length > 0}`))).toEqual(new Set([`${sm.state.arnOf(name)}|${t}|true`]));
  });

  it('stops invoking steps after the first one that fails', async () => {
    // Prepare
    const { name } = await newSecret();
    sm.state.rotationFunction = async (event) => {
      if (event.Step === 'testSecret') throw new Error('registry refused');
    };
    // Act
    await client.send(new RotateSecretCommand({ SecretId: name, RotationLambdaARN: 'arn:aws:lambda:us-east-1:123456789012:function:f' }));
    const run = sm.state.rotations.at(-1)!;
    await run.done;
    // Assess
    expect(run.steps).toEqual(['createSecret', 'setSecret']);
  });
});

describe('Secrets Manager emulator: faults', () => {
  it('answers an injected 500 on PutSecretValue and leaves the secret unchanged', async () => {
    // Prepare
    const { name, first } = await newSecret('v0');
    emu.inject('secretsmanager', 'PutSecretValue', awsFaults.internalFailure());
    // Act
    const err = await errorOf(client.send(new PutSecretValueCommand({ SecretId: name, ClientRequestToken: token('f'), SecretString: 'v1' })));
    // Assess
    expect(err.status).toBe(500);
    expect(sm.state.stagesOf(name)).toEqual({ [first]: ['AWSCURRENT'] });
  });

  it('throttles UpdateSecretVersionStage with ThrottlingException', async () => {
    // Prepare
    const { name, first } = await newSecret();
    emu.inject('secretsmanager', 'UpdateSecretVersionStage', awsFaults.throttle(2));
    // Act
    const err = await errorOf(client.send(new UpdateSecretVersionStageCommand({ SecretId: name, VersionStage: 'AWSCURRENT', MoveToVersionId: first })));
    // Assess
    expect(err).toEqual({ name: 'ThrottlingException', status: 400 });
  });

  it('records calls without any secret value', async () => {
    // Prepare
    const { name } = await newSecret('do-not-record-me');
    // Act
    await client.send(new GetSecretValueCommand({ SecretId: name }));
    // Assess
    expect(emu.calls.at(-1)).toMatchObject({ service: 'secretsmanager', operation: 'GetSecretValue', status: 200 });
    expect(JSON.stringify(emu.calls)).not.toContain('do-not-record-me');
  });
});

