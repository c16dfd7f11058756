/**
 * The client's one config file for every registry: which regcred function serves which registry
 * host, so one Docker `credHelpers` entry and one kubelet credential provider serve ECR, ACR, TCR
 * and SWR at once.
 *
 *   $XDG_CONFIG_HOME/regcred/config.json (else ~/.config/regcred/config.json; REGCRED_CONFIG names another)
 *   {"registries": {"<host or *-pattern>": {"url": "https://…", "cloud": "aws|alibaba|tencent|huawei", "invoke": "<fc function>"}}}
 *
 * A host picks its entry by exact match first, then by the longest matching pattern (the first in
 * the file on a tie), `*` standing for one or more characters within one label: it never crosses
 * a dot (or a port's colon). The file is validated strictly, each problem one line naming the file
 * and the entry; it is read on every run, the cache hit included, so it stays a plain JSON parse.
 *
 * Node built-ins only: this is on the path of a cache hit.
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { UsageError } from './errors.js';
import { invokeTarget } from './invoke.js';
import { CLOUDS, isCloud, type CloudId } from './sign/index.js';
import { urlProblem } from './trust.js';

/** Where one registry's credentials come from. */
export interface FunctionEntry {
  url: string;
  cloud?: CloudId;
  /** Alibaba only: the FC function to call through InvokeFunction, `url` being FC's endpoint. */
  invoke?: string;
}

export interface RegcredConfig {
  file: string;
  exact: Map<string, FunctionEntry>;
  /** The `*` patterns, longest first (stable: the first in the file wins a tie). */
  patterns: Array<{ pattern: string; match: RegExp; entry: FunctionEntry }>;
}

const ENTRY_KEYS = ['url', 'cloud', 'invoke'];
/** Host labels (letters, digits, `-`, `*`), an optional port. */
const PATTERN = /^[a-z0-9*-]+(\.[a-z0-9*-]+)*(:\d{1,5})?$/;

/**
 * The config file: REGCRED_CONFIG, else `$XDG_CONFIG_HOME/regcred/config.json`, else
 * `~/.config/regcred/config.json` (XDG: a relative XDG_CONFIG_HOME is ignored).
 * @example configPath({ XDG_CONFIG_HOME: '/etc/xdg' }) // { file: '/etc/xdg/regcred/config.json', named: false }
 */
export function configPath(env: NodeJS.ProcessEnv, home: () => string = homedir): { file: string; named: boolean } {
  if (env.REGCRED_CONFIG) return { file: env.REGCRED_CONFIG, named: true };
  const xdg = env.XDG_CONFIG_HOME;
  return { file: join(xdg && isAbsolute(xdg) ? xdg : join(home(), '.config'), 'regcred', 'config.json'), named: false };
}

/**
 * The config file, or undefined when there is none at the default path. A file named by
 * REGCRED_CONFIG must exist. Throws a {@link UsageError} naming the file and the entry for a bad one.
 * @example const config = loadConfig(process.env); const fn = config && functionFor(config, host);
 */
export function loadConfig(env: NodeJS.ProcessEnv, home: () => string = homedir): RegcredConfig | undefined {
  const { file, named } = configPath(env, home);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && !named) return undefined;
    throw new UsageError(`${named ? 'REGCRED_CONFIG names ' : ''}${file}, which cannot be read (${code ?? (err as Error).message})`);
  }
  return parseConfig(text, file);
}

/**
 * A config file's text, validated (unknown keys are refused, not ignored: a typo must not
 * silently send a registry's requests elsewhere).
 * @example parseConfig('{"registries":{"*.fcapp.run":{"url":"https://x.cn-hangzhou.fcapp.run"}}}', 'config.json')
 */
export function parseConfig(text: string, file: string): RegcredConfig {
  const bad = (where: string, problem: string) => new UsageError(`${file}: ${where}${where ? ': ' : ''}${problem}`);
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw bad('', 'not valid JSON');
  }
  if (!isObject(data)) throw bad('', 'not a JSON object with "registries"');
  const unknown = Object.keys(data).find((k) => k !== 'registries');
  if (unknown !== undefined) throw bad('', `unknown key "${unknown}" (only "registries")`);
  if (!isObject(data.registries)) throw bad('', '"registries" must be an object of "<host or *-pattern>": {"url", "cloud", "invoke"}');

  const config: RegcredConfig = { file, exact: new Map(), patterns: [] };
  for (const [key, value] of Object.entries(data.registries)) {
    const where = `registries[${JSON.stringify(key)}]`;
    const pattern = key.toLowerCase();
    if (!PATTERN.test(pattern)) throw bad(where, 'not a registry host or *-pattern (e.g. 123456789012.dkr.ecr.us-east-1.amazonaws.com, *.dkr.ecr.*.amazonaws.com)');
    const entry = parseEntry(value, (problem) => bad(where, problem));
    if (pattern.includes('*')) config.patterns.push({ pattern, match: patternRegExp(pattern), entry });
    else config.exact.set(pattern, entry);
  }
  config.patterns.sort((a, b) => b.pattern.length - a.pattern.length);
  return config;
}

function parseEntry(value: unknown, bad: (problem: string) => Error): FunctionEntry {
  if (!isObject(value)) throw bad('must be an object {"url", "cloud", "invoke"}');
  const unknown = Object.keys(value).find((k) => !ENTRY_KEYS.includes(k));
  if (unknown !== undefined) throw bad(`unknown key "${unknown}" (only ${ENTRY_KEYS.map((k) => `"${k}"`).join(', ')})`);
  const { url, cloud, invoke } = value;
  if (typeof url !== 'string') throw bad('"url" is required: the function URL (https://…)');
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw bad(`"url" is not a URL: ${url}`);
  }
  const problem = urlProblem(parsed);
  if (problem) throw bad(`"url": ${problem}`);
  if (cloud !== undefined && (typeof cloud !== 'string' || !isCloud(cloud))) throw bad(`"cloud" must be one of ${Object.keys(CLOUDS).join(', ')}, not ${JSON.stringify(cloud)}`);
  if (invoke !== undefined) {
    if (typeof invoke !== 'string') throw bad('"invoke" must be an FC function name');
    if (cloud !== undefined && cloud !== 'alibaba') throw bad(`"invoke" calls Alibaba Cloud FC's InvokeFunction, not ${cloud}`);
    try {
      invokeTarget(invoke);
    } catch {
      throw bad(`"invoke" must be an FC function name, optionally with :qualifier (e.g. regcred or regcred:LATEST), not ${JSON.stringify(invoke)}`);
    }
  }
  return { url, ...(cloud !== undefined && { cloud: cloud as CloudId }), ...(invoke !== undefined && { invoke }) };
}

/** `*.dkr.ecr.*.amazonaws.com` → a RegExp in which each `*` is one or more characters of one label. */
function patternRegExp(pattern: string): RegExp {
  return new RegExp(`^${pattern.split('*').map((part) => part.replace(/[.]/g, '\\.')).join('[^.:]+')}$`);
}

/**
 * The entry that serves registry `host`: exact match first, then the longest matching pattern.
 * @example functionFor(config, '123456789012.dkr.ecr.us-east-1.amazonaws.com') // { url: 'https://…', cloud: 'aws' }
 */
export function functionFor(config: RegcredConfig, host: string): FunctionEntry | undefined {
  const h = host.toLowerCase();
  return config.exact.get(h) ?? config.patterns.find((p) => p.match.test(h))?.entry;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
