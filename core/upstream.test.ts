import { describe, expect, it, vi } from 'vitest';
import { ConfigError, UpstreamError, UpstreamUnavailableError } from './errors.js';
import { abandoned, assertRegionId, cachedPerRegion, endpointUrl, invalidAnswer, isNetworkError, isRegionId, nonEmptyString } from './upstream.js';

const withCode = (code: unknown) => Object.assign(new Error('boom'), { code });

describe('isNetworkError', () => {
  it.each(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EAI_AGAIN', 'UND_ERR_SOCKET'])('takes %s as no answer', (code) => {
    expect(isNetworkError(withCode(code))).toBe(true);
  });

  it.each([['an API code', withCode('Throttling')], ['a numeric code', withCode(104)], ['no code', new Error('x')], ['null', null], ['undefined', undefined]])(
    'does not take %s as a network failure',
    (_name, err) => {
      expect(isNetworkError(err)).toBe(false);
    },
  );
});

describe('isRegionId', () => {
  it.each(['us-east-1', 'us-gov-west-1', 'cn-hangzhou', 'ap-southeast-1', 'cn-shanghai-finance-1', 'ap-guangzhou', 'na-siliconvalley', 'cn-north-4', 'la-south-2'])(
    'takes %s, a real region id',
    (region) => {
      expect(isRegionId(region)).toBe(true);
    },
  );

  it.each(['', 'cn', 'cn-north-4.evil.com', 'cn-north-4/x', 'CN-NORTH-4', 'cn north 4', 'cn-', '-cn-north', 'cn--north', 'cn-north-4:80'])(
    'refuses %o: it could not stand in a hostname as one label',
    (region) => {
      expect(isRegionId(region)).toBe(false);
    },
  );

  it('checks a stricter shape when one is passed', () => {
    const numbered = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;
    expect(isRegionId('us-east-1', numbered)).toBe(true);
    expect(isRegionId('cn-hangzhou', numbered)).toBe(false);
  });
});

describe('assertRegionId', () => {
  it('passes a region id', () => {
    expect(() => assertRegionId('cn-north-4', 'Huawei Cloud')).not.toThrow();
  });

  it.each([
    ['AWS', "region 'x.y' is not an AWS region id"],
    ['Alibaba Cloud', "region 'x.y' is not an Alibaba Cloud region id"],
    ['Tencent Cloud', "region 'x.y' is not a Tencent Cloud region id"],
  ])('names the cloud, with its article, in the ConfigError (%s)', (cloud, message) => {
    expect(() => assertRegionId('x.y', cloud)).toThrow(new ConfigError(message));
    expect(() => assertRegionId('x.y', cloud)).toThrow(ConfigError);
  });

  it('refuses what the stricter shape refuses', () => {
    expect(() => assertRegionId('cn-hangzhou', 'AWS', /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/)).toThrow("region 'cn-hangzhou' is not an AWS region id");
  });
});

describe('cachedPerRegion', () => {
  it('builds one client per region and hands it out again', () => {
    // Prepare
    const factory = vi.fn((region: string) => ({ region }));
    const clientFor = cachedPerRegion(factory);
    // Act
    const first = clientFor('cn-north-4');
    const again = clientFor('cn-north-4');
    const other = clientFor('la-south-2');
    // Assess
    expect(again).toBe(first);
    expect(other).toEqual({ region: 'la-south-2' });
    expect(factory.mock.calls).toEqual([['cn-north-4'], ['la-south-2']]);
  });

  it('keeps no client whose factory threw: the next call builds again', () => {
    let calls = 0;
    const clientFor = cachedPerRegion((region: string) => {
      if (calls++ === 0) throw new ConfigError(`bad ${region}`);
      return { region };
    });
    expect(() => clientFor('ap-guangzhou')).toThrow('bad ap-guangzhou');
    expect(clientFor('ap-guangzhou')).toEqual({ region: 'ap-guangzhou' });
    expect(calls).toBe(2);
  });

  it('drops a client promise that rejected, and keeps one that resolved', async () => {
    let calls = 0;
    const clientFor = cachedPerRegion(async (region: string) => {
      if (calls++ === 0) throw new Error('the SDK did not load');
      return { region };
    });
    await expect(clientFor('us-east-1')).rejects.toThrow('the SDK did not load');
    const loaded = clientFor('us-east-1');
    await expect(loaded).resolves.toEqual({ region: 'us-east-1' });
    expect(clientFor('us-east-1')).toBe(loaded);
    expect(calls).toBe(2);
  });
});

describe('endpointUrl', () => {
  it.each([
    ['http://127.0.0.1:8080', 'http://127.0.0.1:8080/'],
    ['HTTPS://cr.cn-hangzhou.aliyuncs.com/x', 'https://cr.cn-hangzhou.aliyuncs.com/x'],
    ['tcr.internal.example:8443', 'https://tcr.internal.example:8443/'],
  ])('takes %s as %s', (value, href) => {
    expect(endpointUrl(value, 'endpoint override').href).toBe(href);
  });

  it.each([
    ['ftp://host', "endpoint override 'ftp://host' must be http or https"],
    ['file:///etc/passwd', "endpoint override 'file:///etc/passwd' must be http or https"],
    ['http://[bad', "endpoint override 'http://[bad' is not a URL"],
  ])('refuses %s with a ConfigError naming it', (value, message) => {
    expect(() => endpointUrl(value, 'endpoint override')).toThrow(new ConfigError(message));
  });

  it('refuses a bare host when bare hosts are not taken', () => {
    expect(() => endpointUrl('127.0.0.1:8080', 'Huawei endpoint', false)).toThrow("Huawei endpoint '127.0.0.1:8080' is not a URL");
    expect(() => endpointUrl('kms.example:8443', 'Huawei endpoint', false)).toThrow("Huawei endpoint 'kms.example:8443' must be http or https");
  });
});

describe('abandoned', () => {
  it('is a retryable UpstreamTimeout keeping the signal reason as its cause', () => {
    const controller = new AbortController();
    const reason = new Error('budget spent');
    controller.abort(reason);
    const err = abandoned('CreateSecret', controller.signal);
    expect(err).toBeInstanceOf(UpstreamUnavailableError);
    expect(err).toMatchObject({ code: 'UpstreamTimeout', message: 'CreateSecret was abandoned', cause: reason });
  });
});

describe('invalidAnswer and nonEmptyString', () => {
  it('names the action and what is wrong', () => {
    const err = invalidAnswer('CreateSecret', 'has no auths');
    expect(err).toBeInstanceOf(UpstreamError);
    expect(err).toMatchObject({ code: 'UpstreamInvalidResponse', message: 'CreateSecret answer has no auths' });
  });

  it('passes a non-empty string through', () => {
    expect(nonEmptyString('u', 'Username', 'CreateInstanceToken')).toBe('u');
  });

  it.each([[''], [undefined], [42], [{}]])('refuses %o naming the field, never the value', (value) => {
    expect(() => nonEmptyString(value, 'Username', 'CreateInstanceToken')).toThrow(
      new UpstreamError('UpstreamInvalidResponse', 'CreateInstanceToken answer field Username is missing or not a non-empty string'),
    );
  });
});
