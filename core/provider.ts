/**
 * The one port between regcred's core and a cloud's registry service.
 *
 * A provider turns a {@link RegistryTarget} into the `docker login` credential(s) that the
 * function's own execution role can mint. Everything cloud-specific lives behind this interface.
 */

/** A provider id from the table of clouds (core/clouds.ts): `ecr`, `ecr-public`, `acr`, `acr-ee`, `tcr`, `swr`, … */
export type ProviderId = string;

/**
 * The function role's temporary keys, where the platform hands them to each invocation (FC's
 * `context.credentials`, FunctionGraph's `context.getSecurity*()`) rather than to the process.
 */
export interface RoleKeys {
  accessKeyId: string;
  accessKeySecret: string;
  securityToken?: string;
}

export interface RegistryTarget {
  provider: ProviderId;
  region: string;
  /** Registry instance, required by acr-ee (`cri-…`) and tcr (`tcr-…`). */
  instanceId?: string;
  /** Registry host override (`host[:port]`); else the provider's documented or reported host. */
  host?: string;
}

export interface RegistryCredential {
  /** host[:port], no scheme, e.g. 123456789012.dkr.ecr.us-east-1.amazonaws.com */
  registry: string;
  username: string;
  password: string;
  /** The real end of validity: the earliest of what the service and the role session allow. */
  expiresAt: Date;
  provider: ProviderId;
  region: string;
}

export interface CredentialProvider {
  readonly id: ProviderId;
  /**
   * Mint fresh credentials for one target, signing with `keys` when the invocation carries the
   * role's keys (else the SDK's own chain). Must honour `signal` (abort = give up now) and throw
   * only {@link import('./errors.js').RegcredError} subclasses, so the retry policy and the HTTP
   * mapping can tell a throttle from a malformed answer.
   */
  fetch(target: RegistryTarget, signal: AbortSignal, keys?: RoleKeys): Promise<RegistryCredential[]>;
  /**
   * Whether this target could be the registry at `host`, from what is known before any call
   * (documented host names). Lets `GET /credentials/{host}` skip registries that cannot match;
   * leave it out when only the upstream answer tells (e.g. a per-instance endpoint).
   */
  mayServe?(target: RegistryTarget, host: string): boolean;
  /**
   * Targets with the same key are served by ONE upstream call (ECR: a region's token serves every
   * account's registry in it): the service then asks {@link fetchBatch} once for all of them that one
   * request needs. Define both or neither.
   */
  batchKey?(target: RegistryTarget): string;
  /** Mint for several targets of one batch key with one upstream call: one credential list per target, in order. */
  fetchBatch?(targets: readonly RegistryTarget[], signal: AbortSignal, keys?: RoleKeys): Promise<RegistryCredential[][]>;
}

/**
 * A stable key for a target, the same string users write in REGCRED_REGISTRIES.
 * @example targetKey({ provider: 'acr-ee', region: 'cn-hangzhou', instanceId: 'cri-abc' }) // 'acr-ee:cn-hangzhou:cri-abc'
 */
export function targetKey(target: RegistryTarget): string {
  return [target.provider, target.region, target.instanceId].filter(Boolean).join(':');
}
