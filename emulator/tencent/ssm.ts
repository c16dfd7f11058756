/**
 * Tencent Cloud Secrets Manager (SSM), API version 2019-09-23: the user-defined-secret actions
 * regcred's store uses, with the semantics the API reference documents
 * (https://cloud.tencent.com/document/api/1140/40518 PutSecretValue, /40522 GetSecretValue, and the
 * action summaries in tencentcloud-sdk-nodejs-ssm `ssm_client.d.ts`):
 *
 * - every read names a `VersionId`: there is no "latest" for a user-defined secret;
 * - `PutSecretValue` adds a NEW version (VersionId ≤ 64 bytes of letters, digits, `-_.`, starting
 *   with a letter or digit); at most 10 versions per secret (`LimitExceeded`); an existing id is
 *   `ResourceInUse.VersionIdExists`; only Enabled or Disabled secrets take versions;
 * - `UpdateSecret` overwrites the content of an EXISTING version in place;
 * - `GetSecretValue` of a Disabled secret is `ResourceUnavailable.ResourceDisabled`; a missing secret
 *   or version is `ResourceNotFound` (codes from tencentcloud-sdk-go `ssm/v20190923/errors.go`).
 */
import { assertKnownParams, requireString, tencentError, type TencentService } from './wire.js';

/** PutSecretValue: "一个凭据下最多可以支持10个版本" (one secret holds at most 10 versions). */
export const MAX_SECRET_VERSIONS = 10;
const VERSION_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export type SecretStatus = 'Enabled' | 'Disabled' | 'PendingDelete';

export interface SsmVersion {
  versionId: string;
  secretString?: string;
  secretBinary?: string;
  /** Unix seconds, as ListSecretVersionIds reports. */
  createTime: number;
}

export interface SsmSecret {
  name: string;
  status: SecretStatus;
  versions: SsmVersion[];
}

/** The emulated secrets, open to tests for setup and inspection. */
export class SsmState {
  readonly secrets = new Map<string, SsmSecret>();

  /** Create a secret; with `initial`, also its first version (CreateSecret's default id is `SSM_Current`). */
  createSecret(name: string, initial?: { versionId?: string; value: string }, now = Date.now()): void {
    const versions = initial ? [{ versionId: initial.versionId ?? 'SSM_Current', secretString: initial.value, createTime: Math.floor(now / 1000) }] : [];
    this.secrets.set(name, { name, status: 'Enabled', versions });
  }

  /** The text of one version, if any. */
  value(name: string, versionId: string): string | undefined {
    return this.secrets.get(name)?.versions.find((v) => v.versionId === versionId)?.secretString;
  }

  versionIds(name: string): string[] {
    return this.secrets.get(name)?.versions.map((v) => v.versionId) ?? [];
  }
}

export function ssmService(state: SsmState): TencentService {
  const secretOf = (input: Record<string, unknown>): SsmSecret => {
    const name = requireString(input, 'SecretName');
    const secret = state.secrets.get(name);
    if (!secret) throw tencentError('ResourceNotFound', `The secret \`${name}\` does not exist.`);
    return secret;
  };
  const writable = (secret: SsmSecret) => {
    if (secret.status === 'PendingDelete') throw tencentError('ResourceUnavailable.ResourcePendingDeleted', 'The secret is pending deletion.');
  };

  return {
    name: 'ssm',
    version: '2019-09-23',
    signingName: 'ssm',
    secretParams: ['SecretString', 'SecretBinary'],
    operations: {
      GetSecretValue(input) {
        assertKnownParams(input, ['SecretName', 'VersionId']);
        const secret = secretOf(input);
        const versionId = requireString(input, 'VersionId');
        if (secret.status === 'Disabled') throw tencentError('ResourceUnavailable.ResourceDisabled', 'The secret is disabled.');
        writable(secret);
        const version = secret.versions.find((v) => v.versionId === versionId);
        if (!version) throw tencentError('ResourceNotFound', `The version \`${versionId}\` does not exist.`);
        return {
          SecretName: secret.name,
          VersionId: version.versionId,
          SecretString: version.secretString ?? '',
          SecretBinary: version.secretBinary ?? '',
        };
      },

      PutSecretValue(input, ctx) {
        assertKnownParams(input, ['SecretName', 'VersionId', 'SecretString', 'SecretBinary']);
        const secret = secretOf(input);
        const versionId = requireString(input, 'VersionId');
        if (!VERSION_ID.test(versionId)) throw tencentError('InvalidParameterValue', 'VersionId must be 1-64 letters, digits, -_. starting with a letter or digit.');
        const content = oneContent(input);
        writable(secret);
        if (secret.versions.some((v) => v.versionId === versionId)) throw tencentError('ResourceInUse.VersionIdExists', `The version \`${versionId}\` already exists.`);
        if (secret.versions.length >= MAX_SECRET_VERSIONS) throw tencentError('LimitExceeded', `A secret holds at most ${MAX_SECRET_VERSIONS} versions.`);
        secret.versions.push({ versionId, ...content, createTime: Math.floor(ctx.now / 1000) });
        return { SecretName: secret.name, VersionId: versionId };
      },

      UpdateSecret(input) {
        assertKnownParams(input, ['SecretName', 'VersionId', 'SecretString', 'SecretBinary']);
        const secret = secretOf(input);
        const versionId = requireString(input, 'VersionId');
        const content = oneContent(input);
        writable(secret);
        const version = secret.versions.find((v) => v.versionId === versionId);
        if (!version) throw tencentError('ResourceNotFound', `The version \`${versionId}\` does not exist.`);
        // In place: one assignment, so a reader sees the old content or the new, never a mix.
        delete version.secretString;
        delete version.secretBinary;
        Object.assign(version, content);
        return { SecretName: secret.name, VersionId: versionId };
      },

      ListSecretVersionIds(input) {
        assertKnownParams(input, ['SecretName']);
        const secret = secretOf(input);
        return { SecretName: secret.name, Versions: secret.versions.map((v) => ({ VersionId: v.versionId, CreateTime: v.createTime })) };
      },
    },
  };
}

function oneContent(input: Record<string, unknown>): { secretString: string } | { secretBinary: string } {
  const text = input['SecretString'];
  const binary = input['SecretBinary'];
  const hasText = typeof text === 'string' && text !== '';
  const hasBinary = typeof binary === 'string' && binary !== '';
  if (hasText === hasBinary) throw tencentError('InvalidParameter', 'Exactly one of SecretString and SecretBinary must be set.');
  return hasText ? { secretString: text as string } : { secretBinary: binary as string };
}
