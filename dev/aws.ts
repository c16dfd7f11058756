/**
 * AWS for development: ECR, ECR Public and Secrets Manager on the SigV4-checking emulator, the
 * Lambda function environment pointed at it, and the function URL (AuthType AWS_IAM) in front of
 * the real handler.
 */
import { ECR_ACCOUNT_ID, ecrService } from '../emulator/aws/ecr.js';
import { ecrPublicService } from '../emulator/aws/ecr-public.js';
import { scheduledEvent } from '../emulator/aws/events.js';
import { functionEnv } from '../emulator/aws/function-env.js';
import { functionUrlEvent } from '../emulator/aws/function-url.js';
import { secretsManagerService } from '../emulator/aws/secrets-manager.js';
import { startAwsEmulator, TEST_IDENTITY, DEFAULT_IDENTITY } from '../emulator/aws/server.js';
import { verifySigV4 } from '../emulator/aws/sigv4.js';
import type { LocalAnswer } from '../emulator/trigger.js';
import { invokeEach, type CloudDev, type Invoker, type LocalCloud, type PreparedInvoker } from './local-cloud.js';

/** The caller a signed local request stands for (an IAM user in the emulator's account). */
const LOCAL_CALLER_ARN = 'arn:aws:iam::000000000000:user/local-dev';

/** Lambda's invocation context; the remaining time is read once per invocation, at its start. */
function lambdaContext(awsRequestId: string = crypto.randomUUID()) {
  return { awsRequestId, functionName: 'regcred-local', getRemainingTimeInMillis: () => 10_000 };
}

type HttpResult = { statusCode?: number; headers?: Record<string, string>; body?: string } | string;

/** What the function URL makes of a handler's result (a string is a 200 JSON body). */
function answerOf(result: HttpResult): LocalAnswer {
  if (typeof result === 'string') return { statusCode: 200, headers: { 'Content-Type': 'application/json' }, body: result };
  return { statusCode: result.statusCode ?? 200, headers: result.headers ?? {}, body: result.body ?? '' };
}

/** A warm instance of the HTTP handler; the promise rejects when the configuration is bad (a failed cold start). */
function httpHandler(functionEnvironment: Record<string, string | undefined>, write?: (line: string) => void) {
  return Promise.all([import('../handlers/aws/http.js'), import('../handlers/aws/runtime.js')]).then(([{ createHttpHandler }, { awsRuntime }]) =>
    createHttpHandler(awsRuntime(functionEnvironment, { ...(write && { write }) })),
  );
}

/**
 * The HTTP handler as a warm instance, each request split into building the platform's event and
 * context (once) and running the handler (the thunk): what {@link invoker} runs per request, and
 * what the benchmark times as warm latency (bench/rigs/aws.ts).
 */
export function preparedInvoker(functionEnvironment: Record<string, string | undefined>, write?: (line: string) => void): PreparedInvoker {
  const ready = httpHandler(functionEnvironment, write);
  return (req) => {
    const event = functionUrlEvent(req);
    const context = lambdaContext(event.requestContext.requestId);
    return async () => answerOf((await (await ready)(event, context)) as HttpResult);
  };
}

function invoker(functionEnvironment: Record<string, string | undefined>, write?: (line: string) => void): Invoker {
  return invokeEach(preparedInvoker(functionEnvironment, write));
}

/** What a direct invocation of the HTTP function could send that is no function URL event (B2). */
const MALFORMED_HTTP_EVENTS = [
  ['an empty event', {}],
  ['an event that is a string', 'GET /credentials'],
  ['an event that is an array', [functionUrlEvent({ method: 'GET', path: '/credentials', query: '' })]],
  ['an event without requestContext', { version: '2.0', rawPath: '/credentials', rawQueryString: '' }],
  ['a requestContext.http.method that is not a method', { ...functionUrlEvent({ method: 'GET', path: '/credentials', query: '' }), requestContext: { http: { method: 42 } } }],
  ['a rawPath that is not a path', { ...functionUrlEvent({ method: 'GET', path: '/credentials', query: '' }), rawPath: 'credentials' }],
  ['a rawQueryString that is not a string', { ...functionUrlEvent({ method: 'GET', path: '/credentials', query: '' }), rawQueryString: { format: 'json' } }],
] as const;

/** What a schedule's input, an EventBridge rule or a direct invocation could send the refresh function that it cannot read (B2). */
const MALFORMED_REFRESH_EVENTS = [
  ['an event that is an array', [scheduledEvent()]],
  ['an event that is a number', 42],
  ['an event that is a string', 'refresh'],
  ['a regcred.refresh event whose detail.targets is not an array', { ...scheduledEvent({ targets: 'all' }), 'detail-type': 'regcred.refresh' }],
  ['a schedule input whose targets are not objects', { targets: ['regcred/pull'] }],
  ['a schedule input with an unknown field', { targets: [], force: true }],
] as const;

async function startLocal(): Promise<LocalCloud> {
  const sm = secretsManagerService();
  const emulator = await startAwsEmulator({ services: [ecrService(), ecrPublicService(), sm] });
  const env = { ...functionEnv(emulator.url), AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };
  // As in Lambda, the SDK finds the role's keys and endpoints in the process environment.
  const lambdaEnvironment = () => Object.assign(process.env, env);
  return {
    registries: 'ecr:us-east-1,ecr-public:us-east-1',
    hosts: [`${ECR_ACCOUNT_ID}.dkr.ecr.us-east-1.amazonaws.com`, 'public.ecr.aws'],
    env,
    emulator,
    mint: [
      { service: 'ecr', operation: 'GetAuthorizationToken', registry: 'ecr:us-east-1' },
      { service: 'ecr-public', operation: 'GetAuthorizationToken', registry: 'ecr-public:us-east-1' },
    ],
    http(functionEnvironment, write) {
      lambdaEnvironment();
      return invoker(functionEnvironment, write);
    },
    rawHttp(functionEnvironment, write) {
      lambdaEnvironment();
      const ready = httpHandler(functionEnvironment, write);
      return async (event) => answerOf((await (await ready)(event, lambdaContext())) as HttpResult);
    },
    httpEvent: functionUrlEvent,
    malformedHttpEvents: MALFORMED_HTTP_EVENTS,
    refresh: {
      store: 'secrets-manager',
      write: { service: 'secretsmanager', operation: 'PutSecretValue' },
      scheduledEvent: () => scheduledEvent(),
      createSecret: async (secretId, value) => sm.state.createSecret(secretId, value),
      current: (secretId) => sm.state.valueOf(secretId),
      versions: (secretId) => Object.keys(sm.state.stagesOf(secretId)).length,
      invoker(functionEnvironment, write) {
        lambdaEnvironment();
        const ready = Promise.all([import('../handlers/aws/refresh.js'), import('../handlers/aws/secrets-runtime.js')]).then(([{ createRefreshHandler }, { awsSecretsRuntime }]) =>
          createRefreshHandler(awsSecretsRuntime(functionEnvironment, { ...(write && { write }) })),
        );
        return async (event) => (await ready)(event, lambdaContext());
      },
      malformedEvents: MALFORMED_REFRESH_EVENTS,
    },
    trigger: {
      verify(req, now) {
        const verdict = verifySigV4(req, { identities: [TEST_IDENTITY], now, service: 'lambda' });
        return verdict.ok ? { ok: true, caller: LOCAL_CALLER_ARN } : { ok: false };
      },
      banner: (url) => [
        'Requests must be SigV4-signed (service "lambda"), as a function URL with AuthType AWS_IAM requires.',
        "The emulator's test key (not a real AWS key) signs them:",
        '',
        `  curl -s --aws-sigv4 "aws:amz:us-east-1:lambda" --user "${TEST_IDENTITY.accessKeyId}:${TEST_IDENTITY.secretAccessKey}" "${url}/credentials?format=dockerconfigjson"`,
      ],
    },
    faults: { expiredSession: { status: 400, code: 'ExpiredTokenException', message: 'The security token included in the request is expired' } },
    secrets: [DEFAULT_IDENTITY.secretAccessKey, DEFAULT_IDENTITY.sessionToken!, TEST_IDENTITY.secretAccessKey],
    stop: () => emulator.stop(),
  };
}

export const AWS_DEV: CloudDev = {
  id: 'aws',
  invoker,
  startLocal,
};
