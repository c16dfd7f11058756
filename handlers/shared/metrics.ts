import type { Logger } from '../../core/log.js';
import { createMetrics, type Metrics } from '../../core/metrics.js';

/**
 * This invocation's metrics recorder: CloudWatch EMF on AWS, a `metrics` log line elsewhere, tagged
 * with the invocation's ids. A function name the recorder refuses turns metrics off for the
 * invocation (with a warning), never the invocation itself.
 * @example const metrics = invocationMetrics({ functionName: context.functionName, sink: 'emf', ids: { requestId }, log });
 */
export function invocationMetrics(options: {
  functionName: string | undefined;
  sink: 'emf' | 'log';
  /** The invocation's ids (request id, trace id), written on the metrics line. */
  ids: Record<string, string>;
  log: Logger;
  write?: (line: string) => void;
}): Metrics | undefined {
  try {
    return createMetrics({
      function: options.functionName || 'regcred',
      sink: options.sink,
      ...(Object.keys(options.ids).length && { context: options.ids }),
      ...(options.write && { write: options.write }),
    });
  } catch (err) {
    options.log.warn('metrics are off for this invocation', { err });
    return undefined;
  }
}

/**
 * What every cloud's invocation carries whatever its platform: the request id (and on AWS the
 * X-Ray trace id, when there is one), a logger bound to them, and the invocation's metrics recorder.
 * @example
 * import { budgetFor } from '../../core/service.js';
 * const invocation = { ...budgetFor(3_000), ...tagged({ requestId, functionName, sink: 'log', log }) };
 */
export function tagged(options: { requestId: string | undefined; traceId?: string | undefined; functionName: string | undefined; sink: 'emf' | 'log'; log: Logger; write?: (line: string) => void }) {
  const { requestId, traceId } = options;
  const ids: Record<string, string> = { ...(requestId && { requestId }), ...(traceId && { traceId }) };
  const log = Object.keys(ids).length ? options.log.child(ids) : options.log;
  const metrics = invocationMetrics({ functionName: options.functionName, sink: options.sink, ids, log, ...(options.write && { write: options.write }) });
  return { ...(requestId && { requestId }), log, ...(metrics && { metrics }) };
}
