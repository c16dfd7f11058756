/**
 * Amazon ECR Public for the AWS emulator: `SpencerFrontendService.GetAuthorizationToken`
 * (signing name `ecr-public`), served only in us-east-1 as the real service is:
 *
 *   { "authorizationData": { "authorizationToken": base64("AWS:<password>"), "expiresAt": <epoch SECONDS> } }
 *
 * One object, not a list, and no proxyEndpoint: the registry is always `public.ecr.aws`.
 * (The real call also needs `sts:GetServiceBearerToken`; the emulator has no IAM policies.)
 */
import type { AwsService } from './wire.js';
import { ECR_ACCOUNT_ID, tokenMinter, type EcrServiceOptions, type MintedToken } from './ecr.js';

export type EcrPublicServiceOptions = Omit<EcrServiceOptions, 'proxyEndpoint'>;
export type EcrPublicService = AwsService & { readonly minted: MintedToken[] };

/**
 * @example
 * const pub = ecrPublicService();
 * const emu = await startAwsEmulator({ services: [pub] });
 * await new ECRPUBLICClient({ endpoint: emu.url, region: 'us-east-1', credentials: TEST_IDENTITY }).send(new GetAuthorizationTokenCommand({}));
 */
export function ecrPublicService(options: EcrPublicServiceOptions = {}): EcrPublicService {
  const accountId = options.accountId ?? ECR_ACCOUNT_ID;
  const minter = tokenMinter(options);
  return {
    name: 'ecr-public',
    signingName: 'ecr-public',
    targetPrefix: 'SpencerFrontendService',
    regions: ['us-east-1'],
    minted: minter.minted,
    operations: {
      GetAuthorizationToken: (_input, ctx) => ({ authorizationData: minter.mint(accountId, ctx) }),
    },
  };
}
