/**
 * A fetch for gateway → subgraph calls over a pool of kept-alive connections
 * (undici Agent), so a query plan's fetches reuse warm sockets instead of
 * opening a TCP connection per subgraph request.
 */
import type { Fetcher } from '@apollo/utils.fetcher';
import { Agent, fetch as undiciFetch } from 'undici';

export interface KeepAliveFetchOptions {
  /** Most connections per subgraph origin. */
  connections: number;
  /** How long an idle connection is kept, in ms (the server's Keep-Alive hint wins when shorter). */
  keepAliveMs: number;
}

export function createKeepAliveFetch(options: KeepAliveFetchOptions): { fetcher: Fetcher; close(): Promise<void> } {
  const dispatcher = new Agent({ connections: options.connections, keepAliveTimeout: options.keepAliveMs, keepAliveMaxTimeout: Math.max(options.keepAliveMs, 60_000), pipelining: 1 });
  const fetcher = ((url: string, init?: Record<string, unknown>) => undiciFetch(url, { ...(init as object), dispatcher })) as unknown as Fetcher;
  return { fetcher, close: () => dispatcher.close() };
}
