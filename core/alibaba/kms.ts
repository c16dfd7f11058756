/**
 * SecretStore over Alibaba Cloud KMS Secrets Manager (RPC, version 2016-01-20). A refresh writes
 * a new version with `PutSecretValue`, using the deterministic version token as `VersionId`, so
 * a retried invocation is a no-op. KMS moves ACSCurrent to the new version and ACSPrevious to
 * the old one only when the write succeeds; a failed write leaves the current version alone.
 */
import { UpstreamError } from '../errors.js';
import {
  classifyAlibabaError,
  regionalClients,
  stringField,
  type AlibabaApiClient,
  type AlibabaFactoryOptions,
} from './client.js';
import type { PutResult, SecretStore } from '../secret-store.js';

const VERSION = '2016-01-20';
/** KMS version ids: up to 64 characters of letters, digits and a few separators. */
const VERSION_ID = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * @example
 * import { createAlibabaClient } from './client.js';
 * const store = new KmsSecretStore({ client: createAlibabaClient({ endpoint: 'kms.cn-hangzhou.aliyuncs.com' }) });
 * const { written } = await store.putVersion('regcred/dockerconfig', json, token, signal);
 */
export class KmsSecretStore implements SecretStore {
  readonly id = 'kms' as const;
  readonly #client: AlibabaApiClient;

  constructor(options: { client: AlibabaApiClient }) {
    this.#client = options.client;
  }

  async putVersion(secretId: string, value: string, versionToken: string, signal: AbortSignal): Promise<PutResult> {
    if (!VERSION_ID.test(versionToken)) throw new UpstreamError('UpstreamError', 'version token is not a valid KMS VersionId');
    // PutSecretValue answers the same for "stored" and "already there", so ask first: that is
    // how a retried invocation learns it wrote nothing.
    const existing = await this.#versionData(secretId, versionToken, signal);
    if (existing !== undefined) {
      if (existing === value) return { versionId: versionToken, written: false };
      throw new UpstreamError('UpstreamError', `secret version ${versionToken} already holds a different value`);
    }

    const action = 'PutSecretValue';
    const body = await this.#client.call(
      {
        action,
        version: VERSION,
        style: 'RPC',
        method: 'POST',
        pathname: '/',
        // VersionStages omitted on purpose: the default moves ACSCurrent/ACSPrevious for us.
        query: { SecretName: secretId, VersionId: versionToken, SecretDataType: 'text' },
        // Unlike the generated SDKs (which use the query), keep the secret out of the URL.
        body: { SecretData: value },
      },
      signal,
    );
    const versionId = stringField(body, 'VersionId', action);
    if (versionId !== versionToken) throw new UpstreamError('UpstreamInvalidResponse', `${action} answer field VersionId names another version`);
    return { versionId, written: true };
  }

  /** The data of one version, or undefined when KMS has no such version. */
  async #versionData(secretId: string, versionId: string, signal: AbortSignal): Promise<string | undefined> {
    const action = 'GetSecretValue';
    try {
      const body = await this.#client.call(
        { action, version: VERSION, style: 'RPC', method: 'POST', pathname: '/', query: { SecretName: secretId, VersionId: versionId } },
        signal,
      );
      const data = (body as { SecretData?: unknown } | null)?.SecretData;
      if (typeof data !== 'string') throw new UpstreamError('UpstreamInvalidResponse', `${action} answer field SecretData is missing or not a string`);
      return data;
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw classifyAlibabaError(err, action);
    }
  }
}

/** Forbidden.ResourceNotFound (404) is KMS's "no such version"; it is not a denial. */
function isNotFound(err: unknown): boolean {
  const sdk = (err as { cause?: { code?: unknown; statusCode?: unknown } } | null)?.cause;
  return sdk?.code === 'Forbidden.ResourceNotFound' || sdk?.statusCode === 404;
}

/**
 * The default KMS store for one region: the function's own role, `kms.<region>.aliyuncs.com`
 * unless ALIBABA_CLOUD_ENDPOINT_URL_KMS is configured.
 * @example const store = createKmsSecretStore('cn-hangzhou', { endpointUrl: config.endpoints.kms });
 */
export function createKmsSecretStore(region: string, options: AlibabaFactoryOptions = {}): KmsSecretStore {
  return new KmsSecretStore({ client: regionalClients('kms', options)(region) });
}
