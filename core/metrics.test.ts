import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UpstreamUnavailableError } from './errors.js';
import { registerSecret } from './log.js';
import { createMetrics, errorCodeOf, looksLikeSecret, METRICS, NAMESPACE, type Metrics, type MetricsOptions } from './metrics.js';

const NOW = Date.parse('2026-11-30T21:00:00Z');

function recorder(sink: MetricsOptions['sink'], extra: Partial<MetricsOptions> = {}): { metrics: Metrics; lines: () => Record<string, unknown>[] } {
  const out: string[] = [];
  const metrics = createMetrics({ function: 'regcred-prod-http', sink, write: (l) => out.push(l), now: () => NOW, ...extra });
  return { metrics, lines: () => out.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

/** What a typical HTTP invocation records: a miss, one upstream call, one credential issued. */
function recordInvocation(metrics: Metrics): void {
  metrics.count('CacheMisses', { provider: 'ecr' });
  metrics.count('UpstreamCalls', { provider: 'ecr' });
  metrics.value('UpstreamLatency', { provider: 'ecr' }, 87);
  metrics.count('CredentialsIssued', { provider: 'ecr', format: 'dockerconfigjson' });
  metrics.value('ValiditySecondsLeft', { provider: 'ecr' }, 43_200);
}

const UNITS = ['Seconds', 'Microseconds', 'Milliseconds', 'Bytes', 'Kilobytes', 'Megabytes', 'Gigabytes', 'Terabytes', 'Bits', 'Kilobits', 'Megabits', 'Gigabits', 'Terabits', 'Percent', 'Count', 'Bytes/Second', 'Kilobytes/Second', 'Megabytes/Second', 'Gigabytes/Second', 'Terabytes/Second', 'Bits/Second', 'Kilobits/Second', 'Megabits/Second', 'Gigabits/Second', 'Terabits/Second', 'Count/Second', 'None'];

/**
 * The structure the EMF specification requires (CloudWatch_Embedded_Metric_Format_Specification):
 * returns every violation, so a failure names what is wrong.
 */
function emfViolations(doc: Record<string, unknown>): string[] {
  const errors: string[] = [];
  const aws = doc._aws as Record<string, unknown> | undefined;
  if (!aws || typeof aws !== 'object') return ['no _aws object'];
  if (!Number.isInteger(aws.Timestamp) || (aws.Timestamp as number) < 1e12) errors.push('_aws.Timestamp is not epoch milliseconds');
  if (!Array.isArray(aws.CloudWatchMetrics) || aws.CloudWatchMetrics.length === 0) return [...errors, '_aws.CloudWatchMetrics is not a non-empty array'];
  for (const d of aws.CloudWatchMetrics as Record<string, unknown>[]) {
    if (typeof d.Namespace !== 'string' || d.Namespace.length < 1 || d.Namespace.length > 1024) errors.push('Namespace is not a 1–1024 character string');
    if (!Array.isArray(d.Dimensions)) errors.push('Dimensions is not an array');
    for (const set of (d.Dimensions as unknown[]) ?? []) {
      if (!Array.isArray(set) || set.length > 30) errors.push('a DimensionSet is not an array of at most 30 keys');
      for (const key of set as unknown[]) if (typeof key !== 'string' || typeof doc[key] !== 'string') errors.push(`dimension ${String(key)} has no top-level string value`);
    }
    if (!Array.isArray(d.Metrics) || d.Metrics.length > 100) errors.push('Metrics is not an array of at most 100');
    for (const m of (d.Metrics as Record<string, unknown>[]) ?? []) {
      if (typeof m.Name !== 'string' || m.Name.length < 1 || m.Name.length > 1024) errors.push('a metric Name is not a 1–1024 character string');
      if (m.Unit !== undefined && !UNITS.includes(m.Unit as string)) errors.push(`${String(m.Name)} has unit ${String(m.Unit)}`);
      const v = doc[m.Name as string];
      const ok = typeof v === 'number' || (Array.isArray(v) && v.length <= 100 && v.every((x) => typeof x === 'number'));
      if (!ok) errors.push(`${String(m.Name)} has no top-level number (or array of at most 100)`);
    }
  }
  return errors;
}

const directives = (doc: Record<string, unknown>) => (doc._aws as { CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string; Unit: string }[] }[] }).CloudWatchMetrics;

describe('EMF sink', () => {
  it('writes one line per invocation that meets the EMF specification', () => {
    // Prepare
    const { metrics, lines } = recorder('emf');
    // Act
    recordInvocation(metrics);
    metrics.flush();
    // Assess
    expect(lines()).toHaveLength(1);
    expect(emfViolations(lines()[0]!)).toEqual([]);
    expect((lines()[0]!._aws as { Timestamp: number }).Timestamp).toBe(NOW);
  });

  it('carries the recorded values, with their units and dimensions, under namespace regcred', () => {
    // Prepare
    const { metrics, lines } = recorder('emf');
    // Act
    recordInvocation(metrics);
    metrics.count('CacheMisses', { provider: 'ecr' });
    metrics.value('UpstreamLatency', { provider: 'ecr' }, 120);
    metrics.flush();
    // Assess
    const [doc] = lines();
    expect(doc).toMatchObject({ function: 'regcred-prod-http', provider: 'ecr', format: 'dockerconfigjson', CacheMisses: 2, UpstreamCalls: 1, UpstreamLatency: [87, 120], CredentialsIssued: 1, ValiditySecondsLeft: 43_200 });
    const published = directives(doc!).flatMap((d) => d.Metrics.map((m) => [d.Namespace, m.Name, m.Unit, d.Dimensions]));
    expect(published).toEqual(
      expect.arrayContaining([
        [NAMESPACE, 'CacheMisses', 'Count', [['function', 'provider'], ['function']]],
        [NAMESPACE, 'UpstreamLatency', 'Milliseconds', [['function', 'provider'], ['function']]],
        [NAMESPACE, 'CredentialsIssued', 'Count', [['function', 'provider', 'format'], ['function']]],
        [NAMESPACE, 'ValiditySecondsLeft', 'Seconds', [['function', 'provider'], ['function']]],
      ]),
    );
    expect(published).toHaveLength(5);
  });

  it('also publishes UpstreamErrors and ValiditySecondsLeft by function alone, the series the alarms watch', () => {
    // Prepare
    const { metrics, lines } = recorder('emf');
    // Act
    metrics.count('UpstreamErrors', { provider: 'ecr', errorCode: 'UpstreamTimeout' });
    metrics.value('ValiditySecondsLeft', { provider: 'ecr' }, 600);
    metrics.flush();
    // Assess
    for (const d of directives(lines()[0]!)) expect(d.Dimensions).toContainEqual(['function']);
  });

  it('writes one line per combination when an invocation touched two providers', () => {
    // Prepare
    const { metrics, lines } = recorder('emf');
    // Act
    metrics.count('UpstreamCalls', { provider: 'ecr' });
    metrics.count('UpstreamCalls', { provider: 'ecr-public' });
    metrics.count('UpstreamErrors', { provider: 'ecr-public', errorCode: 'UpstreamThrottled' });
    metrics.flush();
    // Assess
    expect(lines().map((d) => [d.provider, d.UpstreamCalls, d.UpstreamErrors, d.errorCode])).toEqual([
      ['ecr', 1, undefined, undefined],
      ['ecr-public', 1, 1, 'UpstreamThrottled'],
    ]);
    for (const doc of lines()) expect(emfViolations(doc)).toEqual([]);
  });

  it('starts a new line after 100 values of one metric (the EMF limit per document)', () => {
    // Prepare
    const { metrics, lines } = recorder('emf');
    // Act
    for (let i = 0; i < 150; i++) metrics.value('UpstreamLatency', { provider: 'ecr' }, i);
    metrics.flush();
    // Assess
    expect(lines().map((d) => (d.UpstreamLatency as number[]).length)).toEqual([100, 50]);
    for (const doc of lines()) expect(emfViolations(doc)).toEqual([]);
  });

  it('publishes refresh and rotation counters by function only', () => {
    // Prepare
    const { metrics, lines } = recorder('emf', { function: 'regcred-prod-refresh' });
    // Act
    metrics.count('RefreshVersionsWritten', {}, 2);
    metrics.count('RefreshFailures', {});
    metrics.flush();
    // Assess
    expect(lines()[0]).toMatchObject({ function: 'regcred-prod-refresh', RefreshVersionsWritten: 2, RefreshFailures: 1 });
    expect(directives(lines()[0]!)[0]!.Dimensions).toEqual([['function']]);
    expect(lines()[0]).not.toHaveProperty('provider');
  });

  it('writes nothing when nothing was recorded, and starts over after a flush', () => {
    // Prepare
    const { metrics, lines } = recorder('emf');
    // Act
    metrics.flush();
    metrics.count('CacheHits', { provider: 'acr' });
    metrics.flush();
    metrics.flush();
    // Assess
    expect(lines()).toHaveLength(1);
  });

  it('adds context fields (request id) to the line without making them dimensions', () => {
    // Prepare
    const { metrics, lines } = recorder('emf', { context: { requestId: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef' } });
    // Act
    metrics.count('CacheHits', { provider: 'ecr' });
    metrics.flush();
    // Assess
    expect(lines()[0]!.requestId).toBe('c6af9ac6-7b61-11e6-9a41-93e8deadbeef');
    expect(directives(lines()[0]!).flatMap((d) => d.Dimensions.flat())).not.toContain('requestId');
  });
});

describe('log-line sink', () => {
  it('carries the same names and values as the EMF line, with msg "metrics" and no _aws', () => {
    // Prepare
    const emf = recorder('emf');
    const log = recorder('log');
    // Act
    for (const r of [emf, log]) {
      recordInvocation(r.metrics);
      r.metrics.count('UpstreamErrors', { provider: 'ecr', errorCode: 'UpstreamTimeout' });
      r.metrics.flush();
    }
    // Assess
    const [e] = emf.lines();
    const [l] = log.lines();
    expect(l).toMatchObject({ msg: 'metrics', level: 'info', time: new Date(NOW).toISOString() });
    expect(l).not.toHaveProperty('_aws');
    const { _aws, ...emfFields } = e!;
    const { msg, level, time, ...logFields } = l!;
    expect(logFields).toEqual(emfFields);
    expect(Object.keys(logFields)).toEqual(expect.arrayContaining(['CacheMisses', 'UpstreamCalls', 'UpstreamLatency', 'CredentialsIssued', 'ValiditySecondsLeft', 'UpstreamErrors']));
  });

  it('holds a number in every field, writing a line per value when an invocation recorded several', () => {
    // Prepare
    const { metrics, lines } = recorder('log');
    // Act
    metrics.count('UpstreamCalls', { provider: 'ecr' }, 2);
    metrics.value('UpstreamLatency', { provider: 'ecr' }, 40);
    metrics.value('UpstreamLatency', { provider: 'ecr' }, 60);
    metrics.value('ValiditySecondsLeft', { provider: 'ecr' }, 43_000);
    metrics.flush();
    // Assess
    expect(lines().map(({ UpstreamCalls, UpstreamLatency, ValiditySecondsLeft }) => [UpstreamCalls, UpstreamLatency, ValiditySecondsLeft])).toEqual([
      [2, 40, 43_000],
      [undefined, 60, undefined],
    ]);
  });
});

describe('dimensions are a closed set', () => {
  const { metrics } = recorder('emf');
  const loose = metrics as unknown as { count(name: string, dims: Record<string, unknown>, n?: number): void; value(name: string, dims: Record<string, unknown>, v: number): void };

  it.each([
    ['the caller', { provider: 'ecr', caller: 'arn:aws:iam::123456789012:user/ci' }],
    ['a registry host', { provider: 'ecr', registry: '123456789012.dkr.ecr.us-east-1.amazonaws.com' }],
    ['a key another metric has', { provider: 'ecr', format: 'json' }],
    ['the function (fixed per recorder)', { provider: 'ecr', function: 'other' }],
  ])('rejects a dimension key outside the metric\'s set: %s', (_what, dims) => {
    expect(() => loose.count('CacheHits', dims)).toThrow(/has no dimension/);
  });

  it('rejects a metric without one of its dimension keys', () => {
    expect(() => loose.count('CredentialsIssued', { provider: 'ecr' })).toThrow(/dimension 'format'/);
  });

  it.each([
    ['a registry host as provider', { provider: 'public.ecr.aws' }],
    ['an unknown provider', { provider: 'gcr' }],
    ['a number', { provider: 1 }],
  ])('rejects a dimension value outside its closed list: %s', (_what, dims) => {
    expect(() => loose.count('CacheHits', dims)).toThrow(/must be one of/);
  });

  it('rejects a metric name outside the set, and a counter recorded as a value', () => {
    expect(() => loose.count('Requests', {})).toThrow(/not a counter/);
    expect(() => loose.value('CacheHits', { provider: 'ecr' }, 1)).toThrow(/not a value/);
  });

  it.each([Number.NaN, Number.POSITIVE_INFINITY, -1])('rejects a counter increment of %s', (n) => {
    expect(() => metrics.count('CacheHits', { provider: 'ecr' }, n)).toThrow(/cannot record/);
  });

  it('accepts no value but its closed list, whatever string is offered (fuzzed)', () => {
    const allowed = ['ecr', 'ecr-public', 'acr', 'acr-ee', 'tcr', 'swr'];
    fc.assert(
      fc.property(fc.string(), (value) => {
        const accepted = (() => {
          try {
            loose.count('CacheHits', { provider: value });
            return true;
          } catch {
            return false;
          }
        })();
        return accepted === allowed.includes(value);
      }),
      { numRuns: 2_000 },
    );
  });
});

describe('a secret can never be a dimension value', () => {
  const ECR_PASSWORD = 'eyJwYXlsb2FkIjoiVGhpc0lzTm90QVJlYWxUb2tlbiIsInZlcnNpb24iOiIyIn0';

  it.each([
    ['an access key id', 'AKIAIOSFODNN7EXAMPLE'],
    ['a base64 token', ECR_PASSWORD.slice(0, 60)],
    ['a hex session id', 'regcred-3f9a1c0b7d2e4f5a6b8c'],
  ])('looksLikeSecret flags %s', (_what, value) => {
    expect(looksLikeSecret(value)).toBe(true);
  });

  it.each(['regcred-prod-http', 'regcred-dev-refresh', 'my_registry_creds_rotate-v2'])('looksLikeSecret passes the function name %s', (value) => {
    expect(looksLikeSecret(value)).toBe(false);
  });

  it('refuses a function name that looks like a secret, or was registered as one', () => {
    // Prepare
    registerSecret('regcredsecretname', { expiresAt: NOW + 3_600_000, now: NOW });
    // Act / Assess
    expect(() => createMetrics({ function: 'AKIAIOSFODNN7EXAMPLE', sink: 'emf' })).toThrow(/not a function name/);
    expect(() => createMetrics({ function: 'regcredsecretname', sink: 'log' })).toThrow(/not a function name/);
    expect(() => createMetrics({ function: 'arn:aws:lambda:us-east-1:123456789012:function:x', sink: 'emf' })).toThrow(/not a function name/);
  });

  it('never echoes the refused value in the error it throws', () => {
    // Act
    const error = (() => {
      try {
        createMetrics({ function: `a-${ECR_PASSWORD.slice(0, 40)}`, sink: 'emf' });
      } catch (err) {
        return String(err);
      }
    })();
    // Assess
    expect(error).toMatch(/not a function name/);
    expect(error).not.toContain(ECR_PASSWORD.slice(0, 16));
  });

  it('rejects an unknown option (a dimension cannot come in that way either)', () => {
    expect(() => createMetrics({ function: 'regcred-prod-http', sink: 'emf', dimensions: { caller: 'x' } } as MetricsOptions)).toThrow(/unknown option 'dimensions'/);
  });

  it('keeps context fields from overwriting a dimension, a metric or _aws', () => {
    for (const key of ['provider', 'function', 'CacheHits', '_aws', 'msg']) {
      expect(() => createMetrics({ function: 'regcred-prod-http', sink: 'emf', context: { [key]: 'x' } })).toThrow(/context field/);
    }
  });
});

describe('errorCodeOf', () => {
  it('maps an upstream error to its code and anything else to Other', () => {
    expect(errorCodeOf(new UpstreamUnavailableError('UpstreamThrottled', 'slow down'))).toBe('UpstreamThrottled');
    expect(errorCodeOf(new Error('boom'))).toBe('Other');
    expect(errorCodeOf(null)).toBe('Other');
  });
});

describe('METRICS', () => {
  it('lists the issue 13 metrics, every one in Count, Milliseconds or Seconds', () => {
    expect(Object.keys(METRICS).sort()).toEqual(
      ['CacheHits', 'CacheMisses', 'CredentialsIssued', 'RefreshFailures', 'RefreshVersionsWritten', 'RotationFailures', 'UpstreamCalls', 'UpstreamErrors', 'UpstreamLatency', 'ValiditySecondsLeft'].sort(),
    );
  });
});
