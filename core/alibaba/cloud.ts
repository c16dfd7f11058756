import type { CloudModule } from '../cloud-module.js';

export const ALIBABA_ENDPOINTS = {
  cr: 'ALIBABA_CLOUD_ENDPOINT_URL_CR',
  kms: 'ALIBABA_CLOUD_ENDPOINT_URL_KMS',
  fc: 'ALIBABA_CLOUD_ENDPOINT_URL_FC',
} as const;

/** Alibaba Cloud: Container Registry (personal, enterprise) behind Function Compute 3.0, KMS Secrets Manager for refreshes. */
export const ALIBABA: CloudModule = {
  id: 'alibaba',
  providers: [{ id: 'acr' }, { id: 'acr-ee', instanceId: { pattern: /^cri-[a-z0-9]+$/, example: 'cri-…' } }],
  stores: ['kms'],
  endpointVariables: Object.values(ALIBABA_ENDPOINTS),
  unverifiedCaller: {
    platform: 'Alibaba Cloud Function Compute',
    why: 'FC passes the function no caller identity it verified (an InvokeFunction caller writes the whole event, Authorization header included)',
    gate: 'fc:InvokeFunction (RAM policy)',
  },
  // The @alicloud/credentials default chain reads these; FC also hands the role's keys in context.credentials.
  secretVariables: ['ALIBABA_CLOUD_ACCESS_KEY_SECRET', 'ALIBABA_CLOUD_SECURITY_TOKEN'],
  sdkPackages: ['@alicloud/openapi-client', '@alicloud/credentials', '@alicloud/tea-util', '@alicloud/fc20230330'],
};
