/**
 * Per-invocation metrics, cloud-neutral and dependency-free: record counters and values while an
 * invocation runs, flush once at its end. Two sinks write the same names and values: `emf` (AWS,
 * CloudWatch Embedded Metric Format, namespace `regcred`, on stdout: no API call, no extra
 * permission) and `log` (Alibaba, Tencent, Huawei: one `{"msg":"metrics", ...}` line for the
 * cloud's log service; README, "Operations").
 *
 * Dimensions are a closed set (`function`, `provider`, `format`, `errorCode`, each value from a
 * closed list), so a caller or a registry host never becomes a dimension and no secret reaches a
 * metric; every metric is also published by `function` alone, the series the alarms watch.
 * Hand-written rather than `@aws-lambda-powertools/metrics` because it is smaller and
 * quicker to load: bench/RESULTS.md, "7. Metrics cold-start cost" has the figures (bench/metrics-cost.ts).
 * See {@link createMetrics} for use.
 */
import { providerIds } from './clouds.js';
import type { ProviderId } from './provider.js';
import type { UpstreamError, UpstreamUnavailableError } from './errors.js';
import { FORMATS, type Format } from './formats.js';
import { redact } from './log.js';

export const NAMESPACE = 'regcred';

type UpstreamCode = ConstructorParameters<typeof UpstreamError>[0] | ConstructorParameters<typeof UpstreamUnavailableError>[0];
/** Every upstream error code (core/errors.ts), and `Other` for anything else that failed a call. */
export const ERROR_CODES = ['UpstreamInvalidResponse', 'UpstreamError', 'UpstreamAccessDenied', 'UpstreamThrottled', 'UpstreamTimeout', 'UpstreamUnavailable', 'Other'] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];
// Compile-time: a new upstream code in core/errors.ts must be added above.
const everyUpstreamCode: Exclude<UpstreamCode, ErrorCode> extends never ? true : never = true;
void everyUpstreamCode;

/** The dimension keys besides `function`, each with the only values it may take (providers: the table of clouds). */
const DIMENSION_VALUES = {
  get provider(): readonly string[] {
    return providerIds();
  },
  format: FORMATS,
  errorCode: ERROR_CODES,
};
type DimensionValues = { provider: ProviderId; format: Format; errorCode: ErrorCode };
export type DimensionKey = 'function' | keyof DimensionValues;

export type Unit = 'Count' | 'Milliseconds' | 'Seconds';

/** Every metric regcred publishes: its unit, whether it is a counter, and its dimension keys. */
export const METRICS = {
  CredentialsIssued: { unit: 'Count', kind: 'count', dimensions: ['provider', 'format'] },
  CacheHits: { unit: 'Count', kind: 'count', dimensions: ['provider'] },
  CacheMisses: { unit: 'Count', kind: 'count', dimensions: ['provider'] },
  UpstreamCalls: { unit: 'Count', kind: 'count', dimensions: ['provider'] },
  UpstreamErrors: { unit: 'Count', kind: 'count', dimensions: ['provider', 'errorCode'] },
  UpstreamLatency: { unit: 'Milliseconds', kind: 'value', dimensions: ['provider'] },
  ValiditySecondsLeft: { unit: 'Seconds', kind: 'value', dimensions: ['provider'] },
  RefreshVersionsWritten: { unit: 'Count', kind: 'count', dimensions: [] },
  RefreshFailures: { unit: 'Count', kind: 'count', dimensions: [] },
  RotationFailures: { unit: 'Count', kind: 'count', dimensions: [] },
} as const satisfies Record<string, { unit: Unit; kind: 'count' | 'value'; dimensions: readonly (keyof DimensionValues)[] }>;

export type MetricName = keyof typeof METRICS;
type OfKind<K> = { [N in MetricName]: (typeof METRICS)[N]['kind'] extends K ? N : never }[MetricName];
export type CounterName = OfKind<'count'>;
export type ValueName = OfKind<'value'>;
/** Exactly the dimensions metric `N` is published with (besides `function`). */
export type DimensionsOf<N extends MetricName> = { [K in (typeof METRICS)[N]['dimensions'][number]]: DimensionValues[K] };

export interface Metrics {
  /** Add `n` (default 1) to a counter. */
  count<N extends CounterName>(name: N, dimensions: DimensionsOf<N>, n?: number): void;
  /** Record one observation (latency, seconds left); every observation is kept, up to 100 per line. */
  value<N extends ValueName>(name: N, dimensions: DimensionsOf<N>, value: number): void;
  /** Write what was recorded (nothing if nothing was) and start over. Call once, at the end. */
  flush(): void;
}

export interface MetricsOptions {
  /** The `function` dimension: the deployed function's name (Lambda `context.functionName`, FC `context.function.name`). */
  function: string;
  sink: 'emf' | 'log';
  /** Extra fields on every line, never dimensions: the invocation's request id, trace id. */
  context?: Record<string, string>;
  write?: (line: string) => void;
  now?: () => number;
}

const OPTIONS = ['function', 'sink', 'context', 'write', 'now'];
/** Fields a line owns, which `context` may not overwrite. */
const RESERVED = new Set(['_aws', 'level', 'time', 'msg', 'function', 'provider', 'format', 'errorCode']);
/**
 * Values of one metric per line: EMF allows 100 in one document (CloudWatch gets each); a log
 * line holds one, so every field is a number a log service's SQL can sum, average or take the
 * minimum of (an invocation that made two upstream calls writes two lines, its counts in the first).
 */
const MAX_VALUES = { emf: 100, log: 1 } as const;
/** Function names on every supported cloud: letters, digits, `-`, `_`, at most 64 characters (Lambda's limit). */
const FUNCTION_NAME = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * True for a string that looks like a credential rather than a name: a registered secret (core/log.ts
 * {@link redact}), or a run of 16+ characters between separators that mixes letters and digits
 * (access keys, tokens, base64). Names like `regcred-prod-refresh` are words and pass.
 * @example looksLikeSecret('AKIAIOSFODNN7EXAMPLE') // true
 */
export function looksLikeSecret(value: string): boolean {
  if (redact(value) !== value) return true;
  return value.split(/[-_.:/]/).some((run) => run.length >= 16 && /[0-9]/.test(run) && /[A-Za-z]/.test(run));
}

/**
 * The `errorCode` dimension for an error: its code when it is one of {@link ERROR_CODES}, else `Other`.
 * @example errorCodeOf(new UpstreamUnavailableError('UpstreamThrottled', 'slow down')) // 'UpstreamThrottled'
 */
export function errorCodeOf(err: unknown): ErrorCode {
  const code = (err as { code?: unknown } | null)?.code;
  return (ERROR_CODES as readonly unknown[]).includes(code) ? (code as ErrorCode) : 'Other';
}

/** One metric of one document: its name, dimension keys and what was recorded. */
interface Entry {
  name: MetricName;
  keys: readonly DimensionKey[];
  values: number[];
}
/** One output line: one value per dimension key, each metric at most once. */
interface Doc {
  dims: Partial<Record<DimensionKey, string>>;
  entries: Map<MetricName, Entry>;
}

/**
 * @example
 * const metrics = createMetrics({ function: 'regcred-prod-http', sink: 'emf' });
 * metrics.count('CacheHits', { provider: 'ecr' });
 * metrics.flush(); // {"_aws":{...},"function":"regcred-prod-http","provider":"ecr","CacheHits":1}
 */
export function createMetrics(options: MetricsOptions): Metrics {
  for (const key of Object.keys(options)) if (!OPTIONS.includes(key)) throw new RangeError(`metrics: unknown option '${key}'`);
  const fn = options.function;
  if (!FUNCTION_NAME.test(fn) || looksLikeSecret(fn)) {
    // The offered value is not echoed: it may be the very secret this check keeps out.
    throw new RangeError('metrics: `function` is not a function name (1-64 letters, digits, - or _, no token-like run)');
  }
  if (options.sink !== 'emf' && options.sink !== 'log') throw new RangeError(`metrics: unknown sink '${String(options.sink)}'`);
  for (const key of Object.keys(options.context ?? {})) {
    if (RESERVED.has(key) || key in METRICS) throw new RangeError(`metrics: context field '${key}' would overwrite a metric, a dimension or the line's own fields`);
  }
  const write = options.write ?? ((line: string) => process.stdout.write(line + '\n'));
  const now = options.now ?? Date.now;
  let docs: Doc[] = [];

  const record = (name: MetricName, kind: 'count' | 'value', dimensions: Record<string, unknown>, value: number) => {
    const spec = METRICS[name];
    if (!spec || spec.kind !== kind) throw new RangeError(`metrics: '${String(name)}' is not a ${kind === 'count' ? 'counter' : 'value'}`);
    if (!Number.isFinite(value) || (kind === 'count' && value < 0)) throw new RangeError(`metrics: ${name} cannot record ${value}`);
    const dims = checkDimensions(name, spec.dimensions, dimensions);
    dims.function = fn;
    const keys: DimensionKey[] = ['function', ...spec.dimensions];
    const fits = (doc: Doc) => {
      if (!keys.every((k) => doc.dims[k] === undefined || doc.dims[k] === dims[k])) return false;
      const entry = doc.entries.get(name);
      return !entry || kind === 'count' || entry.values.length < MAX_VALUES[options.sink];
    };
    let doc = docs.find(fits);
    if (!doc) docs.push((doc = { dims: {}, entries: new Map() }));
    Object.assign(doc.dims, dims);
    const entry = doc.entries.get(name);
    if (!entry) doc.entries.set(name, { name, keys, values: [value] });
    else if (kind === 'count') entry.values[0]! += value;
    else entry.values.push(value);
  };

  return {
    count: (name, dimensions, n = 1) => record(name, 'count', dimensions, n),
    value: (name, dimensions, value) => record(name, 'value', dimensions, value),
    flush() {
      const timestamp = now();
      for (const doc of docs) write(redact(JSON.stringify(options.sink === 'emf' ? emfLine(doc, timestamp, options.context) : logLine(doc, timestamp, options.context))));
      docs = [];
    },
  };
}

/** Exactly the metric's dimension keys, each with a value from its closed list. */
function checkDimensions(name: MetricName, keys: readonly (keyof DimensionValues)[], given: Record<string, unknown>): Partial<Record<DimensionKey, string>> {
  if (given === null || typeof given !== 'object') throw new RangeError(`metrics: ${name} needs dimensions {${keys.join(', ')}}`);
  for (const key of Object.keys(given)) {
    if (!(keys as readonly string[]).includes(key)) throw new RangeError(`metrics: ${name} has no dimension '${key}' (only ${keys.join(', ') || 'function'})`);
  }
  const dims: Partial<Record<DimensionKey, string>> = {};
  for (const key of keys) {
    const value = given[key];
    // Closed lists hold no secret; the second test is defense in depth should a list ever grow.
    if (typeof value !== 'string' || !(DIMENSION_VALUES[key] as readonly string[]).includes(value) || looksLikeSecret(value)) {
      throw new RangeError(`metrics: ${name} dimension '${key}' must be one of ${DIMENSION_VALUES[key].join(', ')}`);
    }
    dims[key] = value;
  }
  return dims;
}

/** One value as a scalar, several as the array EMF accepts (CloudWatch gets every observation). */
const valueOf = (entry: Entry) => (entry.values.length === 1 ? entry.values[0]! : entry.values);

/** The fields both sinks share: context, then the dimension values, then each metric by name. */
function fields(doc: Doc, context: Record<string, string> = {}): Record<string, unknown> {
  const out: Record<string, unknown> = { ...context, ...doc.dims };
  for (const entry of doc.entries.values()) out[entry.name] = valueOf(entry);
  return out;
}

/**
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
 * One directive per distinct dimension set, each listing the metrics published with it.
 */
function emfLine(doc: Doc, timestamp: number, context?: Record<string, string>) {
  const directives = new Map<string, { Namespace: string; Dimensions: string[][]; Metrics: { Name: string; Unit: Unit }[] }>();
  for (const entry of doc.entries.values()) {
    const id = entry.keys.join(',');
    let directive = directives.get(id);
    // Also by `function` alone: a CloudWatch alarm watches one dimension combination, and this
    // roll-up is the one an alarm on the whole function needs (deploy/aws/alarms.cjs).
    const sets = entry.keys.length > 1 ? [[...entry.keys], ['function']] : [[...entry.keys]];
    if (!directive) directives.set(id, (directive = { Namespace: NAMESPACE, Dimensions: sets, Metrics: [] }));
    directive.Metrics.push({ Name: entry.name, Unit: METRICS[entry.name].unit });
  }
  return { _aws: { Timestamp: timestamp, CloudWatchMetrics: [...directives.values()] }, ...fields(doc, context) };
}

function logLine(doc: Doc, timestamp: number, context?: Record<string, string>) {
  return { level: 'info', time: new Date(timestamp).toISOString(), msg: 'metrics', ...fields(doc, context) };
}
