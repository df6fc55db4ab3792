/** The gateway's subgraph fetch: kept-alive connections, identical in-flight queries shared, and queries started together batched. */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { REBATCH_AFTER_MS, createKeepAliveFetch, jsonArrayItems } from '../../lib/keepAliveFetch.js';

/** How the test subgraph answers a batch (a JSON array body); a single request is always answered. */
let batchAnswer: 'results' | 'refuse' | 'too-large' | 'fail' | 'one-short' = 'results';
let requests: { headers: IncomingHttpHeaders; body: string }[] = [];

let server: Server;
let url: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    // A slow subgraph, so that concurrent requests overlap.
    req.on('end', () => {
      requests.push({ headers: req.headers, body });
      const parsed = JSON.parse(body) as { query: string } | { query: string }[];
      const answer = (op: { query: string }) => ({ data: { echo: op.query, request: requests.length } });
      const reply = (status: number, payload: unknown) =>
        setTimeout(() => res.writeHead(status, { 'content-type': 'application/json', 'x-cache-tags': 'erp.customer' }).end(JSON.stringify(payload)), 50);
      if (!Array.isArray(parsed)) return reply(200, answer(parsed));
      if (batchAnswer === 'refuse') return reply(400, { errors: [{ message: 'Operation batching disabled.' }] });
      if (batchAnswer === 'too-large') return reply(413, { errors: [{ message: 'The request body exceeds the limit.' }] });
      if (batchAnswer === 'fail') return reply(500, { errors: [{ message: 'Unexpected error while handling the request.' }] });
      reply(200, parsed.slice(batchAnswer === 'one-short' ? 1 : 0).map(answer));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

beforeEach(() => {
  requests = [];
  batchAnswer = 'results';
});

const query = (text: string) => JSON.stringify({ query: text, variables: {} });

function client(options: Omit<Parameters<typeof createKeepAliveFetch>[0], 'connections' | 'keepAliveMs'>) {
  const { fetcher, close } = createKeepAliveFetch({ connections: 8, keepAliveMs: 5000, ...options });
  afterAll(() => close());
  const send = (body: string, headers: Record<string, string> = {}) =>
    fetcher(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-caller-scopes': '', ...headers }, body });
  return { send, json: (body: string, headers?: Record<string, string>) => send(body, headers).then((r) => r.json() as Promise<any>) };
}

/** Sends queries a and b at once: their answers' echoes and, for each request the subgraph got, whether it was a batch. */
async function pair(json: ReturnType<typeof client>['json']): Promise<{ echoes: string[]; batched: boolean[] }> {
  requests = [];
  const answers = await Promise.all([json(query('query { a }')), json(query('query { b }'))]);
  return { echoes: answers.map((a) => a.data.echo), batched: requests.map((r) => Array.isArray(JSON.parse(r.body))) };
}

describe('createKeepAliveFetch with dedupe', () => {
  const { json } = client({ dedupe: { scopesHeader: 'x-caller-scopes' } });

  it('shares one subgraph request among identical queries in flight, each caller getting the full answer', async () => {
    const answers = await Promise.all(Array.from({ length: 5 }, () => json(query('query { a }'))));
    expect(requests).toHaveLength(1);
    expect(new Set(answers.map((a) => JSON.stringify(a))).size).toBe(1);
  });

  it('never shares between callers with different scopes, nor a mutation, nor a query that is no longer in flight', async () => {
    await Promise.all([json(query('query { a }'), { 'x-caller-scopes': 'finance:read' }), json(query('query { a }'))]);
    expect(requests).toHaveLength(2);
    requests = [];
    await Promise.all(Array.from({ length: 3 }, () => json(query('mutation { m }'))));
    expect(requests).toHaveLength(3);
    requests = [];
    await json(query('{ a }'));
    await json(query('{ a }'));
    expect(requests).toHaveLength(2);
  });
});

describe('createKeepAliveFetch with batching', () => {
  const signed: string[] = [];
  const { send, json } = client({
    batch: true,
    dedupe: { scopesHeader: 'x-caller-scopes' },
    sign: (body, headers) => {
      signed.push(body);
      return { 'x-internal-auth': `signed ${body.length} for ${headers['x-caller-scopes'] || 'no scopes'}` };
    },
  });

  it('sends the queries started together with the same headers as one request, and gives each caller its own answer, in order', async () => {
    signed.length = 0;
    const bodies = ['query { a }', 'query { b }', '{ c }'].map(query);
    const answers = await Promise.all(bodies.map((body) => json(body, { 'x-request-id': 'r1' })));
    expect(requests).toHaveLength(1);
    expect(JSON.parse(requests[0]!.body)).toEqual(bodies.map((b) => JSON.parse(b)));
    expect(answers.map((a) => a.data.echo)).toEqual(['query { a }', 'query { b }', '{ c }']);
    // The batch is signed whole, over the bytes that went out, with the scopes its queries share.
    expect(signed).toEqual([requests[0]!.body]);
    expect(requests[0]!.headers['x-internal-auth']).toBe(`signed ${requests[0]!.body.length} for no scopes`);
    expect(requests[0]!.headers['x-request-id']).toBe('r1');
  });

  it('keeps apart queries with other headers (another request id, other scopes), mutations, and queries started later', async () => {
    await Promise.all([
      json(query('query { a }'), { 'x-request-id': 'r1' }),
      json(query('query { b }'), { 'x-request-id': 'r2' }),
      json(query('query { c }'), { 'x-request-id': 'r1', 'x-caller-scopes': 'finance:read' }),
      json(query('mutation { m }'), { 'x-request-id': 'r1' }),
      json(query('mutation { n }'), { 'x-request-id': 'r1' }),
    ]);
    expect(requests.map((r) => JSON.parse(r.body)).every((b) => !Array.isArray(b))).toBe(true);
    expect(requests).toHaveLength(5);
    requests = [];
    await json(query('query { a }'));
    await json(query('query { b }'));
    expect(requests).toHaveLength(2);
  });

  it('batches what in-flight sharing leaves: identical queries share one member of the batch', async () => {
    const answers = await Promise.all([json(query('query { a }')), json(query('query { a }')), json(query('query { b }'))]);
    expect(requests).toHaveLength(1);
    expect(JSON.parse(requests[0]!.body)).toHaveLength(2);
    expect(answers.map((a) => a.data.echo)).toEqual(['query { a }', 'query { a }', 'query { b }']);
  });

  it('sends the queries of a batch too large for the subgraph one by one, and still batches later ones', async () => {
    batchAnswer = 'too-large';
    expect(await pair(json)).toEqual({ echoes: ['query { a }', 'query { b }'], batched: [true, false, false] });
    batchAnswer = 'results';
    expect(await pair(json)).toEqual({ echoes: ['query { a }', 'query { b }'], batched: [true] });
  });

  it("answers each query of a failed batch with the batch's status and body, as if it had failed alone", async () => {
    batchAnswer = 'fail';
    const responses = await Promise.all([send(query('query { a }')), send(query('query { b }'))]);
    expect(requests).toHaveLength(1);
    expect(responses.map((r) => r.status)).toEqual([500, 500]);
    for (const response of responses) expect(await response.json()).toEqual({ errors: [{ message: 'Unexpected error while handling the request.' }] });
  });

  it('fails each query, naming the counts, when a batch is answered with the wrong number of results', async () => {
    batchAnswer = 'one-short';
    const outcomes = await Promise.allSettled([send(query('query { a }')), send(query('query { b }'))]);
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected']);
    expect(String((outcomes[0] as PromiseRejectedResult).reason)).toContain(
      `answered a batch of 2 queries with an array of 1; expected a JSON array of 2 results, in order`,
    );
  });
});

describe('createKeepAliveFetch batching towards a subgraph that refuses batches', () => {
  const { json } = client({ batch: true });

  it('sends the queries of a refused batch one by one, and batches no more to that subgraph for a while', async () => {
    batchAnswer = 'refuse';
    expect(await pair(json)).toEqual({ echoes: ['query { a }', 'query { b }'], batched: [true, false, false] });
    expect(await pair(json)).toEqual({ echoes: ['query { a }', 'query { b }'], batched: [false, false] });

    // Redeployed with batching on: after REBATCH_AFTER_MS the gateway tries a batch again, and keeps batching.
    batchAnswer = 'results';
    const later = Date.now() + REBATCH_AFTER_MS + 1;
    const clock = vi.spyOn(Date, 'now').mockReturnValue(later);
    try {
      expect(await pair(json)).toEqual({ echoes: ['query { a }', 'query { b }'], batched: [true] });
    } finally {
      clock.mockRestore();
    }
  });
});

describe('jsonArrayItems (how a batch answer is dealt back without parsing it)', () => {
  it("cuts an array at its top-level commas, whatever brackets, commas and quotes its items' strings hold", () => {
    const items = [{ data: { a: 'x,]}' } }, { errors: [{ message: 'say "[hi]", \\ then {go}' }] }, null, 3, 'é,'];
    expect(jsonArrayItems(` ${JSON.stringify(items, null, 2)}\n`)?.map((item) => JSON.parse(item))).toEqual(items);
    expect(jsonArrayItems('[]')).toEqual([]);
  });

  it('answers undefined for what is not one well-formed array', () => {
    for (const text of ['{"data":{}}', '[1,]', '[,1]', '[1,,2]', '[{"a":1]', '["open]', '[1]]', '', 'Operation batching disabled.']) {
      expect(jsonArrayItems(text), text).toBeUndefined();
    }
  });
});
