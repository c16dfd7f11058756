import { errorResponse, type ApiResponse } from '../../../core/api.js';
import { InternalError, RegcredError } from '../../../core/errors.js';
import { pipelineContext, type PipelineRequest, type PipelineRuntime } from './context.js';
import { ColdStartFailedError } from './cold-start.js';

/**
 * The last stage of an HTTP pipeline: any error becomes the API's JSON error in the platform's
 * result shape, never a stack trace. A RegcredError (a malformed event: the caller's fault) is
 * answered as itself; a failed cold start (already logged) as a generic 500; anything else is
 * logged as a bug and answered as a generic 500.
 * @example const stage = httpErrorBoundary((answer) => ({ ...answer, isBase64Encoded: false as const })); // the last stage
 */
export function httpErrorBoundary<Result>(toResult: (answer: ApiResponse) => Result) {
  return {
    onError(request: PipelineRequest<Result>): void {
      const { error } = request;
      const { invocation, runtime } = pipelineContext<PipelineRuntime<unknown>>(request);
      const log = invocation?.log ?? runtime?.log;
      if (error instanceof ColdStartFailedError) {
        request.response = toResult(errorResponse(new InternalError()));
      } else if (error instanceof RegcredError) {
        log?.info('request failed', { status: error.status, code: error.code });
        request.response = toResult(errorResponse(error));
      } else {
        log?.error('unhandled error', { err: error });
        request.response = toResult(errorResponse(new InternalError({ cause: error })));
      }
    },
  };
}
