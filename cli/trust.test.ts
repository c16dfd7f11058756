import { describe, expect, it } from 'vitest';
import { UntrustedAnswerError } from './errors.js';
import { isLoopback, MAX_ANSWER_BYTES, printable, printableValue, readLimited, registriesNamed, trustedCredential, urlProblem } from './trust.js';

const NOW = Date.parse('2026-11-30T12:00:00Z');
const HOUR = 3_600_000;
const HOST = '123456789012.dkr.ecr.us-east-1.amazonaws.com';
const answer = (over: Record<string, unknown> = {}) => ({ registry: HOST, username: 'AWS', password: 'pw', expiresAt: new Date(NOW + 12 * HOUR).toISOString(), ...over });

describe('which URLs a signed request may go to', () => {
  it.each([
    ['https://abc.lambda-url.us-east-1.on.aws', true],
    ['http://127.0.0.1:8787', true],
    ['http://127.1.2.3', true],
    ['http://127.1:8787', true], // URL spells it 127.0.0.1
    ['http://localhost:8787', true],
    ['http://LOCALHOST', true],
    ['http://[::1]:8787', true],
    ['http://192.168.1.10:8787', false],
    ['http://10.0.0.5', false],
    ['http://128.0.0.1', false],
    ['http://localhost.evil.example', false],
    ['http://127.0.0.1.nip.io', false],
    ['http://[::ffff:7f00:1]', false], // loopback only as ::1, as the rule says
    ['http://regcred.example.com', false],
    ['ftp://127.0.0.1', false],
    ['https://user:pw@abc.lambda-url.us-east-1.on.aws', false],
  ])('%s → %s', (url, allowed) => {
    expect(urlProblem(new URL(url)) === undefined).toBe(allowed);
  });

  it('the refusal of plain http names https and the loopback exception', () => {
    expect(urlProblem(new URL('http://10.0.0.5:8080/x'))).toBe('http://10.0.0.5:8080 is plain http: regcred sends signed requests over https:// only (plain http only to loopback: localhost, 127.0.0.0/8, ::1)');
  });

  it('a URL with a password: the refusal does not repeat the password', () => {
    expect(urlProblem(new URL('https://user:hunter2@h.example'))).not.toContain('hunter2');
  });

  it.each([['127.0.0.1'], ['127.255.255.255'], ['localhost'], ['[::1]']])('isLoopback(%s)', (host) => {
    expect(isLoopback(host)).toBe(true);
  });
});

describe('trustedCredential', () => {
  it('takes a good answer as it is', () => {
    expect(trustedCredential(answer(), HOST, NOW)).toEqual({ registry: HOST, username: 'AWS', password: 'pw', expiresAt: new Date(NOW + 12 * HOUR).toISOString() });
  });

  it.each([
    ['24 h ahead: kept', NOW + 24 * HOUR, NOW + 24 * HOUR],
    ['24 h + 1 ms ahead: capped at 24 h', NOW + 24 * HOUR + 1, NOW + 24 * HOUR],
    ['2099: capped at 24 h', Date.parse('2099-01-01T00:00:00Z'), NOW + 24 * HOUR],
    ['1 ms ahead: kept', NOW + 1, NOW + 1],
  ])('expiresAt %s', (_name, expires, expected) => {
    expect(trustedCredential(answer({ expiresAt: new Date(expires).toISOString() }), HOST, NOW).expiresAt).toBe(new Date(expected).toISOString());
  });

  it.each([
    ['another registry', answer({ registry: 'ghcr.io' }), "for 'ghcr.io' when asked for"],
    ['a registry that only starts like it', answer({ registry: `${HOST}.evil.example` }), 'when asked for'],
    ['a newline in the password', answer({ password: 'a\nb' }), 'control character'],
    ['ESC in the username', answer({ username: 'AWS\u001b[2J' }), 'control character'],
    ['a C1 CSI in the password', answer({ password: 'a\u009b31m' }), 'control character'],
    ['an expiry now', answer({ expiresAt: new Date(NOW).toISOString() }), 'expired at'],
    ['an expiry past', answer({ expiresAt: '2000-01-01T00:00:00Z' }), 'expired at 2000-01-01T00:00:00.000Z'],
    ['an expiry that is no time', answer({ expiresAt: 'tomorrow' }), 'not a time'],
    ['no password', answer({ password: undefined }), 'without a registry, username, password and expiresAt'],
    ['an empty password', answer({ password: '' }), 'without a registry, username, password and expiresAt'],
    ['a number for a username', answer({ username: 1 }), 'without a registry, username, password and expiresAt'],
    ['no body', undefined, 'without a registry, username, password and expiresAt'],
  ])('refuses %s', (_name, body, message) => {
    expect(() => trustedCredential(body, HOST, NOW)).toThrow(UntrustedAnswerError);
    expect(() => trustedCredential(body, HOST, NOW)).toThrow(message);
  });

  it('compares hosts without regard to case, and answers with the host asked for', () => {
    expect(trustedCredential(answer({ registry: HOST.toUpperCase() }), HOST, NOW).registry).toBe(HOST);
  });

  it('a refusal names the function\'s registry without its control characters, and never the password', () => {
    const err = (() => {
      try {
        trustedCredential(answer({ registry: 'ghcr.io\u001b]0;x\u0007', password: 'secret-pw' }), HOST, NOW);
      } catch (e) {
        return e as Error;
      }
    })();
    expect(err?.message).toBe(`the function answered a credential for 'ghcr.io]0;x' when asked for ${HOST}: refused`);
  });
});

describe('printable', () => {
  it.each([
    ['ESC sequences', 'a\u001b[31mred\u001b[0m', 'a[31mred[0m'],
    ['BEL and OSC', 'x\u001b]0;title\u0007y', 'x]0;titley'],
    ['C1 CSI', 'a\u009b2Jb', 'a2Jb'],
    ['DEL, NUL, CR, LF, TAB', 'a\u007f\u0000\r\n\tb', 'ab'],
    ['bidi overrides', 'abc\u202edef\u2066g\u2069', 'abcdefg'],
    ['plain text, kept', "registry 'r.example' is not configured", "registry 'r.example' is not configured"],
    ['non-ASCII text, kept', 'Zugriff verweigert — 拒绝访问', 'Zugriff verweigert — 拒绝访问'],
  ])('removes %s', (_name, text, expected) => {
    expect(printable(text)).toBe(expected);
  });

  it('printableValue cleans every string of a JSON value, keys included', () => {
    expect(printableValue({ 'a\u001b': ['x\u0007', 1, null, { b: 'y\u009b' }] })).toEqual({ a: ['x', 1, null, { b: 'y' }] });
  });
});

describe('registriesNamed', () => {
  const dockerconfig = { auths: { 'r.example': { auth: 'x' } } };
  it.each([
    ['json', { registry: 'r.example' }, ['r.example']],
    ['dockerconfigjson', dockerconfig, ['r.example']],
    ['kubernetes', { data: { '.dockerconfigjson': Buffer.from(JSON.stringify(dockerconfig)).toString('base64') } }, ['r.example']],
    ['kubernetes', { data: { '.dockerconfigjson': 'not base64 json' } }, []],
    ['credential-helper', { ServerURL: 'r.example', Username: 'u', Secret: 's' }, ['r.example']],
    ['kubelet', { auth: { 'r.example': {} } }, ['r.example']],
    ['json', 'not an object', []],
  ])('%s %j → %j', (format, body, expected) => {
    expect(registriesNamed(body, format)).toEqual(expected);
  });
});

describe('readLimited', () => {
  /** A body of `total` bytes in 64 KiB chunks, recording how much was pulled and whether it was cancelled. */
  function body(total: number) {
    const seen = { pulled: 0, cancelled: false };
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (seen.pulled >= total) return controller.close();
        const chunk = new Uint8Array(Math.min(65_536, total - seen.pulled)).fill(0x20);
        seen.pulled += chunk.length;
        controller.enqueue(chunk);
      },
      cancel() {
        seen.cancelled = true;
      },
    });
    return { seen, response: new Response(stream) };
  }

  it('reads an answer of exactly 1 MiB', async () => {
    const { response } = body(MAX_ANSWER_BYTES);
    expect((await readLimited(response, 'https://f.example')).length).toBe(MAX_ANSWER_BYTES);
  });

  it('cuts off a 64 MiB answer after 1 MiB and a chunk, cancelling the rest', async () => {
    const { seen, response } = body(64 * MAX_ANSWER_BYTES);
    await expect(readLimited(response, 'https://f.example')).rejects.toThrow('the answer of https://f.example is larger than 1 MiB: refused');
    expect(seen.cancelled).toBe(true);
    expect(seen.pulled).toBeLessThan(MAX_ANSWER_BYTES + 4 * 65_536);
  });

  it('refuses a declared Content-Length over 1 MiB before reading any of it', async () => {
    const { seen, response } = body(2 * MAX_ANSWER_BYTES);
    const declared = new Response(response.body, { headers: { 'content-length': String(2 * MAX_ANSWER_BYTES) } });
    await expect(readLimited(declared, 'https://f.example')).rejects.toThrow(UntrustedAnswerError);
    expect(seen.cancelled).toBe(true);
  });
});
