import { auditIssued } from './audit.js';
import { BadRequestError, ConfigError, ForbiddenError, InternalError, MethodNotAllowedError, NotFoundError, toRegcredError } from './errors.js';
import { isFormat, render, FORMATS, type Format } from './formats.js';
import type { Logger } from './log.js';
import { REGISTRY_HOST } from './registry-spec.js';
import type { CredentialService, Invocation } from './service.js';

/** A cloud-neutral HTTP request: each handler translates its cloud's event into this. */
export interface ApiRequest {
  method: string;
  path: string;
  /** Raw query string without '?', exactly as received. */
  query: string;
  /** The caller's cloud identity (IAM ARN, RAM key id): verified by the platform, or only claimed. */
  caller?: string;
  /**
   * True only when the platform itself verified `caller` and the caller could not write it (AWS:
   * `requestContext.authorizer.iam` of a function URL). A claimed id never passes the allow-list.
   */
  callerVerified?: boolean;
}

export interface ApiResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

export interface ApiOptions {
  service: CredentialService;
  log: Logger;
  allowedCallers?: RegExp[];
  now?: () => number;
}

const QUERY_FIELDS = ['format', 'name', 'namespace'];
const BASE_HEADERS = { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' };

/**
 * The HTTPS API of docs/design.md ("HTTPS API"): `GET /credentials[/{registry-host}]?format=…`. Never throws: every
 * failure becomes a JSON error with the status its RegcredError carries.
 * @example
 * const api = createApi({ service, log });
 * const res = await api({ method: 'GET', path: '/credentials', query: 'format=dockerconfigjson', caller }, invocation);
 */
export function createApi(options: ApiOptions) {
  const { service, allowedCallers } = options;
  const now = options.now ?? Date.now;

  return async function handle(req: ApiRequest, invocation: Invocation): Promise<ApiResponse> {
    const log = invocation.log ?? options.log;
    try {
      const caller = req.caller ?? 'unknown';
      if (allowedCallers && !(req.callerVerified && allowedCallers.some((p) => p.test(caller)))) throw new ForbiddenError();
      const host = route(req.path);
      if (req.method !== 'GET') throw new MethodNotAllowedError(['GET']);
      const query = parseQuery(req.query);
      const format = query.format ?? 'json';

      const issued = host === undefined ? await service.all(invocation) : await service.forHost(host, invocation);
      const body = render(format, issued.credentials, {
        single: host !== undefined,
        name: query.name,
        namespace: query.namespace,
        now: now(),
        freshUntil: issued.freshUntil,
      });
      for (const c of issued.credentials) {
        auditIssued(log, caller, c, req.callerVerified === true);
        invocation.metrics?.count('CredentialsIssued', { provider: c.provider, format });
        invocation.metrics?.value('ValiditySecondsLeft', { provider: c.provider }, Math.round((c.expiresAt.getTime() - now()) / 1000));
      }
      return { statusCode: 200, headers: { ...BASE_HEADERS }, body: JSON.stringify(body) };
    } catch (err) {
      const error = toRegcredError(err);
      const level = error.status >= 500 ? 'error' : 'info';
      log[level]('request failed', { status: error.status, code: error.code, caller: req.caller, err: error });
      return errorResponse(error);
    }
  };
}

/**
 * The JSON error answer for any failure: its RegcredError's status, code, safe message and
 * headers; anything else is a bare 500 InternalError. Never a stack or an upstream detail.
 * @example errorResponse(new NotFoundError('no such route')) // { statusCode: 404, … }
 */
export function errorResponse(err: unknown): ApiResponse {
  // A misconfigured function (e.g. a FunctionGraph function without an agency) answers a generic
  // 500: the configuration detail goes to the log line, never to the caller.
  const error = err instanceof ConfigError ? new InternalError({ cause: err }) : toRegcredError(err);
  return {
    statusCode: error.status,
    headers: { ...BASE_HEADERS, ...error.headers },
    body: JSON.stringify({ error: { code: error.code, message: error.message } }),
  };
}

/** `/credentials` → undefined (all); `/credentials/{host}` → host. Anything else is a 404. */
function route(path: string): string | undefined {
  const trimmed = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
  if (trimmed === '/credentials') return undefined;
  const prefix = '/credentials/';
  if (trimmed.startsWith(prefix)) {
    let host: string;
    try {
      host = decodeURIComponent(trimmed.slice(prefix.length));
    } catch {
      throw new BadRequestError('registry host in the path is not valid percent-encoding');
    }
    if (!REGISTRY_HOST.test(host)) throw new BadRequestError('registry host in the path must be host[:port], e.g. public.ecr.aws');
    return host;
  }
  throw new NotFoundError('no such route; use GET /credentials or GET /credentials/{registry-host}');
}

interface Query {
  format?: Format;
  name?: string;
  namespace?: string;
}

function parseQuery(raw: string): Query {
  const params = new URLSearchParams(raw);
  const query: Query = {};
  const seen = new Set<string>();
  for (const [key, value] of params) {
    if (!QUERY_FIELDS.includes(key)) throw new BadRequestError(`unknown query parameter '${truncate(key)}'; expected ${QUERY_FIELDS.join(', ')}`);
    if (seen.has(key)) throw new BadRequestError(`query parameter '${key}' is given twice`);
    seen.add(key);
    if (key === 'format') {
      if (!isFormat(value)) throw new BadRequestError(`format must be one of ${FORMATS.join(', ')}`);
      query.format = value;
    } else {
      query[key as 'name' | 'namespace'] = value;
    }
  }
  if ((query.name !== undefined || query.namespace !== undefined) && query.format !== 'kubernetes') {
    throw new BadRequestError('name and namespace apply only to format=kubernetes');
  }
  return query;
}

/** Echo at most a short, printable prefix of caller input in an error message. */
function truncate(value: string): string {
  const printable = value.replace(/[^\x20-\x7e]/g, '?');
  return printable.length > 40 ? `${printable.slice(0, 40)}…` : printable;
}
