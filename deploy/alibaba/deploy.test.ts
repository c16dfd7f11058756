import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../core/config.js';
import { startFcEmulator, type FcEmulator } from '../../emulator/alibaba/fc.js';
import { DEFAULT_IDENTITY, startAlibabaEmulator, type AlibabaEmulator } from '../../emulator/alibaba/server.js';
import { ALIBABA_FUNCTIONS } from '../../handlers/alibaba/functions.js';
import { main } from './deploy.js';
import { ramPolicy } from './plan.js';

const ACCOUNT = '1234567890123456';
const ROLE = `acs:ram::${ACCOUNT}:role/regcred`;
const TARGETS = JSON.stringify({ targets: [{ store: 'kms', secretId: 'regcred/pull', registries: ['acr:cn-shanghai'] }] });
const REFRESH_ROLE = `acs:ram::${ACCOUNT}:role/regcred-refresh`;
const ARGS = ['--region', 'cn-hangzhou', '--account-id', ACCOUNT, '--role', ROLE, '--refresh-role', REFRESH_ROLE];
const APP_ENV = { REGCRED_REGISTRIES: 'acr:cn-shanghai,acr-ee:cn-hangzhou:cri-emulator', REGCRED_TARGETS: TARGETS, LOG_LEVEL: 'info' };

let fcEmu: FcEmulator;
let out: string[] = [];
beforeAll(async () => {
  fcEmu = await startFcEmulator({ accountId: ACCOUNT });
});
afterEach(() => {
  fcEmu.calls.length = 0;
  fcEmu.functions.clear();
  fcEmu.triggers.clear();
  out = [];
});
afterAll(() => fcEmu.stop());

/** The deploy command with the caller's keys (an STS session) and the FC endpoint pointed at the emulator. */
const deploy = (argv: string[] = ARGS, env: Record<string, string> = {}) =>
  main(argv, {
    ...APP_ENV,
    ALIBABA_CLOUD_ACCESS_KEY_ID: DEFAULT_IDENTITY.accessKeyId,
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: DEFAULT_IDENTITY.accessKeySecret,
    ALIBABA_CLOUD_SECURITY_TOKEN: DEFAULT_IDENTITY.securityToken!,
    ALIBABA_CLOUD_ENDPOINT_URL_FC: fcEmu.url,
    ...env,
  }, (text) => out.push(text));

describe('deploy:alibaba --dry-run', () => {
  it('prints both functions, their triggers and each role\'s RAM policy without credentials or API calls', async () => {
    const code = await main([...ARGS, '--dry-run'], { ...APP_ENV }, (text) => out.push(text));
    expect(code).toBe(0);
    const plan = JSON.parse(out.join('\n'));
    expect(plan.functions.map((f: { functionName: string; runtime: string; handler: string; role: string }) => [f.functionName, f.runtime, f.handler, f.role])).toEqual([
      ['regcred', 'nodejs20', 'index.handler', ROLE],
      ['regcred-refresh', 'nodejs20', 'index.handler', REFRESH_ROLE],
    ]);
    expect(JSON.parse(plan.functions[0].triggers[0].triggerConfig)).toEqual({ authType: 'function', methods: ['GET'], disableURLInternet: false });
    expect(JSON.parse(plan.functions[1].triggers[0].triggerConfig)).toEqual({ cronExpression: '@every 20m', enable: true, payload: '' });
    expect(plan.functions[0].code.zipBytes).toBeGreaterThan(1000);
    const actions = (fn: { ramPolicy: { Statement: Array<{ Action: string[] }> } }) => fn.ramPolicy.Statement.flatMap((s) => s.Action);
    expect(actions(plan.functions[0])).toEqual(['cr:GetAuthorizationToken', 'cr:GetAuthorizationToken', 'cr:GetInstanceEndpoint', 'cr:PullRepository']);
    expect(actions(plan.functions[1])).toContain('kms:PutSecretValue');
    expect(fcEmu.calls).toEqual([]);
  });

  it('plans no refresh function when REGCRED_TARGETS is unset', async () => {
    await main([...ARGS, '--dry-run'], { REGCRED_REGISTRIES: 'acr:cn-shanghai' }, (text) => out.push(text));
    expect(JSON.parse(out.join('\n')).functions.map((f: { functionName: string }) => f.functionName)).toEqual(['regcred']);
  });

  it('bundles each function from the entry Alibaba Cloud ships it from (handlers/alibaba/functions.ts)', async () => {
    // Act
    await main([...ARGS, '--dry-run'], { ...APP_ENV }, (text) => out.push(text));
    // Assess
    const plan = JSON.parse(out.join('\n'));
    expect(plan.functions.map((f: { code: { entry: string } }) => f.code.entry)).toEqual(Object.values(ALIBABA_FUNCTIONS).map((h) => h.entry));
  });

  it('refuses REGCRED_ALLOWED_CALLERS, which FC cannot back with a verified caller (exit code 2, reason printed)', async () => {
    const code = await main([...ARGS, '--dry-run'], { ...APP_ENV, REGCRED_ALLOWED_CALLERS: 'LTAI*' }, (text) => out.push(text));
    expect(code).toBe(2);
    expect(out.join('\n')).toContain('REGCRED_ALLOWED_CALLERS cannot be enforced on Alibaba Cloud Function Compute');
  });

  it('fails with exit code 2 naming the variable when the function config is bad', async () => {
    const code = await main([...ARGS, '--dry-run'], { REGCRED_REGISTRIES: 'acr:nowhere!' }, (text) => out.push(text));
    expect(code).toBe(2);
    expect(out.join('\n')).toContain('REGCRED_REGISTRIES');
  });
});

describe('RAM policy', () => {
  const EVERY = { pull: ['*'], push: [] };
  const policy = (env: Record<string, string>, fn: 'http' | 'refresh' = 'refresh', scope = EVERY) => ramPolicy(loadConfig(env), { region: 'cn-hangzhou', accountId: ACCOUNT }, fn, scope).Statement;
  const mint = (env: Record<string, string>, fn: 'http' | 'refresh' = 'refresh') => policy(env, fn).filter((s) => !s.Action.some((a) => /Repository$/.test(a)));
  it('[S3] grants only cr:GetAuthorizationToken for ACR personal (the API has no narrower resource) (matrix: alibaba/refresh)', () => {
    expect(mint({ REGCRED_REGISTRIES: 'acr:cn-shanghai' })).toEqual([{ Effect: 'Allow', Action: ['cr:GetAuthorizationToken'], Resource: ['*'] }]);
  });

  it('[S3] scopes ACR EE token and endpoint calls to the named instance (matrix: alibaba/refresh)', () => {
    expect(mint({ REGCRED_REGISTRIES: 'acr-ee:cn-hangzhou:cri-abc' })).toEqual([
      { Effect: 'Allow', Action: ['cr:GetAuthorizationToken', 'cr:GetInstanceEndpoint'], Resource: [`acs:cr:cn-hangzhou:${ACCOUNT}:instance/cri-abc`] },
    ]);
  });

  it('drops cr:GetInstanceEndpoint when the EE registry host is configured', () => {
    expect(policy({ REGCRED_REGISTRIES: 'acr-ee:cn-hangzhou:cri-abc=abc-registry.cn-hangzhou.cr.aliyuncs.com' })[0]!.Action).toEqual(['cr:GetAuthorizationToken']);
  });

  it('[S3] grants the internet-facing HTTP function no KMS action, even with refresh targets configured (matrix: alibaba/http)', () => {
    expect(policy({ REGCRED_REGISTRIES: 'acr:cn-shanghai', REGCRED_TARGETS: TARGETS }, 'http').flatMap((s) => s.Action)).toEqual(['cr:GetAuthorizationToken', 'cr:PullRepository']);
  });

  it('[S3] grants the refresh function\'s KMS store its read-then-write only on the named secrets (matrix: alibaba/refresh)', () => {
    expect(policy({ REGCRED_REGISTRIES: 'acr:cn-shanghai', REGCRED_TARGETS: TARGETS }).at(-1)).toEqual({
      Effect: 'Allow',
      Action: ['kms:GetSecretValue', 'kms:PutSecretValue'],
      Resource: [`acs:kms:cn-hangzhou:${ACCOUNT}:secret/regcred/pull`],
    });
  });
});

describe('RAM policy: the repositories the login may pull and push (--pull, --push)', () => {
  const REGISTRIES = { REGCRED_REGISTRIES: 'acr:cn-shanghai,acr-ee:cn-hangzhou:cri-abc', REGCRED_TARGETS: TARGETS };
  /** The dry run's repository statements of each function. */
  const repositoryStatements = async (...flags: string[]) => {
    expect(await main([...ARGS, ...flags, '--dry-run'], REGISTRIES, (text) => out.push(text))).toBe(0);
    const plan = JSON.parse(out.join('\n')) as { functions: Array<{ ramPolicy: { Statement: Array<{ Action: string[] }> } }> };
    return plan.functions.map((f) => f.ramPolicy.Statement.filter((s) => s.Action.some((a) => /Repository$/.test(a))));
  };
  const personal = (p: string) => `acs:cr:cn-shanghai:${ACCOUNT}:repository/${p}`;
  const ee = (p: string) => `acs:cr:cn-hangzhou:${ACCOUNT}:repository/cri-abc/${p}`;

  it('default: both functions pull every repository of the configured registries and push none', async () => {
    expect(await repositoryStatements()).toEqual(Array(2).fill([{ Effect: 'Allow', Action: ['cr:PullRepository'], Resource: [personal('*'), ee('*')] }]));
  });

  it('--pull team/app,base/*: both functions pull exactly those, on each configured registry', async () => {
    expect(await repositoryStatements('--pull', 'team/app,base/*')).toEqual(
      Array(2).fill([{ Effect: 'Allow', Action: ['cr:PullRepository'], Resource: [personal('team/app'), personal('base/*'), ee('team/app'), ee('base/*')] }]),
    );
  });

  it('--push ci/cache: both functions push to ci/cache only, and pull it too', async () => {
    expect(await repositoryStatements('--pull', 'team/app,base/*', '--push', 'ci/cache')).toEqual(
      Array(2).fill([
        { Effect: 'Allow', Action: ['cr:PullRepository'], Resource: ['team/app', 'base/*', 'ci/cache'].map(personal).concat(['team/app', 'base/*', 'ci/cache'].map(ee)) },
        { Effect: 'Allow', Action: ['cr:PushRepository'], Resource: [personal('ci/cache'), ee('ci/cache')] },
      ]),
    );
  });

  it.each([
    [['--pull', 'Team App'], "deploy:alibaba: --pull: 'Team App' is not a repository name"],
    [['--pull', 'a//b'], "deploy:alibaba: --pull: 'a//b' is not a repository name"],
    [['--push', 'team/*x'], "deploy:alibaba: --push: 'team/*x' is not a repository name"],
    [['--pull=team/app,'], "deploy:alibaba: --pull: entry 2 of 'team/app,' is empty"],
    [['--pull', 'app'], "deploy:alibaba: --pull: 'app' names no namespace: ACR repositories are <namespace>/<repository>"],
    [['--push', 'a/b/c'], "deploy:alibaba: --push: 'a/b/c' has too many '/' segments: ACR repositories are <namespace>/<repository>"],
  ])('a dry run with %j exits 2 with the one line naming the flag and the entry, before building anything', async (flags, line) => {
    const code = await main([...ARGS, ...flags, '--dry-run'], REGISTRIES, (text) => out.push(text));
    expect([code, out.length]).toEqual([2, 1]);
    expect(out[0]).toContain(line);
    expect(out[0]).not.toContain('\n');
  });
});

describe('deploy:alibaba against the FC 3.0 emulator (ACS3 signature verified)', () => {
  it('creates both functions and both triggers on the first run', async () => {
    expect(await deploy()).toBe(0);
    expect(fcEmu.calls.filter((c) => c.status !== 404).map((c) => [c.operation, c.status])).toEqual([
      ['CreateFunction', 200], ['CreateTrigger', 200], ['CreateFunction', 200], ['CreateTrigger', 200],
    ]);
    const http = fcEmu.functions.get('regcred')!;
    expect({ runtime: http.runtime, handler: http.handler, role: http.role, env: http.environmentVariables }).toEqual({
      runtime: 'nodejs20', handler: 'index.handler', role: ROLE, env: APP_ENV,
    });
    expect(fcEmu.functions.get('regcred-refresh')!.role).toBe(REFRESH_ROLE);
    expect(Object.keys(http.files)).toEqual(['index.js']);
    expect(JSON.parse(fcEmu.triggers.get('regcred/http')!.triggerConfig).authType).toBe('function');
    expect(JSON.parse(fcEmu.triggers.get('regcred-refresh/timer')!.triggerConfig).cronExpression).toBe('@every 20m');
    expect(out.some((l) => /CreateTrigger regcred\/http https:\/\/\S+\.fcapp\.run/.test(l))).toBe(true);
  });

  it('updates, and creates nothing twice, on a second run', async () => {
    await deploy();
    fcEmu.calls.length = 0;
    expect(await deploy([...ARGS, '--memory', '512'])).toBe(0);
    expect(fcEmu.calls.map((c) => c.operation).filter((a) => a.startsWith('Create'))).toEqual([]);
    expect(fcEmu.calls.map((c) => c.operation).filter((a) => a.startsWith('Update'))).toEqual(['UpdateFunction', 'UpdateTrigger', 'UpdateFunction', 'UpdateTrigger']);
    expect(fcEmu.functions.get('regcred')!.memorySize).toBe(512);
  });

  it('is rejected with SignatureDoesNotMatch and exit code 1 when the secret is wrong', async () => {
    expect(await deploy(ARGS, { ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'not-the-secret' })).toBe(1);
    expect(fcEmu.calls.map((c) => c.code)).toEqual(['SignatureDoesNotMatch']);
    expect(fcEmu.functions.size).toBe(0);
    expect(out.join('\n')).not.toContain('not-the-secret');
  });

  it('is rejected with MissingSecurityToken when the STS token is left out', async () => {
    expect(await deploy(ARGS, { ALIBABA_CLOUD_SECURITY_TOKEN: '' })).toBe(1);
    expect(fcEmu.calls.map((c) => c.code)).toEqual(['MissingSecurityToken']);
  });
});

describe('the deployed code package', () => {
  let cr: AlibabaEmulator;
  let dir: string;
  beforeAll(async () => {
    cr = await startAlibabaEmulator();
    dir = mkdtempSync(join(tmpdir(), 'regcred-fc-'));
  });
  afterAll(async () => {
    await cr.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('loads as FC would (index.handler from the zip) and answers an HTTP-trigger event', async () => {
    await deploy();
    const fn = fcEmu.functions.get('regcred')!;
    writeFileSync(join(dir, 'index.js'), fn.files['index.js']!);
    const saved = { ...process.env };
    Object.assign(process.env, fn.environmentVariables, { ALIBABA_CLOUD_ENDPOINT_URL_CR: cr.url, LOG_LEVEL: 'warn' });
    try {
      const { handler } = createRequire(import.meta.url)(join(dir, 'index.js'));
      const event = Buffer.from(JSON.stringify({ version: 'v1', rawPath: '/credentials', queryParameters: { format: 'dockerconfigjson' }, headers: {}, requestContext: { http: { method: 'GET' } } }));
      const res = await handler(event, { credentials: DEFAULT_IDENTITY, function: { timeout: 10 }, region: 'cn-hangzhou' });
      expect(res.statusCode).toBe(200);
      expect(Object.keys(JSON.parse(res.body).auths)).toEqual(['registry.cn-shanghai.aliyuncs.com', 'emulator-registry.cn-hangzhou.cr.aliyuncs.com']);
    } finally {
      process.env = saved;
    }
  });
});
