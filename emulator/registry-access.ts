/**
 * What the test registry's token service (emulator/registry-token.ts) needs to know of a cloud,
 * shared by the four clouds' emulators:
 *
 * - {@link MintedLogin}: every emulated token API (ECR, ECR Public, ACR personal and EE, TCR, SWR)
 *   records who minted each login, so the token service can look up whose policy decides what the
 *   login may do, as the real registry asks the cloud's IAM about the principal behind the token.
 * - {@link RepositoryAccess}: how one registry product names a repository as an IAM resource and
 *   which IAM actions a registry pull or push needs. Each cloud writes its own in
 *   `emulator/<cloud>/repository-access.ts` from the cloud's published reference (cited there), never
 *   from the deploy code: the deploy is what the emulator checks.
 */

/** A registry login an emulator minted. The password is a secret: for the token service and assertions, never a log. */
export interface MintedLogin {
  username: string;
  password: string;
  /** The key id that signed the mint call: the identity whose policies bound the login's rights. */
  accessKeyId: string;
  /** The registry the login is for: region, account and (ACR EE, TCR) instance. */
  region: string;
  account: string;
  instance?: string;
  /** Epoch ms. */
  expiresAt: number;
}

/** Where a registry is: what its repositories' IAM resource names are built from. */
export interface RegistryLocation {
  region: string;
  account: string;
  instance?: string;
}

/** The registry actions a token can carry that a cloud maps to IAM actions (`delete`, `*` never are). */
export const REGISTRY_ACTIONS = ['pull', 'push'] as const;
export type RegistryAction = (typeof REGISTRY_ACTIONS)[number];

export interface RepositoryAccess {
  /** e.g. `ecr`, `acr-ee`: names the mapping in errors and decisions. */
  product: string;
  /** The IAM actions each registry action needs, all of them (a pull calls each). */
  actions: Readonly<Record<RegistryAction, readonly string[]>>;
  /** The repository's IAM resource name; undefined when the product has no repository of that name (e.g. ACR wants `<namespace>/<repo>`). */
  resource(location: RegistryLocation, repository: string): string | undefined;
  /** A login minted by an identity of another account works here, if that account's repository policy allows (ECR). */
  crossAccount?: boolean;
  /** The names a resource policy may use for `principal` (its ARN, its account): ECR repository policies. */
  principalNames?(principal: string): string[];
}

/**
 * `<namespace>/<repo>` of a registry repository name, for products whose repositories live in
 * exactly one namespace (ACR, TCR, SWR); undefined for any other shape.
 * @example namespaced('team/app') // { namespace: 'team', repo: 'app' }
 */
export function namespaced(repository: string): { namespace: string; repo: string } | undefined {
  const slash = repository.indexOf('/');
  if (slash <= 0 || slash === repository.length - 1) return undefined;
  return { namespace: repository.slice(0, slash), repo: repository.slice(slash + 1) };
}
