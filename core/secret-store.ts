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
