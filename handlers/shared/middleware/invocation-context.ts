import { pipelineContext, type PipelineRequest, type PipelineRuntime } from './context.js';

/**
 * This invocation's request id, deadline, logger and metrics, from the platform's context, read
 * by the runtime the cold-start stage built.
 * @example
 * import { coldStart } from './cold-start.js';
 * const stages = [coldStart(build), invocationContext()];
 */
export function invocationContext() {
  return {
    before(request: PipelineRequest): void {
      const context = pipelineContext<PipelineRuntime<unknown>>(request);
      context.invocation = context.runtime!.invocation(context.platform);
    },
  };
}
