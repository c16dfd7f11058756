/**
 * What an SWR login may do on a repository, for the test registry's token service
 * (emulator/registry-token.ts): a temporary login carries the rights of the identity (here the
 * function's agency) whose keys created it. Written from Huawei's documentation, independently of
 * deploy/huawei (which this checks).
 *
 * Actions `swr:repo:download` / `swr:repo:upload` (SWR's identity-policy actions, "Actions
 * Supported by Identity Policy-based Authorization", https://support.huaweicloud.com/intl/en-us/api-swr/Permission.html);
 * resource `swr:<region>:<domain-id>:repo:<organization>/<repository>` ("SWR Resources": "the first
 * * is regionid, and the second * is domainid", https://support.huaweicloud.com/intl/en-us/usermanual-swr/swr_01_0104.html).
 */
import { namespaced, type RepositoryAccess } from '../registry-access.js';

export const SWR_REPOSITORY_ACCESS: RepositoryAccess = {
  product: 'swr',
  actions: { pull: ['swr:repo:download'], push: ['swr:repo:upload'] },
  resource: ({ region, account }, repository) => {
    const name = namespaced(repository);
    return name ? `swr:${region}:${account}:repo:${name.namespace}/${name.repo}` : undefined;
  },
};
