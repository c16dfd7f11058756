import { REGISTRY_HOST } from './registry-spec.js';
import { BadRequestError, UpstreamError, UpstreamUnavailableError } from './errors.js';

/**
 * `docker login` without Docker: proves that a registry accepts a username and password, the way
 * Secrets Manager rotation's testSecret step must before the pending version becomes current.
 *
 * Follows the Docker Registry HTTP API v2 auth flow: `GET /v2/` → 401 with a `WWW-Authenticate`
 * challenge → either Basic auth on `/v2/` again, or a Bearer token fetched from the challenge's
 * realm with Basic auth (the distribution token protocol) → `/v2/` again with the token → 200.
 * TLS is always verified by Node's own trust store (plus NODE_EXTRA_CA_CERTS); there is no
 * plain-HTTP or skip-verify mode, and credentials are never sent to a non-https realm.
 */

export interface RegistryLoginOptions {
  /** Abort = give up now; the check then fails with UpstreamTimeout. */
  signal?: AbortSignal;
  /** Injected for tests; defaults to Node's global fetch. */
  fetch?: typeof fetch;
}

export interface Challenge {
  /** Lower-case auth scheme, e.g. `basic`, `bearer`. */
  scheme: string;
  /** Parameter names in lower case; quoted values unescaped. */
  params: Record<string, string>;
}

/**
 * Log into `https://<registry>/v2/` with `username`/`password`; resolve when the registry accepts
 * them, throw a RegcredError naming the registry and the HTTP status otherwise (never the password).
 * A registry that answers `/v2/` with 200 without asking for credentials passes, as `docker login` does.
 * @example
 * await checkRegistryLogin('123456789012.dkr.ecr.us-east-1.amazonaws.com', 'AWS', password, {
 *   signal: AbortSignal.timeout(5_000),
 * });
 */
export async function checkRegistryLogin(
  registry: string,
  username: string,
  password: string,
  options: RegistryLoginOptions = {},
): Promise<void> {
  if (!REGISTRY_HOST.test(registry)) throw new BadRequestError('registry must be host[:port], without scheme or path');
  const http = new LoginHttp(registry, options);
  const v2 = `https://${registry}/v2/`;
  const basic = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;

  const first = await http.get(v2, {});
  if (first.status === 200) return;
  if (first.status !== 401) throw statusError(registry, 'registry', first);

  const challenges = parseChallenges(first.headers.get('www-authenticate') ?? '');
  const bearer = challenges.find((c) => c.scheme === 'bearer');
  let authorization: string;
  if (bearer) {
    authorization = `Bearer ${await fetchToken(http, registry, bearer, basic)}`;
  } else if (challenges.some((c) => c.scheme === 'basic')) {
    authorization = basic;
  } else {
    throw new UpstreamError('UpstreamInvalidResponse', `registry ${registry} answered 401 without a Basic or Bearer challenge`);
  }

  const second = await http.get(v2, { authorization });
  if (second.status === 200) return;
  throw statusError(registry, 'registry', second);
}

/** Get a token from a Bearer challenge's realm, authenticating with Basic auth. */
async function fetchToken(http: LoginHttp, registry: string, challenge: Challenge, basic: string): Promise<string> {
  const realm = parseHttpsUrl(challenge.params.realm);
  // Credentials go to the realm, so it must be https: a plain-http realm would leak the password.
  if (!realm) throw new UpstreamError('UpstreamInvalidResponse', `registry ${registry} named no https token realm`);
  for (const name of ['service', 'scope'] as const) {
    const value = challenge.params[name];
    if (value) realm.searchParams.set(name, value);
  }
  const res = await http.get(realm.toString(), { authorization: basic, accept: 'application/json' }, true);
  if (res.status !== 200) throw statusError(registry, 'token service of registry', res);
  const body = res.body as { token?: unknown; access_token?: unknown } | undefined;
  const token = body?.token ?? body?.access_token;
  if (typeof token !== 'string' || token === '' || /[\s,]/.test(token)) {
    throw new UpstreamError('UpstreamInvalidResponse', `token service of registry ${registry} answered without a token`);
  }
  return token;
}

/**
 * Parse a `WWW-Authenticate` header into its challenges (RFC 9110 §11.6.1; token68 is not used by
 * registries and is skipped).
 * @example parseChallenges('Bearer realm="https://auth.example/token",service="reg"')
 * // [{ scheme: 'bearer', params: { realm: 'https://auth.example/token', service: 'reg' } }]
 */
export function parseChallenges(header: string): Challenge[] {
  const challenges: Challenge[] = [];
  const param = /^[\s,]*([!#$%&'*+.^_`|~\w-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))/;
  const scheme = /^[\s,]*([!#$%&'*+.^_`|~\w-]+)(?=\s|,|$)/;
  let rest = header;
  // Each pass consumes at least one character, so this ends.
  while (/[^\s,]/.test(rest)) {
    const p = challenges.length > 0 ? param.exec(rest) : null;
    if (p?.[1]) {
      challenges[challenges.length - 1]!.params[p[1].toLowerCase()] = p[2] !== undefined ? p[2].replace(/\\(.)/g, '$1') : (p[3] ?? '');
      rest = rest.slice(p[0].length);
      continue;
    }
    const s = scheme.exec(rest);
    if (!s?.[1]) break;
    challenges.push({ scheme: s[1].toLowerCase(), params: {} });
    rest = rest.slice(s[0].length);
  }
  return challenges;
}

interface LoginResponse {
  status: number;
  headers: Headers;
  body?: unknown;
}

/** One GET at a time, with the caller's signal, no redirects, and errors turned into RegcredErrors. */
class LoginHttp {
  readonly #registry: string;
  readonly #fetch: typeof fetch;
  readonly #signal: AbortSignal | undefined;

  constructor(registry: string, options: RegistryLoginOptions) {
    this.#registry = registry;
    this.#fetch = options.fetch ?? fetch;
    this.#signal = options.signal;
  }

  async get(url: string, headers: Record<string, string>, json = false): Promise<LoginResponse> {
    let res: Response;
    try {
      // No redirects: fetch would carry the Authorization header along to wherever it leads.
      res = await this.#fetch(url, { method: 'GET', headers, redirect: 'manual', signal: this.#signal });
    } catch (err) {
      throw this.#networkError(err);
    }
    try {
      if (json && res.status === 200) {
        const text = await res.text();
        try {
          return { status: res.status, headers: res.headers, body: JSON.parse(text) as unknown };
        } catch {
          return { status: res.status, headers: res.headers };
        }
      }
      await res.body?.cancel();
      return { status: res.status, headers: res.headers };
    } catch (err) {
      throw this.#networkError(err);
    }
  }

  #networkError(err: unknown): Error {
    if (this.#signal?.aborted) {
      return new UpstreamUnavailableError('UpstreamTimeout', `registry ${this.#registry} did not answer in time`, { cause: err });
    }
    const code = (err as { cause?: { code?: unknown } })?.cause?.code;
    const why = typeof code === 'string' && /^[A-Z0-9_]+$/.test(code) ? ` (${code})` : '';
    return new UpstreamError('UpstreamError', `could not reach registry ${this.#registry}${why}`, { cause: err, retryable: true });
  }
}

function statusError(registry: string, who: string, res: LoginResponse): Error {
  const { status } = res;
  if (status === 401 || status === 403) {
    return new UpstreamError('UpstreamAccessDenied', `${who} ${registry} refused the credential (HTTP ${status})`);
  }
  if (status === 429) {
    const retryAfter = Number(res.headers.get('retry-after'));
    return new UpstreamUnavailableError('UpstreamThrottled', `${who} ${registry} throttled the login (HTTP 429)`, {
      retryAfterSeconds: Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : 1,
    });
  }
  if (status >= 500) {
    return new UpstreamError('UpstreamError', `${who} ${registry} failed the login (HTTP ${status})`, { retryable: true });
  }
  return new UpstreamError('UpstreamInvalidResponse', `${who} ${registry} answered the login with HTTP ${status}`);
}

function parseHttpsUrl(value: string | undefined): URL | undefined {
  if (!value) return undefined;
  try {
    const url = new URL(value);
    return url.protocol === 'https:' ? url : undefined;
  } catch {
    return undefined;
  }
}
