/**
 * Alibaba Cloud for development: CR (personal and EE) and KMS on the ACS3-checking emulator, and an
 * FC 3.0 HTTP trigger with authType `function` in front of the real handler: the trigger checks the
 * caller's ACS3 signature, FC hands the function the role's STS keys in `context.credentials`.
 */
import { invokeEach, type CloudDev, type Invoker, type LocalCloud, type PreparedInvoker } from '../cloud-dev.js';
import { TRIGGER_SIGNED, verifyAcs3, type AcsIdentity } from './acs3.js';
import { fcHttpEvent } from './fc-event.js';
import { DEFAULT_IDENTITY, startAlibabaEmulator } from './server.js';

/** The developer's RAM key the local trigger accepts (a test key, never a real one). */
export const LOCAL_CALLER: AcsIdentity = { accessKeyId: 'LTAI5tLocalDeveloperKey', accessKeySecret: 'local-developer-test-secret-0000' };

function preparedInvoker(functionEnvironment: Record<string, string | undefined>, write?: (line: string) => void): PreparedInvoker {
  const ready = Promise.all([import('../../handlers/alibaba/http.js'), import('../../handlers/alibaba/runtime.js')]).then(([{ createHttpHandler }, { alibabaRuntime }]) =>
    createHttpHandler(alibabaRuntime(functionEnvironment, { ...(write && { write }) })),
  );
  return (req) => {
    const event = fcHttpEvent(req);
    // FC hands each invocation the role's STS keys (here the emulator's role session).
    const context = { requestId: crypto.randomUUID(), credentials: { ...DEFAULT_IDENTITY }, function: { name: 'regcred', timeout: 10 }, region: 'cn-hangzhou' };
    return async () => (await ready)(event, context);
  };
}

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
    mint: [{ service: 'cr', operation: 'GetAuthorizationToken' }, { service: 'cr-ee', operation: 'GetAuthorizationToken' }],
    http: invoker,
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
  handlers: [
    { cloud: 'alibaba', name: 'http', entry: 'handlers/alibaba/http.ts' },
    { cloud: 'alibaba', name: 'refresh', entry: 'handlers/alibaba/refresh.ts' },
  ],
  invoker,
  startLocal,
  rig: () => import('./rig.js').then((m) => m.startAlibabaRig()),
  // The role's keys come from the rig's handlerEnv, which a fresh process has as its environment.
  coldInvoke: `handler(Buffer.from(${JSON.stringify(fcHttpEvent({ method: 'GET', path: '/credentials', query: '' }).toString())}), { requestId: 'bench-cold', credentials: { accessKeyId: process.env.ALIBABA_CLOUD_ACCESS_KEY_ID, accessKeySecret: process.env.ALIBABA_CLOUD_ACCESS_KEY_SECRET, securityToken: process.env.ALIBABA_CLOUD_SECURITY_TOKEN }, function: { name: 'regcred', timeout: 10 }, region: 'cn-hangzhou' })`,
  preparedInvoker,
};
