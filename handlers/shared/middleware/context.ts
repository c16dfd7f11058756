import type { Config } from '../../../core/config.js';
import type { Logger } from '../../../core/log.js';
import type { CredentialService, Invocation } from '../../../core/service.js';

/** What a cloud's composition root builds once per instance and every pipeline stage reads (the invocation from Lambda's context on AWS, from FC's, SCF's or FunctionGraph's elsewhere). */
export interface PipelineRuntime<PlatformContext> {
  config: Config;
  log: Logger;
  service: CredentialService;
  /** This invocation from the platform's context: request id, deadline, a logger bound to them, metrics. */
  invocation(context: PlatformContext): Invocation;
}

/**
 * What a handler body receives as its context: the platform's own context object (untouched, so a
 * platform that reuses it between invocations sees nothing of ours), the instance's runtime, and
 * this invocation. A fresh object per invocation.
 */
export interface PipelineContext<Runtime, PlatformContext> {
  platform: PlatformContext;
  runtime: Runtime;
  invocation: Invocation;
}

/** The part of middy's request our middlewares touch; `context` is the platform's until the cold-start stage replaces it. */
export interface PipelineRequest<Result = unknown> {
  event: unknown;
  context: unknown;
  response: Result | null | undefined;
  error: unknown;
}

/** The pipeline context a stage after the cold start finds on the request. */
export function pipelineContext<Runtime>(request: PipelineRequest): Partial<PipelineContext<Runtime, unknown>> {
  return request.context as Partial<PipelineContext<Runtime, unknown>>;
}
