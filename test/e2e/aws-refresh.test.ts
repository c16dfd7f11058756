/**
 * AWS refresh end to end: the refresh handler, built by the real composition root (awsRuntime)
 * with the SDKs pointed at the emulator through AWS_ENDPOINT_URL_*, mints an ECR login through the
 * ECR emulator and writes it into the Secrets Manager emulator; that secret's AWSCURRENT value,
 * given to skopeo as its authfile, pushes and pulls an image on a real local registry.
 */
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import fc from 'fast-check';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ecrService } from '../../emulator/aws/ecr.js';
import { scheduledEvent } from '../../emulator/aws/events.js';
import { secretsManagerService } from '../../emulator/aws/secrets-manager.js';
import { awsFaults, startAwsEmulator, DEFAULT_IDENTITY, type AwsEmulator } from '../../emulator/aws/server.js';
import { BadRequestError } from '../../core/errors.js';
import { RefreshFailedError } from '../../core/refresh.js';
import { loadConfig } from '../../core/config.js';
import { createRefreshHandler, targetsOf } from '../../handlers/aws/refresh.js';
import { awsSecretsRuntime } from '../../handlers/aws/secrets-runtime.js';
import { manifestDigestOf, skopeoCopy, writeOciLayout, type OciImage } from '../support/oci-layout.js';
import { functionEnv } from '../../emulator/aws/function-env.js';
import { requireTestCa, startRegistry, type LocalRegistry } from '../support/registry.js';

// The registry's htpasswd user AWS accepts what the ECR emulator mints, as ECR accepts real tokens.
const ECR_PASSWORD = 'ecr-emulator-password-7f3a9c2e41';
const REGION = 'us-east-1';
const context = (ms = 20_000) => ({ getRemainingTimeInMillis: () => ms });

let registry: LocalRegistry;
let emu: AwsEmulator;
let client: SecretsManagerClient;
let work: string;
let image: OciImage;
const sm = secretsManagerService();
const lines: string[] = [];
const savedEnv: Record<string, string | undefined> = {};
let n = 0;

function setEnv(values: Record<string, string>) {
  for (const [k, v] of Object.entries(values)) {
    if (!(k in savedEnv)) savedEnv[k] = process.env[k];
    process.env[k] = v;
  }
}

/** A cold start: a fresh runtime (empty credential cache) whose targets default to `secretIds`. */
function coldStart(secretIds: string[], extra: Record<string, string> = {}) {
  const targets = secretIds.map((secretId) => ({ store: 'secrets-manager', secretId, format: 'dockerconfigjson', registries: [`ecr:${REGION}`] }));
  const runtime = awsSecretsRuntime(
    { REGCRED_REGISTRIES: `ecr:${REGION}`, ...(targets.length && { REGCRED_TARGETS: JSON.stringify({ targets }) }), LOG_LEVEL: 'debug', ...extra },
    { write: (line) => lines.push(line) },
  );
  return createRefreshHandler(runtime);
}

async function newSecret(): Promise<{ name: string; first: string }> {
  const name = `regcred/refresh-${++n}`;
  const first = `initial-version-${n}`.padEnd(36, '0');
  await client.send(new CreateSecretCommand({ Name: name, SecretString: '{"auths":{}}', ClientRequestToken: first }));
  return { name, first };
}

const callsOf = (operation: string, since = 0) => emu.calls.slice(since).filter((c) => c.operation === operation).length;

async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected the invocation to fail');
    },
    (err: unknown) => err,
  );
}

beforeAll(async () => {
  requireTestCa();
  registry = await startRegistry({ users: [{ username: 'AWS', password: ECR_PASSWORD }] });
  emu = await startAwsEmulator({ services: [ecrService({ password: () => ECR_PASSWORD, proxyEndpoint: `https://${registry.host}` }), sm] });
  setEnv(functionEnv(emu.url, REGION));
  client = new SecretsManagerClient({ endpoint: emu.url, region: REGION, credentials: DEFAULT_IDENTITY, maxAttempts: 1 });
  work = await mkdtemp(join(tmpdir(), 'regcred-e2e-aws-refresh-'));
  image = await writeOciLayout(join(work, 'image'), { tag: 'v1' });
});
afterAll(async () => {
  client?.destroy();
  await registry?.stop();
  await emu?.stop();
  if (work) await rm(work, { recursive: true, force: true });
  for (const [k, v] of Object.entries(savedEnv)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
});
beforeEach(() => emu.clearFaults());

describe('AWS refresh → Secrets Manager → skopeo', () => {
  it('a scheduled refresh writes a dockerconfigjson that logs skopeo into the registry for a push and a pull', async () => {
    // Prepare
    const { name, first } = await newSecret();
    const handler = coldStart([name]);
    // Act
    const { outcomes } = await handler(scheduledEvent(), context());
    const authfile = join(work, 'auth.json');
    await writeFile(authfile, sm.state.valueOf(name)!, { mode: 0o600 });
    const auth = { authfile, certDir: registry.certDir };
    await skopeoCopy(image.ref, `docker://${registry.host}/regcred/demo:v1`, auth);
    await skopeoCopy(`docker://${registry.host}/regcred/demo:v1`, `oci:${join(work, 'pulled')}:v1`, auth);
    // Assess
    expect(outcomes).toMatchObject([{ secretId: name, ok: true, written: true }]);
    expect(sm.state.stagesOf(name)).toEqual({ [first]: ['AWSPREVIOUS'], [outcomes[0]!.versionId!]: ['AWSCURRENT'] });
    expect(await manifestDigestOf(join(work, 'pulled'), 'v1')).toBe(image.manifestDigest);
  });

  it('a regcred.refresh EventBridge event writes the configured targets its detail names, and only those', async () => {
    // Prepare
    const a = await newSecret();
    const b = await newSecret();
    const handler = coldStart([a.name, b.name]);
    const event = {
      ...scheduledEvent({ targets: [{ store: 'secrets-manager', secretId: b.name, format: 'dockerconfigjson', registries: [`ecr:${REGION}`] }] }),
      'detail-type': 'regcred.refresh',
      source: 'ci.pipeline',
    };
    // Act
    const { outcomes } = await handler(event, context());
    // Assess
    expect(outcomes.map((o) => [o.secretId, o.ok, o.written])).toEqual([[b.name, true, true]]);
    expect(JSON.parse(sm.state.valueOf(b.name)!)).toHaveProperty(['auths', registry.host, 'username'], 'AWS');
    expect(sm.state.valueOf(a.name)).toBe('{"auths":{}}');
  });

  it.each([
    ['another format (json) for a configured secret', (secretId: string) => ({ store: 'secrets-manager', secretId, format: 'json', registries: [`ecr:${REGION}`] })],
    ['a secret that is not configured', () => ({ store: 'secrets-manager', secretId: 'regcred/someone-elses-secret', format: 'dockerconfigjson', registries: [`ecr:${REGION}`] })],
  ])('a forged regcred.refresh event naming %s is rejected, writes nothing and the secret stays readable', async (_, forged) => {
    // Prepare: a configured secret that already holds a good dockerconfigjson
    const { name } = await newSecret();
    const handler = coldStart([name]);
    await handler(scheduledEvent(), context());
    const good = sm.state.valueOf(name);
    const writes = callsOf('PutSecretValue');
    // Act
    const err = (await failure(handler({ ...scheduledEvent({ targets: [forged(name)] }), 'detail-type': 'regcred.refresh' }, context()))) as Error;
    const next = await handler(scheduledEvent(), context());
    // Assess
    expect(err).toBeInstanceOf(BadRequestError);
    expect(err.message).toBe('targets[0] is not an entry of REGCRED_TARGETS; an event may name only configured targets, exactly');
    expect(callsOf('PutSecretValue')).toBe(writes);
    expect(sm.state.valueOf(name)).toBe(good);
    expect(JSON.parse(good!)).toHaveProperty(['auths', registry.host, 'username'], 'AWS');
    expect(next.outcomes).toMatchObject([{ secretId: name, ok: true, written: false }]);
  });

  it('an event naming a registry the function is not configured for is rejected before any upstream call', async () => {
    // Prepare
    const handler = coldStart([]);
    const before = emu.calls.length;
    const event = scheduledEvent({ targets: [{ store: 'secrets-manager', secretId: 'x', registries: ['ecr:eu-west-1'] }] });
    // Act
    const err = (await failure(handler({ ...event, 'detail-type': 'regcred.refresh' }, context()))) as Error;
    // Assess
    expect(err.message).toBe("targets[0].registries[0]: 'ecr:eu-west-1' is not in REGCRED_REGISTRIES");
    expect(emu.calls.length).toBe(before);
  });
});

describe('AWS refresh: event shapes', () => {
  const configured = ['configured', 'named'].map((secretId) => ({ store: 'secrets-manager', secretId, registries: [`ecr:${REGION}`] }));
  const withTargets = { config: loadConfig({ REGCRED_REGISTRIES: `ecr:${REGION}`, REGCRED_TARGETS: JSON.stringify({ targets: configured }) }) };
  const withoutTargets = { config: loadConfig({ REGCRED_REGISTRIES: `ecr:${REGION}` }) };
  const named = { targets: [{ store: 'secrets-manager', secretId: 'named', registries: [`ecr:${REGION}`] }] };

  it.each([
    ['a schedule without input', scheduledEvent(), ['configured', 'named']],
    ['a schedule with constant input', named, ['named']],
    ['a regcred.refresh event with targets in detail', { ...scheduledEvent(named), 'detail-type': 'regcred.refresh' }, ['named']],
    ['a regcred.refresh event with an empty detail', { ...scheduledEvent(), 'detail-type': 'regcred.refresh' }, ['configured', 'named']],
    ['an empty direct invocation', {}, ['configured', 'named']],
  ])('%s refreshes the targets %j', (_, event, expected) => {
    // Act
    const targets = targetsOf(event, withTargets);
    // Assess
    expect(targets.map((t) => t.secretId)).toEqual(expected);
  });

  it('an event naming targets is a BadRequestError when REGCRED_TARGETS is not set', () => {
    // Act / Assess
    expect(() => targetsOf(named, withoutTargets)).toThrow('an event may name only entries of REGCRED_TARGETS, which is not set');
  });

  it('an event without targets is a BadRequestError when REGCRED_TARGETS is not set', () => {
    // Act / Assess
    expect(() => targetsOf(scheduledEvent(), withoutTargets)).toThrow('the event names no targets and REGCRED_TARGETS is not set');
  });

  it('any malformed event is a BadRequestError, never another error', () => {
    // Prepare
    const target = fc.record({ store: fc.anything(), secretId: fc.anything(), format: fc.anything(), registries: fc.anything() }, { requiredKeys: [] });
    const events = fc.oneof(
      fc.anything(),
      fc.record({ targets: fc.oneof(fc.anything(), fc.array(target)) }),
      fc.record({ 'detail-type': fc.string(), detail: fc.oneof(fc.anything(), fc.record({ targets: fc.array(target) })) }),
    );
    // Act / Assess
    fc.assert(
      fc.property(events, (event) => {
        try {
          targetsOf(event, withoutTargets);
        } catch (err) {
          expect(err).toBeInstanceOf(BadRequestError);
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('AWS refresh: idempotence and upstream calls', () => {
  it('a refresh retried after a timeout writes no second version', async () => {
    // Prepare: the first PutSecretValue lands only after the invocation has given up.
    const { name, first } = await newSecret();
    // The attempt timeout (default 3 s) outlasts the invocation's 1 s budget: it gives up with no time left to retry.
    const handler = coldStart([name]);
    emu.inject('secretsmanager', 'PutSecretValue', { ...awsFaults.delay(1_500), times: 1 });
    const timedOut = (await failure(handler(scheduledEvent(), context(1_500)))) as RefreshFailedError;
    await new Promise((r) => setTimeout(r, 1_500)); // the delayed write has been applied by now
    // Act: the platform retries the event on the same warm instance
    const { outcomes } = await handler(scheduledEvent(), context());
    // Assess
    expect(timedOut.outcomes[0]!.error?.code).toBe('UpstreamTimeout');
    expect(outcomes).toMatchObject([{ ok: true, written: false }]);
    expect(Object.keys(sm.state.stagesOf(name))).toEqual([first, outcomes[0]!.versionId]);
  });

  it('10 back-to-back refreshes make one ECR call, one write and one DescribeSecret each', async () => {
    // Prepare
    const { name } = await newSecret();
    const handler = coldStart([name]);
    const since = emu.calls.length;
    // Act
    for (let i = 0; i < 10; i++) await handler(scheduledEvent(), context());
    // Assess
    const counts = {
      GetAuthorizationToken: callsOf('GetAuthorizationToken', since),
      DescribeSecret: callsOf('DescribeSecret', since),
      PutSecretValue: callsOf('PutSecretValue', since),
      total: emu.calls.length - since,
    };
    console.info('10 back-to-back refreshes, upstream calls:', JSON.stringify(counts));
    expect(counts).toEqual({ GetAuthorizationToken: 1, DescribeSecret: 10, PutSecretValue: 1, total: 12 });
  });

  it('audits the credential once, when the version is written, not on the no-op retries', async () => {
    // Prepare
    const { name } = await newSecret();
    const handler = coldStart([name]);
    const before = lines.length;
    // Act
    for (let i = 0; i < 3; i++) await handler(scheduledEvent(), context());
    // Assess
    const audit = lines.slice(before).map((l) => JSON.parse(l)).filter((l) => l.msg === 'credential issued');
    expect(audit.map((a) => a.caller)).toEqual([`refresh:secrets-manager:${name}`]);
    expect(audit[0].fingerprint).toMatch(/^[0-9a-f]{12}$/);
  });
});

describe('AWS refresh: faults leave the last good AWSCURRENT untouched', () => {
  it('one failing target fails the invocation but the others are still written', async () => {
    // Prepare
    const good = await newSecret();
    const handler = coldStart([good.name, 'regcred/does-not-exist']);
    // Act
    const err = (await failure(handler({}, context()))) as RefreshFailedError;
    // Assess
    expect(err.outcomes.map((o) => [o.secretId, o.ok])).toEqual([
      [good.name, true],
      ['regcred/does-not-exist', false],
    ]);
    expect(sm.state.stagesOf(good.name)[good.first]).toEqual(['AWSPREVIOUS']);
  });
});
