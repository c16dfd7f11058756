import type { CloudModule } from './cloud-module.js';
import { endpointVariables } from './clouds.js';
import { targetKey, type RegistryTarget } from './provider.js';
import { BadRequestError, ConfigError } from './errors.js';
import { LOG_LEVELS, type LogLevel } from './log.js';
import { parseRegistry } from './registry-spec.js';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from './retry.js';
import { parseRefreshTargets, type RefreshTarget } from './targets.js';

/**
 * The whole configuration, parsed and validated once at cold start. Nothing else in regcred
 * reads `process.env` (the cloud SDKs read their own credential and endpoint variables).
 */
export interface Config {
  registries: RegistryTarget[];
  /** Compiled REGCRED_ALLOWED_CALLERS globs; undefined = the cloud's own policy alone decides. */
  allowedCallers?: RegExp[];
  /** REGCRED_TARGETS: where scheduled refreshes write when the event names no targets. */
  refreshTargets?: RefreshTarget[];
  logLevel: LogLevel;
  /** How every upstream call (registry and secret store) is retried; REGCRED_ATTEMPT_TIMEOUT_MS sets one attempt's timeout. */
  retry: RetryPolicy;
  /** Endpoint overrides by variable name (each cloud's `endpointVariables`; the AWS SDK reads AWS_ENDPOINT_URL_* itself). */
  endpoints: Record<string, string>;
}

export type Env = Record<string, string | undefined>;

/**
 * Parse and validate the environment. Throws ConfigError naming the variable and the bad entry.
 * With `cloud` (a function's composition root passes its own), every registry must be one that
 * cloud serves, and REGCRED_ALLOWED_CALLERS is refused where its platform verifies no caller.
 * @example loadConfig({ REGCRED_REGISTRIES: 'ecr:us-east-1' }).registries // [{ provider: 'ecr', region: 'us-east-1' }]
 */
export function loadConfig(env: Env, cloud?: CloudModule): Config {
  const registries = parseRegistryList(required(env, 'REGCRED_REGISTRIES'));
  const config: Config = {
    registries,
    logLevel: parseLogLevel(env.LOG_LEVEL),
    retry: { ...DEFAULT_RETRY_POLICY, attemptTimeoutMs: parseMillis(env, 'REGCRED_ATTEMPT_TIMEOUT_MS', DEFAULT_RETRY_POLICY.attemptTimeoutMs) },
    endpoints: {},
  };
  if (env.REGCRED_ALLOWED_CALLERS?.trim()) config.allowedCallers = parseCallerPatterns(env.REGCRED_ALLOWED_CALLERS);
  if (env.REGCRED_TARGETS?.trim()) {
    try {
      config.refreshTargets = parseRefreshTargets(parseJson(env.REGCRED_TARGETS), registries);
    } catch (err) {
      throw new ConfigError(`REGCRED_TARGETS: ${(err as Error).message}`);
    }
  }
  for (const variable of endpointVariables()) {
    const value = env[variable]?.trim();
    if (!value) continue;
    if (!isHttpUrl(value)) throw new ConfigError(`${variable} must be an http(s) URL, got '${value}'`);
    config.endpoints[variable] = value;
  }
  if (cloud) checkCloud(config, cloud);
  return config;
}

function checkCloud(config: Config, cloud: CloudModule): void {
  const foreign = config.registries.find((t) => !cloud.providers.some((p) => p.id === t.provider));
  if (foreign) throw new ConfigError(`REGCRED_REGISTRIES: '${targetKey(foreign)}' is not served by this function's cloud (${cloud.id})`);
  const store = config.refreshTargets?.find((t) => !cloud.stores.includes(t.store));
  if (store) throw new ConfigError(`REGCRED_TARGETS: store '${store.store}' is not available in this function's cloud (${cloud.id})`);
  if (config.allowedCallers && cloud.unverifiedCaller) {
    const { platform, why, gate } = cloud.unverifiedCaller;
    throw new ConfigError(
      `REGCRED_ALLOWED_CALLERS cannot be enforced on ${platform}: ${why}, so the allow-list could only match what a caller claims. ` +
        `Leave it unset and grant ${gate} on this function only to the callers you mean (README, "Security").`,
    );
  }
}

function parseRegistryList(value: string): RegistryTarget[] {
  const seen = new Set<string>();
  const entries = value.split(',').map((e) => e.trim());
  return entries.map((entry) => {
    if (!entry) throw new ConfigError(`REGCRED_REGISTRIES has an empty entry in '${value}'`);
    let target: RegistryTarget;
    try {
      target = parseRegistry(entry);
    } catch (err) {
      throw new ConfigError(`REGCRED_REGISTRIES: ${(err as Error).message}`);
    }
    const key = `${target.provider}:${target.region}:${target.instanceId ?? ''}`;
    if (seen.has(key)) throw new ConfigError(`REGCRED_REGISTRIES lists '${entry}' twice`);
    seen.add(key);
    return target;
  });
}

/** Globs over caller ARNs/UIDs: `*` is any run of characters, `?` one character; the whole string must match. */
function parseCallerPatterns(value: string): RegExp[] {
  return value.split(',').map((raw) => {
    const pattern = raw.trim();
    if (!pattern || /\s/.test(pattern)) throw new ConfigError(`REGCRED_ALLOWED_CALLERS has a bad entry '${raw}'`);
    const source = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
    return new RegExp(`^${source}$`);
  });
}

function parseLogLevel(value: string | undefined): LogLevel {
  const level = (value?.trim() || 'info').toLowerCase();
  if (!(LOG_LEVELS as readonly string[]).includes(level)) {
    throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got '${value}'`);
  }
  return level as LogLevel;
}

function parseMillis(env: Env, variable: string, fallback: number): number {
  const value = env[variable]?.trim();
  if (!value) return fallback;
  const ms = Number(value);
  if (!Number.isInteger(ms) || ms < 100 || ms > 60_000) {
    throw new ConfigError(`${variable} must be a whole number of milliseconds from 100 to 60000, got '${value}'`);
  }
  return ms;
}

function required(env: Env, variable: string): string {
  const value = env[variable]?.trim();
  if (!value) throw new ConfigError(`${variable} is required: a comma list of <provider>:<region>[:<instanceId>][=<host>]`);
  return value;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new BadRequestError('is not valid JSON');
  }
}

function isHttpUrl(value: string): boolean {
  try {
    return ['http:', 'https:'].includes(new URL(value).protocol);
  } catch {
    return false;
  }
}
