/**
 * Huawei Cloud for development: SWR and CSMS on the SDK-HMAC-checking emulator, and an APIG
 * trigger with IAM authentication in front of the real handler: the trigger checks the caller's
 * SDK-HMAC-SHA256 signature, FunctionGraph hands the function the agency's temporary keys through
 * `context.getSecurity*()`.
 */
import { accessControlPlan } from '../deploy/huawei/access-control.js';
import { apigEvent, apigTriggerCheck, functionGraphContext, LOCAL_CALLER, OTHER_ACCOUNT_CALLER, signedCurl, functionGraphTimerEvent } from '../emulator/huawei/apig.js';
import { ApigState } from '../emulator/huawei/apig-gateway.js';
import { DEFAULT_IDENTITY, EMULATOR_ACCOUNT, startHuaweiEmulator } from '../emulator/huawei/server.js';
import { invokeEach, type CloudDev, type Invoker, type LocalCloud, type PreparedInvoker } from './local-cloud.js';

/** The local dedicated gateway and API group (ids of the emulator's own). */
const LOCAL_GATEWAY_ID = '3d4e5f60718293a4b5c6d7e8f90a1b2c';
const LOCAL_GROUP_ID = '4e5f60718293a4b5c6d7e8f90a1b2c3d';

/**
 * The local APIG world as deploy:huawei leaves it: the trigger's API published in RELEASE on a
 * dedicated gateway, with the deploy's PERMIT policy (the deploying account, by id) bound to it.
 */
function localGateway(): { gateway: ApigState; apiId: string } {
  const gateway = new ApigState(new Map([[LOCAL_GATEWAY_ID, { domainIdAcl: true }]]));
  const api = gateway.createApi({ name: 'regcred_credentials', group_id: LOCAL_GROUP_ID, gateway: LOCAL_GATEWAY_ID, auth: 'IAM' });
  const publishId = gateway.publish(api.id);
  const { policy } = accessControlPlan({ name: 'regcred', accountId: EMULATOR_ACCOUNT.domainId, apigInstanceId: LOCAL_GATEWAY_ID }, `DEDICATEDGATEWAY/${api.name}`);
  const acl = gateway.createAcl(LOCAL_GATEWAY_ID, policy, Date.now());
  gateway.bind(LOCAL_GATEWAY_ID, acl.id, [publishId], Date.now());
  return { gateway, apiId: api.id };
}

/** The agency's keys for a function environment: the emulator's session, else the developer's own (see preparedInvoker). */
function agencyKeys(functionEnvironment: Record<string, string | undefined>, agency?: typeof DEFAULT_IDENTITY): typeof DEFAULT_IDENTITY {
  return agency ?? {
    accessKeyId: functionEnvironment.HUAWEICLOUD_SDK_AK ?? '',
    secretAccessKey: functionEnvironment.HUAWEICLOUD_SDK_SK ?? '',
    securityToken: functionEnvironment.HUAWEICLOUD_SDK_SECURITY_TOKEN ?? '',
  };
}

/** A warm instance of the HTTP handler; the promise rejects when the configuration is bad (a failed cold start). */
function httpHandler(functionEnvironment: Record<string, string | undefined>, write?: (line: string) => void) {
  return Promise.all([import('../handlers/huawei/http.js'), import('../handlers/huawei/runtime.js')]).then(([{ createHttpHandler }, { huaweiRuntime }]) =>
    createHttpHandler(huaweiRuntime(functionEnvironment, { ...(write && { write }) })),
  );
}

/**
 * The HTTP handler as a warm instance, each request split into building the APIG event and the
 * FunctionGraph context (once) and running the handler (the thunk). Its agency keys: the
 * emulator's session for the loopback world; else the developer's own temporary keys from the
 * SDK's variables (HUAWEICLOUD_SDK_AK, _SK, _SECURITY_TOKEN), as FunctionGraph would hand an
 * agency's (the benchmark rig's handlerEnv puts its emulator's session there).
 */
export function preparedInvoker(functionEnvironment: Record<string, string | undefined>, write?: (line: string) => void, agency?: typeof DEFAULT_IDENTITY): PreparedInvoker {
  const keys = agencyKeys(functionEnvironment, agency);
  const ready = httpHandler(functionEnvironment, write);
  return (req) => {
    const event = apigEvent(req);
    // The remaining time is read once per invocation, at its start: a prepared context run many
    // times must not count down from when it was built.
    const context = { ...functionGraphContext(keys), getRemainingTimeInMilliSeconds: () => 10_000 };
    return async () => (await ready)(event, context);
  };
}

/** What an APIG trigger or an InvokeFunction call could hand the HTTP function that it cannot read (B2). */
const MALFORMED_HTTP_EVENTS = [
  ['a string event that is not JSON', 'GET /credentials'],
  ['an event that is an array', []],
  ['an event without httpMethod', { path: '/credentials' }],
  ['query values that are not strings', { httpMethod: 'GET', path: '/credentials', queryStringParameters: { format: [1] } }],
  ['headers that are not strings', { httpMethod: 'GET', path: '/credentials', headers: { authorization: 1 } }],
  ['a requestContext that is not an object', { httpMethod: 'GET', path: '/credentials', requestContext: 'apig' }],
] as const;

/** What a timer or an InvokeFunction call could hand the refresh function that it cannot read (B2). */
const MALFORMED_REFRESH_EVENTS = [
  ['a string event that is not JSON', 'targets=all'],
  ['an event that is an array', []],
  ['a timer user_event that is not JSON', functionGraphTimerEvent('targets=all')],
  ['a timer user_event that is not a string', functionGraphTimerEvent({ targets: [] })],
  ['an InvokeFunction event whose targets are not objects', { targets: ['regcred-pull'] }],
] as const;

function invoker(functionEnvironment: Record<string, string | undefined>, write?: (line: string) => void, agency?: typeof DEFAULT_IDENTITY): Invoker {
  return invokeEach(preparedInvoker(functionEnvironment, write, agency));
}

async function startLocal(): Promise<LocalCloud> {
  const emulator = await startHuaweiEmulator({ region: 'cn-north-4', swr: { regions: ['ap-southeast-1'] }, sessionLifetimeMs: 24 * 60 * 60_000 });
  // IAM knows a caller of another account too: only the bound access control policy refuses it.
  const triggerCheck = apigTriggerCheck({ identities: [LOCAL_CALLER, OTHER_ACCOUNT_CALLER], ...localGateway() });
  return {
    registries: 'swr:cn-north-4,swr:ap-southeast-1',
    hosts: ['swr.cn-north-4.myhuaweicloud.com', 'swr.ap-southeast-1.myhuaweicloud.com'],
    env: { HUAWEICLOUD_ENDPOINT_URL_SWR: emulator.url, HUAWEICLOUD_ENDPOINT_URL_CSMS: emulator.url, HUAWEICLOUD_REGION: emulator.region },
    emulator: emulator.frontEnd,
    mint: [{ service: 'swr', operation: 'CreateSecret', registry: 'swr:cn-north-4' }],
    http: (env, write) => invoker(env, write, DEFAULT_IDENTITY),
    rawHttp(functionEnvironment, write) {
      const ready = httpHandler(functionEnvironment, write);
      return async (event) => (await ready)(event, functionGraphContext(DEFAULT_IDENTITY));
    },
    httpEvent: apigEvent,
    malformedHttpEvents: MALFORMED_HTTP_EVENTS,
    refresh: {
      store: 'csms',
      write: { service: 'csms', operation: 'CreateSecretVersion' },
      scheduledEvent: () => functionGraphTimerEvent(''),
      createSecret: async (secretId, value) => emulator.csms.createSecret(secretId, value, Date.now()),
      current: (secretId) => emulator.csms.valueAt(secretId),
      versions: (secretId) => emulator.csms.versions(secretId).length,
      invoker(functionEnvironment, write) {
        const ready = Promise.all([import('../handlers/huawei/refresh.js'), import('../handlers/huawei/runtime.js')]).then(([{ createRefreshHandler }, { huaweiRuntime }]) =>
          createRefreshHandler(huaweiRuntime(functionEnvironment, { ...(write && { write }) })),
        );
        return async (event) => (await ready)(event, functionGraphContext(DEFAULT_IDENTITY));
      },
      malformedEvents: MALFORMED_REFRESH_EVENTS,
    },
    trigger: {
      verify: triggerCheck,
      banner: (url) => [
        'Requests must be SDK-HMAC-SHA256-signed, as an APIG API with IAM authentication requires, by an IAM identity',
        "of an account the API's PERMIT access control policy names (here the emulator's own).",
        "The regcred client signs them with the local caller's test key (not a real key):",
        '',
        `  HUAWEICLOUD_SDK_AK=${LOCAL_CALLER.accessKeyId} HUAWEICLOUD_SDK_SK=${LOCAL_CALLER.secretAccessKey} npx tsx cli/main.ts get --cloud huawei --url ${url} --format dockerconfigjson`,
        '',
        'Or without the client, signed now and valid for 15 minutes:',
        '',
        `  ${signedCurl(`${url}/credentials?format=dockerconfigjson`)}`,
        '',
        'A freshly signed one for any path:',
        '',
        `  eval "$(npx tsx emulator/huawei/apig.ts '${url}/credentials?format=json')"`,
      ],
    },
    faults: { expiredSession: { status: 401, code: 'APIGW.0307', message: 'The token must be updated.' } },
    secrets: [DEFAULT_IDENTITY.secretAccessKey, DEFAULT_IDENTITY.securityToken!, LOCAL_CALLER.secretAccessKey, OTHER_ACCOUNT_CALLER.secretAccessKey],
    stop: () => emulator.stop(),
  };
}

export const HUAWEI_DEV: CloudDev = {
  id: 'huawei',
  invoker: (env, write) => invoker(env, write),
  startLocal,
};
