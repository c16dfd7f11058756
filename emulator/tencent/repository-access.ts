/**
 * What a TCR login may do on a repository, for the test registry's token service
 * (emulator/registry-token.ts): a temporary instance token carries the rights of the CAM identity
 * that created it. Written from Tencent's documentation, independently of deploy/tencent (which
 * this checks).
 *
 * Enterprise Edition: `tcr:PullRepository` and `tcr:PushRepository` (the names TCR's own permission
 * model uses, e.g. the Actions of a custom account's Permission in the TCR API 2019-09-24; the
 * read-only example in TCR's Enterprise Edition CAM authorization guide grants `tcr:PullRepository`
 * on `qcs::tcr:::repository/tcr-xxxxxxxx/team-01/repo-demo/*`), on the six-segment repository
 * resource `qcs::tcr:$region:$account:repository/$instanceId/$namespaceName/$repositoryName`
 * ("CAM APIs for Enterprise Edition", https://www.tencentcloud.com/document/product/1051/39860;
 * CAM's list, https://www.tencentcloud.com/document/product/598/57160), `$account` as
 * `uin/<uin>`. Tencent's example writes `…/repo-demo/*`; whether CAM also checks a path below the
 * repository (a tag) is not stated, so this checks the repository's own name.
 *
 * Personal Edition: `tcr:PullRepositoryPersonal` / `tcr:PushRepositoryPersonal` on
 * `qcs::tcr:$region:$account:repo/$namespace/$repo` (https://www.tencentcloud.com/document/product/1051/39861).
 */
import { namespaced, type RepositoryAccess } from '../registry-access.js';

export const TCR_REPOSITORY_ACCESS: RepositoryAccess = {
  product: 'tcr',
  actions: { pull: ['tcr:PullRepository'], push: ['tcr:PushRepository'] },
  resource: ({ region, account, instance }, repository) => {
    const name = namespaced(repository);
    return name && instance ? `qcs::tcr:${region}:uin/${account}:repository/${instance}/${name.namespace}/${name.repo}` : undefined;
  },
};

export const TCR_PERSONAL_REPOSITORY_ACCESS: RepositoryAccess = {
  product: 'tcr-personal',
  actions: { pull: ['tcr:PullRepositoryPersonal'], push: ['tcr:PushRepositoryPersonal'] },
  resource: ({ region, account }, repository) => {
    const name = namespaced(repository);
    return name ? `qcs::tcr:${region}:uin/${account}:repo/${name.namespace}/${name.repo}` : undefined;
  },
};
