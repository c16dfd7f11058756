import { lstatSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { authFilePath, removeLogin, writeLogin } from './authfile.js';

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

describe('removeLogin', () => {
  const before = {
    auths: { 'r.example': { auth: auth('AWS', 'pw') }, 'https://r.example/v2/': { auth: auth('old', 'old') }, 'other.example': { auth: auth('a', 'b') }, 'r.example.other': { auth: auth('c', 'd') } },
    credHelpers: { 'gcr.io': 'gcloud' },
    'x-unknown': [1, 2],
  };

  it("removes every auths key naming the registry, and nothing else; the file stays 0600", () => {
    const file = join(dir, 'config.json');
    writeFileSync(file, JSON.stringify(before), { mode: 0o644 });
    const result = removeLogin(file, 'r.example');
    expect(result).toEqual({ file, removed: true });
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ ...before, auths: { 'other.example': before.auths['other.example'], 'r.example.other': before.auths['r.example.other'] } });
    expect(lstatSync(file).mode & 0o777).toBe(0o600);
  });

  it('a registry with no login: the file is not touched', () => {
    const file = join(dir, 'config.json');
    const text = JSON.stringify(before);
    writeFileSync(file, text, { mode: 0o644 });
    expect(removeLogin(file, 'nobody.example')).toEqual({ file, removed: false });
    expect([readFileSync(file, 'utf8'), lstatSync(file).mode & 0o777]).toEqual([text, 0o644]);
  });

  it('no auth file: none is created', () => {
    const file = join(dir, 'missing', 'config.json');
    expect(removeLogin(file, 'r.example').removed).toBe(false);
    expect(() => lstatSync(file)).toThrow();
  });

  it('refuses a file that is not JSON, and leaves it as it was', () => {
    const file = join(dir, 'config.json');
    writeFileSync(file, '{"auths": {');
    expect(() => removeLogin(file, 'r.example')).toThrow(`${file} is not valid JSON; not touching it`);
    expect(readFileSync(file, 'utf8')).toBe('{"auths": {');
  });
});
