/**
 * The one front end every cloud emulator runs on: a loopback HTTP server that reads a request,
 * routes it to a service operation, verifies its signature with the cloud's own verifier, injects
 * faults, records the call (never a secret), and answers in the cloud's success and error format.
 *
 * A cloud plugs in a {@link CloudWire} (how its API gateway speaks: routing, signature check,
 * answer encoding) and its services' operations; everything else (faults, call records, fault
 * timing, connection resets) is the same for every cloud, so one fault matrix can drive them all.
 *
 * @example
 * const emu = await startFrontEnd({ wire: tencentWire({ identities }), services: [tcrService()] });
 * emu.inject('tcr', 'CreateInstanceToken', { status: 500 });
 * await emu.stop();
 */
import { randomUUID } from 'node:crypto';
import { bodyServer, listenOnLoopback, type WireRequest } from './http-server.js';

/** Who signed a verified request (key id, and the session end where the key is temporary). */
export interface VerifiedIdentity {
  accessKeyId: string;
  /** Epoch ms; tokens minted with this identity may not outlive it. */
  sessionExpiresAt?: number;
}

export type Verdict =
  | { ok: true; identity: VerifiedIdentity; region?: string }
  | { ok: false; status: number; code: string; message: string };

/** Which operation a request is for, and its decoded input. */
export interface Route {
  service: string;
  operation: string;
  input: Record<string, unknown>;
  /** Region the request names outside its signature (e.g. X-TC-Region), if any. */
  region?: string;
  /**
   * The request reached the gateway but cannot be served (unknown operation or version, unreadable
   * body): answered with this error once the signature is checked, as a cloud checks it first.
   */
  rejection?: ServiceError;
}

/** An answer on the wire. */
export interface Answer {
  status: number;
  body: string;
  headers?: Record<string, string>;
}

export interface OperationContext {
  identity: VerifiedIdentity;
  region?: string;
  /** The emulator clock, epoch ms. */
  now: number;
  requestId: string;
  /** Set by the `expiredToken` fault: mint something that has already expired. */
  expiredToken: boolean;
  /** The raw request, for operations that read headers or the path. */
  request: WireRequest;
}

/** An operation returns its output (encoded by the wire) or throws {@link ServiceError}. */
export type Operation = (input: Record<string, unknown>, ctx: OperationContext) => unknown;

export interface Service {
  /** Short name for inject() and calls (e.g. `ecr`, `kms`, `tcr`, `swr`). */
  readonly name: string;
  readonly operations: Readonly<Record<string, Operation>>;
}

/** A modeled error an operation throws; the wire encodes it in the cloud's error format. */
export class ServiceError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'ServiceError';
  }
}

/** How one cloud's API gateway speaks. */
export interface CloudWire {
  /** `aws`, `alibaba`, `tencent`, `huawei`: recorded with each call. */
  readonly cloud: string;
  /** The route of a request, or a ServiceError for one no service has (unknown action, bad body). */
  route(request: WireRequest, services: readonly Service[]): Route | ServiceError;
  /** Check the signature (and session token) the way the cloud does. */
  verify(request: WireRequest, route: Route, now: number): Verdict;
  /** The success answer for an operation's output. */
  success(output: unknown, route: Route, requestId: string): Answer;
  /** The error answer: status, code, message in the cloud's error shape. */
  error(error: ServiceError, route: Route | undefined, requestId: string): Answer;
  /** What the cloud answers when it throttles a caller. */
  throttle(retryAfterSeconds?: number): ServiceError;
  /** Request parameters worth recording (secrets replaced); default: none. */
  recordParams?(route: Route, request: WireRequest): Record<string, unknown>;
  /** The cloud's code for an injected status without one, and for a 500 (default {@link codeForStatus}). */
  codeForStatus?(status: number): string;
}

/**
 * One fault type for every cloud and operation, served first in, first out, each for `times`
 * calls (default 1; `Infinity` keeps it until cleared).
 */
export interface Fault {
  /** Answer with this status and the cloud's error body (code from `code`, else from the status; message defaults to the code). */
  status?: number;
  code?: string;
  message?: string;
  /** The cloud's own throttling answer. */
  throttle?: boolean;
  /** Sent as a `Retry-After` header with a throttle or an error. */
  retryAfterSeconds?: number;
  /** Wait this long before answering (normally, unless another field says otherwise). */
  delayMs?: number;
  /** Answer `status` (default 200) with this raw text (and the headers of a success), e.g. something that is not JSON. */
  body?: string;
  /** Answer normally, then rewrite the operation's output before it is encoded. */
  transform?: (output: Record<string, unknown>) => unknown;
  /** The operation mints something that has already expired. */
  expiredToken?: boolean;
  /** Drop the connection without answering. */
  reset?: boolean;
  /** How many calls this fault serves (default 1); `Infinity` = until cleared. */
  times?: number;
}

/** Ready-made faults; a cloud's wire gives them its own codes. */
export const faults = {
  serverError: (status = 500): Fault => ({ status }),
  throttle: (retryAfterSeconds?: number): Fault => ({ throttle: true, ...(retryAfterSeconds !== undefined && { retryAfterSeconds }) }),
  delay: (delayMs: number): Fault => ({ delayMs }),
  malformed: (): Fault => ({ body: '{"truncated' }),
  transform: (transform: (output: Record<string, unknown>) => unknown): Fault => ({ transform }),
  expiredToken: (): Fault => ({ expiredToken: true }),
  reset: (): Fault => ({ reset: true }),
};

export interface RecordedCall {
  cloud: string;
  /** Service name, or `unknown` when the request matched none. */
  service: string;
  operation: string;
  method: string;
  /** Path without the query. */
  path: string;
  /** Names (never values) of the parameters that travelled in the URL: proof a secret did not. */
  queryNames: string[];
  /** Key id of the signature (never the secret or token). */
  accessKeyId?: string;
  region?: string;
  /** Emulator clock when the call arrived, epoch ms. */
  at: number;
  /** 0 when the connection was dropped. */
  status: number;
  code?: string;
  params?: Record<string, unknown>;
}

export interface FrontEndOptions {
  wire: CloudWire;
  services: Service[];
  /** The clock for signature-date checks and what operations see as now. */
  now?: () => number;
  maxBodyBytes?: number;
}

export interface FrontEnd {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** `127.0.0.1:<port>` */
  readonly endpoint: string;
  readonly calls: RecordedCall[];
  /** Queue a fault for `service.operation`. */
  inject(service: string, operation: string, fault: Fault): void;
  clearFaults(): void;
  /** Successful calls of one operation so far (what the benchmark and the matrix count). */
  count(service: string, operation: string): number;
  /**
   * Resolves once no request is in flight: a call a client gave up on (a hang fault) is still
   * answered, and recorded, when its delay ends; a test waits for it so it is not counted in the next.
   */
  settled(): Promise<void>;
  stop(): Promise<void>;
}

export async function startFrontEnd(options: FrontEndOptions): Promise<FrontEnd> {
  const { wire, services } = options;
  // Read at each call, not captured: a test that fakes Date moves the emulator's clock with the SDK's.
  const now = options.now ?? (() => Date.now());
  const statusCode = (status: number) => wire.codeForStatus?.(status) ?? codeForStatus(status);
  const faultQueue = new FaultQueue();
  const calls: RecordedCall[] = [];
  let inFlight = 0;
  let waiting: Array<() => void> = [];

  const server = bodyServer(options.maxBodyBytes ?? 1 << 20, (req, res, body) => {
    const request: WireRequest = { method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, body };
    const requestId = randomUUID();
    inFlight++;
    void handle(request, requestId)
      .catch(() => wire.error(new ServiceError(500, statusCode(500), 'emulator failure'), undefined, requestId))
      .finally(() => {
        if (--inFlight > 0) return;
        for (const resolve of waiting) resolve();
        waiting = [];
      })
      .then((answer) => {
        if (!answer) return req.socket.destroy();
        // The Date header is the emulator's clock, as a cloud's is its own: SDKs correct their clock skew from it.
        res.writeHead(answer.status, { date: new Date(now()).toUTCString(), 'content-type': 'application/json', 'content-length': Buffer.byteLength(answer.body), ...answer.headers });
        res.end(answer.body);
      });
  });

  /** The answer, or undefined to drop the connection. */
  async function handle(request: WireRequest, requestId: string): Promise<Answer | undefined> {
    const at = now();
    const routed = wire.route(request, services);
    const route = routed instanceof ServiceError ? undefined : routed;
    let keyId: string | undefined;
    let region = route?.region;
    const q = request.url.indexOf('?');
    const path = (q < 0 ? request.url : request.url.slice(0, q)) || '/';
    const queryNames = q < 0 ? [] : [...new URLSearchParams(request.url.slice(q + 1)).keys()];
    const record = (status: number, code?: string) =>
      calls.push({
        cloud: wire.cloud,
        service: route?.service ?? 'unknown',
        operation: route?.operation ?? 'unknown',
        method: request.method,
        path,
        queryNames,
        at,
        status,
        ...(keyId && { accessKeyId: keyId }),
        ...(region && { region }),
        ...(code && { code }),
        ...(route && wire.recordParams && { params: wire.recordParams(route, request) }),
      });
    const fail = (error: ServiceError) => {
      record(error.status, error.code);
      return wire.error(error, route, requestId);
    };

    if (!route) return fail(routed as ServiceError);
    const verdict = wire.verify(request, route, at);
    if (!verdict.ok) return fail(new ServiceError(verdict.status, verdict.code, verdict.message));
    keyId = verdict.identity.accessKeyId;
    region = verdict.region ?? region;
    if (route.rejection) return fail(route.rejection);

    const fault = faultQueue.next(route.service, route.operation);
    if (fault?.delayMs) await new Promise((r) => setTimeout(r, fault.delayMs));
    if (fault?.reset) {
      record(0);
      return undefined;
    }
    const retryAfter: Record<string, string> = fault?.retryAfterSeconds !== undefined ? { 'Retry-After': String(fault.retryAfterSeconds) } : {};
    if (fault?.throttle) return fail(withHeaders(wire.throttle(fault.retryAfterSeconds), retryAfter));
    if (fault?.body !== undefined) {
      const status = fault.status ?? 200;
      record(status);
      return { status, body: fault.body, headers: wire.success(undefined, route, requestId).headers ?? {} };
    }
    if (fault?.status !== undefined) {
      const code = fault.code ?? statusCode(fault.status);
      return fail(withHeaders(new ServiceError(fault.status, code, fault.message ?? code), retryAfter));
    }

    const service = services.find((s) => s.name === route.service)!;
    const operation = Object.hasOwn(service.operations, route.operation) ? service.operations[route.operation]! : undefined;
    if (!operation) return fail(new ServiceError(400, 'UnknownOperation', `no operation ${route.operation}`));
    try {
      let output = await operation(route.input, {
        identity: verdict.identity,
        ...(region && { region }),
        now: at,
        requestId,
        expiredToken: fault?.expiredToken === true,
        request,
      });
      if (fault?.transform && output && typeof output === 'object') output = fault.transform(output as Record<string, unknown>);
      record(200);
      return wire.success(output, route, requestId);
    } catch (err) {
      if (err instanceof ServiceError) return fail(err);
      return fail(new ServiceError(500, statusCode(500), 'The request processing has failed due to some unknown error.'));
    }
  }

  const listening = await listenOnLoopback(server);
  return {
    url: listening.url,
    endpoint: `127.0.0.1:${listening.port}`,
    calls,
    inject: (service, operation, fault) => faultQueue.add(service, operation, fault),
    clearFaults: () => faultQueue.clear(),
    count: (service, operation) => calls.filter((c) => c.service === service && c.operation === operation && c.status === 200).length,
    settled: () => (inFlight === 0 ? Promise.resolve() : new Promise<void>((resolve) => waiting.push(resolve))),
    stop: listening.stop,
  };
}

/** A generic error code for an injected status; a wire may map it to its cloud's own. */
export function codeForStatus(status: number): string {
  if (status === 429) return 'Throttling';
  if (status === 401) return 'AuthFailure';
  if (status === 403) return 'AccessDenied';
  if (status === 503) return 'ServiceUnavailable';
  if (status >= 500) return 'InternalError';
  return 'InvalidParameter';
}

function withHeaders(error: ServiceError, headers: Record<string, string>): ServiceError {
  return new ServiceError(error.status, error.code, error.message, { ...error.headers, ...headers });
}

class FaultQueue {
  readonly #queues = new Map<string, Array<{ fault: Fault; left: number }>>();

  add(service: string, operation: string, fault: Fault): void {
    const left = fault.times ?? 1;
    if (!(left > 0)) throw new RangeError('fault.times must be positive');
    const key = `${service}.${operation}`;
    this.#queues.set(key, [...(this.#queues.get(key) ?? []), { fault, left }]);
  }

  next(service: string, operation: string): Fault | undefined {
    const queue = this.#queues.get(`${service}.${operation}`);
    const head = queue?.[0];
    if (!head) return undefined;
    if (--head.left <= 0) queue.shift();
    return head.fault;
  }

  clear(): void {
    this.#queues.clear();
  }
}
