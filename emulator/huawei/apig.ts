/**
 * The APIG side of a FunctionGraph function for development: the checks an APIG trigger makes
 * before the function runs (IAM authentication, then the bound access control policies), the event
 * it hands the function, the FunctionGraph context with the agency's keys, and a caller's
 * SDK-HMAC-SHA256-signed curl command (signed with this emulator's own signer code, the one its
 * verifier checks).
 */
import { pathToFileURL } from 'node:url';
import type { LocalAnswer, LocalRequest } from '../trigger.js';
import type { WireRequest } from '../http-server.js';
import type { ApigState } from './apig-gateway.js';
import { DEFAULT_IDENTITY, DEFAULT_PROJECT_ID, EMULATOR_ACCOUNT, OTHER_ACCOUNT } from './server.js';
import { formatBasicTime } from '../signing.js';
import { SDK_HMAC, sdkHmacSignature, verifySdkHmac, type HuaweiIdentity } from './sdk-hmac.js';

/** The developer's IAM key the local APIG trigger accepts (a test key, never a real one), in the deploying account. */
export const LOCAL_CALLER: HuaweiIdentity = { accessKeyId: 'LOCALDEVELOPERKEY0001', secretAccessKey: 'local-developer-test-secret-key-000000000', ...EMULATOR_ACCOUNT };
/** An IAM key of another account: IAM authenticates it, the access control policy must refuse it. */
export const OTHER_ACCOUNT_CALLER: HuaweiIdentity = { accessKeyId: 'OTHERACCOUNTCALLER001', secretAccessKey: 'other-account-test-secret-key-0000000000', ...OTHER_ACCOUNT };

export type TriggerVerdict = { ok: true; caller: string } | { ok: false; answer?: LocalAnswer };

/**
 * What the APIG trigger checks before the function runs: the caller's IAM authentication (a valid
 * SDK-HMAC-SHA256 signature by a key IAM knows, of any account), then the access control policies
 * bound to the API in RELEASE, which decide by the caller's account. A refusal by policy answers as
 * APIG does (403, APIG.0302); an authentication failure carries no answer of its own here.
 * @example const check = apigTriggerCheck({ identities: [LOCAL_CALLER], gateway: fg.apig, apiId }); check(request, Date.now())
 */
export function apigTriggerCheck(options: { identities: readonly HuaweiIdentity[]; gateway: ApigState; apiId: string }) {
  return (req: WireRequest, now: number): TriggerVerdict => {
    const auth = verifySdkHmac(req, { identities: options.identities, now });
    if (!auth.ok) return { ok: false };
    const access = options.gateway.admits(options.apiId, auth.identity);
    if (!access.ok) {
      return { ok: false, answer: { statusCode: access.status, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ error_code: access.code, error_msg: access.message }) } };
    }
    return { ok: true, caller: auth.identity.accessKeyId };
  };
}

/**
 * The APIG-trigger event for a request, as FunctionGraph's developer guide shows it.
 * @example apigEvent({ method: 'GET', path: '/credentials', query: 'format=json' })
 */
export function apigEvent(req: LocalRequest): Record<string, unknown> {
  const query: Record<string, string> = {};
  for (const [k, v] of new URLSearchParams(req.query)) query[k] = v;
  return {
    httpMethod: req.method,
    path: req.path,
    headers: { 'x-forwarded-proto': 'https', 'x-real-ip': '127.0.0.1', ...lowercase(req.headers ?? {}) },
    queryStringParameters: query,
    pathParameters: {},
    requestContext: { apiId: 'a1b2c3d4e5f6478899aabbccddeeff00', requestId: crypto.randomUUID().replace(/-/g, ''), stage: 'RELEASE', sourceIp: '127.0.0.1' },
    body: '',
    isBase64Encoded: false,
  };
}

/**
 * A FunctionGraph context of a function with an agency (here the emulator's agency session).
 * @example handler(apigEvent(req), functionGraphContext())
 */
export function functionGraphContext(identity: Pick<HuaweiIdentity, 'accessKeyId' | 'secretAccessKey' | 'securityToken'> = DEFAULT_IDENTITY, timeoutMs = 10_000) {
  const requestId = crypto.randomUUID();
  const start = Date.now();
  return {
    getRequestID: () => requestId,
    getRemainingTimeInMilliSeconds: () => timeoutMs - (Date.now() - start),
    getSecurityAccessKey: () => identity.accessKeyId,
    getSecuritySecretKey: () => identity.secretAccessKey,
    getSecurityToken: () => identity.securityToken ?? '',
    getProjectID: () => DEFAULT_PROJECT_ID,
    getFunctionName: () => 'regcred',
  };
}

/**
 * A FunctionGraph timer trigger's event: `user_event` is the trigger's additional information
 * (empty: the function's REGCRED_TARGETS).
 * @example functionGraphTimerEvent('') // a scheduled refresh of the configured targets
 */
export function functionGraphTimerEvent(userEvent: unknown): Record<string, unknown> {
  return { version: 'v1.0', time: new Date().toISOString(), trigger_type: 'TIMER', trigger_name: 'regcred-refresh', user_event: userEvent };
}

/**
 * A curl command for `GET url`, SDK-HMAC-SHA256-signed with `identity` at `now` (APIG accepts it
 * for 15 minutes).
 * @example signedCurl('http://127.0.0.1:8787/credentials?format=dockerconfigjson', LOCAL_CALLER, Date.now())
 */
export function signedCurl(url: string, identity: HuaweiIdentity = LOCAL_CALLER, now = Date.now()): string {
  const headers = signedHeaders(url, identity, now);
  return `curl -s ${Object.entries(headers).filter(([k]) => k !== 'host').map(([k, v]) => `-H '${k}: ${v}'`).join(' ')} '${url}'`;
}

/** The headers (host included) of an SDK-HMAC-SHA256-signed GET. */
export function signedHeaders(url: string, identity: HuaweiIdentity = LOCAL_CALLER, now = Date.now()): Record<string, string> {
  const u = new URL(url);
  const headers: Record<string, string> = { host: u.host, 'x-sdk-date': formatBasicTime(now) };
  if (identity.securityToken) headers['x-security-token'] = identity.securityToken;
  const names = Object.keys(headers).sort();
  const signature = sdkHmacSignature({ method: 'GET', url: `${u.pathname}${u.search}`, headers, body: Buffer.alloc(0) }, names, identity.secretAccessKey);
  headers['authorization'] = `${SDK_HMAC} Access=${identity.accessKeyId}, SignedHeaders=${names.join(';')}, Signature=${signature}`;
  return headers;
}

function lowercase(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
}

// `npx tsx emulator/huawei/apig.ts <url>` prints a freshly signed curl for the local server.
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const url = process.argv[2];
  if (!url) {
    console.error('usage: npx tsx emulator/huawei/apig.ts <url>');
    process.exitCode = 2;
  } else console.log(signedCurl(url));
}
