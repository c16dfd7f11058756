/**
 * What an ACR login may do on a repository, for the test registry's token service
 * (emulator/registry-token.ts): "If you log on to an instance by using the temporary password
 * obtained through STS, you have the same permissions as the STS token" (GetAuthorizationToken,
 * https://www.alibabacloud.com/help/en/acr/developer-reference/api-cr-2018-12-01-getauthorizationtoken).
 * Written from Alibaba's documentation, independently of deploy/alibaba (which this checks).
 *
 * Actions: `cr:PullRepository`, `cr:PushRepository` (the policy ACR's access-credentials guide
 * gives a RAM user for a temporary password to push and pull). Resources:
 * "RAM authorization information", https://help.aliyun.com/en/acr/user-guide/ram-authorization-information
 * (`acs:cr:$regionid:$accountid:repository/$instanceid/$namespacename/$repositoryname`).
 */
import { namespaced, type RepositoryAccess } from '../registry-access.js';

const actions = { pull: ['cr:PullRepository'], push: ['cr:PushRepository'] };

/** ACR Enterprise Edition: the repository ARN names the instance. */
export const ACR_EE_REPOSITORY_ACCESS: RepositoryAccess = {
  product: 'acr-ee',
  actions,
  resource: ({ region, account, instance }, repository) => {
    const name = namespaced(repository);
    return name && instance ? `acs:cr:${region}:${account}:repository/${instance}/${name.namespace}/${name.repo}` : undefined;
  },
};

/**
 * ACR personal edition. Its repository ARN is not stated in the page above (which is about EE);
 * `acs:cr:<region>:<account>:repository/<namespace>/<repo>` is the form without the instance, as
 * Alibaba's image-syncer example grants `acs:cr:*:*:repository/image-syncer/*`. An assumption,
 * marked as such: the end-to-end tests use EE.
 */
export const ACR_PERSONAL_REPOSITORY_ACCESS: RepositoryAccess = {
  product: 'acr',
  actions,
  resource: ({ region, account }, repository) => {
    const name = namespaced(repository);
    return name ? `acs:cr:${region}:${account}:repository/${name.namespace}/${name.repo}` : undefined;
  },
};
