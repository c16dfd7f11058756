import type { LocalRequest } from '../trigger.js';

/** Every query parameter, a repeated one as a list (how SCF's `queryString` carries it). */
function queryString(query: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of new URLSearchParams(query)) {
    const seen = out[k];
    out[k] = seen === undefined ? v : Array.isArray(seen) ? [...seen, v] : [seen, v];
  }
  return out;
}

/**
 * The event an SCF function URL hands an event function for a request
 * (https://cloud.tencent.com/document/product/583/96099: API Gateway's shape without
 * `requestContext`, `queryStringParameters`, …; the client address in `x-scf-remote-addr`).
 * @example scfUrlEvent({ method: 'GET', path: '/credentials', query: 'format=json' })
 */
export function scfUrlEvent(req: LocalRequest): Record<string, unknown> {
  return {
    httpMethod: req.method,
    path: req.path,
    queryString: queryString(req.query),
    headers: { ...Object.fromEntries(Object.entries(req.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v])), 'x-scf-remote-addr': '127.0.0.1' },
    body: '',
  };
}

/**
 * The event an SCF API Gateway trigger hands an event function (https://cloud.tencent.com/document/product/583/31927).
 * @example scfApiGatewayEvent({ method: 'GET', path: '/credentials', query: '' }, 'AKIDkeypair')
 */
export function scfApiGatewayEvent(req: LocalRequest, secretId?: string): Record<string, unknown> {
  const query = queryString(req.query);
  return {
    requestContext: {
      serviceId: 'service-regcred0',
      path: '/credentials',
      httpMethod: req.method,
      requestId: crypto.randomUUID(),
      ...(secretId && { identity: { secretId } }),
      sourceIp: '203.0.113.7',
      stage: 'release',
    },
    headers: { Accept: 'application/json', Host: 'service-regcred0-1250000000.gz.apigw.tencentcs.com', ...req.headers },
    body: '',
    pathParameters: {},
    queryStringParameters: Object.fromEntries(Object.entries(query).filter(([, v]) => typeof v === 'string')),
    headerParameters: {},
    stageVariables: { stage: 'release' },
    path: req.path,
    queryString: query,
    httpMethod: req.method,
  };
}

/**
 * An SCF timer trigger's event: `Message` is the trigger's free text (empty: the function's REGCRED_TARGETS).
 * @example scfTimerEvent('') // a scheduled refresh of the configured targets
 */
export function scfTimerEvent(Message: unknown): Record<string, unknown> {
  return { Type: 'Timer', TriggerName: 'regcred-refresh', Time: new Date().toISOString().replace(/\.\d+Z$/, 'Z'), Message };
}

/** The SCF Node.js context of an invocation (request id, time budget, region). */
export function scfContext(region = 'ap-guangzhou', timeoutMs = 10_000): Record<string, unknown> {
  const deadline = Date.now() + timeoutMs;
  return {
    request_id: crypto.randomUUID(),
    time_limit_in_ms: timeoutMs,
    memory_limit_in_mb: 128,
    function_name: 'regcred',
    function_version: '$LATEST',
    namespace: 'default',
    tencentcloud_region: region,
    getRemainingTimeInMillis: () => deadline - Date.now(),
  };
}
