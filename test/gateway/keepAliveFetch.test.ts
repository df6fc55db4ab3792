/** The gateway's subgraph fetch: kept-alive connections, and identical in-flight queries shared. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKeepAliveFetch } from '../../lib/keepAliveFetch.js';

let server: Server;
let url: string;
let received = 0;

beforeAll(async () => {
  server = createServer((req, res) => {
    received++;
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    // A slow subgraph, so that concurrent requests overlap.
    req.on('end', () =>
      setTimeout(() => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ data: { echo: body.length, n: received } })), 50),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const query = (text: string) => JSON.stringify({ query: text, variables: {} });

describe('createKeepAliveFetch with dedupe', () => {
  const { fetcher, close } = createKeepAliveFetch({ connections: 8, keepAliveMs: 5000, dedupe: { scopesHeader: 'x-caller-scopes' } });
  afterAll(() => close());
  const send = (body: string, scopes = '') =>
    fetcher(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-caller-scopes': scopes }, body }).then((r) => r.json());

  it('shares one subgraph request among identical queries in flight, each caller getting the full answer', async () => {
    received = 0;
    const answers = await Promise.all(Array.from({ length: 5 }, () => send(query('query { a }'))));
    expect(received).toBe(1);
    expect(new Set(answers.map((a) => JSON.stringify(a))).size).toBe(1);
  });

  it('never shares between callers with different scopes, nor a mutation, nor a query that is no longer in flight', async () => {
    received = 0;
    await Promise.all([send(query('query { a }'), 'finance:read'), send(query('query { a }'), '')]);
    expect(received).toBe(2);
    received = 0;
    await Promise.all(Array.from({ length: 3 }, () => send(query('mutation { m }'))));
    expect(received).toBe(3);
    received = 0;
    await send(query('{ a }'));
    await send(query('{ a }'));
    expect(received).toBe(2);
  });
});
