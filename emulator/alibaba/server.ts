/**
 * The Alibaba emulator: the shared front end (emulator/front-end.ts) speaking Alibaba's OpenAPI
 * wire (emulator/alibaba/wire.ts) for CR personal (`cr`), CR EE (`cr-ee`) and KMS (`kms`). The
 * real SDK talks to it over plain HTTP; faults are injected with `inject('<service>', action, fault)`.
 */
import { startFrontEnd, type FrontEnd } from '../front-end.js';
import type { MintedLogin } from '../registry-access.js';
import type { AcsIdentity } from './acs3.js';
import { crEnterpriseService, crPersonalService, type EeInstance } from './cr.js';
import { KmsState, kmsService } from './kms.js';
import { alibabaWire, type AlibabaService } from './wire.js';

export { alibabaFaults, type AlibabaService } from './wire.js';
export type { AcsIdentity } from './acs3.js';

/** The emulator's default caller: an STS role session like the one FC hands a function. */
export const DEFAULT_IDENTITY: AcsIdentity = {
  accessKeyId: 'STS.NUemulatorRoleSession',
  accessKeySecret: 'emulator-role-session-secret',
  securityToken: 'CAIS.emulator-security-token',
};

/** The account that owns the emulated registries (the same as the FC emulator's). */
export const DEFAULT_ACCOUNT_ID = '1234567890123456';

export interface AlibabaEmulatorOptions {
  /** Keys the gateway accepts (default: {@link DEFAULT_IDENTITY}). */
  identities?: AcsIdentity[];
  /** The gateway's clock, for x-acs-date checks, token expiries and session ends. */
  now?: () => number;
  /** Temporary registry login both CR products mint; `region` is the personal edition's (default cn-hangzhou). */
  tokens?: { username?: string; password?: string; lifetimeMs?: number; capToSession?: boolean; region?: string };
  /** The account that owns the registries (default {@link DEFAULT_ACCOUNT_ID}). */
  accountId?: string;
  /** CR EE instances by id (default: `cri-emulator`). */
  instances?: Record<string, EeInstance>;
  /** KMS generic secrets to create: name → first ACSCurrent value (undefined: no version yet). */
  secrets?: Record<string, string | undefined>;
  /** Extra products on the same gateway, e.g. FC (`fcService`) or a future STS. */
  products?: AlibabaService[];
}

export interface AlibabaEmulator extends FrontEnd {
  readonly kms: KmsState;
  readonly identities: AcsIdentity[];
  /** Every login CR (personal and EE) minted, with its minting key: secret, never for logs. */
  readonly minted: MintedLogin[];
}

/**
 * @example
 * const emu = await startAlibabaEmulator({ instances: { 'cri-abc': { domain: 'abc-registry.cn-hangzhou.cr.aliyuncs.com' } } });
 * const client = createAlibabaClient({ endpoint: emu.endpoint, protocol: 'http', keys: DEFAULT_IDENTITY });
 * emu.inject('cr-ee', 'GetAuthorizationToken', alibabaFaults.throttling());
 * await emu.stop();
 */
export async function startAlibabaEmulator(options: AlibabaEmulatorOptions = {}): Promise<AlibabaEmulator> {
  const now = options.now ?? (() => Date.now());
  const identities = options.identities ?? [DEFAULT_IDENTITY];
  const tokenSettings = {
    username: options.tokens?.username ?? 'cr_temp_user',
    password: options.tokens?.password,
    lifetimeMs: options.tokens?.lifetimeMs ?? 60 * 60_000,
    capToSession: options.tokens?.capToSession ?? true,
    accountId: options.accountId ?? DEFAULT_ACCOUNT_ID,
    region: options.tokens?.region ?? 'cn-hangzhou',
  };
  const kms = new KmsState();
  for (const [name, value] of Object.entries(options.secrets ?? {})) kms.createSecret(name, value, now());
  const minted: MintedLogin[] = [];
  const services = [
    crPersonalService(tokenSettings, minted),
    crEnterpriseService(tokenSettings, options.instances ?? { 'cri-emulator': { domain: 'emulator-registry.cn-hangzhou.cr.aliyuncs.com' } }, minted),
    kmsService(kms),
    ...(options.products ?? []),
  ];
  const frontEnd = await startFrontEnd({ wire: alibabaWire(identities), services, now });
  return Object.assign(frontEnd, { kms, identities, minted });
}
