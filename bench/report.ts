/** Renders bench results: the targets verdict, RESULTS.md tables and the upstream-calls SVG chart. */
import type { AmplificationRow } from './amplification.js';
import { MIN_REMAINING_MS } from '../core/cache.js';
import { DEFAULT_RETRY_POLICY } from '../core/retry.js';
import { OUTAGE_BOUNDS, OUTAGE_MS, OUTAGE_STARTS_BEFORE_EXPIRY_MS, THROTTLE_RETRY_AFTER_S } from './outage.js';
import type { BenchResults } from './run.js';
import type { Spread } from './stats.js';

export interface TargetVerdict {
  target: string;
  measured: string;
  met: boolean | undefined;
  why?: string;
}

const KB = 1_000;

/** The issue's four targets, each against what this run measured (undefined: not measurable yet). */
export function verdicts(r: BenchResults): TargetVerdict[] {
  const bundle = r.bundles.find((b) => b.cloud === 'aws' && b.name === 'http');
  const cold = r.cold.rows.find((c) => c.cloud === 'aws' && c.name === 'http');
  const warm = r.latency.filter((l) => l.handler === 'aws/http');
  const worstP99 = warm.length ? Math.max(...warm.map((l) => l.p99.median)) : undefined;
  const amp = r.amplification;
  const onePerRegistry = amp.every((a) => a.regcredCalls.max === a.registries && a.regcredCalls.min === a.registries && a.failures === 0);
  const halfLife = r.halfLife.every((h) => h.cold === h.registries && h.beforeHalfLife === 0 && h.pastHalfLife === h.registries);
  return [
    {
      target: 'AWS http bundle ≤ 200 KB zipped',
      measured: bundle?.zippedBytes !== undefined ? `${(bundle.zippedBytes / KB).toFixed(1)} KB` : 'not built yet',
      met: bundle?.zippedBytes !== undefined ? bundle.zippedBytes <= 200 * KB : undefined,
    },
    {
      target: 'cold load ≤ 2.0× bare node (aws/http, median)',
      measured: cold?.loadRatio ? `${fmt(cold.loadRatio.median, 2)}× (min ${fmt(cold.loadRatio.min, 2)}, max ${fmt(cold.loadRatio.max, 2)})` : (cold?.reason ?? 'not built yet'),
      met: cold?.loadRatio ? cold.loadRatio.median <= 2.0 : undefined,
      ...(cold?.loadRatio && cold.loadRatio.median > 2.0 && { why: coldWhy(r, cold.loadRatio.median) }),
    },
    {
      target: 'warm p99 ≤ 1 ms in-process (aws/http, worst format, median of repeats)',
      measured: worstP99 !== undefined ? `${fmt(worstP99, 3)} ms` : 'not built yet',
      met: worstP99 !== undefined ? worstP99 <= 1 : undefined,
    },
    {
      target: 'exactly 1 upstream call per registry per half-life at any concurrency',
      measured: amp.length
        ? `${amp.filter((a) => a.regcredCalls.max === a.registries).length}/${amp.length} bursts at 1 call per registry; half-life bursts ${r.halfLife.map((h) => `${h.cold}/${h.beforeHalfLife}/${h.pastHalfLife}`).join(', ')} (cold/before/past)`
        : 'not measured',
      met: amp.length ? onePerRegistry && halfLife : undefined,
    },
  ];
}

/** Why the cold-load target missed, from the reference rows measured in the same run. */
function coldWhy(r: BenchResults, handlerRatio: number): string {
  const sdk = r.cold.rows.find((c) => c.name === 'sdk-client-only')?.loadRatio?.median;
  const deferred = r.cold.rows.find((c) => c.name === 'sdk-client-deferred')?.loadRatio?.median;
  if (sdk === undefined || deferred === undefined) return 'the reference bundles did not run';
  const bytes = r.bundles.find((b) => b.cloud === 'aws' && b.name === 'http')?.bytes ?? 0;
  return (
    `the handlers already load their SDKs on first use (core/aws/ecr.ts, ecr-public.ts, core/alibaba/client.ts). ` +
    `For scale, in this run: the AWS registry SDK client alone (bench/aws/reference), loaded eagerly, costs ${fmt(sdk, 2)}× bare node; the same SDK deferred to first use, ` +
    `alone in a bundle, ${fmt(deferred, 2)}×; the aws/http bundle (two deferred SDK clients plus the handler) ${fmt(handlerRatio, 2)}×. ` +
    `What remains is V8 parsing ${fmt(bytes / 1000, 0)} KB of bundle; closing the gap means carrying less code (an ESM build with code splitting, ` +
    'so the deferred SDKs sit in chunks that are never parsed at load, or calling GetAuthorizationToken with a ' +
    'small SigV4 signer over node:https instead of the SDK client; neither is done yet, see the closing note of issue 6).'
  );
}

function fmt(n: number | undefined, digits = 1): string {
  return n === undefined || Number.isNaN(n) ? '–' : n.toFixed(digits);
}

/** `median (min–max)` */
function s(x: Spread | undefined, digits = 1): string {
  if (!x || !x.n) return '–';
  return x.min === x.max ? fmt(x.median, digits) : `${fmt(x.median, digits)} (${fmt(x.min, digits)}–${fmt(x.max, digits)})`;
}

function table(head: string[], rows: string[][]): string {
  return [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

/** @example writeFileSync('bench/RESULTS.md', renderMarkdown(results)) */
export function renderMarkdown(r: BenchResults): string {
  const o = r.options;
  const out: string[] = [];
  out.push('# regcred benchmark results', '');
  out.push(`Generated by \`npm run bench\` (bench/run.ts) at ${r.startedAt} in ${(r.durationMs / 1000).toFixed(1)} s.`, '');
  out.push(
    `Machine: ${r.machine.cores} cores (${r.machine.cpu}), Node ${r.machine.node}, ${r.machine.platform}; load average at start ${r.machine.loadavgAtStart.map((l) => l.toFixed(2)).join(' / ')}. ` +
      'This is a **shared machine**: other sessions build and test on it at the same time, so absolute times are noisy. ' +
      'Every comparison is a ratio taken in the same run; figures are `median (min–max)` over ' +
      `${o.repeats} repeats (cold start: ${o.coldRounds} rounds).`,
    '',
  );
  const sections = Object.entries(r.sectionsMs ?? {});
  if (sections.length) out.push(`Wall time per section: ${sections.map(([name, ms]) => `${name} ${(ms / 1000).toFixed(1)} s`).join(', ')}.`, '');
  if (r.rigs.some((x) => x.status !== 'ok')) {
    out.push(`Rigs not available: ${r.rigs.filter((x) => x.status !== 'ok').map((x) => `${x.cloud} (${x.reason})`).join('; ')}.`, '');
  }

  out.push('## Targets', '');
  const vs = verdicts(r);
  out.push(table(['target', 'measured', 'met'], vs.map((v) => [v.target, v.measured, v.met === undefined ? 'n/a' : v.met ? 'yes' : '**no**'])), '');
  for (const v of vs.filter((x) => x.why)) out.push(`Missed — ${v.target}: ${v.why}`, '');

  out.push('## 1. Bundles (minified CJS, one per handler; zip as uploaded; 1 KB = 1000 bytes)', '');
  out.push(
    table(
      ['handler', 'status', 'bytes', 'zipped'],
      r.bundles.map((b) => [`${b.cloud}/${b.name}`, b.status === 'ok' ? 'ok' : `not built yet: ${b.reason ?? ''}`, b.bytes ? `${(b.bytes / KB).toFixed(1)} KB` : '–', b.zippedBytes ? `${(b.zippedBytes / KB).toFixed(1)} KB` : '–']),
    ),
    '',
  );

  out.push('## 2. Cold start (fresh `node` process, spawn to exit)', '');
  out.push(
    `Bare \`node -e 0\`: ${s(r.cold.bareMs)} ms. "load" = \`node -e "require(bundle)"\`; "load + first request" also serves one ` +
      '`GET /credentials` against the emulator. A fresh process has an empty cache, so the first request always makes one upstream call ' +
      '(a loopback round trip here); the cached path is section 3. Ratios are per round against bare node in the same round. ' +
      'Bundles run from a directory of their own, as the runtime unzips them (see bench/cold.ts). "reference/…" rows are not shipped: the ECR SDK client alone, and the same deferred to first use.',
    '',
  );
  out.push(
    table(
      ['bundle', 'load ms', 'load ÷ bare', 'load + first request ms', '÷ bare', 'in-process require ms', 'in-process first request ms'],
      r.cold.rows.map((c) =>
        c.status !== 'ok'
          ? [`${c.cloud}/${c.name}`, `${c.status}${c.reason ? `: ${c.reason}` : ''}`, '', '', '', '', '']
          : [`${c.cloud}/${c.name}`, s(c.loadMs), s(c.loadRatio, 2), s(c.firstMs), s(c.firstRatio, 2), s(c.requireMs), s(c.requestMs)],
      ),
    ),
    '',
  );

  out.push('## 3. Warm path', '');
  out.push(`In-process handler latency on a warm cache, ${o.warmIterations} sequential requests per repeat (after a warm-up), 1 registry, audit line rendered (not written to a terminal).`, '');
  out.push(table(['handler', 'format', 'p50 ms', 'p99 ms'], r.latency.map((l) => [l.handler, l.format, s(l.p50, 3), s(l.p99, 3)])), '');
  out.push(
    `Requests/s through a local HTTP server (the server in this process, one event loop = one core; autocannon in its own process, ${o.rpsConnections} connection(s), ${o.rpsSeconds} s per repeat, loopback). ` +
      'The `npm start` server (dev/serve.ts) serves its default two registries (ecr and ecr-public) and verifies every request\'s SigV4 signature, as a function URL does; ' +
      'each "bench server" row is a bare server around that cloud\'s handler (its platform event, no signature check) with one registry. ' +
      'The `npm start` row is not comparable with the bench-server rows; the bench-server rows are comparable with each other.',
    '',
  );
  out.push(
    table(
      ['server', 'requests/s', 'p99 ms (autocannon: 1 ms resolution)', 'non-2xx', 'errors'],
      r.throughput.map((t) => ('rps' in t ? [t.server, s(t.rps, 0), s(t.p99, 1), String(t.non2xx), String(t.errors)] : [t.server, `${t.status}: ${t.reason}`, '', '', ''])),
    ),
    '',
  );

  out.push('## 4. Upstream amplification', '');
  out.push(
    'N concurrent `GET /credentials` on a fresh instance (empty cache), every configured registry, counted by the emulator. ' +
      'Baseline: the same API → service → provider path with a cache that holds nothing (bench/baseline.ts), i.e. no cache and no single-flight. ' +
      `Every burst runs on a fresh emulator. Baseline bursts of more than ${o.baselineMaxCalls} upstream calls are not run (–): they make concurrency × registries calls by construction, ` +
      'and 4000 loopback connections at once overwhelm this 2-core machine (calls time out on the client).',
    '',
  );
  out.push(
    table(
      ['cloud', 'registries', 'concurrency', 'regcred calls', 'baseline calls', 'baseline ÷ regcred', 'regcred ms', 'baseline ms', 'failed requests'],
      r.amplification.map((a) => [a.cloud, String(a.registries), String(a.concurrency), s(a.regcredCalls, 0), s(a.baselineCalls, 0), s(a.ratio, 0), s(a.regcredMs), s(a.baselineMs), String(a.failures)]),
    ),
    '',
  );
  out.push('![upstream calls vs concurrency](upstream-calls.svg)', '');
  out.push('Per half-life, one instance, bursts at simulated time 0 (cold), half-life − 1 s, and half-life:', '');
  out.push(
    table(
      ['cloud', 'registries', 'concurrency', 'half-life', 'cold', 'before half-life', 'at half-life'],
      r.halfLife.map((h) => [h.cloud, String(h.registries), String(h.concurrency), `${(h.halfLifeMs / 60_000).toFixed(0)} min`, String(h.cold), String(h.beforeHalfLife), String(h.pastHalfLife)]),
    ),
    '',
  );

  out.push('## 5. Refresh cost (24 simulated hours)', '');
  out.push(
    `The scheduled refresh writing one secret (one registry, dockerconfigjson) over ${(o.simulatedMs / 3_600_000).toFixed(0)} simulated hours on the schedule of docs/design.md ("Refresh and rotation"), ` +
      'through refreshTargets → service → provider → secret store against the emulators. The emulators verify signatures against the wall clock, so simulated time ' +
      'moves only the upstream answer\'s expiry (bench/clock.ts). regcred = one warm instance; baseline = no cache (also what a cold instance per invocation costs). ' +
      '"spare" = least validity the secret\'s credential had left when the next run came.',
    '',
  );
  out.push(
    table(
      ['cloud', 'every', 'invocations', 'regcred upstream calls', 'regcred versions written', 'baseline upstream calls', 'baseline versions written', 'regcred spare'],
      r.refresh.map((x) => [
        x.cloud,
        `${x.everyMs / 60_000} min`,
        String(x.regcred.invocations),
        String(x.regcred.upstreamCalls),
        String(x.regcred.versionsWritten),
        String(x.baseline.upstreamCalls),
        String(x.baseline.versionsWritten),
        `${(x.regcred.minSpareMs / 60_000).toFixed(0)} min`,
      ]),
    ),
    '',
  );

  out.push('## 6. Outage', '');
  out.push(
    `The registry API fails for ${fmt(OUTAGE_MS / 60_000, 0)} simulated minutes, then heals; ${r.outage[0]?.callers ?? o.outageCallers} callers each send \`GET /credentials\` (one registry) every simulated second and wait for the answer, ` +
      'through the real API → service → cache → provider path (production retry policy, 10 s function budget) against a fresh emulator of the cloud that answers every ' +
      `registry-credential call with HTTP 500 ("5xx") or its throttling error with \`Retry-After: ${THROTTLE_RETRY_AFTER_S}\` ("throttle"). The outage starts ${fmt(OUTAGE_STARTS_BEFORE_EXPIRY_MS / 60_000, 0)} min before ` +
      'the cached credential expires (past its half-life): what the last quarter hour of any outage longer than half the credential\'s validity less 5 min looks like (25 min for ACR and TCR, about 6 h for ECR, 12 h for SWR). ' +
      `How to read it: the first ${fmt((OUTAGE_STARTS_BEFORE_EXPIRY_MS - MIN_REMAINING_MS) / 60_000, 0)} minutes are answered 200 from the last good credential (while ≥ 5 min of it remain) with one refresh per 30 s; then, with nothing ` +
      'servable, every request is answered at once with 503 and Retry-After (the seconds left of the hold-off), and one refresh is tried per 5 s hold-off (or the Retry-After the cloud\'s client read); ' +
      'the callers that share a refresh that tried get its own answer (502 after a 5xx, 503 after throttling). ' +
      `A refresh is up to ${DEFAULT_RETRY_POLICY.maxAttempts} attempts (the retry policy's, backoff and Retry-After waits within the budget); ` +
      '"attempts" are counted by the emulator (every answer, retries included) and are what the registry sees, against requests what the callers sent. ' +
      `Bounds the cache promises (asserted in bench.test.ts): at most ${OUTAGE_BOUNDS.attemptsPerMinute} attempts per minute, recovery within ${fmt(OUTAGE_BOUNDS.recoveryMs / 1000, 0)} s of the heal, and no credential served with < 5 min left.`,
    '',
  );
  out.push(
    table(
      ['cloud', 'fault', 'requests', '200 (of which last good)', '502', '503 (with Retry-After)', 'other', 'attempts/min in outage, max / mean', 'attempts in all', 'recovery after heal', 'least validity served'],
      r.outage.map((x) => [
        x.cloud,
        x.fault,
        String(x.requests),
        `${x.ok} (${x.okLastGood})`,
        String(x.status502),
        `${x.status503} (${x.status503RetryAfter})`,
        String(x.other),
        `${x.attemptsPerMinute.max} / ${fmt(x.attemptsPerMinute.mean, 1)}`,
        String(x.attempts),
        x.recoveryMs === undefined ? 'none' : `${fmt(x.recoveryMs / 1000, 1)} s`,
        `${fmt(x.leastValidityServedMs / 60_000, 1)} min`,
      ]),
    ),
    '',
  );

  out.push('## 7. Metrics cold-start cost', '');
  const m = r.metricsCost;
  if (m?.status === 'ok') {
    out.push(
      `What publishing metrics costs a cold start (bench/metrics-cost.ts): a tiny handler records one invocation's metrics and flushes them as EMF, bundled as shipped, ` +
        `each run in ${m.rounds} fresh \`node\` processes per option, rounds interleaved. "none" writes one stdout line and no metrics (the floor); ` +
        '"regcred" is core/metrics.ts; "powertools" is @aws-lambda-powertools/metrics (not a dependency: installed into a throwaway folder for the run).',
      '',
    );
    out.push(
      table(
        ['option', 'bundle', 'zipped', 'require ms', 'first flush ms', 'require + flush over none, ms', 'spawn to exit ms'],
        m.rows.map((x) => [x.option, `${(x.bytes / KB).toFixed(1)} KB`, `${(x.zippedBytes / KB).toFixed(1)} KB`, s(x.requireMs, 2), s(x.flushMs, 2), x.overNoneMs === undefined ? '–' : fmt(x.overNoneMs, 2), s(x.wallMs)]),
      ),
      '',
    );
  } else {
    out.push(`Not measured in this run: ${m?.status === 'failed' ? `failed (${m.reason})` : 'skipped (quick configuration)'}.`, '');
  }

  out.push('## 8. Packaging', '');
  const p = r.packaging;
  out.push(p.status === 'ok' ? `\`npx osls package\`: ${(p.ms! / 1000).toFixed(1)} s wall (one run).` : `\`npx osls package\`: ${p.status}${p.reason ? ` (${p.reason})` : ''}${p.ms ? ` after ${(p.ms / 1000).toFixed(1)} s` : ''}.`, '');
  return out.join('\n');
}

const COLORS = { 'baseline-1': '#d62728', 'baseline-4': '#ff7f0e', 'regcred-1': '#1f77b4', 'regcred-4': '#2ca02c' } as const;

/**
 * Upstream calls (log) against concurrency (log), one line per cloud × registries × mode.
 * @example writeFileSync('bench/upstream-calls.svg', renderChart(results.amplification))
 */
export function renderChart(rows: AmplificationRow[]): string {
  const W = 640;
  const H = 400;
  const pad = { l: 70, r: 190, t: 30, b: 50 };
  const xs = [...new Set(rows.map((r) => r.concurrency))].sort((a, b) => a - b);
  const yMax = Math.max(10, ...rows.map((r) => r.baselineCalls.max));
  const xMax = Math.max(10, ...xs);
  const lx = (v: number) => pad.l + (Math.log10(v) / Math.log10(xMax)) * (W - pad.l - pad.r);
  // The axis starts at 0.5 so the regcred lines (1 call) stand clear of it.
  const yMin = 0.5;
  const ly = (v: number) => H - pad.b - (Math.log10(Math.max(v, yMin) / yMin) / Math.log10(yMax / yMin)) * (H - pad.t - pad.b);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${pad.l}" y="18" font-size="14">Upstream calls vs concurrent cold requests (log–log)</text>`,
    `<line x1="${pad.l}" y1="${H - pad.b}" x2="${W - pad.r}" y2="${H - pad.b}" stroke="black"/>`,
    `<line x1="${pad.l}" y1="${pad.t}" x2="${pad.l}" y2="${H - pad.b}" stroke="black"/>`,
    `<text x="${(pad.l + W - pad.r) / 2}" y="${H - 12}" text-anchor="middle">concurrent requests</text>`,
    `<text x="16" y="${(pad.t + H - pad.b) / 2}" transform="rotate(-90 16 ${(pad.t + H - pad.b) / 2})" text-anchor="middle">upstream calls</text>`,
  ];
  for (const x of xs) parts.push(`<text x="${lx(x)}" y="${H - pad.b + 16}" text-anchor="middle">${x}</text>`);
  for (let y = 1; y <= yMax; y *= 10) {
    parts.push(`<line x1="${pad.l}" y1="${ly(y)}" x2="${W - pad.r}" y2="${ly(y)}" stroke="#ddd"/>`, `<text x="${pad.l - 6}" y="${ly(y) + 4}" text-anchor="end">${y}</text>`);
  }
  const series = new Map<string, Array<[number, number]>>();
  for (const r of rows) {
    for (const mode of ['baseline', 'regcred'] as const) {
      const key = `${mode}|${r.registries}|${r.cloud}`;
      const calls = mode === 'baseline' ? r.baselineCalls.median : r.regcredCalls.median;
      series.set(key, [...(series.get(key) ?? []), [r.concurrency, calls]]);
    }
  }
  const clouds = [...new Set(rows.map((r) => r.cloud))];
  let legend = 0;
  for (const [key, measured] of series) {
    const points = measured.filter(([, y]) => !Number.isNaN(y));
    const [mode, registries, cloud] = key.split('|') as [string, string, string];
    const color = COLORS[`${mode}-${registries}` as keyof typeof COLORS] ?? '#555';
    const dash = clouds.indexOf(cloud) > 0 ? ' stroke-dasharray="6 4"' : '';
    parts.push(`<polyline fill="none" stroke="${color}" stroke-width="2"${dash} points="${points.map(([x, y]) => `${lx(x).toFixed(1)},${ly(y).toFixed(1)}`).join(' ')}"/>`);
    for (const [x, y] of points) parts.push(`<circle cx="${lx(x).toFixed(1)}" cy="${ly(y).toFixed(1)}" r="3" fill="${color}"/>`);
    const yL = pad.t + 10 + legend++ * 18;
    parts.push(`<line x1="${W - pad.r + 12}" y1="${yL}" x2="${W - pad.r + 36}" y2="${yL}" stroke="${color}" stroke-width="2"${dash}/>`);
    parts.push(`<text x="${W - pad.r + 42}" y="${yL + 4}">${mode}, ${registries} reg., ${cloud}</text>`);
  }
  parts.push('</svg>');
  return parts.join('\n') + '\n';
}
