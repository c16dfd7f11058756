/**
 * The `regcred` client against the local server of each cloud whose trigger checks its own signature
 * (Tencent's function URL with CAM auth, Huawei's APIG API with IAM authentication): a child process
 * signs with the caller's keys from that cloud's standard variables, as a user runs it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serve, type LocalServer } from '../../dev/serve.js';
import { LOCAL_CALLER as TENCENT_CALLER } from '../../dev/tencent.js';
import { LOCAL_CALLER as HUAWEI_CALLER } from '../../emulator/huawei/apig.js';
import { runRegcred } from '../support/regcred-process.js';

const WRONG_SECRET = 'wrong-secret-value-5678';

const CLOUDS = [
  {
    cloud: 'tencent' as const,
    keys: (secret = TENCENT_CALLER.secretKey) => ({ TENCENTCLOUD_SECRET_ID: TENCENT_CALLER.secretId, TENCENTCLOUD_SECRET_KEY: secret }),
    registries: ['emulator.tencentcloudcr.com', 'second.tencentcloudcr.com'],
    permission: 'scf:InvokeFunctionUrl',
  },
  {
    cloud: 'huawei' as const,
    keys: (secret = HUAWEI_CALLER.secretAccessKey) => ({ HUAWEICLOUD_SDK_AK: HUAWEI_CALLER.accessKeyId, HUAWEICLOUD_SDK_SK: secret }),
    registries: ['swr.cn-north-4.myhuaweicloud.com', 'swr.ap-southeast-1.myhuaweicloud.com'],
    permission: "access control policy",
  },
];

const regcred = (args: string[], env: Record<string, string>) => runRegcred(args, env);

describe.each(CLOUDS)('regcred get --cloud $cloud against the local server', ({ cloud, keys, registries, permission }) => {
  let server: LocalServer;
  beforeAll(async () => {
    server = await serve({ emulator: true, cloud, port: 0, quiet: true });
  });
  afterAll(() => server.close());
  const get = (env: Record<string, string>) => regcred(['get', '--cloud', cloud, '--url', server.url, '--format', 'dockerconfigjson'], env);

  it("prints a dockerconfigjson, signed with the caller's keys from the standard variables", async () => {
    const { code, stdout } = await get(keys());
    expect(code).toBe(0);
    expect(Object.keys(JSON.parse(stdout).auths)).toEqual(registries);
  }, 40_000);

  it('a wrong secret: exit 1, says the trigger refused and why, and prints no secret', async () => {
    const { code, stdout, stderr } = await get(keys(WRONG_SECRET));
    expect(code).toBe(1);
    expect(stderr).toMatch(new RegExp(`^regcred: 403 SignatureRefused: the ${cloud} trigger refused the request: the caller's keys are wrong, or it may not invoke the function \\(.*${permission}`));
    expect(stderr + stdout).not.toContain(WRONG_SECRET);
  }, 40_000);

  it('no keys: exit 1, names the variables to set', async () => {
    const { code, stderr } = await get({});
    expect(code).toBe(1);
    expect(stderr).toMatch(/^regcred: no .* credentials for the caller: set [A-Z_]+ and [A-Z_]+/);
  }, 40_000);
});
