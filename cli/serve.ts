/**
 * `regcred serve` (and `npm start`): the HTTPS API of the AWS handler on a local port.
 *
 * With --emulator it needs no cloud account: it starts the loopback ECR / ECR Public emulator,
 * points the real handler at it, and checks each request's SigV4 signature (service `lambda`)
 * the way a function URL with AuthType AWS_IAM does, so the printed curl command is exactly the
 * one a user runs against a deployed function. Without --emulator it serves the configured
 * registries with the developer's own AWS identity, so it answers only requests that carry the
 * per-run token its banner prints.
 *
 * Either way it answers only a `Host` of `127.0.0.1:<port>` or `localhost:<port>`: a web page the
 * developer visits can reach loopback through DNS rebinding, but its requests carry its own host.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Context, LambdaFunctionURLResult } from 'aws-lambda';
import { verifySigV4 } from '../emulator/aws/sigv4.js';
import { startAwsEmulator, TEST_IDENTITY } from '../emulator/aws/server.js';
import { functionEnv } from '../emulator/aws/function-env.js';
import { ecrService } from '../emulator/aws/ecr.js';
import { ecrPublicService } from '../emulator/aws/ecr-public.js';
import { toFunctionUrlEvent } from './function-url.js';
import { bodyServer } from '../emulator/http-server.js';

export interface ServeOptions {
  emulator: boolean;
  port: number;
  host?: string;
  /** Print the banner (the CLI does; tests and the benchmark don't). */
  quiet?: boolean;
  /** Called once per request received (tests count the calls that reach "the function"). */
  onRequest?: () => void;
}

export interface LocalServer {
  url: string;
  /** The per-run bearer token (without --emulator), which every request must carry. */
  token?: string;
  close(): Promise<void>;
}

/** The caller a signed local request stands for (an IAM user in the emulator's fake account). */
const LOCAL_CALLER_ARN = 'arn:aws:iam::000000000000:user/local-dev';
const FUNCTION_TIMEOUT_MS = 10_000;
const MAX_BODY_BYTES = 64 * 1024;

export async function serve(options: ServeOptions): Promise<LocalServer> {
  const emulator = options.emulator ? await startEmulatorEnvironment() : undefined;
  // The handler module reads its configuration at load time, as at a Lambda cold start.
  const { handler } = await import('../handlers/aws/http.js');
  const token = emulator ? undefined : randomBytes(24).toString('base64url');
  let port = 0;

  const server = bodyServer(MAX_BODY_BYTES, async (req, res, body) => {
    options.onRequest?.();
    if (!isLoopbackHost(req.headers.host, port)) {
      return reply(res, refusal(403, 'Forbidden', `Host must be 127.0.0.1:${port} or localhost:${port}`));
    }
    let caller = 'local (unsigned)';
    if (token && !hasToken(req.headers.authorization, token)) {
      return reply(res, refusal(401, 'Unauthorized', 'this local server needs the Authorization: Bearer token its banner printed'));
    }
    if (emulator) {
      const verdict = verifySigV4({ method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, body }, {
        identities: [TEST_IDENTITY],
        now: Date.now(),
        service: 'lambda',
      });
      // A function URL answers unsigned or badly signed requests with a bare 403 before the function runs.
      if (!verdict.ok) return reply(res, { statusCode: 403, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ Message: 'Forbidden' }) });
      caller = LOCAL_CALLER_ARN;
    }
    const result = (await handler(toFunctionUrlEvent(req, body.toString('utf8'), caller), lambdaContext())) as LambdaFunctionURLResult;
    reply(res, typeof result === 'string' ? { statusCode: 200, body: result } : result);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      void emulator?.stop();
      reject(err.code === 'EADDRINUSE' ? new Error(`port ${options.port} is in use; pick another with --port`) : err);
    });
    server.listen(options.port, options.host ?? '127.0.0.1', resolve);
  });
  port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;
  if (!options.quiet) printBanner(url, token);
  return {
    url,
    ...(token && { token }),
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await emulator?.stop();
    },
  };
}

/** Start the emulator and point the AWS SDK (and the handler's config) at it, as a deployed function's env would. */
async function startEmulatorEnvironment() {
  const emulator = await startAwsEmulator({ services: [ecrService(), ecrPublicService()] });
  Object.assign(process.env, {
    REGCRED_REGISTRIES: process.env.REGCRED_REGISTRIES ?? 'ecr:us-east-1,ecr-public:us-east-1',
    // The "execution role" session the emulator knows (never a real key) and the SDK endpoint overrides.
    ...functionEnv(emulator.url),
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  });
  return emulator;
}

function lambdaContext(): Context {
  const deadline = Date.now() + FUNCTION_TIMEOUT_MS;
  return {
    functionName: 'regcred-local-http',
    awsRequestId: crypto.randomUUID(),
    getRemainingTimeInMillis: () => deadline - Date.now(),
  } as Context;
}

function reply(res: http.ServerResponse, result: { statusCode?: number; headers?: Record<string, unknown>; body?: string }): void {
  res.writeHead(result.statusCode ?? 200, result.headers as http.OutgoingHttpHeaders);
  res.end(result.body ?? '');
}

function isLoopbackHost(host: string | undefined, port: number): boolean {
  return host === `127.0.0.1:${port}` || host === `localhost:${port}`;
}

function hasToken(authorization: string | undefined, token: string): boolean {
  const given = Buffer.from(authorization ?? '');
  const expected = Buffer.from(`Bearer ${token}`);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

function refusal(statusCode: number, code: string, message: string) {
  return { statusCode, headers: { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' }, body: JSON.stringify({ error: { code, message } }) };
}

function printBanner(url: string, token: string | undefined): void {
  const lines = !token
    ? [
        `regcred is serving the AWS handler on ${url} against the loopback ECR emulator.`,
        'Requests must be SigV4-signed (service "lambda"), as a function URL with AuthType AWS_IAM requires.',
        'The emulator\'s test key (not a real AWS key) signs them:',
        '',
        `  curl -s --aws-sigv4 "aws:amz:us-east-1:lambda" --user "${TEST_IDENTITY.accessKeyId}:${TEST_IDENTITY.secretAccessKey}" "${url}/credentials?format=dockerconfigjson"`,
        '',
        `Other formats: ?format=json | kubernetes&name=regcred&namespace=default; one registry: ${url}/credentials/public.ecr.aws?format=credential-helper`,
      ]
    : [
        `regcred is serving the AWS handler on ${url} with this machine's AWS identity.`,
        'It answers only requests carrying this run\'s token (a new one each run):',
        '',
        `  curl -s -H "Authorization: Bearer ${token}" "${url}/credentials?format=dockerconfigjson"`,
      ];
  process.stdout.write(lines.join('\n') + '\nCtrl-C stops it.\n');
}
