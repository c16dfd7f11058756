import { describe, expect, it } from 'vitest';
import { sha256Hex, signatureFor } from '../../emulator/alibaba/acs3.js';
import { TEST_IDENTITY } from '../../emulator/aws/server.js';
import { verifySigV4 } from '../../emulator/aws/sigv4.js';
import { cloudOf, signerOf } from './index.js';

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
  ])('%s with %s → %s', (url, named, cloud) => {
    expect(cloudOf(new URL(url), named)).toBe(cloud);
  });

  it('names the clouds when given one it does not know', () => {
    expect(() => cloudOf(new URL('https://x.example.com'), 'azure')).toThrow("unknown cloud 'azure': one of aws, alibaba");
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
});

function lower(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
}
