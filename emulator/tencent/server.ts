/**
 * A loopback emulator of Tencent Cloud's API 3.0 gateway for TCR and SSM, on the shared front end
 * (emulator/front-end.ts): every request's TC3 signature is verified, calls are recorded (never a
 * secret), faults are injected with `emu.inject('tcr' | 'ssm', action, fault)`.
 *
 * The real SDK reaches it by endpoint override (`TENCENTCLOUD_ENDPOINT_URL_TCR` / `_SSM` = `emu.url`).
 */
import { startFrontEnd, type FrontEnd, type Service } from '../front-end.js';
import type { MintedLogin } from '../registry-access.js';
import { ssmService, SsmState } from './ssm.js';
import type { TencentIdentity } from './tc3.js';
import { DEFAULT_ACCOUNT_UIN, DEFAULT_TCR_USERNAME, tcrService, type TcrInstance, type TcrTokenSettings } from './tcr.js';
import { tencentWire, type TencentService } from './wire.js';

export { faults, type Fault } from '../front-end.js';
export type { TencentIdentity } from './tc3.js';
export { MAX_SECRET_VERSIONS, SsmState } from './ssm.js';
export type { TcrInstance } from './tcr.js';
export { DEFAULT_ACCOUNT_UIN } from './tcr.js';

/**
 * The default identity: a role session like the one SCF hands a function in
 * `TENCENTCLOUD_SECRETID` / `TENCENTCLOUD_SECRETKEY` / `TENCENTCLOUD_SESSIONTOKEN`.
 */
export const DEFAULT_IDENTITY: TencentIdentity = {
  secretId: 'AKIDemulatorScfRoleSession0000000',
  secretKey: 'emulator-scf-role-session-secret-key',
  token: 'emulator-scf-role-session-token',
};
/**
 * The variables SCF sets for a function with an execution role, for handler tests and `npm start`.
 * @example const env = { ...scfRoleEnvironment(), TENCENTCLOUD_ENDPOINT_URL_TCR: emu.url };
 */
export function scfRoleEnvironment(identity: TencentIdentity = DEFAULT_IDENTITY): Record<string, string> {
  return {
    TENCENTCLOUD_SECRETID: identity.secretId,
    TENCENTCLOUD_SECRETKEY: identity.secretKey,
    ...(identity.token !== undefined && { TENCENTCLOUD_SESSIONTOKEN: identity.token }),
    TENCENTCLOUD_RUNENV: 'SCF',
  };
}

/** A permanent API key (no token), e.g. a CAM user's key on a developer's machine. */
export const CAM_USER_KEY: TencentIdentity = {
  secretId: 'AKIDemulatorCamUserKey00000000000',
  secretKey: 'emulator-cam-user-secret-key',
};

export const DEFAULT_TCR_INSTANCES: Record<string, TcrInstance> = { 'tcr-emulator': { name: 'emulator' } };

export interface TencentEmulatorOptions {
  /** Keys the gateway accepts (default: {@link DEFAULT_IDENTITY} and {@link CAM_USER_KEY}). */
  identities?: TencentIdentity[];
  /** The gateway's clock: X-TC-Timestamp checks, token expiries, session ends. */
  now?: () => number;
  /** TCR instances by id (default: `tcr-emulator` → `emulator.tencentcloudcr.com`). */
  instances?: Record<string, TcrInstance>;
  /** TCR temporary login: user name, fixed password, lifetime (1 h), cap to the session (off), the owner's UIN. */
  tokens?: Partial<TcrTokenSettings>;
  /** SSM secrets to create: name → first version's text (`SSM_Current`), or undefined for none. */
  secrets?: Record<string, string | undefined>;
  /** Extra Tencent products (e.g. a future SCF emulation). */
  services?: TencentService[];
}

export interface TencentEmulator extends FrontEnd {
  readonly ssm: SsmState;
  readonly identities: readonly TencentIdentity[];
  /** Every login TCR minted, with its minting key: secret, never for logs. */
  readonly minted: MintedLogin[];
}

/**
 * @example
 * const emu = await startTencentEmulator({ instances: { 'tcr-abc': { name: 'acme' } }, tokens: { password: 'p' } });
 * const client = createTencentClient({ product: 'tcr', region: 'ap-guangzhou', endpointUrl: emu.url, keys: DEFAULT_IDENTITY });
 * await emu.stop();
 */
export async function startTencentEmulator(options: TencentEmulatorOptions = {}): Promise<TencentEmulator> {
  const now = options.now ?? (() => Date.now());
  const identities = options.identities ?? [DEFAULT_IDENTITY, CAM_USER_KEY];
  const ssm = new SsmState();
  for (const [name, value] of Object.entries(options.secrets ?? {})) ssm.createSecret(name, value === undefined ? undefined : { value }, now());
  const minted: MintedLogin[] = [];
  const services: TencentService[] = [
    tcrService(
      {
        username: options.tokens?.username ?? DEFAULT_TCR_USERNAME,
        ...(options.tokens?.password !== undefined && { password: options.tokens.password }),
        lifetimeMs: options.tokens?.lifetimeMs ?? 60 * 60_000,
        capToSession: options.tokens?.capToSession ?? false,
        accountUin: options.tokens?.accountUin ?? DEFAULT_ACCOUNT_UIN,
      },
      options.instances ?? DEFAULT_TCR_INSTANCES,
      minted,
    ),
    ssmService(ssm),
    ...(options.services ?? []),
  ];
  const frontEnd = await startFrontEnd({ wire: tencentWire({ identities, services }), services: services as Service[], now });
  return Object.assign(frontEnd, { ssm, identities, minted });
}
