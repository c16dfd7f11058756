/**
 * Cross-account ECR as a registry enforces it: two registries (the function's own account and
 * 222233334444), both in token-auth mode behind the emulators' token service. The credential comes
 * from the real HTTP handler (one GetAuthorizationToken call for the region answers both hosts);
 * the token service grants what the packaged HttpRole allows and, in the other account, only what
 * that account's repository policy allows too (AWS's cross-account rule). The repository policy is
 * the one the deploy produces for the other account (deploy/aws/iam.cjs `repositoryPolicies`),
 * attached to team/app there and to nothing else.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { devCloud } from '../../dev/clouds.js';
import { resolveIntrinsics } from '../../emulator/aws/cloudformation.js';
import { ECR_ACCOUNT_ID, ecrService, type EcrService } from '../../emulator/aws/ecr.js';
import { functionEnv } from '../../emulator/aws/function-env.js';
import { ECR_REPOSITORY_ACCESS } from '../../emulator/aws/repository-access.js';
import { startAwsEmulator, DEFAULT_IDENTITY, type AwsEmulator } from '../../emulator/aws/server.js';
import { evaluate } from '../../emulator/policy.js';
import type { ServedRegistry } from '../../emulator/registry-token.js';
import { iamOutput, oslsPackage, rolePolicies } from '../support/aws-package.js';
import { manifestDigestOf, SkopeoError, skopeoCopy, writeAuthFile, writeOciLayout, type OciImage, type SkopeoAuth } from '../support/oci-layout.js';
import type { LocalRegistry } from '../support/registry.js';
import { startTokenRealm, type TokenRealm } from '../support/token-realm.js';

const OTHER_ACCOUNT = '222233334444';
const REGISTRIES = `ecr:us-east-1,ecr:us-east-1:${OTHER_ACCOUNT}`;
const PULL = 'team/app,base/*';
const ROLE_ARNS = Object.fromEntries(['Http', 'Refresh', 'Rotate'].map((fn) => [`${fn}Role.Arn`, `arn:aws:iam::${ECR_ACCOUNT_ID}:role/regcred-prod-${fn}Role-TESTROLE`]));
const STACK = { region: 'us-east-1', accountId: ECR_ACCOUNT_ID, attributes: ROLE_ARNS };

let realm: TokenRealm;
let own: LocalRegistry;
let other: LocalRegistry;
let otherServed: ServedRegistry;
let ecr: EcrService;
let emu: AwsEmulator;
let work: string;
let image: OciImage;
let printedPolicy: unknown;
let httpRolePolicies: unknown[];

beforeAll(async () => {
  const template = oslsPackage([`registries=${REGISTRIES}`, `pull=${PULL}`]);
  template.catch(() => undefined);
  realm = await startTokenRealm();
  own = await realm.startRegistry('ecr-own', { access: ECR_REPOSITORY_ACCESS, location: { region: 'us-east-1', account: ECR_ACCOUNT_ID } });
  otherServed = { access: ECR_REPOSITORY_ACCESS, location: { region: 'us-east-1', account: OTHER_ACCOUNT }, repositoryPolicies: new Map() };
  other = await realm.startRegistry('ecr-other', otherServed);
  ecr = ecrService({ proxyEndpoint: `https://${own.host}` });
  emu = await startAwsEmulator({ services: [ecr] });
  Object.assign(process.env, functionEnv(emu.url));
  realm.trustMinted(ecr.minted);
  work = await mkdtemp(join(tmpdir(), 'regcred-e2e-cross-account-'));
  image = await writeOciLayout(join(work, 'image'), { tag: 'v1' });
  for (const registry of [own, other]) {
    const seed = await authFor(registry, realm.admin);
    for (const name of ['team/app', 'base/img']) await skopeoCopy(image.ref, `docker://${registry.host}/${name}:v1`, seed);
  }

  // What the other account attaches to team/app: the policy the deploy prints for it.
  const printed = ((await iamOutput({ registries: REGISTRIES, pull: PULL })).repositoryPolicies as Record<string, unknown> | undefined)?.[OTHER_ACCOUNT];
  printedPolicy = printed === undefined ? undefined : resolveIntrinsics(printed, STACK);
  if (printedPolicy !== undefined) otherServed.repositoryPolicies!.set('team/app', printedPolicy);
  httpRolePolicies = rolePolicies(await template, 'HttpRole', STACK);
  realm.bindIdentity(DEFAULT_IDENTITY.accessKeyId, { account: ECR_ACCOUNT_ID, principal: ROLE_ARNS['HttpRole.Arn'], policies: httpRolePolicies });
}, 240_000);
afterAll(async () => {
  await realm?.stop();
  await emu?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

async function authFor(registry: LocalRegistry, login: { username: string; password: string }): Promise<SkopeoAuth> {
  const authfile = await writeAuthFile(await mkdtemp(join(work, 'auth-')), [{ registry: registry.host, ...login }]);
  return { authfile, certDir: registry.certDir };
}

/** One warm instance of the HTTP function serving both registries, each host mapped to its local registry. */
let answer: Promise<{ statusCode: number; body: string; mints: number }> | undefined;
function getCredentials() {
  answer ??= (async () => {
    const before = emu.count('ecr', 'GetAuthorizationToken');
    const res = await devCloud('aws')!.invoker({ REGCRED_REGISTRIES: `ecr:us-east-1=${own.host},ecr:us-east-1:${OTHER_ACCOUNT}=${other.host}` })({ method: 'GET', path: '/credentials', query: '' });
    return { statusCode: res.statusCode, body: res.body, mints: emu.count('ecr', 'GetAuthorizationToken') - before };
  })();
  return answer;
}
async function loginFor(registry: LocalRegistry): Promise<SkopeoAuth> {
  const res = await getCredentials();
  expect(res.statusCode, res.body).toBe(200);
  const login = (JSON.parse(res.body) as { credentials: Array<{ registry: string; username: string; password: string }> }).credentials.find((c) => c.registry === registry.host);
  expect(login, `no credential for ${registry.host}`).toBeDefined();
  return authFor(registry, login!);
}
const pull = async (registry: LocalRegistry, name: string) => {
  const into = await mkdtemp(join(work, 'pulled-'));
  await skopeoCopy(`docker://${registry.host}/${name}:v1`, `oci:${into}:v1`, await loginFor(registry));
  return manifestDigestOf(into, 'v1');
};

describe('AWS cross-account ECR: one token, two accounts, the other account’s repository policy', () => {
  it('answers GET /credentials with both registry hosts from one GetAuthorizationToken call', async () => {
    // Act
    const res = await getCredentials();
    // Assess
    expect(res.statusCode, res.body).toBe(200);
    const hosts = (JSON.parse(res.body) as { credentials: Array<{ registry: string }> }).credentials.map((c) => c.registry);
    expect([hosts.sort(), res.mints]).toEqual([[own.host, other.host].sort(), 1]);
  });

  it('pulls team/app and base/img in its own account, where no repository policy is needed', async () => {
    expect([await pull(own, 'team/app'), await pull(own, 'base/img')]).toEqual([image.manifestDigest, image.manifestDigest]);
  });

  it('pulls team/app in the other account, whose repository policy is the one the deploy prints', async () => {
    expect(printedPolicy, 'deploy/aws/iam.cjs printed no repository policy for the other account').toBeDefined();
    expect(await pull(other, 'team/app')).toBe(image.manifestDigest);
  });

  it('is denied base/img in the other account, which its identity policy allows but no repository policy does', async () => {
    // Prepare: the identity side allows it, so only the missing repository policy can refuse.
    const resource = ECR_REPOSITORY_ACCESS.resource({ region: 'us-east-1', account: OTHER_ACCOUNT }, 'base/img')!;
    expect(ECR_REPOSITORY_ACCESS.actions.pull.map((action) => evaluate(httpRolePolicies, { action, resource }))).toEqual(['allow', 'allow', 'allow']);
    // Act
    const outcome = await pull(other, 'base/img').then(() => 'succeeded', (e: unknown) => (e instanceof SkopeoError ? 'refused' : e));
    // Assess
    expect(outcome).toBe('refused');
    const decision = realm.decisions.filter((d) => d.service === 'ecr-other' && d.name === 'base/img').at(-1);
    expect(decision).toMatchObject({ who: DEFAULT_IDENTITY.accessKeyId, asked: ['pull'], granted: [] });
    expect(decision?.error).toBeUndefined();
  });
});
