/**
 * Tencent Container Registry (Enterprise Edition), API version 2019-09-24: the two actions regcred
 * calls. Shapes follow the TCR API reference and the generated SDK models
 * (TencentCloud/tencentcloud-sdk-nodejs `src/services/tcr/v20190924/tcr_models.ts`):
 *
 * - `CreateInstanceToken` {RegistryId, TokenType?: 'temp' (default, valid 1 h) | 'longterm', Desc?}
 *   → {Username, Token, ExpTime, TokenId?}. ExpTime is epoch milliseconds here; the reference only
 *   says "a timestamp number without unit".
 * - `DescribeInstances` {Registryids?: string[] (note the lower-case `i`, as the API spells it),
 *   Offset?, Limit?, Filters?, AllRegion?} → {TotalCount, Registries: Registry[]}, where
 *   `Registry.PublicDomain` is the instance's public registry domain `<name>.tencentcloudcr.com`.
 *
 * Every login minted is recorded with the key that minted it and the instance it is for (`minted`).
 */
import { randomBytes } from 'node:crypto';
import type { OperationContext } from '../front-end.js';
import type { MintedLogin } from '../registry-access.js';
import { assertKnownParams, requireString, tencentError, type TencentService } from './wire.js';

export interface TcrInstance {
  /** Instance name: the public domain is `<name>.tencentcloudcr.com` unless `publicDomain` says otherwise. */
  name: string;
  /** Overrides the reported domain, e.g. `127.0.0.1:5000` for a test against a real local registry. */
  publicDomain?: string;
  /** Region the instance lives in; a call naming another region does not find it. Default: any. */
  region?: string;
  /** Default `Running`. */
  status?: string;
}

export interface TcrTokenSettings {
  /** The login user name TCR reports (a CAM user/role UIN for temp tokens). */
  username: string;
  /** Fixed password, so a test can configure a real registry to accept it; else random per call. */
  password?: string;
  /** Default 1 h, as TCR documents for `temp`. */
  lifetimeMs: number;
  /** Cap the expiry at the caller's role-session end (Tencent does not document this; default off). */
  capToSession: boolean;
  /** The UIN of the account that owns the instances. */
  accountUin: string;
}

export const DEFAULT_TCR_USERNAME = '100000000001';
export const DEFAULT_ACCOUNT_UIN = '100000000001';

/**
 * @example
 * const tcr = tcrService({ username: DEFAULT_TCR_USERNAME, lifetimeMs: 3_600_000, capToSession: false, accountUin: DEFAULT_ACCOUNT_UIN }, { 'tcr-abc': { name: 'acme' } });
 */
export function tcrService(settings: TcrTokenSettings, instances: Record<string, TcrInstance>, minted: MintedLogin[] = []): TencentService {
  const find = (id: string, ctx: OperationContext): TcrInstance => {
    const instance = Object.hasOwn(instances, id) ? instances[id] : undefined;
    if (!instance || (instance.region && ctx.region && instance.region !== ctx.region)) {
      throw tencentError('ResourceNotFound', `The instance \`${id}\` does not exist in this region.`);
    }
    return instance;
  };

  return {
    name: 'tcr',
    version: '2019-09-24',
    signingName: 'tcr',
    operations: {
      CreateInstanceToken(input, ctx) {
        assertKnownParams(input, ['RegistryId', 'TokenType', 'Desc']);
        requireRegion(ctx);
        const registryId = requireString(input, 'RegistryId');
        const tokenType = input['TokenType'] ?? 'temp';
        if (tokenType !== 'temp' && tokenType !== 'longterm') throw tencentError('InvalidParameter', 'TokenType must be temp or longterm.');
        if (tokenType === 'longterm') throw tencentError('UnsupportedOperation', 'The emulator mints temp tokens only.');
        find(registryId, ctx);
        const login: MintedLogin = {
          username: settings.username,
          password: settings.password ?? randomBytes(24).toString('base64url'),
          accessKeyId: ctx.identity.accessKeyId,
          region: ctx.region!,
          account: settings.accountUin,
          instance: registryId,
          expiresAt: expiry(settings, ctx),
        };
        minted.push(login);
        return { Username: login.username, Token: login.password, ExpTime: login.expiresAt };
      },

      DescribeInstances(input, ctx) {
        assertKnownParams(input, ['Registryids', 'Offset', 'Limit', 'Filters', 'AllRegion']);
        requireRegion(ctx);
        const ids = input['Registryids'];
        if (ids !== undefined && (!Array.isArray(ids) || !ids.every((i) => typeof i === 'string'))) {
          throw tencentError('InvalidParameter', 'Registryids must be an array of strings.');
        }
        const limit = clampInt(input['Limit'], 1, 100, 20);
        const offset = clampInt(input['Offset'], 0, 1_000_000, 0);
        const all = Object.entries(instances).filter(
          ([id, inst]) => (!ids || (ids as string[]).includes(id)) && (input['AllRegion'] === true || !inst.region || !ctx.region || inst.region === ctx.region),
        );
        return {
          TotalCount: all.length,
          Registries: all.slice(offset, offset + limit).map(([id, inst]) => registry(id, inst, ctx)),
        };
      },
    },
  };
}

function registry(id: string, inst: TcrInstance, ctx: OperationContext): Record<string, unknown> {
  const region = inst.region ?? ctx.region ?? 'ap-guangzhou';
  return {
    RegistryId: id,
    RegistryName: inst.name,
    RegistryType: 'standard',
    Status: inst.status ?? 'Running',
    PublicDomain: inst.publicDomain ?? `${inst.name}.tencentcloudcr.com`,
    CreatedAt: '2026-01-01T00:00:00Z',
    RegionName: region,
    RegionId: 1,
    EnableAnonymous: false,
    TokenValidTime: 3600,
    InternalEndpoint: `${inst.name}-vpc.tencentcloudcr.com`,
    TagSpecification: { ResourceType: 'instance', Tags: [] },
    ExpiredAt: '',
    PayMod: 0,
    RenewFlag: 0,
    DeletionProtection: false,
  };
}

function expiry(settings: TcrTokenSettings, ctx: OperationContext): number {
  if (ctx.expiredToken) return ctx.now - 60_000;
  const natural = ctx.now + settings.lifetimeMs;
  const session = ctx.identity.sessionExpiresAt;
  return settings.capToSession && session !== undefined ? Math.min(natural, session) : natural;
}

function requireRegion(ctx: OperationContext): void {
  if (!ctx.region) throw tencentError('MissingParameter', 'The request is missing a required parameter `Region`.');
}

function clampInt(raw: unknown, min: number, max: number, fallback: number): number {
  return typeof raw === 'number' && Number.isInteger(raw) ? Math.min(max, Math.max(min, raw)) : fallback;
}
