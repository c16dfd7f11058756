/**
 * What an ECR or ECR Public login may do on a repository, for the test registry's token service
 * (emulator/registry-token.ts). A login is worth what its minting principal may do: "the
 * authorization token's permission scope matches that of the IAM principal used to retrieve the
 * authentication token" (GetAuthorizationToken, ECR API reference:
 * https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_GetAuthorizationToken.html).
 * Written from AWS's documentation, independently of deploy/aws (which this checks).
 */
import type { RepositoryAccess } from '../registry-access.js';

/** The principal's ARN, its account id and the account's root ARN: what a resource policy may name it by. */
function principalNames(arn: string): string[] {
  const account = /^arn:aws[a-z-]*:(?:iam|sts)::(\d{12}):/.exec(arn)?.[1];
  return account ? [arn, account, `arn:aws:iam::${account}:root`] : [arn];
}

/**
 * Amazon ECR private repositories.
 * - pull: the three calls a pull makes (manifest, layer URL, layer check), as AWS's pull policies
 *   list them (https://docs.aws.amazon.com/AmazonECR/latest/userguide/repository-policy-examples.html);
 * - push: "IAM permissions for pushing an image"
 *   (https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-push-iam.html);
 * - resource `arn:aws:ecr:<region>:<account>:repository/<name>` (Service Authorization Reference,
 *   https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonelasticcontainerregistry.html);
 * - a token works on every registry of its region the principal may access, so another account's
 *   repository needs that account's repository policy too
 *   (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html).
 */
export const ECR_REPOSITORY_ACCESS: RepositoryAccess = {
  product: 'ecr',
  actions: {
    pull: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'],
    push: ['ecr:BatchCheckLayerAvailability', 'ecr:InitiateLayerUpload', 'ecr:UploadLayerPart', 'ecr:CompleteLayerUpload', 'ecr:PutImage'],
  },
  resource: ({ region, account }, repository) => `arn:aws:ecr:${region}:${account}:repository/${repository}`,
  crossAccount: true,
  principalNames,
};

/**
 * Amazon ECR Public: every repository is public, so a pull needs no IAM action; a push needs the
 * ecr-public upload set on `arn:aws:ecr-public::<account>:repository/<name>`
 * (https://docs.aws.amazon.com/AmazonECR/latest/public/public-repository-policy-examples.html,
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonelasticcontainerregistrypublic.html).
 */
export const ECR_PUBLIC_REPOSITORY_ACCESS: RepositoryAccess = {
  product: 'ecr-public',
  actions: {
    pull: [],
    push: ['ecr-public:BatchCheckLayerAvailability', 'ecr-public:InitiateLayerUpload', 'ecr-public:UploadLayerPart', 'ecr-public:CompleteLayerUpload', 'ecr-public:PutImage'],
  },
  resource: ({ account }, repository) => `arn:aws:ecr-public::${account}:repository/${repository}`,
  principalNames,
};
