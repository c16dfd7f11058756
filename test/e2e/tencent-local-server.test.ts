/**
 * `npm start -- --cloud tencent` end to end: the banner's command (the regcred client, TC3 with the
 * local caller's test key) against the local function URL, which checks the signature as a
 * function URL with CAM auth does before the real SCF handler answers from the TCR emulator.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { tc3GetHeaders } from '../../core/tencent/tc3.js';
import { tc3Get } from '../../deploy/tencent/call.js';
import { serve, type LocalServer } from '../../dev/serve.js';
import { LOCAL_CALLER } from '../../dev/tencent.js';
import { PROJECT_DIR } from '../support/registry.js';

let server: LocalServer;
let banner = '';
beforeAll(async () => {
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((banner += String(chunk)), true));
  try {
    server = await serve({ emulator: true, cloud: 'tencent', port: 0 });
  } finally {
    spy.mockRestore();
  }
});
afterAll(() => server.close());

describe('local server --cloud tencent', () => {
  it('the printed command, pasted into a shell, prints a dockerconfigjson for both emulated registries', async () => {
    // Prepare: the line of the banner that a developer pastes
    const command = banner.split('\n').find((l) => l.includes('npx tsx cli/main.ts get --cloud tencent'))!.trim();
    // Act
    const { stdout } = await promisify(execFile)('sh', ['-c', command], { cwd: PROJECT_DIR, timeout: 60_000 });
    // Assess
    expect(Object.keys(JSON.parse(stdout).auths)).toEqual(['emulator.tencentcloudcr.com', 'second.tencentcloudcr.com']);
  }, 70_000);

  it('refuses an unsigned request with 403, as a function URL with CAM auth does', async () => {
    const res = await fetch(`${server.url}/credentials`);
    expect(res.status).toBe(403);
  });

  it('refuses a request signed with the wrong secret key', async () => {
    const res = await tc3Get(`${server.url}/credentials`, { secretId: LOCAL_CALLER.secretId, secretKey: 'not-the-secret' });
    expect(res.status).toBe(403);
  });

  it('refuses a request signed for another path (the signature covers the URL)', async () => {
    const target = new URL(`${server.url}/credentials?format=json`);
    const headers = tc3GetHeaders(new URL(`${server.url}/credentials?format=kubelet`), LOCAL_CALLER, Date.now());
    const res = await fetch(target, { headers });
    expect(res.status).toBe(403);
  });

  it('passes the API error through to the signed caller', async () => {
    const res = await tc3Get(`${server.url}/credentials?format=xml`, LOCAL_CALLER);
    expect([res.status, ((await res.json()) as { error: { code: string } }).error.code]).toEqual([400, 'BadRequest']);
  });
});
