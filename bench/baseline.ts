/**
 * The naive baseline: the same CredentialService, API and provider code path, with a cache that
 * holds nothing and shares nothing, so every request makes its own upstream call. That is what
 * a credential endpoint without regcred's cache does, and what a fresh (cold) instance does.
 */
import { CredentialCache, type CachedCredentials } from '../core/cache.js';
import type { RegistryCredential } from '../core/provider.js';

/**
 * @example new CredentialService({ registries, providers, log, cache: new NoCache() })
 */
export class NoCache extends CredentialCache {
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    super({ now });
    this.#now = now;
  }

  override async get(_key: string, load: () => Promise<RegistryCredential[]>): Promise<CachedCredentials> {
    const issuedAt = this.#now();
    const credentials = await load();
    const expiresAt = Math.min(...credentials.map((c) => c.expiresAt.getTime()));
    return { credentials, issuedAt, freshUntil: issuedAt + Math.floor((expiresAt - issuedAt) / 2) };
  }
}
