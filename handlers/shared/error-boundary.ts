import type { MiddlewareObj } from '@middy/core';
import type { Logger } from '../../core/log.js';

/**
 * Last line of defence for HTTP handlers: the core API never throws, but if anything below it
 * ever does, the caller still gets a JSON 500 without a stack trace, and the log gets the error.
 */
export function errorBoundary(log: Logger): MiddlewareObj {
  return {
    onError: async (request) => {
      log.error('unhandled error', { err: request.error });
      request.response = {
        statusCode: 500,
        headers: { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' },
        body: JSON.stringify({ error: { code: 'InternalError', message: 'internal error' } }),
      };
    },
  };
}
