/**
 * TCR end to end: the emulated TCR reports a real local registry as the instance's PublicDomain
 * and mints the password that registry's htpasswd holds, so the credential TcrProvider returns is
 * checked by an actual `/v2/` login (as the registry of a real TCR instance would check it).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_IDENTITY, startTencentEmulator, type TencentEmulator } from '../../emulator/tencent/server.js';
import { requireTestCa, startRegistry, type LocalRegistry } from '../../test/support/registry.js';
import { checkRegistryLogin } from '../registry-login.js';
import { createTcrProvider } from './tcr.js';

const LOGIN = { username: '100000000001', password: 'tcr-temp-password-7c2a9e' };

let registry: LocalRegistry;
let emu: TencentEmulator;
beforeAll(async () => {
  requireTestCa();
  registry = await startRegistry({ users: [LOGIN], tls: true });
  emu = await startTencentEmulator({ tokens: LOGIN, instances: { 'tcr-e2e': { name: 'e2e', publicDomain: registry.host } } });
});
afterAll(async () => {
  await registry?.stop();
  await emu?.stop();
});

describe('TCR credential → real registry login', () => {
  it('logs into the registry DescribeInstances names with the login CreateInstanceToken mints', async () => {
    // Prepare
    const tcr = createTcrProvider({
      keys: { accessKeyId: DEFAULT_IDENTITY.secretId, accessKeySecret: DEFAULT_IDENTITY.secretKey, securityToken: DEFAULT_IDENTITY.token! },
      endpointUrl: emu.url,
    });

    // Act
    const [cred] = await tcr.fetch({ provider: 'tcr', region: 'ap-guangzhou', instanceId: 'tcr-e2e' }, AbortSignal.timeout(5_000));
    const login = checkRegistryLogin(cred!.registry, cred!.username, cred!.password, { signal: AbortSignal.timeout(5_000) });

    // Assess
    expect(cred!.registry).toBe(registry.host);
    await expect(login).resolves.toBeUndefined();
  });

  it('a password the registry does not hold is refused (the check is real)', async () => {
    await expect(checkRegistryLogin(registry.host, LOGIN.username, 'not-the-password', { signal: AbortSignal.timeout(5_000) })).rejects.toThrow();
  });
});
