import { randomUUID } from 'node:crypto';
import * as OpenApiUtilNs from '@alicloud/openapi-util';
import { describe, expect, it } from 'vitest';
import { sha256Hex, signatureFor } from '../../emulator/alibaba/acs3.js';
import { toApiRequest } from './http.js';

/** Darabonba CJS interop (Node vs vitest). */
const OpenApiUtil = ((OpenApiUtilNs as unknown as { default: { default?: unknown } }).default.default ??
  (OpenApiUtilNs as unknown as { default: unknown }).default) as { getAuthorization: (req: unknown, alg: string, payload: string, ak: string, secret: string) => string };

/** The request docs/alibaba.md tells callers to send to the HTTP trigger. */
function signedRequest(url: URL, keys: { accessKeyId: string; accessKeySecret: string }) {
  const request = {
    method: 'GET',
    pathname: url.pathname,
    query: Object.fromEntries(url.searchParams),
    headers: {
      host: url.host,
      'x-acs-date': new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
      'x-acs-signature-nonce': randomUUID(),
      'x-acs-content-sha256': sha256Hex(''),
    } as Record<string, string>,
  };
  request.headers.authorization = OpenApiUtil.getAuthorization(request, 'ACS3-HMAC-SHA256', request.headers['x-acs-content-sha256']!, keys.accessKeyId, keys.accessKeySecret);
  return request;
}

describe('the signed HTTP-trigger call of docs/alibaba.md', () => {
  const keys = { accessKeyId: 'LTAI5tCiBot0000001', accessKeySecret: 'caller-secret-for-tests' };
  const url = new URL('https://regcred-abc.cn-hangzhou.fcapp.run/credentials?format=dockerconfigjson');

  it('carries an ACS3-HMAC-SHA256 signature that an independent verifier recomputes', () => {
    const req = signedRequest(url, keys);
    const [, signedHeaders, signature] = /SignedHeaders=([^,]+),Signature=([0-9a-f]{64})$/.exec(req.headers.authorization!)!;
    const wire = { method: 'GET', url: `${url.pathname}${url.search}`, headers: req.headers, body: Buffer.alloc(0) };
    expect(signatureFor(wire, signedHeaders!.split(';'), keys.accessKeySecret, sha256Hex(''))).toBe(signature);
  });

  it('names the caller AccessKeyId that the handler writes to the audit line', () => {
    const req = signedRequest(url, keys);
    const event = { version: 'v1', rawPath: url.pathname, headers: { Authorization: req.headers.authorization! }, queryParameters: req.query, requestContext: { http: { method: 'GET' } } };
    expect(toApiRequest(Buffer.from(JSON.stringify(event))).caller).toBe(keys.accessKeyId);
  });
});
