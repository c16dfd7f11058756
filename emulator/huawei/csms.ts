/**
 * CSMS (Cloud Secret Management Service, part of DEW) secret versions and stages, REST v1:
 *
 * - `POST /v1/{project_id}/secrets/{secret_name}/versions` `{secret_string, version_stages?}` →
 *   `{"version_metadata":{id,create_time,secret_name,version_stages}}`. CSMS picks the version id
 *   (`v1`, `v2`, …). Without `version_stages` the new version is SYSCURRENT (CreateSecretVersion
 *   reference); the old SYSCURRENT version becomes SYSPREVIOUS.
 * - `GET  …/versions` → `{"version_metadatas":[…]}` (metadata only, no values).
 * - `GET  …/versions/{version_id}` → `{"version":{"version_metadata":{…},"secret_string":…}}`.
 * - `GET  …/stages/{stage_name}` → `{"stage":{name,secret_name,version_id,update_time}}`.
 * - `PUT  …/stages/{stage_name}` `{version_id}` → moves the stage (a stage marks one version only).
 * Errors are `{"error_code","error_msg"}`; the exact not-found code is not in the public reference
 * we could read offline, so {@link CSMS_NOT_FOUND} is our choice: clients key on the 404 status.
 */
import { ServiceError, type OperationContext } from '../front-end.js';
import type { HuaweiInput, HuaweiOutput, HuaweiService } from './wire.js';
import { moveStages } from '../version-stages.js';

export const CSMS_NOT_FOUND = 'CSMS.0404';
export const CSMS_BAD_REQUEST = 'CSMS.0002';
export const MAX_STAGES_PER_CALL = 12;
const STAGE_NAME = /^[A-Za-z0-9_.-]{1,64}$/;

export interface CsmsVersion {
  id: string;
  value: string;
  stages: string[];
  /** Epoch ms. */
  createdAt: number;
}

interface Secret {
  name: string;
  versions: CsmsVersion[]; // oldest first
  nextVersion: number;
}

export class CsmsState {
  readonly secrets = new Map<string, Secret>();

  /** Create a secret, optionally with a first SYSCURRENT version `v1`. */
  createSecret(name: string, initial: string | undefined, now: number): void {
    const secret: Secret = { name, versions: [], nextVersion: 1 };
    if (initial !== undefined) addVersion(secret, initial, ['SYSCURRENT'], now);
    this.secrets.set(name, secret);
  }

  /** Inspection for tests: the versions of a secret, oldest first. */
  versions(name: string): readonly CsmsVersion[] {
    return this.secrets.get(name)?.versions ?? [];
  }

  /** The value labelled `stage` (default SYSCURRENT), if any. */
  valueAt(name: string, stage = 'SYSCURRENT'): string | undefined {
    return this.versions(name).find((v) => v.stages.includes(stage))?.value;
  }
}

function addVersion(secret: Secret, value: string, stages: string[], now: number): CsmsVersion {
  moveStages(secret.versions, stages, 'SYSCURRENT', 'SYSPREVIOUS');
  const version: CsmsVersion = { id: `v${secret.nextVersion++}`, value, stages: [...new Set(stages)], createdAt: now };
  secret.versions.push(version);
  return version;
}

export function csmsService(state: CsmsState, projectId: string): HuaweiService {
  const base = '/v1/{project_id}/secrets/{secret_name}';
  return {
    name: 'csms',
    routes: [
      { method: 'POST', path: `${base}/versions`, operation: 'CreateSecretVersion' },
      { method: 'GET', path: `${base}/versions`, operation: 'ListSecretVersions' },
      { method: 'GET', path: `${base}/versions/{version_id}`, operation: 'ShowSecretVersion' },
      { method: 'GET', path: `${base}/stages/{stage_name}`, operation: 'ShowSecretStage' },
      { method: 'PUT', path: `${base}/stages/{stage_name}`, operation: 'UpdateSecretStage' },
    ],
    operations: {
      CreateSecretVersion: (input, ctx) => createSecretVersion(find(state, projectId, input), input as HuaweiInput, ctx),
      ListSecretVersions: (input) => {
        const secret = find(state, projectId, input);
        return { body: { version_metadatas: secret.versions.map((v) => metadata(secret, v)), page_info: { next_marker: '', previous_marker: '', current_count: secret.versions.length } } };
      },
      ShowSecretVersion: (input) => {
        const secret = find(state, projectId, input);
        const id = (input as HuaweiInput).path['version_id']!;
        // `latest` is documented for this call; it names the newest version.
        const version = id === 'latest' ? secret.versions.at(-1) : secret.versions.find((v) => v.id === id);
        if (!version) throw notFound('secret version');
        return { body: { version: { version_metadata: metadata(secret, version), secret_string: version.value } } };
      },
      ShowSecretStage: (input) => {
        const secret = find(state, projectId, input);
        const stage = (input as HuaweiInput).path['stage_name']!;
        const version = secret.versions.find((v) => v.stages.includes(stage));
        if (!version) throw notFound('secret stage');
        return { body: { stage: { name: stage, secret_name: secret.name, version_id: version.id, update_time: version.createdAt } } };
      },
      UpdateSecretStage: (input, ctx) => {
        const secret = find(state, projectId, input);
        const { path, body } = input as HuaweiInput;
        const stage = path['stage_name']!;
        const versionId = (body as { version_id?: unknown } | undefined)?.version_id;
        if (!STAGE_NAME.test(stage) || typeof versionId !== 'string') throw new ServiceError(400, CSMS_BAD_REQUEST, 'The value of parameter is invalid.');
        const target = secret.versions.find((v) => v.id === versionId);
        if (!target) throw notFound('secret version');
        for (const v of secret.versions) v.stages = v.stages.filter((s) => s !== stage);
        target.stages.push(stage);
        return { body: { stage: { name: stage, secret_name: secret.name, version_id: target.id, update_time: ctx.now } } };
      },
    },
  };
}

function createSecretVersion(secret: Secret, input: HuaweiInput, ctx: OperationContext): HuaweiOutput {
  const body = input.body as { secret_string?: unknown; secret_binary?: unknown; version_stages?: unknown } | undefined;
  const value = body?.secret_string;
  if (typeof value !== 'string' || body?.secret_binary !== undefined) {
    throw new ServiceError(400, CSMS_BAD_REQUEST, 'The value of parameter is invalid: exactly one of secret_string and secret_binary.');
  }
  if (Buffer.byteLength(value) > 32 * 1024) throw new ServiceError(400, CSMS_BAD_REQUEST, 'The value of parameter is invalid: secret_string over 32 KB.');
  let stages = ['SYSCURRENT'];
  if (body?.version_stages !== undefined) {
    const s = body.version_stages;
    if (!Array.isArray(s) || s.length < 1 || s.length > MAX_STAGES_PER_CALL || !s.every((x) => typeof x === 'string' && STAGE_NAME.test(x))) {
      throw new ServiceError(400, CSMS_BAD_REQUEST, 'The value of parameter is invalid: version_stages.');
    }
    stages = s as string[];
  }
  const version = addVersion(secret, value, stages, ctx.now);
  return { body: { version_metadata: metadata(secret, version) } };
}

function find(state: CsmsState, projectId: string, input: Record<string, unknown>): Secret {
  const { path } = input as HuaweiInput;
  if (path['project_id'] !== projectId) throw new ServiceError(403, 'CSMS.0403', 'The project id does not match the token scope.');
  const secret = state.secrets.get(path['secret_name']!);
  if (!secret) throw notFound('secret');
  return secret;
}

function metadata(secret: Secret, v: CsmsVersion) {
  return { id: v.id, create_time: v.createdAt, secret_name: secret.name, version_stages: [...v.stages] };
}

function notFound(what: string): ServiceError {
  return new ServiceError(404, CSMS_NOT_FOUND, `The ${what} does not exist.`);
}
