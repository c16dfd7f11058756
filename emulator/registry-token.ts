/**
 * The token service of the test registry: Debian's docker-registry runs in token-auth mode
 * (`auth: token`, test/support/registry.ts) and sends every client here, as a cloud's registry asks
 * its IAM what a login may do. The flow is the Docker token authentication spec
 * (https://distribution.github.io/distribution/spec/auth/token/):
 *
 *   GET /token?service=<registry>&scope=repository:<name>:<actions>[&scope=…]
 *   Authorization: Basic base64(<minted username>:<minted password>)
 *   → 200 {"token": "<RS256 JWT>", "access_token": …, "expires_in", "issued_at"}
 *
 * The JWT carries the granted `access` ([{type, name, actions}]), `iss`, `aud` (= the service), `exp`,
 * `nbf`, `iat`, and its header `x5c` holds the signing certificate, which the registry checks
 * against its `rootcertbundle` (docker-registry 2.8 reads x5c, RS256).
 *
 * What is granted comes only from evaluating policies: the login is looked up among the logins the
 * cloud emulators minted (each records the key that minted it, {@link MintedLogin}), the key's
 * bound identity policies (the documents the deploy produced) are evaluated with emulator/policy.ts
 * on the repository's IAM resource name, with the cloud's own action mapping
 * (emulator/<cloud>/repository-access.ts). A repository in another account than the identity's
 * also needs that account's repository policy to allow the principal (AWS's cross-account rule).
 * No allow list lives here; the one exception is {@link TokenService.admin}, a clearly test-only
 * identity that seeds images and is granted whatever it asks.
 *
 * Never logs, and never answers with, a password or a token it did not issue to that request.
 */
import { randomBytes, randomUUID, sign, X509Certificate, type KeyObject } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:https';
import { evaluate, PolicyError } from './policy.js';
import { REGISTRY_ACTIONS, type MintedLogin, type RegistryAction, type RegistryLocation, type RepositoryAccess } from './registry-access.js';

/** The key that signs tokens and the self-signed certificate the registry trusts (its rootcertbundle). */
export interface TokenSigner {
  key: KeyObject;
  /** PEM. */
  certificate: string;
}

export interface TokenServiceOptions {
  /** The HTTPS certificate and key (PEM) for 127.0.0.1, from the test run's CA. */
  tls: { cert: string | Buffer; key: string | Buffer };
  signer: TokenSigner;
  /** `iss` of every token; the registry's `issuer` must be the same (default `regcred-test-token-service`). */
  issuer?: string;
  /** How long an issued token lives (default 300 s). */
  tokenLifetimeSeconds?: number;
  /** Epoch ms (default Date.now). */
  now?: () => number;
}

/** A registry the service issues tokens for, under its `service` name. */
export interface ServedRegistry {
  /** The cloud's mapping of registry actions to IAM actions and repository names. */
  access: RepositoryAccess;
  location: RegistryLocation;
  /** Repository policies attached in the registry's account, by repository name (ECR). Mutable. */
  repositoryPolicies?: Map<string, unknown>;
}

/** The identity behind a minting key. */
export interface BoundIdentity {
  account: string;
  /** Its ARN, as a repository policy names it (ECR). */
  principal?: string;
  /** Its identity policy documents, exactly as the deploy produced them. */
  policies: readonly unknown[];
}

/** One scope asked for and what was granted, with no secret in it. */
export interface TokenDecision {
  service: string;
  /** The minting key id, or `admin`. */
  who: string;
  type: string;
  name: string;
  asked: string[];
  granted: string[];
  /** Set when the policies could not be evaluated (the answer was a 500). */
  error?: string;
}

export interface TokenService {
  /** `https://127.0.0.1:<port>/token`: the registry's `realm`. */
  readonly realm: string;
  readonly issuer: string;
  /** TEST-ONLY: an identity granted everything it asks, to seed images. Never a minted login. */
  readonly admin: { readonly username: string; readonly password: string };
  readonly decisions: TokenDecision[];
  addRegistry(service: string, registry: ServedRegistry): void;
  /** Search these logins (an emulator's live `minted` list) for the password a client sends. */
  trustMinted(logins: readonly MintedLogin[]): void;
  bindIdentity(accessKeyId: string, identity: BoundIdentity): void;
  /** A token signed with the service's key: self-tests forge expired or foreign-audience ones with it. */
  sign(claims: Record<string, unknown>): string;
  stop(): Promise<void>;
}

export const DEFAULT_ISSUER = 'regcred-test-token-service';
const TEST_ONLY_ADMIN = 'regcred-test-only-registry-admin';

class Refusal extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * @example
 * const tokens = await startTokenService({ tls, signer });
 * tokens.addRegistry('ecr-123456789012', { access: ECR_REPOSITORY_ACCESS, location: { region: 'us-east-1', account: '123456789012' } });
 * tokens.trustMinted(ecr.minted);
 * tokens.bindIdentity(DEFAULT_IDENTITY.accessKeyId, { account: '123456789012', principal: roleArn, policies });
 */
export async function startTokenService(options: TokenServiceOptions): Promise<TokenService> {
  const issuer = options.issuer ?? DEFAULT_ISSUER;
  const lifetime = options.tokenLifetimeSeconds ?? 300;
  const now = options.now ?? Date.now;
  const x5c = [new X509Certificate(options.signer.certificate).raw.toString('base64')];
  const admin = { username: TEST_ONLY_ADMIN, password: randomBytes(18).toString('base64url') };
  const registries = new Map<string, ServedRegistry>();
  const identities = new Map<string, BoundIdentity>();
  const mintedLists: (readonly MintedLogin[])[] = [];
  const decisions: TokenDecision[] = [];

  const signToken = (claims: Record<string, unknown>): string => {
    const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const input = `${part({ typ: 'JWT', alg: 'RS256', x5c })}.${part(claims)}`;
    return `${input}.${sign('sha256', Buffer.from(input), options.signer.key).toString('base64url')}`;
  };

  const issue = (url: URL, authorization: string | undefined): Record<string, unknown> => {
    const service = url.searchParams.get('service') ?? '';
    const registry = registries.get(service);
    if (!registry) throw new Refusal(400, `unknown service '${service.slice(0, 100)}'`);
    const basic = basicAuth(authorization);
    if (!basic) throw new Refusal(401, 'Basic authentication with a minted login is required');
    const { who, may } = basic.username === admin.username && basic.password === admin.password ? { who: 'admin', may: () => true } : loginGrant(basic, registry);

    const access = url.searchParams.getAll('scope').map((raw) => {
      const scope = parseScope(raw);
      const decision: TokenDecision = { service, who, type: scope.type, name: scope.name, asked: scope.actions, granted: [] };
      decisions.push(decision);
      try {
        decision.granted = scope.type === 'repository' ? scope.actions.filter((action) => may(scope.name, action)) : [];
      } catch (err) {
        if (!(err instanceof PolicyError)) throw err;
        decision.error = err.message;
        throw new Refusal(500, `the identity's policy cannot be evaluated: ${err.message}`);
      }
      return { type: scope.type, name: scope.name, actions: decision.granted };
    });
    const iat = Math.floor(now() / 1000);
    const token = signToken({ iss: issuer, sub: basic.username, aud: service, exp: iat + lifetime, nbf: iat - 1, iat, jti: randomUUID(), access });
    return { token, access_token: token, expires_in: lifetime, issued_at: new Date(iat * 1000).toISOString() };
  };

  /** Who minted the login, and what its identity may do here; refused when the login is no good for this registry. */
  const loginGrant = (basic: { username: string; password: string }, registry: ServedRegistry) => {
    const login = mintedLists.flat().find((l) => l.username === basic.username && l.password === basic.password);
    if (!login) throw new Refusal(401, 'not a login any emulator minted');
    if (login.expiresAt <= now()) throw new Refusal(401, 'the login has expired');
    const at = registry.location;
    if (login.region !== at.region || (login.instance ?? '') !== (at.instance ?? '') || (!registry.access.crossAccount && login.account !== at.account)) {
      throw new Refusal(401, `the login was minted for another registry than this ${registry.access.product} registry`);
    }
    const identity = identities.get(login.accessKeyId);
    if (!identity) throw new Refusal(401, `no policy is bound to the key that minted this login (${login.accessKeyId})`);
    return { who: login.accessKeyId, may: (repository: string, action: string) => allows(registry, identity, repository, action) };
  };

  const server = createServer({ cert: options.tls.cert, key: options.tls.key }, (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'https://127.0.0.1');
    try {
      if (url.pathname !== '/token') throw new Refusal(404, 'not found');
      if (req.method !== 'GET') throw new Refusal(405, 'only GET');
      answer(res, 200, issue(url, req.headers.authorization));
    } catch (err) {
      const refusal = err instanceof Refusal ? err : new Refusal(500, 'token service failure');
      const headers: Record<string, string> = refusal.status === 401 ? { 'WWW-Authenticate': `Basic realm="${issuer}"` } : {};
      answer(res, refusal.status, { errors: [{ code: refusal.status === 401 ? 'UNAUTHORIZED' : 'DENIED', message: refusal.message }] }, headers);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };

  return {
    realm: `https://127.0.0.1:${port}/token`,
    issuer,
    admin,
    decisions,
    addRegistry: (service, registry) => void registries.set(service, registry),
    trustMinted: (logins) => void mintedLists.push(logins),
    bindIdentity: (accessKeyId, identity) => void identities.set(accessKeyId, identity),
    sign: signToken,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * Whether `identity` may do the registry `action` on `repository`: every IAM action the cloud maps
 * it to must be allowed on the repository's resource name and none denied. In another account than
 * the identity's, both its identity policy and the repository's policy must allow; in its own,
 * either does (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html).
 */
function allows(registry: ServedRegistry, identity: BoundIdentity, repository: string, action: string): boolean {
  if (!(REGISTRY_ACTIONS as readonly string[]).includes(action)) return false;
  const resource = registry.access.resource(registry.location, repository);
  if (!resource) return false;
  const repositoryPolicy = registry.repositoryPolicies?.get(repository);
  const names = identity.principal ? (registry.access.principalNames?.(identity.principal) ?? [identity.principal]) : [];
  const sameAccount = identity.account === registry.location.account;
  return registry.access.actions[action as RegistryAction].every((iamAction) => {
    const byIdentity = evaluate(identity.policies, { action: iamAction, resource });
    const byRepository = repositoryPolicy !== undefined && names.length ? evaluate([repositoryPolicy], { action: iamAction, resource, principal: names }) : 'none';
    if (byIdentity === 'deny' || byRepository === 'deny') return false;
    return sameAccount ? byIdentity === 'allow' || byRepository === 'allow' : byIdentity === 'allow' && byRepository === 'allow';
  });
}

/** `repository:team/app:pull,push` → its type, name and actions (the name may hold `:` only between the first and last). */
function parseScope(raw: string): { type: string; name: string; actions: string[] } {
  const first = raw.indexOf(':');
  const last = raw.lastIndexOf(':');
  if (first <= 0 || last === first) throw new Refusal(400, `scope '${raw.slice(0, 200)}' is not <type>:<name>:<actions>`);
  return { type: raw.slice(0, first), name: raw.slice(first + 1, last), actions: raw.slice(last + 1).split(',').filter(Boolean) };
}

function basicAuth(header: string | undefined): { username: string; password: string } | undefined {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(header ?? '');
  if (!match) return undefined;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon > 0 ? { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) } : undefined;
}

function answer(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', ...headers });
  res.end(JSON.stringify(body));
}
