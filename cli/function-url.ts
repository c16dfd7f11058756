import type { IncomingMessage } from 'node:http';
import type { LambdaFunctionURLEventWithIAMAuthorizer } from 'aws-lambda';

/**
 * Translate a plain Node HTTP request into the Lambda function URL event (payload 2.0) that AWS
 * would deliver, with the IAM caller AWS_IAM auth established. Used by the local server and the
 * benchmark, so both exercise the real handler exactly as deployed.
 * @example toFunctionUrlEvent(req, '', 'arn:aws:iam::000000000000:user/local-dev')
 */
export function toFunctionUrlEvent(req: IncomingMessage, body: string, callerArn: string): LambdaFunctionURLEventWithIAMAuthorizer {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  const now = new Date();
  const accountId = /^arn:aws:(?:iam|sts)::(\d{12}):/.exec(callerArn)?.[1] ?? '000000000000';
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    headers,
    ...(url.search && { queryStringParameters: Object.fromEntries(url.searchParams) }),
    requestContext: {
      accountId,
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: 'local',
      http: { method: req.method ?? 'GET', path: url.pathname, protocol: 'HTTP/1.1', sourceIp: req.socket.remoteAddress ?? '127.0.0.1', userAgent: headers['user-agent'] ?? '' },
      requestId: crypto.randomUUID(),
      routeKey: '$default',
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
      authorizer: { iam: { accessKey: '', accountId, callerId: '', cognitoIdentity: null, principalOrgId: null, userArn: callerArn, userId: '' } },
    },
    ...(body && { body }),
    isBase64Encoded: false,
  } as unknown as LambdaFunctionURLEventWithIAMAuthorizer;
}
