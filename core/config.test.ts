import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';

describe('loadConfig', () => {
  it('parses the example registries of docs/design.md, "Configuration"', () => {
    const config = loadConfig({
      REGCRED_REGISTRIES: 'ecr:us-east-1,acr-ee:cn-hangzhou:cri-abc,acr:cn-shanghai,tcr:ap-guangzhou:tcr-abc,swr:cn-north-4',
    });
    expect(config.registries).toEqual([
      { provider: 'ecr', region: 'us-east-1' },
      { provider: 'acr-ee', region: 'cn-hangzhou', instanceId: 'cri-abc' },
      { provider: 'acr', region: 'cn-shanghai' },
      { provider: 'tcr', region: 'ap-guangzhou', instanceId: 'tcr-abc' },
      { provider: 'swr', region: 'cn-north-4' },
    ]);
    expect(config).toMatchObject({ logLevel: 'info', retry: { attemptTimeoutMs: 3000 }, endpoints: {} });
  });

  it('takes several ECR registries in one region: the own account and other accounts by id', () => {
    const { registries } = loadConfig({ REGCRED_REGISTRIES: 'ecr:us-east-1,ecr:us-east-1:111122223333,ecr:us-east-1:444455556666=r.example.com' });
    expect(registries).toEqual([
      { provider: 'ecr', region: 'us-east-1' },
      { provider: 'ecr', region: 'us-east-1', instanceId: '111122223333' },
      { provider: 'ecr', region: 'us-east-1', instanceId: '444455556666', host: 'r.example.com' },
    ]);
  });

  it('takes a registry host override after =', () => {
    const { registries } = loadConfig({ REGCRED_REGISTRIES: 'acr:cn-shanghai=Registry-VPC.cn-shanghai.aliyuncs.com' });
    expect(registries[0]).toEqual({ provider: 'acr', region: 'cn-shanghai', host: 'registry-vpc.cn-shanghai.aliyuncs.com' });
  });

  it.each([
    [{}, /^REGCRED_REGISTRIES is required/],
    [{ REGCRED_REGISTRIES: 'gcr:us-east-1' }, /^REGCRED_REGISTRIES: 'gcr:us-east-1': provider must be one of/],
    [{ REGCRED_REGISTRIES: 'ecr:US_EAST' }, /^REGCRED_REGISTRIES: 'ecr:US_EAST': 'US_EAST' is not a region/],
    [{ REGCRED_REGISTRIES: 'ecr-public:eu-west-1' }, /only in us-east-1/],
    [{ REGCRED_REGISTRIES: 'acr-ee:cn-hangzhou' }, /'acr-ee:cn-hangzhou': acr-ee needs an instance id/],
    [{ REGCRED_REGISTRIES: 'ecr:us-east-1:i-1' }, /'ecr:us-east-1:i-1': ecr takes an optional id like 123456789012/],
    [{ REGCRED_REGISTRIES: 'ecr:us-east-1:12345678901' }, /'ecr:us-east-1:12345678901': ecr takes an optional id/],
    [{ REGCRED_REGISTRIES: 'ecr:us-east-1:111122223333,ecr:us-east-1:111122223333' }, /lists 'ecr:us-east-1:111122223333' twice/],
    [{ REGCRED_REGISTRIES: 'ecr-public:us-east-1:111122223333' }, /ecr-public takes no instance id/],
    [{ REGCRED_REGISTRIES: 'ecr:us-east-1,,acr:cn-shanghai' }, /empty entry/],
    [{ REGCRED_REGISTRIES: 'ecr:us-east-1,ecr:us-east-1' }, /lists 'ecr:us-east-1' twice/],
    [{ REGCRED_REGISTRIES: 'acr:cn-shanghai=bad host' }, /'bad host' is not host\[:port\]/],
    [{ REGCRED_REGISTRIES: 'ecr:us-east-1', LOG_LEVEL: 'loud' }, /^LOG_LEVEL must be one of/],
    [{ REGCRED_REGISTRIES: 'ecr:us-east-1', REGCRED_ATTEMPT_TIMEOUT_MS: '5s' }, /^REGCRED_ATTEMPT_TIMEOUT_MS must be/],
    [{ REGCRED_REGISTRIES: 'ecr:us-east-1', REGCRED_ALLOWED_CALLERS: 'arn:*, ' }, /^REGCRED_ALLOWED_CALLERS has a bad entry/],
    [{ REGCRED_REGISTRIES: 'ecr:us-east-1', ALIBABA_CLOUD_ENDPOINT_URL_CR: 'ftp://x' }, /^ALIBABA_CLOUD_ENDPOINT_URL_CR must be an http/],
    [{ REGCRED_REGISTRIES: 'ecr:us-east-1', REGCRED_TARGETS: '{' }, /^REGCRED_TARGETS: is not valid JSON/],
  ])('rejects %j naming the variable and entry', (env, message) => {
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('compiles caller globs that must match the whole identity', () => {
    const { allowedCallers = [] } = loadConfig({
      REGCRED_REGISTRIES: 'ecr:us-east-1',
      REGCRED_ALLOWED_CALLERS: 'arn:aws:sts::123456789012:assumed-role/ci-*/*,arn:aws:iam::123456789012:user/bot?',
    });
    const allowed = (who: string) => allowedCallers.some((p) => p.test(who));
    expect(allowed('arn:aws:sts::123456789012:assumed-role/ci-build/session1')).toBe(true);
    expect(allowed('arn:aws:iam::123456789012:user/bot1')).toBe(true);
    expect(allowed('arn:aws:iam::123456789012:user/bot12')).toBe(false);
    expect(allowed('xarn:aws:sts::123456789012:assumed-role/ci-build/s')).toBe(false);
    expect(allowed('arn:aws:sts::123456789012:assumed-role/admin/s')).toBe(false);
  });

  it('parses REGCRED_TARGETS against the configured registries', () => {
    const config = loadConfig({
      REGCRED_REGISTRIES: 'ecr:us-east-1,acr:cn-shanghai=r.example.com',
      REGCRED_TARGETS: JSON.stringify({ targets: [{ store: 'secrets-manager', secretId: 'regcred/pull', registries: ['ecr:us-east-1', 'acr:cn-shanghai'] }] }),
    });
    expect(config.refreshTargets).toEqual([
      {
        store: 'secrets-manager',
        secretId: 'regcred/pull',
        format: 'dockerconfigjson',
        registries: [{ provider: 'ecr', region: 'us-east-1' }, { provider: 'acr', region: 'cn-shanghai', host: 'r.example.com' }],
      },
    ]);
  });

  it.each([
    [{ targets: [] }, /targets must be a non-empty array/],
    [{ targets: [{ store: 's3', secretId: 'x', registries: ['ecr:us-east-1'] }] }, /targets\[0\]\.store must be one of/],
    [{ targets: [{ store: 'kms', secretId: '', registries: ['ecr:us-east-1'] }] }, /targets\[0\]\.secretId must be/],
    [{ targets: [{ store: 'kms', secretId: 'x', registries: ['ecr:eu-west-1'] }] }, /targets\[0\]\.registries\[0\]: 'ecr:eu-west-1' is not in REGCRED_REGISTRIES/],
    [{ targets: [{ store: 'kms', secretId: 'x', registries: ['ecr:us-east-1'], extra: 1 }] }, /targets\[0\]\.extra is not a known field/],
    [{ targets: [{ store: 'kms', secretId: 'x', format: 'yaml', registries: ['ecr:us-east-1'] }] }, /targets\[0\]\.format must be one of/],
    [{ target: [] }, /unknown field 'target'/],
  ])('rejects REGCRED_TARGETS %j naming the field', (targets, message) => {
    expect(() => loadConfig({ REGCRED_REGISTRIES: 'ecr:us-east-1', REGCRED_TARGETS: JSON.stringify(targets) })).toThrow(message);
  });
});
