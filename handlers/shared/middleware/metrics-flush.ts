import { pipelineContext, type PipelineRequest } from './context.js';

/**
 * Write the invocation's metrics once it is over, answered or failed. Block bodies on purpose: a
 * middy middleware that returns a value ends the request with that value.
 * @example const { after, onError } = metricsFlush(); // the same flush on both ways out
 */
export function metricsFlush() {
  const flush = (request: PipelineRequest): void => {
    pipelineContext(request).invocation?.metrics?.flush();
  };
  return { after: flush, onError: flush };
}
