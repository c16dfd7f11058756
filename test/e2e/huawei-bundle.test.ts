/**
 * The Huawei http handler as it ships: bundled with the one recipe (scripts/bundle.ts), loaded by
 * a fresh `node` process with `require` as FunctionGraph's Node.js runtime loads `index.handler`,
 * it answers an APIG event from the SWR emulator (the SDK's run-time module loading survives esbuild).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleCode, zipBundle } from '../../scripts/bundle.js';
import { apigEvent } from '../../emulator/huawei/apig.js';
import { DEFAULT_IDENTITY, startHuaweiEmulator, type HuaweiEmulator } from '../../emulator/huawei/server.js';

let emu: HuaweiEmulator;
let dir: string;
beforeAll(async () => {
  emu = await startHuaweiEmulator({ sessionLifetimeMs: 24 * 60 * 60_000 });
  dir = await mkdtemp(join(tmpdir(), 'regcred-huawei-bundle-'));
});
afterAll(async () => {
  await emu?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** What FunctionGraph's runtime does: require the file, call `handler(event, context)`. */
const RUNNER = `
const { handler } = require(process.argv[1]);
const [event, keys] = [JSON.parse(process.argv[2]), JSON.parse(process.argv[3])];
const context = {
  getRequestID: () => 'bundle-test', getRemainingTimeInMilliSeconds: () => 10000, getProjectID: () => '0a1b2c3d4e5f60718293a4b5c6d7e8f9',
  getSecurityAccessKey: () => keys.accessKeyId, getSecuritySecretKey: () => keys.secretAccessKey, getSecurityToken: () => keys.securityToken,
};
handler(event, context).then((r) => process.stderr.write('RESULT ' + JSON.stringify(r) + '\\n'));
`;

describe('Huawei http bundle', () => {
  it('loads in a fresh node process and answers an APIG event with an SWR login', async () => {
    // Prepare
    const code = await bundleCode('handlers/huawei/http.ts', { logLevel: 'silent' });
    await writeFile(join(dir, 'index.js'), code);
    const event = apigEvent({ method: 'GET', path: '/credentials', query: 'format=dockerconfigjson' });
    // Act
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ['-e', RUNNER, join(dir, 'index.js'), JSON.stringify(event), JSON.stringify(DEFAULT_IDENTITY)], {
      env: { PATH: process.env.PATH, REGCRED_REGISTRIES: 'swr:cn-north-4', HUAWEICLOUD_ENDPOINT_URL_SWR: emu.url },
      timeout: 30_000,
    });
    // Assess
    const result = JSON.parse(/^RESULT (.*)$/m.exec(stderr)![1]!);
    expect(result.statusCode).toBe(200);
    expect(Object.keys(JSON.parse(result.body).auths)).toEqual(['swr.cn-north-4.myhuaweicloud.com']);
    expect(stdout).toContain('credential issued');
    for (const secret of [DEFAULT_IDENTITY.secretAccessKey, DEFAULT_IDENTITY.securityToken!]) expect(stdout + stderr.replace(/^RESULT.*$/m, '')).not.toContain(secret);
    console.info(`huawei http bundle: ${code.length} bytes, ${zipBundle(code).length} zipped`);
  }, 60_000);
});
