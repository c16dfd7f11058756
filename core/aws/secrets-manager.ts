/**
 * SecretStore over AWS Secrets Manager, plus the few calls the rotation protocol needs
 * (core/aws/rotation.ts). Every method makes exactly one attempt per upstream call and throws only
 * RegcredErrors, so core/retry.ts decides about retries for the SDK too (the client is built with
 * `maxAttempts: 1`).
 */
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { UpstreamError } from '../errors.js';
import { cachedPerRegion } from '../upstream.js';
import { classifyAwsError } from './client.js';
import type { RotatableStore, SecretDescription } from '../secret-store.js';
import type { PutResult, SecretStore } from '../secret-store.js';

/** The subset of the SDK client we use; tests and the composition root may inject any client. */
export type SecretsManagerSend = Pick<SecretsManagerClient, 'send'>;

/** The SDK loads on first use, off the cold path of every handler that links this store (see core/aws/ecr.ts). */
const loadSdk = () => import('./secrets-manager-sdk.js');
type Sdk = Awaited<ReturnType<typeof loadSdk>>;

/** Secrets Manager's ClientRequestToken: 32 to 64 characters. */
const CLIENT_REQUEST_TOKEN = /^[\x21-\x7e]{32,64}$/;

/**
 * @example
 * const store = new SecretsManagerStore({ client: new SecretsManagerClient({ maxAttempts: 1 }) });
 * const { versionId, written } = await store.putVersion('regcred/pull', json, token, signal);
 */
export class SecretsManagerStore implements SecretStore, RotatableStore {
  readonly id = 'secrets-manager' as const;
  readonly #clientFor: (secretId: string) => SecretsManagerSend | Promise<SecretsManagerSend>;

  constructor(options: { client: SecretsManagerSend } | { clientFor: (secretId: string) => SecretsManagerSend | Promise<SecretsManagerSend> }) {
    this.#clientFor = 'clientFor' in options ? options.clientFor : () => options.client;
  }

  /**
   * Put `value` as the new AWSCURRENT, idempotent by `versionToken` (the ClientRequestToken).
   * PutSecretValue answers the same for "stored" and "already there", so DescribeSecret first
   * (metadata only, no secret read back): a token that already names a version means a retried
   * invocation, and nothing is written.
   */
  async putVersion(secretId: string, value: string, versionToken: string, signal: AbortSignal): Promise<PutResult> {
    assertToken(versionToken);
    const { versions } = await this.describe(secretId, signal);
    if (versions[versionToken]) return { versionId: versionToken, written: false };
    // No VersionStages: Secrets Manager moves AWSCURRENT here and AWSPREVIOUS to the old current,
    // and only once the version is stored, so a failed put leaves the current version alone.
    const versionId = await this.#put(secretId, value, versionToken, undefined, signal);
    return { versionId, written: true };
  }

  /** Rotation metadata; the version map lists only versions that carry a staging label. */
  async describe(secretId: string, signal: AbortSignal): Promise<SecretDescription> {
    const out = await this.#send('DescribeSecret', secretId, signal, (c, sdk) =>
      c.send(new sdk.DescribeSecretCommand({ SecretId: secretId }), { abortSignal: signal }),
    );
    if (typeof out.ARN !== 'string' || typeof out.Name !== 'string') {
      throw new UpstreamError('UpstreamInvalidResponse', 'DescribeSecret answer lacks ARN or Name');
    }
    const versions: Record<string, string[]> = {};
    for (const [id, stages] of Object.entries(out.VersionIdsToStages ?? {})) {
      if (!Array.isArray(stages) || stages.some((s) => typeof s !== 'string')) {
        throw new UpstreamError('UpstreamInvalidResponse', 'DescribeSecret answer field VersionIdsToStages is malformed');
      }
      if (stages.length) versions[id] = stages;
    }
    return { arn: out.ARN, name: out.Name, rotationEnabled: out.RotationEnabled === true, versions };
  }

  /** The string value of version `versionId` if it carries `stage`; undefined when there is none. */
  async getValue(secretId: string, versionId: string, stage: string, signal: AbortSignal): Promise<string | undefined> {
    try {
      const out = await this.#send('GetSecretValue', secretId, signal, (c, sdk) =>
        c.send(new sdk.GetSecretValueCommand({ SecretId: secretId, VersionId: versionId, VersionStage: stage }), { abortSignal: signal }),
      );
      if (typeof out.SecretString !== 'string') {
        throw new UpstreamError('UpstreamInvalidResponse', 'GetSecretValue answer has no SecretString');
      }
      return out.SecretString;
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  /** Store `value` as version `token` labelled only AWSPENDING (rotation's createSecret). */
  async putPending(secretId: string, value: string, token: string, rotationToken: string | undefined, signal: AbortSignal): Promise<void> {
    assertToken(token);
    await this.#put(secretId, value, token, { stages: ['AWSPENDING'], rotationToken }, signal);
  }

  /** Move AWSCURRENT to `toVersionId`; Secrets Manager refuses if `fromVersionId` is no longer current. */
  async moveCurrent(secretId: string, toVersionId: string, fromVersionId: string | undefined, signal: AbortSignal): Promise<void> {
    const input = {
      SecretId: secretId,
      VersionStage: 'AWSCURRENT',
      MoveToVersionId: toVersionId,
      ...(fromVersionId && { RemoveFromVersionId: fromVersionId }),
    };
    await this.#send('UpdateSecretVersionStage', secretId, signal, (c, sdk) => c.send(new sdk.UpdateSecretVersionStageCommand(input), { abortSignal: signal }));
  }

  async #put(
    secretId: string,
    value: string,
    token: string,
    rotation: { stages: string[]; rotationToken: string | undefined } | undefined,
    signal: AbortSignal,
  ): Promise<string> {
    const input = {
      SecretId: secretId,
      ClientRequestToken: token,
      SecretString: value,
      ...(rotation && { VersionStages: rotation.stages }),
      ...(rotation?.rotationToken && { RotationToken: rotation.rotationToken }),
    };
    const out = await this.#send('PutSecretValue', secretId, signal, (c, sdk) => c.send(new sdk.PutSecretValueCommand(input), { abortSignal: signal }));
    if (out.VersionId !== token) throw new UpstreamError('UpstreamInvalidResponse', 'PutSecretValue answer names another version');
    return token;
  }

  /**
   * One attempt of one SDK call, its failure classified by the one AWS classifier (throttles →
   * 503, 5xx and network → retryable, denials, else final; an abort stays an abort for withRetry).
   */
  async #send<T>(action: string, secretId: string, signal: AbortSignal, call: (client: SecretsManagerSend, sdk: Sdk) => Promise<T>): Promise<T> {
    try {
      const [client, sdk] = await Promise.all([this.#clientFor(secretId), loadSdk()]);
      return await call(client, sdk);
    } catch (err) {
      throw classifyAwsError(err, action, signal);
    }
  }
}

function assertToken(token: string): void {
  if (!CLIENT_REQUEST_TOKEN.test(token)) throw new UpstreamError('UpstreamError', 'version token is not a valid ClientRequestToken (32-64 characters)');
}

function isNotFound(err: unknown): boolean {
  return err instanceof UpstreamError && (err.cause as { name?: unknown } | undefined)?.name === 'ResourceNotFoundException';
}

/**
 * The default store: the function's own role; a secret named by ARN is reached in the ARN's
 * region, a name in the function's region. The SDK reads AWS_ENDPOINT_URL_SECRETS_MANAGER itself.
 * @example const store = createSecretsManagerStore();
 */
export function createSecretsManagerStore(): SecretsManagerStore {
  const clientIn = cachedPerRegion(async (region) => new (await loadSdk()).SecretsManagerClient({ maxAttempts: 1, ...(region && { region }) }));
  return new SecretsManagerStore({
    clientFor: (secretId) => clientIn(/^arn:aws[a-z-]*:secretsmanager:([a-z0-9-]+):/.exec(secretId)?.[1] ?? ''),
  });
}
