import { describe, expect, it } from 'vitest';
import type { RegistryCredential } from './provider.js';
import { render } from './formats.js';
import { createLogger, registerSecret } from './log.js';

function capture() {
  const lines: string[] = [];
  return { lines, log: createLogger({ level: 'debug', write: (l) => lines.push(l) }) };
}

describe('log redaction', () => {
  it('masks a registered password written as is', () => {
    const { lines, log } = capture();
    registerSecret('plain-password-0001');
    log.info('x', { value: 'before plain-password-0001 after' });
    expect(lines[0]).not.toContain('plain-password-0001');
    expect(lines[0]).toContain('[REDACTED]');
  });

  it('masks the base64 auth form (user:password) of a registered credential', () => {
    const { lines, log } = capture();
    registerSecret('auth-form-password-0002', { username: 'AWS' });
    const auth = Buffer.from('AWS:auth-form-password-0002').toString('base64');
    log.info('x', { auths: { host: { auth } } });
    expect(lines[0]).not.toContain(auth);
  });

  it('masks a password whose JSON form is escaped, once or nested in another JSON string', () => {
    const { lines, log } = capture();
    const secret = 'quote"and\\backslash-0003';
    registerSecret(secret);
    log.info('x', { value: secret, nested: JSON.stringify({ value: secret }) });
    expect(lines[0]).not.toContain(JSON.stringify(secret).slice(1, -1));
    expect(lines[0]).not.toContain(JSON.stringify(JSON.stringify(secret).slice(1, -1)).slice(1, -1));
    expect((lines[0]!.match(/\[REDACTED\]/g) ?? []).length).toBe(2);
  });

  it('masks a password shorter than 8 characters', () => {
    const { lines, log } = capture();
    registerSecret('s7Q#x');
    log.info('x', { value: 'pw=s7Q#x' });
    expect(lines[0]).not.toContain('s7Q#x');
  });

  it('keeps masking a still-valid password after 1000 newer ones were registered', () => {
    const { lines, log } = capture();
    const now = Date.now();
    registerSecret('oldest-but-valid-0005', { expiresAt: now + 3_600_000, now });
    for (let i = 0; i < 1000; i++) registerSecret(`newer-secret-${i}-xxxxxxxx`, { expiresAt: now + 3_600_000, now });
    log.info('x', { value: 'oldest-but-valid-0005' });
    expect(lines[0]).not.toContain('oldest-but-valid-0005');
  });

  it('forgets a password once it has expired (memory stays bounded by what is valid)', () => {
    const { lines, log } = capture();
    const now = Date.now();
    registerSecret('expired-password-0006', { expiresAt: now + 1_000, now });
    registerSecret('another-password-0006', { now: now + 2_000 });
    log.info('x', { value: 'expired-password-0006' });
    expect(lines[0]).toContain('expired-password-0006');
  });
});

describe('log redaction of encoded and wrapped forms (issue 20, finding 6)', () => {
  const credential: RegistryCredential = {
    registry: 'swr.cn-north-4.myhuaweicloud.com',
    username: 'cn-north-4@EMULATORTEMPAGENCYAK0',
    password: 'wrapped/pass+word=0101 with space&more',
    expiresAt: new Date(Date.now() + 3_600_000),
    provider: 'swr',
    region: 'cn-north-4',
  };
  const auth = Buffer.from(`${credential.username}:${credential.password}`).toString('base64');
  const register = () => registerSecret(credential.password, { username: credential.username, expiresAt: credential.expiresAt.getTime() });

  it('[F6] masks a password percent-encoded (as in a URL)', () => {
    const { lines, log } = capture();
    register();
    log.info('x', { url: `https://example.test/?password=${encodeURIComponent(credential.password)}` });
    expect(lines[0]).not.toContain(encodeURIComponent(credential.password));
  });

  it('[F6] masks a password form-encoded (spaces as +)', () => {
    const { lines, log } = capture();
    register();
    const body = new URLSearchParams({ password: credential.password }).toString();
    log.info('x', { body });
    expect(lines[0]).not.toContain(body.slice('password='.length));
  });

  it('[F6] masks the auth form (base64 of user:password) percent-encoded', () => {
    const { lines, log } = capture();
    register();
    log.info('x', { query: `auth=${encodeURIComponent(auth)}` });
    expect(lines[0]).not.toContain(encodeURIComponent(auth));
  });

  it('[F6] masks the base64 .dockerconfigjson of a kubernetes answer: decoding what is logged reveals neither the password nor the auth', () => {
    // Prepare: the kubernetes Secret the API answers, as the format renders it
    const { lines, log } = capture();
    register();
    const secret = render('kubernetes', [credential], { name: 'regcred', namespace: 'default' }) as { data: Record<string, string> };
    const wrapped = secret.data['.dockerconfigjson']!;
    // Act
    log.info('answer', { secret });
    // Assess: take the logged value as a reader would and decode it
    const logged: string = JSON.parse(lines[0]!).secret.data['.dockerconfigjson'];
    const decoded = Buffer.from(logged.replace(/\[REDACTED\]/g, ''), 'base64').toString('latin1');
    expect(logged).not.toBe('');
    expect([lines[0]!.includes(wrapped), decoded.includes(credential.password), decoded.includes(auth)]).toEqual([false, false, false]);
  });

  it('[F6] masks a secret wrapped in base64 at each of the three byte alignments', () => {
    const { lines, log } = capture();
    registerSecret('aligned-secret-value-0202');
    const wrapped = ['', 'x', 'xy'].map((pad) => Buffer.from(`${pad}aligned-secret-value-0202 and more text`).toString('base64'));
    log.info('x', { wrapped });
    const decoded = JSON.parse(lines[0]!).wrapped.map((w: string) => Buffer.from(w.replace(/\[REDACTED\]/g, ''), 'base64').toString('latin1'));
    expect(decoded.filter((d: string) => d.includes('aligned-secret-value-0202'))).toEqual([]);
  });

  it('extends a known secret instead of adding it again (a role key registered per invocation)', () => {
    const { lines, log } = capture();
    const now = Date.now();
    registerSecret('role-key-seen-twice-0303', { expiresAt: now + 1_000, now });
    registerSecret('role-key-seen-twice-0303', { expiresAt: now + 10_000, now });
    registerSecret('a-later-secret-0303', { now: now + 5_000 });
    log.info('x', { value: 'role-key-seen-twice-0303' });
    expect(lines[0]).not.toContain('role-key-seen-twice-0303');
  });

  it('masks two secrets that overlap in a line as one run, leaving no tail of either', () => {
    // Prepare: the second secret starts inside the first
    const { lines, log } = capture();
    registerSecret('overlap-left-secret-0404');
    registerSecret('secret-0404-and-right-part');
    // Act
    log.info('x', { value: 'a overlap-left-secret-0404-and-right-part b' });
    // Assess
    expect(JSON.parse(lines[0]!).value).toBe('a [REDACTED] b');
  });

  it('masks a line in well under a millisecond with 4000 credentials registered, which register in seconds, not minutes', () => {
    // Prepare: a warm instance that minted thousands of 12-hour tokens (a cache-less burst does)
    const { lines, log } = capture();
    const started = performance.now();
    for (let i = 0; i < 4000; i++) registerSecret(`burst-password-${i}-${'x'.repeat(40)}`, { username: 'AWS', expiresAt: Date.now() + 43_200_000 });
    const registering = performance.now() - started;
    // Act
    const before = performance.now();
    for (let i = 0; i < 100; i++) log.info('credential issued', { registry: '123456789012.dkr.ecr.us-east-1.amazonaws.com', value: i === 99 ? `burst-password-17-${'x'.repeat(40)}` : 'nothing secret' });
    const perLine = (performance.now() - before) / 100;
    // Assess (the per-form search this replaced took 64 s to register and 2.5 ms a line here)
    expect(lines[99]).not.toContain('burst-password-17-');
    expect(registering).toBeLessThan(10_000);
    expect(perLine).toBeLessThan(1);
  });
});
