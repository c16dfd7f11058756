/**
 * A loopback emulator of the Huawei Cloud APIs regcred calls (SWR CreateSecret, CSMS secret
 * versions and stages) on the shared front end: SDK-HMAC-SHA256 verified, faults, call records.
 * The real SDK reaches it through `withEndpoint(emu.url)` (HUAWEICLOUD_ENDPOINT_URL_SWR / _CSMS).
 *
 * @example
 * const emu = await startHuaweiEmulator({ secrets: { 'regcred-docker': undefined } });
 * const swr = createSwrProvider({ keys: keysOf(emu.agencySession), endpointUrl: emu.url });
 * await emu.stop();
 */
import { faults, startFrontEnd, type Fault, type FrontEnd, type RecordedCall } from '../front-end.js';
import type { MintedLogin } from '../registry-access.js';
import { CsmsState, csmsService } from './csms.js';
import type { HuaweiIdentity } from './sdk-hmac.js';
import { swrService, type SwrSettings } from './swr.js';
import { huaweiWire, type HuaweiService } from './wire.js';

export { faults, type Fault, type RecordedCall };
export type { HuaweiIdentity } from './sdk-hmac.js';
export { CsmsState } from './csms.js';
export { DEFAULT_DOMAIN_ID } from './swr.js';

/** The account the emulator's own keys (the agency, the deployer, the local caller) belong to. */
export const EMULATOR_ACCOUNT = { domainId: '1b2c3d4e5f60718293a4b5c6d7e8f90a', domainName: 'regcred-emulator' } as const;
/** Another Huawei Cloud account: IAM authenticates its keys, but no access control policy of ours names it. */
export const OTHER_ACCOUNT = { domainId: '9f8e7d6c5b4a39281706f5e4d3c2b1a0', domainName: 'another-tenant' } as const;

/**
 * The default identity: an agency session as FunctionGraph hands it to a function through
 * `context.getSecurityAccessKey()` / `getSecuritySecretKey()` / `getSecurityToken()`. Its end is
 * relative to when the emulator starts (see {@link startHuaweiEmulator}'s `sessionLifetimeMs`).
 */
export const DEFAULT_IDENTITY: Readonly<Omit<HuaweiIdentity, 'sessionExpiresAt'>> = {
  accessKeyId: 'EMULATORTEMPAGENCYAK0',
  secretAccessKey: 'emulator-agency-session-secret-key-000000',
  securityToken: 'gQpjbi1ub3J0aC00emulator-agency-security-token',
  ...EMULATOR_ACCOUNT,
};
/** A permanent IAM user key (no token), for tests that need one; regcred itself never uses one. */
export const PERMANENT_KEY: Readonly<HuaweiIdentity> = {
  accessKeyId: 'EMULATORPERMANENTAK00',
  secretAccessKey: 'emulator-permanent-secret-key-0000000000',
  ...EMULATOR_ACCOUNT,
};

/**
 * The `{ak, sk, securityToken}` a handler passes to regcred's Huawei factories, as a FunctionGraph
 * function reads them from its context.
 * @example const swr = createSwrProvider({ keys: keysOf(emu.agencySession), endpointUrl: emu.url });
 */
export function keysOf(identity: HuaweiIdentity): { ak: string; sk: string; securityToken: string } {
  return { ak: identity.accessKeyId, sk: identity.secretAccessKey, securityToken: identity.securityToken ?? '' };
}

export const DEFAULT_REGION = 'cn-north-4';
export const DEFAULT_PROJECT_ID = '0a1b2c3d4e5f60718293a4b5c6d7e8f9';

export interface HuaweiEmulatorOptions {
  /** Region SWR serves (default cn-north-4). */
  region?: string;
  /** The project id CSMS paths must name (default {@link DEFAULT_PROJECT_ID}). */
  projectId?: string;
  /** Keys APIG accepts (default: the agency session and the permanent key). */
  identities?: HuaweiIdentity[];
  /** How long the default agency session lives from start (default 1 h). */
  sessionLifetimeMs?: number;
  /** What SWR's temporary login looks like (username prefix, fixed password, lifetime, the owning domain id). */
  swr?: Omit<SwrSettings, 'region'>;
  /** CSMS secrets to create: name → first SYSCURRENT value (undefined: no version yet). */
  secrets?: Record<string, string | undefined>;
  now?: () => number;
  /** Extra services (e.g. FunctionGraph's invoke API, later). */
  services?: HuaweiService[];
}

export interface HuaweiEmulator {
  /** `http://127.0.0.1:<port>`: what `withEndpoint` takes. */
  readonly url: string;
  readonly endpoint: string;
  readonly region: string;
  readonly projectId: string;
  /** The keys accepted, the agency session (with its end) first. */
  readonly identities: readonly HuaweiIdentity[];
  /** The agency session as the caller sees it (with `sessionExpiresAt`). */
  readonly agencySession: HuaweiIdentity;
  readonly csms: CsmsState;
  /** Every login SWR minted, with its minting key: secret, never for logs. */
  readonly minted: MintedLogin[];
  readonly calls: RecordedCall[];
  readonly frontEnd: FrontEnd;
  /** Queue a fault for `swr.CreateSecret`, `csms.CreateSecretVersion`, `csms.ShowSecretStage`, … */
  inject(service: string, operation: string, fault: Fault): void;
  clearFaults(): void;
  count(service: string, operation: string): number;
  settled(): Promise<void>;
  stop(): Promise<void>;
}

export async function startHuaweiEmulator(options: HuaweiEmulatorOptions = {}): Promise<HuaweiEmulator> {
  const now = options.now ?? (() => Date.now());
  const region = options.region ?? DEFAULT_REGION;
  const projectId = options.projectId ?? DEFAULT_PROJECT_ID;
  const agencySession: HuaweiIdentity = { ...DEFAULT_IDENTITY, sessionExpiresAt: now() + (options.sessionLifetimeMs ?? 60 * 60_000) };
  const identities = options.identities ?? [agencySession, { ...PERMANENT_KEY }];
  const csms = new CsmsState();
  for (const [name, value] of Object.entries(options.secrets ?? {})) csms.createSecret(name, value, now());
  const minted: MintedLogin[] = [];

  const frontEnd = await startFrontEnd({
    wire: huaweiWire({ identities }),
    services: [swrService({ region, ...options.swr }, minted), csmsService(csms, projectId), ...(options.services ?? [])],
    now,
  });
  return {
    url: frontEnd.url,
    endpoint: frontEnd.endpoint,
    region,
    projectId,
    identities,
    agencySession: identities.find((i) => i.securityToken !== undefined) ?? agencySession,
    csms,
    minted,
    calls: frontEnd.calls,
    frontEnd,
    inject: (service, operation, fault) => frontEnd.inject(service, operation, fault),
    clearFaults: () => frontEnd.clearFaults(),
    count: (service, operation) => frontEnd.count(service, operation),
    settled: () => frontEnd.settled(),
    stop: () => frontEnd.stop(),
  };
}
