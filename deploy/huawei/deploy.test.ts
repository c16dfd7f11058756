import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { PROJECT_DIR } from '../../test/support/registry.js';
import { apigTriggerCheck, LOCAL_CALLER, OTHER_ACCOUNT_CALLER, signedHeaders } from '../../emulator/huawei/apig.js';
import { startFunctionGraphEmulator, type FunctionGraphEmulator } from '../../emulator/huawei/functiongraph.js';
import { OTHER_ACCOUNT, PERMANENT_KEY } from '../../emulator/huawei/server.js';
import type { HuaweiIdentity } from '../../emulator/huawei/sdk-hmac.js';
import { HUAWEI_FUNCTIONS } from '../../handlers/huawei/functions.js';
import { main } from './deploy.js';

const PROJECT = '0a1b2c3d4e5f60718293a4b5c6d7e8f9';
const ACCOUNT = '1b2c3d4e5f60718293a4b5c6d7e8f90a';
const GROUP = '2c3d4e5f60718293a4b5c6d7e8f90a1b';
/** A dedicated gateway created after 2022 (takes DOMAIN_ID), and one created before 2023 (DOMAIN only). */
const INSTANCE = '5f60718293a4b5c6d7e8f90a1b2c3d4e';
const LEGACY_INSTANCE = '60718293a4b5c6d7e8f90a1b2c3d4e5f';
const TARGETS = JSON.stringify({ targets: [{ store: 'csms', secretId: 'regcred-pull', registries: ['swr:cn-north-4'] }] });
const ARGS = ['--region', 'cn-north-4', '--project-id', PROJECT, '--account-id', ACCOUNT, '--apig-group-id', GROUP, '--apig-instance-id', INSTANCE];
const APP_ENV = { REGCRED_REGISTRIES: 'swr:cn-north-4', REGCRED_TARGETS: TARGETS, LOG_LEVEL: 'info' };
const HTTP_URN = `urn:fss:cn-north-4:${PROJECT}:function:default:regcred:latest`;
const REFRESH_URN = `urn:fss:cn-north-4:${PROJECT}:function:default:regcred-refresh:latest`;

let fg: FunctionGraphEmulator;
let out: string[] = [];
beforeAll(async () => {
  fg = await startFunctionGraphEmulator({ projectId: PROJECT, apigInstances: { [INSTANCE]: { domainIdAcl: true }, [LEGACY_INSTANCE]: { domainIdAcl: false } } });
});
afterEach(() => {
  fg.calls.length = 0;
  fg.clearFaults();
  fg.functions.clear();
  fg.triggers.clear();
  fg.apig.apis.clear();
  fg.apig.acls.clear();
  fg.apig.bindings.clear();
  out = [];
});
afterAll(() => fg.stop());

/** The deploy command with a deployer's IAM key and the FunctionGraph endpoint pointed at the emulator. */
const deploy = (env: Record<string, string> = {}, args = ARGS) =>
  main(args, { ...APP_ENV, HUAWEICLOUD_SDK_AK: PERMANENT_KEY.accessKeyId, HUAWEICLOUD_SDK_SK: PERMANENT_KEY.secretAccessKey, HUAWEICLOUD_ENDPOINT_URL_FUNCTIONGRAPH: fg.url, HUAWEICLOUD_ENDPOINT_URL_APIG: fg.url, ...env }, (text) => out.push(text));
const operations = () => fg.calls.map((c) => `${c.operation} ${c.status}`);
const dryRun = async (args: string[]) => {
  const code = await main([...args, '--dry-run'], { ...APP_ENV }, (text) => out.push(text));
  return { code, text: out.join('\n') };
};
/** The HTTP trigger's API, as FunctionGraph answered it to the deploy. */
const httpApi = () => String(fg.triggers.get(HTTP_URN)!.find((t) => t.trigger_type_code !== 'TIMER')!.event_data['api_id']);
/** What the emulated APIG trigger of the deployed API decides for a signed call: 'admitted' (the function would run) or APIG's error code. */
const callApi = (caller: HuaweiIdentity) => {
  const url = `https://${GROUP}.apig.cn-north-4.huaweicloudapis.com/credentials`;
  const check = apigTriggerCheck({ identities: [LOCAL_CALLER, OTHER_ACCOUNT_CALLER], gateway: fg.apig, apiId: httpApi() });
  const verdict = check({ method: 'GET', url: '/credentials', headers: signedHeaders(url, caller), body: Buffer.alloc(0) }, Date.now());
  return verdict.ok ? 'admitted' : JSON.parse(verdict.answer!.body).error_code;
};

describe('deploy:huawei --dry-run', () => {
  it('prints both functions, their triggers and each agency\'s identity policy with no credentials and no API call', async () => {
    // Act
    const code = await main([...ARGS, '--dry-run'], { ...APP_ENV }, (text) => out.push(text));
    // Assess
    expect(code).toBe(0);
    const plan = JSON.parse(out.join('\n'));
    expect(plan.functions.map((f: { func_name: string; runtime: string; xrole: string }) => [f.func_name, f.runtime, f.xrole])).toEqual([
      ['regcred', 'Node.js20.15', 'regcred'],
      ['regcred-refresh', 'Node.js20.15', 'regcred-refresh'],
    ]);
    expect(plan.functions[0].triggers[0]).toMatchObject({ trigger_type_code: 'DEDICATEDGATEWAY', event_data: { instance_id: INSTANCE, auth: 'IAM', protocol: 'HTTPS', path: '/credentials', req_method: 'GET' } });
    expect(plan.functions[1].triggers[0]).toMatchObject({ trigger_type_code: 'TIMER', event_data: { schedule_type: 'Rate', schedule: '20m', user_event: '' } });
    expect(fg.calls).toEqual([]);
  });

  it('bundles each function from the entry Huawei Cloud ships it from (handlers/huawei/functions.ts)', async () => {
    // Act
    await main([...ARGS, '--dry-run'], { ...APP_ENV }, (text) => out.push(text));
    // Assess
    const plan = JSON.parse(out.join('\n'));
    expect(plan.functions.map((f: { code: { entry: string } }) => f.code.entry)).toEqual(Object.values(HUAWEI_FUNCTIONS).map((h) => h.entry));
  });

  const policies = async () => {
    await main([...ARGS, '--dry-run'], { ...APP_ENV }, (text) => out.push(text));
    const [http, refresh] = JSON.parse(out.join('\n')).functions;
    return { http: http.agencyPolicy.Statement, refresh: refresh.agencyPolicy.Statement };
  };

  const EVERY_REPOSITORY = { Effect: 'Allow', Action: ['swr:repo:download'], Resource: [`swr:cn-north-4:${ACCOUNT}:repo:*`] };

  it('[S3] gives the HTTP agency the SWR login action and, by default, pull on every repository of the region (matrix: huawei/http)', async () => {
    expect((await policies()).http).toEqual([{ Effect: 'Allow', Action: ['swr::createLoginSecret'] }, EVERY_REPOSITORY]);
  });

  it('[S3] gives the refresh agency the SWR login, pull, and the CSMS actions on the configured secret only (matrix: huawei/refresh)', async () => {
    expect((await policies()).refresh).toEqual([
      { Effect: 'Allow', Action: ['swr::createLoginSecret'] },
      EVERY_REPOSITORY,
      { Effect: 'Allow', Action: ['csms:secret:getStage', 'csms:secret:getVersion', 'csms:secret:createVersion'], Resource: [`csms:cn-north-4:${ACCOUNT}:secret:regcred-pull`] },
    ]);
  });

  it('prints each agency\'s policy as a custom policy (Version 1.1), what a FunctionGraph agency takes', async () => {
    await main([...ARGS, '--dry-run'], { ...APP_ENV }, (text) => out.push(text));
    expect(JSON.parse(out.join('\n')).functions.map((f: { agencyPolicy: { Version: string } }) => f.agencyPolicy.Version)).toEqual(['1.1', '1.1']);
  });

  it('refuses one agency for both functions', async () => {
    const code = await main([...ARGS, '--refresh-agency', 'regcred', '--dry-run'], { ...APP_ENV }, (text) => out.push(text));
    expect([code, out.join('')]).toEqual([2, expect.stringContaining('--agency and --refresh-agency must differ')]);
  });

  it('refuses REGCRED_ALLOWED_CALLERS before building anything', async () => {
    const code = await main([...ARGS, '--dry-run'], { ...APP_ENV, REGCRED_ALLOWED_CALLERS: 'RELEASE*' }, (text) => out.push(text));
    expect([code, out.join('')]).toEqual([2, expect.stringContaining('REGCRED_ALLOWED_CALLERS cannot be enforced on Huawei Cloud FunctionGraph')]);
  });
});

describe('agency policy: the repositories the login may pull and push (--pull, --push)', () => {
  /** The dry run's repository statements, per function. */
  const repositoryStatements = async (...flags: string[]) => {
    expect(await main([...ARGS, ...flags, '--dry-run'], { ...APP_ENV }, (text) => out.push(text))).toBe(0);
    const plan = JSON.parse(out.join('\n')) as { functions: Array<{ agencyPolicy: { Statement: Array<{ Action: string[] }> } }> };
    return plan.functions.map((f) => f.agencyPolicy.Statement.filter((s) => s.Action.some((a) => a.startsWith('swr:repo:'))));
  };
  const repo = (p: string) => `swr:cn-north-4:${ACCOUNT}:repo:${p}`;

  it('--pull team/app,base/*: both agencies pull exactly those', async () => {
    expect(await repositoryStatements('--pull', 'team/app,base/*')).toEqual(Array(2).fill([{ Effect: 'Allow', Action: ['swr:repo:download'], Resource: [repo('team/app'), repo('base/*')] }]));
  });

  it('--push ci/cache: both agencies push to ci/cache only, and pull it too', async () => {
    expect(await repositoryStatements('--pull', 'team/app,base/*', '--push', 'ci/cache')).toEqual(
      Array(2).fill([
        { Effect: 'Allow', Action: ['swr:repo:download'], Resource: [repo('team/app'), repo('base/*'), repo('ci/cache')] },
        { Effect: 'Allow', Action: ['swr:repo:upload'], Resource: [repo('ci/cache')] },
      ]),
    );
  });

  it.each([
    [['--pull', 'Team App'], "deploy:huawei: --pull: 'Team App' is not a repository name"],
    [['--pull', 'a//b'], "deploy:huawei: --pull: 'a//b' is not a repository name"],
    [['--push', 'team/*x'], "deploy:huawei: --push: 'team/*x' is not a repository name"],
    [['--push', 'ci/cache,'], "deploy:huawei: --push: entry 2 of 'ci/cache,' is empty"],
    [['--pull', 'app'], "deploy:huawei: --pull: 'app' names no namespace: SWR repositories are <organization>/<repository>"],
  ])('a dry run with %j exits 2 with the one line naming the flag and the entry, before building anything', async (flags, line) => {
    const code = await main([...ARGS, ...flags, '--dry-run'], { ...APP_ENV }, (text) => out.push(text));
    expect([code, out.length]).toEqual([2, 1]);
    expect(out[0]).toContain(line);
  });
});

describe('deploy:huawei --dry-run: who may call the API (APIG access control)', () => {
  it('[F1] shows a PERMIT policy naming the deploying account id and its binding to the API in RELEASE', async () => {
    // Act
    const { code, text } = await dryRun(ARGS);
    // Assess
    expect(code).toBe(0);
    expect(JSON.parse(text).accessControl).toEqual({
      gateway: { type: 'dedicated', instanceId: INSTANCE },
      policy: { acl_name: 'regcred_callers', acl_type: 'PERMIT', acl_value: ACCOUNT, entity_type: 'DOMAIN_ID' },
      binding: { trigger: 'DEDICATEDGATEWAY/regcred_credentials', env_name: 'RELEASE', publish_ids: ['<publish id of DEDICATEDGATEWAY/regcred_credentials in RELEASE>'] },
      note: expect.stringContaining('DOMAIN_ID'),
    });
  });

  it('[F1] permits exactly the --allowed-accounts ids, in place of the deploying account', async () => {
    const { text } = await dryRun([...ARGS, '--allowed-accounts', `${OTHER_ACCOUNT.domainId}, ${'ab'.repeat(16)}`]);
    expect(JSON.parse(text).accessControl.policy.acl_value).toBe(`${OTHER_ACCOUNT.domainId},${'ab'.repeat(16)}`);
  });

  it('[F1] fails naming a bad --allowed-accounts entry, before anything is built or called', async () => {
    // Act
    const { code, text } = await dryRun([...ARGS, '--allowed-accounts', `${ACCOUNT},not-an-account`]);
    // Assess
    expect([code, text]).toEqual([2, "deploy:huawei: --allowed-accounts entry 'not-an-account' is not a Huawei Cloud account id (32 hex characters)"]);
    expect(fg.calls).toEqual([]);
  });

  it('fails the real run too on a bad --allowed-accounts entry, with no API call', async () => {
    const code = await deploy({}, [...ARGS, '--allowed-accounts', 'f'.repeat(31)]);
    expect([code, out.join('\n'), fg.calls.length]).toEqual([2, expect.stringContaining(`'${'f'.repeat(31)}'`), 0]);
  });

  it('names accounts by name (DOMAIN) on the shared gateway, with its APIG trigger', async () => {
    const { text } = await dryRun([...ARGS.filter((a) => a !== '--apig-instance-id' && a !== INSTANCE), '--allowed-account-names', 'regcred-emulator']);
    const plan = JSON.parse(text);
    expect([plan.accessControl.gateway, plan.accessControl.policy, plan.functions[0].triggers[0].trigger_type_code]).toEqual([
      { type: 'shared' },
      { acl_name: 'regcred_callers', acl_type: 'PERMIT', acl_value: 'regcred-emulator', entity_type: 'DOMAIN' },
      'APIG',
    ]);
  });

  it("matches the README's dry-run block (Deploy to Huawei Cloud, step 2)", async () => {
    // Prepare: the README's block, its placeholders filled with this test's ids
    const readme = readFileSync(join(PROJECT_DIR, 'README.md'), 'utf8');
    const block = /The dry run shows the policy and its binding:\n\n```json\n([\s\S]*?)```/.exec(readme)![1]!;
    const documented = JSON.parse(`{${block.replaceAll('<gateway-id>', INSTANCE).replaceAll('<account-id>', ACCOUNT)}}`).accessControl;
    // Act
    const { text } = await dryRun(ARGS);
    // Assess
    expect(JSON.parse(text).accessControl).toEqual(documented);
  });

  it('refuses the shared gateway without account names, saying it knows no account ids', async () => {
    const { code, text } = await dryRun(ARGS.filter((a) => a !== '--apig-instance-id' && a !== INSTANCE));
    expect([code, text]).toEqual([2, expect.stringContaining('--allowed-account-names is required on the shared gateway')]);
  });
});

describe('deploy:huawei against the FunctionGraph emulator (real SDK, signatures verified)', () => {
  it('creates both functions with their code, agency and triggers on the first run', async () => {
    // Act
    const code = await deploy();
    // Assess
    expect(code).toBe(0);
    expect(operations()).toEqual([
      'ListAclStrategiesV2 200', 'CreateAclStrategyV2 200',
      'ShowFunctionConfig 404', 'CreateFunction 200', 'ListFunctionTriggers 200', 'CreateFunctionTrigger 200',
      'ListApisV2 200', 'ListAclPolicyBindedToApiV2 200', 'CreateApiAclBindingV2 200',
      'ShowFunctionConfig 404', 'CreateFunction 200', 'ListFunctionTriggers 200', 'CreateFunctionTrigger 200',
    ]);
    const http = fg.functions.get(HTTP_URN)!;
    expect([http.runtime, http.handler, http.xrole, JSON.parse(http.user_data).HUAWEICLOUD_REGION]).toEqual(['Node.js20.15', 'index.handler', 'regcred', 'cn-north-4']);
    expect(Object.keys(http.files)).toEqual(['index.js']);
    expect(fg.triggers.get(HTTP_URN)!.map((t) => [t.trigger_type_code, t.event_data['auth'], t.event_data['instance_id']])).toEqual([['DEDICATEDGATEWAY', 'IAM', INSTANCE]]);
    expect(fg.triggers.get(REFRESH_URN)!.map((t) => t.trigger_type_code)).toEqual(['TIMER']);
  }, 60_000);

  it('updates code, configuration and triggers in place on the second run, creating nothing', async () => {
    // Prepare
    await deploy();
    const triggerIds = [...fg.triggers.values()].flat().map((t) => t.trigger_id);
    fg.calls.length = 0;
    // Act
    const code = await deploy({ LOG_LEVEL: 'debug' });
    // Assess
    expect(code).toBe(0);
    expect(operations().filter((o) => o.startsWith('Create'))).toEqual([]);
    expect(operations()).toContain('UpdateFunctionConfig 200');
    expect(operations().filter((o) => o === 'UpdateTrigger 200')).toHaveLength(2);
    expect([...fg.triggers.values()].flat().map((t) => t.trigger_id)).toEqual(triggerIds);
    expect(JSON.parse(fg.functions.get(HTTP_URN)!.user_data).LOG_LEVEL).toBe('debug');
  }, 60_000);

  it('fails with the upstream code, printing no key and nothing from the SDK logger, when the deployer signs with a wrong secret', async () => {
    const stdout: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => (stdout.push(String(chunk)), true));
    let code: number;
    try {
      code = await deploy({ HUAWEICLOUD_SDK_SK: 'wrong-secret-key', HUAWEICLOUD_SDK_SECURITY_TOKEN: 'deployer-session-token' });
    } finally {
      spy.mockRestore();
    }
    expect(stdout).toEqual([]);
    expect(code).toBe(1);
    expect(out.join('\n')).toMatch(/deploy:huawei failed \(401\): APIGW\.0301/);
    expect(out.join('\n')).not.toContain('wrong-secret-key');
  }, 60_000);
});

describe('deploy:huawei closes the API to other accounts (FunctionGraph + APIG emulator, signatures verified)', () => {
  it('[F1] the deployed API refuses a caller of another account with APIG.0302', async () => {
    // Prepare
    expect(await deploy()).toBe(0);
    // Act
    const verdict = callApi(OTHER_ACCOUNT_CALLER);
    // Assess
    expect(verdict).toBe('APIG.0302');
  }, 60_000);

  it("[F1] the deployed API admits a caller of the deploying account", async () => {
    expect(await deploy()).toBe(0);
    expect(callApi(LOCAL_CALLER)).toBe('admitted');
  }, 60_000);

  it('[F1] --allowed-accounts admits the named account, and only it', async () => {
    expect(await deploy({}, [...ARGS, '--allowed-accounts', OTHER_ACCOUNT.domainId])).toBe(0);
    expect([callApi(OTHER_ACCOUNT_CALLER), callApi(LOCAL_CALLER)]).toEqual(['admitted', 'APIG.0302']);
  }, 60_000);

  it('without the access control step the same API admits every account (the finding, reproduced)', async () => {
    // Prepare: deploy, then remove the binding as an API without a policy would be
    expect(await deploy()).toBe(0);
    fg.apig.bindings.clear();
    // Act, Assess
    expect(callApi(OTHER_ACCOUNT_CALLER)).toBe('admitted');
  }, 60_000);

  it('reuses the policy and the binding on a second run, and updates the policy when the accounts change', async () => {
    // Prepare
    await deploy();
    const [aclId] = fg.apig.acls.keys();
    fg.calls.length = 0;
    // Act
    const code = await deploy({}, [...ARGS, '--allowed-accounts', `${ACCOUNT},${OTHER_ACCOUNT.domainId}`]);
    // Assess
    expect(code).toBe(0);
    expect(operations().filter((o) => /Acl/.test(o))).toEqual(['ListAclStrategiesV2 200', 'UpdateAclStrategyV2 200', 'ListAclPolicyBindedToApiV2 200']);
    expect([...fg.apig.acls.keys()]).toEqual([aclId]);
    expect([callApi(OTHER_ACCOUNT_CALLER), callApi(LOCAL_CALLER)]).toEqual(['admitted', 'admitted']);
  }, 60_000);

  it('[F1] takes the API offline again and says so when the binding fails', async () => {
    // Prepare
    fg.inject('apig', 'CreateApiAclBindingV2', { status: 500, code: 'APIG.9999', message: 'injected' });
    // Act
    const code = await deploy();
    // Assess
    expect(code).toBe(1);
    expect(out.join('\n')).toContain('deploy:huawei failed: binding access control policy regcred_callers to DEDICATEDGATEWAY/regcred_credentials failed (500): APIG.9999: injected; took the API offline again (trigger DEDICATEDGATEWAY/regcred_credentials DISABLED)');
    expect(fg.triggers.get(HTTP_URN)!.map((t) => t.trigger_status)).toEqual(['DISABLED']);
    expect([callApi(LOCAL_CALLER), callApi(OTHER_ACCOUNT_CALLER)]).toEqual(['APIG.0101', 'APIG.0101']);
  }, 60_000);

  it('binds by account name (DOMAIN) on a dedicated gateway created before 2023, which refuses DOMAIN_ID', async () => {
    // Prepare
    const legacy = ARGS.map((a) => (a === INSTANCE ? LEGACY_INSTANCE : a));
    expect(await deploy({}, legacy)).toBe(1);
    expect(out.join('\n')).toContain('APIG.2012');
    out = [];
    // Act
    const code = await deploy({}, [...legacy, '--allowed-account-names', 'regcred-emulator']);
    // Assess
    expect(code).toBe(0);
    expect([callApi(LOCAL_CALLER), callApi(OTHER_ACCOUNT_CALLER)]).toEqual(['admitted', 'APIG.0302']);
  }, 60_000);

  it('binds by account name on the shared gateway (v1.0 API)', async () => {
    // Act
    const code = await deploy({}, [...ARGS.filter((a) => a !== '--apig-instance-id' && a !== INSTANCE), '--allowed-account-names', 'regcred-emulator']);
    // Assess
    expect(code).toBe(0);
    expect(operations().filter((o) => /Acl|Apis/.test(o))).toEqual(['ListAclStrategies 200', 'CreateAclStrategy 200', 'ListApis 200', 'ListAclPolicyBindedToApi 200', 'CreateApiAclBinding 200']);
    expect([callApi(LOCAL_CALLER), callApi(OTHER_ACCOUNT_CALLER)]).toEqual(['admitted', 'APIG.0302']);
  }, 60_000);
});
