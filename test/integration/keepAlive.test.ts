/**
 * Idle client connections stay open for HTTP_KEEPALIVE_TIMEOUT_MS at the gateway and at every
 * subgraph (65 s by default, above the 60 s nginx and most load balancers keep an upstream
 * connection), and no longer: Node's own default is 5 s, and a balancer that sends a request down a
 * connection as the server closes it answers that request with a 502.
 */
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, type TestStack } from '../helpers/startStack.js';

/**
 * GETs `url` over a bare socket (a client agent would close the connection itself, by the server's
 * Keep-Alive hint); answers that hint and how long the server left the connection idle before closing
 * it, or null when it was still open after `waitAtMostMs`.
 */
function idleLifetime(url: string, waitAtMostMs: number): Promise<{ keepAlive: string | undefined; closedAfterMs: number | null }> {
  const { hostname, port, pathname } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    let received = '';
    let idleSince: number | null = null;
    let timer: NodeJS.Timeout | undefined;
    const keepAlive = () => /^keep-alive: *(.*)$/im.exec(received)?.[1]?.trim();
    socket.on('error', reject);
    socket.on('data', (chunk) => {
      received += chunk.toString('latin1');
      const head = received.indexOf('\r\n\r\n');
      const length = Number(/^content-length: *(\d+)/im.exec(received)?.[1]);
      if (idleSince !== null || head < 0 || received.length < head + 4 + length) return;
      idleSince = performance.now();
      timer = setTimeout(() => {
        socket.destroy();
        resolve({ keepAlive: keepAlive(), closedAfterMs: null });
      }, waitAtMostMs);
    });
    socket.on('close', () => {
      clearTimeout(timer);
      if (idleSince === null) reject(new Error(`${url} closed the connection before answering: ${JSON.stringify(received)}`));
      else resolve({ keepAlive: keepAlive(), closedAfterMs: performance.now() - idleSince });
    });
    socket.write(`GET ${pathname} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nConnection: keep-alive\r\n\r\n`);
  });
}

describe('idle client connections', () => {
  let stack: TestStack;

  describe('by default', () => {
    beforeAll(async () => {
      stack = await startTestStack();
    });
    afterAll(async () => {
      await stack?.stop();
    });

    it('are kept 65 s at the gateway and at each subgraph, as each says in Keep-Alive', async () => {
      const health = [
        stack.gateway.url.replace(/\/graphql$/, '/health/live'),
        ...[stack.erpUrl, stack.crmUrl, stack.workflowUrl].map((u) => new URL('/health/live', u).href),
      ];
      for (const url of health) {
        const { keepAlive, closedAfterMs } = await idleLifetime(url, 100);
        expect(keepAlive, url).toBe('timeout=65');
        expect(closedAfterMs, url).toBeNull();
      }
    });
  });

  describe('with HTTP_KEEPALIVE_TIMEOUT_MS=1000', () => {
    beforeAll(async () => {
      stack = await startTestStack({ env: { HTTP_KEEPALIVE_TIMEOUT_MS: '1000' } });
    });
    afterAll(async () => {
      await stack?.stop();
    });

    it('are closed by the server after about a second, not kept for the default', async () => {
      const urls = [stack.gateway.url.replace(/\/graphql$/, '/health/live'), new URL('/health/live', stack.crmUrl).href];
      const lifetimes = await Promise.all(urls.map((url) => idleLifetime(url, 4_000)));
      for (const { keepAlive, closedAfterMs } of lifetimes) {
        expect(keepAlive).toBe('timeout=1');
        expect(closedAfterMs).not.toBeNull();
        expect(closedAfterMs!).toBeGreaterThan(800);
        expect(closedAfterMs!).toBeLessThan(3_000);
      }
    });
  });
});
