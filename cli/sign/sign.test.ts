import { describe, expect, it } from 'vitest';
import { sha256Hex, signatureFor } from '../../emulator/alibaba/acs3.js';
import { TEST_IDENTITY } from '../../emulator/aws/server.js';
import { verifySigV4 } from '../../emulator/aws/sigv4.js';
import { verifySdkHmac } from '../../emulator/huawei/sdk-hmac.js';
import { verifyTc3 } from '../../emulator/tencent/tc3.js';
import { NoCallerCredentialsError } from '../errors.js';
import { callerKeys as huaweiCallerKeys } from './huawei.js';
import { cloudOf, signerOf } from './index.js';
import { callerKeys as tencentCallerKeys } from './tencent.js';

describe('cloudOf', () => {
  it.each([
    ['https://abc.lambda-url.us-east-1.on.aws', undefined, 'aws'],
    ['https://abc.lambda-url.eu-west-1.on.aws/', 'alibaba', 'aws'], // the host wins: another cloud's signature can only fail
    ['https://regcred-x.cn-hangzhou.fcapp.run', undefined, 'alibaba'],
    ['https://REGCRED-X.CN-HANGZHOU.FCAPP.RUN', undefined, 'alibaba'],
    ['https://registry-creds.example.com', 'alibaba', 'alibaba'],
    ['http://127.0.0.1:8787', 'aws', 'aws'],
    ['http://127.0.0.1:8787', undefined, 'aws'],
    ['http://127.0.0.1:8787', '', 'aws'],
    ['https://fcapp.run.example.com', undefined, 'aws'],
    ['https://1250000000-abcdefghij.ap-guangzhou.tencentscf.com', undefined, 'tencent'],
    ['https://1250000000-abcdefghij.ap-guangzhou.tencentscf.com', 'huawei', 'tencent'],
    ['https://0123456789abcdef0123456789abcdef.apig.cn-north-4.huaweicloudapis.com', undefined, 'huawei'],
    ['https://0123456789abcdef0123456789abcdef.apig.ap-southeast-1.huaweicloudapis.com', 'aws', 'huawei'],
    ['https://swr.cn-north-4.myhuaweicloud.com', undefined, 'aws'],
    ['http://127.0.0.1:8787', 'tencent', 'tencent'],
    ['http://127.0.0.1:8787', 'huawei', 'huawei'],
  ])('%s with %s → %s', (url, named, cloud) => {
    expect(cloudOf(new URL(url), named)).toBe(cloud);
  });

  it('names the clouds when given one it does not know', () => {
    expect(() => cloudOf(new URL('https://x.example.com'), 'azure')).toThrow("unknown cloud 'azure': one of aws, alibaba, tencent, huawei");
  });
});

describe('signers', () => {
  const keys = { accessKeyId: TEST_IDENTITY.accessKeyId, secretAccessKey: TEST_IDENTITY.secretAccessKey };

  it('aws: a SigV4 signature (service lambda) that the emulator\'s verifier accepts', async () => {
    const url = new URL('http://127.0.0.1:8787/credentials/public.ecr.aws?format=json');
    const headers = await (await signerOf('aws')).sign(url, { credentials: keys });
    const verdict = verifySigV4(
      { method: 'GET', url: `${url.pathname}${url.search}`, headers: { ...lower(headers), host: url.host }, body: Buffer.alloc(0) },
      { identities: [TEST_IDENTITY], now: Date.now(), service: 'lambda' },
    );
    expect(verdict.ok).toBe(true);
  });

  it('alibaba: an ACS3-HMAC-SHA256 signature that an independent verifier recomputes', async () => {
    const url = new URL('https://regcred-x.cn-hangzhou.fcapp.run/credentials/registry.cn-shanghai.aliyuncs.com?format=json');
    const alibabaKeys = { accessKeyId: 'LTAI5tCiBot0000001', secretAccessKey: 'caller-secret-for-tests', sessionToken: 'sts-token' };
    const headers = lower(await (await signerOf('alibaba')).sign(url, { credentials: alibabaKeys }));
    const [, keyId, signedHeaders, signature] = /^ACS3-HMAC-SHA256 Credential=([^,]+),SignedHeaders=([^,]+),Signature=([0-9a-f]{64})$/.exec(headers.authorization!)!;
    const wire = { method: 'GET', url: `${url.pathname}${url.search}`, headers: { ...headers, host: url.host }, body: Buffer.alloc(0) };
    expect(keyId).toBe(alibabaKeys.accessKeyId);
    expect(signedHeaders!.split(';')).toEqual(expect.arrayContaining(['host', 'x-acs-date', 'x-acs-security-token', 'x-acs-signature-nonce']));
    expect(signatureFor(wire, signedHeaders!.split(';'), alibabaKeys.secretAccessKey, sha256Hex(''))).toBe(signature);
  });

  it('tencent: a TC3-HMAC-SHA256 signature (service scf, temporary key) that the emulator\'s verifier accepts', async () => {
    // Prepare
    const url = new URL('https://1250000000-abcdefghij.ap-guangzhou.tencentscf.com/credentials/emulator.tencentcloudcr.com?format=json');
    const identity = { secretId: 'AKIDcallerTempKey0000000000000000', secretKey: 'caller-temp-secret', token: 'caller-session-token' };
    // Act
    const headers = await (await signerOf('tencent')).sign(url, { credentials: { accessKeyId: identity.secretId, secretAccessKey: identity.secretKey, sessionToken: identity.token } });
    // Assess
    const wire = { method: 'GET', url: `${url.pathname}${url.search}`, headers: { ...lower(headers), host: url.host }, body: Buffer.alloc(0) };
    expect(verifyTc3(wire, { identities: [identity], now: Date.now(), service: 'scf' })).toMatchObject({ ok: true, service: 'scf' });
  });

  it('huawei: an SDK-HMAC-SHA256 signature (temporary key, encoded path) that the emulator\'s verifier accepts', async () => {
    // Prepare
    const url = new URL(`https://0123456789abcdef0123456789abcdef.apig.cn-north-4.huaweicloudapis.com/credentials/${encodeURIComponent('swr.cn-north-4.myhuaweicloud.com:443')}?format=json&name=a%20b`);
    const identity = { accessKeyId: 'CALLERTEMPAK0001', secretAccessKey: 'caller-temp-sk', securityToken: 'caller-security-token' };
    // Act
    const headers = lower(await (await signerOf('huawei')).sign(url, { credentials: { accessKeyId: identity.accessKeyId, secretAccessKey: identity.secretAccessKey, sessionToken: identity.securityToken } }));
    // Assess
    const wire = { method: 'GET', url: `${url.pathname}${url.search}`, headers: { ...headers, host: url.host }, body: Buffer.alloc(0) };
    expect(headers).not.toHaveProperty('host');
    expect(verifySdkHmac(wire, { identities: [identity], now: Date.now() })).toMatchObject({ ok: true });
  });
});

describe("the caller's keys from the environment", () => {
  it.each([
    ['tencent', tencentCallerKeys, { TENCENTCLOUD_SECRET_ID: 'AKIDx', TENCENTCLOUD_SECRET_KEY: 'sk', TENCENTCLOUD_SESSION_TOKEN: 't' }, { secretId: 'AKIDx', secretKey: 'sk', token: 't' }],
    ['tencent', tencentCallerKeys, { TENCENTCLOUD_SECRET_ID: 'AKIDx', TENCENTCLOUD_SECRET_KEY: 'sk' }, { secretId: 'AKIDx', secretKey: 'sk' }],
    ['huawei', huaweiCallerKeys, { HUAWEICLOUD_SDK_AK: 'AK', HUAWEICLOUD_SDK_SK: 'sk', HUAWEICLOUD_SDK_SECURITY_TOKEN: 't' }, { accessKeyId: 'AK', secretAccessKey: 'sk', sessionToken: 't' }],
    ['huawei', huaweiCallerKeys, { HUAWEICLOUD_SDK_AK: 'AK', HUAWEICLOUD_SDK_SK: 'sk' }, { accessKeyId: 'AK', secretAccessKey: 'sk' }],
  ])('%s: reads the standard variables %j', (_cloud, callerKeys, env, keys) => {
    expect(callerKeys(env)).toEqual(keys);
  });

  it.each([
    ['tencent', tencentCallerKeys, { TENCENTCLOUD_SECRET_ID: 'AKIDx' }, /TENCENTCLOUD_SECRET_ID and TENCENTCLOUD_SECRET_KEY/],
    ['huawei', huaweiCallerKeys, { HUAWEICLOUD_SDK_SK: 'only-the-secret' }, /HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK/],
  ])('%s: without both halves of a key says which variables to set', (_cloud, callerKeys, env, message) => {
    expect(() => callerKeys(env)).toThrow(NoCallerCredentialsError);
    expect(() => callerKeys(env)).toThrow(message);
  });
});

function lower(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
}
