/**
 * A fetch for gateway → subgraph calls over a pool of kept-alive connections
 * (undici Agent), so a query plan's fetches reuse warm sockets instead of
 * opening a TCP connection per subgraph request.
 *
 * Optionally, identical subgraph queries in flight at the same time share one
 * request: same URL, same body, same caller scopes (so no caller ever receives
 * an answer shaped for other permissions). Mutations are never shared.
 */
import type { Fetcher } from '@apollo/utils.fetcher';
import { Agent, fetch as undiciFetch } from 'undici';

export interface KeepAliveFetchOptions {
  /** Most connections per subgraph origin. */
  connections: number;
  /** How long an idle connection is kept, in ms (the server's Keep-Alive hint wins when shorter). */
  keepAliveMs: number;
  /** Share identical in-flight queries; the header named here (the caller's scopes) is part of what must match. */
  dedupe?: { scopesHeader: string };
}

interface SharedAnswer {
  status: number;
  statusText: string;
  headers: [string, string][];
  body: string;
}

// Private: only read-only operations may be shared; a mutation must run once per caller.
function isQuery(body: unknown): body is string {
  if (typeof body !== 'string') return false;
  try {
    const { query } = JSON.parse(body) as { query?: unknown };
    return typeof query === 'string' && /^\s*(query\b|\{)/.test(query);
  } catch {
    return false;
  }
}

export function createKeepAliveFetch(options: KeepAliveFetchOptions): { fetcher: Fetcher; close(): Promise<void> } {
  const dispatcher = new Agent({
    connections: options.connections,
    keepAliveTimeout: options.keepAliveMs,
    keepAliveMaxTimeout: Math.max(options.keepAliveMs, 60_000),
    pipelining: 1,
  });
  const send = (url: string, init?: Record<string, unknown>) => undiciFetch(url, { ...(init as object), dispatcher });
  if (!options.dedupe) return { fetcher: send as unknown as Fetcher, close: () => dispatcher.close() };

  const scopesHeader = options.dedupe.scopesHeader;
  const inflight = new Map<string, Promise<SharedAnswer>>();
  const fetcher = (async (url: string, init?: Record<string, unknown>) => {
    const body = init?.body;
    if (!isQuery(body)) return send(url, init);
    const headers = (init?.headers ?? {}) as Record<string, string>;
    const key = `${url}\u0000${headers[scopesHeader] ?? ''}\u0000${body}`;
    let answer = inflight.get(key);
    if (!answer) {
      answer = (async () => {
        const response = await send(url, init);
        return { status: response.status, statusText: response.statusText, headers: [...response.headers.entries()], body: await response.text() };
      })();
      inflight.set(key, answer);
      // Shared only while in flight: a later identical query asks again.
      void answer.finally(() => inflight.delete(key)).catch(() => undefined);
    }
    const shared = await answer;
    return new Response(shared.body, { status: shared.status, statusText: shared.statusText, headers: shared.headers });
  }) as unknown as Fetcher;
  return { fetcher, close: () => dispatcher.close() };
}
