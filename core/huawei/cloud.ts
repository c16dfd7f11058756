import type { CloudModule } from '../cloud-module.js';

export const HUAWEI_ENDPOINTS = {
  swr: 'HUAWEICLOUD_ENDPOINT_URL_SWR',
  csms: 'HUAWEICLOUD_ENDPOINT_URL_CSMS',
  functiongraph: 'HUAWEICLOUD_ENDPOINT_URL_FUNCTIONGRAPH',
} as const;

/**
 * Huawei Cloud: SWR behind FunctionGraph (APIG trigger with IAM auth), CSMS for refreshes.
 *
 * The caller is unverified: FunctionGraph's documented APIG event (functiongraph_02_0741) carries
 * `requestContext: {apiId, requestId, stage}` and the request headers, no identity APIG verified,
 * and anyone allowed `functiongraph:function:invoke` calls InvokeFunction with an event they write
 * whole, headers included.
 */
export const HUAWEI: CloudModule = {
  id: 'huawei',
  providers: [{ id: 'swr' }],
  stores: ['csms'],
  endpointVariables: Object.values(HUAWEI_ENDPOINTS),
  unverifiedCaller: {
    platform: 'Huawei Cloud FunctionGraph',
    why: 'an APIG trigger passes the function no caller identity APIG verified, and a functiongraph:function:invoke caller writes the whole event (Authorization header included)',
    gate: 'APIG access (the PERMIT access control policy by account that deploy:huawei binds to the API, on top of IAM auth) and functiongraph:function:invoke',
  },
  sdkPackages: ['@huaweicloud/huaweicloud-sdk-core', '@huaweicloud/huaweicloud-sdk-swr', '@huaweicloud/huaweicloud-sdk-functiongraph'],
};
