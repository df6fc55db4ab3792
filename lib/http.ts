/**
 * The small HTTP pieces the gateway's front and the subgraphs' servers share:
 * how long idle connections are kept, a size-limited body reader and JSON
 * replies in GraphQL's error shape.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';

/**
 * Keeps idle client connections open for `idleMs` (HTTP_KEEPALIVE_TIMEOUT_MS). Node closes them after
 * 5 s by default, well before the 60 s a load balancer or nginx keeps its upstream connections: it may
 * then send a request down a connection as the server closes it, and answer that request with a 502.
 * Node advertises the timeout (`Keep-Alive: timeout=…`) for clients that read it.
 */
export function keepIdleConnections(server: Server, idleMs: number): void {
  server.keepAliveTimeout = idleMs;
  // A request's headers must be allowed longer than the idle wait before it, or the headers timer could
  // close a kept-alive connection first.
  server.headersTimeout = Math.max(server.headersTimeout, idleMs + 1_000);
}

/**
 * Reads a request body as text, or resolves to null once it passes `limit` bytes
 * (declared or actually sent) so the caller can answer 413 without holding it.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<string | null> {
  return new Promise((resolve, reject) => {
    if (Number(req.headers['content-length'] ?? 0) > limit) {
      req.resume();
      return resolve(null);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.resume();
        resolve(null);
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const payload = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': String(Buffer.byteLength(payload)), ...headers });
  res.end(payload);
}

/** A request-level failure in GraphQL's response shape, with its `extensions.code`. */
export function sendGraphQLError(res: ServerResponse, status: number, message: string, code: string): void {
  sendJson(res, status, { errors: [{ message, extensions: { code } }] });
}
