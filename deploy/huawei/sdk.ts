/**
 * The Huawei SDK core the deploy signs with: the one nested in
 * `@huaweicloud/huaweicloud-sdk-functiongraph` (its FunctionGraphClient needs that core's
 * HcClient), built without ClientBuilder: `withRegion` would first ask IAM for a project id, and
 * ClientBuilder's HTTP client logs failed requests with their headers. `withEndpoint` + the project
 * id reaches any endpoint, the emulator too. No APIG SDK for Node.js exists on npm, so the APIG
 * calls go through this same signed client (deploy/huawei/apig.ts).
 */
import { createRequire } from 'node:module';
import { signedHcClient, silentHttpClient, type HuaweiSdkCore, type SigningKeys } from '../../core/huawei/client.js';

export interface ClientOptions {
  endpoint: string;
  projectId: string;
  keys: SigningKeys;
}

/** What the deploy uses of the SDK core's HcClient: one signed request, the parsed answer. */
export interface SignedClient {
  sendRequest(options: Record<string, unknown>): Promise<unknown>;
}

const fromFunctionGraph = () => createRequire(createRequire(import.meta.url).resolve('@huaweicloud/huaweicloud-sdk-functiongraph'));

/**
 * The signed, silent client of core/huawei/client.ts, over the nested SDK core's classes; deploy
 * uploads are large and slow, hence no body limit and a 2-minute timeout.
 * @example const hc = hcClient({ endpoint: 'https://apig.cn-north-4.myhuaweicloud.com', projectId: '0'.repeat(32), keys: { ak: 'AK', sk: 'SK' } });
 */
export function hcClient(options: ClientOptions): SignedClient {
  const require = fromFunctionGraph();
  const sdk = {
    HcClient: require('@huaweicloud/huaweicloud-sdk-core/HcClient').HcClient,
    DefaultHttpClient: require('@huaweicloud/huaweicloud-sdk-core/http/DefaultHttpClient').DefaultHttpClient,
    BasicCredentials: require('@huaweicloud/huaweicloud-sdk-core/auth/BasicCredentials').BasicCredentials,
  } as HuaweiSdkCore;
  const http = silentHttpClient(sdk, options.endpoint, { timeout: 120_000, maxBodyLength: Infinity, maxContentLength: Infinity });
  return signedHcClient(sdk, http, options.endpoint, options.keys, options.projectId) as unknown as SignedClient;
}

/** The SDK's FunctionGraphClient (v2) over {@link hcClient}. */
export function functionGraphSdkClient(options: ClientOptions): unknown {
  const { FunctionGraphClient } = fromFunctionGraph()('./v2/FunctionGraphClient');
  return new FunctionGraphClient(hcClient(options));
}
