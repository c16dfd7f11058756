import type { CloudModule } from '../cloud.js';

export const HUAWEI_ENDPOINTS = {
  swr: 'HUAWEICLOUD_ENDPOINT_URL_SWR',
  csms: 'HUAWEICLOUD_ENDPOINT_URL_CSMS',
  functiongraph: 'HUAWEICLOUD_ENDPOINT_URL_FUNCTIONGRAPH',
} as const;

/** Huawei Cloud: SWR behind FunctionGraph (APIG trigger), CSMS for refreshes. The handlers are not written yet. */
export const HUAWEI: CloudModule = {
  id: 'huawei',
  providers: [{ id: 'swr' }],
  stores: ['csms'],
  endpointVariables: Object.values(HUAWEI_ENDPOINTS),
  sdkPackages: ['@huaweicloud/huaweicloud-sdk-core', '@huaweicloud/huaweicloud-sdk-swr', '@huaweicloud/huaweicloud-sdk-functiongraph'],
};
