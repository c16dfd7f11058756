import type { CloudModule } from '../cloud.js';

export const TENCENT_ENDPOINTS = {
  tcr: 'TENCENTCLOUD_ENDPOINT_URL_TCR',
  ssm: 'TENCENTCLOUD_ENDPOINT_URL_SSM',
  scf: 'TENCENTCLOUD_ENDPOINT_URL_SCF',
} as const;

/** Tencent Cloud: TCR Enterprise behind an SCF function URL (CAM auth), SSM for refreshes. The handlers are not written yet. */
export const TENCENT: CloudModule = {
  id: 'tencent',
  providers: [{ id: 'tcr', instanceId: { pattern: /^tcr-[a-z0-9]+$/, example: 'tcr-…' } }],
  stores: ['ssm'],
  endpointVariables: Object.values(TENCENT_ENDPOINTS),
  // Until the SCF handler establishes what the platform verifies, the allow-list is refused (the safe side).
  unverifiedCaller: {
    platform: 'Tencent Cloud SCF',
    why: 'regcred does not yet read a caller identity that SCF verified',
    gate: 'scf:InvokeFunctionUrl (CAM policy)',
  },
  sdkPackages: ['tencentcloud-sdk-nodejs-common', 'tencentcloud-sdk-nodejs-ssm', 'tencentcloud-sdk-nodejs-scf'],
};
