/**
 * A fetch for gateway → subgraph calls over a pool of kept-alive connections
 * (undici Agent), so a query plan's fetches reuse warm sockets instead of
 * opening a TCP connection per subgraph request.
 *
 * Optionally, identical subgraph queries in flight at the same time share one
 * request: same URL, same body, same caller scopes (so no caller ever receives
 * an answer shaped for other permissions). Mutations are never shared.
 *
 * Optionally too, queries to one subgraph that start in the same turn with the
 * same headers go out as one request whose body is the JSON array of their
 * bodies, and the answer's array is dealt back in order: Apollo Server's batch
 * format, which every subgraph here takes (lib/subgraphHttp.ts). A query plan
 * that fetches from one subgraph along several paths at once (an order's
 * account, its salesperson and its products' price-book entries) then costs
 * that subgraph one request, whose native calls all leave together, instead
 * of several that it would start one after another. The headers include the
 * gateway's request id, so only fetches of one client request are batched.
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
  /** Send queries to one URL that start in the same turn, with the same headers, as one batched request. */
  batch?: boolean;
  /**
   * Headers that authenticate a request body, added last, over the exact bytes sent: a batch is
   * signed whole. `headers` are the request's other headers.
   */
  sign?: (body: string, headers: Readonly<Record<string, string>>) => Record<string, string>;
}

interface Answer {
  url: string;
  status: number;
  headers: Record<string, string>;
  body: string;
}

// Private: only read-only operations may be shared or batched; a mutation must run once per caller, on its own.
function isQuery(body: unknown): body is string {
  if (typeof body !== 'string') return false;
  // Apollo's data source writes `query` first, and a plan's fetch starts with its keyword: most bodies are
  // known by their first bytes, without parsing a body of perhaps hundreds of entity representations.
  if (/^\{"query":"(query\b|\{)/.test(body)) return true;
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

type Send = (url: string, init: FetcherRequestInit) => Promise<Answer>;

export function createKeepAliveFetch(options: KeepAliveFetchOptions): { fetcher: Fetcher; close(): Promise<void> } {
  const dispatcher = new Agent({
    connections: options.connections,
    keepAliveTimeout: options.keepAliveMs,
    keepAliveMaxTimeout: Math.max(options.keepAliveMs, 60_000),
    pipelining: 1,
  });
  const { sign } = options;
  const send: Send = async (url, init) => {
    const body = typeof init.body === 'string' ? init.body : '';
    const response = await request(url, {
      dispatcher,
      method: (init.method ?? 'GET') as 'GET',
      headers: sign ? { ...init.headers, ...sign(body, init.headers ?? {}) } : init.headers,
      body: init.body,
      signal: init.signal,
    });
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(response.headers)) {
      if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
    }
    return { url, status: response.statusCode, headers, body: await response.body.text() };
  };
  const sendQuery = options.batch ? batching(send) : send;
  const answered = (answer: Answer) => new SubgraphResponse(answer) as FetcherResponse;

  const scopesHeader = options.dedupe?.scopesHeader;
  const inflight = new Map<string, Promise<Answer>>();
  const fetcher: Fetcher = async (url, init = {}) => {
    const body = init.body;
    if (!isQuery(body)) return answered(await send(url, init));
    if (scopesHeader === undefined) return answered(await sendQuery(url, init));
    const key = `${url}\u0000${init.headers?.[scopesHeader] ?? ''}\u0000${body}`;
    let answer = inflight.get(key);
    if (!answer) {
      answer = sendQuery(url, init);
      inflight.set(key, answer);
      // Shared only while in flight: a later identical query asks again.
      void answer.finally(() => inflight.delete(key)).catch(() => undefined);
    }
    return answered(await answer);
  };
  return { fetcher, close: () => dispatcher.close() };
}

/** Most queries in one batched request: well within what a subgraph here takes (64, lib/subgraphHttp.ts). */
const MOST_PER_BATCH = 32;

/** How long a subgraph that refused a batch gets its queries one by one: a redeploy may have turned batching on. */
export const REBATCH_AFTER_MS = 5 * 60_000;

interface BatchMember {
  body: string;
  resolve(answer: Answer): void;
  reject(error: unknown): void;
}

/**
 * Sends the queries started in one turn to the same URL with the same headers as one request.
 * A subgraph that refuses batches as a whole (HTTP 400: Apollo Server without
 * `allowBatchedHttpRequests`) gets the queries of that batch one by one, and no batches for
 * REBATCH_AFTER_MS; a batch over the subgraph's body limit (HTTP 413) is sent one by one too.
 */
function batching(send: Send): Send {
  let pending: Map<string, { url: string; init: FetcherRequestInit; members: BatchMember[] }> | undefined;
  const refusedUntil = new Map<string, number>();

  const sendAlone = (url: string, init: FetcherRequestInit, member: BatchMember) =>
    send(url, { ...init, body: member.body }).then(member.resolve, member.reject);

  const sendBatch = async (url: string, init: FetcherRequestInit, members: BatchMember[]) => {
    if (members.length === 1 || (refusedUntil.get(url) ?? 0) > Date.now()) return members.forEach((member) => void sendAlone(url, init, member));
    let answer: Answer;
    try {
      answer = await send(url, { ...init, body: `[${members.map((m) => m.body).join(',')}]` });
    } catch (error) {
      return void members.forEach((m) => m.reject(error));
    }
    // Refused as a batch (400), or too large together for the subgraph's body limit (413): each may still pass alone.
    if (answer.status === 400 || answer.status === 413) {
      if (answer.status === 400) refusedUntil.set(url, Date.now() + REBATCH_AFTER_MS);
      return members.forEach((member) => void sendAlone(url, init, member));
    }
    // Any other failure of the whole batch (401, 5xx) is each query's failure, as it would have been alone.
    if (answer.status !== 200) return void members.forEach((m) => m.resolve(answer));
    // Each caller gets its own text, as from a request of its own: what Apollo parses from it is its alone to change.
    const results = jsonArrayItems(answer.body);
    if (results?.length !== members.length) {
      const got = results ? `an array of ${results.length}` : `something else (it began: ${answer.body.slice(0, 80)})`;
      const error = new Error(
        `The subgraph at ${url} answered a batch of ${members.length} queries with ${got}; expected a JSON array of ${members.length} results, in order.`,
      );
      return void members.forEach((m) => m.reject(error));
    }
    members.forEach((m, i) => m.resolve({ ...answer, body: results[i]! }));
  };

  const flush = () => {
    const groups = pending!;
    pending = undefined;
    for (const { url, init, members } of groups.values()) {
      for (let i = 0; i < members.length; i += MOST_PER_BATCH) void sendBatch(url, init, members.slice(i, i + MOST_PER_BATCH));
    }
  };

  return (url, init) => {
    // A query with its own abort signal cannot share a request with others that may outlive it.
    if (init.signal || typeof init.body !== 'string') return send(url, init);
    const body = init.body;
    return new Promise<Answer>((resolve, reject) => {
      if (!pending) {
        pending = new Map();
        // As DataLoader schedules a batch: once this turn's promise jobs have run, so every fetch a plan node starts at once is in.
        void Promise.resolve().then(() => process.nextTick(flush));
      }
      const headers = Object.entries(init.headers ?? {}).sort(([a], [b]) => (a < b ? -1 : 1));
      const key = `${url}\u0000${JSON.stringify(headers)}`;
      let group = pending.get(key);
      if (!group) pending.set(key, (group = { url, init, members: [] }));
      group.members.push({ body, resolve, reject });
    });
  };
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const OPEN = new Set([0x5b, 0x7b]); // [ {
const CLOSE = new Set([0x5d, 0x7d]); // ] }

/**
 * The texts of the items of a JSON array, cut at its top-level commas without parsing them (each
 * caller's data source parses its own), or undefined when `text` is not one array. Items are checked
 * only for balanced brackets and closed strings: a malformed item fails where it is parsed.
 */
export function jsonArrayItems(text: string): string[] | undefined {
  const body = text.trim();
  if (body.charCodeAt(0) !== 0x5b || body.charCodeAt(body.length - 1) !== 0x5d) return undefined;
  const items: string[] = [];
  let depth = 0;
  let start = 1;
  let inString = false;
  for (let i = 1; i < body.length - 1; i++) {
    const c = body.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) inString = true;
    else if (OPEN.has(c)) depth++;
    else if (CLOSE.has(c)) {
      if (--depth < 0) return undefined;
    } else if (c === COMMA && depth === 0) {
      items.push(body.slice(start, i).trim());
      start = i + 1;
    }
  }
  if (inString || depth !== 0) return undefined;
  const last = body.slice(start, body.length - 1).trim();
  if (last === '') return items.length === 0 ? [] : undefined;
  items.push(last);
  return items.some((item) => item === '') ? undefined : items;
}
