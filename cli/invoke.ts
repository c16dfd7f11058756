/**
 * FC 3.0's InvokeFunction as the client's transport (`--invoke` / REGCRED_INVOKE): the caller
 * invokes the regcred HTTP function with its own RAM identity (fc:InvokeFunction) through FC's
 * API instead of the HTTP trigger. The wire is what `@alicloud/fc20230330`'s invokeFunction sends,
 * signed by the same ACS3 code as the trigger (cli/sign/alibaba.ts, loaded through the table in
 * cli/sign/index.ts so the bundle keeps it in its own file), so the FC SDK is not loaded:
 *
 *   POST /2023-03-30/functions/<name>/invocations[?qualifier=<q>]   x-acs-action: InvokeFunction, x-acs-version: 2023-03-30
 *   body: the HTTP-trigger event {"rawPath":"/credentials","queryParameters":{...}}  (no requestContext: GET)
 *   200:  the function's result {"statusCode","headers","body","isBase64Encoded"}; body is the API's JSON
 *   else: FC's own error {"Code","Message","RequestId"}
 *
 * Node built-ins only (cli/config.ts uses invokeTarget to check a config file's "invoke"): it is in the
 * client's one bundle either way, and signs nothing until an `--invoke` call.
 */
import type { ClientOptions, FunctionAnswer, Transport } from './client.js';
import { parseJson } from './client.js';
import { InvokeFunctionError, RegcredClientError, UsageError } from './errors.js';
import { alibabaAcs3 } from './sign/index.js';

const FC_VERSION = '2023-03-30';
/** FC's rules for function names; qualifiers are versions (digits), aliases or LATEST. */
const FUNCTION_NAME = /^[A-Za-z_][A-Za-z0-9_-]{0,127}$/;
const QUALIFIER = /^[A-Za-z0-9_-]{1,128}$/;
/** What the caller needs on the function, named in every refusal. */
const PERMISSION = 'fc:InvokeFunction';

/**
 * `regcred` or `regcred:LATEST` → the function name and the qualifier (version or alias).
 * @example invokeTarget('regcred:prod') // { functionName: 'regcred', qualifier: 'prod' }
 */
export function invokeTarget(value: string): { functionName: string; qualifier?: string } {
  const [functionName = '', qualifier, ...rest] = value.split(':');
  if (!FUNCTION_NAME.test(functionName) || rest.length || (qualifier !== undefined && !QUALIFIER.test(qualifier))) {
    throw new UsageError(`--invoke (or REGCRED_INVOKE) must be an FC function name, optionally with :qualifier (e.g. regcred or regcred:LATEST), not '${value}'`);
  }
  return { functionName, ...(qualifier !== undefined && { qualifier }) };
}

/** The regcred route `path?query` as one InvokeFunction call of the function `options.invoke` at `options.url`. */
export async function invokeTransport(options: ClientOptions, path: string, query: Record<string, string>): Promise<Transport> {
  const { functionName, qualifier } = invokeTarget(options.invoke ?? '');
  const url = new URL(`/${FC_VERSION}/functions/${functionName}/invocations`, options.url);
  if (qualifier !== undefined) url.searchParams.set('qualifier', qualifier);
  const body = JSON.stringify({ rawPath: path, queryParameters: query });
  const signOptions = { ...(options.credentials && { credentials: options.credentials }) };
  const target = `'${functionName}'${qualifier !== undefined ? ` (qualifier ${qualifier})` : ''} at ${url.origin}`;
  const acs3Headers = await alibabaAcs3();
  return {
    async request() {
      const headers = await acs3Headers(
        // The FC SDK sends the event as a stream, hence octet-stream; content-type is signed either way.
        { method: 'POST', url, body, headers: { 'x-acs-action': 'InvokeFunction', 'x-acs-version': FC_VERSION, 'content-type': 'application/octet-stream', accept: 'application/json' } },
        signOptions,
      );
      return { url, init: { method: 'POST', headers, body } };
    },
    answer: (response, text) => (response.ok ? functionResult(response, text, target) : fcRefusal(response.status, text, target)),
  };
}

/** The function's result in FC's 200: its own status, headers and JSON body. */
function functionResult(response: Response, text: string, target: string): FunctionAnswer {
  // An unhandled exception in the function: FC's 200 carries errorMessage, errorType and a stack, none of which the user needs.
  if (response.headers.has('x-fc-error-type')) {
    return { status: 502, retryAfter: null, body: undefined };
  }
  const result = parseJson(text) as { statusCode?: unknown; headers?: unknown; body?: unknown; isBase64Encoded?: unknown } | undefined;
  if (!result || typeof result.statusCode !== 'number' || typeof result.body !== 'string') {
    throw new RegcredClientError(502, 'InvalidAnswer', `InvokeFunction of ${target} returned no {statusCode, headers, body}: is it the regcred HTTP function?`);
  }
  const body = result.isBase64Encoded === true ? Buffer.from(result.body, 'base64').toString('utf8') : result.body;
  return { status: result.statusCode, retryAfter: headerOf(result.headers, 'retry-after'), body: parseJson(body) };
}

/** FC refused the call before the function ran: why, in words that name what to fix. */
function fcRefusal(status: number, text: string, target: string): never {
  const error = parseJson(text) as { Code?: unknown; Message?: unknown; ErrorCode?: unknown; ErrorMessage?: unknown } | undefined;
  // FC 3.0 answers Code/Message; the older FC API ErrorCode/ErrorMessage.
  const code = String(error?.Code ?? error?.ErrorCode ?? `HTTP ${status}`);
  const message = typeof (error?.Message ?? error?.ErrorMessage) === 'string' ? String(error?.Message ?? error?.ErrorMessage) : undefined;
  if (code === 'FunctionNotFound' || code === 'AliasNotFound' || code === 'VersionNotFound') {
    throw new InvokeFunctionError(`FC has no function ${target} (${status} ${code}): check --invoke, and the account id and region in --url`);
  }
  if (status === 401 || status === 403 || /^(AccessDenied|Forbidden|InvalidAccessKeyId|Signature|IncompleteSignature|InvalidSecurityToken|MissingSecurityToken|InvalidTimeStamp)/.test(code)) {
    // FC's message for a bad signature can echo the string it signed: not shown, the code says enough.
    throw new InvokeFunctionError(`FC refused InvokeFunction of ${target} (${status} ${code}): the caller's keys are wrong, or it lacks ${PERMISSION} on the function`);
  }
  throw new InvokeFunctionError(`InvokeFunction of ${target} failed (${status} ${code}${message ? `: ${message}` : ''})`);
}

/** A header of the function's result, whatever its case. */
function headerOf(headers: unknown, name: string): string | null {
  if (!headers || typeof headers !== 'object') return null;
  const value = Object.entries(headers).find(([k]) => k.toLowerCase() === name)?.[1];
  return typeof value === 'string' ? value : null;
}
