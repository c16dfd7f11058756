/**
 * Container Registry products: personal edition (ROA `GET /tokens`, version 2016-06-07) and
 * Enterprise Edition (RPC `GetAuthorizationToken` / `GetInstanceEndpoint`, version 2018-12-01).
 * Answer shapes follow Alibaba's API reference and the generated cr20181201 SDK models.
 */
import { randomBytes } from 'node:crypto';
import { apiError, tokenExpiry, type ApiCall, type Product, type TokenSettings } from './product.js';

function mintPassword(settings: TokenSettings): string {
  return settings.password ?? randomBytes(24).toString('base64url');
}

export function crPersonalProduct(settings: TokenSettings): Product {
  return {
    name: 'cr',
    version: '2016-06-07',
    handle(call: ApiCall) {
      if (call.action !== 'GetAuthorizationToken' || call.path !== '/tokens') return undefined;
      if (call.method !== 'GET') return apiError(405, 'MethodNotAllowed', 'GET /tokens only.', call.requestId);
      return {
        status: 200,
        body: {
          data: {
            authorizationToken: mintPassword(settings),
            tempUserName: settings.username,
            expireDate: tokenExpiry(call, settings),
          },
          requestId: call.requestId,
        },
      };
    },
  };
}

export interface EeInstance {
  /** The internet Registry domain GetInstanceEndpoint reports. */
  domain: string;
}

export function crEnterpriseProduct(settings: TokenSettings, instances: Record<string, EeInstance>): Product {
  return {
    name: 'cr-ee',
    version: '2018-12-01',
    handle(call: ApiCall) {
      const { action, params, requestId } = call;
      if (action !== 'GetAuthorizationToken' && action !== 'GetInstanceEndpoint') return undefined;
      const instanceId = params['InstanceId'];
      if (!instanceId) return apiError(400, 'MissingParameter', 'InstanceId is mandatory for this action.', requestId);
      const instance = instances[instanceId];
      if (!instance) return apiError(404, 'INSTANCE_NOT_EXIST', 'instance does not exist', requestId);

      if (action === 'GetAuthorizationToken') {
        return {
          status: 200,
          body: {
            RequestId: requestId,
            TempUsername: settings.username,
            AuthorizationToken: mintPassword(settings),
            ExpireTime: tokenExpiry(call, settings),
            IsSuccess: true,
            Code: 'success',
          },
        };
      }
      if (!params['EndpointType']) return apiError(400, 'MissingParameter', 'EndpointType is mandatory for this action.', requestId);
      const internet = params['EndpointType'] === 'internet';
      return {
        status: 200,
        body: {
          RequestId: requestId,
          IsSuccess: true,
          Code: 'success',
          Status: 'RUNNING',
          Enable: internet,
          AclEnable: false,
          AclEntries: [],
          Domains: internet ? [{ Domain: instance.domain, Type: 'SYSTEM' }] : [],
        },
      };
    },
  };
}
