/**
 * SecretStore over Huawei Cloud CSMS (Cloud Secret Management Service, in DEW), REST v1 on
 * `https://kms.<region>.myhuaweicloud.com`. A refresh writes the dockerconfigjson as a new version
 * with `POST /v1/{project_id}/secrets/{name}/versions` `{secret_string}`: without
 * `version_stages`, CSMS labels the new version SYSCURRENT and moves the old SYSCURRENT to
 * SYSPREVIOUS, in that one call.
 *
 * Retry safety. CSMS picks version ids itself (`v1`, `v2`, …), so unlike KMS (Alibaba) or
 * Secrets Manager there is no caller-chosen version id to make the write idempotent. What makes a
 * retry safe here is that the value is deterministic: the version token is derived from the
 * secret, the format and the credential fingerprint, and a retried invocation reuses the cached
 * credential, so the same token means the same value. Before writing we read the values labelled
 * SYSCURRENT and SYSPREVIOUS (`GET …/stages/{stage}` → version id, `GET …/versions/{id}` →
 * value):
 * - SYSCURRENT already holds the value: the earlier attempt landed (perhaps its answer was lost);
 *   write nothing.
 * - SYSPREVIOUS holds it: it landed and a newer refresh has since superseded it; writing it again
 *   would roll the secret back, so write nothing.
 * - otherwise write one new version.
 * We chose this over a custom stage per token (`version_stages: ["SYSCURRENT", "<token>"]`)
 * because CSMS caps the stages of a secret (12 per call in the reference; a per-secret limit is
 * mentioned but we could not read its number offline), and one stage per refresh would exhaust it.
 *
 * Concurrent runs on one instance (FunctionGraph may run several invocations in one) would all
 * read before any writes and each add a version of the same value, so identical writes in flight
 * in this process share one call; runs on different instances mint different credentials, and a
 * version each is what they should write.
 *
 * A failed run leaves SYSCURRENT as it was: the only write is that one CreateSecretVersion call,
 * which either labels the new version or fails as a whole; this store never moves or deletes a
 * stage and never deletes a version.
 */
import { UpstreamError } from '../errors.js';
import { invalidAnswer } from '../upstream.js';
import { createHuaweiClient, rejectUnknownOptions, resolveHuaweiEndpoint, upstreamStatus, type HuaweiApiClient, type HuaweiKeys } from './client.js';
import type { PutResult, SecretStore } from '../secret-store.js';

const SECRETS = '/v1/{project_id}/secrets/{secret_name}';
/** CSMS secret names: letters, digits, `_`, `-`, `.`, up to 64. */
const SECRET_NAME = /^[A-Za-z0-9_.-]{1,64}$/;
/** Our version tokens: what the refresh derives (hex / base64url-ish), bounded. */
const VERSION_TOKEN = /^[A-Za-z0-9._-]{1,64}$/;
const VERSION_ID = /^[A-Za-z0-9._-]{1,64}$/;
/** CSMS stores at most 32 KB per version. */
const MAX_VALUE_BYTES = 32 * 1024;
/** Writes in flight in this process, by secret and version token: the same write is made once. */
const inflight = new Map<string, Promise<PutResult>>();

/**
 * @example
 * const store = new CsmsSecretStore({ client: createHuaweiClient({ endpoint: 'https://kms.cn-north-4.myhuaweicloud.com', keys, projectId }) });
 * const { written } = await store.putVersion('regcred-dockerconfig', json, token, signal);
 */
export class CsmsSecretStore implements SecretStore {
  readonly id = 'csms' as const;
  readonly #client: HuaweiApiClient;

  /** `client` must carry the project id: every CSMS path names it. */
  constructor(options: { client: HuaweiApiClient }) {
    this.#client = options.client;
  }

  async putVersion(secretId: string, value: string, versionToken: string, signal: AbortSignal): Promise<PutResult> {
    const key = `${secretId}\n${versionToken}`;
    const running = inflight.get(key);
    if (running) return { ...(await running), written: false };
    const write = this.#put(secretId, value, versionToken, signal).finally(() => inflight.delete(key));
    inflight.set(key, write);
    return write;
  }

  async #put(secretId: string, value: string, versionToken: string, signal: AbortSignal): Promise<PutResult> {
    if (!SECRET_NAME.test(secretId)) throw new UpstreamError('UpstreamError', 'secret id is not a CSMS secret name');
    if (!VERSION_TOKEN.test(versionToken)) throw new UpstreamError('UpstreamError', 'version token is not a valid token');
    if (Buffer.byteLength(value) > MAX_VALUE_BYTES) throw new UpstreamError('UpstreamError', 'secret value is over the CSMS 32 KB limit');

    for (const stage of ['SYSCURRENT', 'SYSPREVIOUS']) {
      const held = await this.#valueAt(secretId, stage, signal);
      if (held && held.value === value) return { versionId: held.versionId, written: false };
    }

    const action = 'CreateSecretVersion';
    const answer = await this.#client.call(
      {
        action,
        method: 'POST',
        path: `${SECRETS}/versions`,
        pathParams: { secret_name: secretId },
        // version_stages left out on purpose: the default labels the new version SYSCURRENT.
        body: { secret_string: value },
      },
      signal,
    );
    const meta = answer.body['version_metadata'] as { id?: unknown; version_stages?: unknown } | undefined;
    if (!meta || typeof meta !== 'object') throw invalidAnswer(action, 'has no version_metadata');
    if (typeof meta.id !== 'string' || !VERSION_ID.test(meta.id)) throw invalidAnswer(action, 'field version_metadata.id is missing or malformed');
    if (!Array.isArray(meta.version_stages) || !meta.version_stages.includes('SYSCURRENT')) {
      throw invalidAnswer(action, 'field version_metadata.version_stages does not include SYSCURRENT');
    }
    return { versionId: meta.id, written: true };
  }

  /** The version labelled `stage` and its value, or undefined when no version carries it. */
  async #valueAt(secretId: string, stage: string, signal: AbortSignal): Promise<{ versionId: string; value: string } | undefined> {
    let versionId: string;
    {
      const action = 'ShowSecretStage';
      let body: Record<string, unknown>;
      try {
        body = (await this.#client.call({ action, method: 'GET', path: `${SECRETS}/stages/{stage}`, pathParams: { secret_name: secretId, stage } }, signal)).body;
      } catch (err) {
        // 404: no version carries the stage (a new secret, or SYSPREVIOUS before a second version).
        // A missing secret also answers 404 here; the write then fails with its own 404.
        if (upstreamStatus(err) === 404) return undefined;
        throw err;
      }
      const id = (body['stage'] as { version_id?: unknown } | undefined)?.version_id;
      if (typeof id !== 'string' || !VERSION_ID.test(id)) throw invalidAnswer(action, 'field stage.version_id is missing or malformed');
      versionId = id;
    }
    const action = 'ShowSecretVersion';
    const answer = await this.#client.call(
      { action, method: 'GET', path: `${SECRETS}/versions/{version_id}`, pathParams: { secret_name: secretId, version_id: versionId } },
      signal,
    );
    const version = answer.body['version'] as { secret_string?: unknown; secret_binary?: unknown } | undefined;
    if (!version || typeof version !== 'object') throw invalidAnswer(action, 'has no version');
    // A binary version cannot hold our JSON: treat it as "some other value".
    if (version.secret_string === undefined && version.secret_binary !== undefined) return { versionId, value: '' };
    if (typeof version.secret_string !== 'string') throw invalidAnswer(action, 'field version.secret_string is missing or not a string');
    return { versionId, value: version.secret_string };
  }
}

export interface CsmsFactoryOptions {
  /** The function agency's temporary keys, read per call. */
  keys: HuaweiKeys | (() => HuaweiKeys);
  /** The project of the region (FunctionGraph: `context.getProjectID()`); 32 hex characters. */
  projectId: string;
  /** HUAWEICLOUD_ENDPOINT_URL_CSMS from config. */
  endpointUrl?: string;
  timeoutMs?: number;
}

/**
 * The default CSMS store for one region: `https://kms.<region>.myhuaweicloud.com` (CSMS shares
 * the KMS endpoint) unless HUAWEICLOUD_ENDPOINT_URL_CSMS is configured.
 * @example
 * import { huaweiKeysOf } from './client.js';
 * const store = createCsmsSecretStore('cn-north-4', { keys: huaweiKeysOf(invocation.keys), projectId: context.getProjectID() });
 */
export function createCsmsSecretStore(region: string, options: CsmsFactoryOptions): CsmsSecretStore {
  rejectUnknownOptions(options, ['keys', 'projectId', 'endpointUrl', 'timeoutMs'], 'createCsmsSecretStore');
  return new CsmsSecretStore({
    client: createHuaweiClient({
      endpoint: resolveHuaweiEndpoint(options.endpointUrl, 'kms', region),
      keys: options.keys,
      projectId: options.projectId,
      ...(options.timeoutMs !== undefined && { timeoutMs: options.timeoutMs }),
    }),
  });
}
