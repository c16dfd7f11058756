import { CredentialCache } from './cache.js';
import { targetKey, type CredentialProvider, type ProviderId, type RegistryCredential, type RegistryTarget, type RoleKeys } from './provider.js';
import { ConfigError, NotFoundError, UpstreamError } from './errors.js';
import { registerSecret, type Logger } from './log.js';
import { errorCodeOf, type Metrics } from './metrics.js';
import { withRetry, type RetryPolicy } from './retry.js';

/** Builds a provider on first use, so a cold start pays only for the SDKs a request needs. */
export type ProviderFactories = Partial<Record<ProviderId, () => CredentialProvider>>;

export interface ServiceOptions {
  registries: RegistryTarget[];
  providers: ProviderFactories;
  log: Logger;
  cache?: CredentialCache;
  /** Config.retry: REGCRED_ATTEMPT_TIMEOUT_MS governs every upstream call. */
  retry: RetryPolicy;
  now?: () => number;
  /** How a retry waits out its backoff; given with `now` where time is simulated (bench/outage.ts). */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/**
 * One invocation, made explicit by its handler from the platform's context and passed down: its
 * deadline, its request id and a logger bound to it, and the role's keys and region where the
 * platform hands them per invocation. Nothing per request lives in closures or process.env, so
 * concurrent invocations of one instance (FC instance concurrency) never see each other's keys.
 */
export interface Invocation {
  /** Absolute time (epoch ms) by which the answer must be out. */
  deadline: number;
  signal?: AbortSignal;
  requestId?: string;
  /** Bound to the request id; the runtime's logger when absent. */
  log?: Logger;
  /** The role's keys for this invocation (FC, FunctionGraph); absent: the SDK's own chain. */
  keys?: RoleKeys;
  /** The function's region, where the platform says it per invocation. */
  region?: string;
  /** This invocation's metrics, flushed by its handler when it ends. */
  metrics?: Metrics;
}


export interface Issued {
  credentials: RegistryCredential[];
  /** The earliest half-life among them: when a consumer should come back. */
  freshUntil: number;
}

/**
 * The credential service: configured targets → cached, retried provider calls.
 * @example
 * import { createEcrProvider } from './aws/ecr.js';
 * const service = new CredentialService({ registries: config.registries, providers: { ecr: () => createEcrProvider() }, log, retry: config.retry });
 * const { credentials } = await service.all({ deadline: Date.now() + 5_000 });
 */
export class CredentialService {
  readonly registries: readonly RegistryTarget[];
  readonly cache: CredentialCache;
  readonly #factories: ProviderFactories;
  readonly #providers = new Map<ProviderId, CredentialProvider>();
  readonly #retry: RetryPolicy;
  readonly #log: Logger;
  readonly #now: () => number;
  readonly #sleep: ServiceOptions['sleep'];

  constructor(options: ServiceOptions) {
    const missing = options.registries.find((t) => !options.providers[t.provider]);
    if (missing) throw new ConfigError(`REGCRED_REGISTRIES: '${targetKey(missing)}' is not served by this function's cloud`);
    this.registries = options.registries;
    this.#factories = options.providers;
    this.#log = options.log;
    this.#now = options.now ?? Date.now;
    this.#sleep = options.sleep;
    this.cache = options.cache ?? new CredentialCache({ now: this.#now });
    this.#retry = options.retry;
  }

  /** Credentials for every configured registry (the one upstream failure fails the whole answer). */
  all(invocation: Invocation): Promise<Issued> {
    return this.issue(this.registries, invocation);
  }

  /**
   * Credentials for one registry host; NotFoundError when no configured registry serves it. Only
   * the registries that may serve the host are asked (a host override or the provider's hint).
   */
  async forHost(host: string, invocation: Invocation): Promise<Issued> {
    const wanted = host.toLowerCase();
    const candidates = this.registries.filter((t) =>
      t.host !== undefined ? t.host === wanted : (this.#provider(t.provider).mayServe?.(t, wanted) ?? true),
    );
    const notFound = new NotFoundError(`registry '${host}' is not configured`);
    if (!candidates.length) throw notFound;
    const issued = await this.issue(candidates, invocation);
    const credentials = issued.credentials.filter((c) => c.registry === wanted);
    if (!credentials.length) throw notFound;
    return { credentials, freshUntil: issued.freshUntil };
  }

  /**
   * Credentials for `targets`. With `lastGood: false` (a refresh), a last good credential served
   * because its refresh failed is refused: the failure is thrown instead, so the run fails loudly
   * (the platform retries it, the alarm sees it) and the secret keeps the value it already holds.
   */
  async issue(targets: readonly RegistryTarget[], invocation: Invocation, options: { lastGood?: boolean } = {}): Promise<Issued> {
    const batched = this.#batchLoads(targets, invocation);
    const entries = await Promise.all(targets.map((t) => this.#cached(t, invocation, batched.get(t))));
    const failed = options.lastGood === false ? entries.find((e) => e.refreshError) : undefined;
    if (failed) throw failed.refreshError;
    return {
      credentials: entries.flatMap((e) => e.credentials),
      freshUntil: Math.min(...entries.map((e) => e.freshUntil)),
    };
  }

  /**
   * For the targets of `targets` that share a provider's batch key with another of them, the load
   * they share: the first of them the cache misses makes the one upstream call for all, the others
   * take their part of its answer. The cache stays per target (each has its own expiry, hold-off and
   * last good value); only the upstream call is shared, and only within one request.
   */
  #batchLoads(targets: readonly RegistryTarget[], invocation: Invocation): Map<RegistryTarget, () => Promise<RegistryCredential[]>> {
    const batches = new Map<string, RegistryTarget[]>();
    for (const target of targets) {
      const key = this.#provider(target.provider).batchKey?.(target);
      if (key === undefined) continue;
      const batch = `${target.provider}\u0000${key}`;
      batches.set(batch, [...(batches.get(batch) ?? []), target]);
    }
    const loads = new Map<RegistryTarget, () => Promise<RegistryCredential[]>>();
    for (const batch of batches.values()) {
      if (batch.length < 2) continue;
      let call: Promise<RegistryCredential[][]> | undefined;
      batch.forEach((target, i) => loads.set(target, async () => (await (call ??= this.#fetch(batch, invocation)))[i]!));
    }
    return loads;
  }

  async #cached(target: RegistryTarget, invocation: Invocation, batchLoad?: () => Promise<RegistryCredential[]>) {
    const key = targetKey(target);
    let missed = false; // only the request that starts the upstream call; those that join it wait, but cost nothing upstream
    const entry = await this.cache.get(key, () => {
      missed = true;
      return batchLoad ? batchLoad() : this.#fetch([target], invocation).then(([credentials]) => credentials!);
    });
    invocation.metrics?.count(missed ? 'CacheMisses' : 'CacheHits', { provider: target.provider });
    // Once per failed refresh, not once per request served during its hold-off.
    if (entry.refreshError && !entry.heldOff) {
      (invocation.log ?? this.#log).warn('refresh failed; serving last good credential', { registry: key, err: entry.refreshError });
    }
    return entry;
  }

  /** One upstream call (retried) for `targets`: one target, or several of one provider's batch key. */
  async #fetch(targets: readonly RegistryTarget[], invocation: Invocation): Promise<RegistryCredential[][]> {
    const provider = this.#provider(targets[0]!.provider);
    const name = targets.map(targetKey).join(',');
    const started = this.#now();
    const dimensions = { provider: targets[0]!.provider };
    const attempt = async (signal: AbortSignal) => {
      const started = this.#now();
      invocation.metrics?.count('UpstreamCalls', dimensions);
      try {
        if (targets.length === 1) return [await provider.fetch(targets[0]!, signal, invocation.keys)];
        return await provider.fetchBatch!(targets, signal, invocation.keys);
      } catch (err) {
        invocation.metrics?.count('UpstreamErrors', { ...dimensions, errorCode: signal.aborted ? 'UpstreamTimeout' : errorCodeOf(err) });
        throw err;
      } finally {
        invocation.metrics?.value('UpstreamLatency', dimensions, this.#now() - started);
      }
    };
    const answers = await withRetry(attempt, {
      policy: this.#retry,
      service: `registry service ${name}`,
      deadline: invocation.deadline,
      now: this.#now,
      ...(this.#sleep && { sleep: this.#sleep }),
      ...(invocation.signal && { signal: invocation.signal }),
    });
    if (answers.length !== targets.length || answers.some((credentials) => !credentials?.length)) {
      throw new UpstreamError('UpstreamInvalidResponse', `${targets[0]!.provider} returned no credential`);
    }
    for (const c of answers.flat()) registerSecret(c.password, { username: c.username, expiresAt: c.expiresAt.getTime(), now: this.#now() });
    (invocation.log ?? this.#log).debug('credential minted', { registry: name, ms: this.#now() - started });
    return answers;
  }

  #provider(id: ProviderId): CredentialProvider {
    let provider = this.#providers.get(id);
    if (!provider) {
      provider = this.#factories[id]!();
      this.#providers.set(id, provider);
    }
    return provider;
  }
}

/** Time kept back from the platform's remaining time, so an answer (even an error) gets out. */
export const RESPONSE_MARGIN_MS = 500;

/**
 * An invocation's deadline from the platform's remaining time, less the margin an answer needs to get out.
 * @example budgetFor(context.getRemainingTimeInMillis())
 */
export function budgetFor(remainingMs: number, now: () => number = Date.now): Invocation {
  return { deadline: now() + Math.max(0, remainingMs - RESPONSE_MARGIN_MS) };
}
