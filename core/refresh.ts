import { createHash } from 'node:crypto';
import { auditIssued, fingerprint } from './audit.js';
import type { RegistryCredential } from './provider.js';
import { ConfigError, RegcredError, toRegcredError } from './errors.js';
import { dockerConfig, render } from './formats.js';
import type { Logger } from './log.js';
import { withRetry, type RetryPolicy } from './retry.js';
import type { CredentialService, Invocation } from './service.js';
import type { SecretStore, StoreId } from './secret-store.js';
import type { RefreshTarget, SecretFormat } from './targets.js';

/** Builds a store client for one refresh run, from the invocation (its role keys and region where the platform hands them per invocation). */
export type StoreFactories = Partial<Record<StoreId, (invocation: Invocation) => SecretStore>>;

export interface RefreshOptions {
  service: CredentialService;
  stores: StoreFactories;
  log: Logger;
  /** Config.retry: REGCRED_ATTEMPT_TIMEOUT_MS governs the store calls too. */
  retry: RetryPolicy;
}

export interface TargetOutcome {
  store: StoreId;
  secretId: string;
  registries: string[];
  ok: boolean;
  versionId?: string;
  /** False when this exact version was already there (a retried invocation). */
  written?: boolean;
  error?: { code: string; message: string };
}

/** One or more targets failed; thrown after every target was tried, so the platform retries or dead-letters. */
export class RefreshFailedError extends RegcredError {
  override readonly name = 'RefreshFailedError';
  readonly status = 502;
  constructor(readonly outcomes: TargetOutcome[]) {
    const failed = outcomes.filter((o) => !o.ok);
    super('RefreshFailed', `${failed.length} of ${outcomes.length} refresh targets failed: ${failed.map((o) => `${o.secretId} (${o.error?.code})`).join(', ')}`);
  }
}

/**
 * Write fresh credentials into each target's secret. Credentials come through the service's
 * cache, so a retried invocation gets the same credential and therefore the same version token,
 * and the store writes nothing twice. A failure touches nothing: stores only ever add versions.
 * @example const outcomes = await refreshTargets(config.refreshTargets, { service, stores, log, retry: config.retry }, invocation);
 */
export async function refreshTargets(targets: RefreshTarget[], options: RefreshOptions, invocation: Invocation): Promise<TargetOutcome[]> {
  const log = invocation.log ?? options.log;
  const stores = new Map<StoreId, SecretStore>();
  const storeFor = (id: StoreId) => {
    let store = stores.get(id);
    if (!store) {
      const factory = options.stores[id];
      if (!factory) throw new ConfigError(`store '${id}' is not available in this function's cloud`);
      store = factory(invocation);
      stores.set(id, store);
    }
    return store;
  };

  const outcomes = await Promise.all(
    targets.map(async (target): Promise<TargetOutcome> => {
      const base = { store: target.store, secretId: target.secretId, registries: target.registries.map((r) => `${r.provider}:${r.region}`) };
      try {
        const store = storeFor(target.store);
        const { credentials } = await options.service.issue(target.registries, invocation, { lastGood: false });
        const value = secretValue(target.format, credentials);
        const token = versionToken(target.secretId, target.format, credentials);
        const result = await withRetry((signal) => store.putVersion(target.secretId, value, token, signal), {
          policy: options.retry,
          service: `secret store ${target.store}`,
          deadline: invocation.deadline,
          ...(invocation.signal && { signal: invocation.signal }),
        });
        log.info('secret refreshed', { ...base, versionId: result.versionId, written: result.written });
        if (result.written) {
          for (const c of credentials) auditIssued(log, `refresh:${target.store}:${target.secretId}`, c);
          invocation.metrics?.count('RefreshVersionsWritten', {});
        }
        return { ...base, ok: true, versionId: result.versionId, written: result.written };
      } catch (err) {
        const error = toRegcredError(err);
        log.error('secret refresh failed', { ...base, code: error.code, err: error });
        invocation.metrics?.count('RefreshFailures', {});
        return { ...base, ok: false, error: { code: error.code, message: error.message } };
      }
    }),
  );
  if (outcomes.some((o) => !o.ok)) throw new RefreshFailedError(outcomes);
  return outcomes;
}

/** The secret's contents for a refresh target. */
export function secretValue(format: SecretFormat, credentials: RegistryCredential[]): string {
  return JSON.stringify(format === 'dockerconfigjson' ? dockerConfig(credentials) : render('json', credentials));
}

/**
 * A deterministic version token: the same secret, format and credentials give the same token
 * (48 characters of [a-z0-9-], valid as a Secrets Manager ClientRequestToken and a KMS VersionId).
 * The format is part of it, so a value in another format is another version, never "already written".
 * @example versionToken('regcred/pull', 'dockerconfigjson', credentials) // 'regcred-3f1c…'
 */
export function versionToken(secretId: string, format: SecretFormat, credentials: RegistryCredential[]): string {
  const material = [secretId, format, ...credentials.map((c) => `${c.registry}=${fingerprint(c.password)}`).sort()].join('\n');
  return `regcred-${createHash('sha256').update(material).digest('hex').slice(0, 40)}`;
}
