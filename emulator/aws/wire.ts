/**
 * AWS's JSON 1.1 gateway as a {@link CloudWire} for the shared front end: a request is routed by
 * `X-Amz-Target: <targetPrefix>.<Operation>` to a service, its SigV4 signature is checked by the
 * independent verifier in sigv4.ts against the service's signing name (and regions, if it has
 * any), and answers and errors take the shape the AWS SDK parses.
 *
 * Not emulated: SigV4 query-string (presigned) auth, chunked payloads, JSON 1.0 / REST protocols.
 */
import { ServiceError, type CloudWire, type Fault, type Route, type Service } from '../front-end.js';
import { verifySigV4, type AwsIdentity } from './sigv4.js';

/**
 * A service on the AWS wire: the front end's {@link Service} plus what SigV4 and routing read.
 * An operation gets the parsed JSON body and returns the JSON output (epoch SECONDS for
 * timestamps), or throws {@link ServiceError} for a modeled error.
 */
export interface AwsService extends Service {
  /** SigV4 signing name; the credential scope must name it. */
  readonly signingName: string;
  /** `X-Amz-Target` prefix, e.g. `AmazonEC2ContainerRegistry_V20150921`. */
  readonly targetPrefix: string;
  /** Credential-scope regions the service accepts (any when omitted). */
  readonly regions?: readonly string[];
}

/** A route that also carries what the signature check needs from its service. */
interface AwsRoute extends Route {
  signingName: string;
  regions?: readonly string[];
}

const JSON_11 = 'application/x-amz-json-1.1';

/**
 * @example
 * const emu = await startFrontEnd({ wire: awsWire([TEST_IDENTITY]), services: [ecrService()] });
 */
export function awsWire(identities: readonly AwsIdentity[]): CloudWire {
  return {
    cloud: 'aws',
    route(request, services): AwsRoute | ServiceError {
      const target = String(request.headers['x-amz-target'] ?? '');
      const dot = target.lastIndexOf('.');
      const service = dot > 0 ? (services as readonly AwsService[]).find((s) => s.targetPrefix === target.slice(0, dot)) : undefined;
      // Without a known target, the gateway cannot tell which signing name to expect.
      if (request.method !== 'POST' || !service) return new ServiceError(400, 'UnknownOperationException', '');
      const route: AwsRoute = {
        service: service.name,
        operation: target.slice(dot + 1),
        input: {},
        signingName: service.signingName,
        ...(service.regions && { regions: service.regions }),
      };
      if (!Object.hasOwn(service.operations, route.operation)) return { ...route, rejection: new ServiceError(400, 'UnknownOperationException', '') };
      const input = jsonObject(request.body);
      if (!input) return { ...route, rejection: new ServiceError(400, 'SerializationException', 'Start of structure or map found where not expected.') };
      return { ...route, input };
    },
    verify(request, route, now) {
      const { signingName, regions } = route as AwsRoute;
      const verified = verifySigV4(request, { identities, now, service: signingName, ...(regions && { regions }) });
      if (!verified.ok) return verified;
      return { ok: true, identity: { accessKeyId: verified.identity.accessKeyId }, region: verified.region };
    },
    success: (output, _route, requestId) => ({
      status: 200,
      body: JSON.stringify(output ?? {}),
      headers: { 'content-type': JSON_11, 'x-amzn-RequestId': requestId },
    }),
    // The code goes in `x-amzn-ErrorType` (with the coral namespace suffix the SDK strips) and in `__type`.
    error: (error, _route, requestId) => ({
      status: error.status,
      body: JSON.stringify({ __type: error.code, message: error.message }),
      headers: {
        'content-type': JSON_11,
        'x-amzn-RequestId': requestId,
        'x-amzn-ErrorType': `${error.code}:http://internal.amazon.com/coral/com.amazon.coral.service/`,
        ...error.headers,
      },
    }),
    throttle: () => new ServiceError(400, 'ThrottlingException', 'Rate exceeded'),
    codeForStatus,
  };
}

/** AWS's code for an injected status without one. */
function codeForStatus(status: number): string {
  if (status === 429) return 'ThrottlingException';
  if (status === 403) return 'AccessDeniedException';
  if (status === 503) return 'ServiceUnavailable';
  if (status >= 500) return 'InternalFailure';
  return 'ValidationException';
}

function jsonObject(body: Buffer): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = body.length ? JSON.parse(body.toString('utf8')) : {};
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Ready-made front-end faults with the codes and statuses AWS's JSON services use. */
export const awsFaults = {
  /** ECR's and ECR Public's modeled 500. */
  serverException: (): Fault => ({ status: 500, code: 'ServerException', message: 'Internal server error' }),
  internalFailure: (): Fault => ({ status: 500, code: 'InternalFailure', message: 'The request processing has failed because of an unknown error, exception or failure.' }),
  serviceUnavailable: (): Fault => ({ status: 503, code: 'ServiceUnavailable', message: 'Service is unavailable' }),
  throttle: (retryAfterSeconds?: number): Fault => ({ throttle: true, ...(retryAfterSeconds !== undefined && { retryAfterSeconds }) }),
  accessDenied: (): Fault => ({ status: 400, code: 'AccessDeniedException', message: 'User is not authorized to perform this operation' }),
  delay: (delayMs: number): Fault => ({ delayMs }),
  malformed: (): Fault => ({ body: '<html>502 Bad Gateway</html>' }),
  /** Answer 200 with this JSON instead of the operation's output. */
  respond: (json: unknown): Fault => ({ transform: () => json }),
  reset: (): Fault => ({ reset: true }),
};
