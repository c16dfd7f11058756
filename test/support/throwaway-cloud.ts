/**
 * A throwaway cloud that exists only in tests: its whole "SDK", emulator, provider and handler fit
 * in this file, and it joins regcred through the two tables of clouds (core/clouds.ts,
 * dev/clouds.ts) and nothing else. If adding it needs an edit anywhere else, the tables are
 * not the only place that knows the clouds.
 */
import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import type { CloudModule } from '../../core/cloud-module.js';
import { loadConfig } from '../../core/config.js';
import type { CredentialProvider, RegistryCredential, RegistryTarget } from '../../core/provider.js';
import { BadRequestError, UpstreamError, UpstreamUnavailableError } from '../../core/errors.js';
import { createLogger } from '../../core/log.js';
import { createMetrics } from '../../core/metrics.js';
import { CredentialService } from '../../core/service.js';
import type { CloudDev, Invoker, LocalCloud } from '../../dev/local-cloud.js';
import type { LocalAnswer, LocalRequest } from '../../emulator/trigger.js';
import { httpPipeline } from '../../handlers/shared/pipeline.js';
import { ServiceError, startFrontEnd, type CloudWire } from '../../emulator/front-end.js';
import type { WireRequest } from '../../emulator/http-server.js';

const ENDPOINT = 'THROWAWAY_ENDPOINT_URL';
/** The function role's key (what the toy API checks) and the local caller's key (what the toy trigger checks). */
const ROLE = { id: 'TOYROLE1', secret: 'toy-role-secret-8a51c0' };
const CALLER = { id: 'TOYCALLER1', secret: 'toy-caller-secret-41d9e2' };

const sign = (secret: string, text: string) => createHmac('sha256', secret).update(text).digest('hex');
const header = (req: WireRequest, name: string) => String(req.headers[name] ?? '');

function verified(req: WireRequest, key: { id: string; secret: string }): boolean {
  const [id, signature = ''] = header(req, 'authorization').replace(/^Toy /, '').split(':');
  const expected = Buffer.from(sign(key.secret, `${req.method} ${req.url}`));
  return id === key.id && signature.length === expected.length && timingSafeEqual(Buffer.from(signature), expected);
}

/** The toy API: `POST /token?region=R` signed `Authorization: Toy <id>:<hmac(method url)>`. */
const toyWire: CloudWire = {
  cloud: 'throwaway',
  route: (req) => (req.method === 'POST' && req.url.startsWith('/token?') ? { service: 'toy', operation: 'MintToken', input: Object.fromEntries(new URL(req.url, 'http://x').searchParams) } : new ServiceError(404, 'NoSuchOperation', 'no such operation')),
  verify: (req) => (verified(req, ROLE) ? { ok: true, identity: { accessKeyId: ROLE.id } } : { ok: false, status: 401, code: 'BadSignature', message: 'signature rejected' }),
  success: (output) => ({ status: 200, body: JSON.stringify(output), headers: { 'content-type': 'application/json' } }),
  error: (err) => ({ status: err.status, body: JSON.stringify({ error: { code: err.code, message: err.message } }), headers: { 'content-type': 'application/json', ...err.headers } }),
  throttle: () => new ServiceError(429, 'SlowDown', 'slow down'),
};

const registryOf = (region: string) => `toy-${region}.registry.test`;

class ToyProvider implements CredentialProvider {
  readonly id = 'toy';
  constructor(private readonly endpoint: string) {}

  mayServe(target: RegistryTarget, host: string): boolean {
    return host === registryOf(target.region);
  }

  async fetch(target: RegistryTarget, signal: AbortSignal): Promise<RegistryCredential[]> {
    const path = `/token?region=${target.region}`;
    let res: Response;
    try {
      res = await fetch(`${this.endpoint}${path}`, { method: 'POST', signal, headers: { authorization: `Toy ${ROLE.id}:${sign(ROLE.secret, `POST ${path}`)}` } });
    } catch (err) {
      if (signal.aborted) throw err;
      throw new UpstreamError('UpstreamError', 'MintToken failed: no answer', { cause: err, retryable: true });
    }
    if (res.status === 429) throw new UpstreamUnavailableError('UpstreamThrottled', 'MintToken was throttled', { retryAfterSeconds: Number(res.headers.get('retry-after') ?? 1) });
    if (res.status >= 500) throw new UpstreamError('UpstreamError', `MintToken failed (${res.status})`, { retryable: true });
    if (res.status !== 200) throw new UpstreamError('UpstreamAccessDenied', `MintToken was denied (${res.status})`);
    const body = (await res.json().catch(() => ({}))) as { username?: unknown; password?: unknown; expiresAt?: unknown };
    if (typeof body.username !== 'string' || typeof body.password !== 'string' || typeof body.expiresAt !== 'number' || body.expiresAt <= Date.now()) {
      throw new UpstreamError('UpstreamInvalidResponse', 'MintToken answer is malformed');
    }
    return [{ registry: registryOf(target.region), username: body.username, password: body.password, expiresAt: new Date(body.expiresAt), provider: this.id, region: target.region }];
  }
}

export const THROWAWAY: CloudModule = { id: 'throwaway', providers: [{ id: 'toy' }], stores: [], endpointVariables: [ENDPOINT], sdkPackages: [] };

/** The toy platform's event is the request itself; anything else is a 400 naming what is wrong. */
function toyEvent(event: unknown): LocalRequest {
  const e = event as Partial<Record<keyof LocalRequest, unknown>> | null;
  if (typeof e !== 'object' || e === null || Array.isArray(e)) throw new BadRequestError('event must be a JSON object');
  for (const field of ['method', 'path', 'query'] as const) if (typeof e[field] !== 'string') throw new BadRequestError(`event.${field} must be a string`);
  return e as LocalRequest;
}

function invoker(env: Record<string, string | undefined>, write?: (line: string) => void): Invoker {
  const handle = rawHttp(env, write);
  return (req) => handle(req);
}

function rawHttp(env: Record<string, string | undefined>, write?: (line: string) => void): (event: unknown) => Promise<LocalAnswer> {
  const config = loadConfig(env, THROWAWAY);
  const log = createLogger({ level: config.logLevel, ...(write && { write }) });
  const service = new CredentialService({ registries: config.registries, providers: { toy: () => new ToyProvider(config.endpoints[ENDPOINT]!) }, retry: config.retry, log });
  // The toy platform hands no context: each invocation gets its own request id and a 9.5 s budget.
  const invocation = () => {
    const requestId = randomUUID();
    const metrics = createMetrics({ function: 'throwaway-http', sink: 'log', context: { requestId }, ...(write && { write }) });
    return { deadline: Date.now() + 9_500, requestId, log: log.child({ requestId }), metrics };
  };
  const toApiRequest = (event: unknown) => {
    const req = toyEvent(event);
    return { method: req.method, path: req.path, query: req.query, ...(req.caller && { caller: req.caller, callerVerified: true }) };
  };
  const handle = httpPipeline(() => ({ config, log, service, invocation }), { toApiRequest, toResult: (answer) => answer });
  return (event) => handle(event);
}

async function startLocal(): Promise<LocalCloud> {
  const emulator = await startFrontEnd({
    wire: toyWire,
    services: [{ name: 'toy', operations: { MintToken: () => ({ username: 'toy', password: `toy-password-${randomUUID()}`, expiresAt: Date.now() + 3_600_000 }) } }],
  });
  return {
    registries: 'toy:north-1,toy:south-1',
    hosts: [registryOf('north-1'), registryOf('south-1')],
    env: { [ENDPOINT]: emulator.url },
    emulator,
    mint: [{ service: 'toy', operation: 'MintToken', registry: 'toy:north-1' }],
    http: invoker,
    rawHttp,
    httpEvent: (req) => req,
    malformedHttpEvents: [['an event that is not an object', 'GET /credentials'], ['an event without path', { method: 'GET', query: '' }]],
    trigger: {
      verify: (req) => (verified(req, CALLER) ? { ok: true, caller: CALLER.id } : { ok: false }),
      banner: (url) => [`  curl -s -H "Authorization: Toy ${CALLER.id}:${sign(CALLER.secret, 'GET /credentials')}" "${url}/credentials"`],
    },
    secrets: [ROLE.secret, CALLER.secret],
    stop: () => emulator.stop(),
  };
}

export const THROWAWAY_DEV: CloudDev = { id: 'throwaway', invoker, startLocal };

/** The caller's signature for a local request (what the banner's curl carries). */
export const callerAuthorization = (method: string, url: string) => `Toy ${CALLER.id}:${sign(CALLER.secret, `${method} ${url}`)}`;
