import type { LocalRequest } from '../trigger.js';

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

/** An FC event's time: ISO 8601 to the second, as FC writes it. */
const fcTime = () => new Date().toISOString().replace(/\.\d+Z$/, 'Z');

/**
 * An FC timer trigger's event (the JSON Buffer the runtime hands over): `payload` is the trigger's
 * configured text, a string (empty: the function's REGCRED_TARGETS).
 * @example fcTimerEvent('') // a scheduled refresh of the configured targets
 */
export function fcTimerEvent(payload: unknown): Buffer {
  return Buffer.from(JSON.stringify({ triggerTime: fcTime(), triggerName: 'regcred-refresh', payload }));
}

/**
 * An EventBridge CloudEvent as FC hands it to a function an event rule targets, with `data` as given.
 * @example fcCloudEvent({ targets: [...] })
 */
export function fcCloudEvent(data: unknown): Buffer {
  return Buffer.from(
    JSON.stringify({
      id: crypto.randomUUID(), source: 'regcred.ops', specversion: '1.0', type: 'regcred.refresh',
      datacontenttype: 'application/json;charset=utf-8', subject: 'acs:regcred:cn-hangzhou:1234567890123456:refresh',
      time: fcTime(), aliyunaccountid: '1234567890123456', aliyuneventbusname: 'default', data,
    }),
  );
}
