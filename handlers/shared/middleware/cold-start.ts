import { InternalError } from '../../../core/errors.js';
import { createLogger } from '../../../core/log.js';
import type { PipelineRequest } from './context.js';

/** The instance could not be configured: answered as a generic 500 (HTTP) or a failed invocation. */
export class ColdStartFailedError extends InternalError {}

/**
 * Build the function's runtime (configuration validated, clients wired) on the first invocation of
 * an instance, not at import, so loading the bundle costs only the code. A bad configuration is
 * logged once, in full, naming the variable and the entry, and remembered: every invocation then
 * fails with {@link ColdStartFailedError}, so a caller never sees the configuration in an answer.
 * @example
 * import { awsRuntime } from '../../aws/runtime.js';
 * const stage = coldStart(() => awsRuntime(process.env)); // the first stage of handlers/shared/pipeline.ts
 */
export function coldStart<Runtime>(build: () => Runtime, write?: (line: string) => void) {
  let built: { ok: true; runtime: Runtime } | { ok: false } | undefined;
  return {
    before(request: PipelineRequest): void {
      if (!built) {
        try {
          built = { ok: true, runtime: build() };
        } catch (err) {
          built = { ok: false };
          createLogger({ level: 'error', ...(write && { write }) }).error('cold start failed: the function is misconfigured', { err });
        }
      }
      if (!built.ok) throw new ColdStartFailedError();
      request.context = { platform: request.context, runtime: built.runtime };
    },
  };
}
