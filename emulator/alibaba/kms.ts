/**
 * KMS Secrets Manager (RPC, version 2016-01-20): generic secrets with caller-chosen version ids.
 * Rules from the PutSecretValue reference: a new VersionId stores a new version (ACSCurrent by
 * default, the old current becomes ACSPrevious); the same VersionId with the same data is a
 * no-op success; with other data it is rejected; at most 10 versions are kept.
 */
import { ServiceError } from '../front-end.js';
import type { AlibabaService } from './wire.js';
import { moveStages } from '../version-stages.js';

export const MAX_SECRET_VERSIONS = 10;
/**
 * Alibaba documents that a conflicting PutSecretValue is rejected but not the code; this is our
 * best reading of KMS's `Rejected.*` family. Clients must not depend on it (regcred checks first).
 */
export const VERSION_CONFLICT_CODE = 'Rejected.ResourceExist';

export interface SecretVersion {
  versionId: string;
  data: string;
  dataType: string;
  stages: string[];
  createTime: string;
}

interface Secret {
  name: string;
  createTime: string;
  updateTime: string;
  versions: SecretVersion[]; // oldest first
}

export class KmsState {
  readonly secrets = new Map<string, Secret>();

  /** Create a generic secret, optionally with a first ACSCurrent version `v1`. */
  createSecret(name: string, initial: string | undefined, now: number): void {
    const at = iso(now);
    const secret: Secret = { name, createTime: at, updateTime: at, versions: [] };
    if (initial !== undefined) secret.versions.push({ versionId: 'v1', data: initial, dataType: 'text', stages: ['ACSCurrent'], createTime: at });
    this.secrets.set(name, secret);
  }

  /** Inspection for tests: the versions of a secret, oldest first. */
  versions(name: string): readonly SecretVersion[] {
    return this.secrets.get(name)?.versions ?? [];
  }

  /** The data labelled ACSCurrent, if any. */
  current(name: string): string | undefined {
    return this.versions(name).find((v) => v.stages.includes('ACSCurrent'))?.data;
  }
}

export function kmsService(state: KmsState): AlibabaService {
  return {
    name: 'kms',
    version: '2016-01-20',
    operations: {
      PutSecretValue: (input, ctx) => putSecretValue(state, input as Params, ctx.now, ctx.requestId),
      GetSecretValue: (input, ctx) => getSecretValue(state, input as Params, ctx.requestId),
      DescribeSecret: (input, ctx) => describeSecret(state, input as Params, ctx.requestId),
      ListSecretVersionIds: (input, ctx) => listSecretVersionIds(state, input as Params, ctx.requestId),
    },
  };
}

/** RPC parameters, decoded. */
type Params = Record<string, string | undefined>;

function findSecret(state: KmsState, params: Params): Secret {
  const name = params['SecretName'];
  if (!name) throw new ServiceError(400, 'MissingParameter', 'SecretName is mandatory for this action.');
  const secret = state.secrets.get(name);
  if (!secret) throw notFound();
  return secret;
}

function notFound(): ServiceError {
  return new ServiceError(404, 'Forbidden.ResourceNotFound', 'The resource is not found.');
}

function putSecretValue(state: KmsState, params: Params, now: number, requestId: string) {
  const secret = findSecret(state, params);
  const { VersionId: versionId, SecretData: data } = params;
  const dataType = params['SecretDataType'] ?? 'text';
  if (!versionId) throw new ServiceError(400, 'MissingParameter', 'VersionId is mandatory for this action.');
  if (data === undefined) throw new ServiceError(400, 'MissingParameter', 'SecretData is mandatory for this action.');
  let stages = ['ACSCurrent'];
  if (params['VersionStages']) {
    try {
      const parsed: unknown = JSON.parse(params['VersionStages']);
      if (!Array.isArray(parsed) || !parsed.every((s) => typeof s === 'string')) throw new Error('not a string array');
      stages = parsed as string[];
    } catch {
      throw new ServiceError(400, 'InvalidParameter', 'VersionStages must be a JSON array of strings.');
    }
  }

  const existing = secret.versions.find((v) => v.versionId === versionId);
  if (existing) {
    if (existing.data !== data || existing.dataType !== dataType) {
      throw new ServiceError(400, VERSION_CONFLICT_CODE, 'The VersionId already exists with a different secret value.');
    }
    return putAnswer(secret, existing, requestId);
  }

  moveStages(secret.versions, stages, 'ACSCurrent', 'ACSPrevious');
  const version: SecretVersion = { versionId, data, dataType, stages: [...stages], createTime: iso(now) };
  secret.versions.push(version);
  secret.updateTime = version.createTime;
  while (secret.versions.length > MAX_SECRET_VERSIONS) {
    // Rolling deletion of the earliest version, never the labelled current/previous ones.
    const i = secret.versions.findIndex((v) => !v.stages.includes('ACSCurrent') && !v.stages.includes('ACSPrevious'));
    secret.versions.splice(i < 0 ? 0 : i, 1);
  }
  return putAnswer(secret, version, requestId);
}

function putAnswer(secret: Secret, version: SecretVersion, requestId: string) {
  return { RequestId: requestId, SecretName: secret.name, VersionId: version.versionId, VersionStages: { VersionStage: [...version.stages] } };
}

function getSecretValue(state: KmsState, params: Params, requestId: string) {
  const secret = findSecret(state, params);
  const { VersionId: versionId, VersionStage: stage } = params;
  const version = versionId
    ? secret.versions.find((v) => v.versionId === versionId && (!stage || v.stages.includes(stage)))
    : secret.versions.find((v) => v.stages.includes(stage ?? 'ACSCurrent'));
  if (!version) throw notFound();
  return {
    RequestId: requestId,
    SecretName: secret.name,
    SecretType: 'Generic',
    VersionId: version.versionId,
    SecretData: version.data,
    SecretDataType: version.dataType,
    CreateTime: version.createTime,
    VersionStages: { VersionStage: [...version.stages] },
  };
}

function describeSecret(state: KmsState, params: Params, requestId: string) {
  const secret = findSecret(state, params);
  return {
    RequestId: requestId,
    SecretName: secret.name,
    Arn: `acs:kms:cn-hangzhou:123456789012:secret/${secret.name}`,
    SecretType: 'Generic',
    Description: '',
    EncryptionKeyId: 'emulator-key',
    CreateTime: secret.createTime,
    UpdateTime: secret.updateTime,
    AutomaticRotation: 'Disabled',
  };
}

function listSecretVersionIds(state: KmsState, params: Params, requestId: string) {
  const secret = findSecret(state, params);
  const includeDeprecated = params['IncludeDeprecated'] === 'true';
  const pageSize = clampInt(params['PageSize'], 1, 100, 20);
  const pageNumber = clampInt(params['PageNumber'], 1, 10_000, 1);
  const listed = secret.versions.filter((v) => includeDeprecated || v.stages.length > 0);
  const page = listed.slice((pageNumber - 1) * pageSize, pageNumber * pageSize);
  return {
    RequestId: requestId,
    SecretName: secret.name,
    TotalCount: listed.length,
    PageNumber: pageNumber,
    PageSize: pageSize,
    VersionIds: {
      VersionId: page.map((v) => ({ VersionId: v.versionId, CreateTime: v.createTime, VersionStages: { VersionStage: [...v.stages] } })),
    },
  };
}

function clampInt(raw: string | undefined, min: number, max: number, fallback: number): number {
  const n = raw === undefined ? fallback : Number.parseInt(raw, 10);
  return Number.isFinite(n) ? Math.min(max, Math.max(min, n)) : fallback;
}

function iso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
