/**
 * Amazon ECR: `GetAuthorizationToken` (JSON 1.1, SigV4, signing name `ecr`) answers
 * `authorizationData: [{ authorizationToken: base64("AWS:<password>"), expiresAt, proxyEndpoint }]`,
 * valid 12 hours. Without `registryIds` (deprecated: the token "can be used to access any Amazon ECR
 * registry that your IAM principal has access to", GetAuthorizationToken API reference) the answer
 * is one entry, for the role's own registry; anything else is an answer we do not understand.
 *
 * One token serves every ECR entry of a region: the own account's (`ecr:<region>`) and other
 * accounts' (`ecr:<region>:<account-id>`, whose repository policies let the role pull). So the
 * provider declares the region its batch key, the service asks once for all of a request's entries
 * of a region (fetchBatch), and each entry takes its registry host from that one answer: the
 * proxyEndpoint's, or for another account the same host with that account's id in front.
 *
 * The answer validation here is shared with ECR Public (ecr-public.ts); error mapping is in client.ts.
 */
import type { ECRClient, GetAuthorizationTokenCommandOutput } from '@aws-sdk/client-ecr';
import type { CredentialProvider, RegistryCredential, RegistryTarget } from '../provider.js';
import { UpstreamError } from '../errors.js';
import { cachedPerRegion, invalidAnswer } from '../upstream.js';
import { assertAwsRegion, classifyAwsError } from './client.js';

const ACTION = 'GetAuthorizationToken';
/** `<account>.dkr.ecr[-fips].<region>.amazonaws.com[.cn]`, the form of every ECR registry host. */
const ECR_HOST = /^(\d{12})\.dkr\.ecr(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$/;
/**
 * The SDK loads on first use, not at cold start: parsing and running it is most of a bundle's load
 * time (bench/RESULTS.md), and the first request has to wait for the upstream call anyway.
 */
const loadSdk = () => import('./ecr-sdk.js');

export interface EcrProviderOptions {
  /** The SDK client for a region; cached per region. */
  clientFor: (region: string) => ECRClient | Promise<ECRClient>;
  /** Clock for the "expiry is in the future" check, epoch ms. */
  now?: () => number;
}

/**
 * @example
 * const ecr = createEcrProvider();
 * const [cred] = await ecr.fetch({ provider: 'ecr', region: 'us-east-1' }, AbortSignal.timeout(3_000));
 * // cred.registry === '123456789012.dkr.ecr.us-east-1.amazonaws.com', cred.username === 'AWS'
 */
/**
 * The default ECR provider: the function's own role through the SDK's credential chain, the SDK
 * loaded on first use.
 * @example const ecr = createEcrProvider();
 */
export function createEcrProvider(options: Pick<EcrProviderOptions, 'now'> = {}): EcrProvider {
  // maxAttempts 1: core/retry.ts owns retries and the time budget, not the SDK.
  return new EcrProvider({ clientFor: async (region) => new (await loadSdk()).ECRClient({ region, maxAttempts: 1 }), ...options });
}

export class EcrProvider implements CredentialProvider {
  readonly id = 'ecr' as const;
  readonly #clientFor: (region: string) => ECRClient | Promise<ECRClient>;
  readonly #now: () => number;

  constructor(options: EcrProviderOptions) {
    this.#clientFor = cachedPerRegion(options.clientFor);
    this.#now = options.now ?? Date.now;
  }

  /** ECR's registry is always `<account>.dkr.ecr[-fips].<region>.amazonaws.com[.cn]`; an entry naming an account serves only that account's host. */
  mayServe(target: RegistryTarget, host: string): boolean {
    const match = ECR_HOST.exec(host);
    return match?.[2] === target.region && (target.instanceId === undefined || match[1] === target.instanceId);
  }

  async fetch(target: RegistryTarget, signal: AbortSignal): Promise<RegistryCredential[]> {
    return (await this.fetchBatch([target], signal))[0]!;
  }

  /** A region's token serves every account's registry in it. */
  batchKey(target: RegistryTarget): string {
    return target.region;
  }

  /** Every entry of one region from one GetAuthorizationToken call. */
  async fetchBatch(targets: readonly RegistryTarget[], signal: AbortSignal): Promise<RegistryCredential[][]> {
    const region = targets[0]!.region;
    assertAwsRegion(region);
    const { username, password, expiresAt, proxyEndpoint } = await this.#mint(region, signal);
    return targets.map((target) => {
      const registry = target.host?.toLowerCase() ?? registryOf(target, proxyEndpoint);
      return [{ registry, username, password, expiresAt, provider: this.id, region }];
    });
  }

  async #mint(region: string, signal: AbortSignal): Promise<Minted> {
    let output: GetAuthorizationTokenCommandOutput;
    try {
      const [client, { GetAuthorizationTokenCommand }] = await Promise.all([this.#clientFor(region), loadSdk()]);
      output = await client.send(new GetAuthorizationTokenCommand({}), { abortSignal: signal });
    } catch (err) {
      throw classifyAwsError(err, ACTION, signal);
    }

    const list = output.authorizationData;
    if (!Array.isArray(list) || list.length !== 1) {
      const got = Array.isArray(list) ? `${list.length} entries` : 'none';
      throw new UpstreamError('UpstreamInvalidResponse', `${ACTION} answer field authorizationData must hold exactly one entry (got ${got})`);
    }
    const data: unknown = list[0];
    const { username, password } = decodeAuthorizationToken(property(data, 'authorizationToken'), 'authorizationData[0].authorizationToken');
    const expiresAt = futureExpiry(property(data, 'expiresAt'), this.#now(), 'authorizationData[0].expiresAt');
    // Checked by each entry that takes its host from it: an entry with a configured host needs none.
    return { username, password, expiresAt, proxyEndpoint: property(data, 'proxyEndpoint') };
  }
}

/** One GetAuthorizationToken answer, its token checked. */
interface Minted {
  username: string;
  password: string;
  expiresAt: Date;
  proxyEndpoint: unknown;
}

/**
 * An entry's registry host from the proxyEndpoint of its region's answer: the host itself for the
 * role's own account, else the same host with the entry's account id in front (so a FIPS or China
 * endpoint gives FIPS or China hosts for every account).
 * @example registryOf({ provider: 'ecr', region: 'us-east-1', instanceId: '111122223333' }, 'https://123456789012.dkr.ecr.us-east-1.amazonaws.com') // '111122223333.dkr.ecr.us-east-1.amazonaws.com'
 */
export function registryOf(target: RegistryTarget, proxyEndpoint: unknown): string {
  const field = 'authorizationData[0].proxyEndpoint';
  const own = registryHost(proxyEndpoint, field);
  if (target.instanceId === undefined) return own;
  if (!ECR_HOST.test(own)) {
    throw invalid(field, `is not an ECR registry host, so account ${target.instanceId}'s host cannot follow from it (name it: ecr:${target.region}:${target.instanceId}=<host>)`);
  }
  return `${target.instanceId}${own.slice(own.indexOf('.'))}`;
}

/**
 * Split `base64("user:password")` on the FIRST `:` (a password may contain more). The field name
 * goes into the error; the token never does.
 * @example decodeAuthorizationToken('QVdTOnNlY3JldA==', 'authorizationToken') // { username: 'AWS', password: 'secret' }
 */
export function decodeAuthorizationToken(token: unknown, field: string): { username: string; password: string } {
  if (typeof token !== 'string' || token.length === 0) throw invalid(field, 'is missing or not a string');
  // Buffer.from(.., 'base64') skips junk silently; insist on canonical base64 instead.
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(token) || token.length % 4 !== 0) throw invalid(field, 'is not base64');
  const decoded = Buffer.from(token, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) throw invalid(field, "does not decode to user:password (no ':')");
  const username = decoded.slice(0, colon);
  const password = decoded.slice(colon + 1);
  if (!username) throw invalid(field, 'has an empty user name');
  if (!password) throw invalid(field, 'has an empty password');
  return { username, password };
}

/**
 * The SDK turns ECR's epoch-second `expiresAt` into a Date; it must be there and in the future.
 * @example futureExpiry(new Date(Date.now() + 43_200_000), Date.now(), 'expiresAt') // that Date
 */
export function futureExpiry(value: unknown, now: number, field: string): Date {
  if (!(value instanceof Date) || !Number.isFinite(value.getTime())) throw invalid(field, 'is missing or not a timestamp');
  if (value.getTime() <= now) throw invalid(field, 'is in the past');
  return value;
}

/**
 * The registry `host[:port]` of a proxyEndpoint URL such as `https://1234.dkr.ecr.us-east-1.amazonaws.com`.
 * @example registryHost('https://123456789012.dkr.ecr.us-east-1.amazonaws.com', 'proxyEndpoint') // '123456789012.dkr.ecr.us-east-1.amazonaws.com'
 */
export function registryHost(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.length === 0) throw invalid(field, 'is missing or not a string');
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw invalid(field, 'is not a URL');
  }
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || !url.host) throw invalid(field, 'is not an http(s) URL with a host');
  return url.host.toLowerCase();
}

function invalid(field: string, problem: string): UpstreamError {
  return invalidAnswer(ACTION, `field ${field} ${problem}`);
}

function property(obj: unknown, key: string): unknown {
  return obj !== null && typeof obj === 'object' ? (obj as Record<string, unknown>)[key] : undefined;
}

