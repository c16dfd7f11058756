import type { LambdaFunctionURLEventWithIAMAuthorizer } from 'aws-lambda';
import type { LocalRequest } from '../trigger.js';

/**
 * The Lambda function URL event (payload 2.0) that AWS delivers for a request, with the IAM caller
 * that AuthType AWS_IAM established. Used by the local server, the contract suite and the
 * benchmark, so all of them exercise the real handler exactly as deployed.
 * @example functionUrlEvent({ method: 'GET', path: '/credentials', query: '', caller: 'arn:aws:iam::000000000000:user/local-dev' })
 */
export function functionUrlEvent(req: LocalRequest): LambdaFunctionURLEventWithIAMAuthorizer {
  const now = new Date();
  const headers: Record<string, string> = { host: 'local.lambda-url.us-east-1.on.aws', ...req.headers };
  const accountId = /^arn:aws:(?:iam|sts)::(\d{12}):/.exec(req.caller ?? '')?.[1] ?? '000000000000';
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: req.path,
    rawQueryString: req.query,
    headers,
    ...(req.query && { queryStringParameters: Object.fromEntries(new URLSearchParams(req.query)) }),
    requestContext: {
      accountId,
      apiId: 'local',
      domainName: headers.host!,
      domainPrefix: 'local',
      http: { method: req.method, path: req.path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: headers['user-agent'] ?? '' },
      requestId: crypto.randomUUID(),
      routeKey: '$default',
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
      ...(req.caller && {
        authorizer: { iam: { accessKey: '', accountId, callerId: '', cognitoIdentity: null, principalOrgId: null, userArn: req.caller, userId: '' } },
      }),
    },
    isBase64Encoded: false,
  } as unknown as LambdaFunctionURLEventWithIAMAuthorizer;
}
