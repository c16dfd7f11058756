import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { configPath, functionFor, loadConfig, parseConfig } from './config.js';
import { cloudOf } from './sign/index.js';

const FILE = '/home/u/.config/regcred/config.json';
const config = (registries: Record<string, unknown>) => parseConfig(JSON.stringify({ registries }), FILE);
const fn = (name: string) => ({ url: `https://${name}.lambda-url.us-east-1.on.aws` });

describe('configPath', () => {
  it.each([
    ['REGCRED_CONFIG first', { REGCRED_CONFIG: '/etc/regcred.json', XDG_CONFIG_HOME: '/x' }, { file: '/etc/regcred.json', named: true }],
    ['then $XDG_CONFIG_HOME/regcred/config.json', { XDG_CONFIG_HOME: '/x' }, { file: '/x/regcred/config.json', named: false }],
    ['a relative XDG_CONFIG_HOME is ignored', { XDG_CONFIG_HOME: 'rel' }, { file: '/home/u/.config/regcred/config.json', named: false }],
    ['else ~/.config/regcred/config.json', {}, { file: '/home/u/.config/regcred/config.json', named: false }],
  ])('%s', (_name, env, expected) => {
    expect(configPath(env, () => '/home/u')).toEqual(expected);
  });

  it('no file at the default path is no config; a named file that is missing is an error', () => {
    expect(loadConfig({ XDG_CONFIG_HOME: '/nonexistent-regcred-test' })).toBeUndefined();
    expect(() => loadConfig({ REGCRED_CONFIG: '/nonexistent-regcred-test/c.json' })).toThrow('REGCRED_CONFIG names /nonexistent-regcred-test/c.json, which cannot be read (ENOENT)');
  });
});

describe('functionFor: exact host first, then the longest matching pattern, * within one label', () => {
  const c = config({
    'r.example.com': fn('exact'),
    '*.example.com': fn('any-example'),
    '*.eu.example.com': fn('eu'),
    'reg-*.example.com': fn('reg-prefix'),
    '*.dkr.ecr.*.amazonaws.com': fn('ecr'),
    'registry.local:5000': fn('port'),
    '*.x.example.com': fn('tie-first'),
    'a.*.example.com': fn('tie-second'),
  });
  it.each([
    ['r.example.com', 'exact'],
    ['R.Example.COM', 'exact'],
    ['y.example.com', 'any-example'],
    ['x.eu.example.com', 'eu'],
    ['reg-1.example.com', 'reg-prefix'],
    ['123456789012.dkr.ecr.us-east-1.amazonaws.com', 'ecr'],
    ['registry.local:5000', 'port'],
    ['a.x.example.com', 'tie-first'],
    ['a.b.eu.example.com', undefined], // * never crosses a dot
    ['example.com', undefined], // * is at least one character
    ['y.example.com:5000', undefined], // nor a port's colon
    ['registry.local', undefined],
    ['123456789012.dkr.ecr.us-east-1.amazonaws.com.evil.example', undefined],
    ['evil-example.com', undefined],
  ])('%s → %s', (host, expected) => {
    const entry = functionFor(c, host);
    expect(entry ? new URL(entry.url).hostname.split('.')[0] : undefined).toBe(expected);
  });
});

describe('parseConfig refuses a bad file in one line naming the file and the entry', () => {
  it.each([
    ['not JSON', '{"registries": {', `${FILE}: not valid JSON`],
    ['not an object', '[]', `${FILE}: not a JSON object with "registries"`],
    ['an unknown top-level key', '{"registries": {}, "registry": {}}', `${FILE}: unknown key "registry" (only "registries")`],
    ['registries not an object', '{"registries": []}', `${FILE}: "registries" must be an object`],
    ['a key that is no host', '{"registries": {"https://r.example": {"url": "https://f.example"}}}', `${FILE}: registries["https://r.example"]: not a registry host or *-pattern`],
    ['an entry that is no object', '{"registries": {"r.example": "https://f.example"}}', `${FILE}: registries["r.example"]: must be an object`],
    ['no url', '{"registries": {"r.example": {"cloud": "aws"}}}', `${FILE}: registries["r.example"]: "url" is required`],
    ['a url that is no URL', '{"registries": {"r.example": {"url": "f.example"}}}', `${FILE}: registries["r.example"]: "url" is not a URL: f.example`],
    ['a plain-http LAN url', '{"registries": {"r.example": {"url": "http://10.0.0.5:8080"}}}', `${FILE}: registries["r.example"]: "url": http://10.0.0.5:8080 is plain http: regcred sends signed requests over https:// only`],
    ['an unknown cloud', '{"registries": {"r.example": {"url": "https://f.example", "cloud": "gcp"}}}', `${FILE}: registries["r.example"]: "cloud" must be one of aws, alibaba, tencent, huawei, not "gcp"`],
    ['an unknown entry key', '{"registries": {"r.example": {"url": "https://f.example", "region": "us-east-1"}}}', `${FILE}: registries["r.example"]: unknown key "region" (only "url", "cloud", "invoke")`],
    ['invoke on another cloud', '{"registries": {"r.example": {"url": "https://f.example", "cloud": "aws", "invoke": "regcred"}}}', `${FILE}: registries["r.example"]: "invoke" calls Alibaba Cloud FC's InvokeFunction, not aws`],
    ['an invoke FC cannot have', '{"registries": {"r.example": {"url": "https://f.example", "invoke": "a/b"}}}', `${FILE}: registries["r.example"]: "invoke" must be an FC function name`],
  ])('%s', (_name, text, message) => {
    let thrown: Error | undefined;
    try {
      parseConfig(text, FILE);
    } catch (err) {
      thrown = err as Error;
    }
    expect(thrown?.message.startsWith(message), thrown?.message).toBe(true);
    expect(thrown?.message).not.toContain('\n');
  });

  it('accepts the loopback http of the local server, and invoke with or without cloud alibaba', () => {
    const c = config({ 'a.example': { url: 'http://127.0.0.1:8787' }, 'b.example': { url: 'https://1.cn-hangzhou.fc.aliyuncs.com', invoke: 'regcred:LATEST' }, 'c.example': { url: 'https://1.cn-hangzhou.fc.aliyuncs.com', cloud: 'alibaba', invoke: 'regcred' } });
    expect([functionFor(c, 'a.example'), functionFor(c, 'b.example')?.invoke, functionFor(c, 'c.example')?.cloud]).toEqual([{ url: 'http://127.0.0.1:8787' }, 'regcred:LATEST', 'alibaba']);
  });
});

describe("the README's four-cloud example", () => {
  it('is a valid config file that sends an ECR, an ACR, a TCR and an SWR host each to its own cloud\'s function', () => {
    const readme = readFileSync(join(dirname(fileURLToPath(import.meta.url)), '..', 'README.md'), 'utf8');
    const example = /<!-- config-example -->\s*```json\n([\s\S]*?)```/.exec(readme)?.[1];
    const c = parseConfig(example ?? '', 'README.md');
    const hosts = ['123456789012.dkr.ecr.us-east-1.amazonaws.com', 'registry.cn-shanghai.aliyuncs.com', 'team-a.tencentcloudcr.com', 'swr.cn-north-4.myhuaweicloud.com'];
    const clouds = hosts.map((h) => {
      const entry = functionFor(c, h);
      return entry && (entry.cloud ?? cloudOf(new URL(entry.url), undefined));
    });
    expect(clouds).toEqual(['aws', 'alibaba', 'tencent', 'huawei']);
  });
});
