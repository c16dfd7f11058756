import { describe, expect, it } from 'vitest';
import { ConfigError, UpstreamError, UpstreamUnavailableError } from '../errors.js';
import { HuaweiUpstreamFault, classifyHuaweiError, createHuaweiClient, resolveHuaweiEndpoint, upstreamStatus } from './client.js';
import { createCsmsSecretStore } from './csms.js';
import { createSwrProvider } from './swr.js';

const keys = { ak: 'AK', sk: 'SK', securityToken: 'TOKEN' };

describe('classifyHuaweiError (the SDK exceptions: httpStatusCode, errorCode, requestId)', () => {
  it.each([
    ['429 without code', { httpStatusCode: 429 }, UpstreamUnavailableError, 'UpstreamThrottled', true],
    ['APIGW.0308 under another status', { httpStatusCode: 403, errorCode: 'APIGW.0308' }, UpstreamUnavailableError, 'UpstreamThrottled', true],
    ['401 APIGW.0301', { httpStatusCode: 401, errorCode: 'APIGW.0301' }, UpstreamError, 'UpstreamAccessDenied', false],
    ['403', { httpStatusCode: 403, errorCode: 'SVCSTG.SWR.4030000' }, UpstreamError, 'UpstreamAccessDenied', false],
    ['500', { httpStatusCode: 500 }, UpstreamError, 'UpstreamError', true],
    ['503', { httpStatusCode: 503, errorCode: 'APIGW.0202' }, UpstreamError, 'UpstreamError', true],
    ['no status (network)', { errorMsg: 'connect ECONNREFUSED 127.0.0.1:1' }, UpstreamError, 'UpstreamError', true],
    ['400', { httpStatusCode: 400, errorCode: 'CSMS.0002' }, UpstreamError, 'UpstreamError', false],
    ['404', { httpStatusCode: 404, errorCode: 'CSMS.0404' }, UpstreamError, 'UpstreamError', false],
  ])('%s', (_name, sdkError, type, code, retryable) => {
    const err = classifyHuaweiError(sdkError, 'CreateSecret');
    expect(err).toBeInstanceOf(type);
    expect(err).toMatchObject({ code, retryable });
    expect(err.message).toMatch(/^CreateSecret /);
  });

  it('keeps only status, code and request id in the cause, and echoes no odd upstream text', () => {
    const err = classifyHuaweiError({ httpStatusCode: 400, errorCode: 'x-security-token: secret value', errorMsg: 'secret value', requestId: 'req-1' }, 'CreateSecret');
    expect(err.message).toBe('CreateSecret failed (400)');
    expect(err.cause).toBeInstanceOf(HuaweiUpstreamFault);
    expect(JSON.stringify(err.cause)).not.toContain('secret value');
    expect(upstreamStatus(err)).toBe(400);
  });
});

describe('endpoints and options', () => {
  it('uses the regional public endpoints unless overridden', () => {
    expect(resolveHuaweiEndpoint(undefined, 'swr-api', 'cn-north-4')).toBe('https://swr-api.cn-north-4.myhuaweicloud.com');
    expect(resolveHuaweiEndpoint(undefined, 'kms', 'ap-southeast-1')).toBe('https://kms.ap-southeast-1.myhuaweicloud.com');
    expect(resolveHuaweiEndpoint('http://127.0.0.1:8080/ignored', 'kms', 'cn-north-4')).toBe('http://127.0.0.1:8080');
  });

  it('rejects a region that could smuggle a host name', () => {
    expect(() => resolveHuaweiEndpoint(undefined, 'swr-api', 'cn-north-4.evil.example')).toThrow(ConfigError);
  });

  it('rejects an endpoint override that is not http(s)', () => {
    expect(() => resolveHuaweiEndpoint('file:///etc/passwd', 'kms', 'cn-north-4')).toThrow(ConfigError);
  });

  it('rejects unknown factory options, naming them', () => {
    expect(() => createSwrProvider({ keys, endpointUrll: 'http://x' } as never)).toThrow(/endpointUrll/);
    expect(() => createCsmsSecretStore('cn-north-4', { keys, projectId: '0'.repeat(32), region: 'x' } as never)).toThrow(/region/);
    expect(() => createHuaweiClient({ endpoint: 'http://x', keys, retries: 3 } as never)).toThrow(/retries/);
  });

  it('rejects a project id that is not 32 hex characters', () => {
    expect(() => createHuaweiClient({ endpoint: 'http://x', keys, projectId: '../other' })).toThrow(ConfigError);
  });
});
