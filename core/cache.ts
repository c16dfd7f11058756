import type { RegistryCredential } from './provider.js';
import type { RegcredError } from './errors.js';
import { toRegcredError, UpstreamUnavailableError } from './errors.js';

/** What the cache hands out: the credentials, and when they stop being fresh. */
export interface CachedCredentials {
  credentials: RegistryCredential[];
  /** When the upstream call that minted them started (epoch ms). */
  issuedAt: number;
  /** issuedAt + half the validity: after this, the next request refreshes. */
  freshUntil: number;
  /** Set when a refresh failed and this is the last good value, served inside its safety margin. */
  refreshError?: RegcredError;
  /** True when served during the hold-off after that failure, with no new upstream try. */
  heldOff?: boolean;
}

export interface CacheOptions {
  now?: () => number;
  /** A last-good value is served after a failed refresh only while this much validity remains. */
  minRemainingMs?: number;
}

export const MIN_REMAINING_MS = 5 * 60_000;
/** After a failed refresh with a last-good value to serve: how long before the next upstream try. */
export const LAST_GOOD_HOLD_OFF_MS = 30_000;
/** After a failure with nothing to serve: how long the same error is answered at once (or the throttle's Retry-After, if longer). */
export const FAILURE_HOLD_OFF_MS = 5_000;

/**
 * One cache per warm function instance, keyed by target. Values are fresh until their half-life
 * (as amazon-ecr-credential-helper does), so a caller always gets at least half the validity.
 * Concurrent misses share one upstream call (single-flight). A failed refresh falls back to the
 * last good value only while ≥ 5 min of its real validity remain; an expired value is never served.
 * During an outage the upstream sees bounded attempts, never one per request: after a failed
 * refresh the last good value is served without another upstream try for 30 s, and with nothing to
 * serve the failure is answered at once for 5 s or the throttle's Retry-After: a 503 whose
 * Retry-After is the time left, when the failure was one a retry may cure.
 * @example
 * const cache = new CredentialCache();
 * const { credentials } = await cache.get('ecr:us-east-1', () => provider.fetch(target, signal));
 */
export class CredentialCache {
  readonly #now: () => number;
  readonly #minRemainingMs: number;
  readonly #entries = new Map<string, CachedCredentials>();
  readonly #inflight = new Map<string, Promise<CachedCredentials>>();
  /** A key's last failed refresh and until when no new upstream try is made for it. */
  readonly #holdOff = new Map<string, { error: RegcredError; until: number }>();

  constructor(options: CacheOptions = {}) {
    this.#now = options.now ?? Date.now;
    this.#minRemainingMs = options.minRemainingMs ?? MIN_REMAINING_MS;
  }

  async get(key: string, load: () => Promise<RegistryCredential[]>): Promise<CachedCredentials> {
    const entry = this.#entries.get(key);
    if (entry && this.#now() < entry.freshUntil) return entry;
    const held = this.#holdOff.get(key);
    if (held && this.#now() < held.until) {
      if (entry && this.#servableAfterFailure(entry)) return { ...entry, refreshError: held.error, heldOff: true };
      if (!entry) throw heldOffError(held.error, held.until - this.#now());
    }

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
    this.#holdOff.clear();
  }

  async #refresh(key: string, load: () => Promise<RegistryCredential[]>): Promise<CachedCredentials> {
    const issuedAt = this.#now();
    try {
      const credentials = await load();
      const expiresAt = Math.min(...credentials.map((c) => c.expiresAt.getTime()));
      const entry = { credentials, issuedAt, freshUntil: issuedAt + Math.floor((expiresAt - issuedAt) / 2) };
      this.#entries.set(key, entry);
      this.#holdOff.delete(key);
      return entry;
    } catch (err) {
      const error = toRegcredError(err);
      const lastGood = this.#entries.get(key);
      if (lastGood && this.#servableAfterFailure(lastGood)) {
        this.#holdOff.set(key, { error, until: this.#now() + LAST_GOOD_HOLD_OFF_MS });
        return { ...lastGood, refreshError: error };
      }
      if (lastGood) this.#entries.delete(key);
      const retryAfterMs = error instanceof UpstreamUnavailableError ? error.retryAfterSeconds * 1000 : 0;
      this.#holdOff.set(key, { error, until: this.#now() + Math.max(FAILURE_HOLD_OFF_MS, retryAfterMs) });
      throw err;
    }
  }

  #servableAfterFailure(entry: CachedCredentials): boolean {
    const expiresAt = Math.min(...entry.credentials.map((c) => c.expiresAt.getTime()));
    return expiresAt - this.#now() >= this.#minRemainingMs;
  }
}

/**
 * The answer to a request that arrives while a failed refresh holds off the next upstream try: a
 * failure a retry may cure (5xx, timeout, throttling) is a 503 whose Retry-After is the time left,
 * since nothing was asked; one it cannot (access denied, a malformed answer) stays what it was.
 */
function heldOffError(error: RegcredError, leftMs: number): RegcredError {
  if (!error.retryable) return error;
  const code = error instanceof UpstreamUnavailableError ? (error.code as 'UpstreamThrottled' | 'UpstreamTimeout') : 'UpstreamUnavailable';
  const message = error instanceof UpstreamUnavailableError ? error.message : `the registry API failed (${error.code}); not asked again for ${Math.ceil(leftMs / 1000)} s`;
  return new UpstreamUnavailableError(code, message, { cause: error, retryAfterSeconds: leftMs / 1000 });
}
