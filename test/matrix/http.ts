/**
 * The HTTP side of the fault and abuse matrix (docs/design.md, "HTTPS API"), one suite for every cloud
 * in the table: each cloud's real HTTP handler, driven through its platform's event shape by its
 * dev entry (dev/<cloud>.ts), against its signature-checking emulator, faults injected at
 * the emulator front end. Every case is tagged with its matrix id ([F1] …) under the target
 * `<cloud>/http`; the reporter (reporter.ts) prints case × target. A cloud's own tests keep only
 * what is really that cloud's (its event sources, its answer validation, its caller identity).
 */
import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { devCloud } from '../../dev/clouds.js';
import type { Invoker, LocalCloud } from '../../dev/local-cloud.js';
import { badConfigurations, mutatedEvents } from './inputs.js';

interface Answer {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
  json: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- a JSON answer, checked field by field
}

/**
 * Register the matrix's HTTP cases for one cloud of the development table.
 * @example for (const cloud of devClouds()) httpMatrix(cloud.id);
 */
export function httpMatrix(cloudId: string): void {
  describe(`matrix: ${cloudId}/http`, () => {
    let local: LocalCloud;
    let lines: string[] = [];
    beforeAll(async () => {
      local = await devCloud(cloudId)!.startLocal();
    });
    afterEach(async () => {
      local.emulator.clearFaults();
      await local.emulator.settled(); // a hung call a test gave up on must not land in the next test's counts
      lines = [];
    });
    afterAll(() => local?.stop());

    /** A fresh warm instance (its own cache), logging into `lines`. */
    const instance = (env: Record<string, string> = {}): Invoker =>
      local.http({ REGCRED_REGISTRIES: local.registries, ...local.env, LOG_LEVEL: 'debug', ...env }, (l) => lines.push(l));
    const get = async (invoke: Invoker, path: string, query = '', method = 'GET', headers: Record<string, string> = {}): Promise<Answer> => {
      const res = await invoke({ method, path, query, headers });
      let json: unknown;
      try {
        json = JSON.parse(res.body);
      } catch {
        json = undefined;
      }
      return { ...res, json };
    };
    const mints = () => local.mint.reduce((n, m) => n + local.emulator.count(m.service, m.operation), 0);
    const first = () => local.registries.split(',')[0]!;
    const attemptsOf = (m: { service: string; operation: string }, since: number) => local.emulator.calls.slice(since).filter((c) => c.service === m.service && c.operation === m.operation).length;

    describe('formats', () => {
      it('[S2] GET /credentials answers every configured registry as json, no-store', async () => {
        const res = await get(instance(), '/credentials');
        expect(res.statusCode).toBe(200);
        expect(res.headers).toMatchObject({ 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
        expect(res.json.credentials.map((c: { registry: string }) => c.registry)).toEqual(local.hosts);
        for (const c of res.json.credentials) expect(Date.parse(c.expiresAt)).toBeGreaterThan(Date.now());
      });

      it('dockerconfigjson has an auth per registry that decodes to user:password', async () => {
        const res = await get(instance(), '/credentials', 'format=dockerconfigjson');
        expect(Object.keys(res.json.auths)).toEqual(local.hosts);
        for (const e of Object.values(res.json.auths) as Array<{ username: string; password: string; auth: string }>) {
          expect(Buffer.from(e.auth, 'base64').toString()).toBe(`${e.username}:${e.password}`);
        }
      });

      it('kubernetes answers a named dockerconfigjson Secret', async () => {
        const res = await get(instance(), '/credentials', 'format=kubernetes&name=pull&namespace=ci');
        expect(res.json).toMatchObject({ apiVersion: 'v1', kind: 'Secret', type: 'kubernetes.io/dockerconfigjson', metadata: { name: 'pull', namespace: 'ci' } });
        const inner = JSON.parse(Buffer.from(res.json.data['.dockerconfigjson'], 'base64').toString());
        expect(Object.keys(inner.auths)).toEqual(local.hosts);
      });

      it('GET /credentials/{host} answers one object; credential-helper and kubelet describe that host', async () => {
        const invoke = instance();
        const host = local.hosts[0]!;
        const one = await get(invoke, `/credentials/${host}`);
        expect(one.json).toMatchObject({ registry: host, username: expect.any(String), password: expect.any(String) });
        const helper = await get(invoke, `/credentials/${host}`, 'format=credential-helper');
        expect(helper.json).toEqual({ ServerURL: host, Username: one.json.username, Secret: one.json.password });
        const kubelet = await get(invoke, `/credentials/${host}`, 'format=kubelet');
        expect(kubelet.json).toMatchObject({ kind: 'CredentialProviderResponse', apiVersion: 'credentialprovider.kubelet.k8s.io/v1', cacheKeyType: 'Registry' });
        expect(kubelet.json.cacheDuration).toMatch(/^(\d+h)?(\d+m)?\d+s$/);
        expect(kubelet.json.auth[host]).toEqual({ username: one.json.username, password: one.json.password });
      });
    });

    describe('errors', () => {
      it.each([
        ['unknown format', '/credentials', 'format=xml', 'GET', 400, /^format must be one of/],
        ['unknown query parameter', '/credentials', 'formt=json', 'GET', 400, /unknown query parameter 'formt'/],
        ['a single-registry format for many', '/credentials', 'format=kubelet', 'GET', 400, /describes one registry/],
        ['name without kubernetes', '/credentials', 'name=x', 'GET', 400, /apply only to format=kubernetes/],
        ['a bad registry host', '/credentials/not a host', '', 'GET', 400, /registry host in the path/],
        ['an unknown registry', '/credentials/registry.example.com', '', 'GET', 404, /is not configured/],
        ['an unknown route', '/tokens', '', 'GET', 404, /no such route/],
        ['a wrong method', '/credentials', '', 'POST', 405, /method not allowed/],
      ])('%s → %s %i with a JSON error naming it, no-store', async (_name, path, query, method, status, message) => {
        const res = await get(instance(), path, query, method);
        expect(res.statusCode).toBe(status);
        expect(Object.keys(res.json)).toEqual(['error']);
        expect(res.json.error.message).toMatch(message);
        expect(res.headers['Cache-Control']).toBe('no-store');
        if (status === 405) expect(res.headers['Allow']).toBe('GET');
      });

      it('an unconfigured registry host is a 404 with no upstream call once the registries are known', async () => {
        // A provider whose host only its upstream tells (ACR EE, TCR) learns it on the first call.
        const invoke = instance();
        await get(invoke, '/credentials');
        const before = mints();
        expect((await get(invoke, '/credentials/registry.example.com')).statusCode).toBe(404);
        expect(mints()).toBe(before);
      });

      it('[B1] 10 000 fuzzed paths, queries, methods and headers never give a 500 or a stack trace, and never reach upstream past the first call', async () => {
        const invoke = instance();
        await get(invoke, '/credentials'); // warm: fuzzing must not hammer upstream
        const before = mints();
        const text = fc.string({ unit: fc.constantFrom(...'/%?&=;:.,-_ab01~é\u0000\uffff[]{}"\\ '.split('')), maxLength: 40 });
        const path = fc.oneof(text.map((t) => `/${t}`), text.map((t) => `/credentials/${t}`), fc.constant('/credentials'));
        const query = fc.oneof(text, fc.constantFrom('format=json', 'format=kubernetes&name=A', 'format=kubelet', 'format=credential-helper&format=json'));
        const method = fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'HEAD', 'OPTIONS', 'PATCH', 'get');
        // Every cloud reads the caller a signature header claims: its parser gets the most abuse.
        const authorization = fc.constantFrom(
          'AWS4-HMAC-SHA256 Credential=AKIA/20261201/us-east-1/lambda/aws4_request, SignedHeaders=host, Signature=00',
          'ACS3-HMAC-SHA256 Credential=LTAI,SignedHeaders=host,Signature=00',
          'TC3-HMAC-SHA256 Credential=AKID/2026-12-01/scf/tc3_request, SignedHeaders=host, Signature=00',
          'SDK-HMAC-SHA256 Access=AK, SignedHeaders=host, Signature=00',
        );
        const headerName = fc.constantFrom('Authorization', 'authorization', 'Host', 'Content-Type', 'X-Forwarded-For', 'x-scf-remote-addr', 'X-Regcred');
        const headers = fc.dictionary(headerName, fc.oneof(text, authorization, authorization.chain((a) => text.map((t) => a + t))), { maxKeys: 4 });
        await fc.assert(
          fc.asyncProperty(path, query, method, headers, async (p, q, m, h) => {
            const res = await get(invoke, p, q, m, h);
            expect([200, 400, 404, 405]).toContain(res.statusCode);
            expect(res.body).not.toMatch(/\bat .+:\d+:\d+|Error:|node_modules/);
            if (res.statusCode !== 200) expect(Object.keys(res.json)).toEqual(['error']);
          }),
          { numRuns: 10_000 },
        );
        expect(mints()).toBe(before);
      }, 120_000);
    });

    describe('oversized input', () => {
      it.each([
        ['a 1 MB query string', '/credentials', `format=${'x'.repeat(1 << 20)}`],
        ['a 100 KB path', `/credentials/${'a'.repeat(100 << 10)}`, ''],
        ['10 000 query parameters', '/credentials', Array.from({ length: 10_000 }, (_, i) => `p${i}=1`).join('&')],
      ])('[B3] %s → 4xx, fast, no upstream call', async (_name, path, query) => {
        const invoke = instance();
        const before = mints();
        const started = performance.now();
        const res = await get(invoke, path, query);
        expect(res.statusCode).toBeGreaterThanOrEqual(400);
        expect(res.statusCode).toBeLessThan(500);
        expect(res.body.length).toBeLessThan(1_000); // the error names the field without echoing the input
        expect(performance.now() - started).toBeLessThan(1_000);
        expect(mints()).toBe(before);
      });
    });

    describe('malformed events', () => {
      it('[B2] every malformed event of every trigger type → 400 naming it, no upstream call', async () => {
        const handle = local.rawHttp({ REGCRED_REGISTRIES: local.registries, ...local.env }, (l) => lines.push(l));
        const before = mints();
        for (const [name, event] of local.malformedHttpEvents) {
          const res = await handle(event);
          expect([res.statusCode, JSON.parse(res.body).error.code], name).toEqual([400, 'BadRequest']);
        }
        expect(mints()).toBe(before);
      });

      it('[B2] 2 000 fuzzed events (valid ones with a field replaced, or anything at all) never give a 500 or a stack trace', async () => {
        const handle = local.rawHttp({ REGCRED_REGISTRIES: local.registries, ...local.env }, (l) => lines.push(l));
        await handle(local.httpEvent({ method: 'GET', path: '/credentials', query: '' })); // warm
        const seed = local.httpEvent({ method: 'GET', path: '/credentials', query: 'format=json' });
        await fc.assert(
          fc.asyncProperty(mutatedEvents(seed), async (event) => {
            const res = await handle(event);
            expect(res.statusCode).not.toBe(500);
            expect(res.body).not.toMatch(/\bat .+:\d+:\d+|Error:|node_modules/);
          }),
          { numRuns: 2_000 },
        );
      }, 60_000);
    });

    describe('bad configuration', () => {
      it('[B4] every bad configuration value fails the cold start with a message naming the variable', async () => {
        for (const [env, variable] of badConfigurations(cloudId, local)) {
          const cold = Promise.resolve().then(() => instance(env)({ method: 'GET', path: '/credentials', query: '' }));
          await expect(cold, variable).rejects.toThrow(new RegExp(`^${variable}\\b`));
        }
      });
    });

    describe('cache and single-flight', () => {
      it('[F10] 1000 concurrent requests on a cold instance make one upstream call per registry', async () => {
        const invoke = instance();
        const before = mints();
        const answers = await Promise.all(Array.from({ length: 1000 }, () => get(invoke, '/credentials')));
        expect(answers.every((a) => a.statusCode === 200)).toBe(true);
        expect(new Set(answers.map((a) => a.json.credentials[0].password)).size).toBe(1);
        expect(mints() - before).toBe(local.hosts.length);
      });
    });

    describe('upstream faults, for every provider', () => {
      // Each case runs once per provider of the cloud, on a function configured with that provider's registry alone.
      const eachProvider = async (run: (m: LocalCloud['mint'][number], invoke: Invoker) => Promise<void>) => {
        for (const m of local.mint) {
          local.emulator.clearFaults();
          await run(m, instance({ REGCRED_REGISTRIES: m.registry }));
        }
      };

      it('[F1] one transient 5xx → 200 after a retry', async () => {
        await eachProvider(async (m, invoke) => {
          local.emulator.inject(m.service, m.operation, { status: 500 });
          expect((await get(invoke, '/credentials')).statusCode, m.registry).toBe(200);
        });
      });

      it('[F2] a persistent 5xx → 502 after 2-4 attempts, inside the budget; then a fast 503 with Retry-After', async () => {
        await eachProvider(async (m, invoke) => {
          local.emulator.inject(m.service, m.operation, { status: 500, times: Infinity });
          const before = local.emulator.calls.length;
          const started = Date.now();
          const res = await get(invoke, '/credentials');
          expect(res.statusCode, m.registry).toBe(502);
          expect(Date.now() - started).toBeLessThan(10_000); // the function's own timeout
          expect(attemptsOf(m, before), m.registry).toBeGreaterThanOrEqual(2);
          expect(attemptsOf(m, before), m.registry).toBeLessThanOrEqual(4);
          // The next caller, inside the hold-off, gets a fast 503 with Retry-After and asks nothing upstream.
          const attempts = attemptsOf(m, before);
          const again = await get(invoke, '/credentials');
          expect([again.statusCode, again.json.error.code, attemptsOf(m, before)], m.registry).toEqual([503, 'UpstreamUnavailable', attempts]);
          expect(Number(again.headers['Retry-After'])).toBeGreaterThanOrEqual(1);
        });
      });

      it('[F3] throttled → 503 with Retry-After, bounded', async () => {
        await eachProvider(async (m, invoke) => {
          local.emulator.inject(m.service, m.operation, { throttle: true, retryAfterSeconds: 30, times: Infinity });
          const before = local.emulator.calls.length;
          const res = await get(invoke, '/credentials');
          expect([res.statusCode, res.json.error.code], m.registry).toEqual([503, 'UpstreamThrottled']);
          expect(Number(res.headers['Retry-After'])).toBeGreaterThanOrEqual(1);
          expect(attemptsOf(m, before), m.registry).toBeLessThanOrEqual(4);
          // The throttle's answer is held for its Retry-After: the next caller gets it at once, with no upstream call.
          const again = await get(invoke, '/credentials');
          expect([again.statusCode, attemptsOf(m, before)], m.registry).toEqual([503, attemptsOf(m, before)]);
        });
      });

      it("[F4] an upstream that hangs → 503 UpstreamTimeout before the function's own timeout", async () => {
        await eachProvider(async (m) => {
          local.emulator.inject(m.service, m.operation, { delayMs: 3_000, times: Infinity });
          const started = Date.now();
          const res = await get(instance({ REGCRED_REGISTRIES: m.registry, REGCRED_ATTEMPT_TIMEOUT_MS: '300' }), '/credentials');
          expect([res.statusCode, res.json.error.code], m.registry).toEqual([503, 'UpstreamTimeout']);
          expect(res.headers['Retry-After']).toBeDefined();
          expect(Date.now() - started).toBeLessThan(10_000);
        });
      });

      it('[F5] a malformed or truncated upstream body → 502, not retried', async () => {
        await eachProvider(async (m, invoke) => {
          local.emulator.inject(m.service, m.operation, { body: '{"truncated', times: Infinity });
          const before = local.emulator.calls.length;
          const res = await get(invoke, '/credentials');
          expect([res.statusCode, res.json.error.code], m.registry).toEqual([502, 'UpstreamInvalidResponse']);
          expect(attemptsOf(m, before), m.registry).toBe(1);
        });
      });

      it("[F6] the role's keys rejected (expired session) → 502, not retried", async () => {
        await eachProvider(async (m, invoke) => {
          local.emulator.inject(m.service, m.operation, { ...(local.faults?.expiredSession ?? { status: 403 }), times: Infinity });
          const before = local.emulator.calls.length;
          const res = await get(invoke, '/credentials');
          expect([res.statusCode, res.json.error.code], m.registry).toEqual([502, 'UpstreamAccessDenied']);
          expect(attemptsOf(m, before), m.registry).toBe(1);
        });
      });
    });

    describe('cache boundaries, for every provider', () => {
      // Only Date is faked (frozen where the test sets it): the emulator, the SDK's signer and the
      // cache all read it, so they agree on the time; sockets and retry back-off run for real.
      afterEach(() => vi.useRealTimers());

      it('[F7] fresh until half the validity (± 1 ms); the last good served until expiry − 5 min (± 1 ms), never after', async () => {
        for (const m of local.mint) {
          const t0 = Date.now();
          vi.useFakeTimers({ toFake: ['Date'], now: t0 });
          const invoke = instance({ REGCRED_REGISTRIES: m.registry });
          const at = async (ms: number) => {
            vi.setSystemTime(ms);
            const before = attemptsOf(m, 0);
            const res = await get(invoke, '/credentials');
            return { status: res.statusCode, upstream: attemptsOf(m, 0) - before };
          };
          const first = await get(invoke, '/credentials');
          const expiresAt = Date.parse(first.json.credentials[0].expiresAt);
          const halfLife = t0 + Math.floor((expiresAt - t0) / 2);
          expect(await at(halfLife - 1), `${m.registry} half-life − 1 ms`).toEqual({ status: 200, upstream: 0 });
          expect(await at(halfLife + 1), `${m.registry} half-life + 1 ms`).toEqual({ status: 200, upstream: 1 });
          // From a credential minted at t1, with the registry API down from now on.
          const t1 = Date.now();
          const second = await get(invoke, '/credentials');
          const expiry = Date.parse(second.json.credentials[0].expiresAt);
          expect(expiry).toBeGreaterThan(t1);
          local.emulator.inject(m.service, m.operation, { status: 500, times: Infinity });
          const lastGood = await at(expiry - 5 * 60_000 - 1);
          expect(lastGood.status, `${m.registry} expiry − 5 min − 1 ms`).toBe(200);
          expect((await at(expiry - 5 * 60_000 + 1)).status, `${m.registry} expiry − 5 min + 1 ms`).toBe(502);
          local.emulator.clearFaults();
          vi.useRealTimers();
        }
      });
    });

    describe('cases that mean nothing for the HTTP function', () => {
      it.skip('[F8] n/a: the HTTP function writes no secret store', () => {});
      it.skip('[F9] n/a: a request is answered, not redelivered; a repeated one is served from the cache ([F10])', () => {});
    });

    describe('logs', () => {
      it('[S1] no minted password, auth string or role secret in any log line or answer, and every line carries the request id', async () => {
        const invoke = instance();
        const minted = await get(invoke, '/credentials', 'format=dockerconfigjson');
        await get(invoke, '/credentials', 'format=kubernetes');
        const answers = [await get(invoke, '/credentials', 'format=xml')];
        local.emulator.inject(local.mint[0]!.service, local.mint[0]!.operation, { status: 500, times: Infinity });
        answers.push(await get(instance({ REGCRED_REGISTRIES: first() }), '/credentials'));
        local.emulator.clearFaults();
        local.emulator.inject(local.mint[0]!.service, local.mint[0]!.operation, { ...(local.faults?.expiredSession ?? { status: 403 }), times: Infinity });
        answers.push(await get(instance({ REGCRED_REGISTRIES: first() }), '/credentials'));
        const secrets = [
          ...Object.values(minted.json.auths as Record<string, { password: string; auth: string }>).flatMap((e) => [e.password, e.auth]),
          ...local.secrets,
        ];
        expect(lines.length).toBeGreaterThan(3);
        for (const s of secrets) expect(lines.filter((l) => l.includes(s))).toEqual([]);
        for (const s of secrets) expect(answers.filter((a) => a.body.includes(s) || JSON.stringify(a.headers).includes(s))).toEqual([]);
        const untagged = lines.map((l) => JSON.parse(l)).filter((l) => !l.requestId && !/^cold start/.test(l.msg));
        expect(untagged).toEqual([]);
      });

      it('writes the metrics each invocation really had, tagged with its request id (cache miss, then hit)', async () => {
        const invoke = instance();
        const metricsOf = (from: number) => {
          const records = lines.slice(from).map((l) => JSON.parse(l)).filter((l) => l._aws !== undefined || l.msg === 'metrics');
          const sum = (name: string) => records.reduce((n, r) => n + [r[name] ?? 0].flat().reduce((a: number, b: number) => a + b, 0), 0);
          return { records, sum };
        };
        await get(invoke, '/credentials');
        const cold = metricsOf(0);
        const mark = lines.length;
        await get(invoke, '/credentials');
        const warm = metricsOf(mark);
        const n = local.hosts.length;
        expect([cold.sum('CacheMisses'), cold.sum('UpstreamCalls'), cold.sum('CredentialsIssued'), cold.sum('CacheHits')]).toEqual([n, n, n, 0]);
        expect([warm.sum('CacheHits'), warm.sum('UpstreamCalls'), warm.sum('CredentialsIssued')]).toEqual([n, 0, n]);
        for (const r of [...cold.records, ...warm.records]) expect(r.requestId).toEqual(expect.any(String));
        expect(new Set(cold.records.map((r) => r.requestId)).size).toBe(1);
      });

      it('writes one audit line per credential issued, with a fingerprint and the expiry', async () => {
        await get(instance(), '/credentials');
        const audit = lines.map((l) => JSON.parse(l)).filter((l) => l.msg === 'credential issued');
        expect(audit.map((a) => a.registry)).toEqual(local.hosts);
        for (const a of audit) {
          expect(a.fingerprint).toMatch(/^[0-9a-f]{12}$/);
          expect(typeof a.callerVerified).toBe('boolean');
        }
      });
    });
  });
}
