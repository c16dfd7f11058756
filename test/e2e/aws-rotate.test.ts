/**
 * Secrets Manager rotation end to end: RotateSecret on the Secrets Manager emulator invokes the
 * rotate handler (built by the real composition root, SDKs pointed at the emulator) for the four
 * steps; createSecret mints through the ECR emulator and testSecret logs into a real local
 * registry over HTTPS before finishSecret may move AWSCURRENT. Also: the packaged CloudFormation
 * grants the secretsmanager actions only on the configured secrets.
 */
import { CreateSecretCommand, RotateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ecrService } from '../../emulator/aws/ecr.js';
import { secretsManagerService, type RotationEvent } from '../../emulator/aws/secrets-manager.js';
import { awsFaults, startAwsEmulator, DEFAULT_IDENTITY, type AwsEmulator } from '../../emulator/aws/server.js';
import { createRotateHandler } from '../../handlers/aws/rotate.js';
import { awsSecretsRuntime } from '../../handlers/aws/secrets-runtime.js';
import { functionEnv } from '../../emulator/aws/function-env.js';
import { requireTestCa, startRegistry, type LocalRegistry } from '../support/registry.js';

const ECR_PASSWORD = 'ecr-emulator-rotation-password-52c1d0';
const REFUSED_PASSWORD = 'a-password-the-registry-does-not-know';
const REGION = 'us-east-1';
const LAMBDA_ARN = 'arn:aws:lambda:us-east-1:123456789012:function:regcred-rotate';
const STEPS = ['createSecret', 'setSecret', 'testSecret', 'finishSecret'] as const;
const context = (ms = 20_000) => ({ getRemainingTimeInMillis: () => ms });

let registry: LocalRegistry;
let emu: AwsEmulator;
let client: SecretsManagerClient;
let mintPassword = ECR_PASSWORD;
const sm = secretsManagerService();
const lines: string[] = [];
/** Every RotationToken handed to the function: secrets too, so they must not reach a log. */
const rotationTokens: string[] = [];
const savedEnv: Record<string, string | undefined> = {};
let n = 0;

/** A cold start of the rotation function: fresh runtime, empty credential cache. */
function coldStart() {
  const runtime = awsSecretsRuntime({ REGCRED_REGISTRIES: `ecr:${REGION}`, LOG_LEVEL: 'debug', REGCRED_ATTEMPT_TIMEOUT_MS: '1000' }, { write: (l) => lines.push(l) });
  return createRotateHandler(runtime);
}

/** A secret with a current version whose rotation function is a fresh instance of the handler. */
async function newSecret(): Promise<{ name: string; first: string; handler: ReturnType<typeof coldStart> }> {
  const name = `regcred/rotated-${++n}`;
  const first = `initial-version-${n}`.padEnd(36, '0');
  await client.send(new CreateSecretCommand({ Name: name, SecretString: '{"auths":{}}', ClientRequestToken: first }));
  const handler = coldStart();
  sm.state.rotationFunction = (event: RotationEvent) => {
    rotationTokens.push(event.RotationToken);
    return handler(event, context(8_000));
  };
  return { name, first, handler };
}

/** RotateSecret through the SDK, then wait until the emulator finished invoking the steps. */
async function rotate(name: string) {
  await client.send(new RotateSecretCommand({ SecretId: name, RotationLambdaARN: LAMBDA_ARN }));
  const run = sm.state.rotations.at(-1)!;
  await run.done;
  return run;
}

const currentCount = (name: string) => Object.values(sm.state.stagesOf(name)).filter((s) => s.includes('AWSCURRENT')).length;

function setEnv(values: Record<string, string>) {
  for (const [k, v] of Object.entries(values)) {
    if (!(k in savedEnv)) savedEnv[k] = process.env[k];
    process.env[k] = v;
  }
}

beforeAll(async () => {
  requireTestCa();
  registry = await startRegistry({ users: [{ username: 'AWS', password: ECR_PASSWORD }] });
  emu = await startAwsEmulator({ services: [ecrService({ password: () => mintPassword, proxyEndpoint: `https://${registry.host}` }), sm] });
  setEnv(functionEnv(emu.url, REGION));
  client = new SecretsManagerClient({ endpoint: emu.url, region: REGION, credentials: DEFAULT_IDENTITY, maxAttempts: 1 });
});
afterAll(async () => {
  client?.destroy();
  await registry?.stop();
  await emu?.stop();
  for (const [k, v] of Object.entries(savedEnv)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
});
beforeEach(() => {
  emu.clearFaults();
  mintPassword = ECR_PASSWORD;
});

describe('rotation end to end (Secrets Manager emulator + real registry)', () => {
  it('runs all four steps and makes the tested credential AWSCURRENT, the old one AWSPREVIOUS', async () => {
    // Prepare
    const { name, first } = await newSecret();
    const started = performance.now();
    // Act
    const run = await rotate(name);
    const ms = performance.now() - started;
    // Assess
    console.info(`one full rotation (4 steps, emulator + real registry): ${ms.toFixed(0)} ms`);
    expect([run.steps, run.error]).toEqual([[...STEPS], undefined]);
    expect(sm.state.stagesOf(name)).toEqual({ [first]: ['AWSPREVIOUS'], [run.token]: ['AWSCURRENT', 'AWSPENDING'] });
    expect(JSON.parse(sm.state.valueOf(name)!)).toHaveProperty(['auths', registry.host, 'password'], ECR_PASSWORD);
  });

  it('passes the RotationToken of the event through to PutSecretValue', async () => {
    // Prepare
    const { name } = await newSecret();
    // Act
    const run = await rotate(name);
    // Assess
    expect(sm.state.putWithRotationToken.has(run.token)).toBe(true);
  });

  it('with a credential the registry refuses, testSecret fails, finishSecret is never invoked and AWSCURRENT is unchanged', async () => {
    // Prepare
    const { name, first } = await newSecret();
    mintPassword = REFUSED_PASSWORD;
    // Act
    const run = await rotate(name);
    // Assess
    expect(run.steps).toEqual(['createSecret', 'setSecret']);
    expect((run.error as Error).message).toBe(`registry ${registry.host} did not accept the pending credential (UpstreamAccessDenied)`);
    expect(sm.state.stagesOf(name)).toEqual({ [first]: ['AWSCURRENT'], [run.token]: ['AWSPENDING'] });
  });

  it('each step invoked twice in a row through the handler leaves the same state', async () => {
    // Prepare
    const { name, handler } = await newSecret();
    const event = sm.state.beginRotation(name);
    rotationTokens.push(event.RotationToken);
    const states: string[] = [];
    // Act
    for (const Step of STEPS) {
      await handler({ ...event, Step }, context());
      const once = JSON.stringify([sm.state.stagesOf(name), sm.state.valueOf(name), sm.state.valueOf(name, 'AWSPENDING')]);
      await handler({ ...event, Step }, context());
      const twice = JSON.stringify([sm.state.stagesOf(name), sm.state.valueOf(name), sm.state.valueOf(name, 'AWSPENDING')]);
      states.push(once === twice ? 'same' : `${Step} changed the state`);
    }
    // Assess
    expect(states).toEqual(['same', 'same', 'same', 'same']);
    expect(Object.keys(sm.state.stagesOf(name))).toHaveLength(2);
  });
});

describe('rotation faults: the last good AWSCURRENT is untouched and nothing is half-moved', () => {
  it('a persistent ECR 500 fails createSecret and writes no pending value', async () => {
    // Prepare
    const { name, first } = await newSecret();
    emu.inject('ecr', 'GetAuthorizationToken', { ...awsFaults.serverException(), times: Infinity });
    // Act
    const run = await rotate(name);
    // Assess
    expect([run.steps, (run.error as { code?: string }).code]).toEqual([[], 'UpstreamError']);
    expect(sm.state.stagesOf(name)).toEqual({ [first]: ['AWSCURRENT'], [run.token]: ['AWSPENDING'] });
    expect(sm.state.valueOf(name, 'AWSPENDING')).toBeUndefined();
  });

  it('a persistent PutSecretValue 500 fails createSecret and writes no pending value', async () => {
    // Prepare
    const { name, first } = await newSecret();
    emu.inject('secretsmanager', 'PutSecretValue', { ...awsFaults.internalFailure(), times: Infinity });
    // Act
    const run = await rotate(name);
    // Assess
    expect([run.steps, (run.error as { code?: string }).code]).toEqual([[], 'UpstreamError']);
    expect(sm.state.stagesOf(name)).toEqual({ [first]: ['AWSCURRENT'], [run.token]: ['AWSPENDING'] });
  });

  it('a throttled UpdateSecretVersionStage fails finishSecret with UpstreamThrottled and moves no label', async () => {
    // Prepare
    const { name, first } = await newSecret();
    emu.inject('secretsmanager', 'UpdateSecretVersionStage', { ...awsFaults.throttle(), times: Infinity });
    // Act
    const run = await rotate(name);
    // Assess
    expect([run.steps, (run.error as { code?: string }).code]).toEqual([['createSecret', 'setSecret', 'testSecret'], 'UpstreamThrottled']);
    expect(sm.state.stagesOf(name)).toEqual({ [first]: ['AWSCURRENT'], [run.token]: ['AWSPENDING'] });
  });

  it('after a failed finish, Secrets Manager retrying the step completes the rotation', async () => {
    // Prepare
    const { name, first, handler } = await newSecret();
    emu.inject('secretsmanager', 'UpdateSecretVersionStage', { ...awsFaults.internalFailure(), times: Infinity });
    const run = await rotate(name);
    emu.clearFaults();
    // Act
    await handler({ SecretId: run.secretArn, ClientRequestToken: run.token, Step: 'finishSecret' }, context());
    // Assess
    expect(sm.state.stagesOf(name)).toEqual({ [first]: ['AWSPREVIOUS'], [run.token]: ['AWSCURRENT', 'AWSPENDING'] });
  });
});

describe('rotation concurrency', () => {
  it('two rotations of the same secret started at once end with exactly one AWSCURRENT and no lost version', async () => {
    // Prepare
    const { name, first } = await newSecret();
    // Act
    const started = await Promise.allSettled([1, 2].map(() => client.send(new RotateSecretCommand({ SecretId: name, RotationLambdaARN: LAMBDA_ARN }))));
    await Promise.all(sm.state.rotations.filter((r) => r.secretArn === sm.state.arnOf(name)).map((r) => r.done));
    // Assess
    const refused = started.filter((s) => s.status === 'rejected').map((s) => (s as PromiseRejectedResult).reason.name);
    expect(refused).toEqual(['InvalidRequestException']);
    expect(currentCount(name)).toBe(1);
    const winner = (started.find((s) => s.status === 'fulfilled') as PromiseFulfilledResult<{ VersionId?: string }>).value.VersionId!;
    expect(sm.state.stagesOf(name)).toEqual({ [first]: ['AWSPREVIOUS'], [winner]: ['AWSCURRENT', 'AWSPENDING'] });
  });

  it('the same rotation invoked twice concurrently (a platform retry racing the original) ends in one AWSCURRENT', async () => {
    // Prepare
    const { name, first, handler } = await newSecret();
    const event = sm.state.beginRotation(name);
    rotationTokens.push(event.RotationToken);
    const chain = async () => {
      for (const Step of STEPS) await handler({ ...event, Step }, context());
    };
    // Act
    const results = await Promise.allSettled([chain(), chain()]);
    // Assess
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled']);
    expect(sm.state.stagesOf(name)).toEqual({ [first]: ['AWSPREVIOUS'], [event.ClientRequestToken]: ['AWSCURRENT', 'AWSPENDING'] });
  });
});

describe('rotation logs', () => {
  it('no captured log line holds a minted password or a RotationToken', () => {
    // Prepare
    const passwords = [ECR_PASSWORD, REFUSED_PASSWORD];
    const secrets = [...passwords, ...passwords.map((p) => Buffer.from(`AWS:${p}`).toString('base64')), ...rotationTokens];
    // Assess
    expect([lines.length > 10, rotationTokens.length > 5]).toEqual([true, true]);
    expect(lines.filter((l) => secrets.some((s) => l.includes(s)))).toEqual([]);
  });
});
