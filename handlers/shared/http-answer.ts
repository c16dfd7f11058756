import { errorResponse, type ApiRequest, type ApiResponse } from '../../core/api.js';
import { InternalError, RegcredError } from '../../core/errors.js';
import type { Logger } from '../../core/log.js';
import type { Invocation } from '../../core/service.js';

type Api = (request: ApiRequest, budget: Invocation) => Promise<ApiResponse>;

/**
 * One HTTP invocation of a handler whose platform hands it a JSON event: translate the event (a
 * RegcredError from the translation is the caller's fault and answered as such), ask the core API,
 * and behind both a last line of defence — the core API never throws, but if anything ever does,
 * the caller gets a JSON 500 without a stack.
 * The invocation's metrics are flushed at the end, whatever happened.
 * @example return fcResult(await answerHttp(api, () => toApiRequest(event), budget, log));
 */
export async function answerHttp(api: Api, translate: () => ApiRequest, budget: Invocation, log: Logger): Promise<ApiResponse> {
  try {
    let request: ApiRequest;
    try {
      request = translate();
    } catch (err) {
      if (!(err instanceof RegcredError)) throw err;
      log.info('request failed', { status: err.status, code: err.code });
      return errorResponse(err);
    }
    return await api(request, budget);
  } catch (err) {
    log.error('unhandled error', { err });
    return errorResponse(new InternalError({ cause: err }));
  } finally {
    budget.metrics?.flush();
  }
}
