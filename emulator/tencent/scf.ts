/**
 * Serverless Cloud Function (SCF), API version 2018-04-16: the management actions
 * `npm run deploy:tencent` calls, TC3-verified on the shared front end like TCR and SSM. Shapes
 * follow tencentcloud-sdk-nodejs-scf `scf_models.d.ts`; a function URL is a trigger of Type `http`
 * (https://cloud.tencent.com/document/product/583/100227). Functions are Active at once (the real
 * service passes through Creating/Updating, which the deploy waits out with GetFunction).
 *
 * `startScfEmulator` serves it alone with a body limit that fits a code package (CreateFunction
 * carries the zip base64 in `Code.ZipFile`).
 */
import { createHash } from 'node:crypto';
import { unzipSync } from 'fflate';
import { startFrontEnd, type FrontEnd, type OperationContext } from '../front-end.js';
import { CAM_USER_KEY, DEFAULT_IDENTITY } from './server.js';
import type { TencentIdentity } from './tc3.js';
import { assertKnownParams, requireString, tencentError, tencentWire, type TencentService } from './wire.js';

export const SCF_VERSION = '2018-04-16';
const MAX_BODY_BYTES = 64 << 20;

export interface ScfFunction {
  FunctionName: string;
  Namespace: string;
  Runtime: string;
  Handler: string;
  Role?: string;
  Timeout: number;
  MemorySize: number;
  Description?: string;
  Type: string;
  Environment: { Variables: Array<{ Key: string; Value: string }> };
  CodeSize: number;
  CodeSha256: string;
  AddTime: string;
  ModTime: string;
  Status: 'Active';
  /** The unpacked code package (file name → bytes), for tests to inspect. */
  files: Record<string, Uint8Array>;
}

export interface ScfTrigger {
  TriggerName: string;
  Type: string;
  TriggerDesc: string;
  Enable: number;
  Qualifier: string;
  CustomArgument: string;
  Description: string;
  AddTime: string;
  ModTime: string;
}

export interface ScfState {
  /** Keyed `<namespace>/<function>`. */
  readonly functions: Map<string, ScfFunction>;
  /** Keyed `<namespace>/<function>/<trigger>`. */
  readonly triggers: Map<string, ScfTrigger>;
}

const FUNCTION_FIELDS = ['FunctionName', 'Namespace', 'Runtime', 'Handler', 'Role', 'Timeout', 'MemorySize', 'Description', 'Type', 'Environment'];
const TRIGGER_FIELDS = ['FunctionName', 'TriggerName', 'Type', 'TriggerDesc', 'Namespace', 'Qualifier', 'Enable', 'CustomArgument', 'Description'];

/**
 * @example const scf = scfService(state, { appId: '1250000000' });
 */
export function scfService(state: ScfState, options: { appId?: string } = {}): TencentService {
  const appId = options.appId ?? '1250000000';
  const key = (input: Record<string, unknown>) => `${namespaceOf(input)}/${requireString(input, 'FunctionName')}`;
  const find = (input: Record<string, unknown>): ScfFunction => {
    const fn = state.functions.get(key(input));
    if (!fn) throw tencentError('ResourceNotFound.Function', `The function \`${String(input['FunctionName'])}\` does not exist.`);
    return fn;
  };
  const iso = (ctx: OperationContext) => new Date(ctx.now).toISOString().replace('T', ' ').slice(0, 19);
  const config = (input: Record<string, unknown>, fn?: ScfFunction) => ({
    Runtime: str(input, 'Runtime') ?? fn?.Runtime ?? 'Nodejs20.15',
    Handler: str(input, 'Handler') ?? fn?.Handler ?? 'index.main_handler',
    ...((str(input, 'Role') ?? fn?.Role) !== undefined && { Role: (str(input, 'Role') ?? fn?.Role)! }),
    Timeout: num(input, 'Timeout') ?? fn?.Timeout ?? 3,
    MemorySize: num(input, 'MemorySize') ?? fn?.MemorySize ?? 128,
    ...((str(input, 'Description') ?? fn?.Description) !== undefined && { Description: (str(input, 'Description') ?? fn?.Description)! }),
    Environment: environment(input['Environment']) ?? fn?.Environment ?? { Variables: [] },
  });

  return {
    name: 'scf',
    version: SCF_VERSION,
    signingName: 'scf',
    secretParams: ['ZipFile'],
    operations: {
      GetFunction(input) {
        assertKnownParams(input, ['FunctionName', 'Namespace', 'Qualifier', 'ShowCode']);
        const { files: _files, ...fn } = find(input);
        return fn;
      },

      CreateFunction(input, ctx) {
        assertKnownParams(input, [...FUNCTION_FIELDS, 'Code']);
        const k = key(input);
        if (state.functions.has(k)) throw tencentError('ResourceInUse.Function', 'The function already exists.');
        const code = codeOf((input['Code'] as Record<string, unknown> | undefined)?.['ZipFile']);
        state.functions.set(k, {
          FunctionName: requireString(input, 'FunctionName'),
          Namespace: namespaceOf(input),
          Type: str(input, 'Type') ?? 'Event',
          ...config(input),
          ...code,
          AddTime: iso(ctx),
          ModTime: iso(ctx),
          Status: 'Active',
        });
        return {};
      },

      UpdateFunctionCode(input, ctx) {
        assertKnownParams(input, ['FunctionName', 'Namespace', 'Handler', 'ZipFile', 'Publish']);
        const fn = find(input);
        Object.assign(fn, codeOf(input['ZipFile']), { Handler: str(input, 'Handler') ?? fn.Handler, ModTime: iso(ctx) });
        return {};
      },

      UpdateFunctionConfiguration(input, ctx) {
        assertKnownParams(input, FUNCTION_FIELDS.filter((f) => f !== 'Handler' && f !== 'Type'));
        const fn = find(input);
        Object.assign(fn, config(input, fn), { ModTime: iso(ctx) });
        return {};
      },

      ListTriggers(input) {
        assertKnownParams(input, ['FunctionName', 'Namespace', 'Offset', 'Limit', 'OrderBy', 'Order', 'Filters']);
        find(input);
        const prefix = `${key(input)}/`;
        const triggers = [...state.triggers.entries()].filter(([k]) => k.startsWith(prefix)).map(([, t]) => t);
        return { TotalCount: triggers.length, Triggers: triggers };
      },

      CreateTrigger(input, ctx) {
        assertKnownParams(input, TRIGGER_FIELDS);
        find(input);
        const k = `${key(input)}/${requireString(input, 'TriggerName')}`;
        if (state.triggers.has(k)) throw tencentError('ResourceInUse.Trigger', 'The trigger already exists.');
        const trigger = triggerOf(input, ctx, appId);
        state.triggers.set(k, trigger);
        return { TriggerInfo: trigger };
      },

      UpdateTrigger(input, ctx) {
        assertKnownParams(input, TRIGGER_FIELDS);
        find(input);
        const k = `${key(input)}/${requireString(input, 'TriggerName')}`;
        const old = state.triggers.get(k);
        if (!old) throw tencentError('ResourceNotFound.Trigger', 'The trigger does not exist.');
        if (old.Type !== requireString(input, 'Type')) throw tencentError('InvalidParameterValue.Type', 'A trigger keeps its Type.');
        state.triggers.set(k, { ...triggerOf(input, ctx, appId), AddTime: old.AddTime });
        return {};
      },
    },
  };
}

function triggerOf(input: Record<string, unknown>, ctx: OperationContext, appId: string): ScfTrigger {
  const type = requireString(input, 'Type');
  if (type !== 'http' && type !== 'timer') throw tencentError('InvalidParameterValue.Type', 'The emulator serves http (function URL) and timer triggers.');
  const desc = requireString(input, 'TriggerDesc');
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(desc) as Record<string, unknown>;
  } catch {
    throw tencentError('InvalidParameterValue.TriggerDesc', 'TriggerDesc must be JSON.');
  }
  if (type === 'timer' && !/^(\S+ ){6}\S+$/.test(String(parsed['cron']))) throw tencentError('InvalidParameterValue.TriggerDesc', 'A timer needs a 7-field cron.');
  if (type === 'http' && !['CAM', 'NONE'].includes(String(parsed['AuthType']))) throw tencentError('InvalidParameterValue.TriggerDesc', 'AuthType must be CAM or NONE.');
  const now = new Date(ctx.now).toISOString().replace('T', ' ').slice(0, 19);
  const url = `https://${appId}-${createHash('sha256').update(String(input['FunctionName'])).digest('hex').slice(0, 8)}.${ctx.region ?? 'ap-guangzhou'}.tencentscf.com`;
  return {
    TriggerName: requireString(input, 'TriggerName'),
    Type: type,
    TriggerDesc: type === 'http' ? JSON.stringify({ ...parsed, Url: url }) : desc,
    Enable: input['Enable'] === 'CLOSE' ? 0 : 1,
    Qualifier: str(input, 'Qualifier') ?? '$DEFAULT',
    CustomArgument: str(input, 'CustomArgument') ?? '',
    Description: str(input, 'Description') ?? '',
    AddTime: now,
    ModTime: now,
  };
}

function codeOf(zipFile: unknown): Pick<ScfFunction, 'files' | 'CodeSize' | 'CodeSha256'> {
  if (typeof zipFile !== 'string' || !zipFile) throw tencentError('InvalidParameterValue.ZipFile', 'The code package (ZipFile, base64) is missing.');
  const zip = Buffer.from(zipFile, 'base64');
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(zip);
  } catch {
    throw tencentError('InvalidParameterValue.ZipFile', 'The code package is not a zip.');
  }
  return { files, CodeSize: zip.length, CodeSha256: createHash('sha256').update(zip).digest('hex') };
}

function environment(value: unknown): ScfFunction['Environment'] | undefined {
  if (value === undefined) return undefined;
  const vars = (value as { Variables?: unknown } | null)?.Variables;
  if (!Array.isArray(vars) || !vars.every((v) => typeof v?.Key === 'string' && typeof v?.Value === 'string')) {
    throw tencentError('InvalidParameterValue.Environment', 'Environment.Variables must be a list of {Key, Value}.');
  }
  return { Variables: vars.map((v: { Key: string; Value: string }) => ({ Key: v.Key, Value: v.Value })) };
}

function namespaceOf(input: Record<string, unknown>): string {
  return str(input, 'Namespace') ?? 'default';
}
function str(input: Record<string, unknown>, name: string): string | undefined {
  const v = input[name];
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string') throw tencentError('InvalidParameterValue', `The parameter \`${name}\` must be a string.`);
  return v;
}
function num(input: Record<string, unknown>, name: string): number | undefined {
  const v = input[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v)) throw tencentError('InvalidParameterValue', `The parameter \`${name}\` must be an integer.`);
  return v;
}

export interface ScfEmulator extends FrontEnd, ScfState {}

/**
 * @example
 * const scfEmu = await startScfEmulator();
 * // TENCENTCLOUD_ENDPOINT_URL_SCF=scfEmu.url npm run deploy:tencent -- …
 * await scfEmu.stop();
 */
export async function startScfEmulator(options: { identities?: TencentIdentity[]; now?: () => number; appId?: string } = {}): Promise<ScfEmulator> {
  const state: ScfState = { functions: new Map(), triggers: new Map() };
  const scf = scfService(state, { ...(options.appId && { appId: options.appId }) });
  const identities = options.identities ?? [DEFAULT_IDENTITY, CAM_USER_KEY];
  const frontEnd = await startFrontEnd({
    wire: tencentWire({ identities, services: [scf] }),
    services: [scf],
    maxBodyBytes: MAX_BODY_BYTES,
    ...(options.now && { now: options.now }),
  });
  return Object.assign(frontEnd, state);
}
