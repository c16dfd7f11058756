import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { startFunctionGraphEmulator, type FunctionGraphEmulator } from '../../emulator/huawei/functiongraph.js';
import { PERMANENT_KEY } from '../../emulator/huawei/index.js';
import { main } from './deploy.js';

const PROJECT = '0a1b2c3d4e5f60718293a4b5c6d7e8f9';
const ACCOUNT = '1b2c3d4e5f60718293a4b5c6d7e8f90a';
const GROUP = '2c3d4e5f60718293a4b5c6d7e8f90a1b';
const TARGETS = JSON.stringify({ targets: [{ store: 'csms', secretId: 'regcred-pull', registries: ['swr:cn-north-4'] }] });
const ARGS = ['--region', 'cn-north-4', '--project-id', PROJECT, '--account-id', ACCOUNT, '--apig-group-id', GROUP];
const APP_ENV = { REGCRED_REGISTRIES: 'swr:cn-north-4', REGCRED_TARGETS: TARGETS, LOG_LEVEL: 'info' };
const HTTP_URN = `urn:fss:cn-north-4:${PROJECT}:function:default:regcred:latest`;
const REFRESH_URN = `urn:fss:cn-north-4:${PROJECT}:function:default:regcred-refresh:latest`;

let fg: FunctionGraphEmulator;
let out: string[] = [];
beforeAll(async () => {
  fg = await startFunctionGraphEmulator({ projectId: PROJECT });
});
afterEach(() => {
  fg.calls.length = 0;
  fg.functions.clear();
  fg.triggers.clear();
  out = [];
});
afterAll(() => fg.stop());

/** The deploy command with a deployer's IAM key and the FunctionGraph endpoint pointed at the emulator. */
const deploy = (env: Record<string, string> = {}) =>
  main(ARGS, { ...APP_ENV, HUAWEICLOUD_SDK_AK: PERMANENT_KEY.accessKeyId, HUAWEICLOUD_SDK_SK: PERMANENT_KEY.secretAccessKey, HUAWEICLOUD_ENDPOINT_URL_FUNCTIONGRAPH: fg.url, ...env }, (text) => out.push(text));
const operations = () => fg.calls.map((c) => `${c.operation} ${c.status}`);

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
    expect(plan.functions[0].triggers[0]).toMatchObject({ trigger_type_code: 'APIG', event_data: { auth: 'IAM', protocol: 'HTTPS', path: '/credentials', req_method: 'GET' } });
    expect(plan.functions[1].triggers[0]).toMatchObject({ trigger_type_code: 'TIMER', event_data: { schedule_type: 'Rate', schedule: '20m', user_event: '' } });
    expect(fg.calls).toEqual([]);
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

describe('deploy:huawei against the FunctionGraph emulator (real SDK, signatures verified)', () => {
  it('creates both functions with their code, agency and triggers on the first run', async () => {
    // Act
    const code = await deploy();
    // Assess
    expect(code).toBe(0);
    expect(operations()).toEqual([
      'ShowFunctionConfig 404', 'CreateFunction 200', 'ListFunctionTriggers 200', 'CreateFunctionTrigger 200',
      'ShowFunctionConfig 404', 'CreateFunction 200', 'ListFunctionTriggers 200', 'CreateFunctionTrigger 200',
    ]);
    const http = fg.functions.get(HTTP_URN)!;
    expect([http.runtime, http.handler, http.xrole, JSON.parse(http.user_data).HUAWEICLOUD_REGION]).toEqual(['Node.js20.15', 'index.handler', 'regcred', 'cn-north-4']);
    expect(Object.keys(http.files)).toEqual(['index.js']);
    expect(fg.triggers.get(HTTP_URN)!.map((t) => [t.trigger_type_code, t.event_data['auth']])).toEqual([['APIG', 'IAM']]);
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
