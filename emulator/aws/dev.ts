/**
 * AWS for development: ECR, ECR Public and Secrets Manager on the SigV4-checking emulator, the
 * Lambda function environment pointed at it, and the function URL (AuthType AWS_IAM) in front of
 * the real handler.
 */
import { invokeEach, type CloudDev, type Invoker, type LocalCloud, type PreparedInvoker } from '../cloud-dev.js';
import { ECR_ACCOUNT_ID, ecrService } from './ecr.js';
import { ecrPublicService } from './ecr-public.js';
import { functionEnv } from './function-env.js';
import { functionUrlEvent } from './function-url.js';
import { secretsManagerService } from './secrets-manager.js';
import { startAwsEmulator, TEST_IDENTITY, TEST_SESSION_IDENTITY } from './server.js';
import { verifySigV4 } from './sigv4.js';

/** The caller a signed local request stands for (an IAM user in the emulator's account). */
const LOCAL_CALLER_ARN = 'arn:aws:iam::000000000000:user/local-dev';

/** Lambda's invocation context; the remaining time is read once per invocation, at its start. */
function lambdaContext(awsRequestId: string) {
  return { awsRequestId, functionName: 'regcred-local-http', getRemainingTimeInMillis: () => 10_000 };
}

function preparedInvoker(functionEnvironment: Record<string, string | undefined>, write?: (line: string) => void): PreparedInvoker {
  const ready = Promise.all([import('../../handlers/aws/http.js'), import('../../handlers/aws/runtime.js')]).then(([{ createHttpHandler }, { awsRuntime }]) =>
    createHttpHandler(awsRuntime(functionEnvironment, { ...(write && { write }) })),
  );
  return (req) => {
    const event = functionUrlEvent(req);
    const context = lambdaContext(event.requestContext.requestId);
    return async () => {
      const result = (await (await ready)(event, context as never)) as { statusCode?: number; headers?: Record<string, string>; body?: string };
      return { statusCode: result.statusCode ?? 200, headers: result.headers ?? {}, body: result.body ?? '' };
    };
  };
}

function invoker(functionEnvironment: Record<string, string | undefined>, write?: (line: string) => void): Invoker {
  return invokeEach(preparedInvoker(functionEnvironment, write));
}

async function startLocal(): Promise<LocalCloud> {
  const emulator = await startAwsEmulator({ services: [ecrService(), ecrPublicService(), secretsManagerService()] });
  const env = { ...functionEnv(emulator.url), AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };
  return {
    registries: 'ecr:us-east-1,ecr-public:us-east-1',
    hosts: [`${ECR_ACCOUNT_ID}.dkr.ecr.us-east-1.amazonaws.com`, 'public.ecr.aws'],
    env,
    emulator,
    mint: [{ service: 'ecr', operation: 'GetAuthorizationToken' }, { service: 'ecr-public', operation: 'GetAuthorizationToken' }],
    http(functionEnvironment, write) {
      // As in Lambda, the SDK finds the role's keys and endpoints in the process environment.
      Object.assign(process.env, env);
      return invoker(functionEnvironment, write);
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
    secrets: [TEST_SESSION_IDENTITY.secretAccessKey, TEST_SESSION_IDENTITY.sessionToken!, TEST_IDENTITY.secretAccessKey],
    stop: () => emulator.stop(),
  };
}

export const AWS_DEV: CloudDev = {
  id: 'aws',
  handlers: [
    { cloud: 'aws', name: 'http', entry: 'handlers/aws/http.ts' },
    { cloud: 'aws', name: 'refresh', entry: 'handlers/aws/refresh.ts' },
    { cloud: 'aws', name: 'rotate', entry: 'handlers/aws/rotate.ts' },
  ],
  invoker,
  startLocal,
  rig: () => import('./rig.js').then((m) => m.startAwsRig()),
  // The SDK finds the role's keys and endpoints in the process environment, as in Lambda; the
  // caller is what the benchmark's warm requests carry too.
  coldInvoke: `handler(${JSON.stringify(functionUrlEvent({ method: 'GET', path: '/credentials', query: '', caller: 'bench' }))}, { awsRequestId: 'bench-cold', functionName: 'regcred-bench-http', getRemainingTimeInMillis: () => 10000 })`,
  preparedInvoker,
};
