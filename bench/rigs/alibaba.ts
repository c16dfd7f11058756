/**
 * Alibaba Cloud in the benchmark: the rig (ACR personal edition, `GET /tokens`, and KMS Secrets
 * Manager on the ACS3-verifying loopback emulator, the real ACR provider and KMS store pointed at
 * it), the first request of a fresh process, and the in-process handler.
 */
import { AcrProvider } from '../../core/alibaba/acr.js';
import { createAlibabaClient, type AlibabaApiClient } from '../../core/alibaba/client.js';
import { KmsSecretStore } from '../../core/alibaba/kms.js';
import { preparedInvoker } from '../../dev/alibaba.js';
import { fcHttpEvent } from '../../emulator/alibaba/fc-event.js';
import { DEFAULT_IDENTITY, startAlibabaEmulator } from '../../emulator/alibaba/server.js';
import type { BenchCloud, Rig } from '../rigs.js';

const ACR_REGIONS = ['cn-hangzhou', 'cn-shanghai', 'cn-beijing', 'cn-shenzhen'];
const KMS_SECRET = 'regcred-bench-pull';

/** @example const rig = await startAlibabaRig(); rig.emulator.count(rig.mint.service, rig.mint.operation); await rig.stop(); */
export async function startAlibabaRig(): Promise<Rig> {
  const emu = await startAlibabaEmulator({ secrets: { [KMS_SECRET]: undefined } });
  // Long socket timeouts: a baseline burst opens thousands of loopback connections at once, and a
  // connect that times out on the client would be a failed call, not a counted one.
  const client = createAlibabaClient({ endpoint: emu.endpoint, protocol: 'http', keys: DEFAULT_IDENTITY, connectTimeoutMs: 60_000, readTimeoutMs: 60_000 });
  return {
    providerId: 'acr',
    registries: ACR_REGIONS.map((region) => ({ provider: 'acr', region })),
    refreshEveryMs: 20 * 60_000,
    provider: (options = {}) =>
      new AcrProvider({
        clientFor: () => (options.shiftMs ? shiftedAlibabaClient(client, options.shiftMs) : client),
        ...(options.now && { now: options.now }),
      }),
    emulator: emu,
    mint: { service: 'cr', operation: 'GetAuthorizationToken' },
    handlerEnv: (registries) => ({
      REGCRED_REGISTRIES: registries.map((r) => `${r.provider}:${r.region}`).join(','),
      ALIBABA_CLOUD_ENDPOINT_URL_CR: emu.url,
      ALIBABA_CLOUD_ENDPOINT_URL_KMS: emu.url,
      ALIBABA_CLOUD_ACCESS_KEY_ID: DEFAULT_IDENTITY.accessKeyId,
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: DEFAULT_IDENTITY.accessKeySecret,
      ALIBABA_CLOUD_SECURITY_TOKEN: DEFAULT_IDENTITY.securityToken!,
      LOG_LEVEL: 'info',
    }),
    store: { id: 'kms', secretId: KMS_SECRET, create: () => new KmsSecretStore({ client }), writes: () => emu.count('kms', 'PutSecretValue') },
    stop: () => emu.stop(),
  };
}

/** Moves ACR's `data.expireDate` (epoch ms) into simulated time. */
function shiftedAlibabaClient(client: AlibabaApiClient, shiftMs: () => number): AlibabaApiClient {
  return {
    async call(request, signal) {
      const body = (await client.call(request, signal)) as { data?: { expireDate?: unknown } };
      if (typeof body?.data?.expireDate === 'number') body.data.expireDate += shiftMs();
      return body;
    },
  };
}

export const ALIBABA_BENCH: BenchCloud = {
  id: 'alibaba',
  rig: startAlibabaRig,
  // The role's keys come from the rig's handlerEnv, which a fresh process has as its environment.
  coldInvoke: `handler(Buffer.from(${JSON.stringify(fcHttpEvent({ method: 'GET', path: '/credentials', query: '' }).toString())}), { requestId: 'bench-cold', credentials: { accessKeyId: process.env.ALIBABA_CLOUD_ACCESS_KEY_ID, accessKeySecret: process.env.ALIBABA_CLOUD_ACCESS_KEY_SECRET, securityToken: process.env.ALIBABA_CLOUD_SECURITY_TOKEN }, function: { name: 'regcred', timeout: 10 }, region: 'cn-hangzhou' })`,
  preparedInvoker,
};
