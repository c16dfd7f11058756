/**
 * deploy:tencent: the dry run needs no credentials; against the TC3-checking SCF emulator a first
 * run creates the functions and triggers and a second run updates them in place.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../core/config.js';
import { TENCENT } from '../../core/tencent/cloud.js';
import { CAM_USER_KEY } from '../../emulator/tencent/server.js';
import { startScfEmulator, type ScfEmulator } from '../../emulator/tencent/scf.js';
import { TENCENT_FUNCTIONS } from '../../handlers/tencent/functions.js';
import { main } from './deploy.js';
import { camPolicy } from './plan.js';

const UIN = '100000000001';
const ARGS = ['--region', 'ap-guangzhou', '--uin', UIN];
const TARGETS = JSON.stringify({ targets: [{ store: 'ssm', secretId: 'regcred-pull', registries: ['tcr:ap-guangzhou:tcr-abc123'] }] });
const APP_ENV = { REGCRED_REGISTRIES: 'tcr:ap-guangzhou:tcr-abc123,tcr:ap-shanghai:tcr-def456=vpc.example.internal', REGCRED_TARGETS: TARGETS, LOG_LEVEL: 'info' };

let scfEmu: ScfEmulator;
let out: string[] = [];
beforeAll(async () => {
  scfEmu = await startScfEmulator();
});
afterEach(() => {
  scfEmu.calls.length = 0;
  scfEmu.functions.clear();
  scfEmu.triggers.clear();
  out = [];
});
afterAll(() => scfEmu.stop());

/** The deploy command with a CAM user's key and the SCF endpoint pointed at the emulator. */
const deploy = (env: Record<string, string> = {}) =>
  main(ARGS, {
    ...APP_ENV,
    TENCENTCLOUD_SECRET_ID: CAM_USER_KEY.secretId,
    TENCENTCLOUD_SECRET_KEY: CAM_USER_KEY.secretKey,
    TENCENTCLOUD_ENDPOINT_URL_SCF: scfEmu.url,
    ...env,
  }, (text) => out.push(text));
const operations = () => scfEmu.calls.filter((c) => c.operation !== 'GetFunction' && c.operation !== 'ListTriggers').map((c) => `${c.operation} ${c.status}`);

describe('deploy:tencent --dry-run', () => {
  it('prints both functions, their triggers and each role\'s CAM policy without credentials or API calls', async () => {
    // Act
    const code = await main([...ARGS, '--dry-run'], { ...APP_ENV }, (text) => out.push(text));
    // Assess
    expect(code).toBe(0);
    const plan = JSON.parse(out.join('\n'));
    expect(plan.functions.map((f: { FunctionName: string; Runtime: string; Handler: string; Role: string }) => [f.FunctionName, f.Runtime, f.Handler, f.Role])).toEqual([
      ['regcred', 'Nodejs20.15', 'index.handler', 'regcred'],
      ['regcred-refresh', 'Nodejs20.15', 'index.handler', 'regcred-refresh'],
    ]);
    expect(JSON.parse(plan.functions[0].triggers[0].TriggerDesc)).toEqual({ AuthType: 'CAM', NetConfig: { EnableIntranet: false, EnableExtranet: true } });
    expect(JSON.parse(plan.functions[1].triggers[0].TriggerDesc)).toEqual({ cron: '0 */20 * * * * *' });
    expect(plan.functions[0].code.zipBytes).toBeGreaterThan(1000);
    expect(scfEmu.calls).toEqual([]);
  });

  it('bundles each function from the entry Tencent ships it from (handlers/tencent/functions.ts)', async () => {
    // Act
    await main([...ARGS, '--dry-run'], { ...APP_ENV }, (text) => out.push(text));
    // Assess
    const plan = JSON.parse(out.join('\n'));
    expect(plan.functions.map((f: { code: { entry: string } }) => f.code.entry)).toEqual(Object.values(TENCENT_FUNCTIONS).map((h) => h.entry));
  });

  it('refuses a configuration regcred would refuse at cold start, naming the variable', async () => {
    const code = await main([...ARGS, '--dry-run'], { ...APP_ENV, REGCRED_ALLOWED_CALLERS: 'AKID*' }, (text) => out.push(text));
    expect(code).toBe(2);
    expect(out.join('\n')).toMatch(/REGCRED_ALLOWED_CALLERS cannot be enforced on Tencent Cloud SCF/);
  });

  it('refuses one role for both functions', async () => {
    const code = await main([...ARGS, '--role', 'r', '--refresh-role', 'r', '--dry-run'], { ...APP_ENV }, (text) => out.push(text));
    expect([code, out.join('')]).toEqual([2, 'deploy:tencent: --role and --refresh-role must differ: one role per function']);
  });
});

describe('CAM policy', () => {
  const config = loadConfig(APP_ENV, TENCENT);
  const options = { region: 'ap-guangzhou', uin: UIN };
  const EVERY = { pull: ['*'], push: [] };
  const repositories = (region: string, instance: string) => `qcs::tcr:${region}:uin/${UIN}:repository/${instance}/*`;

  it('[S3] gives the HTTP function the two TCR actions on the configured instances, pull on their repositories and no SSM action (matrix: tencent/http)', () => {
    expect(camPolicy(config, options, 'http', EVERY).statement).toEqual([
      { effect: 'allow', action: ['tcr:CreateInstanceToken'], resource: [`qcs::tcr:ap-guangzhou:uin/${UIN}:instance/tcr-abc123`, `qcs::tcr:ap-shanghai:uin/${UIN}:instance/tcr-def456`] },
      // The shanghai instance names its host, so only the guangzhou one is described.
      { effect: 'allow', action: ['tcr:DescribeInstances'], resource: [`qcs::tcr:ap-guangzhou:uin/${UIN}:instance/tcr-abc123`] },
      { effect: 'allow', action: ['tcr:PullRepository'], resource: [repositories('ap-guangzhou', 'tcr-abc123'), repositories('ap-shanghai', 'tcr-def456')] },
    ]);
  });

  it('[S3] gives the refresh function its targets\' instance, pull on its repositories and the store\'s three SSM actions on the configured secret only (matrix: tencent/refresh)', () => {
    expect(camPolicy(config, options, 'refresh', EVERY).statement).toEqual([
      { effect: 'allow', action: ['tcr:CreateInstanceToken'], resource: [`qcs::tcr:ap-guangzhou:uin/${UIN}:instance/tcr-abc123`] },
      { effect: 'allow', action: ['tcr:DescribeInstances'], resource: [`qcs::tcr:ap-guangzhou:uin/${UIN}:instance/tcr-abc123`] },
      { effect: 'allow', action: ['tcr:PullRepository'], resource: [repositories('ap-guangzhou', 'tcr-abc123')] },
      { effect: 'allow', action: ['ssm:GetSecretValue', 'ssm:PutSecretValue', 'ssm:UpdateSecret'], resource: [`qcs::ssm:ap-guangzhou:uin/${UIN}:secret/creatorUin/${UIN}/regcred-pull`] },
    ]);
  });
});

describe('CAM policy: the repositories the login may pull and push (--pull, --push)', () => {
  /** The dry run's repository statements, per function. */
  const repositoryStatements = async (...flags: string[]) => {
    expect(await main([...ARGS, ...flags, '--dry-run'], { ...APP_ENV }, (text) => out.push(text))).toBe(0);
    const plan = JSON.parse(out.join('\n')) as { functions: Array<{ camPolicy: { statement: Array<{ action: string[] }> } }> };
    return plan.functions.map((f) => f.camPolicy.statement.filter((s) => s.action.some((a) => /Repository$/.test(a))));
  };
  const guangzhou = (p: string) => `qcs::tcr:ap-guangzhou:uin/${UIN}:repository/tcr-abc123/${p}`;
  const shanghai = (p: string) => `qcs::tcr:ap-shanghai:uin/${UIN}:repository/tcr-def456/${p}`;
  /** A named repository, and what TCR's own example names it by. */
  const named = (at: (p: string) => string, p: string) => [at(p), at(`${p}/*`)];

  it('--pull team/app,base/*: each function pulls exactly those, on the instances it mints for', async () => {
    const [http, refresh] = await repositoryStatements('--pull', 'team/app,base/*');
    expect(http).toEqual([{ effect: 'allow', action: ['tcr:PullRepository'], resource: [...named(guangzhou, 'team/app'), guangzhou('base/*'), ...named(shanghai, 'team/app'), shanghai('base/*')] }]);
    expect(refresh).toEqual([{ effect: 'allow', action: ['tcr:PullRepository'], resource: [...named(guangzhou, 'team/app'), guangzhou('base/*')] }]);
  });

  it('--push ci/cache: each function pushes to ci/cache only, and pulls it too', async () => {
    const [http, refresh] = await repositoryStatements('--pull', 'team/app,base/*', '--push', 'ci/cache');
    expect(http).toEqual([
      { effect: 'allow', action: ['tcr:PullRepository'], resource: [...named(guangzhou, 'team/app'), guangzhou('base/*'), ...named(guangzhou, 'ci/cache'), ...named(shanghai, 'team/app'), shanghai('base/*'), ...named(shanghai, 'ci/cache')] },
      { effect: 'allow', action: ['tcr:PushRepository'], resource: [...named(guangzhou, 'ci/cache'), ...named(shanghai, 'ci/cache')] },
    ]);
    expect(refresh).toEqual([
      { effect: 'allow', action: ['tcr:PullRepository'], resource: [...named(guangzhou, 'team/app'), guangzhou('base/*'), ...named(guangzhou, 'ci/cache')] },
      { effect: 'allow', action: ['tcr:PushRepository'], resource: named(guangzhou, 'ci/cache') },
    ]);
  });

  it.each([
    [['--pull', 'Team App'], "deploy:tencent: --pull: 'Team App' is not a repository name"],
    [['--pull', 'a//b'], "deploy:tencent: --pull: 'a//b' is not a repository name"],
    [['--push', 'team/*x'], "deploy:tencent: --push: 'team/*x' is not a repository name"],
    [['--pull', ','], "deploy:tencent: --pull: entry 1 of ',' is empty"],
    [['--pull', 'app'], "deploy:tencent: --pull: 'app' names no namespace: TCR repositories are <namespace>/<repository>"],
  ])('a dry run with %j exits 2 with the one line naming the flag and the entry, before building anything', async (flags, line) => {
    const code = await main([...ARGS, ...flags, '--dry-run'], { ...APP_ENV }, (text) => out.push(text));
    expect([code, out.length]).toEqual([2, 1]);
    expect(out[0]).toContain(line);
  });
});

describe('deploy:tencent against the SCF emulator', () => {
  it('creates both functions, the CAM-auth function URL and the timer on a first run', async () => {
    // Act
    const code = await deploy();
    // Assess
    expect([code, out[0]]).toEqual([0, 'CreateFunction regcred']);
    expect(operations()).toEqual(['CreateFunction 200', 'CreateTrigger 200', 'CreateFunction 200', 'CreateTrigger 200']);
    const http = scfEmu.functions.get('default/regcred')!;
    expect([http.Runtime, http.Handler, http.Role, Object.keys(http.files)]).toEqual(['Nodejs20.15', 'index.handler', 'regcred', ['index.js']]);
    expect(JSON.parse(scfEmu.triggers.get('default/regcred/url')!.TriggerDesc)).toMatchObject({ AuthType: 'CAM' });
    expect(scfEmu.triggers.get('default/regcred-refresh/timer')!.Type).toBe('timer');
    expect(new Set(scfEmu.calls.map((c) => c.accessKeyId))).toEqual(new Set([CAM_USER_KEY.secretId]));
  }, 60_000);

  it('updates everything in place on a second run', async () => {
    // Prepare
    await deploy();
    scfEmu.calls.length = 0;
    out = [];
    // Act
    const code = await deploy({ LOG_LEVEL: 'debug' });
    // Assess
    expect(code).toBe(0);
    expect(operations()).toEqual([
      'UpdateFunctionCode 200', 'UpdateFunctionConfiguration 200', 'UpdateTrigger 200',
      'UpdateFunctionCode 200', 'UpdateFunctionConfiguration 200', 'UpdateTrigger 200',
    ]);
    expect(scfEmu.functions.size).toBe(2);
    expect(scfEmu.triggers.size).toBe(2);
    expect(scfEmu.functions.get('default/regcred')!.Environment.Variables).toContainEqual({ Key: 'LOG_LEVEL', Value: 'debug' });
  }, 60_000);

  it('fails with the SCF error code, without a stack, when the deployer\'s key is wrong', async () => {
    const code = await deploy({ TENCENTCLOUD_SECRET_KEY: 'not-the-secret' });
    expect(code).toBe(1);
    expect(out.join('\n')).toMatch(/^deploy:tencent failed: AuthFailure\.SignatureFailure/);
  }, 60_000);
});
