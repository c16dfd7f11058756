import type { CloudFunctions } from '../functions.js';

/** What ships on Huawei Cloud: one FunctionGraph function per handler (deploy/huawei/plan.ts). */
export const HUAWEI_FUNCTIONS = {
  http: { cloud: 'huawei', name: 'http', entry: 'handlers/huawei/http.ts' },
  refresh: { cloud: 'huawei', name: 'refresh', entry: 'handlers/huawei/refresh.ts' },
} as const satisfies CloudFunctions;
