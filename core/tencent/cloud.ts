import type { CloudModule } from '../cloud-module.js';

export const TENCENT_ENDPOINTS = {
  tcr: 'TENCENTCLOUD_ENDPOINT_URL_TCR',
  ssm: 'TENCENTCLOUD_ENDPOINT_URL_SSM',
  scf: 'TENCENTCLOUD_ENDPOINT_URL_SCF',
} as const;

/** Tencent Cloud: TCR Enterprise behind an SCF function URL (CAM auth) or API Gateway trigger, SSM for refreshes (handlers/tencent/). */
export const TENCENT: CloudModule = {
  id: 'tencent',
  providers: [{ id: 'tcr', instanceId: { pattern: /^tcr-[a-z0-9]+$/, example: 'tcr-…' } }],
  stores: ['ssm'],
  endpointVariables: Object.values(TENCENT_ENDPOINTS),
  // SCF hands an event function no caller identity it verified: a function URL's event is the request's
  // method, path, query, headers and body (https://cloud.tencent.com/document/product/583/96099), an API
  // Gateway event's requestContext.identity.secretId is its key pair's (/583/31927), and a direct
  // Invoke / InvokeFunction caller writes either event whole, headers included.
  unverifiedCaller: {
    platform: 'Tencent Cloud SCF',
    why: 'a function URL event carries the request headers but no identity SCF verified, and any principal with scf:InvokeFunction can invoke the function with a hand-made event naming any SecretId',
    gate: 'scf:InvokeFunctionUrl (CAM policy; and scf:InvokeFunction to no one else)',
  },
  // SCF puts the execution role's temporary keys here (handlers/tencent/runtime.ts reads them).
  secretVariables: ['TENCENTCLOUD_SECRETKEY', 'TENCENTCLOUD_SESSIONTOKEN'],
  sdkPackages: ['tencentcloud-sdk-nodejs-common', 'tencentcloud-sdk-nodejs-ssm', 'tencentcloud-sdk-nodejs-scf'],
};
