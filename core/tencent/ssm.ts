/**
 * SecretStore over Tencent Cloud Secrets Manager (SSM, API 2019-09-23).
 *
 * Design: one well-known version, replaced in place.
 *
 * SSM has no "current" label for a user-defined secret: every `GetSecretValue` must name a
 * `VersionId`, and a secret holds at most 10 versions (`PutSecretValue` then fails with
 * `LimitExceeded`). Writing a new version per refresh (every 20 minutes for TCR) would hit that
 * cap within hours and would leave consumers guessing which version is newest. So regcred keeps
 * the credential in ONE version with a fixed id, `current` by default:
 *
 * - a consumer reads "the current credential" in one call:
 *   `GetSecretValue {SecretName, VersionId: "current"}`;
 * - the first write creates that version with `PutSecretValue`; every later write replaces its
 *   content with `UpdateSecret`, which overwrites the version in place: a reader sees the old
 *   value or the new one, and the version count never grows;
 * - every write reads first, and the same content is a no-op (`written: false`): a retried run
 *   writes nothing twice, whatever its version token (the token cannot be an SSM version id here,
 *   since the id is fixed, and content equality is the stronger test anyway);
 * - a failed `PutSecretValue`/`UpdateSecret` changes nothing, so the readable value stays the last
 *   good one; nothing is ever deleted;
 * - two writers racing on the first write: the loser's `PutSecretValue` gets
 *   `ResourceInUse.VersionIdExists`, and it replaces the content with `UpdateSecret` instead.
 *
 * The secret itself (and its KMS key) is created by the operator, e.g. with `CreateSecret`; the
 * function's role needs `ssm:GetSecretValue`, `ssm:PutSecretValue` and `ssm:UpdateSecret` on it.
 */
import { ConfigError, UpstreamError } from '../errors.js';
import type { PutResult, SecretStore } from '../secret-store.js';
import { regionalTencentClients, upstreamCode, type TencentApiClient, type TencentFactoryOptions } from './client.js';

export const DEFAULT_SSM_VERSION_ID = 'current';
/** SSM version ids: ≤ 64 letters, digits, `-_.`, starting with a letter or digit. */
const VERSION_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export interface SsmSecretStoreOptions {
  client: TencentApiClient;
  /** The well-known version consumers read; default `current`. */
  versionId?: string;
}

/**
 * @example
 * import { createTencentClient } from './client.js';
 * const store = new SsmSecretStore({ client: createTencentClient({ product: 'ssm', region: 'ap-guangzhou', keys }) });
 * const { written } = await store.putVersion('regcred-dockerconfig', json, token, signal);
 */
export class SsmSecretStore implements SecretStore {
  readonly id = 'ssm' as const;
  readonly #client: TencentApiClient;
  readonly #versionId: string;

  constructor(options: SsmSecretStoreOptions) {
    this.#client = options.client;
    this.#versionId = options.versionId ?? DEFAULT_SSM_VERSION_ID;
    if (!VERSION_ID.test(this.#versionId)) throw new ConfigError(`SSM version id '${this.#versionId}' is not a valid VersionId`);
  }

  async putVersion(secretId: string, value: string, _versionToken: string, signal: AbortSignal): Promise<PutResult> {
    const versionId = this.#versionId;
    if (value === '') throw new UpstreamError('UpstreamError', 'refusing to write an empty secret value');
    const existing = await this.#read(secretId, signal);
    if (existing === value) return { versionId, written: false };

    if (existing === undefined) {
      try {
        await this.#write('PutSecretValue', secretId, value, signal);
        return { versionId, written: true };
      } catch (err) {
        const code = upstreamCode(err);
        if (code === 'ResourceNotFound') throw new UpstreamError('UpstreamError', 'PutSecretValue failed: the secret does not exist (create it first)', { cause: err });
        if (code === 'LimitExceeded') {
          throw new UpstreamError('UpstreamError', `PutSecretValue failed: the secret already holds 10 versions; delete one so '${versionId}' fits`, { cause: err });
        }
        if (code !== 'ResourceInUse.VersionIdExists') throw err;
        // Another writer created the version between our read and our write: replace its content.
      }
    }
    await this.#write('UpdateSecret', secretId, value, signal);
    return { versionId, written: true };
  }

  /** The text of the well-known version, or undefined when it does not exist yet. */
  async #read(secretId: string, signal: AbortSignal): Promise<string | undefined> {
    const action = 'GetSecretValue';
    let body: Record<string, unknown>;
    try {
      body = await this.#client.call(action, { SecretName: secretId, VersionId: this.#versionId }, signal);
    } catch (err) {
      // A missing secret answers the same; PutSecretValue then says which it was.
      if (upstreamCode(err) === 'ResourceNotFound') return undefined;
      throw err;
    }
    const text = body['SecretString'];
    if (typeof body['SecretBinary'] === 'string' && body['SecretBinary'] !== '' && !text) {
      throw new UpstreamError('UpstreamError', `${action}: version ${this.#versionId} holds binary data, not a regcred value`);
    }
    if (typeof text !== 'string') throw new UpstreamError('UpstreamInvalidResponse', `${action} answer field SecretString is missing or not a string`);
    return text;
  }

  async #write(action: 'PutSecretValue' | 'UpdateSecret', secretId: string, value: string, signal: AbortSignal): Promise<void> {
    const body = await this.#client.call(action, { SecretName: secretId, VersionId: this.#versionId, SecretString: value }, signal);
    if (body['VersionId'] !== this.#versionId) throw new UpstreamError('UpstreamInvalidResponse', `${action} answer field VersionId names another version`);
  }
}

/**
 * The default SSM store for one region: the function's role keys, `ssm.tencentcloudapi.com` unless
 * TENCENTCLOUD_ENDPOINT_URL_SSM is configured.
 * @example const store = createSsmSecretStore('ap-guangzhou', { keys: scfRoleKeys, endpointUrl: config.endpoints.ssm });
 */
export function createSsmSecretStore(region: string, options: TencentFactoryOptions & { versionId?: string }): SsmSecretStore {
  return new SsmSecretStore({
    client: regionalTencentClients('ssm', options)(region),
    ...(options.versionId !== undefined && { versionId: options.versionId }),
  });
}
