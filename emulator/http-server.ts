import http from 'node:http';

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
