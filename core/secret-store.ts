/**
 * The port for secret stores that scheduled refreshes write into (AWS Secrets Manager, Alibaba
 * Cloud KMS Secrets Manager). One adapter file per store, like the credential providers.
 */
/** A store id from the table of clouds (core/clouds.ts): `secrets-manager`, `kms`, `ssm`, `csms`, … */
export type StoreId = string;

export interface PutResult {
  /** The version that now holds the value (the token itself for stores that take caller version ids). */
  versionId: string;
  /** False when the same token + same value was already there: a retried invocation wrote nothing. */
  written: boolean;
}

export interface SecretStore {
  readonly id: StoreId;
  /**
   * Write `value` as the secret's new current version. Idempotent by `versionToken`: the same
   * token with the same value is a no-op. Must never delete or demote the current version when it
   * fails; throws only RegcredErrors (classified like providers' errors, so core/retry.ts applies).
   */
  putVersion(secretId: string, value: string, versionToken: string, signal: AbortSignal): Promise<PutResult>;
}

/** A secret as the rotation protocol reads it. */
export interface SecretDescription {
  arn: string;
  name: string;
  rotationEnabled: boolean;
  /** Version id → staging labels, for versions that carry at least one label. */
  versions: Record<string, string[]>;
}

/** What the Secrets Manager rotation protocol (core/aws/rotation.ts) needs of a store; core/aws/secrets-manager.ts implements it. */
export interface RotatableStore {
  readonly id: StoreId;
  describe(secretId: string, signal: AbortSignal): Promise<SecretDescription>;
  /** The value of `versionId` if it carries `stage`; undefined when no such version/stage exists. */
  getValue(secretId: string, versionId: string, stage: string, signal: AbortSignal): Promise<string | undefined>;
  /** Store `value` as version `token` with only the AWSPENDING label (idempotent by token). */
  putPending(secretId: string, value: string, token: string, rotationToken: string | undefined, signal: AbortSignal): Promise<void>;
  /** Move AWSCURRENT to `toVersionId`, refused by the store unless `fromVersionId` is still current. */
  moveCurrent(secretId: string, toVersionId: string, fromVersionId: string | undefined, signal: AbortSignal): Promise<void>;
}
