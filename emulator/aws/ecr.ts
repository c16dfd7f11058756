/**
 * Amazon ECR for the AWS emulator: `AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken`
 * (signing name `ecr`), as the service answers it:
 *
 *   { "authorizationData": [{ "authorizationToken": base64("AWS:<password>"),
 *                             "expiresAt": <epoch SECONDS, fractional>,
 *                             "proxyEndpoint": "https://<account>.dkr.ecr.<region>.amazonaws.com" }] }
 *
 * Tokens live 12 hours. Without `registryIds` the answer names the caller's own registry; with
 * them (deprecated, still accepted) there is one entry per 12-digit registry id. Every minted
 * token is kept on `service.minted`, with the key that minted it, so tests can check it never
 * reached a log and the test registry's token service can tell whose policy bounds it.
 */
import { randomBytes } from 'node:crypto';
import { ServiceError, type OperationContext } from '../front-end.js';
import type { MintedLogin } from '../registry-access.js';
import type { AwsService } from './wire.js';

export const ECR_ACCOUNT_ID = '123456789012';
/** ECR and ECR Public tokens are valid for 12 hours. */
export const TOKEN_LIFETIME_MS = 12 * 60 * 60_000;

/**
 * A token the emulator handed out (username `AWS`, the password is the part after `AWS:`; `account`
 * is the registry id it names, `expiresAt` epoch ms). Secret: for assertions and the test
 * registry's token service only, never for logs.
 */
export interface MintedToken extends MintedLogin {
  /** Registry id the token is for (the account id). */
  registryId: string;
}

export interface EcrServiceOptions {
  /** Account of the caller's own registry (default 123456789012). */
  accountId?: string;
  /** Registry URL to report, e.g. `https://127.0.0.1:5000` for a local registry (default: the ECR host). */
  proxyEndpoint?: string | ((registryId: string, region: string) => string);
  /** Chooses each minted password (default: random), e.g. one a local registry's htpasswd accepts. */
  password?: () => string;
  /** Token lifetime (default 12 h). */
  tokenLifetimeMs?: number;
  /** Clock for `expiresAt` (default: the emulator's clock). */
  now?: () => number;
}

export type EcrService = AwsService & { readonly minted: MintedToken[] };

/**
 * @example
 * const ecr = ecrService({ password: () => 'registry-password' });
 * const emu = await startAwsEmulator({ services: [ecr] });
 * // ... ecr.minted[0].password === 'registry-password'
 */
export function ecrService(options: EcrServiceOptions = {}): EcrService {
  const accountId = options.accountId ?? ECR_ACCOUNT_ID;
  const minter = tokenMinter(options);
  const proxyEndpoint = (registryId: string, region: string): string => {
    const configured = options.proxyEndpoint;
    if (typeof configured === 'function') return configured(registryId, region);
    return configured ?? `https://${registryId}.dkr.ecr.${region}.amazonaws.com`;
  };

  return {
    name: 'ecr',
    signingName: 'ecr',
    targetPrefix: 'AmazonEC2ContainerRegistry_V20150921',
    minted: minter.minted,
    operations: {
      GetAuthorizationToken: (input, ctx) => {
        const registryIds = registryIdsOf(input) ?? [accountId];
        return {
          authorizationData: registryIds.map((registryId) => ({
            ...minter.mint(registryId, ctx),
            proxyEndpoint: proxyEndpoint(registryId, ctx.region!),
          })),
        };
      },
    },
  };
}

/** `registryIds` as ECR validates it: 1–10 twelve-digit strings. */
function registryIdsOf(input: Record<string, unknown>): string[] | undefined {
  const ids = input['registryIds'];
  if (ids === undefined) return undefined;
  if (!Array.isArray(ids) || ids.length < 1 || ids.length > 10 || !ids.every((id) => typeof id === 'string' && /^[0-9]{12}$/.test(id))) {
    throw new ServiceError(400, 'InvalidParameterException', "1 validation error detected: Value at 'registryIds' failed to satisfy constraint");
  }
  return ids as string[];
}

/**
 * Mints `base64("AWS:" + password)` tokens and remembers them; shared by ECR and ECR Public,
 * whose tokens have the same shape and lifetime.
 */
export function tokenMinter(options: Pick<EcrServiceOptions, 'password' | 'tokenLifetimeMs' | 'now'>) {
  const minted: MintedToken[] = [];
  const lifetime = options.tokenLifetimeMs ?? TOKEN_LIFETIME_MS;
  return {
    minted,
    mint(registryId: string, ctx: OperationContext): { authorizationToken: string; expiresAt: number } {
      const password = options.password?.() ?? randomBytes(48).toString('base64');
      const expiresAtMs = (options.now?.() ?? ctx.now) + lifetime;
      minted.push({ username: 'AWS', password, accessKeyId: ctx.identity.accessKeyId, region: ctx.region!, account: registryId, registryId, expiresAt: expiresAtMs });
      // Epoch seconds with millisecond precision, as ECR sends them (e.g. 1712345678.123).
      return { authorizationToken: Buffer.from(`AWS:${password}`).toString('base64'), expiresAt: expiresAtMs / 1000 };
    },
  };
}
