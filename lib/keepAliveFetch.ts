/**
 * A fetch for gateway → subgraph calls over a pool of kept-alive connections
 * (undici Agent), so a query plan's fetches reuse warm sockets instead of
 * opening a TCP connection per subgraph request.
 *
 * Optionally, identical subgraph queries in flight at the same time share one
 * request: same URL, same body, same caller scopes (so no caller ever receives
 * an answer shaped for other permissions). Mutations are never shared.
 */
import { STATUS_CODES } from 'node:http';
import type { Fetcher, FetcherHeaders, FetcherRequestInit, FetcherResponse } from '@apollo/utils.fetcher';
import { Agent, request } from 'undici';

export interface KeepAliveFetchOptions {
  /** Most connections per subgraph origin. */
  connections: number;
  /** How long an idle connection is kept, in ms (the server's Keep-Alive hint wins when shorter). */
  keepAliveMs: number;
  /** Share identical in-flight queries; the header named here (the caller's scopes) is part of what must match. */
  dedupe?: { scopesHeader: string };
}

interface Answer {
  url: string;
  status: number;
  headers: Record<string, string>;
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

/**
 * Answers are read whole, then handed to Apollo as this small Response: undici's `request` writes
 * the headers and body of a subgraph request in one go and skips WHATWG fetch's streams, which
 * cost the gateway more CPU per subgraph fetch than the rest of the fetch path together.
 */
class SubgraphResponse implements FetcherResponse {
  readonly redirected = false;
  bodyUsed = false;
  readonly headers: FetcherHeaders;

  constructor(private readonly answer: Answer) {
    this.headers = new Headers(answer.headers) as unknown as FetcherHeaders;
  }

  get url(): string {
    return this.answer.url;
  }
  get status(): number {
    return this.answer.status;
  }
  get ok(): boolean {
    return this.answer.status >= 200 && this.answer.status < 300;
  }
  get statusText(): string {
    return STATUS_CODES[this.answer.status] ?? '';
  }
  async text(): Promise<string> {
    this.bodyUsed = true;
    return this.answer.body;
  }
  async json(): Promise<unknown> {
    return JSON.parse(await this.text());
  }
  async arrayBuffer(): Promise<ArrayBuffer> {
    const bytes = Buffer.from(await this.text());
    return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  }
  clone(): FetcherResponse {
    return new SubgraphResponse(this.answer);
  }
}

export function createKeepAliveFetch(options: KeepAliveFetchOptions): { fetcher: Fetcher; close(): Promise<void> } {
  const dispatcher = new Agent({
    connections: options.connections,
    keepAliveTimeout: options.keepAliveMs,
    keepAliveMaxTimeout: Math.max(options.keepAliveMs, 60_000),
    pipelining: 1,
  });
  const send = async (url: string, init: FetcherRequestInit = {}): Promise<Answer> => {
    const response = await request(url, {
      dispatcher,
      method: (init.method ?? 'GET') as 'GET',
      headers: init.headers,
      body: init.body,
      signal: init.signal,
    });
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(response.headers)) {
      if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
    }
    return { url, status: response.statusCode, headers, body: await response.body.text() };
  };
  const answered = (answer: Answer) => new SubgraphResponse(answer) as FetcherResponse;
  if (!options.dedupe) return { fetcher: async (url, init) => answered(await send(url, init)), close: () => dispatcher.close() };

  const scopesHeader = options.dedupe.scopesHeader;
  const inflight = new Map<string, Promise<Answer>>();
  const fetcher: Fetcher = async (url, init) => {
    const body = init?.body;
    if (!isQuery(body)) return answered(await send(url, init));
    const key = `${url}\u0000${init?.headers?.[scopesHeader] ?? ''}\u0000${body}`;
    let answer = inflight.get(key);
    if (!answer) {
      answer = send(url, init);
      inflight.set(key, answer);
      // Shared only while in flight: a later identical query asks again.
      void answer.finally(() => inflight.delete(key)).catch(() => undefined);
    }
    return answered(await answer);
  };
  return { fetcher, close: () => dispatcher.close() };
}
