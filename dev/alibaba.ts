/**
 * Alibaba Cloud for development: CR (personal and EE) and KMS on the ACS3-checking emulator, and an
 * FC 3.0 HTTP trigger with authType `function` in front of the real handler: the trigger checks the
 * caller's ACS3 signature, FC hands the function the role's STS keys in `context.credentials`.
 */
import { TRIGGER_SIGNED, verifyAcs3, type AcsIdentity } from '../emulator/alibaba/acs3.js';
import { fcCloudEvent, fcHttpEvent, fcTimerEvent } from '../emulator/alibaba/fc-event.js';
import { DEFAULT_IDENTITY, startAlibabaEmulator } from '../emulator/alibaba/server.js';
import { invokeEach, type CloudDev, type Invoker, type LocalCloud, type PreparedInvoker } from './local-cloud.js';

/** The developer's RAM key the local trigger accepts (a test key, never a real one). */
export const LOCAL_CALLER: AcsIdentity = { accessKeyId: 'LTAI5tLocalDeveloperKey', accessKeySecret: 'local-developer-test-secret-0000' };

/** FC's context of one invocation: it hands each one the role's STS keys (here the emulator's role session). */
function fcContext() {
  return { requestId: crypto.randomUUID(), credentials: { ...DEFAULT_IDENTITY }, function: { name: 'regcred', timeout: 10 }, region: 'cn-hangzhou' };
}

/** A warm instance of the HTTP handler; the promise rejects when the configuration is bad (a failed cold start). */
function httpHandler(functionEnvironment: Record<string, string | undefined>, write?: (line: string) => void) {
  return Promise.all([import('../handlers/alibaba/http.js'), import('../handlers/alibaba/runtime.js')]).then(([{ createHttpHandler }, { alibabaRuntime }]) =>
    createHttpHandler(alibabaRuntime(functionEnvironment, { ...(write && { write }) })),
  );
}

/**
 * The HTTP handler as a warm instance, each request split into building the platform's event and
 * context (once) and running the handler (the thunk): what {@link invoker} runs per request, and
 * what the benchmark times as warm latency (bench/rigs/alibaba.ts).
 */
export function preparedInvoker(functionEnvironment: Record<string, string | undefined>, write?: (line: string) => void): PreparedInvoker {
  const ready = httpHandler(functionEnvironment, write);
  return (req) => {
    const event = fcHttpEvent(req);
    const context = fcContext();
    return async () => (await ready)(event, context);
  };
}

/** What an HTTP trigger or an InvokeFunction call could hand the HTTP function that it cannot read (B2). */
const MALFORMED_HTTP_EVENTS = [
  ['an event that is not JSON', Buffer.from('GET /credentials')],
  ['an event that is a JSON array', Buffer.from('[]')],
  ['an event without rawPath', Buffer.from('{"version":"v1"}')],
  ['queryParameters that are not strings', Buffer.from('{"rawPath":"/credentials","queryParameters":{"format":["json"]}}')],
  ['headers that are not strings', Buffer.from('{"rawPath":"/credentials","headers":{"Authorization":1}}')],
  ['a requestContext.http.method that is not a method', Buffer.from('{"rawPath":"/credentials","requestContext":{"http":{"method":7}}}')],
] as const;

/** What a timer, an EventBridge rule or an InvokeFunction call could hand the refresh function that it cannot read (B2). */
const MALFORMED_REFRESH_EVENTS = [
  ['an event that is not JSON', Buffer.from('targets=all')],
  ['an event that is a JSON array', Buffer.from('[]')],
  ['a timer payload that is not JSON', fcTimerEvent('targets=all')],
  ['a timer payload that is not a string', fcTimerEvent({ targets: [] })],
  ['a CloudEvent whose data is not JSON', fcCloudEvent('{targets')],
  ['a CloudEvent whose data.targets is not an array', fcCloudEvent({ targets: 'all' })],
  ['an InvokeFunction event whose targets are not objects', Buffer.from('{"targets":["regcred/pull"]}')],
] as const;

function invoker(functionEnvironment: Record<string, string | undefined>, write?: (line: string) => void): Invoker {
  return invokeEach(preparedInvoker(functionEnvironment, write));
}

async function startLocal(): Promise<LocalCloud> {
  const emulator = await startAlibabaEmulator();
  const nonces = new Map<string, number>();
  return {
    registries: 'acr:cn-shanghai,acr-ee:cn-hangzhou:cri-emulator',
    hosts: ['registry.cn-shanghai.aliyuncs.com', 'emulator-registry.cn-hangzhou.cr.aliyuncs.com'],
    env: { ALIBABA_CLOUD_ENDPOINT_URL_CR: emulator.url, ALIBABA_CLOUD_ENDPOINT_URL_KMS: emulator.url },
    emulator,
    mint: [
      { service: 'cr', operation: 'GetAuthorizationToken', registry: 'acr:cn-shanghai' },
      { service: 'cr-ee', operation: 'GetAuthorizationToken', registry: 'acr-ee:cn-hangzhou:cri-emulator' },
    ],
    http: invoker,
    rawHttp(functionEnvironment, write) {
      const ready = httpHandler(functionEnvironment, write);
      return async (event) => (await ready)(event as Buffer, fcContext());
    },
    httpEvent: fcHttpEvent,
    malformedHttpEvents: MALFORMED_HTTP_EVENTS,
    refresh: {
      store: 'kms',
      write: { service: 'kms', operation: 'PutSecretValue' },
      scheduledEvent: () => fcTimerEvent(''),
      createSecret: async (secretId, value) => emulator.kms.createSecret(secretId, value, Date.now()),
      current: (secretId) => emulator.kms.current(secretId),
      versions: (secretId) => emulator.kms.versions(secretId).length,
      invoker(functionEnvironment, write) {
        const ready = Promise.all([import('../handlers/alibaba/refresh.js'), import('../handlers/alibaba/runtime.js')]).then(([{ createRefreshHandler }, { alibabaRuntime }]) =>
          createRefreshHandler(alibabaRuntime(functionEnvironment, { ...(write && { write }) })),
        );
        return async (event) => (await ready)(event as Buffer, fcContext());
      },
      malformedEvents: MALFORMED_REFRESH_EVENTS,
    },
    trigger: {
      verify(req, now) {
        const verdict = verifyAcs3(req, { identities: [LOCAL_CALLER], now, nonces, requiredSigned: TRIGGER_SIGNED });
        return verdict.ok ? { ok: true, caller: verdict.identity.accessKeyId } : { ok: false };
      },
      banner: (url) => [
        'Requests must be ACS3-HMAC-SHA256-signed, as an FC HTTP trigger with authType "function" requires.',
        "The regcred client signs them with the local caller's test key (not a real key):",
        '',
        `  ALIBABA_CLOUD_ACCESS_KEY_ID=${LOCAL_CALLER.accessKeyId} ALIBABA_CLOUD_ACCESS_KEY_SECRET=${LOCAL_CALLER.accessKeySecret} npx tsx cli/main.ts get --cloud alibaba --url ${url} --format dockerconfigjson`,
      ],
    },
    faults: { expiredSession: { status: 400, code: 'InvalidSecurityToken.Expired', message: 'Specified SecurityToken is expired.' } },
    secrets: [DEFAULT_IDENTITY.accessKeySecret, DEFAULT_IDENTITY.securityToken!, LOCAL_CALLER.accessKeySecret],
    stop: () => emulator.stop(),
  };
}

export const ALIBABA_DEV: CloudDev = {
  id: 'alibaba',
  invoker,
  startLocal,
};
