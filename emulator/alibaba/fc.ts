/**
 * A loopback emulator of the Function Compute 3.0 API (ROA, version 2023-03-30, JSON bodies):
 * the calls a deployment makes (Get/Create/UpdateFunction, Get/Create/UpdateTrigger) and
 * InvokeFunction. Every request's ACS3-HMAC-SHA256 signature is verified with the same
 * independent verifier as the other Alibaba products (acs3.ts). It is a server of its own because
 * FC's API takes JSON bodies and paths, which the RPC-shaped product plug-in does not carry.
 */
import { createHash, randomUUID } from 'node:crypto';
import http from 'node:http';
import { unzipSync } from 'fflate';
import { verifyAcs3, type AcsIdentity } from './acs3.js';
import { apiError, newRequestId, type ApiAnswer } from './product.js';
import { DEFAULT_IDENTITY } from './server.js';
import { bodyServer, listenOnLoopback } from '../http-server.js';

export const FC_VERSION = '2023-03-30';

export interface FcFunction {
  functionName: string;
  functionId: string;
  functionArn: string;
  runtime: string;
  handler: string;
  role?: string;
  timeout: number;
  memorySize: number;
  description?: string;
  environmentVariables: Record<string, string>;
  codeSize: number;
  codeChecksum: string;
  createdTime: string;
  lastModifiedTime: string;
  state: 'Active';
  /** The unpacked code package (file name → bytes), for tests to inspect. */
  files: Record<string, Uint8Array>;
}

export interface FcTrigger {
  triggerName: string;
  triggerType: string;
  triggerId: string;
  triggerConfig: string;
  description?: string;
  qualifier: string;
  createdTime: string;
  lastModifiedTime: string;
  httpTrigger?: { urlInternet: string; urlIntranet: string };
}

export interface FcCall {
  action: string;
  method: string;
  path: string;
  status: number;
  code?: string;
  /** The JSON body, with `code.zipFile` replaced by its length. */
  body?: unknown;
}

export interface FcEmulator {
  readonly url: string;
  readonly endpoint: string;
  readonly calls: FcCall[];
  readonly functions: Map<string, FcFunction>;
  /** Keyed `<function>/<trigger>`. */
  readonly triggers: Map<string, FcTrigger>;
  stop(): Promise<void>;
}

export interface FcEmulatorOptions {
  identities?: AcsIdentity[];
  accountId?: string;
  region?: string;
  /** InvokeFunction runs these in process, by function name (the event is the request body). */
  invokers?: Record<string, (event: Buffer) => Promise<unknown>>;
  now?: () => number;
}

const MAX_BODY_BYTES = 64 << 20;
const NAME = /^[A-Za-z_][A-Za-z0-9_-]{0,127}$/;
const RUNTIMES = ['nodejs20', 'nodejs18', 'nodejs16', 'python3.10', 'custom.debian10', 'custom-container'];
const TRIGGER_TYPES = ['http', 'timer', 'eventbridge', 'oss', 'log', 'mns_topic', 'tablestore', 'cdn_events'];

/**
 * @example
 * const fcEmu = await startFcEmulator();
 * const client = new FC.default(new OpenApi.Config({ ...keys, endpoint: fcEmu.endpoint, protocol: 'http' }));
 * await fcEmu.stop();
 */
export async function startFcEmulator(options: FcEmulatorOptions = {}): Promise<FcEmulator> {
  const identities = options.identities ?? [DEFAULT_IDENTITY];
  const now = options.now ?? Date.now;
  const accountId = options.accountId ?? '1234567890123456';
  const region = options.region ?? 'cn-hangzhou';
  const functions = new Map<string, FcFunction>();
  const triggers = new Map<string, FcTrigger>();
  const calls: FcCall[] = [];
  const nonces = new Map<string, number>();

  const server = bodyServer(MAX_BODY_BYTES, (req, res, body) => {
    void handle(req, body)
      .catch(() => apiError(500, 'InternalError', 'emulator failure', newRequestId()))
      .then((answer) => send(res, answer));
  });

  async function handle(req: http.IncomingMessage, raw: Buffer): Promise<ApiAnswer> {
    const method = req.method ?? 'GET';
    const url = req.url ?? '/';
    const path = url.split('?')[0] ?? '/';
    const action = String(req.headers['x-acs-action'] ?? '');
    const requestId = newRequestId();
    let body: unknown;
    const record = (answer: ApiAnswer) => {
      const code = (answer.body as { Code?: unknown } | null)?.Code;
      calls.push({ action, method, path, status: answer.status, ...(typeof code === 'string' && answer.status >= 400 && { code }), ...(body !== undefined && { body: redact(body) }) });
      return answer;
    };

    const verified = verifyAcs3({ method, url, headers: req.headers, body: raw }, { identities, now: now(), nonces });
    if (!verified.ok) return record(apiError(verified.status, verified.code, verified.message, requestId));
    if (req.headers['x-acs-version'] !== FC_VERSION) return record(apiError(400, 'InvalidVersion', 'Specified parameter Version is not valid.', requestId));

    const route = /^\/2023-03-30\/functions(?:\/([^/]+)(?:\/(triggers|invocations)(?:\/([^/]+))?)?)?$/.exec(path);
    if (!route) return record(apiError(404, 'InvalidAction.NotFound', 'Specified api is not found, please check your url and method.', requestId));
    const [, fnName, sub, triggerName] = route.map((p) => (p === undefined ? undefined : decodeURIComponent(p)));

    if (sub === 'invocations' && method === 'POST' && fnName) {
      const invoker = options.invokers?.[fnName];
      if (!functions.has(fnName) || !invoker) return record(notFound('Function', fnName, requestId));
      return record({ status: 200, body: await invoker(raw) });
    }
    if (raw.length) {
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch {
        return record(apiError(400, 'InvalidArgument', 'request body is not JSON', requestId));
      }
    }
    const at = new Date(now()).toISOString();

    if (!sub) {
      if (method === 'POST' && !fnName) return record(createFunction(body, at, requestId));
      if (method === 'GET' && fnName) return record(functions.has(fnName) ? ok(view(functions.get(fnName)!)) : notFound('Function', fnName, requestId));
      if (method === 'PUT' && fnName) return record(updateFunction(fnName, body, at, requestId));
    }
    if (sub === 'triggers' && fnName) {
      if (!functions.has(fnName)) return record(notFound('Function', fnName, requestId));
      if (method === 'POST' && !triggerName) return record(createTrigger(fnName, body, at, requestId));
      const key = `${fnName}/${triggerName}`;
      if (method === 'GET' && triggerName) return record(triggers.has(key) ? ok(triggers.get(key)) : notFound('Trigger', triggerName, requestId));
      if (method === 'PUT' && triggerName) return record(updateTrigger(key, body, at, requestId));
    }
    return record(apiError(404, 'InvalidAction.NotFound', 'Specified api is not found, please check your url and method.', requestId));
  }

  function createFunction(input: unknown, at: string, requestId: string): ApiAnswer {
    const b = (input ?? {}) as Record<string, unknown>;
    if (typeof b.functionName !== 'string' || !NAME.test(b.functionName)) return invalid('functionName', requestId);
    if (functions.has(b.functionName)) return apiError(409, 'FunctionAlreadyExists', `function '${b.functionName}' already exists`, requestId);
    const fields = functionFields(b, requestId, true);
    if ('status' in fields) return fields;
    const fn: FcFunction = {
      functionName: b.functionName,
      functionId: randomUUID(),
      functionArn: `acs:fc:${region}:${accountId}:functions/${b.functionName}`,
      createdTime: at,
      lastModifiedTime: at,
      state: 'Active',
      ...(fields as Omit<FcFunction, 'functionName' | 'functionId' | 'functionArn' | 'createdTime' | 'lastModifiedTime' | 'state'>),
      // FC's defaults for what the request left out
      timeout: fields.timeout ?? 3,
      memorySize: fields.memorySize ?? 512,
      environmentVariables: fields.environmentVariables ?? {},
    };
    functions.set(fn.functionName, fn);
    return ok(view(fn));
  }

  function updateFunction(name: string, input: unknown, at: string, requestId: string): ApiAnswer {
    const fn = functions.get(name);
    if (!fn) return notFound('Function', name, requestId);
    const fields = functionFields((input ?? {}) as Record<string, unknown>, requestId, false);
    if ('status' in fields) return fields;
    Object.assign(fn, fields, { lastModifiedTime: at });
    return ok(view(fn));
  }

  /** Validate the fields a CreateFunction/UpdateFunction body may set; unknown fields are ignored like FC does. */
  function functionFields(b: Record<string, unknown>, requestId: string, creating: boolean): Partial<FcFunction> | ApiAnswer {
    const out: Partial<FcFunction> = {};
    if (creating || b.runtime !== undefined) {
      if (typeof b.runtime !== 'string' || !RUNTIMES.includes(b.runtime)) return invalid('runtime', requestId);
      out.runtime = b.runtime;
    }
    if (creating || b.handler !== undefined) {
      if (typeof b.handler !== 'string' || !/^[\w.-]+\.[\w$]+$/.test(b.handler)) return invalid('handler', requestId);
      out.handler = b.handler;
    }
    if (b.role !== undefined) {
      if (typeof b.role !== 'string' || !/^acs:ram::\d+:role\/[\w.@-]+$/i.test(b.role)) return invalid('role', requestId);
      out.role = b.role;
    }
    for (const [key, min, max] of [['timeout', 1, 86_400], ['memorySize', 64, 32_768]] as const) {
      if (b[key] === undefined) continue;
      const v = b[key];
      if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) return invalid(key, requestId);
      out[key] = v;
    }
    if (b.description !== undefined) out.description = String(b.description);
    if (b.environmentVariables !== undefined) {
      const env = b.environmentVariables;
      if (!env || typeof env !== 'object' || Object.values(env).some((v) => typeof v !== 'string')) return invalid('environmentVariables', requestId);
      out.environmentVariables = env as Record<string, string>;
    }
    if (creating || b.code !== undefined) {
      const zipFile = (b.code as { zipFile?: unknown } | undefined)?.zipFile;
      if (typeof zipFile !== 'string') return invalid('code.zipFile', requestId);
      const zip = Buffer.from(zipFile, 'base64');
      try {
        out.files = unzipSync(zip);
      } catch {
        return apiError(400, 'InvalidArgument', 'code.zipFile is not a zip archive', requestId);
      }
      out.codeSize = zip.length;
      out.codeChecksum = createHash('sha256').update(zip).digest('hex');
    }
    return out;
  }

  function createTrigger(fnName: string, input: unknown, at: string, requestId: string): ApiAnswer {
    const b = (input ?? {}) as Record<string, unknown>;
    if (typeof b.triggerName !== 'string' || !NAME.test(b.triggerName)) return invalid('triggerName', requestId);
    if (typeof b.triggerType !== 'string' || !TRIGGER_TYPES.includes(b.triggerType)) return invalid('triggerType', requestId);
    const key = `${fnName}/${b.triggerName}`;
    if (triggers.has(key)) return apiError(409, 'TriggerAlreadyExists', `trigger '${b.triggerName}' already exists`, requestId);
    const config = triggerConfig(b.triggerType, b.triggerConfig, requestId);
    if (typeof config !== 'string') return config;
    const id = randomUUID();
    const trigger: FcTrigger = {
      triggerName: b.triggerName,
      triggerType: b.triggerType,
      triggerId: id,
      triggerConfig: config,
      qualifier: typeof b.qualifier === 'string' ? b.qualifier : 'LATEST',
      createdTime: at,
      lastModifiedTime: at,
      ...(typeof b.description === 'string' && { description: b.description }),
      ...(b.triggerType === 'http' && {
        httpTrigger: { urlInternet: `https://${fnName}-${id.slice(0, 8)}.${region}.fcapp.run`, urlIntranet: `https://${fnName}-${id.slice(0, 8)}.${region}-vpc.fcapp.run` },
      }),
    };
    triggers.set(key, trigger);
    return ok(trigger);
  }

  function updateTrigger(key: string, input: unknown, at: string, requestId: string): ApiAnswer {
    const trigger = triggers.get(key);
    if (!trigger) return notFound('Trigger', key.split('/')[1]!, requestId);
    const b = (input ?? {}) as Record<string, unknown>;
    if (b.triggerConfig !== undefined) {
      const config = triggerConfig(trigger.triggerType, b.triggerConfig, requestId);
      if (typeof config !== 'string') return config;
      trigger.triggerConfig = config;
    }
    if (typeof b.description === 'string') trigger.description = b.description;
    trigger.lastModifiedTime = at;
    return ok(trigger);
  }

  /** triggerConfig is a JSON string; http and timer configs are checked field by field. */
  function triggerConfig(type: string, value: unknown, requestId: string): string | ApiAnswer {
    let config: Record<string, unknown>;
    try {
      config = JSON.parse(String(value));
    } catch {
      return invalid('triggerConfig', requestId);
    }
    if (!config || typeof config !== 'object') return invalid('triggerConfig', requestId);
    if (type === 'http') {
      if (!['anonymous', 'function', 'jwt'].includes(String(config.authType))) return invalid('triggerConfig.authType', requestId);
      if (!Array.isArray(config.methods) || !config.methods.length || config.methods.some((m) => !['GET', 'POST', 'PUT', 'DELETE', 'HEAD', 'PATCH', 'OPTIONS'].includes(m))) {
        return invalid('triggerConfig.methods', requestId);
      }
    }
    if (type === 'timer') {
      if (typeof config.cronExpression !== 'string' || !/^(@every \d+[hm]|(\S+ ){5}\S+|CRON_TZ=\S+ (\S+ ){5}\S+)$/.test(config.cronExpression)) {
        return invalid('triggerConfig.cronExpression', requestId);
      }
      if (typeof config.enable !== 'boolean') return invalid('triggerConfig.enable', requestId);
      if (config.payload !== undefined && typeof config.payload !== 'string') return invalid('triggerConfig.payload', requestId);
    }
    return JSON.stringify(config);
  }

  const listening = await listenOnLoopback(server);
  return {
    url: listening.url,
    endpoint: `127.0.0.1:${listening.port}`,
    calls,
    functions,
    triggers,
    stop: listening.stop,
  };
}

/** The function as GetFunction answers it (the code is not part of the answer). */
function view(fn: FcFunction): Omit<FcFunction, 'files'> {
  const { files: _files, ...rest } = fn;
  return rest;
}

function ok(body: unknown): ApiAnswer {
  return { status: 200, body };
}

function notFound(kind: 'Function' | 'Trigger', name: string, requestId: string): ApiAnswer {
  return apiError(404, `${kind}NotFound`, `${kind.toLowerCase()} '${name}' does not exist`, requestId);
}

function invalid(field: string, requestId: string): ApiAnswer {
  return apiError(400, 'InvalidArgument', `${field} is invalid`, requestId);
}

function redact(body: unknown): unknown {
  const zip = (body as { code?: { zipFile?: unknown } } | null)?.code?.zipFile;
  if (typeof zip !== 'string') return body;
  return { ...(body as object), code: { zipFile: `[${zip.length} chars]` } };
}

function send(res: http.ServerResponse, answer: ApiAnswer): void {
  const json = JSON.stringify(answer.body ?? null);
  res.writeHead(answer.status, { 'content-type': 'application/json;charset=utf-8', 'content-length': Buffer.byteLength(json), 'x-fc-request-id': randomUUID() });
  res.end(json);
}
