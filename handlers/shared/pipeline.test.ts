import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BadRequestError } from '../../core/errors.js';
import { createLogger } from '../../core/log.js';
import { createMetrics } from '../../core/metrics.js';
import type { CredentialService, Invocation } from '../../core/service.js';
import { shippedHandlers } from '../functions.js';
import { httpErrorBoundary } from './middleware/error-boundary.js';
import { eventHttpResult, type EventHttpResult } from './event.js';
import { httpPipeline, isPipelineHandler, pipeline, refreshPipeline } from './pipeline.js';

const ROOT = join(import.meta.dirname, '../..');
const CLOUDS = ['aws', 'alibaba', 'tencent', 'huawei'];

/** A runtime whose log and metrics lines land in `lines`; the service is never reached by these tests. */
function fakeRuntime(lines: string[]) {
  const write = (line: string) => void lines.push(line);
  const log = createLogger({ level: 'debug', write });
  let n = 0;
  return {
    config: { allowedCallers: undefined, retry: { attempts: 1, baseDelayMs: 1, attemptTimeoutMs: 100 } } as never,
    log,
    service: {} as CredentialService,
    stores: {},
    invocation(): Invocation {
      const requestId = `req-${++n}`;
      const metrics = createMetrics({ function: 'pipeline-test', sink: 'log', context: { requestId }, write });
      metrics.count('RefreshFailures', {});
      return { deadline: Date.now() + 1_000, requestId, log: log.child({ requestId }), metrics };
    },
  };
}

const parsed = (lines: string[]) => lines.map((l) => JSON.parse(l) as Record<string, unknown>);
const toApiRequest = (event: unknown) => {
  if (event !== 'GET /') throw new BadRequestError('event.path must be a path starting with /');
  return { method: 'GET', path: '/', query: '', callerVerified: false };
};

afterEach(() => vi.restoreAllMocks());

describe('the handler pipeline (handlers/shared/pipeline.ts)', () => {
  it.each(shippedHandlers().map((h) => [`${h.cloud}/${h.name}`, h.entry] as const))('%s is built by middy in the shared pipeline', async (_name, entry) => {
    // Act
    const { handler } = (await import(join(ROOT, entry))) as { handler: { use?: unknown } };
    // Assess
    expect([isPipelineHandler(handler), typeof handler.use]).toEqual([true, 'function']);
  });

  it.each(CLOUDS)('%s: http.ts is at most 70 and refresh.ts at most 30 non-blank lines', (cloud) => {
    // Act
    const count = (file: string) => readFileSync(join(ROOT, 'handlers', cloud, file), 'utf8').split('\n').filter((l) => l.trim()).length;
    // Assess
    expect({ http: count('http.ts') <= 70, refresh: count('refresh.ts') <= 30 }).toEqual({ http: true, refresh: true });
  });

  it('imports @middy/core in one place only', () => {
    // Prepare
    const files = ['handlers', 'core', 'cli', 'deploy', 'scripts', 'dev'].flatMap((dir) =>
      (readdirSync(join(ROOT, dir), { recursive: true }) as string[]).filter((f) => /\.[cm]?ts$/.test(f)).map((f) => join(dir, f)),
    );
    // Act
    const importers = files.filter((f) => /from ['"]@middy\/core['"]/.test(readFileSync(join(ROOT, f), 'utf8')));
    // Assess
    expect(importers).toEqual([join('handlers', 'shared', 'pipeline.ts')]);
  });

  it('builds the runtime once per instance, on the first invocation, not at import', async () => {
    // Prepare
    const lines: string[] = [];
    const build = vi.fn(() => fakeRuntime(lines));
    const handler = pipeline(build, async (_event, { invocation }) => invocation.requestId);
    const before = build.mock.calls.length;
    // Act
    const answers = [await handler('a'), await handler('b'), await handler('c')];
    // Assess
    expect({ before, after: build.mock.calls.length, answers }).toEqual({ before: 0, after: 1, answers: ['req-1', 'req-2', 'req-3'] });
  });

  it('answers a misconfigured HTTP function with a generic 500 every time, logging the cause once', async () => {
    // Prepare
    const out: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      out.push(String(chunk));
      return true;
    });
    const handler = httpPipeline(() => {
      throw new Error('REGCRED_REGISTRIES: entry 0 is not a registry');
    }, { toApiRequest, toResult: eventHttpResult });
    // Act
    const answers = [await handler('GET /'), await handler('GET /')];
    // Assess
    const logged = out.join('').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { msg: string; err?: { message?: string } });
    expect({
      statuses: answers.map((a) => a.statusCode),
      bodies: answers.map((a) => JSON.parse(a.body)),
      leaks: answers.some((a) => a.body.includes('REGCRED_')),
      logged: logged.map((l) => l.msg),
      names: logged[0]?.err?.message,
    }).toEqual({
      statuses: [500, 500],
      bodies: [{ error: { code: 'InternalError', message: 'internal error' } }, { error: { code: 'InternalError', message: 'internal error' } }],
      leaks: false,
      logged: ['cold start failed: the function is misconfigured'],
      names: 'REGCRED_REGISTRIES: entry 0 is not a registry',
    });
  });

  it('fails a misconfigured refresh invocation with a generic InternalError (the platform marks it failed)', async () => {
    // Prepare
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const handler = refreshPipeline(() => {
      throw new Error('REGCRED_TARGETS is bad');
    }, () => []);
    // Act
    const err = await handler({}).catch((e: unknown) => e);
    // Assess
    expect(err).toMatchObject({ code: 'InternalError', message: 'internal error', status: 500 });
  });

  it('answers a malformed event 400 naming the field, logs it as the caller\'s fault and flushes the metrics', async () => {
    // Prepare
    const lines: string[] = [];
    const handler = httpPipeline(() => fakeRuntime(lines), { toApiRequest, toResult: eventHttpResult });
    // Act
    const answer = await handler({ path: 7 });
    // Assess
    expect({
      status: answer.statusCode,
      body: JSON.parse(answer.body),
      base64: answer.isBase64Encoded,
      lines: parsed(lines).map((l) => [l.level, l.msg, l.requestId]),
    }).toEqual({
      status: 400,
      body: { error: { code: 'BadRequest', message: 'event.path must be a path starting with /' } },
      base64: false,
      lines: [['info', 'request failed', 'req-1'], ['info', 'metrics', 'req-1']],
    });
  });

  it('answers an unexpected throw with a generic JSON 500 and no stack, and logs it as a bug', async () => {
    // Prepare
    const lines: string[] = [];
    const handler = pipeline(() => fakeRuntime(lines), async (): Promise<EventHttpResult> => {
      throw new TypeError("Cannot read properties of undefined (reading 'x')");
    }, httpErrorBoundary(eventHttpResult));
    // Act
    const answer = await handler('GET /');
    // Assess
    expect({
      status: answer.statusCode,
      body: JSON.parse(answer.body),
      stack: /at |TypeError|reading/.test(answer.body),
      levels: parsed(lines).map((l) => [l.level, l.msg]),
    }).toEqual({
      status: 500,
      body: { error: { code: 'InternalError', message: 'internal error' } },
      stack: false,
      levels: [['error', 'unhandled error'], ['info', 'metrics']],
    });
  });

  it('hands the body a fresh context per invocation and leaves the platform\'s own context untouched', async () => {
    // Prepare
    const lines: string[] = [];
    const platform = { request_id: 'shared-by-the-platform' };
    const seen: unknown[] = [];
    const handler = pipeline(() => fakeRuntime(lines), async (_event, context) => void seen.push(context));
    // Act
    await handler('a', platform);
    await handler('b', platform);
    // Assess
    expect({ platform, fresh: seen[0] !== seen[1], handed: (seen[0] as { platform: unknown }).platform === platform }).toEqual({
      platform: { request_id: 'shared-by-the-platform' },
      fresh: true,
      handed: true,
    });
  });

  it('flushes the metrics when a refresh fails, then rejects with the error', async () => {
    // Prepare
    const lines: string[] = [];
    const handler = refreshPipeline(() => fakeRuntime(lines), () => {
      throw new BadRequestError('event must be a JSON object');
    });
    // Act
    const err = await handler([]).catch((e: unknown) => e);
    // Assess
    expect({ err: (err as Error).message, lines: parsed(lines).map((l) => l.msg) }).toEqual({
      err: 'event must be a JSON object',
      lines: ['refresh event rejected', 'metrics'],
    });
  });

  it('flushes the metrics once after a successful answer', async () => {
    // Prepare
    const lines: string[] = [];
    const handler = pipeline(() => fakeRuntime(lines), async () => 'ok');
    // Act
    const answer = await handler('a');
    // Assess
    expect({ answer, lines: parsed(lines).map((l) => [l.msg, l.RefreshFailures]) }).toEqual({ answer: 'ok', lines: [['metrics', 1]] });
  });
});
