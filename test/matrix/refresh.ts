/**
 * The refresh side of the fault and abuse matrix: each cloud's real scheduled-refresh handler,
 * invoked with its platform's trigger event by its dev entry (dev/<cloud>.ts), minting
 * through the registry emulator and writing the cloud's secret store emulator, faults injected at
 * the emulator front end. Cases carry the same ids as the HTTP side, under the target
 * `<cloud>/refresh`; where a case means something else for a refresh (a failed invocation instead
 * of a 502), the test says what.
 */
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { devCloud } from '../../dev/clouds.js';
import type { LocalCloud, LocalRefresh } from '../../dev/local-cloud.js';
import { shippedHandlers } from '../../handlers/functions.js';
import { badConfigurations } from './inputs.js';

/** What the secret holds before any refresh: the last good value a failed refresh must leave. */
const OLD = '{"auths":{"old.example":{"auth":"b2xkOm9sZA=="}}}';

interface Failure {
  status?: number;
  code?: string;
  message?: string;
  outcomes?: Array<{ ok: boolean; error?: { code: string } }>;
}

/**
 * Register the matrix's refresh cases for one cloud of the development table (none when the cloud
 * ships no refresh handler yet, handlers/functions.ts: its column is then absent, so the gap shows).
 * @example for (const cloud of devClouds()) refreshMatrix(cloud.id);
 */
export function refreshMatrix(cloudId: string): void {
  if (!shippedHandlers().some((h) => h.cloud === cloudId && h.name === 'refresh')) return;
  describe(`matrix: ${cloudId}/refresh`, () => {
    let local: LocalCloud;
    let refresh: LocalRefresh;
    let lines: string[] = [];
    let n = 0;
    beforeAll(async () => {
      local = await devCloud(cloudId)!.startLocal();
      refresh = local.refresh!;
    });
    afterEach(async () => {
      local.emulator.clearFaults();
      await local.emulator.settled(); // a hung call a test gave up on must not land in the next test's counts
      lines = [];
    });
    afterAll(() => local?.stop());

    /** A secret of its own holding OLD, and a fresh refresh function whose REGCRED_TARGETS names it for `registry`. */
    const setUp = async (registry = local.mint[0]!.registry, env: Record<string, string> = {}) => {
      const secretId = `regcred-matrix-${cloudId}-${++n}`;
      await refresh.createSecret(secretId, OLD);
      const targets = { targets: [{ store: refresh.store, secretId, format: 'dockerconfigjson', registries: [registry] }] };
      const handler = refresh.invoker({ REGCRED_REGISTRIES: registry, REGCRED_TARGETS: JSON.stringify(targets), ...local.env, LOG_LEVEL: 'debug', ...env }, (l) => lines.push(l));
      const invoke = (event: unknown = refresh.scheduledEvent()) => handler(event);
      return { secretId, invoke };
    };
    const failure = (run: Promise<unknown>): Promise<Failure> =>
      run.then(
        () => {
          throw new Error('expected the invocation to fail');
        },
        (err: Failure) => err,
      );
    const attemptsOf = (m: { service: string; operation: string }, since: number) => local.emulator.calls.slice(since).filter((c) => c.service === m.service && c.operation === m.operation).length;
    const writes = (since = 0) => attemptsOf(refresh.write, since);
    /** The secret still holds the last good value and nothing else was added. */
    const untouched = (secretId: string) => expect([refresh.current(secretId), refresh.versions(secretId)], secretId).toEqual([OLD, 1]);
    const eachProvider = async (run: (m: LocalCloud['mint'][number]) => Promise<void>) => {
      for (const m of local.mint) {
        local.emulator.clearFaults();
        await run(m);
      }
    };

    describe('writes', () => {
      it('a scheduled run writes a dockerconfigjson for every provider as the current value', async () => {
        await eachProvider(async (m) => {
          const { secretId, invoke } = await setUp(m.registry);
          const { outcomes } = await invoke();
          expect(outcomes.map((o) => [o.ok, o.written]), m.registry).toEqual([[true, true]]);
          const auths = JSON.parse(refresh.current(secretId)!).auths as Record<string, { username: string; password: string; auth: string }>;
          for (const e of Object.values(auths)) expect(Buffer.from(e.auth, 'base64').toString()).toBe(`${e.username}:${e.password}`);
          expect(Object.keys(auths)).toHaveLength(1);
        });
      });
    });

    describe('upstream faults, for every provider', () => {
      it('[F1] one transient 5xx from the registry API, then one from the store → written, once', async () => {
        await eachProvider(async (m) => {
          const { secretId, invoke } = await setUp(m.registry);
          local.emulator.inject(m.service, m.operation, { status: 500 });
          local.emulator.inject(refresh.write.service, refresh.write.operation, { status: 500 });
          const { outcomes } = await invoke();
          expect(outcomes.map((o) => o.written), m.registry).toEqual([true]);
          expect(refresh.current(secretId)).not.toBe(OLD);
        });
      });

      it('[F2] a persistent 5xx → the invocation fails after 2-4 attempts, inside the budget; the secret untouched', async () => {
        await eachProvider(async (m) => {
          const { secretId, invoke } = await setUp(m.registry);
          local.emulator.inject(m.service, m.operation, { status: 500, times: Infinity });
          const before = local.emulator.calls.length;
          const started = Date.now();
          const err = await failure(invoke());
          expect([err.code, err.outcomes?.[0]?.error?.code], m.registry).toEqual(['RefreshFailed', 'UpstreamError']);
          expect(Date.now() - started).toBeLessThan(10_000);
          expect(attemptsOf(m, before)).toBeGreaterThanOrEqual(2);
          expect(attemptsOf(m, before)).toBeLessThanOrEqual(4);
          expect(writes(before)).toBe(0);
          untouched(secretId);
        });
      });

      it('[F3] throttled → the invocation fails UpstreamThrottled, bounded; the secret untouched', async () => {
        await eachProvider(async (m) => {
          const { secretId, invoke } = await setUp(m.registry);
          local.emulator.inject(m.service, m.operation, { throttle: true, retryAfterSeconds: 30, times: Infinity });
          const before = local.emulator.calls.length;
          const err = await failure(invoke());
          expect(err.outcomes?.[0]?.error?.code, m.registry).toBe('UpstreamThrottled');
          expect(attemptsOf(m, before)).toBeLessThanOrEqual(4);
          untouched(secretId);
        });
      });

      it("[F4] an upstream that hangs → the invocation fails UpstreamTimeout before the function's own timeout; the secret untouched", async () => {
        await eachProvider(async (m) => {
          const { secretId, invoke } = await setUp(m.registry, { REGCRED_ATTEMPT_TIMEOUT_MS: '300' });
          local.emulator.inject(m.service, m.operation, { delayMs: 3_000, times: Infinity });
          const started = Date.now();
          const err = await failure(invoke());
          expect(err.outcomes?.[0]?.error?.code, m.registry).toBe('UpstreamTimeout');
          expect(Date.now() - started).toBeLessThan(10_000);
          untouched(secretId);
        });
      });

      it('[F5] a malformed or truncated registry answer → the invocation fails, not retried; the secret untouched', async () => {
        await eachProvider(async (m) => {
          const { secretId, invoke } = await setUp(m.registry);
          local.emulator.inject(m.service, m.operation, { body: '{"truncated', times: Infinity });
          const before = local.emulator.calls.length;
          const err = await failure(invoke());
          expect(err.outcomes?.[0]?.error?.code, m.registry).toBe('UpstreamInvalidResponse');
          expect(attemptsOf(m, before)).toBe(1);
          untouched(secretId);
        });
      });

      it("[F6] the role's keys rejected (expired session) → the invocation fails, not retried, the store never called", async () => {
        await eachProvider(async (m) => {
          const { secretId, invoke } = await setUp(m.registry);
          local.emulator.inject(m.service, m.operation, { ...(local.faults?.expiredSession ?? { status: 403 }), times: Infinity });
          const before = local.emulator.calls.length;
          const err = await failure(invoke());
          expect(err.outcomes?.[0]?.error?.code, m.registry).toBe('UpstreamAccessDenied');
          expect(attemptsOf(m, before)).toBe(1);
          expect(writes(before)).toBe(0);
          untouched(secretId);
        });
      });

      it('[F8] the secret store keeps failing its write → the invocation fails, the current secret untouched', async () => {
        const { secretId, invoke } = await setUp();
        local.emulator.inject(refresh.write.service, refresh.write.operation, { status: 500, times: Infinity });
        const before = local.emulator.calls.length;
        const err = await failure(invoke());
        expect(err.code).toBe('RefreshFailed');
        expect(writes(before)).toBeGreaterThanOrEqual(2);
        untouched(secretId);
      });

      it('[F8] the secret store write hangs → the invocation fails naming the store; the secret holds the last good value or the whole new one', async () => {
        const { secretId, invoke } = await setUp(undefined, { REGCRED_ATTEMPT_TIMEOUT_MS: '300' });
        local.emulator.inject(refresh.write.service, refresh.write.operation, { delayMs: 2_000, times: Infinity });
        const err = await failure(invoke());
        expect(err.outcomes?.[0]?.error).toMatchObject({ code: 'UpstreamTimeout', message: `secret store ${refresh.store} did not answer within 300 ms` });
        // A write the store received may still land after the function gave up, as on a real
        // cloud: then it is the complete new value, never a part of one.
        await local.emulator.settled();
        const now = refresh.current(secretId)!;
        if (now !== OLD) expect(Object.keys(JSON.parse(now).auths)).toEqual([local.hosts[0]]);
      });
    });

    describe('cache boundaries', () => {
      // Only Date is faked (frozen where the test sets it): the emulators, the SDK's signer and the
      // cache all read it, so they agree on the time; sockets and retry back-off run for real.
      afterEach(() => vi.useRealTimers());

      it('[F7] a run before half the validity (− 1 ms) mints nothing, after it (+ 1 ms) writes anew; with the registry API down a run fails, never rewriting the last good value', async () => {
        const t0 = Date.now();
        vi.useFakeTimers({ toFake: ['Date'], now: t0 });
        const m = local.mint[0]!;
        const { secretId, invoke } = await setUp(m.registry);
        const at = async (ms: number) => {
          vi.setSystemTime(ms);
          const before = attemptsOf(m, 0);
          const outcome = await invoke().then(({ outcomes }) => (outcomes[0]!.written ? 'written' : 'unchanged'), (err: Failure) => err.code);
          return { outcome, upstream: attemptsOf(m, 0) - before };
        };
        // The expiry of the credential last written, from its audit line.
        const expiresAt = () => Date.parse(lines.map((l) => JSON.parse(l)).filter((l) => l.msg === 'credential issued').at(-1).expiresAt);
        await invoke();
        const halfLife = t0 + Math.floor((expiresAt() - t0) / 2);
        expect(await at(halfLife - 1), 'half-life − 1 ms').toEqual({ outcome: 'unchanged', upstream: 0 });
        expect(await at(halfLife + 1), 'half-life + 1 ms').toEqual({ outcome: 'written', upstream: 1 });
        const written = refresh.current(secretId);
        const expiry = expiresAt();
        local.emulator.inject(m.service, m.operation, { status: 500, times: Infinity });
        // The cache would still serve the last good credential to an HTTP caller (≥ 5 min left),
        // but a refresh that wrote it back would hide the outage: it fails, the secret keeps it.
        expect((await at(expiry - 5 * 60_000 - 1)).outcome, 'expiry − 5 min − 1 ms').toBe('RefreshFailed');
        expect((await at(expiry - 5 * 60_000 + 1)).outcome, 'expiry − 5 min + 1 ms').toBe('RefreshFailed');
        expect([refresh.current(secretId), refresh.versions(secretId)]).toEqual([written, refresh.store === 'ssm' ? 1 : 3]);
      });
    });

    describe('idempotency and single-flight', () => {
      it('[F9] the same event delivered twice → one version written', async () => {
        const { secretId, invoke } = await setUp();
        const event = refresh.scheduledEvent(); // delivered again by the platform's retry
        await invoke(event);
        const written = refresh.current(secretId);
        const before = local.emulator.calls.length;
        const again = await invoke(event);
        expect(again.outcomes.map((o) => [o.ok, o.written])).toEqual([[true, false]]);
        expect(writes(before)).toBe(0);
        expect([refresh.current(secretId), refresh.versions(secretId)]).toEqual([written, refresh.store === 'ssm' ? 1 : 2]);
      });

      it('[F10] 100 concurrent refreshes on one instance (far more than any schedule or event rule sends) → one registry call, one new value', async () => {
        const { secretId, invoke } = await setUp();
        const before = local.emulator.calls.length;
        const results = await Promise.all(Array.from({ length: 100 }, () => invoke()));
        expect(results.every((r) => r.outcomes.every((o) => o.ok))).toBe(true);
        expect(attemptsOf(local.mint[0]!, before)).toBe(1);
        expect(refresh.versions(secretId)).toBe(refresh.store === 'ssm' ? 1 : 2);
        expect(refresh.current(secretId)).not.toBe(OLD);
      });
    });

    describe('malformed events and bad configuration', () => {
      it('[B2] every malformed event of every trigger type → refused as a BadRequest, nothing called, the secret untouched', async () => {
        const { secretId, invoke } = await setUp();
        const before = local.emulator.calls.length;
        for (const [name, event] of refresh.malformedEvents) {
          const err = await failure(invoke(event));
          expect([err.status, err.code], name).toEqual([400, 'BadRequest']);
        }
        expect(local.emulator.calls.length - before).toBe(0);
        untouched(secretId);
      });

      it('[B2] 500 fuzzed events are refused as a BadRequest or run the configured target, never another error', async () => {
        const { secretId, invoke } = await setUp();
        await fc.assert(
          fc.asyncProperty(fc.oneof(fc.anything(), fc.jsonValue().map((v) => JSON.stringify(v) ?? ''), fc.record({ targets: fc.anything() })), async (event) => {
            try {
              const { outcomes } = await invoke(event);
              expect(outcomes.map((o) => o.secretId)).toEqual([secretId]);
            } catch (err) {
              expect((err as Failure).code).toBe('BadRequest');
            }
          }),
          { numRuns: 500 },
        );
      }, 60_000);

      it('[B4] every bad configuration value fails the cold start with a message naming the variable', async () => {
        for (const [env, variable] of badConfigurations(cloudId, local)) {
          const cold = Promise.resolve().then(() => refresh.invoker({ REGCRED_REGISTRIES: local.mint[0]!.registry, ...local.env, ...env })(refresh.scheduledEvent()));
          await expect(cold, variable).rejects.toThrow(new RegExp(`^${variable}\\b`));
        }
      });

      it('[B3] an oversized event (a 1 MB payload, 10 000 targets) → refused fast, nothing called', async () => {
        const { invoke } = await setUp();
        const before = local.emulator.calls.length;
        for (const event of [{ targets: [{ store: refresh.store, secretId: 'x'.repeat(1 << 20) }] }, { targets: Array.from({ length: 10_000 }, (_, i) => ({ store: refresh.store, secretId: `s${i}` })) }]) {
          const started = performance.now();
          const err = await failure(invoke(event));
          expect(err.code).toBe('BadRequest');
          expect(String(err.message).length).toBeLessThan(1_000);
          expect(performance.now() - started).toBeLessThan(1_000);
        }
        expect(local.emulator.calls.length - before).toBe(0);
      });
    });

    describe('cases that mean nothing for a refresh', () => {
      it.skip('[B1] n/a: a refresh takes no path, query or headers; its events are fuzzed under [B2]', () => {});
      it.skip('[S2] n/a: a refresh answers no HTTP request; what it writes is the store\'s to protect', () => {});
    });

    describe('logs', () => {
      it('[S1] no minted password, auth string or role secret in any log line or failure, and every line carries the request id', async () => {
        const { secretId, invoke } = await setUp();
        await invoke();
        const failures: Failure[] = [];
        local.emulator.inject(refresh.write.service, refresh.write.operation, { status: 500, times: Infinity });
        failures.push(await failure(setUp().then(({ invoke: other }) => other())));
        local.emulator.clearFaults();
        local.emulator.inject(local.mint[0]!.service, local.mint[0]!.operation, { ...(local.faults?.expiredSession ?? { status: 403 }), times: Infinity });
        failures.push(await failure(setUp().then(({ invoke: other }) => other())));
        const auths = Object.values(JSON.parse(refresh.current(secretId)!).auths as Record<string, { password: string; auth: string }>);
        const secrets = [...auths.flatMap((e) => [e.password, e.auth]), ...local.secrets];
        expect(lines.length).toBeGreaterThan(3);
        for (const s of secrets) expect(lines.filter((l) => l.includes(s))).toEqual([]);
        for (const s of secrets) expect(failures.filter((f) => JSON.stringify({ ...f, message: f.message }).includes(s))).toEqual([]);
        const untagged = lines.map((l) => JSON.parse(l)).filter((l) => !l.requestId && !/^cold start/.test(l.msg));
        expect(untagged).toEqual([]);
      });

      it('writes one metrics record per invocation with what it really did (a version written, an upstream call)', async () => {
        const { invoke } = await setUp();
        await invoke();
        const records = lines.map((l) => JSON.parse(l)).filter((l) => l._aws !== undefined || l.msg === 'metrics');
        const sum = (name: string) => records.reduce((total, r) => total + [r[name] ?? 0].flat().reduce((a: number, b: number) => a + b, 0), 0);
        expect(records).toHaveLength(1);
        expect([sum('RefreshVersionsWritten'), sum('UpstreamCalls'), sum('RefreshFailures')]).toEqual([1, 1, 0]);
        expect(records[0].requestId).toEqual(expect.any(String));
      });
    });
  });
}
