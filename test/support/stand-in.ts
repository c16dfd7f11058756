import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** A hostile stand-in for a regcred function: a plain HTTP server that answers as the test says. */
export interface StandIn {
  url: string;
  /** Every request it got, in order. */
  requests: Array<{ method: string; path: string }>;
  /** TCP connections made to it (a request refused before sending makes none). */
  connections: number;
  close(): Promise<void>;
}

/**
 * Listen on `host` (loopback unless given), answering every request with `answer`.
 * @example const fn = await startStandIn((req, res) => res.writeHead(307, { location: other.url }).end());
 */
export async function startStandIn(answer: http.RequestListener, host = '127.0.0.1'): Promise<StandIn> {
  const standIn: StandIn = { url: '', requests: [], connections: 0, close: async () => {} };
  const server = http.createServer((req, res) => {
    standIn.requests.push({ method: req.method ?? '', path: req.url ?? '' });
    answer(req, res);
  });
  server.on('connection', () => standIn.connections++);
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  standIn.url = `http://${host}:${(server.address() as AddressInfo).port}`;
  standIn.close = () =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return standIn;
}

/** The registry a `/credentials/{host}` request asks for. */
export function askedRegistry(req: http.IncomingMessage): string {
  return decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname.split('/')[2] ?? '');
}

/** Answer `status` with the JSON `body`. */
export function json(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
}

/** A json-format credential for `registry`, valid an hour unless `expiresAt` is given. */
export function credentialFor(registry: string, password: string, expiresAt = new Date(Date.now() + 3_600_000).toISOString()): Record<string, string> {
  return { registry, username: 'AWS', password, expiresAt, provider: 'ecr', region: 'us-east-1' };
}
