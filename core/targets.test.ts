import { describe, expect, it } from 'vitest';
import type { RegistryCredential } from './provider.js';
import { BadRequestError } from './errors.js';
import { versionToken } from './refresh.js';
import { parseRefreshTargets, targetsFor } from './targets.js';

const registries = [{ provider: 'ecr' as const, region: 'us-east-1' }, { provider: 'ecr-public' as const, region: 'us-east-1' }];
const entry = { store: 'secrets-manager', secretId: 'team/pull', format: 'dockerconfigjson', registries: ['ecr:us-east-1', 'ecr-public:us-east-1'] };
const config = { registries, refreshTargets: parseRefreshTargets({ targets: [entry] }, registries) };

describe('targetsFor: an event may name only exact entries of REGCRED_TARGETS', () => {
  it('accepts an exact entry, whatever the order of its registries', () => {
    const [target] = targetsFor({ targets: [{ ...entry, registries: [...entry.registries].reverse() }] }, config);
    expect(target).toBe(config.refreshTargets[0]);
  });

  it.each([
    ['another secret', { ...entry, secretId: 'team/other' }],
    ['another format', { ...entry, format: 'json' }],
    ['a subset of the registries', { ...entry, registries: ['ecr:us-east-1'] }],
    ['another store', { ...entry, store: 'kms' }],
  ])('rejects %s', (_, target) => {
    expect(() => targetsFor({ targets: [target] }, config)).toThrow(
      new BadRequestError('targets[0] is not an entry of REGCRED_TARGETS; an event may name only configured targets, exactly'),
    );
  });

  it('rejects any named target when REGCRED_TARGETS is not set', () => {
    expect(() => targetsFor({ targets: [entry] }, { registries })).toThrow(/which is not set/);
  });

  it('gives every configured target for an event that names none', () => {
    expect(targetsFor(undefined, config)).toBe(config.refreshTargets);
  });
});

describe('versionToken', () => {
  const credential: RegistryCredential = {
    registry: 'r.example', username: 'AWS', password: 'pw', expiresAt: new Date(0), provider: 'ecr', region: 'us-east-1',
  };
  it('differs between formats of the same secret and credential, so another format is never "already written"', () => {
    expect(versionToken('s', 'json', [credential])).not.toBe(versionToken('s', 'dockerconfigjson', [credential]));
  });
  it('is the same for the same secret, format and credential', () => {
    expect(versionToken('s', 'json', [credential])).toBe(versionToken('s', 'json', [{ ...credential }]));
  });
});
