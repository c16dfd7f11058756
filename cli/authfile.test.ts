import { lstatSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { authFilePath, writeLogin } from './authfile.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'regcred-authfile-test-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));
const auth = (user: string, password: string) => Buffer.from(`${user}:${password}`).toString('base64');

describe('authFilePath', () => {
  it.each([
    ['--authfile first', '/flag.json', { REGISTRY_AUTH_FILE: '/raf.json', DOCKER_CONFIG: '/dc' }, '/flag.json'],
    ['then REGISTRY_AUTH_FILE', undefined, { REGISTRY_AUTH_FILE: '/raf.json', DOCKER_CONFIG: '/dc' }, '/raf.json'],
    ['then $DOCKER_CONFIG/config.json', undefined, { DOCKER_CONFIG: '/dc' }, '/dc/config.json'],
    ['else ~/.docker/config.json', undefined, {}, '/home/u/.docker/config.json'],
  ])('%s', (_name, flag, env, expected) => {
    expect(authFilePath(flag, env, () => '/home/u')).toBe(expected);
  });
});

describe('writeLogin', () => {
  it('creates a missing file (and its folder) with mode 0600', () => {
    const file = join(dir, 'new', 'config.json');
    writeLogin(file, 'r.example', 'AWS', 'pw');
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ auths: { 'r.example': { auth: auth('AWS', 'pw') } } });
    expect(lstatSync(file).mode & 0o777).toBe(0o600);
  });

  it('keeps other auths, credHelpers and unknown keys, and replaces the registry\'s old entry', () => {
    const file = join(dir, 'config.json');
    const before = { auths: { 'a.example': { auth: auth('a', 'b') }, 'r.example': { auth: auth('old', 'old'), identitytoken: 'x' } }, credHelpers: { 'gcr.io': 'gcloud' }, credsStore: 'desktop', 'x-unknown': [1, 2] };
    writeFileSync(file, JSON.stringify(before), { mode: 0o644 });
    const result = writeLogin(file, 'r.example', 'AWS', 'pw');
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ ...before, auths: { 'a.example': before.auths['a.example'], 'r.example': { auth: auth('AWS', 'pw') } } });
    expect(lstatSync(file).mode & 0o777).toBe(0o600);
    expect(result.shadowedBy).toBe('docker-credential-desktop');
  });

  it('refuses a file that is not JSON, and leaves it as it was', () => {
    const file = join(dir, 'config.json');
    writeFileSync(file, '{"auths": {');
    expect(() => writeLogin(file, 'r.example', 'AWS', 'pw')).toThrow(`${file} is not valid JSON; not touching it`);
    expect(readFileSync(file, 'utf8')).toBe('{"auths": {');
  });

  it('writes through a symlinked auth file to its target, keeping the link', () => {
    const target = join(dir, 'real.json');
    const link = join(dir, 'config.json');
    writeFileSync(target, '{}');
    symlinkSync(target, link);
    expect(writeLogin(link, 'r.example', 'AWS', 'pw').file).toBe(target);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(JSON.parse(readFileSync(target, 'utf8')).auths['r.example']).toBeDefined();
  });
});
