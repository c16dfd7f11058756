/**
 * Amazon ECR Public: `GetAuthorizationToken` (signing name `ecr-public`, us-east-1 only) answers
 * ONE `authorizationData` object `{ authorizationToken: base64("AWS:<password>"), expiresAt }`,
 * valid 12 hours, with no proxyEndpoint: the registry is always `public.ecr.aws`. The role also
 * needs `sts:GetServiceBearerToken`, which AWS checks behind this one call.
 */
import type { ECRPUBLICClient, GetAuthorizationTokenCommandOutput } from '@aws-sdk/client-ecr-public';
import type { CredentialProvider, RegistryCredential, RegistryTarget } from '../provider.js';
import { ConfigError, UpstreamError } from '../errors.js';
import { cachedPerRegion } from '../upstream.js';
import { classifyAwsError } from './client.js';
import { decodeAuthorizationToken, futureExpiry } from './ecr.js';

/** Loaded on first use, like the ECR SDK (see ecr.ts). */
const loadSdk = () => import('./ecr-public-sdk.js');

const ACTION = 'GetAuthorizationToken';
/** The only region ECR Public's API is served in. */
export const ECR_PUBLIC_REGION = 'us-east-1';
export const ECR_PUBLIC_REGISTRY = 'public.ecr.aws';

export interface EcrPublicProviderOptions {
  /** The SDK client for a region (default: the standard chain, one attempt per call). Cached per region. */
  clientFor: (region: string) => ECRPUBLICClient | Promise<ECRPUBLICClient>;
  /** Clock for the "expiry is in the future" check, epoch ms. */
  now?: () => number;
}

/**
 * @example
 * const pub = createEcrPublicProvider();
 * const [cred] = await pub.fetch({ provider: 'ecr-public', region: 'us-east-1' }, AbortSignal.timeout(3_000));
 * // cred.registry === 'public.ecr.aws', cred.username === 'AWS'
 */
/**
 * The default ECR Public provider: the function's own role through the SDK's credential chain,
 * the SDK loaded on first use.
 * @example const pub = createEcrPublicProvider();
 */
export function createEcrPublicProvider(options: Pick<EcrPublicProviderOptions, 'now'> = {}): EcrPublicProvider {
  // maxAttempts 1: core/retry.ts owns retries and the time budget, not the SDK.
  return new EcrPublicProvider({ clientFor: async (region) => new (await loadSdk()).ECRPUBLICClient({ region, maxAttempts: 1 }), ...options });
}

export class EcrPublicProvider implements CredentialProvider {
  readonly id = 'ecr-public' as const;
  readonly #clientFor: (region: string) => ECRPUBLICClient | Promise<ECRPUBLICClient>;
  readonly #now: () => number;

  constructor(options: EcrPublicProviderOptions) {
    this.#clientFor = cachedPerRegion(options.clientFor);
    this.#now = options.now ?? Date.now;
  }

  mayServe(_target: RegistryTarget, host: string): boolean {
    return host === ECR_PUBLIC_REGISTRY;
  }

  async fetch(target: RegistryTarget, signal: AbortSignal): Promise<RegistryCredential[]> {
    if (target.region !== ECR_PUBLIC_REGION) throw new ConfigError(`ecr-public is served only in ${ECR_PUBLIC_REGION}, not '${target.region}'`);
    let output: GetAuthorizationTokenCommandOutput;
    try {
      const [client, { GetAuthorizationTokenCommand }] = await Promise.all([this.#clientFor(ECR_PUBLIC_REGION), loadSdk()]);
      output = await client.send(new GetAuthorizationTokenCommand({}), { abortSignal: signal });
    } catch (err) {
      throw classifyAwsError(err, ACTION, signal);
    }

    const data: unknown = output.authorizationData;
    if (data === null || typeof data !== 'object' || Array.isArray(data)) {
      throw new UpstreamError('UpstreamInvalidResponse', `${ACTION} answer field authorizationData is missing or not one object`);
    }
    const { authorizationToken, expiresAt } = data as Record<string, unknown>;
    const { username, password } = decodeAuthorizationToken(authorizationToken, 'authorizationData.authorizationToken');
    return [
      {
        registry: target.host?.toLowerCase() ?? ECR_PUBLIC_REGISTRY,
        username,
        password,
        expiresAt: futureExpiry(expiresAt, this.#now(), 'authorizationData.expiresAt'),
        provider: this.id,
        region: target.region,
      },
    ];
  }
}
