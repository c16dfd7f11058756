import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ServiceError } from '../front-end.js';
import { SsmState, ssmService } from './ssm.js';
import { tcrService } from './tcr.js';
import { tencentWire } from './wire.js';

const services = [tcrService({ username: 'u', lifetimeMs: 1, capToSession: false, accountUin: '1' }, {}), ssmService(new SsmState())];
const wire = tencentWire({ identities: [], services });

describe('tencentWire', () => {
  it('routes any request to a route or a Tencent error, never a throw (fuzzed headers and body)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('POST', 'GET', 'PUT'),
        fc.constantFrom('/', '/?a=1', '/x'),
        fc.option(fc.constantFrom('CreateInstanceToken', 'GetSecretValue', 'Nope', ''), { nil: undefined }),
        fc.option(fc.constantFrom('2019-09-24', '2019-09-23', 'x'), { nil: undefined }),
        fc.option(fc.constantFrom('application/json', 'text/plain'), { nil: undefined }),
        fc.oneof(fc.string(), fc.json()),
        (method, url, action, version, contentType, body) => {
          const headers = { ...(action !== undefined && { 'x-tc-action': action }), ...(version !== undefined && { 'x-tc-version': version }), ...(contentType && { 'content-type': contentType }) };
          const routed = wire.route({ method, url, headers, body: Buffer.from(body) }, services);
          return routed instanceof ServiceError ? routed.status >= 400 && /^[A-Z][A-Za-z.]+$/.test(routed.code) : typeof routed.input === 'object';
        },
      ),
      { numRuns: 500 },
    );
  });

  it('answers an error as HTTP 200 with Response.Error and the RequestId', () => {
    const answer = wire.error(new ServiceError(503, 'ServiceUnavailable', 'injected'), undefined, 'req-1');
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toEqual({ Response: { Error: { Code: 'ResourceUnavailable', Message: 'injected' }, RequestId: 'req-1' } });
  });

  it('answers success as HTTP 200 with the output and the RequestId inside Response', () => {
    const route = { service: 'tcr', operation: 'DescribeInstances', input: {} };
    expect(JSON.parse(wire.success({ TotalCount: 0 }, route, 'req-2').body)).toEqual({ Response: { TotalCount: 0, RequestId: 'req-2' } });
  });
});
