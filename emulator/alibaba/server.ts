/**
 * A loopback emulator of Alibaba Cloud's OpenAPI gateway: one HTTP server on 127.0.0.1 that
 * verifies every request's ACS3-HMAC-SHA256 signature (emulator/alibaba/acs3.ts), routes it by
 * `x-acs-version` / `x-acs-action` to a product (CR personal, CR EE, KMS), records the call
 * (never a secret) and injects faults on demand. The real SDK talks to it over plain HTTP.
 */
import http from 'node:http';
import { parseQuery, verifyAcs3, type AcsIdentity } from './acs3.js';
import { crEnterpriseProduct, crPersonalProduct, type EeInstance } from './cr.js';
import { FaultQueue, type Fault } from './faults.js';
import { KmsState, kmsProduct } from './kms.js';
import { apiError, newRequestId, type ApiAnswer, type Product } from './product.js';
import { bodyServer, listenOnLoopback } from '../http-server.js';

export { faults, type Fault } from './faults.js';
export type { AcsIdentity } from './acs3.js';

/** The emulator's default caller: an STS role session like the one FC hands a function. */
export const DEFAULT_IDENTITY: AcsIdentity = {
  accessKeyId: 'STS.NUemulatorRoleSession',
  accessKeySecret: 'emulator-role-session-secret',
  securityToken: 'CAIS.emulator-security-token',
};

export interface AlibabaEmulatorOptions {
  /** Keys the gateway accepts (default: {@link DEFAULT_IDENTITY}). */
  identities?: AcsIdentity[];
  /** The gateway's clock, for x-acs-date checks, token expiries and session ends. */
  now?: () => number;
  /** Temporary registry login both CR products mint. */
  tokens?: { username?: string; password?: string; lifetimeMs?: number; capToSession?: boolean };
  /** CR EE instances by id (default: `cri-emulator`). */
  instances?: Record<string, EeInstance>;
  /** KMS generic secrets to create: name → first ACSCurrent value (undefined: no version yet). */
  secrets?: Record<string, string | undefined>;
  /** Extra products, e.g. a future FC or STS emulation. */
  products?: Product[];
}

export interface RecordedCall {
  product: string;
  action: string;
  version: string;
  method: string;
  path: string;
  status: number;
  code?: string;
  accessKeyId?: string;
  /** Request parameters, with SecretData replaced by its length. */
  params: Record<string, string>;
  /** Names of the parameters that travelled in the URL (to prove secrets did not). */
  queryNames: string[];
}

export interface AlibabaEmulator {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** `127.0.0.1:<port>`, what the SDK's `endpoint` takes. */
  readonly endpoint: string;
  readonly calls: RecordedCall[];
  readonly kms: KmsState;
  readonly identities: AcsIdentity[];
  /** Queue a fault for an action (one-shot FIFO unless persistent). */
  inject(action: string, fault: Fault, options?: { persistent?: boolean }): void;
  clearFaults(): void;
  stop(): Promise<void>;
}

const MAX_BODY_BYTES = 1 << 20;

/**
 * @example
 * const emu = await startAlibabaEmulator({ instances: { 'cri-abc': { domain: 'abc-registry.cn-hangzhou.cr.aliyuncs.com' } } });
 * const client = createAlibabaClient({ endpoint: emu.endpoint, protocol: 'http', keys: DEFAULT_IDENTITY });
 * await emu.stop();
 */
export async function startAlibabaEmulator(options: AlibabaEmulatorOptions = {}): Promise<AlibabaEmulator> {
  const now = options.now ?? Date.now;
  const identities = options.identities ?? [DEFAULT_IDENTITY];
  const tokenSettings = {
    username: options.tokens?.username ?? 'cr_temp_user',
    password: options.tokens?.password,
    lifetimeMs: options.tokens?.lifetimeMs ?? 60 * 60_000,
    capToSession: options.tokens?.capToSession ?? true,
  };
  const kms = new KmsState();
  for (const [name, value] of Object.entries(options.secrets ?? {})) kms.createSecret(name, value, now());
  const products = [
    crPersonalProduct(tokenSettings),
    crEnterpriseProduct(tokenSettings, options.instances ?? { 'cri-emulator': { domain: 'emulator-registry.cn-hangzhou.cr.aliyuncs.com' } }),
    kmsProduct(kms),
    ...(options.products ?? []),
  ];
  const faultQueue = new FaultQueue();
  const calls: RecordedCall[] = [];
  const nonces = new Map<string, number>();

  const server = bodyServer(MAX_BODY_BYTES, (req, res, body) => {
    void handle(req, res, body).catch(() => {
      if (!res.headersSent) send(res, apiError(500, 'InternalError', 'emulator failure', newRequestId()));
    });
  });

  async function handle(req: http.IncomingMessage, res: http.ServerResponse, body: Buffer): Promise<void> {
    const method = req.method ?? 'GET';
    const url = req.url ?? '/';
    const path = url.split('?')[0] || '/';
    const action = String(req.headers['x-acs-action'] ?? '');
    const version = String(req.headers['x-acs-version'] ?? '');
    const requestId = newRequestId();
    const params = requestParams(url, req.headers['content-type'], body);
    const record = (product: string, answer: ApiAnswer, accessKeyId?: string) => {
      const code = (answer.body as { Code?: unknown } | null)?.Code;
      calls.push({
        product, action, version, method, path, status: answer.status,
        ...(answer.status >= 400 && typeof code === 'string' ? { code } : {}),
        ...(accessKeyId ? { accessKeyId } : {}),
        params: redactParams(params),
        queryNames: url.includes('?') ? parseQuery(url.slice(url.indexOf('?') + 1)).map(([k]) => k) : [],
      });
    };

    const verified = verifyAcs3({ method, url, headers: req.headers, body }, { identities, now: now(), nonces });
    if (!verified.ok) {
      const answer = apiError(verified.status, verified.code, verified.message, requestId);
      record('gateway', answer);
      return send(res, answer);
    }
    const product = products.find((p) => p.version === version);
    if (!product) {
      const answer = apiError(400, 'InvalidVersion', 'Specified parameter Version is not valid.', requestId);
      record('gateway', answer, verified.identity.accessKeyId);
      return send(res, answer);
    }

    const fault = faultQueue.next(action);
    if (fault?.kind === 'reset') {
      record(product.name, { status: 0, body: null }, verified.identity.accessKeyId);
      req.socket.destroy();
      return;
    }
    if (fault?.kind === 'delay') await new Promise((r) => setTimeout(r, fault.ms));
    if (fault?.kind === 'error') {
      const answer = apiError(fault.status, fault.code, fault.message ?? fault.code, requestId);
      record(product.name, answer, verified.identity.accessKeyId);
      return send(res, answer);
    }

    const answer =
      product.handle({ action, method, path, params, identity: verified.identity, now: now(), requestId, expiredToken: fault?.kind === 'expiredToken' }) ??
      apiError(404, 'InvalidAction.NotFound', 'Specified api is not found, please check your url and method.', requestId);
    record(product.name, answer, verified.identity.accessKeyId);
    if (fault?.kind === 'malformed' && answer.status < 400) {
      res.writeHead(200, { 'content-type': 'application/json;charset=utf-8' });
      res.end('{"RequestId":"truncated');
      return;
    }
    if (fault?.kind === 'transform' && answer.status < 400 && answer.body && typeof answer.body === 'object') {
      return send(res, { status: answer.status, body: fault.transform(answer.body as Record<string, unknown>) });
    }
    send(res, answer);
  }

  const listening = await listenOnLoopback(server);

  return {
    url: listening.url,
    endpoint: `127.0.0.1:${listening.port}`,
    calls,
    kms,
    identities,
    inject: (action, fault, opts) => faultQueue.add(action, fault, opts),
    clearFaults: () => faultQueue.clear(),
    stop: listening.stop,
  };
}

function send(res: http.ServerResponse, answer: ApiAnswer): void {
  const json = JSON.stringify(answer.body);
  res.writeHead(answer.status, { 'content-type': 'application/json;charset=utf-8', 'content-length': Buffer.byteLength(json) });
  res.end(json);
}

/** RPC parameters arrive in the query and, for large values, as a form body: both count. */
function requestParams(url: string, contentType: string | undefined, body: Buffer): Record<string, string> {
  const q = url.indexOf('?');
  const pairs = q < 0 ? [] : parseQuery(url.slice(q + 1));
  if (contentType?.startsWith('application/x-www-form-urlencoded') && body.length) pairs.push(...parseQuery(body.toString('utf8')));
  return Object.fromEntries(pairs);
}

function redactParams(params: Record<string, string>): Record<string, string> {
  const copy = { ...params };
  if ('SecretData' in copy) copy['SecretData'] = `[${copy['SecretData']!.length} chars]`;
  return copy;
}
