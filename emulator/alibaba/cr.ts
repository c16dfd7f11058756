/**
 * Container Registry products: personal edition (ROA `GET /tokens`, version 2016-06-07) and
 * Enterprise Edition (RPC `GetAuthorizationToken` / `GetInstanceEndpoint`, version 2018-12-01).
 * Answer shapes follow Alibaba's API reference and the generated cr20181201 SDK models. Every
 * login minted is recorded with the key that minted it and the registry it is for (`minted`).
 */
import { randomBytes } from 'node:crypto';
import { ServiceError, type OperationContext } from '../front-end.js';
import type { MintedLogin } from '../registry-access.js';
import type { AlibabaService } from './wire.js';

/** Token settings shared by the CR products. */
export interface TokenSettings {
  username: string;
  /** Fixed password, or a new random one per call when undefined. */
  password?: string;
  lifetimeMs: number;
  /** Alibaba documents that a token minted with STS keys lives no longer than the session. */
  capToSession: boolean;
  /** The account that owns the registries. */
  accountId: string;
  /** The region the personal edition's token endpoint serves (an SDK endpoint override names none). */
  region: string;
}

export interface EeInstance {
  /** The internet Registry domain GetInstanceEndpoint reports. */
  domain: string;
  /** The instance's region (default cn-hangzhou). */
  region?: string;
}

export function crPersonalService(settings: TokenSettings, minted: MintedLogin[]): AlibabaService {
  return {
    name: 'cr',
    version: '2016-06-07',
    paths: { GetAuthorizationToken: { method: 'GET', path: /^\/tokens$/ } },
    operations: {
      GetAuthorizationToken: (_input, ctx) => {
        const login = mint(settings, ctx, minted, { region: settings.region });
        return { data: { authorizationToken: login.password, tempUserName: login.username, expireDate: login.expiresAt }, requestId: ctx.requestId };
      },
    },
  };
}

export function crEnterpriseService(settings: TokenSettings, instances: Record<string, EeInstance>, minted: MintedLogin[]): AlibabaService {
  const instanceOf = (params: Record<string, unknown>): EeInstance & { id: string } => {
    const instanceId = params['InstanceId'];
    if (typeof instanceId !== 'string' || !instanceId) throw new ServiceError(400, 'MissingParameter', 'InstanceId is mandatory for this action.');
    const instance = instances[instanceId];
    if (!instance) throw new ServiceError(404, 'INSTANCE_NOT_EXIST', 'instance does not exist');
    return { ...instance, id: instanceId };
  };
  return {
    name: 'cr-ee',
    version: '2018-12-01',
    operations: {
      GetAuthorizationToken: (params, ctx) => {
        const instance = instanceOf(params);
        const login = mint(settings, ctx, minted, { region: instance.region ?? 'cn-hangzhou', instance: instance.id });
        return {
          RequestId: ctx.requestId,
          TempUsername: login.username,
          AuthorizationToken: login.password,
          ExpireTime: login.expiresAt,
          IsSuccess: true,
          Code: 'success',
        };
      },
      GetInstanceEndpoint: (params, ctx) => {
        const instance = instanceOf(params);
        if (!params['EndpointType']) throw new ServiceError(400, 'MissingParameter', 'EndpointType is mandatory for this action.');
        const internet = params['EndpointType'] === 'internet';
        return {
          RequestId: ctx.requestId,
          IsSuccess: true,
          Code: 'success',
          Status: 'RUNNING',
          Enable: internet,
          AclEnable: false,
          AclEntries: [],
          Domains: internet ? [{ Domain: instance.domain, Type: 'SYSTEM' }] : [],
        };
      },
    },
  };
}

function mint(settings: TokenSettings, ctx: OperationContext, minted: MintedLogin[], where: { region: string; instance?: string }): MintedLogin {
  const login: MintedLogin = {
    username: settings.username,
    password: settings.password ?? randomBytes(24).toString('base64url'),
    accessKeyId: ctx.identity.accessKeyId,
    account: settings.accountId,
    ...where,
    expiresAt: tokenExpiry(ctx, settings),
  };
  minted.push(login);
  return login;
}

function tokenExpiry(ctx: OperationContext, settings: TokenSettings): number {
  if (ctx.expiredToken) return ctx.now - 60_000;
  const natural = ctx.now + settings.lifetimeMs;
  const session = ctx.identity.sessionExpiresAt;
  return settings.capToSession && session !== undefined ? Math.min(natural, session) : natural;
}
