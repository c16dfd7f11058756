import type { Logger } from '../../core/log.js';
import { createMetrics, type Metrics } from '../../core/metrics.js';

/**
 * This invocation's metrics recorder: CloudWatch EMF on AWS, a `metrics` log line elsewhere, tagged
 * with the request id. A function name the recorder refuses turns metrics off for the invocation
 * (with a warning), never the invocation itself.
 * @example const metrics = invocationMetrics({ functionName: context.functionName, sink: 'emf', requestId, log });
 */
export function invocationMetrics(options: {
  functionName: string | undefined;
  sink: 'emf' | 'log';
  requestId: string | undefined;
  log: Logger;
  write?: (line: string) => void;
}): Metrics | undefined {
  try {
    return createMetrics({
      function: options.functionName || 'regcred',
      sink: options.sink,
      ...(options.requestId && { context: { requestId: options.requestId } }),
      ...(options.write && { write: options.write }),
    });
  } catch (err) {
    options.log.warn('metrics are off for this invocation', { err });
    return undefined;
  }
}
