import type { LocalRequest } from '../cloud-dev.js';

/**
 * The FC 3.0 HTTP-trigger event (the JSON Buffer the built-in runtime hands over) for a request.
 * @example fcHttpEvent({ method: 'GET', path: '/credentials', query: 'format=json' })
 */
export function fcHttpEvent(req: LocalRequest): Buffer {
  return Buffer.from(
    JSON.stringify({
      version: 'v1',
      rawPath: req.path,
      headers: req.headers ?? {},
      queryParameters: Object.fromEntries(new URLSearchParams(req.query)),
      requestContext: {
        accountId: '1234567890123456',
        domainName: 'regcred-local.cn-hangzhou.fcapp.run',
        http: { method: req.method, path: req.path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1' },
        requestId: crypto.randomUUID(),
      },
      body: '',
      isBase64Encoded: false,
    }),
  );
}
