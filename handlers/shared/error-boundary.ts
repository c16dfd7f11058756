import type { MiddlewareObj } from '@middy/core';
import { errorResponse } from '../../core/api.js';
import { InternalError } from '../../core/errors.js';
import type { Logger } from '../../core/log.js';

/**
 * Last line of defence for HTTP handlers: the core API never throws, but if anything below it
 * ever does, the caller still gets a JSON 500 without a stack trace, and the log gets the error.
 */
export function errorBoundary(log: Logger): MiddlewareObj {
  return {
    onError: async (request) => {
      log.error('unhandled error', { err: request.error });
      request.response = errorResponse(new InternalError({ cause: request.error }));
    },
  };
}
