/**
 * FunctionGraph v2 management calls a deployment makes, on the Huawei wire (SDK-HMAC-SHA256
 * verified): CreateFunction, ShowFunctionConfig, UpdateFunctionCode, UpdateFunctionConfig,
 * ListFunctionTriggers, CreateFunctionTrigger, UpdateTrigger. Paths and body fields as
 * `@huaweicloud/huaweicloud-sdk-functiongraph` 3.1.211 sends them; the function URN is
 * `urn:fss:<region>:<project_id>:function:<package>:<name>:latest`.
 *
 * An APIG (shared gateway) or DEDICATEDGATEWAY trigger creates its API in the emulated gateway
 * (apig-gateway.ts, served on the same endpoint) and publishes it in RELEASE while the trigger is
 * ACTIVE; DISABLED takes it offline. The trigger's `event_data` answers the API's `api_id`,
 * `env_id` and `env_name`, as FunctionGraph's TriggerEventDataResponseBody has them.
 */
import { createHash, randomUUID } from 'node:crypto';
import { unzipSync } from 'fflate';
import { ServiceError, startFrontEnd, type FrontEnd } from '../front-end.js';
import { ApigState, apigService, RELEASE_ENV, SHARED_GATEWAY } from './apig-gateway.js';
import { DEFAULT_IDENTITY, DEFAULT_PROJECT_ID, DEFAULT_REGION, PERMANENT_KEY } from './server.js';
import type { HuaweiIdentity } from './sdk-hmac.js';
import { bodyReaders, huaweiWire, type HuaweiInput, type HuaweiOutput, type HuaweiService } from './wire.js';

export interface FgFunction {
  func_urn: string;
  func_name: string;
  package: string;
  runtime: string;
  handler: string;
  timeout: number;
  memory_size: number;
  xrole?: string;
  description?: string;
  /** The function's environment variables, as FunctionGraph stores them: a JSON string. */
  user_data: string;
  code_size: number;
  digest: string;
  last_modified: string;
  /** The unpacked code package (file name → bytes), for tests to inspect. */
  files: Record<string, Uint8Array>;
}

export interface FgTrigger {
  trigger_id: string;
  trigger_type_code: string;
  trigger_status: string;
  event_type_code?: string;
  event_data: Record<string, unknown>;
  last_updated_time: string;
}

export interface FunctionGraphEmulator extends FrontEnd {
  /** By function URN (`…:latest`). */
  readonly functions: Map<string, FgFunction>;
  /** By function URN. */
  readonly triggers: Map<string, FgTrigger[]>;
  readonly projectId: string;
  readonly region: string;
  /** The gateway the APIG triggers' APIs live in, and its ACL policies and bindings. */
  readonly apig: ApigState;
}

const RUNTIMES = /^(Node\.js(6\.10|8\.10|10\.16|12\.13|14\.18|16\.17|18\.15|20\.15|22\.18)|Python3\.\d+|Java\d+|Go1\.x|Custom)$/;
const NAME = /^[A-Za-z][A-Za-z0-9_-]{0,59}$/;
const TRIGGER_TYPES = ['APIG', 'TIMER', 'DEDICATEDGATEWAY', 'SMN', 'OBS', 'LTS', 'CTS', 'KAFKA', 'EVENTGRID'];
/** Code packages travel base64 in the JSON body. */
const MAX_BODY_BYTES = 64 << 20;

/**
 * @example
 * const fg = await startFunctionGraphEmulator();
 * // HUAWEICLOUD_ENDPOINT_URL_FUNCTIONGRAPH=fg.url; the deploy signs with a permanent key
 * await fg.stop();
 */
export async function startFunctionGraphEmulator(
  options: { identities?: HuaweiIdentity[]; region?: string; projectId?: string; apigInstances?: Record<string, { domainIdAcl: boolean }> } = {},
): Promise<FunctionGraphEmulator> {
  const region = options.region ?? DEFAULT_REGION;
  const projectId = options.projectId ?? DEFAULT_PROJECT_ID;
  const apig = new ApigState(new Map(Object.entries(options.apigInstances ?? {})));
  const service = functionGraphService(region, projectId, apig);
  const frontEnd = await startFrontEnd({
    wire: huaweiWire({ identities: options.identities ?? [{ ...PERMANENT_KEY }, { ...DEFAULT_IDENTITY }] }),
    services: [service, apigService(apig, projectId)],
    maxBodyBytes: MAX_BODY_BYTES,
  });
  return Object.assign(frontEnd, { functions: service.functions, triggers: service.triggers, projectId, region, apig });
}

export function functionGraphService(region: string, projectId: string, apig = new ApigState()): HuaweiService & Pick<FunctionGraphEmulator, 'functions' | 'triggers'> {
  const functions = new Map<string, FgFunction>();
  const triggers = new Map<string, FgTrigger[]>();
  const fn = '/v2/{project_id}/fgs/functions/{function_urn}';
  const tr = '/v2/{project_id}/fgs/triggers/{function_urn}';
  const existing = (input: unknown): FgFunction => {
    const { path } = input as HuaweiInput;
    if (path['project_id'] !== projectId) throw new ServiceError(403, 'FSS.0403', 'The project does not match the credential.');
    const found = functions.get(latest(path['function_urn']!));
    if (!found) throw new ServiceError(404, 'FSS.1051', 'Not found the function');
    return found;
  };
  const out = (body: unknown, status = 200): HuaweiOutput => ({ body, status });
  const view = (f: FgFunction) => {
    const { files: _files, ...rest } = f;
    return rest;
  };

  return {
    name: 'functiongraph',
    functions,
    triggers,
    routes: [
      { method: 'POST', path: '/v2/{project_id}/fgs/functions', operation: 'CreateFunction' },
      { method: 'GET', path: `${fn}/config`, operation: 'ShowFunctionConfig' },
      { method: 'PUT', path: `${fn}/code`, operation: 'UpdateFunctionCode' },
      { method: 'PUT', path: `${fn}/config`, operation: 'UpdateFunctionConfig' },
      { method: 'GET', path: tr, operation: 'ListFunctionTriggers' },
      { method: 'POST', path: tr, operation: 'CreateFunctionTrigger' },
      { method: 'PUT', path: `${tr}/{trigger_type_code}/{trigger_id}`, operation: 'UpdateTrigger' },
    ],
    operations: {
      CreateFunction: (input, ctx) => {
        const { path, body } = input as HuaweiInput;
        if (path['project_id'] !== projectId) throw new ServiceError(403, 'FSS.0403', 'The project does not match the credential.');
        const b = object(body);
        const name = str(b, 'func_name', NAME);
        const pkg = typeof b['package'] === 'string' ? b['package'] : 'default';
        const urn = `urn:fss:${region}:${projectId}:function:${pkg}:${name}:latest`;
        if (functions.has(urn)) throw new ServiceError(409, 'FSS.1061', 'The function already exists.');
        if (b['code_type'] !== 'zip') throw bad('code_type must be zip');
        const created: FgFunction = {
          func_urn: urn,
          func_name: name,
          package: pkg,
          ...config(b),
          ...code(b),
          last_modified: new Date(ctx.now).toISOString(),
        };
        functions.set(urn, created);
        return out(view(created));
      },
      ShowFunctionConfig: (input) => out(view(existing(input))),
      UpdateFunctionCode: (input, ctx) => {
        const f = existing(input);
        const b = object((input as HuaweiInput).body);
        if (b['code_type'] !== 'zip') throw bad('code_type must be zip');
        Object.assign(f, code(b), { last_modified: new Date(ctx.now).toISOString() });
        return out({ func_urn: f.func_urn, func_name: f.func_name, digest: f.digest, code_size: f.code_size, last_modified: f.last_modified });
      },
      UpdateFunctionConfig: (input, ctx) => {
        const f = existing(input);
        const b = object((input as HuaweiInput).body);
        if (b['func_name'] !== f.func_name) throw bad('func_name must name the function');
        Object.assign(f, config(b), { last_modified: new Date(ctx.now).toISOString() });
        return out(view(f));
      },
      ListFunctionTriggers: (input) => out(triggers.get(existing(input).func_urn) ?? []),
      CreateFunctionTrigger: (input, ctx) => {
        const f = existing(input);
        const b = object((input as HuaweiInput).body);
        const type = str(b, 'trigger_type_code');
        if (!TRIGGER_TYPES.includes(type)) throw bad('trigger_type_code');
        const eventData = object(b['event_data']);
        checkEventData(type, eventData);
        const list = triggers.get(f.func_urn) ?? [];
        if (list.some((t) => t.trigger_type_code === type && t.event_data['name'] === eventData['name'])) throw new ServiceError(409, 'FSS.1061', 'The trigger already exists.');
        const status = typeof b['trigger_status'] === 'string' ? b['trigger_status'] : 'ACTIVE';
        const created: FgTrigger = {
          trigger_id: randomUUID(),
          trigger_type_code: type,
          trigger_status: status,
          ...(typeof b['event_type_code'] === 'string' && { event_type_code: b['event_type_code'] }),
          event_data: { ...eventData, ...(GATEWAY_TRIGGERS.includes(type) && gatewayApi(apig, region, type, eventData, status)) },
          last_updated_time: new Date(ctx.now).toISOString(),
        };
        triggers.set(f.func_urn, [...list, created]);
        return out(created, 201);
      },
      UpdateTrigger: (input, ctx) => {
        const f = existing(input);
        const { path, body } = input as HuaweiInput;
        const t = (triggers.get(f.func_urn) ?? []).find((x) => x.trigger_id === path['trigger_id'] && x.trigger_type_code === path['trigger_type_code']);
        if (!t) throw new ServiceError(404, 'FSS.1051', 'Not found the trigger');
        const b = object(body);
        if (b['trigger_status'] !== undefined) t.trigger_status = str(b, 'trigger_status', /^(ACTIVE|DISABLED)$/);
        const apiId = t.event_data['api_id'];
        if (typeof apiId === 'string' && t.trigger_status === 'ACTIVE') apig.publish(apiId);
        else if (typeof apiId === 'string') apig.offline(apiId);
        if (b['event_data'] !== undefined) {
          const eventData = object(b['event_data']);
          checkEventData(t.trigger_type_code, { ...t.event_data, ...eventData });
          t.event_data = { ...t.event_data, ...eventData };
        }
        t.last_updated_time = new Date(ctx.now).toISOString();
        return out(t);
      },
    },
  };
}

const GATEWAY_TRIGGERS = ['APIG', 'DEDICATEDGATEWAY'];

/** The API a gateway trigger creates (published while the trigger is ACTIVE), as the trigger's event_data names it. */
function gatewayApi(apig: ApigState, region: string, type: string, e: Record<string, unknown>, status: string) {
  const gateway = type === 'DEDICATEDGATEWAY' ? String(e['instance_id']) : SHARED_GATEWAY;
  const api = apig.createApi({ name: String(e['name']), group_id: String(e['group_id']), gateway, auth: String(e['auth']) });
  if (status === 'ACTIVE') apig.publish(api.id);
  return {
    api_id: api.id,
    env_id: RELEASE_ENV.id,
    env_name: RELEASE_ENV.name,
    invoke_url: `https://${String(e['group_id'])}.apig.${region}.huaweicloudapis.com${String(e['path'])}`,
  };
}

/** `…:latest`, however the URN was given (with or without the version). */
function latest(urn: string): string {
  return /:latest$/.test(urn) ? urn : `${urn}:latest`;
}

function config(b: Record<string, unknown>) {
  const runtime = str(b, 'runtime', RUNTIMES);
  const handler = str(b, 'handler');
  const timeout = b['timeout'];
  const memory = b['memory_size'];
  if (!Number.isInteger(timeout) || (timeout as number) < 3 || (timeout as number) > 259_200) throw bad('timeout');
  if (!Number.isInteger(memory) || (memory as number) < 128) throw bad('memory_size');
  const userData = b['user_data'];
  if (userData !== undefined && (typeof userData !== 'string' || !isJsonObject(userData))) throw bad('user_data must be a JSON object string');
  return {
    runtime,
    handler,
    timeout: timeout as number,
    memory_size: memory as number,
    user_data: (userData as string | undefined) ?? '{}',
    ...(typeof b['xrole'] === 'string' && { xrole: b['xrole'] }),
    ...(typeof b['description'] === 'string' && { description: b['description'] }),
  };
}

function code(b: Record<string, unknown>) {
  const file = object(b['func_code'])['file'];
  if (typeof file !== 'string' || !file) throw bad('func_code.file');
  const zip = Buffer.from(file, 'base64');
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(zip);
  } catch {
    throw bad('func_code.file is not a zip');
  }
  return { files, code_size: zip.length, digest: createHash('sha512').update(zip).digest('hex') };
}

function checkEventData(type: string, e: Record<string, unknown>): void {
  if (type === 'TIMER') {
    str(e, 'name', NAME);
    str(e, 'schedule_type', /^(Rate|Cron)$/);
    str(e, 'schedule');
  }
  if (type === 'DEDICATEDGATEWAY') str(e, 'instance_id');
  if (GATEWAY_TRIGGERS.includes(type)) {
    str(e, 'name', NAME);
    str(e, 'group_id');
    str(e, 'auth', /^(IAM|APP|NONE)$/);
    str(e, 'path', /^\//);
    str(e, 'protocol', /^(HTTP|HTTPS)$/);
  }
}

const { object, str } = bodyReaders(bad);

function isJsonObject(s: string): boolean {
  try {
    const v = JSON.parse(s);
    return typeof v === 'object' && v !== null && !Array.isArray(v);
  } catch {
    return false;
  }
}

function bad(what: string): ServiceError {
  return new ServiceError(400, 'FSS.0400', `Invalid parameter: ${what}`);
}
