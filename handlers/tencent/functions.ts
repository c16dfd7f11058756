import type { CloudFunctions } from '../functions.js';

/** What ships on Tencent Cloud: one SCF function per handler (deploy/tencent/plan.ts). */
export const TENCENT_FUNCTIONS = {
  http: { cloud: 'tencent', name: 'http', entry: 'handlers/tencent/http.ts' },
  refresh: { cloud: 'tencent', name: 'refresh', entry: 'handlers/tencent/refresh.ts' },
} as const satisfies CloudFunctions;
