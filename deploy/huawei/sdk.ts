/**
 * The Huawei SDK core the deploy signs with: the one nested in
 * `@huaweicloud/huaweicloud-sdk-functiongraph` (its FunctionGraphClient needs that core's
 * HcClient), built without ClientBuilder: `withRegion` would first ask IAM for a project id, and
 * ClientBuilder's HTTP client logs failed requests with their headers. `withEndpoint` + the project
 * id reaches any endpoint, the emulator too. No APIG SDK for Node.js exists on npm, so the APIG
 * calls go through this same signed client (deploy/huawei/apig.ts).
 */
import { createRequire } from 'node:module';

/** A logger that drops everything: the SDK's would print failed requests' headers, security token included. */
const SILENT_LOGGER = { debug() {}, info() {}, warn() {}, error() {}, setLevel() {}, getLevel: () => 'error', setName() {} };

export interface ClientOptions {
  endpoint: string;
  projectId: string;
  keys: { ak: string; sk: string; securityToken?: string };
}

/** What the deploy uses of the SDK core's HcClient: one signed request, the parsed answer. */
export interface SignedClient {
  sendRequest(options: Record<string, unknown>): Promise<unknown>;
}

const fromFunctionGraph = () => createRequire(createRequire(import.meta.url).resolve('@huaweicloud/huaweicloud-sdk-functiongraph'));

/**
 * @example const hc = hcClient({ endpoint: 'https://apig.cn-north-4.myhuaweicloud.com', projectId, keys });
 */
export function hcClient(options: ClientOptions): SignedClient {
  const require = fromFunctionGraph();
  const { HcClient } = require('@huaweicloud/huaweicloud-sdk-core/HcClient');
  const { DefaultHttpClient } = require('@huaweicloud/huaweicloud-sdk-core/http/DefaultHttpClient');
  const { BasicCredentials } = require('@huaweicloud/huaweicloud-sdk-core/auth/BasicCredentials');
  const credential = new BasicCredentials().withAk(options.keys.ak).withSk(options.keys.sk).withProjectId(options.projectId);
  if (options.keys.securityToken) credential.withSecurityToken(options.keys.securityToken);
  const http = new DefaultHttpClient({ logger: SILENT_LOGGER, axiosRequestConfig: { timeout: 120_000, maxBodyLength: Infinity, maxContentLength: Infinity } }, [options.endpoint]);
  const hc = new HcClient(http).withCredential(credential).withEndpoints([options.endpoint]);
  hc.logger = SILENT_LOGGER;
  return hc;
}

/** The SDK's FunctionGraphClient (v2) over {@link hcClient}. */
export function functionGraphSdkClient(options: ClientOptions): unknown {
  const { FunctionGraphClient } = fromFunctionGraph()('./v2/FunctionGraphClient');
  return new FunctionGraphClient(hcClient(options));
}
