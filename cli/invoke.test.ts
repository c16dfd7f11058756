/**
 * What the FC emulator does not produce: an unhandled exception's answer and a base64 result body,
 * as FC documents them; and the --invoke value's parsing. The wire itself is tested end to end in
 * test/e2e/cli-invoke.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { invokeTarget, invokeTransport } from './invoke.js';

const transport = () => invokeTransport({ url: 'https://1234567890123456.cn-hangzhou.fc.aliyuncs.com', invoke: 'regcred' }, '/credentials', {});

describe('invokeTarget', () => {
  it.each([
    ['regcred', { functionName: 'regcred' }],
    ['regcred:LATEST', { functionName: 'regcred', qualifier: 'LATEST' }],
    ['regcred:3', { functionName: 'regcred', qualifier: '3' }],
  ])('%s', (value, target) => {
    expect(invokeTarget(value)).toEqual(target);
  });

  it.each(['', 'a/b', '../x', 'regcred:', 'regcred:a:b', '1regcred', 'regcred:x y'])('refuses %j', (value) => {
    expect(() => invokeTarget(value)).toThrow(/must be an FC function name/);
  });
});

describe("the function's result in FC's answer", () => {
  it('an unhandled exception (X-Fc-Error-Type) is a 502 without its message or stack', async () => {
    const fcAnswer = JSON.stringify({ errorMessage: 'boom at secret place', errorType: 'Error', stackTrace: ['Error: boom', '    at handler (/code/index.js:1:1)'] });
    const answer = (await transport()).answer(new Response(fcAnswer, { headers: { 'x-fc-error-type': 'UnhandledInvocationError' } }), fcAnswer);
    expect(answer).toEqual({ status: 502, retryAfter: null, body: undefined });
  });

  it('a base64 body is decoded, and Retry-After is found whatever its case', async () => {
    const result = JSON.stringify({ statusCode: 503, headers: { 'RETRY-AFTER': '2' }, body: Buffer.from('{"error":{"code":"UpstreamUnavailable"}}').toString('base64'), isBase64Encoded: true });
    const answer = (await transport()).answer(new Response(result), result);
    expect(answer).toEqual({ status: 503, retryAfter: '2', body: { error: { code: 'UpstreamUnavailable' } } });
  });
});
