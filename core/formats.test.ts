import { describe, expect, it } from 'vitest';
import type { RegistryCredential } from './provider.js';
import { goDuration, render } from './formats.js';

const ecr: RegistryCredential = {
  registry: '123456789012.dkr.ecr.us-east-1.amazonaws.com',
  username: 'AWS',
  password: 'pa:ss:word',
  expiresAt: new Date('2026-11-24T00:00:00.000Z'),
  provider: 'ecr',
  region: 'us-east-1',
};
const acr: RegistryCredential = { ...ecr, registry: 'registry.cn-shanghai.aliyuncs.com', username: 'cr_temp_user', password: 'tok', provider: 'acr', region: 'cn-shanghai' };
const b64 = (s: string) => Buffer.from(s).toString('base64');

describe('render', () => {
  it('json lists every credential with an ISO expiry', () => {
    expect(render('json', [ecr, acr])).toEqual({
      credentials: [
        { registry: ecr.registry, username: 'AWS', password: 'pa:ss:word', expiresAt: '2026-11-24T00:00:00.000Z', provider: 'ecr', region: 'us-east-1' },
        { registry: acr.registry, username: 'cr_temp_user', password: 'tok', expiresAt: '2026-11-24T00:00:00.000Z', provider: 'acr', region: 'cn-shanghai' },
      ],
    });
  });

  it('json for one host is the bare object', () => {
    expect(render('json', [ecr], { single: true })).toMatchObject({ registry: ecr.registry, username: 'AWS' });
  });

  it('dockerconfigjson keys auths by host, auth is base64(user:pass) with colons kept', () => {
    expect(render('dockerconfigjson', [ecr, acr])).toEqual({
      auths: {
        [ecr.registry]: { username: 'AWS', password: 'pa:ss:word', auth: b64('AWS:pa:ss:word') },
        [acr.registry]: { username: 'cr_temp_user', password: 'tok', auth: b64('cr_temp_user:tok') },
      },
    });
  });

  it('kubernetes is a dockerconfigjson Secret whose data decodes to the dockerconfigjson', () => {
    const secret = render('kubernetes', [ecr], { name: 'pull', namespace: 'ci' }) as { data: Record<string, string> };
    expect(secret).toMatchObject({ apiVersion: 'v1', kind: 'Secret', type: 'kubernetes.io/dockerconfigjson', metadata: { name: 'pull', namespace: 'ci' } });
    expect(JSON.parse(Buffer.from(secret.data['.dockerconfigjson']!, 'base64').toString())).toEqual(render('dockerconfigjson', [ecr]));
  });

  it.each([
    ['name', { name: 'Bad_Name' }],
    ['namespace', { namespace: 'a.b' }],
  ])('kubernetes rejects a bad %s naming it', (field, options) => {
    expect(() => render('kubernetes', [ecr], options)).toThrow(new RegExp(`^${field} must be`));
  });

  it('credential-helper speaks the Docker credential-helper protocol', () => {
    expect(render('credential-helper', [ecr])).toEqual({ ServerURL: ecr.registry, Username: 'AWS', Secret: 'pa:ss:word' });
  });

  it('kubelet caches until the half-life', () => {
    const now = Date.parse('2026-11-23T12:00:00Z');
    expect(render('kubelet', [ecr], { now, freshUntil: now + 21_570_000 })).toEqual({
      kind: 'CredentialProviderResponse',
      apiVersion: 'credentialprovider.kubelet.k8s.io/v1',
      cacheKeyType: 'Registry',
      cacheDuration: '5h59m30s',
      auth: { [ecr.registry]: { username: 'AWS', password: 'pa:ss:word' } },
    });
  });

  it.each(['credential-helper', 'kubelet'] as const)('%s for two registries is a 400', (format) => {
    expect(() => render(format, [ecr, acr])).toThrow(expect.objectContaining({ status: 400 }));
  });
});

describe('goDuration', () => {
  it.each([
    [0, '0s'],
    [-5_000, '0s'],
    [999, '0s'],
    [59_000, '59s'],
    [60_000, '1m0s'],
    [3_600_000, '1h0m0s'],
    [21_570_000, '5h59m30s'],
    [43_200_000, '12h0m0s'],
  ])('%i ms → %s', (ms, text) => {
    expect(goDuration(ms)).toBe(text);
  });
});
