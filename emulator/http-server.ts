import http from 'node:http';

/** A request as it came off the wire, for signature verifiers (SigV4, ACS3). */
export interface WireRequest {
  method: string;
  /** Path and query exactly as received (`req.url`). */
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/**
 * An HTTP server that hands each request over with its whole body read. A body over `maxBytes`
 * drops the connection, as a cloud front end refuses an oversized request.
 * @example const server = bodyServer(1 << 20, (req, res, body) => res.end(String(body.length)));
 */
export function bodyServer(
  maxBytes: number,
  handle: (req: http.IncomingMessage, res: http.ServerResponse, body: Buffer) => void,
): http.Server {
  return http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) req.destroy();
      else chunks.push(chunk);
    });
    req.on('end', () => handle(req, res, Buffer.concat(chunks)));
  });
}

export interface Listening {
  port: number;
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** Drops open keep-alive connections too, so a test's teardown never hangs. */
  stop(): Promise<void>;
}

/** Capped by the kernel's net.core.somaxconn (4096 on current Linux). */
const LISTEN_BACKLOG = 4096;

/**
 * Listen on an ephemeral loopback port: emulators are never reachable from outside this machine.
 * @example const { url, stop } = await listenOnLoopback(server);
 */
export async function listenOnLoopback(server: http.Server): Promise<Listening> {
  // A backlog for the benchmark's largest burst (4 × 1000 connections at once): with Node's default
  // of 511 the kernel drops the surplus handshakes, and those calls hang until their client times out.
  await new Promise<void>((resolve) => server.listen({ port: 0, host: '127.0.0.1', backlog: LISTEN_BACKLOG }, resolve));
  const { port } = server.address() as { port: number };
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
