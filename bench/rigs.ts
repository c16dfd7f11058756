/**
 * A rig is one cloud's side of the benchmark: its loopback emulator, a provider and a secret
 * store pointed at it, the environment a handler process needs, and an upstream call counter
 * read from the emulator. Adding a cloud adds one entry to {@link RIGS}; nothing else changes.
 */
import type { CredentialProvider, ProviderId, RegistryTarget } from '../core/credential.js';
import type { SecretStore, StoreId } from '../core/secret-store.js';
import { AcrProvider } from '../core/alibaba/acr.js';
import { createAlibabaClient, type AlibabaApiClient } from '../core/alibaba/client.js';
import { KmsSecretStore } from '../core/alibaba/kms.js';
import { DEFAULT_IDENTITY, startAlibabaEmulator } from '../emulator/alibaba/server.js';

export interface ProviderOptions {
  /** The provider's clock (the simulated clock in the refresh run). */
  now?: () => number;
  /**
   * How far simulated time is ahead of the wall clock. The emulators check request signatures
   * against the wall clock (15 min skew), so the simulation moves only the upstream answer's
   * timestamps into simulated time; the request itself is real, signed and counted.
   */
  shiftMs?: () => number;
}

export interface Rig {
  cloud: string;
  providerId: ProviderId;
  /** Four distinct registries this rig serves (benchmarks take the first 1 or 4). */
  registries: RegistryTarget[];
  /** What a scheduled refresh on this cloud runs every so often (DESIGN.md: ECR 4 h, ACR 20 min). */
  refreshEveryMs: number;
  provider(options?: ProviderOptions): CredentialProvider;
  /** Credential calls the emulator has answered so far (cumulative). */
  upstreamCalls(): number;
  /** Environment for a handler bundle running in a child process against this emulator. */
  handlerEnv(registries: RegistryTarget[]): Record<string, string>;
  store: { id: StoreId; secretId: string; create(): SecretStore; writes(): number };
  stop(): Promise<void>;
}

export interface RigEntry {
  cloud: string;
  /** Throws (e.g. a module that is not written yet) → the cloud's rows say "not built yet". */
  start(): Promise<Rig>;
}

const ACR_REGIONS = ['cn-hangzhou', 'cn-shanghai', 'cn-beijing', 'cn-shenzhen'];
const KMS_SECRET = 'regcred-bench-pull';

/** Alibaba: ACR personal edition (`GET /tokens`) and KMS Secrets Manager on the ACS3 emulator. */
export async function startAlibabaRig(): Promise<Rig> {
  const emu = await startAlibabaEmulator({ secrets: { [KMS_SECRET]: undefined } });
  // Long socket timeouts: a baseline burst opens thousands of loopback connections at once, and a
  // connect that times out on the client would be a failed call, not a counted one.
  const client = createAlibabaClient({ endpoint: emu.endpoint, protocol: 'http', keys: DEFAULT_IDENTITY, connectTimeoutMs: 60_000, readTimeoutMs: 60_000 });
  return {
    cloud: 'alibaba',
    providerId: 'acr',
    registries: ACR_REGIONS.map((region) => ({ provider: 'acr', region })),
    refreshEveryMs: 20 * 60_000,
    provider: (options = {}) =>
      new AcrProvider({
        clientFor: () => (options.shiftMs ? shiftedAlibabaClient(client, options.shiftMs) : client),
        ...(options.now && { now: options.now }),
      }),
    upstreamCalls: () => emu.count('cr', 'GetAuthorizationToken'),
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

/**
 * AWS: ECR on the SigV4 emulator. Loaded by path at run time, so the benchmark runs (with
 * "not built yet" rows) while the AWS emulator or provider is still missing.
 */
export async function startAwsRig(): Promise<Rig> {
  const { startAwsRig: start } = (await import(/* @vite-ignore */ AWS_RIG_MODULE)) as { startAwsRig: () => Promise<Rig> };
  return start();
}
const AWS_RIG_MODULE = './rig-aws.js';

/** Every cloud the benchmark measures. */
export const RIGS: RigEntry[] = [
  { cloud: 'alibaba', start: startAlibabaRig },
  { cloud: 'aws', start: startAwsRig },
];
