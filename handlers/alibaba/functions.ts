import type { CloudFunctions } from '../functions.js';

/** What ships on Alibaba Cloud: one FC 3.0 function per handler (deploy/alibaba/plan.ts). */
export const ALIBABA_FUNCTIONS = {
  http: { cloud: 'alibaba', name: 'http', entry: 'handlers/alibaba/http.ts' },
  refresh: { cloud: 'alibaba', name: 'refresh', entry: 'handlers/alibaba/refresh.ts' },
} as const satisfies CloudFunctions;
