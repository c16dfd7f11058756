import type { RegistryCredential } from './credential.js';
import type { RegcredError } from './errors.js';
import { toRegcredError } from './errors.js';

/** What the cache hands out: the credentials, and when they stop being fresh. */
export interface CachedCredentials {
  credentials: RegistryCredential[];
  /** When the upstream call that minted them started (epoch ms). */
  issuedAt: number;
  /** issuedAt + half the validity: after this, the next request refreshes. */
  freshUntil: number;
  /** Set when a refresh failed and this is the last good value, served inside its safety margin. */
  refreshError?: RegcredError;
}

export interface CacheOptions {
  now?: () => number;
  /** A last-good value is served after a failed refresh only while this much validity remains. */
  minRemainingMs?: number;
}

export const MIN_REMAINING_MS = 5 * 60_000;

/**
 * One cache per warm function instance, keyed by target. Values are fresh until their half-life
 * (as amazon-ecr-credential-helper does), so a caller always gets at least half the validity.
 * Concurrent misses share one upstream call (single-flight). A failed refresh falls back to the
 * last good value only while ≥ 5 min of its real validity remain; an expired value is never served.
 * @example
 * const cache = new CredentialCache();
 * const { credentials } = await cache.get('ecr:us-east-1', () => provider.fetch(target, signal));
 */
export class CredentialCache {
  readonly #now: () => number;
  readonly #minRemainingMs: number;
  readonly #entries = new Map<string, CachedCredentials>();
  readonly #inflight = new Map<string, Promise<CachedCredentials>>();

  constructor(options: CacheOptions = {}) {
    this.#now = options.now ?? Date.now;
    this.#minRemainingMs = options.minRemainingMs ?? MIN_REMAINING_MS;
  }

  async get(key: string, load: () => Promise<RegistryCredential[]>): Promise<CachedCredentials> {
    const entry = this.#entries.get(key);
    if (entry && this.#now() < entry.freshUntil) return entry;

    let flight = this.#inflight.get(key);
    if (!flight) {
      flight = this.#refresh(key, load).finally(() => this.#inflight.delete(key));
      this.#inflight.set(key, flight);
    }
    return flight;
  }

  /** Forget everything (tests, and the benchmark's cache-less baseline). */
  clear(): void {
    this.#entries.clear();
  }

  async #refresh(key: string, load: () => Promise<RegistryCredential[]>): Promise<CachedCredentials> {
    const issuedAt = this.#now();
    try {
      const credentials = await load();
      const expiresAt = Math.min(...credentials.map((c) => c.expiresAt.getTime()));
      const entry = { credentials, issuedAt, freshUntil: issuedAt + Math.floor((expiresAt - issuedAt) / 2) };
      this.#entries.set(key, entry);
      return entry;
    } catch (err) {
      const lastGood = this.#entries.get(key);
      if (lastGood && this.#servableAfterFailure(lastGood)) return { ...lastGood, refreshError: toRegcredError(err) };
      if (lastGood) this.#entries.delete(key);
      throw err;
    }
  }

  #servableAfterFailure(entry: CachedCredentials): boolean {
    const expiresAt = Math.min(...entry.credentials.map((c) => c.expiresAt.getTime()));
    return expiresAt - this.#now() >= this.#minRemainingMs;
  }
}
