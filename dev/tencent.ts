/**
 * Tencent Cloud for development: TCR and SSM on the TC3-checking emulator, the SCF function's
 * environment (the execution role's temporary keys in TENCENTCLOUD_SECRETID / _SECRETKEY /
 * _SESSIONTOKEN, endpoint overrides), and a function URL with CAM auth in front of the real handler:
 * the trigger checks the caller's TC3 signature, then SCF hands the function the URL event.
 */
import { CAM_USER_KEY, DEFAULT_IDENTITY, scfRoleEnvironment, startTencentEmulator } from '../emulator/tencent/server.js';
import { scfContext, scfTimerEvent, scfUrlEvent } from '../emulator/tencent/scf-event.js';
import { verifyTc3 } from '../emulator/tencent/tc3.js';
import { invokeEach, type CloudDev, type Invoker, type LocalCloud, type PreparedInvoker } from './local-cloud.js';

/** The developer's CAM key the local function URL accepts (the emulator's test key, never a real one). */
export const LOCAL_CALLER = CAM_USER_KEY;

/** Two instances in two regions, so "one registry of many" is testable. */
export const LOCAL_INSTANCES = {
  'tcr-emulator': { name: 'emulator' },
  'tcr-second': { name: 'second', region: 'ap-shanghai' },
};

/** The function's timeout in the local context (scfContext's default). */
const SCF_TIMEOUT_MS = 10_000;

/** A warm instance of the HTTP handler; the promise rejects when the configuration is bad (a failed cold start). */
function httpHandler(functionEnvironment: Record<string, string | undefined>, write?: (line: string) => void) {
  return Promise.all([import('../handlers/tencent/http.js'), import('../handlers/tencent/runtime.js')]).then(([{ createHttpHandler }, { tencentRuntime }]) =>
    createHttpHandler(tencentRuntime(functionEnvironment, { ...(write && { write }) })),
  );
}

/** What a function URL, an API gateway or an Invoke call could hand the HTTP function that it cannot read (B2). */
const MALFORMED_HTTP_EVENTS = [
  ['an event that is not JSON', 'GET /credentials'],
  ['an event that is an array', []],
  ['an event without path', { httpMethod: 'GET' }],
  ['a queryString whose values are not strings', { httpMethod: 'GET', path: '/credentials', queryString: { format: 1 } }],
  ['headers that are not strings', { httpMethod: 'GET', path: '/credentials', headers: { authorization: ['x'] } }],
] as const;

/** What a timer or an Invoke call could hand the refresh function that it cannot read (B2). */
const MALFORMED_REFRESH_EVENTS = [
  ['an event that is not JSON', 'targets=all'],
  ['an event that is an array', []],
  ['a timer Message that is not JSON', scfTimerEvent('user define msg body')],
  ['a timer Message that is not a string', scfTimerEvent({ targets: [] })],
  ['an Invoke event whose targets are not objects', { targets: ['regcred-pull'] }],
] as const;

/**
 * The HTTP handler as a warm instance, each request split into building the platform's event and
 * context (once) and running the handler (the thunk): what {@link invoker} runs per request, and
 * what the benchmark times as warm latency (bench/rigs/tencent.ts).
 */
export function preparedInvoker(functionEnvironment: Record<string, string | undefined>, write?: (line: string) => void): PreparedInvoker {
  const ready = httpHandler(functionEnvironment, write);
  return (req) => {
    // The function URL's event and SCF's context (the role's keys are in the environment, not here).
    // The thunk may run many times: each run is an invocation with its own time budget, as on SCF.
    const event = scfUrlEvent(req);
    let deadline = 0;
    const context = { ...scfContext(), getRemainingTimeInMillis: () => deadline - Date.now() };
    return async () => {
      deadline = Date.now() + SCF_TIMEOUT_MS;
      return (await ready)(event, context);
    };
  };
}

function invoker(functionEnvironment: Record<string, string | undefined>, write?: (line: string) => void): Invoker {
  return invokeEach(preparedInvoker(functionEnvironment, write));
}

async function startLocal(): Promise<LocalCloud> {
  const emulator = await startTencentEmulator({ instances: LOCAL_INSTANCES });
  return {
    registries: 'tcr:ap-guangzhou:tcr-emulator,tcr:ap-shanghai:tcr-second',
    hosts: ['emulator.tencentcloudcr.com', 'second.tencentcloudcr.com'],
    env: {
      ...scfRoleEnvironment(),
      TENCENTCLOUD_REGION: 'ap-guangzhou',
      TENCENTCLOUD_ENDPOINT_URL_TCR: emulator.url,
      TENCENTCLOUD_ENDPOINT_URL_SSM: emulator.url,
    },
    emulator,
    mint: [{ service: 'tcr', operation: 'CreateInstanceToken', registry: 'tcr:ap-guangzhou:tcr-emulator' }],
    http: invoker,
    rawHttp(functionEnvironment, write) {
      const ready = httpHandler(functionEnvironment, write);
      return async (event) => (await ready)(event, scfContext() as never);
    },
    httpEvent: scfUrlEvent,
    malformedHttpEvents: MALFORMED_HTTP_EVENTS,
    refresh: {
      store: 'ssm',
      // regcred keeps the credential in one SSM version, `current`, replaced in place (core/tencent/ssm.ts).
      write: { service: 'ssm', operation: 'UpdateSecret' },
      scheduledEvent: () => scfTimerEvent(''),
      createSecret: async (secretId, value) => emulator.ssm.createSecret(secretId, { versionId: 'current', value }),
      current: (secretId) => emulator.ssm.value(secretId, 'current'),
      versions: (secretId) => emulator.ssm.versionIds(secretId).length,
      invoker(functionEnvironment, write) {
        const ready = Promise.all([import('../handlers/tencent/refresh.js'), import('../handlers/tencent/runtime.js')]).then(([{ createRefreshHandler }, { tencentRuntime }]) =>
          createRefreshHandler(tencentRuntime(functionEnvironment, { ...(write && { write }) })),
        );
        return async (event) => (await ready)(event, scfContext() as never);
      },
      malformedEvents: MALFORMED_REFRESH_EVENTS,
    },
    trigger: {
      verify(req, now) {
        // A function URL checks the URL the client called: the Host as sent, service `scf`.
        const verdict = verifyTc3(req, { identities: [LOCAL_CALLER], now, service: 'scf', sdkLoopback: false });
        return verdict.ok ? { ok: true, caller: verdict.identity.secretId } : { ok: false };
      },
      banner: (url) => [
        'Requests must be TC3-HMAC-SHA256-signed, as an SCF function URL with CAM auth requires.',
        "The regcred client signs them with the local caller's test key (not a real key):",
        '',
        `  TENCENTCLOUD_SECRET_ID=${LOCAL_CALLER.secretId} TENCENTCLOUD_SECRET_KEY=${LOCAL_CALLER.secretKey} npx tsx cli/main.ts get --cloud tencent --url ${url} --format dockerconfigjson`,
      ],
    },
    faults: { expiredSession: { status: 401, code: 'AuthFailure.TokenFailure', message: 'The token is invalid or expired.' } },
    secrets: [DEFAULT_IDENTITY.secretKey, DEFAULT_IDENTITY.token!, LOCAL_CALLER.secretKey],
    stop: () => emulator.stop(),
  };
}

export const TENCENT_DEV: CloudDev = {
  id: 'tencent',
  invoker,
  startLocal,
};
