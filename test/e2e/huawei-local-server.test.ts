/**
 * `npm start -- --cloud huawei` end to end: the banner's ready-to-paste commands, run as a user
 * would paste them into a shell, get credentials through the local APIG IAM-auth trigger check.
 */
import { execFile } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serve, type LocalServer } from '../../dev/serve.js';
import { LOCAL_CALLER, OTHER_ACCOUNT_CALLER, signedHeaders } from '../../emulator/huawei/apig.js';
import { PROJECT_DIR } from '../support/registry.js';

const sh = (command: string) => promisify(execFile)('sh', ['-c', command], { cwd: PROJECT_DIR, timeout: 60_000 });

let server: LocalServer;
let banner: string[];
beforeAll(async () => {
  server = await serve({ emulator: true, cloud: 'huawei', port: 0, quiet: true });
  banner = server.local!.trigger.banner(server.url);
});
afterAll(() => server.close());

describe('local server --cloud huawei (APIG trigger with IAM auth)', () => {
  it("answers the banner's regcred command with a dockerconfigjson for both emulated SWR regions", async () => {
    // Prepare
    const command = banner.find((l) => l.includes('npx tsx cli/main.ts get --cloud huawei'))!.trim();
    // Act
    const { stdout } = await sh(command);
    // Assess
    expect(Object.keys(JSON.parse(stdout).auths)).toEqual(['swr.cn-north-4.myhuaweicloud.com', 'swr.ap-southeast-1.myhuaweicloud.com']);
  }, 70_000);

  it("answers the banner's signed curl with a dockerconfigjson for both emulated SWR regions", async () => {
    // Prepare
    const curl = banner.find((l) => l.trim().startsWith('curl '))!.trim();
    // Act
    const { stdout } = await sh(curl);
    // Assess
    expect(Object.keys(JSON.parse(stdout).auths)).toEqual(['swr.cn-north-4.myhuaweicloud.com', 'swr.ap-southeast-1.myhuaweicloud.com']);
  });

  it("answers the banner's re-signing command", async () => {
    const command = banner.find((l) => l.trim().startsWith('eval '))!.trim();
    const { stdout } = await sh(command);
    expect(JSON.parse(stdout).credentials).toHaveLength(2);
  }, 60_000);

  it('refuses an unsigned request with 403 before the function runs', async () => {
    const res = await fetch(`${server.url}/credentials`);
    expect(res.status).toBe(403);
  });

  it('admits a caller of the account the bound policy names', async () => {
    const url = `${server.url}/credentials`;
    const { host: _host, ...headers } = signedHeaders(url, LOCAL_CALLER);
    const res = await fetch(url, { headers });
    expect(res.status).toBe(200);
  });

  it('refuses a request signed with the wrong secret key with 403', async () => {
    const url = `${server.url}/credentials`;
    const { host: _host, ...headers } = signedHeaders(url, { ...LOCAL_CALLER, secretAccessKey: 'not-the-secret' });
    const res = await fetch(url, { headers });
    expect(res.status).toBe(403);
  });
});

describe('local server --cloud huawei: the API access control policy (a fresh server, nothing cached)', () => {
  let fresh: LocalServer;
  beforeAll(async () => {
    fresh = await serve({ emulator: true, cloud: 'huawei', port: 0, quiet: true });
  });
  afterAll(() => fresh.close());

  it('[F1] refuses a caller of another account, whom IAM authenticates, with APIG.0302 before the function runs', async () => {
    // Prepare: a correctly signed request by an IAM identity of an account the bound policy does not name
    const url = `${fresh.url}/credentials?format=dockerconfigjson`;
    const { host: _host, ...headers } = signedHeaders(url, OTHER_ACCOUNT_CALLER);
    // Act
    const res = await fetch(url, { headers });
    // Assess: APIG's refusal, and no SWR login minted (a function that ran would have minted: its cache is empty)
    expect([res.status, await res.json(), fresh.local!.emulator.count('swr', 'CreateSecret')]).toEqual([403, { error_code: 'APIG.0302', error_msg: 'The IAM user is not authorized to access the API.' }, 0]);
  });
});

describe("README's signed call (Deploy to Huawei Cloud)", () => {
  it('signs with the SDK core\'s own AKSKSigner and gets credentials through the local APIG IAM-auth check', async () => {
    // Prepare: the README's block, run as the README says, against the local server
    const readme = readFileSync(join(PROJECT_DIR, 'README.md'), 'utf8');
    const block = /<!-- signed-call:huawei -->\n```js\n([\s\S]*?)```/.exec(readme)![1]!;
    const file = join(PROJECT_DIR, `.readme-call-${process.pid}.mjs`);
    writeFileSync(file, block);
    try {
      // Act
      const { stdout } = await promisify(execFile)(process.execPath, [file], {
        cwd: PROJECT_DIR,
        env: { PATH: process.env.PATH, REGCRED_URL: server.url, HUAWEICLOUD_SDK_AK: LOCAL_CALLER.accessKeyId, HUAWEICLOUD_SDK_SK: LOCAL_CALLER.secretAccessKey },
        timeout: 30_000,
      });
      // Assess
      expect(Object.keys(JSON.parse(stdout).auths)).toHaveLength(2);
    } finally {
      rmSync(file, { force: true });
    }
  }, 60_000);
});
