/**
 * How the benchmark drives each shipped HTTP handler: in process (warm latency, requests/s) and
 * inside a fresh `node` process that requires the bundle (cold start). Keyed like
 * scripts/bundle.ts HANDLERS (`<cloud>/<name>`): a new HTTP handler adds one entry here.
 */
import type { Rig } from './rigs.js';

/** One HTTP request as the benchmark issues it. */
export interface BenchRequest {
  path: string;
  query: string;
}

export interface BenchResponse {
  statusCode: number;
  body: string;
}

export interface HttpHandlerDriver {
  /** `<cloud>/<name>` of scripts/bundle.ts HANDLERS. */
  key: string;
  cloud: string;
  /**
   * The handler in this process against the rig's emulator, as `handler(event, context)` with the
   * platform's event built beforehand (the platform builds it, not the function).
   */
  load(rig: Rig, env: Record<string, string>): Promise<(req: BenchRequest) => () => Promise<BenchResponse>>;
  /**
   * JavaScript run by `node -e` after `const handler = require(BUNDLE).handler`: must evaluate to a
   * Promise of the handler's result for `GET /credentials`.
   */
  coldInvoke: string;
}

const AWS_CALLER = 'arn:aws:iam::000000000000:user/bench';

/** A Lambda function URL event (payload 2.0) for GET path?query, as AWS_IAM auth delivers it. */
export function functionUrlEvent(req: BenchRequest) {
  const now = Date.now();
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: req.path,
    rawQueryString: req.query,
    headers: { host: 'bench.lambda-url.us-east-1.on.aws' },
    ...(req.query && { queryStringParameters: Object.fromEntries(new URLSearchParams(req.query)) }),
    requestContext: {
      accountId: '000000000000',
      apiId: 'bench',
      domainName: 'bench.lambda-url.us-east-1.on.aws',
      domainPrefix: 'bench',
      http: { method: 'GET', path: req.path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'bench' },
      requestId: 'bench',
      routeKey: '$default',
      stage: '$default',
      time: new Date(now).toUTCString(),
      timeEpoch: now,
      authorizer: { iam: { accessKey: '', accountId: '000000000000', callerId: '', cognitoIdentity: null, principalOrgId: null, userArn: AWS_CALLER, userId: '' } },
    },
    isBase64Encoded: false,
  };
}

export function lambdaContext(): { getRemainingTimeInMillis(): number; functionName: string; awsRequestId: string } {
  return { functionName: 'regcred-bench', awsRequestId: 'bench', getRemainingTimeInMillis: () => 10_000 };
}

/** An FC 3.0 HTTP-trigger event (the JSON Buffer the built-in runtime hands over). */
export function fcHttpEvent(req: BenchRequest): Buffer {
  return Buffer.from(
    JSON.stringify({
      version: 'v1',
      rawPath: req.path,
      headers: {},
      queryParameters: Object.fromEntries(new URLSearchParams(req.query)),
      requestContext: { http: { method: 'GET', path: req.path, sourceIp: '127.0.0.1' } },
      body: '',
      isBase64Encoded: false,
    }),
  );
}

/** FC's invocation context: the role's STS keys (here the emulator's test session) and the timeout. */
export function fcContext(env: Record<string, string | undefined>) {
  return {
    credentials: { accessKeyId: env.ALIBABA_CLOUD_ACCESS_KEY_ID, accessKeySecret: env.ALIBABA_CLOUD_ACCESS_KEY_SECRET, securityToken: env.ALIBABA_CLOUD_SECURITY_TOKEN },
    function: { timeout: 10 },
  };
}

export const HTTP_DRIVERS: HttpHandlerDriver[] = [
  {
    key: 'aws/http',
    cloud: 'aws',
    async load(_rig, env) {
      // The AWS SDK reads its endpoint and credentials from process.env, as in Lambda.
      Object.assign(process.env, env);
      const { createHttpHandler } = await import('../handlers/aws/http.js');
      const { awsRuntime } = await import('../handlers/aws/runtime.js');
      const handler = createHttpHandler(awsRuntime(env));
      return (req) => {
        const event = functionUrlEvent(req);
        return async () => (await handler(event as never, lambdaContext() as never)) as BenchResponse;
      };
    },
    coldInvoke: `handler(${JSON.stringify(functionUrlEvent({ path: '/credentials', query: '' }))}, { getRemainingTimeInMillis: () => 10000 })`,
  },
  {
    key: 'alibaba/http',
    cloud: 'alibaba',
    async load(_rig, env) {
      const { createHttpHandler } = await import('../handlers/alibaba/http.js');
      const { alibabaRuntime } = await import('../handlers/alibaba/runtime.js');
      const handler = createHttpHandler(alibabaRuntime(env));
      const context = fcContext(env);
      return (req) => {
        const event = fcHttpEvent(req);
        return () => handler(event, context);
      };
    },
    coldInvoke: `handler(Buffer.from(${JSON.stringify(fcHttpEvent({ path: '/credentials', query: '' }).toString())}), { credentials: { accessKeyId: process.env.ALIBABA_CLOUD_ACCESS_KEY_ID, accessKeySecret: process.env.ALIBABA_CLOUD_ACCESS_KEY_SECRET, securityToken: process.env.ALIBABA_CLOUD_SECURITY_TOKEN }, function: { timeout: 10 } })`,
  },
];
