/**
 * What a credential regcred hands out may do, on every cloud, as a registry enforces it: the real
 * docker-registry in token-auth mode behind the emulators' token service (emulator/registry-token.ts),
 * which grants a login only what its minting identity's policy allows, that policy being the one
 * the deploy itself produced (AWS: the packaged CloudFormation role, intrinsics resolved; the others:
 * the dry-run plan's RAM / CAM / identity policy). The credential comes from each cloud's real HTTP
 * handler, driven with its platform's event (dev/<cloud>.ts), minting through the
 * signature-checking emulator with the function's own role keys.
 *
 * Scoped deploy: pull=team/app,base/*, push=ci/cache. Default deploy: pull * and push nothing.
 * Images are seeded by the token service's test-only admin.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deployPlan as alibabaPlan } from '../../deploy/alibaba/plan.js';
import { deployPlan as huaweiPlan } from '../../deploy/huawei/plan.js';
import { deployPlan as tencentPlan, SCF_NODE_RUNTIME } from '../../deploy/tencent/plan.js';
import { devCloud } from '../../dev/clouds.js';
import type { Invoker } from '../../dev/local-cloud.js';
import { ACR_EE_REPOSITORY_ACCESS } from '../../emulator/alibaba/repository-access.js';
import { DEFAULT_ACCOUNT_ID, DEFAULT_IDENTITY as ALIBABA_IDENTITY, startAlibabaEmulator } from '../../emulator/alibaba/server.js';
import { ECR_ACCOUNT_ID, ecrService } from '../../emulator/aws/ecr.js';
import { functionEnv } from '../../emulator/aws/function-env.js';
import { ECR_REPOSITORY_ACCESS } from '../../emulator/aws/repository-access.js';
import { DEFAULT_IDENTITY as AWS_IDENTITY, startAwsEmulator } from '../../emulator/aws/server.js';
import { DEFAULT_DOMAIN_ID, DEFAULT_IDENTITY as HUAWEI_IDENTITY, DEFAULT_PROJECT_ID, startHuaweiEmulator } from '../../emulator/huawei/server.js';
import { SWR_REPOSITORY_ACCESS } from '../../emulator/huawei/repository-access.js';
import type { MintedLogin, RegistryLocation, RepositoryAccess } from '../../emulator/registry-access.js';
import { DEFAULT_ACCOUNT_UIN, DEFAULT_IDENTITY as TENCENT_IDENTITY, scfRoleEnvironment, startTencentEmulator } from '../../emulator/tencent/server.js';
import { TCR_REPOSITORY_ACCESS } from '../../emulator/tencent/repository-access.js';
import { oslsPackage, rolePolicies, type Template } from '../support/aws-package.js';
import { manifestDigestOf, SkopeoError, skopeoCopy, writeAuthFile, writeOciLayout, type OciImage, type SkopeoAuth } from '../support/oci-layout.js';
import type { LocalRegistry } from '../support/registry.js';
import { startTokenRealm, type TokenRealm } from '../support/token-realm.js';

/** A deploy's scope parameters; absent ones take the deploy's defaults. */
type Scope = { pull?: string; push?: string };
const SCOPED: Scope = { pull: 'team/app,base/*', push: 'ci/cache' };
const DEFAULT: Scope = {};
const SEEDED = ['team/app', 'base/img', 'other/app', 'ci/cache'];

/** One cloud: its registry, the HTTP function's identity, the deploy's policy for it, its loopback world. */
interface ScopeCloud {
  id: string;
  access: RepositoryAccess;
  location: RegistryLocation;
  /** The key the HTTP handler signs its mint call with, and who that is. */
  identity: { accessKeyId: string; account: string; principal?: string };
  /** The HTTP function's identity policy documents, as the deploy produces them for `scope` and `registries`. */
  policies(scope: Scope, registries: string): Promise<unknown[]>;
  /** Start the emulator with its registry host at `host`; the HTTP handler in front of it. */
  start(host: string): Promise<{ registries: string; minted: readonly MintedLogin[]; http: Invoker; stop(): Promise<void> }>;
}

/** A plan's options with the scope added (the plans take `pull` / `push` as strings, defaulting to * and none). */
const withScope = <P extends (options: never) => unknown>(_plan: P, options: object, scope: Scope) => ({ ...options, ...scope }) as Parameters<P>[0];

const ALIBABA: ScopeCloud = {
  id: 'alibaba',
  access: ACR_EE_REPOSITORY_ACCESS,
  location: { region: 'cn-hangzhou', account: DEFAULT_ACCOUNT_ID, instance: 'cri-scope' },
  identity: { accessKeyId: ALIBABA_IDENTITY.accessKeyId, account: DEFAULT_ACCOUNT_ID },
  async policies(scope, registries) {
    const base = { region: 'cn-hangzhou', accountId: DEFAULT_ACCOUNT_ID, roleArn: `acs:ram::${DEFAULT_ACCOUNT_ID}:role/regcred`, refreshRoleArn: `acs:ram::${DEFAULT_ACCOUNT_ID}:role/regcred-refresh`, name: 'regcred', schedule: '@every 20m', timeoutSeconds: 10, memoryMb: 256, env: { REGCRED_REGISTRIES: registries } };
    return [alibabaPlan(withScope(alibabaPlan, base, scope)).functions[0]!.policy];
  },
  async start(host) {
    const emu = await startAlibabaEmulator({ instances: { 'cri-scope': { domain: host, region: 'cn-hangzhou' } } });
    const env = { ALIBABA_CLOUD_ENDPOINT_URL_CR: emu.url };
    return { registries: 'acr-ee:cn-hangzhou:cri-scope', minted: emu.minted, http: (req) => devCloud('alibaba')!.invoker({ REGCRED_REGISTRIES: 'acr-ee:cn-hangzhou:cri-scope', ...env })(req), stop: () => emu.stop() };
  },
};

const TENCENT: ScopeCloud = {
  id: 'tencent',
  access: TCR_REPOSITORY_ACCESS,
  location: { region: 'ap-guangzhou', account: DEFAULT_ACCOUNT_UIN, instance: 'tcr-scope' },
  identity: { accessKeyId: TENCENT_IDENTITY.secretId, account: DEFAULT_ACCOUNT_UIN },
  async policies(scope, registries) {
    const base = { region: 'ap-guangzhou', uin: DEFAULT_ACCOUNT_UIN, role: 'regcred', refreshRole: 'regcred-refresh', name: 'regcred', namespace: 'default', schedule: '0 */20 * * * * *', runtime: SCF_NODE_RUNTIME, timeoutSeconds: 10, memoryMb: 256, env: { REGCRED_REGISTRIES: registries } };
    return [tencentPlan(withScope(tencentPlan, base, scope)).functions[0]!.policy];
  },
  async start(host) {
    const emu = await startTencentEmulator({ instances: { 'tcr-scope': { name: 'scope', publicDomain: host, region: 'ap-guangzhou' } } });
    const env = { REGCRED_REGISTRIES: 'tcr:ap-guangzhou:tcr-scope', ...scfRoleEnvironment(), TENCENTCLOUD_REGION: 'ap-guangzhou', TENCENTCLOUD_ENDPOINT_URL_TCR: emu.url };
    return { registries: env.REGCRED_REGISTRIES, minted: emu.minted, http: (req) => devCloud('tencent')!.invoker(env)(req), stop: () => emu.stop() };
  },
};

const HUAWEI: ScopeCloud = {
  id: 'huawei',
  access: SWR_REPOSITORY_ACCESS,
  location: { region: 'cn-north-4', account: DEFAULT_DOMAIN_ID },
  identity: { accessKeyId: HUAWEI_IDENTITY.accessKeyId, account: DEFAULT_DOMAIN_ID },
  async policies(scope, registries) {
    const base = { region: 'cn-north-4', projectId: DEFAULT_PROJECT_ID, accountId: DEFAULT_DOMAIN_ID, agency: 'regcred', refreshAgency: 'regcred-refresh', name: 'regcred', apigGroupId: 'a1b2c3d4e5f6478899aabbccddeeff00', apigInstanceId: 'b1b2c3d4e5f6478899aabbccddeeff00', schedule: '20m', timeoutSeconds: 10, memoryMb: 256, env: { REGCRED_REGISTRIES: registries } };
    return [huaweiPlan(withScope(huaweiPlan, base, scope)).functions[0]!.policy];
  },
  async start(host) {
    const emu = await startHuaweiEmulator({ region: 'cn-north-4' });
    // FunctionGraph hands the agency's keys in the context; dev/huawei.ts's invoker reads them from these variables.
    const env = {
      REGCRED_REGISTRIES: `swr:cn-north-4=${host}`,
      HUAWEICLOUD_ENDPOINT_URL_SWR: emu.url,
      HUAWEICLOUD_REGION: 'cn-north-4',
      HUAWEICLOUD_SDK_AK: HUAWEI_IDENTITY.accessKeyId,
      HUAWEICLOUD_SDK_SK: HUAWEI_IDENTITY.secretAccessKey,
      HUAWEICLOUD_SDK_SECURITY_TOKEN: HUAWEI_IDENTITY.securityToken!,
    };
    return { registries: env.REGCRED_REGISTRIES, minted: emu.minted, http: (req) => devCloud('huawei')!.invoker(env)(req), stop: () => emu.stop() };
  },
};

/** The role CloudFormation would create for HttpRole (its name is generated; any stands for it). */
const HTTP_ROLE_ARN = `arn:aws:iam::${ECR_ACCOUNT_ID}:role/regcred-prod-HttpRole-TESTROLE`;
/** osls package runs seconds per configuration: each is packaged once, started when the file starts. */
const packaged = new Map<string, Promise<Template>>();
const packageFor = (scope: Scope) => {
  const params = ['registries=ecr:us-east-1', ...Object.entries(scope).map(([k, v]) => `${k}=${v}`)];
  const key = params.join(' ');
  if (!packaged.has(key)) packaged.set(key, oslsPackage(params));
  return packaged.get(key)!;
};

const AWS: ScopeCloud = {
  id: 'aws',
  access: ECR_REPOSITORY_ACCESS,
  location: { region: 'us-east-1', account: ECR_ACCOUNT_ID },
  identity: { accessKeyId: AWS_IDENTITY.accessKeyId, account: ECR_ACCOUNT_ID, principal: HTTP_ROLE_ARN },
  async policies(scope) {
    return rolePolicies(await packageFor(scope), 'HttpRole', { region: 'us-east-1', accountId: ECR_ACCOUNT_ID, attributes: { 'HttpRole.Arn': HTTP_ROLE_ARN } });
  },
  async start(host) {
    const ecr = ecrService({ proxyEndpoint: `https://${host}` });
    const emu = await startAwsEmulator({ services: [ecr] });
    // As in Lambda, the SDK finds the role's session keys and the endpoint in the process environment.
    Object.assign(process.env, functionEnv(emu.url));
    return { registries: 'ecr:us-east-1', minted: ecr.minted, http: (req) => devCloud('aws')!.invoker({ REGCRED_REGISTRIES: 'ecr:us-east-1' })(req), stop: () => emu.stop() };
  },
};

// AWS last: its two packagings (started below) run while the other clouds' tests do.
const CLOUDS = [ALIBABA, TENCENT, HUAWEI, AWS];

let realm: TokenRealm;
let work: string;
let image: OciImage;

beforeAll(async () => {
  void packageFor(SCOPED).catch(() => undefined);
  void packageFor(DEFAULT).catch(() => undefined);
  realm = await startTokenRealm();
  work = await mkdtemp(join(tmpdir(), 'regcred-e2e-scope-'));
  image = await writeOciLayout(join(work, 'image'), { tag: 'v1' });
});
afterAll(async () => {
  await realm?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

describe.each(CLOUDS)('$id: the credential can do what the deploy granted, and no more', (cloud) => {
  let registry: LocalRegistry;
  let world: Awaited<ReturnType<ScopeCloud['start']>>;

  beforeAll(async () => {
    registry = await realm.startRegistry(cloud.id, { access: cloud.access, location: cloud.location });
    world = await cloud.start(registry.host);
    realm.trustMinted(world.minted);
    const seed = await authFor(registry, realm.admin);
    for (const name of SEEDED) await skopeoCopy(image.ref, `docker://${registry.host}/${name}:v1`, seed);
  }, 60_000);
  afterAll(() => world?.stop());

  /** The credential GET /credentials answers for this cloud's one registry, as the handler minted it. */
  async function credential(): Promise<SkopeoAuth> {
    const res = await world.http({ method: 'GET', path: '/credentials', query: '' });
    expect(res.statusCode, res.body).toBe(200);
    const [login] = (JSON.parse(res.body) as { credentials: Array<{ registry: string; username: string; password: string }> }).credentials;
    expect(login?.registry).toBe(registry.host);
    return authFor(registry, login!);
  }
  const pull = async (auth: SkopeoAuth, name: string) => {
    const into = await mkdtemp(join(work, 'pulled-'));
    await skopeoCopy(`docker://${registry.host}/${name}:v1`, `oci:${into}:v1`, auth);
    return manifestDigestOf(into, 'v1');
  };
  const push = (auth: SkopeoAuth, name: string) => skopeoCopy(image.ref, `docker://${registry.host}/${name}:pushed`, auth);
  /** What the token service last decided when this identity asked for `action` on `name`. */
  const decision = (name: string, action: string) =>
    realm.decisions.filter((d) => d.service === cloud.id && d.who === cloud.identity.accessKeyId && d.name === name && d.asked.includes(action)).at(-1);
  const refused = (p: Promise<unknown>) => p.then(() => 'succeeded', (e: unknown) => (e instanceof SkopeoError ? 'refused' : e));
  /** The token service left `action` on `name` out because the policy says no, not because it could not evaluate it. */
  const expectWithheld = (name: string, action: string) => {
    const asked = decision(name, action);
    expect(asked, `the token service was never asked for ${action} on ${name}`).toBeDefined();
    expect(asked?.granted).not.toContain(action);
    expect(asked?.error).toBeUndefined();
  };
  /** Before the block's tests: the identity bound to the deploy's policies for `scope`, and the handler's credential. */
  const deployedWith = (scope: Scope) => {
    let auth: SkopeoAuth | undefined;
    beforeAll(async () => {
      realm.bindIdentity(cloud.identity.accessKeyId, { ...cloud.identity, policies: await cloud.policies(scope, world.registries) });
      auth = await credential();
    }, 120_000);
    return () => auth!;
  };

  describe(`scoped deploy (pull=${SCOPED.pull}, push=${SCOPED.push})`, () => {
    const auth = deployedWith(SCOPED);

    it('pulls team/app, which pull names', async () => {
      expect(await pull(auth(), 'team/app')).toBe(image.manifestDigest);
    });

    it('pulls base/img through the pattern base/*', async () => {
      expect(await pull(auth(), 'base/img')).toBe(image.manifestDigest);
    });

    it('is denied other/app, which pull does not name', async () => {
      expect(await refused(pull(auth(), 'other/app'))).toBe('refused');
      expectWithheld('other/app', 'pull');
    });

    it('is denied a push to team/app, which pull names and push does not', async () => {
      expect(await refused(push(auth(), 'team/app'))).toBe('refused');
      expectWithheld('team/app', 'push');
    });

    it('pushes to ci/cache, which push names', async () => {
      await push(auth(), 'ci/cache');
      expect(decision('ci/cache', 'push')).toMatchObject({ asked: ['pull', 'push'], granted: ['pull', 'push'] });
    });
  });

  describe('default deploy (pull *, push nothing)', () => {
    const auth = deployedWith(DEFAULT);

    it('pulls every repository, other/app included', async () => {
      expect(await pull(auth(), 'other/app')).toBe(image.manifestDigest);
    });

    it('is denied a push anywhere, ci/cache included', async () => {
      expect(await refused(push(auth(), 'ci/cache'))).toBe('refused');
      expectWithheld('ci/cache', 'push');
    });
  });
});

async function authFor(registry: LocalRegistry, login: { username: string; password: string }): Promise<SkopeoAuth> {
  const authfile = await writeAuthFile(await mkdtemp(join(work, 'auth-')), [{ registry: registry.host, ...login }]);
  return { authfile, certDir: registry.certDir };
}
