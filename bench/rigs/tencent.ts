/**
 * Tencent Cloud in the benchmark: the rig (TCR Enterprise, `CreateInstanceToken`, and SSM on the
 * TC3-verifying loopback emulator, the real TCR provider and SSM store pointed at it with the SCF
 * execution role's keys), the first request of a fresh process, and the in-process handler.
 */
import type { RegistryTarget } from '../../core/provider.js';
import { createTencentClient, type TencentApiClient, type TencentProduct } from '../../core/tencent/client.js';
import { SsmSecretStore } from '../../core/tencent/ssm.js';
import { TcrProvider } from '../../core/tencent/tcr.js';
import { preparedInvoker } from '../../dev/tencent.js';
import { DEFAULT_IDENTITY, scfRoleEnvironment, startTencentEmulator, type TcrInstance } from '../../emulator/tencent/server.js';
import { scfUrlEvent } from '../../emulator/tencent/scf-event.js';
import type { BenchCloud, Rig } from '../rigs.js';

/** Four TCR instances, one per region: four distinct registries. */
const TCR_INSTANCES: Record<string, TcrInstance & { region: string }> = {
  'tcr-bench0': { name: 'bench0', region: 'ap-guangzhou' },
  'tcr-bench1': { name: 'bench1', region: 'ap-shanghai' },
  'tcr-bench2': { name: 'bench2', region: 'ap-beijing' },
  'tcr-bench3': { name: 'bench3', region: 'ap-chengdu' },
};
const SSM_SECRET = 'regcred-bench-pull';
/** SSM secrets live in the function's own region. */
const FUNCTION_REGION = 'ap-guangzhou';

/** @example const rig = await startTencentRig(); rig.emulator.count(rig.mint.service, rig.mint.operation); await rig.stop(); */
export async function startTencentRig(): Promise<Rig> {
  const emu = await startTencentEmulator({ instances: TCR_INSTANCES, secrets: { [SSM_SECRET]: undefined } });
  // Long socket timeouts: a baseline burst opens thousands of loopback connections at once, and a
  // connect that times out on the client would be a failed call, not a counted one.
  const clients = new Map<string, TencentApiClient>();
  const clientFor = (product: TencentProduct, region: string): TencentApiClient => {
    const key = `${product}:${region}`;
    let client = clients.get(key);
    if (!client) {
      client = createTencentClient({ product, region, keys: DEFAULT_IDENTITY, endpointUrl: emu.url, timeoutSeconds: 60 });
      clients.set(key, client);
    }
    return client;
  };
  const registries: RegistryTarget[] = Object.entries(TCR_INSTANCES).map(([instanceId, { region }]) => ({ provider: 'tcr', region, instanceId }));
  return {
    providerId: 'tcr',
    registries,
    // TCR temporary tokens live 1 h: two thirds of the half-life is 20 min.
    refreshEveryMs: 20 * 60_000,
    provider: (options = {}) =>
      new TcrProvider({
        clientFor: (region) => (options.shiftMs ? shiftedTcrClient(clientFor('tcr', region), options.shiftMs) : clientFor('tcr', region)),
        ...(options.now && { now: options.now }),
      }),
    emulator: emu,
    mint: { service: 'tcr', operation: 'CreateInstanceToken' },
    handlerEnv: (targets) => ({
      ...scfRoleEnvironment(),
      TENCENTCLOUD_ENDPOINT_URL_TCR: emu.url,
      TENCENTCLOUD_ENDPOINT_URL_SSM: emu.url,
      REGCRED_REGISTRIES: targets.map((r) => `${r.provider}:${r.region}:${r.instanceId}`).join(','),
      LOG_LEVEL: 'info',
    }),
    store: {
      id: 'ssm',
      secretId: SSM_SECRET,
      create: () => new SsmSecretStore({ client: clientFor('ssm', FUNCTION_REGION) }),
      // The first write creates the well-known version, every later one replaces it in place.
      writes: () => emu.count('ssm', 'PutSecretValue') + emu.count('ssm', 'UpdateSecret'),
    },
    stop: () => emu.stop(),
  };
}

/** Moves TCR's `ExpTime` (epoch ms) into simulated time; DescribeInstances passes through. */
function shiftedTcrClient(client: TencentApiClient, shiftMs: () => number): TencentApiClient {
  return {
    async call(action, params, signal) {
      const body = await client.call(action, params, signal);
      if (action === 'CreateInstanceToken' && typeof body['ExpTime'] === 'number') return { ...body, ExpTime: body['ExpTime'] + shiftMs() };
      return body;
    },
  };
}

export const TENCENT_BENCH: BenchCloud = {
  id: 'tencent',
  rig: startTencentRig,
  // SCF puts the role's keys in the environment (the rig's handlerEnv, a fresh process's whole one).
  coldInvoke: `handler(${JSON.stringify(scfUrlEvent({ method: 'GET', path: '/credentials', query: '' }))}, { request_id: 'bench-cold', time_limit_in_ms: 10000, memory_limit_in_mb: 128, function_name: 'regcred', function_version: '$LATEST', namespace: 'default', tencentcloud_region: 'ap-guangzhou', getRemainingTimeInMillis: ((d) => () => d - Date.now())(Date.now() + 10000) })`,
  preparedInvoker,
};
