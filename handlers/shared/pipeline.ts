import middy, { type MiddlewareObj } from '@middy/core';
import { createApi, type ApiRequest, type ApiResponse } from '../../core/api.js';
import type { TargetOutcome } from '../../core/refresh.js';
import type { RefreshTarget } from '../../core/targets.js';
import { coldStart } from './middleware/cold-start.js';
import type { PipelineContext, PipelineRuntime } from './middleware/context.js';
import { httpErrorBoundary } from './middleware/error-boundary.js';
import { invocationContext } from './middleware/invocation-context.js';
import { metricsFlush } from './middleware/metrics-flush.js';
import { refreshInvocation, type RefreshRuntime } from './refresh.js';

/** A shipped handler: what the platform calls, built by middy (so `.use()` takes more middlewares). */
export type PipelineHandler<Result, PlatformContext> = ((event: unknown, context?: PlatformContext) => Promise<Result>) & { use(middleware: object): unknown };

const built = new WeakSet<object>();

/**
 * Every regcred handler on every cloud, built in this one place: the body (what the handler does)
 * behind middy with one middleware per concern — the runtime built once per instance, this
 * invocation's context, the metrics flushed at the end, and optionally an error boundary that turns
 * any error into an answer. Middy's early timeout is off: the core answers within its own deadline
 * (core/service.ts budgetFor) and would race it.
 * @example
 * import { awsRuntime } from '../aws/runtime.js';
 * const handler = pipeline(() => awsRuntime(process.env), async (_event, { invocation }) => invocation.requestId);
 */
export function pipeline<Runtime extends PipelineRuntime<PlatformContext>, PlatformContext, Result>(
  build: () => Runtime,
  body: (event: unknown, context: PipelineContext<Runtime, PlatformContext>) => Promise<Result>,
  boundary?: object,
): PipelineHandler<Result, PlatformContext> {
  // middy's types want an AWS Lambda context; ours is the pipeline's, whatever the platform.
  const handler = middy(body as unknown as (event: unknown) => Promise<Result>, { timeoutEarlyInMillis: 0 })
    .use(coldStart(build) as MiddlewareObj)
    .use(invocationContext() as MiddlewareObj)
    .use(metricsFlush() as MiddlewareObj);
  if (boundary) handler.use(boundary as MiddlewareObj);
  built.add(handler);
  return handler as unknown as PipelineHandler<Result, PlatformContext>;
}

/** Whether a handler was built by {@link pipeline} (the shipped-handler test asks). */
export function isPipelineHandler(handler: unknown): boolean {
  return typeof handler === 'function' && built.has(handler);
}

/** What a cloud's http.ts is: its event → the API request, the API answer → its platform's result. */
export interface HttpTranslation<Result> {
  toApiRequest(event: unknown): ApiRequest;
  toResult(answer: ApiResponse): Result;
}

/**
 * An HTTP handler: the event translated (a malformed one is a 400 naming the field), the core API
 * asked, the answer translated back; any error becomes the API's JSON error, never a stack trace.
 * @example
 * import { awsRuntime } from '../aws/runtime.js';
 * import { toApiRequest } from '../aws/http.js';
 * const handler = httpPipeline(() => awsRuntime(process.env), { toApiRequest, toResult: (answer) => answer });
 */
export function httpPipeline<Runtime extends PipelineRuntime<PlatformContext>, PlatformContext, Result>(build: () => Runtime, translation: HttpTranslation<Result>) {
  const withApi = () => {
    const runtime = build();
    return { ...runtime, api: createApi({ service: runtime.service, log: runtime.log, allowedCallers: runtime.config.allowedCallers }) };
  };
  return pipeline(
    withApi,
    async (event, { runtime, invocation }: PipelineContext<ReturnType<typeof withApi>, PlatformContext>) => translation.toResult(await runtime.api(translation.toApiRequest(event), invocation)),
    httpErrorBoundary(translation.toResult),
  );
}

/**
 * A refresh handler: the targets the event names (else the configured ones) written to their
 * stores. A bad event or a failed target rejects, so the platform marks the invocation failed and
 * its retry policy applies.
 * @example
 * import { huaweiRuntime } from '../huawei/runtime.js';
 * import { targetsOf } from '../huawei/refresh.js';
 * const handler = refreshPipeline(() => huaweiRuntime(process.env), targetsOf);
 */
export function refreshPipeline<Runtime extends PipelineRuntime<PlatformContext> & RefreshRuntime, PlatformContext>(
  build: () => Runtime,
  targetsOf: (event: unknown, runtime: Runtime) => RefreshTarget[],
): PipelineHandler<{ outcomes: TargetOutcome[] }, PlatformContext> {
  return pipeline(build, (event, { runtime, invocation }) => refreshInvocation(runtime, invocation, () => targetsOf(event, runtime)));
}
