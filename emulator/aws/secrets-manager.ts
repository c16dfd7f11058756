/**
 * Secrets Manager for the AWS emulator: the version and staging-label semantics the real service
 * documents, which refresh and rotation depend on.
 *
 * - PutSecretValue without VersionStages moves AWSCURRENT to the new version and AWSPREVIOUS to
 *   the version that lost AWSCURRENT. A label lives on at most one version of a secret.
 * - ClientRequestToken is the VersionId: the same token with the same value is a no-op that
 *   answers with the existing version; the same token with another value is
 *   ResourceExistsException. RotateSecret's placeholder version (AWSPENDING, no value yet) is the
 *   one exception: PutSecretValue fills it.
 * - UpdateSecretVersionStage refuses to take a label from a version unless RemoveFromVersionId
 *   names exactly the version that holds it, which is what keeps two racing rotations from both
 *   winning.
 * - RotateSecret refuses while a rotation is unfinished (AWSPENDING on a version that is not
 *   AWSCURRENT), creates the pending placeholder and, when the emulator has a rotation function,
 *   invokes it for the four steps in order, stopping at the first failure as the service does.
 * - DescribeSecret lists only versions that carry a label (the others are deprecated).
 * Values never leave this module except through GetSecretValue.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { ServiceError, type Operation } from '../front-end.js';
import type { AwsService } from './wire.js';

export const ACCOUNT_ID = '123456789012';
const CURRENT = 'AWSCURRENT';
const PREVIOUS = 'AWSPREVIOUS';
const PENDING = 'AWSPENDING';
const STEPS = ['createSecret', 'setSecret', 'testSecret', 'finishSecret'] as const;

/** What Secrets Manager sends a rotation Lambda for each step. */
export interface RotationEvent {
  Step: (typeof STEPS)[number];
  SecretId: string;
  ClientRequestToken: string;
  RotationToken: string;
}

/** A rotation function: resolves when the step succeeded, throws when it failed. */
export type RotationInvoker = (event: RotationEvent) => Promise<unknown>;

export interface RotationRun {
  secretArn: string;
  token: string;
  /** Steps that completed, in order. */
  steps: string[];
  /** The first step's failure, if any (the later steps were not invoked). */
  error?: unknown;
  done: Promise<void>;
}

interface Version {
  id: string;
  /** undefined: RotateSecret's placeholder, not yet written by createSecret. */
  value?: string;
  stages: Set<string>;
  created: number;
}

interface Secret {
  arn: string;
  name: string;
  region: string;
  versions: Map<string, Version>;
  rotationEnabled: boolean;
  rotationLambdaArn?: string;
  /** RotationTokens handed to the rotation function and not yet spent. */
  rotationTokens: Set<string>;
  lastRotatedDate?: number;
}

type Input = Record<string, unknown>;

export interface SecretsManagerOptions {
  now?: () => number;
  /** Called for each step after RotateSecret (the "rotation Lambda"). */
  rotationFunction?: RotationInvoker;
}

export class SecretsManagerState {
  readonly #secrets = new Map<string, Secret>();
  readonly #now: () => number;
  rotationFunction: RotationInvoker | undefined;
  /** Every rotation RotateSecret started, in order. */
  readonly rotations: RotationRun[] = [];
  /** Version ids written by a PutSecretValue that carried a valid RotationToken. */
  readonly putWithRotationToken = new Set<string>();

  constructor(options: SecretsManagerOptions = {}) {
    this.#now = options.now ?? (() => Date.now());
    this.rotationFunction = options.rotationFunction;
  }

  /** The operations, by the name in `X-Amz-Target: secretsmanager.<Operation>`. */
  readonly operations: Record<string, Operation> = {
    CreateSecret: (input, ctx) => this.#create(input, ctx.region!),
    DescribeSecret: (input) => this.#describe(input),
    GetSecretValue: (input) => this.#getValue(input),
    PutSecretValue: (input) => this.#put(input),
    UpdateSecretVersionStage: (input) => this.#updateStage(input),
    RotateSecret: (input) => this.#rotate(input),
    ListSecretVersionIds: (input) => this.#listVersions(input),
  };

  /** Test view: version id → labels, deprecated versions included (with no labels). */
  stagesOf(secretId: string): Record<string, string[]> {
    const secret = this.#find(secretId);
    return Object.fromEntries([...secret.versions.values()].map((v) => [v.id, [...v.stages].sort()]));
  }

  /** Test view: the value of the version holding `stage` (AWSCURRENT by default). */
  valueOf(secretId: string, stage = CURRENT): string | undefined {
    return [...this.#find(secretId).versions.values()].find((v) => v.stages.has(stage))?.value;
  }

  /** Test setup: create `name` holding `value` as its AWSCURRENT version, as CreateSecret would. */
  createSecret(name: string, value: string, region = 'us-east-1'): void {
    this.#create({ Name: name, SecretString: value }, region);
  }

  /** Test view: the ARN of a secret. */
  arnOf(secretId: string): string {
    return this.#find(secretId).arn;
  }

  #create(input: Input, region: string) {
    const name = requiredString(input, 'Name');
    if ([...this.#secrets.values()].some((s) => s.name === name)) {
      throw new ServiceError(400, 'ResourceExistsException', `The operation failed because the secret ${name} already exists.`);
    }
    const arn = `arn:aws:secretsmanager:${region}:${ACCOUNT_ID}:secret:${name}-${randomBytes(3).toString('hex')}`;
    const secret: Secret = { arn, name, region, versions: new Map(), rotationEnabled: false, rotationTokens: new Set() };
    this.#secrets.set(arn, secret);
    const value = optionalString(input, 'SecretString');
    if (value === undefined) return { ARN: arn, Name: name };
    const id = optionalString(input, 'ClientRequestToken') ?? randomUUID();
    this.#addVersion(secret, id, value, [CURRENT]);
    return { ARN: arn, Name: name, VersionId: id };
  }

  #describe(input: Input) {
    const secret = this.#find(requiredString(input, 'SecretId'));
    const versions: Record<string, string[]> = {};
    for (const v of secret.versions.values()) if (v.stages.size) versions[v.id] = [...v.stages];
    return {
      ARN: secret.arn,
      Name: secret.name,
      RotationEnabled: secret.rotationEnabled,
      ...(secret.rotationLambdaArn && { RotationLambdaARN: secret.rotationLambdaArn }),
      ...(secret.lastRotatedDate && { LastRotatedDate: secret.lastRotatedDate / 1000 }),
      VersionIdsToStages: versions,
    };
  }

  #listVersions(input: Input) {
    const secret = this.#find(requiredString(input, 'SecretId'));
    return {
      ARN: secret.arn,
      Name: secret.name,
      Versions: [...secret.versions.values()].map((v) => ({ VersionId: v.id, VersionStages: [...v.stages], CreatedDate: v.created / 1000 })),
    };
  }

  #getValue(input: Input) {
    const secret = this.#find(requiredString(input, 'SecretId'));
    const versionId = optionalString(input, 'VersionId');
    const stage = optionalString(input, 'VersionStage') ?? (versionId ? undefined : CURRENT);
    const version = versionId
      ? secret.versions.get(versionId)
      : [...secret.versions.values()].find((v) => stage !== undefined && v.stages.has(stage));
    if (!version || version.value === undefined || (stage !== undefined && !version.stages.has(stage))) {
      const what = versionId ? `VersionId: ${versionId}` : `staging label: ${stage}`;
      throw new ServiceError(400, 'ResourceNotFoundException', `Secrets Manager can't find the specified secret value for ${what}`);
    }
    return {
      ARN: secret.arn,
      Name: secret.name,
      VersionId: version.id,
      SecretString: version.value,
      VersionStages: [...version.stages],
      CreatedDate: version.created / 1000,
    };
  }

  #put(input: Input) {
    const secret = this.#find(requiredString(input, 'SecretId'));
    const token = requiredString(input, 'ClientRequestToken');
    if (token.length < 32 || token.length > 64) {
      throw new ServiceError(400, 'ValidationException', "1 validation error detected: Value at 'clientRequestToken' failed to satisfy constraint: Member must have length between 32 and 64");
    }
    const value = requiredString(input, 'SecretString');
    const stages = input.VersionStages === undefined ? [CURRENT] : stringList(input, 'VersionStages');
    const rotationToken = optionalString(input, 'RotationToken');
    if (rotationToken !== undefined && !secret.rotationTokens.has(rotationToken)) {
      throw new ServiceError(400, 'InvalidParameterException', 'The rotation token is invalid or has expired.');
    }

    const existing = secret.versions.get(token);
    if (existing?.value !== undefined) {
      if (existing.value !== value) {
        throw new ServiceError(400, 'ResourceExistsException', "You can't modify an existing version, you can only create a new version.");
      }
      return { ARN: secret.arn, Name: secret.name, VersionId: token, VersionStages: [...existing.stages] };
    }
    const version = this.#addVersion(secret, token, value, stages);
    if (rotationToken !== undefined) this.putWithRotationToken.add(token);
    return { ARN: secret.arn, Name: secret.name, VersionId: token, VersionStages: [...version.stages] };
  }

  #updateStage(input: Input) {
    const secret = this.#find(requiredString(input, 'SecretId'));
    const stage = requiredString(input, 'VersionStage');
    const moveTo = optionalString(input, 'MoveToVersionId');
    const removeFrom = optionalString(input, 'RemoveFromVersionId');
    const holder = [...secret.versions.values()].find((v) => v.stages.has(stage));
    const answer = { ARN: secret.arn, Name: secret.name };

    if (moveTo === undefined) {
      if (removeFrom === undefined) throw new ServiceError(400, 'InvalidParameterException', 'You must specify MoveToVersionId or RemoveFromVersionId.');
      if (holder?.id !== removeFrom) {
        throw new ServiceError(400, 'InvalidParameterException', `The staging label ${stage} isn't attached to version ${removeFrom}.`);
      }
      if (stage === CURRENT) throw new ServiceError(400, 'InvalidParameterException', 'You can only remove AWSCURRENT by moving it to another version.');
      holder.stages.delete(stage);
      return answer;
    }

    const target = secret.versions.get(moveTo);
    if (!target || target.value === undefined) {
      throw new ServiceError(400, 'ResourceNotFoundException', `Secrets Manager can't find the specified secret value for VersionId: ${moveTo}`);
    }
    if (holder === target) return answer;
    if (holder && holder.id !== removeFrom) {
      throw new ServiceError(
        400,
        'InvalidParameterException',
        `The parameter RemoveFromVersionId doesn't match: staging label ${stage} is currently attached to version ${holder.id}.`,
      );
    }
    if (!holder && removeFrom !== undefined) {
      throw new ServiceError(400, 'InvalidParameterException', `The staging label ${stage} isn't attached to version ${removeFrom}.`);
    }
    this.#attach(secret, target, stage);
    return answer;
  }

  #rotate(input: Input) {
    const secret = this.#find(requiredString(input, 'SecretId'));
    const lambdaArn = optionalString(input, 'RotationLambdaARN') ?? secret.rotationLambdaArn;
    if (!lambdaArn) throw new ServiceError(400, 'InvalidRequestException', 'No Lambda rotation function ARN is associated with this secret.');
    const pending = [...secret.versions.values()].find((v) => v.stages.has(PENDING));
    if (pending && !pending.stages.has(CURRENT)) {
      throw new ServiceError(400, 'InvalidRequestException', "A previous rotation isn't complete. That rotation will be reattempted.");
    }
    const token = optionalString(input, 'ClientRequestToken') ?? randomUUID();
    if (secret.versions.has(token)) throw new ServiceError(400, 'ResourceExistsException', `A version with ClientRequestToken ${token} already exists.`);
    secret.rotationLambdaArn = lambdaArn;
    secret.rotationEnabled = true;
    this.#addVersion(secret, token, undefined, [PENDING]);

    const rotationToken = randomUUID();
    secret.rotationTokens.add(rotationToken);
    const run: RotationRun = { secretArn: secret.arn, token, steps: [], done: Promise.resolve() };
    const invoke = this.rotationFunction;
    if (invoke && input.RotateImmediately !== false) {
      run.done = (async () => {
        for (const Step of STEPS) {
          try {
            await invoke({ Step, SecretId: secret.arn, ClientRequestToken: token, RotationToken: rotationToken });
            run.steps.push(Step);
          } catch (err) {
            run.error = err;
            return;
          }
        }
        secret.lastRotatedDate = this.#now();
        secret.rotationTokens.delete(rotationToken);
      })();
    }
    this.rotations.push(run);
    return { ARN: secret.arn, Name: secret.name, VersionId: token };
  }

  /** Test setup: turn rotation on without starting one (as CloudFormation's RotationSchedule does). */
  enableRotation(secretId: string, lambdaArn: string): void {
    const secret = this.#find(secretId);
    secret.rotationEnabled = true;
    secret.rotationLambdaArn = lambdaArn;
  }

  /**
   * Test setup: what RotateSecret does before it invokes the function, returning the event fields
   * (token and RotationToken), so a test can drive the steps itself.
   */
  beginRotation(secretId: string, token: string = randomUUID()): { SecretId: string; ClientRequestToken: string; RotationToken: string } {
    const lambda = this.#find(secretId).rotationLambdaArn ?? `arn:aws:lambda:us-east-1:${ACCOUNT_ID}:function:regcred-rotate`;
    this.#rotate({ SecretId: secretId, ClientRequestToken: token, RotationLambdaARN: lambda, RotateImmediately: false });
    const secret = this.#find(secretId);
    const rotationToken = [...secret.rotationTokens].at(-1)!;
    return { SecretId: secret.arn, ClientRequestToken: token, RotationToken: rotationToken };
  }

  #addVersion(secret: Secret, id: string, value: string | undefined, stages: string[]): Version {
    const existing = secret.versions.get(id);
    const version: Version = existing ?? { id, stages: new Set(), created: this.#now() };
    if (value !== undefined) version.value = value;
    secret.versions.set(id, version);
    for (const stage of stages) this.#attach(secret, version, stage);
    return version;
  }

  /** Put `stage` on `version`, taking it from whichever version had it; AWSCURRENT leaves AWSPREVIOUS behind. */
  #attach(secret: Secret, version: Version, stage: string): void {
    const holder = [...secret.versions.values()].find((v) => v.stages.has(stage));
    if (holder === version) return;
    holder?.stages.delete(stage);
    version.stages.add(stage);
    if (stage === CURRENT && holder) {
      for (const v of secret.versions.values()) v.stages.delete(PREVIOUS);
      holder.stages.add(PREVIOUS);
    }
  }

  /** By name, full ARN, or ARN without the random suffix, as the service accepts. */
  #find(secretId: string): Secret {
    const byArn = this.#secrets.get(secretId);
    if (byArn) return byArn;
    for (const s of this.#secrets.values()) {
      if (s.name === secretId || s.arn.slice(0, -7) === secretId) return s;
    }
    throw new ServiceError(400, 'ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
  }
}

function requiredString(input: Input, field: string): string {
  const value = input[field];
  if (typeof value !== 'string' || value === '') {
    throw new ServiceError(400, 'ValidationException', `1 validation error detected: Value at '${lowerFirst(field)}' failed to satisfy constraint: Member must not be null`);
  }
  return value;
}

function optionalString(input: Input, field: string): string | undefined {
  const value = input[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new ServiceError(400, 'SerializationException', `${field} must be a string`);
  return value;
}

function stringList(input: Input, field: string): string[] {
  const value = input[field];
  if (!Array.isArray(value) || value.some((s) => typeof s !== 'string' || !s)) {
    throw new ServiceError(400, 'SerializationException', `${field} must be a list of strings`);
  }
  return value as string[];
}

function lowerFirst(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1);
}

/**
 * The Secrets Manager service for {@link import('./server.js').startAwsEmulator}; its state is
 * on the returned object for tests to read and drive.
 * @example
 * const sm = secretsManagerService();
 * const emu = await startAwsEmulator({ services: [sm] });
 * sm.state.stagesOf('regcred/pull'); // { '<versionId>': ['AWSCURRENT'] }
 */
export function secretsManagerService(options: SecretsManagerOptions = {}): AwsService & { state: SecretsManagerState } {
  const state = new SecretsManagerState(options);
  return { name: 'secretsmanager', signingName: 'secretsmanager', targetPrefix: 'secretsmanager', operations: state.operations, state };
}
