import { describe, expect, it } from 'vitest';
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
