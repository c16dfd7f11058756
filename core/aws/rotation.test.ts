import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import fc from 'fast-check';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { secretsManagerService } from '../../emulator/aws/secrets-manager.js';
import { awsFaults, startAwsEmulator, DEFAULT_IDENTITY, type AwsEmulator } from '../../emulator/aws/server.js';
import type { CredentialProvider } from '../provider.js';
import { BadRequestError, UpstreamError } from '../errors.js';
import { createLogger, silentLogger } from '../log.js';
import { loginsIn, parseRotationEvent, ROTATION_STEPS, rotateStep, RotationError, type RotationOptions, type RotationRequest, type RotationStep } from './rotation.js';
import { CredentialService } from '../service.js';
import { SecretsManagerStore } from './secrets-manager.js';

const REGISTRY = 'registry.example:5000';
const sm = secretsManagerService();
let emu: AwsEmulator;
let client: SecretsManagerClient;
let n = 0;
let minted = 0;
let logins: string[] = [];
let refuseLogin = false;

const provider: CredentialProvider = {
  id: 'ecr',
  fetch: async (target) => [
    { registry: REGISTRY, username: 'AWS', password: `minted-password-${++minted}`, expiresAt: new Date(Date.now() + 12 * 3600_000), provider: 'ecr', region: target.region },
  ],
};

const RETRY = { maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5, attemptTimeoutMs: 2_000 };

function options(extra: Partial<RotationOptions> = {}): RotationOptions {
  return {
    store: new SecretsManagerStore({ client }),
    service: new CredentialService({ registries: [{ provider: 'ecr', region: 'us-east-1' }], providers: { ecr: () => provider }, log: silentLogger, retry: RETRY }),
    login: async (registry, username, password) => {
      logins.push(`${registry} ${username} ${password}`);
      if (refuseLogin) throw new UpstreamError('UpstreamAccessDenied', `registry ${registry} refused the credential (HTTP 401)`);
    },
    log: silentLogger,
    retry: RETRY,
    ...extra,
  };
}
const budget = () => ({ deadline: Date.now() + 10_000 });

/** A secret with a current version, rotation enabled, and a RotateSecret placeholder. */
async function rotatingSecret(): Promise<{ name: string; first: string; event: { SecretId: string; ClientRequestToken: string; RotationToken: string } }> {
  const name = `regcred/rotation-${++n}`;
  const first = `first-version-${n}`.padEnd(36, '0');
  await client.send(new CreateSecretCommand({ Name: name, SecretString: '{"auths":{}}', ClientRequestToken: first }));
  const event = sm.state.beginRotation(name, `rotation-version-${n}`.padEnd(36, '0'));
  return { name, first, event };
}

const request = (event: { SecretId: string; ClientRequestToken: string; RotationToken: string }, step: RotationStep): RotationRequest =>
  parseRotationEvent({ ...event, Step: step });

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
  client = new SecretsManagerClient({ endpoint: emu.url, region: 'us-east-1', credentials: DEFAULT_IDENTITY, maxAttempts: 1 });
});
afterAll(async () => {
  client.destroy();
  await emu.stop();
});
beforeEach(() => {
  emu.clearFaults();
  logins = [];
  refuseLogin = false;
});

describe('parseRotationEvent', () => {
  const valid = { SecretId: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:regcred-AbCdEf', ClientRequestToken: 'a'.repeat(36), Step: 'createSecret' };

  it('reads the four fields and passes RotationToken through', () => {
    // Act
    const parsed = parseRotationEvent({ ...valid, RotationToken: 'rt' });
    // Assess
    expect(parsed).toEqual({ secretId: valid.SecretId, token: valid.ClientRequestToken, step: 'createSecret', rotationToken: 'rt' });
  });

  it.each([
    ['create_secret', 'createSecret'],
    ['finish_secret', 'finishSecret'],
  ])('accepts the snake_case spelling %s as %s', (step, expected) => {
    // Act
    const parsed = parseRotationEvent({ ...valid, Step: step });
    // Assess
    expect(parsed.step).toBe(expected);
  });

  it('ignores fields Secrets Manager may add later', () => {
    // Act
    const parsed = parseRotationEvent({ ...valid, SomethingNew: 1 });
    // Assess
    expect(parsed.step).toBe('createSecret');
  });

  it.each([
    ['no SecretId', { ...valid, SecretId: undefined }, 'SecretId'],
    ['a short token', { ...valid, ClientRequestToken: 'short' }, 'ClientRequestToken'],
    ['an unknown step', { ...valid, Step: 'deleteSecret' }, 'Step'],
    ['a numeric RotationToken', { ...valid, RotationToken: 5 }, 'RotationToken'],
  ])('rejects %s with a message naming the field', (_, event, field) => {
    // Act
    const act = () => parseRotationEvent(event);
    // Assess
    expect(act).toThrow(BadRequestError);
    expect(act).toThrow(field);
  });

  it('answers any malformed event with a BadRequestError, never another error', () => {
    // Prepare
    const events = fc.oneof(
      fc.anything(),
      fc.record({ SecretId: fc.anything(), ClientRequestToken: fc.anything(), Step: fc.anything(), RotationToken: fc.anything() }, { requiredKeys: [] }),
      fc.record({ SecretId: fc.string(), ClientRequestToken: fc.string({ minLength: 30, maxLength: 70 }), Step: fc.constantFrom(...ROTATION_STEPS, 'create_secret', 'x') }),
    );
    // Act / Assess
    fc.assert(
      fc.property(events, (event) => {
        try {
          const parsed = parseRotationEvent(event);
          expect(ROTATION_STEPS).toContain(parsed.step);
        } catch (err) {
          expect(err).toBeInstanceOf(BadRequestError);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('rejects an event that is not an object', () => {
    // Act / Assess
    expect(() => parseRotationEvent('createSecret')).toThrow(BadRequestError);
  });
});

describe('rotateStep: the four steps', () => {
  it('creates, tests and finishes: the pending credential becomes AWSCURRENT and the old one AWSPREVIOUS', async () => {
    // Prepare
    const { name, first, event } = await rotatingSecret();
    const opts = options();
    // Act
    const actions = [];
    for (const step of ['createSecret', 'setSecret', 'testSecret', 'finishSecret'] as const) {
      actions.push((await rotateStep(request(event, step), opts, budget())).action);
    }
    // Assess
    expect(actions).toEqual(['created', 'nothingToSet', 'tested', 'finished']);
    expect(sm.state.stagesOf(name)).toEqual({ [first]: ['AWSPREVIOUS'], [event.ClientRequestToken]: ['AWSCURRENT', 'AWSPENDING'] });
    const current = JSON.parse(sm.state.valueOf(name)!) as { auths: Record<string, { username: string; password: string }> };
    expect(logins).toEqual([`${REGISTRY} AWS ${current.auths[REGISTRY]!.password}`]);
  });

  it.each(['createSecret', 'setSecret', 'testSecret', 'finishSecret'] as const)('%s invoked twice in a row leaves the same state', async (step) => {
    // Prepare
    const { name, event } = await rotatingSecret();
    const opts = options();
    const before = ['createSecret', 'setSecret', 'testSecret', 'finishSecret'].slice(0, ['createSecret', 'setSecret', 'testSecret', 'finishSecret'].indexOf(step));
    for (const s of before) await rotateStep(request(event, s as RotationStep), opts, budget());
    await rotateStep(request(event, step), opts, budget());
    const once = { stages: sm.state.stagesOf(name), current: sm.state.valueOf(name), pending: sm.state.valueOf(name, 'AWSPENDING') };
    // Act
    await rotateStep(request(event, step), opts, budget());
    // Assess
    expect({ stages: sm.state.stagesOf(name), current: sm.state.valueOf(name), pending: sm.state.valueOf(name, 'AWSPENDING') }).toEqual(once);
  });

  it('a repeated createSecret writes no second value even when the credential changed meanwhile', async () => {
    // Prepare
    const { name, event } = await rotatingSecret();
    await rotateStep(request(event, 'createSecret'), options(), budget());
    const pending = sm.state.valueOf(name, 'AWSPENDING');
    // Act: a fresh service (a new cold start) mints another credential
    const result = await rotateStep(request(event, 'createSecret'), options(), budget());
    // Assess
    expect([result.action, sm.state.valueOf(name, 'AWSPENDING')]).toEqual(['alreadyPending', pending]);
  });

  it.each([
    ['name', (name: string) => name],
    ['ARN', (name: string) => sm.state.arnOf(name)],
    ['ARN without its random suffix', (name: string) => sm.state.arnOf(name).slice(0, -7)],
  ])('writes the format of the REGCRED_TARGETS entry naming the secret by %s', async (_, idOf) => {
    // Prepare
    const { name, event } = await rotatingSecret();
    const targets = [{ store: 'secrets-manager' as const, secretId: idOf(name), format: 'json' as const, registries: [{ provider: 'ecr' as const, region: 'us-east-1' }] }];
    // Act
    await rotateStep(request(event, 'createSecret'), options({ targets }), budget());
    // Assess
    const value = JSON.parse(sm.state.valueOf(name, 'AWSPENDING')!) as { credentials: { registry: string }[] };
    expect(value.credentials.map((c) => c.registry)).toEqual([REGISTRY]);
  });
});

describe('rotateStep: the stage guard', () => {
  it('refuses a secret whose rotation is not enabled, writing nothing', async () => {
    // Prepare
    const name = `regcred/not-rotating-${++n}`;
    await client.send(new CreateSecretCommand({ Name: name, SecretString: 'x' }));
    const stages = sm.state.stagesOf(name);
    // Act
    const err = await failure(rotateStep(parseRotationEvent({ SecretId: name, ClientRequestToken: 'z'.repeat(36), Step: 'createSecret' }), options(), budget()));
    // Assess
    expect((err as RotationError).code).toBe('RotationNotEnabled');
    expect(sm.state.stagesOf(name)).toEqual(stages);
  });

  it('refuses a token that names no version of the secret', async () => {
    // Prepare
    const { event } = await rotatingSecret();
    // Act
    const err = await failure(rotateStep(request({ ...event, ClientRequestToken: 'unknown'.padEnd(36, '0') }, 'createSecret'), options(), budget()));
    // Assess
    expect((err as RotationError).code).toBe('RotationVersionInvalid');
  });

  it('does nothing for a version that is already AWSCURRENT', async () => {
    // Prepare
    const { name, first, event } = await rotatingSecret();
    const stages = sm.state.stagesOf(name);
    // Act
    const result = await rotateStep(request({ ...event, ClientRequestToken: first }, 'finishSecret'), options(), budget());
    // Assess
    expect(result.action).toBe('alreadyCurrent');
    expect(sm.state.stagesOf(name)).toEqual(stages);
  });

  it('refuses a version that is labelled but not AWSPENDING', async () => {
    // Prepare
    const { name, first, event } = await rotatingSecret();
    const opts = options();
    for (const step of ['createSecret', 'testSecret', 'finishSecret'] as const) await rotateStep(request(event, step), opts, budget());
    // Act: the first version is AWSPREVIOUS now
    const err = await failure(rotateStep(request({ ...event, ClientRequestToken: first }, 'createSecret'), opts, budget()));
    // Assess
    expect((err as RotationError).code).toBe('RotationVersionInvalid');
    expect(sm.state.stagesOf(name)[first]).toEqual(['AWSPREVIOUS']);
  });
});

describe('rotateStep: failures keep AWSCURRENT', () => {
  it('testSecret fails when the registry refuses the pending credential, and AWSCURRENT stays put', async () => {
    // Prepare
    const { name, first, event } = await rotatingSecret();
    await rotateStep(request(event, 'createSecret'), options(), budget());
    refuseLogin = true;
    // Act
    const err = (await failure(rotateStep(request(event, 'testSecret'), options(), budget()))) as RotationError;
    // Assess
    expect([err.code, err.message]).toEqual(['RotationTestFailed', `registry ${REGISTRY} did not accept the pending credential (UpstreamAccessDenied)`]);
    expect(sm.state.stagesOf(name)[first]).toEqual(['AWSCURRENT']);
  });

  it('testSecret fails, and never logs in, when the pending value is not a readable dockerconfigjson', async () => {
    // Prepare
    const { event } = await rotatingSecret();
    await new SecretsManagerStore({ client }).putPending(event.SecretId, '{"auths":{"h":{"username":"u"}}}', event.ClientRequestToken, event.RotationToken, AbortSignal.timeout(5_000));
    // Act
    const err = (await failure(rotateStep(request(event, 'testSecret'), options(), budget()))) as RotationError;
    // Assess
    expect(err.code).toBe('RotationTestFailed');
    expect(logins).toEqual([]);
  });

  it('testSecret masks a login read back from the store in every later log line, though this process never minted it', async () => {
    // Prepare: a pending value written by another instance (its password was never registered here)
    const { event } = await rotatingSecret();
    const readBack = 'read-back-password-Zq81';
    const value = JSON.stringify({ auths: { [REGISTRY]: { username: 'AWS', password: readBack, auth: Buffer.from(`AWS:${readBack}`).toString('base64') } } });
    await new SecretsManagerStore({ client }).putPending(event.SecretId, value, event.ClientRequestToken, event.RotationToken, AbortSignal.timeout(5_000));
    const lines: string[] = [];
    const log = createLogger({ level: 'debug', write: (l) => lines.push(l) });
    // Act
    await rotateStep(request(event, 'testSecret'), options({ log }), budget());
    log.error('a careless line', { value, password: readBack });
    // Assess
    expect(logins).toEqual([`${REGISTRY} AWS ${readBack}`]);
    expect(lines.filter((l) => l.includes(readBack) || l.includes(Buffer.from(`AWS:${readBack}`).toString('base64')))).toEqual([]);
  });

  it('finishSecret retries a throttled UpdateSecretVersionStage and then moves AWSCURRENT', async () => {
    // Prepare
    const { name, event } = await rotatingSecret();
    const opts = options();
    for (const step of ['createSecret', 'testSecret'] as const) await rotateStep(request(event, step), opts, budget());
    emu.inject('secretsmanager', 'UpdateSecretVersionStage', { throttle: true, retryAfterSeconds: 1 });
    // Act
    const result = await rotateStep(request(event, 'finishSecret'), opts, budget());
    // Assess
    expect(result.action).toBe('finished');
    expect(sm.state.stagesOf(name)[event.ClientRequestToken]).toContain('AWSCURRENT');
  });

  it('finishSecret fails after a persistent 500, moving nothing', async () => {
    // Prepare
    const { name, first, event } = await rotatingSecret();
    const opts = options();
    for (const step of ['createSecret', 'testSecret'] as const) await rotateStep(request(event, step), opts, budget());
    emu.inject('secretsmanager', 'UpdateSecretVersionStage', { ...awsFaults.internalFailure(), times: Infinity });
    // Act
    const err = await failure(rotateStep(request(event, 'finishSecret'), opts, budget()));
    // Assess
    expect(err).toBeInstanceOf(UpstreamError);
    expect(sm.state.stagesOf(name)).toEqual({ [first]: ['AWSCURRENT'], [event.ClientRequestToken]: ['AWSPENDING'] });
  });

  it('a finishSecret that lost a race with a refresh is refused, and its retry finishes without losing the refresh version', async () => {
    // Prepare
    const { name, first, event } = await rotatingSecret();
    const opts = options();
    for (const step of ['createSecret', 'testSecret'] as const) await rotateStep(request(event, step), opts, budget());
    const refreshToken = 'regcred-refresh'.padEnd(48, '0');
    // The move arrives late; a scheduled refresh writes a new AWSCURRENT meanwhile.
    emu.inject('secretsmanager', 'UpdateSecretVersionStage', awsFaults.delay(300));
    const finishing = failure(rotateStep(request(event, 'finishSecret'), opts, budget()));
    await new Promise((r) => setTimeout(r, 100));
    await new SecretsManagerStore({ client }).putVersion(name, '{"auths":{}}', refreshToken, AbortSignal.timeout(5_000));
    // Act
    const refused = (await finishing) as UpstreamError;
    const retried = await rotateStep(request(event, 'finishSecret'), opts, budget());
    // Assess
    expect([refused.code, retried.action]).toEqual(['UpstreamError', 'finished']);
    expect(sm.state.stagesOf(name)).toEqual({ [first]: [], [refreshToken]: ['AWSPREVIOUS'], [event.ClientRequestToken]: ['AWSCURRENT', 'AWSPENDING'] });
  });
});

describe('loginsIn', () => {
  const login = { registry: 'r.example', username: 'AWS', password: 'pw' };

  it.each([
    ['dockerconfigjson', JSON.stringify({ auths: { 'r.example': { username: 'AWS', password: 'pw', auth: 'QVdTOnB3' } } })],
    ['json', JSON.stringify({ credentials: [{ ...login, expiresAt: '2026-01-01T00:00:00Z', provider: 'ecr', region: 'us-east-1' }] })],
  ] as const)('reads the logins of a %s secret', (format, value) => {
    // Act
    const logins = loginsIn(value, format);
    // Assess
    expect(logins).toEqual([login]);
  });

  it.each([
    ['not JSON', '{', 'not JSON'],
    ['no registry', '{"auths":{}}', 'no registry in it'],
    ['an entry without password', '{"auths":{"r.example":{"username":"AWS"}}}', 'an entry lacks registry, username or password'],
    ['a password that is not a string', '{"auths":{"r.example":{"username":"AWS","password":5}}}', 'an entry lacks registry, username or password'],
  ])('fails the test for a dockerconfigjson with %s', (_, value, why) => {
    // Act
    const act = () => loginsIn(value, 'dockerconfigjson');
    // Assess
    expect(act).toThrow(new RotationError('RotationTestFailed', `pending secret value is not a dockerconfigjson secret: ${why}`));
  });
});
