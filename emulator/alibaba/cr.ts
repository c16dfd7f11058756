/**
 * Container Registry products: personal edition (ROA `GET /tokens`, version 2016-06-07) and
 * Enterprise Edition (RPC `GetAuthorizationToken` / `GetInstanceEndpoint`, version 2018-12-01).
 * Answer shapes follow Alibaba's API reference and the generated cr20181201 SDK models.
 */
import { randomBytes } from 'node:crypto';
import { ServiceError, type OperationContext } from '../front-end.js';
import type { AlibabaService } from './wire.js';

/** Token settings shared by the CR products. */
export interface TokenSettings {
  username: string;
  /** Fixed password, or a new random one per call when undefined. */
  password?: string;
  lifetimeMs: number;
  /** Alibaba documents that a token minted with STS keys lives no longer than the session. */
  capToSession: boolean;
}

export interface EeInstance {
  /** The internet Registry domain GetInstanceEndpoint reports. */
  domain: string;
}

export function crPersonalService(settings: TokenSettings): AlibabaService {
  return {
    name: 'cr',
    version: '2016-06-07',
    paths: { GetAuthorizationToken: { method: 'GET', path: /^\/tokens$/ } },
    operations: {
      GetAuthorizationToken: (_input, ctx) => ({
        data: { authorizationToken: mintPassword(settings), tempUserName: settings.username, expireDate: tokenExpiry(ctx, settings) },
        requestId: ctx.requestId,
      }),
    },
  };
}

export function crEnterpriseService(settings: TokenSettings, instances: Record<string, EeInstance>): AlibabaService {
  const instanceOf = (params: Record<string, unknown>): EeInstance => {
    const instanceId = params['InstanceId'];
    if (typeof instanceId !== 'string' || !instanceId) throw new ServiceError(400, 'MissingParameter', 'InstanceId is mandatory for this action.');
    const instance = instances[instanceId];
    if (!instance) throw new ServiceError(404, 'INSTANCE_NOT_EXIST', 'instance does not exist');
    return instance;
  };
  return {
    name: 'cr-ee',
    version: '2018-12-01',
    operations: {
      GetAuthorizationToken: (params, ctx) => {
        instanceOf(params);
        return {
          RequestId: ctx.requestId,
          TempUsername: settings.username,
          AuthorizationToken: mintPassword(settings),
          ExpireTime: tokenExpiry(ctx, settings),
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

function mintPassword(settings: TokenSettings): string {
  return settings.password ?? randomBytes(24).toString('base64url');
}

function tokenExpiry(ctx: OperationContext, settings: TokenSettings): number {
  if (ctx.expiredToken) return ctx.now - 60_000;
  const natural = ctx.now + settings.lifetimeMs;
  const session = ctx.identity.sessionExpiresAt;
  return settings.capToSession && session !== undefined ? Math.min(natural, session) : natural;
}
