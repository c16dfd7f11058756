/**
 * Huawei Cloud in the benchmark: the rig (SWR `CreateSecret` in four regions and CSMS on the
 * SDK-HMAC-verifying loopback emulator, the real SWR provider and CSMS store pointed at it), the
 * first request of a fresh process, and the in-process handler.
 */
import type { CredentialProvider, RoleKeys } from '../../core/provider.js';
import { createHuaweiClient, type HuaweiApiClient } from '../../core/huawei/client.js';
import { CsmsSecretStore } from '../../core/huawei/csms.js';
import { parseSwrTime, SwrProvider } from '../../core/huawei/swr.js';
import { preparedInvoker } from '../../dev/huawei.js';
import { apigEvent } from '../../emulator/huawei/apig.js';
import { DEFAULT_PROJECT_ID, keysOf, startHuaweiEmulator } from '../../emulator/huawei/server.js';
import { swrTimestamp } from '../../emulator/huawei/swr.js';
import type { BenchCloud, Rig } from '../rigs.js';

/** The emulator's own region first (also the function's region, where CSMS lives), then three more. */
const SWR_REGIONS = ['cn-north-4', 'cn-east-3', 'cn-south-1', 'ap-southeast-1'];
const CSMS_SECRET = 'regcred-bench-pull';
/**
 * The agency session outlives every simulated day, so SWR's 24 h login (not the session cap) ends
 * each credential: a session ending at emulator start + 24 h would shorten every login by the wall
 * time the run has taken, and the refresh run's spare time would fall short of a schedule period.
 */
const SESSION_LIFETIME_MS = 7 * 24 * 3_600_000;

/** @example const rig = await startHuaweiRig(); rig.emulator.count(rig.mint.service, rig.mint.operation); await rig.stop(); */
export async function startHuaweiRig(): Promise<Rig> {
  const emu = await startHuaweiEmulator({
    region: SWR_REGIONS[0],
    swr: { regions: SWR_REGIONS.slice(1) },
    sessionLifetimeMs: SESSION_LIFETIME_MS,
    secrets: { [CSMS_SECRET]: undefined },
  });
  const session = emu.agencySession;
  // What FunctionGraph hands each invocation (context.getSecurity*()); SWR takes them per fetch.
  const agencyKeys: RoleKeys = { accessKeyId: session.accessKeyId, accessKeySecret: session.secretAccessKey, securityToken: session.securityToken! };
  // Long timeouts: a baseline burst opens thousands of loopback connections at once, and a request
  // that times out on the client would be a failed call, not a counted one. One client serves every
  // region: the emulator answers all four at one endpoint (`projectname` picks the region).
  const swrClient = createHuaweiClient({ endpoint: emu.url, timeoutMs: 60_000 });
  const csmsClient = createHuaweiClient({ endpoint: emu.url, keys: keysOf(session), projectId: emu.projectId, timeoutMs: 60_000 });
  return {
    providerId: 'swr',
    registries: SWR_REGIONS.map((region) => ({ provider: 'swr', region })),
    // docs/design.md, "Refresh and rotation": at most every two thirds of the half-life. SWR's login lasts 24 h, so its half-life
    // is 12 h and a scheduled refresh runs every 8 h: the secret always holds a login with at least
    // 8 h left when the next run comes.
    refreshEveryMs: 8 * 3_600_000,
    provider: (options = {}) => {
      const client = options.shiftMs ? shiftedSwrClient(swrClient, options.shiftMs) : swrClient;
      const swr = new SwrProvider({ clientFor: () => client, ...(options.now && { now: options.now }) });
      return withAgencyKeys(swr, agencyKeys);
    },
    emulator: emu,
    mint: { service: 'swr', operation: 'CreateSecret' },
    handlerEnv: (registries) => ({
      REGCRED_REGISTRIES: registries.map((r) => `${r.provider}:${r.region}`).join(','),
      HUAWEICLOUD_ENDPOINT_URL_SWR: emu.url,
      HUAWEICLOUD_ENDPOINT_URL_CSMS: emu.url,
      HUAWEICLOUD_REGION: emu.region,
      // Not read by the handler: FunctionGraph passes the agency's keys in the context, which the
      // bench's coldInvoke and the dev entry's invoker (no agency given) build from these.
      HUAWEICLOUD_SDK_AK: session.accessKeyId,
      HUAWEICLOUD_SDK_SK: session.secretAccessKey,
      HUAWEICLOUD_SDK_SECURITY_TOKEN: session.securityToken!,
      LOG_LEVEL: 'info',
    }),
    store: { id: 'csms', secretId: CSMS_SECRET, create: () => new CsmsSecretStore({ client: csmsClient }), writes: () => emu.count('csms', 'CreateSecretVersion') },
    stop: () => emu.stop(),
  };
}

/** The provider with the agency's keys on every fetch that carries none (the benchmark's callers pass none). */
function withAgencyKeys(provider: SwrProvider, keys: RoleKeys): CredentialProvider {
  return {
    id: provider.id,
    fetch: (target, signal, invocationKeys) => provider.fetch(target, signal, invocationKeys ?? keys),
    mayServe: (target, host) => provider.mayServe(target, host),
  };
}

/** Moves SWR's `X-Swr-Expireat` into simulated time. */
function shiftedSwrClient(client: HuaweiApiClient, shiftMs: () => number): HuaweiApiClient {
  return {
    async call(request, signal, keys) {
      const answer = await client.call(request, signal, keys);
      const expireAt = answer.headers['X-Swr-Expireat'];
      if (expireAt !== undefined) answer.headers['X-Swr-Expireat'] = swrTimestamp(parseSwrTime(expireAt) + shiftMs());
      return answer;
    },
  };
}

export const HUAWEI_BENCH: BenchCloud = {
  id: 'huawei',
  rig: startHuaweiRig,
  // FunctionGraph hands the agency's keys in the context; a fresh process reads the rig's from
  // its environment (handlerEnv), as preparedInvoker does without an agency given.
  coldInvoke: `handler(${JSON.stringify(apigEvent({ method: 'GET', path: '/credentials', query: '' }))}, { getRequestID: () => 'bench-cold', getRemainingTimeInMilliSeconds: () => 10000, getProjectID: () => ${JSON.stringify(DEFAULT_PROJECT_ID)}, getFunctionName: () => 'regcred', getSecurityAccessKey: () => process.env.HUAWEICLOUD_SDK_AK, getSecuritySecretKey: () => process.env.HUAWEICLOUD_SDK_SK, getSecurityToken: () => process.env.HUAWEICLOUD_SDK_SECURITY_TOKEN })`,
  preparedInvoker: (env, write) => preparedInvoker(env, write),
};
