/**
 * `regcred --invoke` (REGCRED_INVOKE): the client calls the Alibaba HTTP function through FC 3.0's
 * InvokeFunction API instead of its trigger. The FC emulator checks every call's ACS3 signature
 * (body hash included) against the caller's key and runs the real HTTP handler in process, itself
 * minting from the CR emulator with the role's keys; the client is a child process, as a user runs it.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { acs3Headers } from '../../cli/sign/alibaba.js';
import { ALIBABA_DEV, LOCAL_CALLER } from '../../dev/alibaba.js';
import type { LocalCloud } from '../../dev/local-cloud.js';
import type { AcsIdentity } from '../../emulator/alibaba/acs3.js';
import { startFcEmulator, type FcEmulator, type FcFunction } from '../../emulator/alibaba/fc.js';
import { runRegcred, type ProcessResult } from '../support/regcred-process.js';

const WRONG_SECRET = 'wrong-invoke-secret-value-9876';
/** A caller with temporary (STS) keys: the security token must travel, signed. */
const STS_CALLER: AcsIdentity = { accessKeyId: 'STS.NUinvokeCallerSession', accessKeySecret: 'invoke-caller-sts-secret-0000', securityToken: 'CAIS.invoke-caller-token' };

let local: LocalCloud;
let fcEmu: FcEmulator;
let work: string;
/** Events the functions received, newest last. */
const events: unknown[] = [];
/** What the `flaky` function answers before it answers as regcred does. */
let flakyAnswers: Array<{ statusCode: number; headers: Record<string, string>; body: string }> = [];

beforeAll(async () => {
  local = await ALIBABA_DEV.startLocal();
  // The function's log lines are kept out of the test output.
  const regcred = local.rawHttp({ REGCRED_REGISTRIES: local.registries, ...local.env }, () => {});
  fcEmu = await startFcEmulator({
    identities: [LOCAL_CALLER, STS_CALLER],
    invokers: {
      regcred: async (event) => {
        events.push(JSON.parse(event.toString('utf8')));
        return regcred(event);
      },
      flaky: async (event) => flakyAnswers.shift() ?? regcred(event),
      // Not the HTTP function: what the refresh function answers.
      other: async () => ({ refreshed: 1 }),
    },
  });
  for (const name of ['regcred', 'flaky', 'other']) fcEmu.functions.set(name, { functionName: name } as FcFunction);
  work = mkdtempSync(join(tmpdir(), 'regcred-invoke-'));
}, 60_000);

afterAll(async () => {
  await fcEmu?.stop();
  await local?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

beforeEach(() => {
  fcEmu.calls.length = 0;
  events.length = 0;
});

let caches = 0;

/** Run `regcred <args>` with only the caller's Alibaba keys (and PATH, an empty HOME and cache) in its environment. */
function regcred(args: string[], env: Record<string, string> = {}, stdin = ''): Promise<ProcessResult> {
  return runRegcred(
    args,
    {
      HOME: work,
      XDG_CACHE_HOME: join(work, `cache-${++caches}`),
      ALIBABA_CLOUD_ACCESS_KEY_ID: LOCAL_CALLER.accessKeyId,
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: LOCAL_CALLER.accessKeySecret,
      ...env,
    },
    stdin,
  );
}

const invokeGet = (target: string, env: Record<string, string> = {}) =>
  regcred(['get', '--cloud', 'alibaba', '--invoke', target, '--url', fcEmu.url, '--format', 'dockerconfigjson'], env);

describe('regcred get --invoke against the FC emulator (ACS3 verified, the real HTTP handler invoked)', () => {
  it("prints a dockerconfigjson, signed with the caller's RAM key for FC's InvokeFunction", async () => {
    const { code, stdout, stderr } = await invokeGet('regcred');
    expect(code, stderr).toBe(0);
    expect(Object.keys(JSON.parse(stdout).auths)).toEqual(local.hosts);
    expect(fcEmu.calls.map((c) => [c.operation, c.method, c.path, c.accessKeyId, c.status])).toEqual([
      ['InvokeFunction', 'POST', '/2023-03-30/functions/regcred/invocations', LOCAL_CALLER.accessKeyId, 200],
    ]);
    expect(events).toEqual([{ rawPath: '/credentials', queryParameters: { format: 'dockerconfigjson' } }]);
  }, 40_000);

  it('needs no --cloud: --invoke is Alibaba; a qualifier travels as ?qualifier=', async () => {
    const { code, stderr } = await regcred(['get', '--invoke', 'regcred:LATEST', '--url', fcEmu.url, '--registry', local.hosts[0]!]);
    expect(code, stderr).toBe(0);
    expect(fcEmu.calls.map((c) => [c.operation, c.queryNames, c.status])).toEqual([['InvokeFunction', ['qualifier'], 200]]);
    expect(events).toEqual([{ rawPath: `/credentials/${local.hosts[0]}`, queryParameters: {} }]);
  }, 40_000);

  it('signs with STS keys too: the security token travels, signed', async () => {
    const { code, stderr } = await invokeGet('regcred', {
      ALIBABA_CLOUD_ACCESS_KEY_ID: STS_CALLER.accessKeyId,
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: STS_CALLER.accessKeySecret,
      ALIBABA_CLOUD_SECURITY_TOKEN: STS_CALLER.securityToken!,
    });
    expect(code, stderr).toBe(0);
    expect(fcEmu.calls.map((c) => [c.accessKeyId, c.status])).toEqual([[STS_CALLER.accessKeyId, 200]]);
  }, 40_000);

  it('a wrong secret: FC refuses the signature; exit 1, names fc:InvokeFunction, prints no secret', async () => {
    const { code, stdout, stderr } = await invokeGet('regcred', { ALIBABA_CLOUD_ACCESS_KEY_SECRET: WRONG_SECRET });
    expect(code).toBe(1);
    expect(fcEmu.calls.map((c) => c.code)).toEqual(['SignatureDoesNotMatch']);
    expect(stderr).toBe(
      `regcred: FC refused InvokeFunction of 'regcred' at ${fcEmu.url} (400 SignatureDoesNotMatch): the caller's keys are wrong, or it lacks fc:InvokeFunction on the function\n`,
    );
    expect(stderr + stdout).not.toContain(WRONG_SECRET);
    expect(events).toEqual([]);
  }, 40_000);

  it('an unknown key id: the same refusal, not a "not found"', async () => {
    const { code, stderr } = await invokeGet('regcred', { ALIBABA_CLOUD_ACCESS_KEY_ID: 'LTAI5tNobodyKnowsThis' });
    expect(code).toBe(1);
    expect(stderr).toMatch(/^regcred: FC refused InvokeFunction of 'regcred' .*\(404 InvalidAccessKeyId\.NotFound\): .* fc:InvokeFunction/);
  }, 40_000);

  it('an unknown function: exit 1, says FC has no such function (404 FunctionNotFound)', async () => {
    const { code, stdout, stderr } = await invokeGet('nope');
    expect(code).toBe(1);
    expect(stderr).toBe(`regcred: FC has no function 'nope' at ${fcEmu.url} (404 FunctionNotFound): check --invoke, and the account id and region in --url\n`);
    expect(stdout).toBe('');
  }, 40_000);

  it('a function that is not the HTTP function: says its result is not one', async () => {
    const { code, stderr } = await invokeGet('other');
    expect(code).toBe(1);
    expect(stderr).toMatch(/^regcred: 502 InvalidAnswer: InvokeFunction of 'other' .* returned no \{statusCode, headers, body\}/);
  }, 40_000);

  it("the function's own error is the API's, as over the trigger (404 NotFound for a registry it does not serve)", async () => {
    const { code, stderr } = await regcred(['get', '--invoke', 'regcred', '--url', fcEmu.url, '--registry', 'unknown.example.com']);
    expect(code).toBe(1);
    expect(stderr).toMatch(/^regcred: 404 NotFound: /);
  }, 40_000);

  it("the function's 503 with Retry-After is waited out and asked again, signed anew", async () => {
    const unavailable = { statusCode: 503, headers: { 'Retry-After': '1', 'content-type': 'application/json' }, body: '{"error":{"code":"UpstreamUnavailable","message":"held off"}}' };
    flakyAnswers = [unavailable];
    const { code, stdout, stderr } = await invokeGet('flaky');
    expect(code, stderr).toBe(0);
    expect(Object.keys(JSON.parse(stdout).auths)).toEqual(local.hosts);
    expect(fcEmu.calls.map((c) => [c.operation, c.status])).toEqual([['InvokeFunction', 200], ['InvokeFunction', 200]]);
  }, 40_000);

  it('refuses another cloud with --invoke, and a name FC cannot have (exit 2)', async () => {
    const aws = await regcred(['get', '--cloud', 'aws', '--invoke', 'regcred', '--url', fcEmu.url]);
    expect([aws.code, aws.stderr]).toEqual([2, "regcred: --invoke (or REGCRED_INVOKE) calls Alibaba Cloud FC's InvokeFunction, not aws\n"]);
    const bad = await regcred(['get', '--invoke', 'a/b', '--url', fcEmu.url]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^regcred: --invoke \(or REGCRED_INVOKE\) must be an FC function name/);
    expect(fcEmu.calls).toEqual([]);
  }, 40_000);
});

describe('every command through REGCRED_INVOKE (no flags, as Docker and kubelet run the helper)', () => {
  const helperEnv = () => ({ REGCRED_URL: fcEmu.url, REGCRED_INVOKE: 'regcred' });

  it('docker-credential get answers the registry login', async () => {
    const { code, stdout, stderr } = await regcred(['docker-credential', 'get'], helperEnv(), `https://${local.hosts[0]}\n`);
    expect(code, stderr).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ ServerURL: local.hosts[0], Username: expect.any(String), Secret: expect.any(String) });
    expect(fcEmu.calls.map((c) => [c.operation, c.status])).toEqual([['InvokeFunction', 200]]);
  }, 40_000);

  it('docker-credential get with an unknown function says so, not "credentials not found"', async () => {
    const { code, stdout } = await regcred(['docker-credential', 'get'], { ...helperEnv(), REGCRED_INVOKE: 'nope' }, `${local.hosts[0]}\n`);
    expect(code).toBe(1);
    expect(stdout).toMatch(/^regcred: FC has no function 'nope'/);
  }, 40_000);

  it('kubelet answers a CredentialProviderResponse', async () => {
    const request = { apiVersion: 'credentialprovider.kubelet.k8s.io/v1', kind: 'CredentialProviderRequest', image: `${local.hosts[1]}/team/app:v1` };
    const { code, stdout, stderr } = await regcred(['kubelet'], helperEnv(), JSON.stringify(request));
    expect(code, stderr).toBe(0);
    expect(Object.keys(JSON.parse(stdout).auth)).toEqual([local.hosts[1]]);
  }, 40_000);

  it('login writes the auth file', async () => {
    const authfile = join(work, 'auth.json');
    const { code, stdout, stderr } = await regcred(['login', '--registry', local.hosts[0]!, '--authfile', authfile], helperEnv());
    expect(code, stderr).toBe(0);
    expect(stdout).toMatch(/^Login Succeeded: /);
    expect(Object.keys(JSON.parse(readFileSync(authfile, 'utf8')).auths)).toEqual([local.hosts[0]]);
  }, 40_000);
});

describe("the FC emulator's InvokeFunction", () => {
  it('rejects a body other than the one x-acs-content-sha256 names, before invoking anything', async () => {
    // Prepare: a request signed for one event, sent with another
    const url = new URL('/2023-03-30/functions/regcred/invocations', fcEmu.url);
    const signed = JSON.stringify({ rawPath: '/credentials', queryParameters: {} });
    const sent = JSON.stringify({ rawPath: '/credentials', queryParameters: { format: 'dockerconfigjson' } });
    const keys = { accessKeyId: LOCAL_CALLER.accessKeyId, secretAccessKey: LOCAL_CALLER.accessKeySecret };
    const headers = await acs3Headers({ method: 'POST', url, body: signed, headers: { 'x-acs-action': 'InvokeFunction', 'x-acs-version': '2023-03-30' } }, { credentials: keys });
    // Act
    const tampered = await fetch(url, { method: 'POST', headers, body: sent });
    const honest = await fetch(url, { method: 'POST', headers: await acs3Headers({ method: 'POST', url, body: sent, headers: { 'x-acs-action': 'InvokeFunction', 'x-acs-version': '2023-03-30' } }, { credentials: keys }), body: sent });
    // Assess
    expect([tampered.status, ((await tampered.json()) as { Code: string }).Code]).toEqual([400, 'SignatureDoesNotMatch']);
    expect(honest.status).toBe(200);
    expect(events).toEqual([JSON.parse(sent)]);
  });
});
