import { describe, expect, it } from 'vitest';
import { isNetworkError } from './upstream.js';

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
