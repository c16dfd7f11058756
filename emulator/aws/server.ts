/**
 * A loopback emulator of AWS's JSON 1.1 front end: one HTTP server on 127.0.0.1 that verifies
 * every request's SigV4 signature (emulator/aws/sigv4.ts), routes it by `X-Amz-Target` to a
 * service, records the call (never a secret) and injects faults on demand. The real SDK clients
 * talk to it with `endpoint: emu.url`.
 *
 * ## Plugging in a service
 *
 * A service is a plain object (see {@link AwsService}); write it in `emulator/aws/<name>.ts` and
 * pass it in `startAwsEmulator({ services: [...] })`:
 *
 * ```ts
 * export function secretsManagerService(): AwsService & { state: ... } {
 *   return {
 *     name: 'secretsmanager',            // key for emu.inject(name, op, ...) and emu.calls[].service
 *     signingName: 'secretsmanager',     // the SigV4 credential scope must name it
 *     targetPrefix: 'secretsmanager',    // X-Amz-Target is `<targetPrefix>.<Operation>`
 *     // regions: ['us-east-1'],         // optional: scope regions the service accepts
 *     operations: {
 *       GetSecretValue: (input, ctx) => {  // input: the parsed JSON body; ctx: identity, region, now, requestId
 *         if (!found) throw new AwsServiceError(400, 'ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
 *         return { ARN, Name, SecretString, VersionId, VersionStages, CreatedDate: ctx.now / 1000 };
 *       },
 *     },
 *   };
 * }
 * ```
 *
 * An operation returns the JSON output (or a promise of it), or throws {@link AwsServiceError} for
 * a modeled error; anything else thrown becomes a 500 InternalFailure. Timestamps in JSON 1.1 are
 * epoch SECONDS (numbers). Keep state on the service object so tests can read it.
 *
 * Not emulated: SigV4 query-string (presigned) auth, chunked payloads, JSON 1.0 / REST protocols.
 */
import http from 'node:http';
import { randomUUID } from 'node:crypto';
import { codeForStatus, FaultQueue, type Fault } from './faults.js';
import { verifySigV4, type AwsIdentity } from './sigv4.js';
import { bodyServer, listenOnLoopback } from '../http-server.js';

export { faults, type Fault } from './faults.js';
export type { AwsIdentity } from './sigv4.js';

/** The emulator's IAM-user key: what tests sign with unless they want a session. */
export const TEST_ACCESS_KEY_ID = 'AKIAEMULATORTESTKEY1';
export const TEST_SECRET_ACCESS_KEY = 'emulator/test/secret/access/key/0000000000';
export const TEST_IDENTITY: AwsIdentity = { accessKeyId: TEST_ACCESS_KEY_ID, secretAccessKey: TEST_SECRET_ACCESS_KEY };

/** A role-session key, as Lambda hands a function: requests must carry the session token. */
export const TEST_SESSION_ACCESS_KEY_ID = 'ASIAEMULATORSESSION1';
export const TEST_SESSION_SECRET_ACCESS_KEY = 'emulator/session/secret/access/key/000000';
export const TEST_SESSION_TOKEN = 'IQoJb3JpZ2luX2VjEMULATOR-session-token';
export const TEST_SESSION_IDENTITY: AwsIdentity = {
  accessKeyId: TEST_SESSION_ACCESS_KEY_ID,
  secretAccessKey: TEST_SESSION_SECRET_ACCESS_KEY,
  sessionToken: TEST_SESSION_TOKEN,
};

export interface OperationContext {
  identity: AwsIdentity;
  /** Region from the SigV4 credential scope. */
  region: string;
  /** The emulator clock, epoch ms. */
  now: number;
  requestId: string;
}

export type Operation = (input: Record<string, unknown>, ctx: OperationContext) => unknown;

export interface AwsService {
  /** Short name for inject() and calls (e.g. `ecr`, `ecr-public`, `secretsmanager`). */
  readonly name: string;
  /** SigV4 signing name; the credential scope must name it. */
  readonly signingName: string;
  /** `X-Amz-Target` prefix, e.g. `AmazonEC2ContainerRegistry_V20150921`. */
  readonly targetPrefix: string;
  /** Credential-scope regions the service accepts (any when omitted). */
  readonly regions?: readonly string[];
  readonly operations: Readonly<Record<string, Operation>>;
}

/** A modeled error an operation throws: HTTP status, `__type` code, message. */
export class AwsServiceError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'AwsServiceError';
  }
}

export interface RecordedCall {
  /** Service name, or `unknown` when the target matched none. */
  service: string;
  operation: string;
  /** Key id from the Authorization header (never the secret or token). */
  accessKeyId?: string;
  region?: string;
  /** Emulator clock when the call arrived, epoch ms. */
  at: number;
  status: number;
  code?: string;
}

export interface AwsEmulatorOptions {
  services: AwsService[];
  /** Keys the front end accepts (default: TEST_IDENTITY and TEST_SESSION_IDENTITY). */
  identities?: AwsIdentity[];
  /** The front end's clock, for X-Amz-Date checks and what operations see as now. */
  now?: () => number;
}

export interface AwsEmulator {
  /** `http://127.0.0.1:<port>`, what SDK clients take as `endpoint`. */
  readonly url: string;
  readonly calls: RecordedCall[];
  readonly identities: AwsIdentity[];
  /** Queue a fault for `service.operation` (FIFO; `times` uses, default 1). */
  inject(service: string, operation: string, fault: Fault): void;
  clearFaults(): void;
  stop(): Promise<void>;
}

const MAX_BODY_BYTES = 1 << 20;
const JSON_11 = 'application/x-amz-json-1.1';

interface Answer {
  status: number;
  body: string;
  headers?: Record<string, string>;
}

/**
 * @example
 * const ecr = ecrService({ accountId: '123456789012' });
 * const emu = await startAwsEmulator({ services: [ecr] });
 * const client = new ECRClient({ endpoint: emu.url, region: 'us-east-1', credentials: TEST_IDENTITY });
 * await emu.stop();
 */
export async function startAwsEmulator(options: AwsEmulatorOptions): Promise<AwsEmulator> {
  const now = options.now ?? Date.now;
  const identities = options.identities ?? [TEST_IDENTITY, TEST_SESSION_IDENTITY];
  const services = options.services;
  const faultQueue = new FaultQueue();
  const calls: RecordedCall[] = [];

  const server = bodyServer(MAX_BODY_BYTES, (req, res, body) => {
    void handle(req, res, body).catch(() => {
      if (!res.headersSent) send(res, awsError(500, 'InternalFailure', 'emulator failure'), randomUUID());
    });
  });

  async function handle(req: http.IncomingMessage, res: http.ServerResponse, body: Buffer): Promise<void> {
    const at = now();
    const requestId = randomUUID();
    const target = String(req.headers['x-amz-target'] ?? '');
    const dot = target.lastIndexOf('.');
    const operation = dot < 0 ? target : target.slice(dot + 1);
    const service = services.find((s) => dot > 0 && s.targetPrefix === target.slice(0, dot));
    const keyId = /Credential=([^/,\s]+)\//.exec(String(req.headers['authorization'] ?? ''))?.[1];
    const record = (answer: Answer, region?: string) => {
      const code = answer.status >= 400 ? answer.headers?.['x-amzn-ErrorType']?.split(':')[0] : undefined;
      calls.push({
        service: service?.name ?? 'unknown', operation, at, status: answer.status,
        ...(keyId ? { accessKeyId: keyId } : {}), ...(region ? { region } : {}), ...(code ? { code } : {}),
      });
    };
    const reply = (answer: Answer, region?: string) => {
      record(answer, region);
      send(res, answer, requestId);
    };

    if (req.method !== 'POST' || !service) {
      // Without a known target, the front end cannot tell which signing name to expect.
      return reply(awsError(400, 'UnknownOperationException', ''));
    }
    const verified = verifySigV4(
      { method: req.method, url: req.url ?? '/', headers: req.headers, body },
      { identities, now: at, service: service.signingName, ...(service.regions ? { regions: service.regions } : {}) },
    );
    if (!verified.ok) return reply(awsError(verified.status, verified.code, verified.message));
    const region = verified.region;

    const op = Object.hasOwn(service.operations, operation) ? service.operations[operation] : undefined;
    if (!op) return reply(awsError(400, 'UnknownOperationException', ''), region);

    const fault = faultQueue.next(service.name, operation);
    if (fault?.delayMs) await new Promise((r) => setTimeout(r, fault.delayMs));
    if (fault?.reset) {
      record({ status: 0, body: '' }, region);
      req.socket.destroy();
      return;
    }
    const injected = fault && faultAnswer(fault);
    if (injected) return reply(injected, region);

    let input: Record<string, unknown>;
    try {
      const parsed: unknown = body.length ? JSON.parse(body.toString('utf8')) : {};
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
      input = parsed as Record<string, unknown>;
    } catch {
      return reply(awsError(400, 'SerializationException', 'Start of structure or map found where not expected.'), region);
    }

    try {
      const output = await op(input, { identity: verified.identity, region, now: at, requestId });
      reply({ status: 200, body: JSON.stringify(output ?? {}) }, region);
    } catch (err) {
      if (err instanceof AwsServiceError) return reply(awsError(err.status, err.code, err.message), region);
      reply(awsError(500, 'InternalFailure', 'The request processing has failed because of an unknown error, exception or failure.'), region);
    }
  }

  const listening = await listenOnLoopback(server);

  return {
    url: listening.url,
    calls,
    identities,
    inject: (service, operation, fault) => faultQueue.add(service, operation, fault),
    clearFaults: () => faultQueue.clear(),
    stop: listening.stop,
  };
}

/** What an injected fault answers, or undefined when it only delays. */
function faultAnswer(fault: Fault): Answer | undefined {
  const retryAfter: Record<string, string> = fault.retryAfterSeconds !== undefined ? { 'Retry-After': String(fault.retryAfterSeconds) } : {};
  if (fault.throttle) return withHeaders(awsError(400, 'ThrottlingException', fault.message ?? 'Rate exceeded'), retryAfter);
  if (fault.body !== undefined) return { status: fault.status ?? 200, body: fault.body };
  if (fault.respond !== undefined) return { status: 200, body: JSON.stringify(fault.respond) };
  if (fault.status !== undefined) {
    const code = fault.code ?? codeForStatus(fault.status);
    return withHeaders(awsError(fault.status, code, fault.message ?? code), retryAfter);
  }
  return undefined;
}

/**
 * AWS's JSON 1.1 error: the code in `x-amzn-ErrorType` (with the coral namespace suffix the SDK
 * strips) and in the body's `__type`.
 */
export function awsError(status: number, code: string, message: string): Answer {
  return {
    status,
    body: JSON.stringify({ __type: code, message }),
    headers: { 'x-amzn-ErrorType': `${code}:http://internal.amazon.com/coral/com.amazon.coral.service/` },
  };
}

function withHeaders(answer: Answer, headers: Record<string, string>): Answer {
  return { ...answer, headers: { ...answer.headers, ...headers } };
}

function send(res: http.ServerResponse, answer: Answer, requestId: string): void {
  res.writeHead(answer.status, {
    'content-type': JSON_11,
    'content-length': Buffer.byteLength(answer.body),
    'x-amzn-RequestId': requestId,
    ...answer.headers,
  });
  res.end(answer.body);
}
