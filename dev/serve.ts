/**
 * The local server, `npm start` (`tsx dev/serve.ts --emulator`): a cloud's HTTP handler on a local
 * port, run from a checkout (it is no client command: the packed client does not carry it).
 *
 *   npx tsx dev/serve.ts [--emulator] [--cloud aws|alibaba|tencent|huawei] [--port 8787]
 *
 * With --emulator it needs no cloud account: it starts that cloud's loopback emulator (table of
 * clouds for development, dev/clouds.ts), points the real handler at it, and checks each request's
 * signature the way the cloud's HTTP trigger does, so the printed command is the one a user runs
 * against a deployed function. Without --emulator it serves the configured registries with the
 * developer's own identity, so it answers only requests that carry the per-run token its banner prints.
 *
 * Either way it answers only a `Host` of `127.0.0.1:<port>` or `localhost:<port>`: a web page the
 * developer visits can reach loopback through DNS rebinding, but its requests carry its own host.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { bodyServer } from '../emulator/http-server.js';
import type { LocalAnswer } from '../emulator/trigger.js';
import { devCloud, devClouds } from './clouds.js';
import type { Invoker, LocalCloud } from './local-cloud.js';

export interface ServeOptions {
  emulator: boolean;
  /** Which cloud's handler (default aws). */
  cloud?: string;
  port: number;
  host?: string;
  /** Print the banner (the CLI does; tests and the benchmark don't). */
  quiet?: boolean;
  /** Called once per request received (tests count the calls that reach "the function"). */
  onRequest?: () => void;
}

export interface LocalServer {
  url: string;
  /** The per-run bearer token (without --emulator), which every request must carry. */
  token?: string;
  /** The running emulator world (with --emulator). */
  local?: LocalCloud;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 64 * 1024;

export async function serve(options: ServeOptions): Promise<LocalServer> {
  const cloudId = options.cloud ?? 'aws';
  const cloud = devCloud(cloudId);
  if (!cloud) throw new Error(`--cloud must be one of ${devClouds().map((c) => c.id).join(', ')}, got '${cloudId}'`);
  const local = options.emulator ? await cloud.startLocal() : undefined;
  // The handler reads its configuration once, as at a cold start.
  const invoke: Invoker = local
    ? local.http({ REGCRED_REGISTRIES: process.env.REGCRED_REGISTRIES ?? local.registries, ...local.env })
    : cloud.invoker(process.env);
  const token = local ? undefined : randomBytes(24).toString('base64url');
  let port = 0;

  const server = bodyServer(MAX_BODY_BYTES, async (req, res, body) => {
    options.onRequest?.();
    if (!isLoopbackHost(req.headers.host, port)) {
      return reply(res, refusal(403, 'Forbidden', `Host must be 127.0.0.1:${port} or localhost:${port}`));
    }
    let caller = 'local (token)';
    if (token && !hasToken(req.headers.authorization, token)) {
      return reply(res, refusal(401, 'Unauthorized', 'this local server needs the Authorization: Bearer token its banner printed'));
    }
    if (local) {
      const verdict = local.trigger.verify({ method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, body }, Date.now());
      // The trigger answers an unsigned or badly signed request itself, before the function runs, with
      // the platform's own body (a function URL's `{"Message":"Forbidden"}`, APIG's access control
      // refusal), not the API's error shape.
      if (!verdict.ok) return reply(res, verdict.answer ?? { statusCode: 403, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ Message: 'Forbidden' }) });
      caller = verdict.caller;
    }
    const url = new URL(req.url ?? '/', 'http://localhost');
    const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : (v ?? '')]));
    try {
      reply(res, await invoke({ method: req.method ?? 'GET', path: url.pathname, query: url.search.slice(1), headers, caller }));
    } catch (err) {
      // The handler could not even start (e.g. a bad REGCRED_* value): this is the developer's own server, so say why.
      reply(res, refusal(500, 'InternalError', `the ${cloudId} handler failed: ${(err as Error).message}`));
    }
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      void local?.stop();
      reject(err.code === 'EADDRINUSE' ? new Error(`port ${options.port} is in use; pick another with --port`) : err);
    });
    server.listen(options.port, options.host ?? '127.0.0.1', resolve);
  });
  port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;
  if (!options.quiet) printBanner(url, cloudId, local, token);
  return {
    url,
    ...(token && { token }),
    ...(local && { local }),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await local?.stop();
    },
  };
}

function isLoopbackHost(host: string | undefined, port: number): boolean {
  return host === `127.0.0.1:${port}` || host === `localhost:${port}`;
}

function hasToken(authorization: string | undefined, token: string): boolean {
  const given = Buffer.from(authorization ?? '');
  const expected = Buffer.from(`Bearer ${token}`);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

function refusal(statusCode: number, code: string, message: string): LocalAnswer {
  return { statusCode, headers: { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' }, body: JSON.stringify({ error: { code, message } }) };
}

function reply(res: http.ServerResponse, answer: LocalAnswer): void {
  res.writeHead(answer.statusCode, answer.headers);
  res.end(answer.body);
}

function printBanner(url: string, cloud: string, local: LocalCloud | undefined, token: string | undefined): void {
  const lines = local
    ? [`regcred is serving the ${cloud} handler on ${url} against the loopback emulator.`, ...local.trigger.banner(url)]
    : [
        `regcred is serving the ${cloud} handler on ${url} with this machine's ${cloud} identity.`,
        "It answers only requests carrying this run's token (a new one each run):",
        '',
        `  curl -s -H "Authorization: Bearer ${token}" "${url}/credentials?format=dockerconfigjson"`,
      ];
  if (local) lines.push('', `Other formats: ?format=json | kubernetes&name=regcred&namespace=default; one registry: ${url}/credentials/${local.hosts[0]}?format=credential-helper`);
  process.stdout.write(lines.join('\n') + '\nCtrl-C stops it.\n');
}

/**
 * The command line: `--emulator`, `--cloud <id>` (default aws), `--port <n>` (default 8787; 0 picks
 * a free one). A bad flag is one line and exit code 2, as the client's usage errors.
 * @example serveOptions(['--emulator', '--cloud', 'tencent']) // { emulator: true, port: 8787, cloud: 'tencent' }
 */
export function serveOptions(args: string[]): ServeOptions {
  const { values } = parseArgs({ args, options: { emulator: { type: 'boolean' }, cloud: { type: 'string' }, port: { type: 'string' } } });
  const port = Number(values.port ?? 8787);
  if (!/^\d+$/.test(values.port ?? '8787') || port > 65_535) throw new Error(`--port must be a port number (0 to 65535), not '${values.port}'`);
  return { emulator: values.emulator ?? false, port, ...(values.cloud && { cloud: values.cloud }) };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  let options: ServeOptions | undefined;
  try {
    options = serveOptions(process.argv.slice(2));
    await serve(options); // the server keeps the process alive until Ctrl-C
  } catch (err) {
    process.stderr.write(`regcred: ${(err as Error).message}\n`);
    // Before the options are read it is the command line's fault (a bad or unknown flag).
    process.exitCode = options ? 1 : 2;
  }
}
