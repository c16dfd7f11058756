/**
 * Function Compute 3.0 (ROA, version 2023-03-30, JSON bodies) for the Alibaba wire: the calls a
 * deployment makes (Get/Create/UpdateFunction, Get/Create/UpdateTrigger) and InvokeFunction, each
 * routed by its action and path. `startFcEmulator` serves it alone on the shared front end with a
 * body limit that fits a code package; it can also join the other products in
 * `startAlibabaEmulator({ products: [fcService()] })`.
 */
import { createHash, randomUUID } from 'node:crypto';
import { unzipSync } from 'fflate';
import { ServiceError, startFrontEnd, type FrontEnd, type OperationContext } from '../front-end.js';
import type { AcsIdentity } from './acs3.js';
import { DEFAULT_IDENTITY } from './server.js';
import { alibabaWire, type AlibabaService } from './wire.js';

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

export interface FcEmulator extends FrontEnd {
  readonly functions: Map<string, FcFunction>;
  /** Keyed `<function>/<trigger>`. */
  readonly triggers: Map<string, FcTrigger>;
}

export interface FcServiceOptions {
  accountId?: string;
  region?: string;
  /** InvokeFunction runs these in process, by function name (the event is the request body). */
  invokers?: Record<string, (event: Buffer) => Promise<unknown>>;
}

export interface FcEmulatorOptions extends FcServiceOptions {
  identities?: AcsIdentity[];
  now?: () => number;
}

export type FcService = AlibabaService & Pick<FcEmulator, 'functions' | 'triggers'>;

/** Code packages travel base64 in the JSON body. */
const MAX_BODY_BYTES = 64 << 20;
const NAME = /^[A-Za-z_][A-Za-z0-9_-]{0,127}$/;
const RUNTIMES = ['nodejs20', 'nodejs18', 'nodejs16', 'python3.10', 'custom.debian10', 'custom-container'];
const TRIGGER_TYPES = ['http', 'timer', 'eventbridge', 'oss', 'log', 'mns_topic', 'tablestore', 'cdn_events'];
const FUNCTIONS = '/2023-03-30/functions';
const FUNCTION = `${FUNCTIONS}/(?<functionName>[^/]+)`;
const TRIGGER = `${FUNCTION}/triggers/(?<triggerName>[^/]+)`;
const path = (pattern: string) => new RegExp(`^${pattern}$`);

/**
 * @example
 * const fcEmu = await startFcEmulator();
 * const client = new FC.default(new OpenApi.Config({ ...keys, endpoint: fcEmu.endpoint, protocol: 'http' }));
 * fcEmu.inject('fc', 'CreateFunction', alibabaFaults.serviceUnavailable());
 * await fcEmu.stop();
 */
export async function startFcEmulator(options: FcEmulatorOptions = {}): Promise<FcEmulator> {
  const fc = fcService(options);
  const frontEnd = await startFrontEnd({
    wire: alibabaWire(options.identities ?? [DEFAULT_IDENTITY]),
    services: [fc],
    maxBodyBytes: MAX_BODY_BYTES,
    ...(options.now && { now: options.now }),
  });
  return Object.assign(frontEnd, { functions: fc.functions, triggers: fc.triggers });
}

/**
 * The FC 3.0 product (service name `fc`), for {@link startFcEmulator} or the `products` of the
 * Alibaba emulator; its functions and triggers are on the returned object for tests to read.
 */
export function fcService(options: FcServiceOptions = {}): FcService {
  const accountId = options.accountId ?? '1234567890123456';
  const region = options.region ?? 'cn-hangzhou';
  const functions = new Map<string, FcFunction>();
  const triggers = new Map<string, FcTrigger>();
  const at = (ctx: OperationContext) => new Date(ctx.now).toISOString();
  const existing = (name: unknown): FcFunction => {
    const fn = functions.get(String(name));
    if (!fn) throw notFound('Function', String(name));
    return fn;
  };

  return {
    name: 'fc',
    version: FC_VERSION,
    requestIdHeader: 'x-fc-request-id',
    functions,
    triggers,
    paths: {
      CreateFunction: { method: 'POST', path: path(FUNCTIONS), json: true },
      GetFunction: { method: 'GET', path: path(FUNCTION), json: true },
      UpdateFunction: { method: 'PUT', path: path(FUNCTION), json: true },
      CreateTrigger: { method: 'POST', path: path(`${FUNCTION}/triggers`), json: true },
      GetTrigger: { method: 'GET', path: path(TRIGGER), json: true },
      UpdateTrigger: { method: 'PUT', path: path(TRIGGER), json: true },
      InvokeFunction: { method: 'POST', path: path(`${FUNCTION}/invocations`) },
    },
    operations: {
      CreateFunction: (input, ctx) => createFunction(input['body'], at(ctx)),
      GetFunction: (input) => view(existing(input['functionName'])),
      UpdateFunction: (input, ctx) => updateFunction(existing(input['functionName']), input['body'], at(ctx)),
      CreateTrigger: (input, ctx) => createTrigger(existing(input['functionName']).functionName, input['body'], at(ctx)),
      GetTrigger: (input) => {
        const key = `${existing(input['functionName']).functionName}/${String(input['triggerName'])}`;
        const trigger = triggers.get(key);
        if (!trigger) throw notFound('Trigger', String(input['triggerName']));
        return trigger;
      },
      UpdateTrigger: (input, ctx) => updateTrigger(`${existing(input['functionName']).functionName}/${String(input['triggerName'])}`, input['body'], at(ctx)),
      InvokeFunction: (input, ctx) => {
        const name = String(input['functionName']);
        const invoker = options.invokers?.[name];
        if (!functions.has(name) || !invoker) throw notFound('Function', name);
        return invoker(ctx.request.body);
      },
    },
  };

  function createFunction(input: unknown, at: string) {
    const b = (input ?? {}) as Record<string, unknown>;
    if (typeof b.functionName !== 'string' || !NAME.test(b.functionName)) throw invalid('functionName');
    if (functions.has(b.functionName)) throw new ServiceError(409, 'FunctionAlreadyExists', `function '${b.functionName}' already exists`);
    const fields = functionFields(b, true);
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
    return view(fn);
  }

  function updateFunction(fn: FcFunction, input: unknown, at: string) {
    Object.assign(fn, functionFields((input ?? {}) as Record<string, unknown>, false), { lastModifiedTime: at });
    return view(fn);
  }

  /** Validate the fields a CreateFunction/UpdateFunction body may set; unknown fields are ignored like FC does. */
  function functionFields(b: Record<string, unknown>, creating: boolean): Partial<FcFunction> {
    const out: Partial<FcFunction> = {};
    if (creating || b.runtime !== undefined) {
      if (typeof b.runtime !== 'string' || !RUNTIMES.includes(b.runtime)) throw invalid('runtime');
      out.runtime = b.runtime;
    }
    if (creating || b.handler !== undefined) {
      if (typeof b.handler !== 'string' || !/^[\w.-]+\.[\w$]+$/.test(b.handler)) throw invalid('handler');
      out.handler = b.handler;
    }
    if (b.role !== undefined) {
      if (typeof b.role !== 'string' || !/^acs:ram::\d+:role\/[\w.@-]+$/i.test(b.role)) throw invalid('role');
      out.role = b.role;
    }
    for (const [key, min, max] of [['timeout', 1, 86_400], ['memorySize', 64, 32_768]] as const) {
      if (b[key] === undefined) continue;
      const v = b[key];
      if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw invalid(key);
      out[key] = v;
    }
    if (b.description !== undefined) out.description = String(b.description);
    if (b.environmentVariables !== undefined) {
      const env = b.environmentVariables;
      if (!env || typeof env !== 'object' || Object.values(env).some((v) => typeof v !== 'string')) throw invalid('environmentVariables');
      out.environmentVariables = env as Record<string, string>;
    }
    if (creating || b.code !== undefined) {
      const zipFile = (b.code as { zipFile?: unknown } | undefined)?.zipFile;
      if (typeof zipFile !== 'string') throw invalid('code.zipFile');
      const zip = Buffer.from(zipFile, 'base64');
      try {
        out.files = unzipSync(zip);
      } catch {
        throw new ServiceError(400, 'InvalidArgument', 'code.zipFile is not a zip archive');
      }
      out.codeSize = zip.length;
      out.codeChecksum = createHash('sha256').update(zip).digest('hex');
    }
    return out;
  }

  function createTrigger(fnName: string, input: unknown, at: string): FcTrigger {
    const b = (input ?? {}) as Record<string, unknown>;
    if (typeof b.triggerName !== 'string' || !NAME.test(b.triggerName)) throw invalid('triggerName');
    if (typeof b.triggerType !== 'string' || !TRIGGER_TYPES.includes(b.triggerType)) throw invalid('triggerType');
    const key = `${fnName}/${b.triggerName}`;
    if (triggers.has(key)) throw new ServiceError(409, 'TriggerAlreadyExists', `trigger '${b.triggerName}' already exists`);
    const config = triggerConfig(b.triggerType, b.triggerConfig);
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
    return trigger;
  }

  function updateTrigger(key: string, input: unknown, at: string): FcTrigger {
    const trigger = triggers.get(key);
    if (!trigger) throw notFound('Trigger', key.split('/')[1]!);
    const b = (input ?? {}) as Record<string, unknown>;
    if (b.triggerConfig !== undefined) {
      trigger.triggerConfig = triggerConfig(trigger.triggerType, b.triggerConfig);
    }
    if (typeof b.description === 'string') trigger.description = b.description;
    trigger.lastModifiedTime = at;
    return trigger;
  }

  /** triggerConfig is a JSON string; http and timer configs are checked field by field. */
  function triggerConfig(type: string, value: unknown): string {
    let config: Record<string, unknown>;
    try {
      config = JSON.parse(String(value));
    } catch {
      throw invalid('triggerConfig');
    }
    if (!config || typeof config !== 'object') throw invalid('triggerConfig');
    if (type === 'http') {
      if (!['anonymous', 'function', 'jwt'].includes(String(config.authType))) throw invalid('triggerConfig.authType');
      if (!Array.isArray(config.methods) || !config.methods.length || config.methods.some((m) => !['GET', 'POST', 'PUT', 'DELETE', 'HEAD', 'PATCH', 'OPTIONS'].includes(m))) {
        throw invalid('triggerConfig.methods');
      }
    }
    if (type === 'timer') {
      if (typeof config.cronExpression !== 'string' || !/^(@every \d+[hm]|(\S+ ){5}\S+|CRON_TZ=\S+ (\S+ ){5}\S+)$/.test(config.cronExpression)) {
        throw invalid('triggerConfig.cronExpression');
      }
      if (typeof config.enable !== 'boolean') throw invalid('triggerConfig.enable');
      if (config.payload !== undefined && typeof config.payload !== 'string') throw invalid('triggerConfig.payload');
    }
    return JSON.stringify(config);
  }
}

/** The function as GetFunction answers it (the code is not part of the answer). */
function view(fn: FcFunction): Omit<FcFunction, 'files'> {
  const { files: _files, ...rest } = fn;
  return rest;
}

function notFound(kind: 'Function' | 'Trigger', name: string): ServiceError {
  return new ServiceError(404, `${kind}NotFound`, `${kind.toLowerCase()} '${name}' does not exist`);
}

function invalid(field: string): ServiceError {
  return new ServiceError(400, 'InvalidArgument', `${field} is invalid`);
}
