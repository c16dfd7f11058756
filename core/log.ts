/**
 * A tiny structured logger: one JSON object per line on stdout, which both Lambda and Function
 * Compute ship to their log services as is. Kept dependency-free so it costs nothing at cold start.
 *
 * Defense in depth against leaks: every password regcred mints is registered with
 * {@link registerSecret}, and any line that would contain one is written with it masked.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** A logger whose every line also carries `fields` (e.g. the invocation's request id). */
  child(fields: LogFields): Logger;
}

/** Each registered secret (with the username its `auth` form joins) → its masked forms, and when it stops mattering. */
const registered = new Map<string, { forms: string[]; until: number }>();
/**
 * Every form of every registered secret, indexed so that masking a line costs the same however many
 * secrets a warm instance has minted (a busy one holds thousands, each valid for hours): forms by
 * their first {@link PREFIX} characters, each list longest first; shorter forms apart. While there
 * are few forms, a line is searched for each of them instead (native `indexOf` beats the scan).
 */
const PREFIX = 8;
const FEW_FORMS = 512;
let byPrefix = new Map<string, string[]>();
let shortForms: string[] = [];
let formCount = 0;
/** Every form, longest first, while there are at most FEW_FORMS of them. */
let fewForms: string[] | undefined = [];
/** The earliest expiry among the registered secrets: nothing needs dropping before it. */
let nextExpiry = Infinity;

/**
 * Remember a secret so no log line can carry it, in any of the forms a line may hold it: as is,
 * JSON-escaped (once or twice, as a JSON string inside a JSON string), with `username` as the
 * `auth` field of a dockerconfigjson (base64 of `user:password`); each of those URL-encoded
 * (percent and form encoding), and each wrapped in base64 (inside any base64 text that contains it,
 * e.g. the `.dockerconfigjson` value of a kubernetes Secret). A secret is kept until it expires, never
 * evicted while still valid; expired ones are dropped as new ones arrive. Registering a known
 * secret again only extends its life: cheap enough to call per invocation with the role's keys.
 * @example registerSecret(credential.password, { username: credential.username, expiresAt: credential.expiresAt.getTime() });
 */
export function registerSecret(secret: string, options: { username?: string; expiresAt?: number; now?: number } = {}): void {
  if (!secret) return;
  const expiresAt = options.expiresAt ?? Infinity;
  const key = options.username === undefined ? secret : `${secret}\u0000${options.username}`;
  const known = registered.get(key);
  if (known) {
    known.until = Math.max(known.until, expiresAt);
    return;
  }
  const now = options.now ?? Date.now();
  const forms = formsOf(secret, options.username);
  registered.set(key, { forms, until: expiresAt });
  if (nextExpiry <= now) {
    for (const [k, entry] of registered) if (entry.until <= now) registered.delete(k);
    rebuildIndex();
  } else {
    nextExpiry = Math.min(nextExpiry, expiresAt);
    for (const form of forms) indexForm(form);
  }
}

function rebuildIndex(): void {
  byPrefix = new Map();
  shortForms = [];
  formCount = 0;
  fewForms = [];
  nextExpiry = Infinity;
  for (const entry of registered.values()) {
    nextExpiry = Math.min(nextExpiry, entry.until);
    for (const form of entry.forms) indexForm(form);
  }
}

function indexForm(form: string): void {
  const list = form.length < PREFIX ? shortForms : byPrefix.get(form.slice(0, PREFIX)) ?? [];
  if (list.includes(form)) return;
  list.push(form);
  list.sort((a, b) => b.length - a.length);
  if (form.length >= PREFIX) byPrefix.set(form.slice(0, PREFIX), list);
  formCount++;
  fewForms = formCount > FEW_FORMS ? undefined : fewForms && [...fewForms, form].sort((a, b) => b.length - a.length);
}

function formsOf(secret: string, username: string | undefined): string[] {
  const plain = [secret, ...escapedForms(secret)];
  if (username !== undefined) plain.push(Buffer.from(`${username}:${secret}`).toString('base64'));
  const forms = new Set<string>();
  for (const form of plain) {
    forms.add(form);
    forms.add(encodeURIComponent(form));
    forms.add(new URLSearchParams({ v: form }).toString().slice(2));
  }
  // Base64 text inside a URL as well is not a form regcred writes; each form checked costs every line.
  for (const core of plain.flatMap(base64Cores)) forms.add(core);
  return [...forms];
}

function escapedForms(secret: string): string[] {
  const once = JSON.stringify(secret).slice(1, -1);
  const twice = JSON.stringify(once).slice(1, -1);
  return [once, twice].filter((form) => form !== secret);
}

/**
 * What any base64 text containing `text` must contain, whatever the bytes around it: for each of
 * the three alignments of `text` to base64's 3-byte groups, the characters of the groups that hold
 * `text`'s bytes only (the partial groups at either end depend on the neighbours, so are left out:
 * at most two bytes at each end stay readable there).
 */
function base64Cores(text: string): string[] {
  const bytes = Buffer.from(text);
  const cores: string[] = [];
  for (const skip of [0, 1, 2]) {
    const whole = Math.floor((bytes.length - skip) / 3) * 3;
    if (whole >= 3) cores.push(bytes.subarray(skip, skip + whole).toString('base64'));
  }
  return cores;
}

/** How long a role key stays masked after it was last seen: longer than any STS session lives (12 h at most). */
export const ROLE_KEY_MEMORY_MS = 24 * 3_600_000;

/**
 * Mask a function role's secret key and session token, as the platform hands them per invocation
 * (FC `context.credentials`, FunctionGraph `context.getSecurity*()`, SCF's renewed variables).
 * @example registerRoleKeys({ accessKeySecret: 'SK', securityToken: 'T' });
 */
export function registerRoleKeys(keys: { accessKeySecret?: string | undefined; securityToken?: string | undefined } | undefined, now = Date.now()): void {
  for (const secret of [keys?.accessKeySecret, keys?.securityToken]) if (secret) registerSecret(secret, { expiresAt: now + ROLE_KEY_MEMORY_MS, now });
}

/**
 * Mask every registered secret in `line`: every place any form of one stands is found first, and
 * overlapping places are masked as one, so a secret inside or across another cannot leave a tail.
 */
export function redact(line: string): string {
  if (!formCount) return line;
  if (fewForms) {
    // Longest first: the forms longer than the line are skipped with a binary search, not a search each.
    let lo = 0;
    for (let hi = fewForms.length; lo < hi; ) {
      const mid = (lo + hi) >>> 1;
      if (fewForms[mid]!.length > line.length) lo = mid + 1;
      else hi = mid;
    }
    // Nothing is allocated for the usual line, which holds no secret.
    while (lo < fewForms.length && !line.includes(fewForms[lo]!)) lo++;
    return lo === fewForms.length ? line : masked(line, fewForms.slice(lo).flatMap((form) => places(line, form)));
  }
  const spans = shortForms.flatMap((form) => places(line, form));
  for (let i = 0; i + PREFIX <= line.length; i++) {
    const candidates = byPrefix.get(line.slice(i, i + PREFIX));
    const form = candidates?.find((f) => line.startsWith(f, i));
    if (form) spans.push([i, i + form.length]);
  }
  return masked(line, spans);
}

/** Every place (start, end) where `form` stands in `line`. */
function places(line: string, form: string): Array<[number, number]> {
  const found: Array<[number, number]> = [];
  for (let at = line.indexOf(form); at >= 0; at = line.indexOf(form, at + 1)) found.push([at, at + form.length]);
  return found;
}

/** `line` with each of `spans` (start, end), overlapping ones joined, replaced by [REDACTED]. */
function masked(line: string, spans: Array<[number, number]>): string {
  if (!spans.length) return line;
  spans.sort((a, b) => a[0] - b[0]);
  let out = '';
  let done = 0;
  for (let k = 0; k < spans.length; ) {
    const start = spans[k]![0];
    let end = spans[k]![1];
    for (k++; k < spans.length && spans[k]![0] < end; k++) end = Math.max(end, spans[k]![1]);
    out += line.slice(done, start) + '[REDACTED]';
    done = end;
  }
  return out + line.slice(done);
}

/**
 * @example
 * const log = createLogger({ level: 'info' });
 * log.info('credential issued', { registry: 'public.ecr.aws' });
 */
export function createLogger(options: {
  level: LogLevel;
  write?: (line: string) => void;
  now?: () => number;
}): Logger {
  const threshold = LOG_LEVELS.indexOf(options.level);
  const write = options.write ?? ((line: string) => process.stdout.write(line + '\n'));
  const now = options.now ?? Date.now;
  const bound = (context: LogFields): Logger => {
    const emit = (level: LogLevel) => (msg: string, fields?: LogFields) => {
      if (LOG_LEVELS.indexOf(level) < threshold) return;
      const entry = { level, time: new Date(now()).toISOString(), ...context, msg, ...fields };
      write(redact(JSON.stringify(entry, replaceErrors)));
    };
    return { debug: emit('debug'), info: emit('info'), warn: emit('warn'), error: emit('error'), child: (fields) => bound({ ...context, ...fields }) };
  };
  return bound({});
}

/** Errors serialize to their name, code, message and cause chain: never the stack, never a raw SDK response. */
function replaceErrors(_key: string, value: unknown): unknown {
  if (!(value instanceof Error)) return value;
  const e = value as Error & { code?: unknown; $metadata?: { requestId?: string; httpStatusCode?: number } };
  return {
    name: e.name,
    ...(e.code !== undefined && { code: e.code }),
    message: e.message,
    ...(e.$metadata && { requestId: e.$metadata.requestId, httpStatus: e.$metadata.httpStatusCode }),
    ...(e.cause !== undefined && { cause: e.cause }),
  };
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => silentLogger };
