import { describe, expect, it } from 'vitest';
import { ConfigError } from '../errors.js';
import { classifyTencentError, createTencentClient, resolveEndpoint } from './client.js';

/** What tencentcloud-sdk-nodejs-common throws, by shape (see classifyTencentError's comment). */
const apiError = (code: string) => Object.assign(new Error('message from Tencent'), { code, requestId: 'req-123' });
const httpError = (httpCode: number) => Object.assign(new Error('Bad Gateway'), { httpCode, requestId: '' });
const networkError = () => Object.assign(new Error('request to http://127.0.0.1:1/ failed, reason: connect ECONNREFUSED'), { requestId: '' });
const invalidJson = () => Object.assign(new Error('invalid json response body'), { type: 'invalid-json' });

describe('classifyTencentError', () => {
  it.each([
    ['RequestLimitExceeded', apiError('RequestLimitExceeded'), 'UpstreamThrottled', true],
    ['RequestLimitExceeded.UinLimitExceeded', apiError('RequestLimitExceeded.UinLimitExceeded'), 'UpstreamThrottled', true],
    ['AuthFailure.SignatureFailure', apiError('AuthFailure.SignatureFailure'), 'UpstreamAccessDenied', false],
    ['AuthFailure.TokenFailure', apiError('AuthFailure.TokenFailure'), 'UpstreamAccessDenied', false],
    ['UnauthorizedOperation', apiError('UnauthorizedOperation'), 'UpstreamAccessDenied', false],
    ['InternalError.ErrorTcrUnauthorized', apiError('InternalError.ErrorTcrUnauthorized'), 'UpstreamAccessDenied', false],
    ['InternalError', apiError('InternalError'), 'UpstreamError', true],
    ['InternalError.DbError', apiError('InternalError.DbError'), 'UpstreamError', true],
    ['ResourceUnavailable', apiError('ResourceUnavailable'), 'UpstreamError', true],
    ['ResourceUnavailable.ResourceDisabled (a lasting state)', apiError('ResourceUnavailable.ResourceDisabled'), 'UpstreamError', false],
    ['ResourceUnavailable.NotPurchased (a lasting state)', apiError('ResourceUnavailable.NotPurchased'), 'UpstreamError', false],
    ['ResourceNotFound', apiError('ResourceNotFound'), 'UpstreamError', false],
    ['InvalidParameter', apiError('InvalidParameter'), 'UpstreamError', false],
    ['HTTP 502', httpError(502), 'UpstreamError', true],
    ['HTTP 429', httpError(429), 'UpstreamThrottled', true],
    ['HTTP 403', httpError(403), 'UpstreamAccessDenied', false],
    ['HTTP 404', httpError(404), 'UpstreamError', false],
    ['no answer (connection refused)', networkError(), 'UpstreamError', true],
    ['a 200 body that is not JSON', invalidJson(), 'UpstreamInvalidResponse', false],
    ['JSON without a Response envelope', new TypeError("Cannot read properties of undefined (reading 'Error')"), 'UpstreamInvalidResponse', false],
  ])('%s → %s (retryable: %s)', (_name, err, code, retryable) => {
    expect(classifyTencentError(err, 'CreateInstanceToken')).toMatchObject({ code: code as string, retryable });
  });

  it('names the action and the code, never the upstream message or request id', () => {
    const classified = classifyTencentError(apiError('InternalError'), 'UpdateSecret');
    expect(classified.message).toBe('UpdateSecret failed (InternalError)');
    expect(classified.message).not.toContain('req-123');
    expect(classified.cause).toBeInstanceOf(Error);
  });

  it('keeps the body of an unparseable answer out of the cause (it may hold a token)', () => {
    const leaky = Object.assign(new Error('invalid json response body at http://x/ reason: Unexpected token, "{"Token":"s3cr3t..." is not valid JSON'), { type: 'invalid-json' });
    expect(String((classifyTencentError(leaky, 'X').cause as Error).message)).not.toContain('s3cr3t');
  });

  it('does not echo a code that is not a plain identifier', () => {
    expect(classifyTencentError(apiError('Bad <script>code</script> with a secret'), 'X').message).toBe('X failed (unreadable code)');
  });
});

describe('createTencentClient', () => {
  it.each([
    ['an empty secretId', { secretId: '', secretKey: 'k' }],
    ['an empty secretKey', { secretId: 'AKID', secretKey: '' }],
  ])('refuses %s at construction (a cold-start ConfigError, not a denied call later)', (_name, keys) => {
    expect(() => createTencentClient({ product: 'tcr', region: 'ap-guangzhou', keys })).toThrow(ConfigError);
  });

  it('refuses a region that is not a Tencent region id', () => {
    expect(() => createTencentClient({ product: 'ssm', region: 'ap guangzhou', keys: { secretId: 'a', secretKey: 'b' } })).toThrow(ConfigError);
  });
});

describe('resolveEndpoint', () => {
  it.each([
    [undefined, { host: 'tcr.tencentcloudapi.com', protocol: 'https://' }],
    ['http://127.0.0.1:8080', { host: '127.0.0.1:8080', protocol: 'http://' }],
    ['https://tcr.ap-guangzhou.tencentcloudapi.com', { host: 'tcr.ap-guangzhou.tencentcloudapi.com', protocol: 'https://' }],
    ['tcr.internal.example:8443', { host: 'tcr.internal.example:8443', protocol: 'https://' }],
  ])('%s → %o', (override, expected) => {
    expect(resolveEndpoint(override, 'tcr.tencentcloudapi.com')).toEqual(expected);
  });

  it.each(['ftp://host', 'http://127.0.0.1:8080/path', 'http://[bad'])('refuses %s as a configuration error', (override) => {
    expect(() => resolveEndpoint(override, 'tcr.tencentcloudapi.com')).toThrow(ConfigError);
  });
});
