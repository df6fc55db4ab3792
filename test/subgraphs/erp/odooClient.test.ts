/**
 * The JSON-RPC client against a stand-in server that answers with the exact
 * envelopes a real Odoo 17 sends (see test/fixtures/odoo-17): how it
 * authenticates, how it reports Odoo's errors, and how it names Odoo when
 * Odoo is down, slow or not Odoo at all.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createOdooClient, OdooError, OdooProtocolError, OdooUnavailableError, type OdooClient } from '../../../lib/native/odooClient.js';

const KEY = '0123456789abcdef0123456789abcdef01234567';

interface Exchange {
  service: string;
  method: string;
  args: unknown[];
}

type Handler = (exchange: Exchange, res: ServerResponse) => void;

let server: Server | undefined;
let client: OdooClient | undefined;

afterEach(async () => {
  await client?.close();
  client = undefined;
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

async function fakeOdoo(handler: Handler): Promise<{ url: string; exchanges: Exchange[]; connections: () => number }> {
  const exchanges: Exchange[] = [];
  let connections = 0;
  server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { id: number; params: Exchange };
      const exchange = { ...body.params };
      exchanges.push(exchange);
      res.setHeader('x-request-id', String(body.id));
      handler(exchange, res);
    });
  });
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, exchanges, connections: () => connections };
}

function reply(res: ServerResponse, body: unknown, status = 200): void {
  const payload = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(payload);
}

const odoo17 = (exchange: Exchange, res: ServerResponse) => {
  if (exchange.service === 'common' && exchange.method === 'authenticate') {
    const [, , key] = exchange.args;
    return reply(res, { jsonrpc: '2.0', id: 1, result: key === KEY ? 2 : false });
  }
  const [, uid, key, model, method] = exchange.args as [string, number, string, string, string];
  if (key !== KEY || uid !== 2) {
    return reply(res, {
      jsonrpc: '2.0',
      id: 1,
      error: {
        code: 200,
        message: 'Odoo Server Error',
        data: { name: 'odoo.exceptions.AccessDenied', message: 'Access Denied', arguments: ['Access Denied'], context: {} },
      },
    });
  }
  if (model === 'no.such.model') {
    return reply(res, {
      jsonrpc: '2.0',
      id: 1,
      error: {
        code: 200,
        message: 'Odoo Server Error',
        data: {
          name: 'odoo.exceptions.UserError',
          debug: '...',
          message: "Object no.such.model doesn't exist",
          arguments: ["Object no.such.model doesn't exist"],
          context: {},
        },
      },
    });
  }
  return reply(res, { jsonrpc: '2.0', id: 1, result: [{ id: 10, model, method }] });
};

describe('the Odoo JSON-RPC client', () => {
  it('authenticates once, then calls execute_kw with the database, uid and key', async () => {
    const odoo = await fakeOdoo(odoo17);
    client = createOdooClient({ url: odoo.url, db: 'odoo', login: 'admin', apiKey: KEY });
    // Concurrent first calls must share one authentication.
    await Promise.all([client.executeKw('res.partner', 'search_read', [[]], { fields: ['name'] }), client.executeKw('res.partner', 'read', [[1]])]);
    await client.executeKw('sale.order', 'search_count', [[]]);
    const auth = odoo.exchanges.filter((e) => e.method === 'authenticate');
    expect(auth).toEqual([{ service: 'common', method: 'authenticate', args: ['odoo', 'admin', KEY, {}] }]);
    const calls = odoo.exchanges.filter((e) => e.method === 'execute_kw');
    expect(calls).toHaveLength(3);
    expect(calls[2]).toEqual({ service: 'object', method: 'execute_kw', args: ['odoo', 2, KEY, 'sale.order', 'search_count', [[]], {}] });
  });

  it('keeps the connection alive between calls', async () => {
    const odoo = await fakeOdoo(odoo17);
    client = createOdooClient({ url: odoo.url, db: 'odoo', login: 'admin', apiKey: KEY });
    for (let i = 0; i < 5; i++) await client.executeKw('res.partner', 'search_read', [[]]);
    expect(odoo.connections()).toBe(1);
  });

  it("turns Odoo's error envelope into an OdooError with Odoo's exception name and message", async () => {
    const odoo = await fakeOdoo(odoo17);
    client = createOdooClient({ url: odoo.url, db: 'odoo', login: 'admin', apiKey: KEY });
    const error = await client.executeKw('no.such.model', 'search_read', [[]]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OdooError);
    expect(error).toMatchObject({ odooName: 'odoo.exceptions.UserError', message: "Object no.such.model doesn't exist", code: 200 });
  });

  it('reports a refused login as AccessDenied without revealing the key, and tries again on the next call', async () => {
    const odoo = await fakeOdoo(odoo17);
    client = createOdooClient({ url: odoo.url, db: 'odoo', login: 'admin', apiKey: 'wrong-key-value' });
    const error = (await client.executeKw('res.partner', 'search_read', [[]]).catch((e: unknown) => e)) as OdooError;
    expect(error).toBeInstanceOf(OdooError);
    expect(error.odooName).toBe('odoo.exceptions.AccessDenied');
    expect(error.message).toMatch(/refused login "admin" on database "odoo"/);
    expect(error.message).not.toContain('wrong-key-value');
    await client.executeKw('res.partner', 'search_read', [[]]).catch(() => undefined);
    expect(odoo.exchanges.filter((e) => e.method === 'authenticate')).toHaveLength(2);
  });

  it('names Odoo when something other than JSON-RPC answers', async () => {
    const odoo = await fakeOdoo((_, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html><body>Maintenance</body></html>');
    });
    client = createOdooClient({ url: odoo.url, db: 'odoo', login: 'admin', apiKey: KEY });
    const error = await client.executeKw('res.partner', 'search_read', [[]]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OdooProtocolError);
    expect((error as Error).message).toMatch(new RegExp(`^Odoo at ${odoo.url} answered common.authenticate with text/html that is not JSON`));
  });

  it('names Odoo when it answers with an HTTP error status', async () => {
    const odoo = await fakeOdoo((_, res) => reply(res, { message: 'Bad gateway' }, 502));
    client = createOdooClient({ url: odoo.url, db: 'odoo', login: 'admin', apiKey: KEY });
    const error = await client.executeKw('res.partner', 'search_read', [[]]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OdooProtocolError);
    expect((error as Error).message).toMatch(/answered common.authenticate with HTTP 502/);
  });

  it('names Odoo when nothing listens at its URL', async () => {
    const odoo = await fakeOdoo(odoo17);
    await new Promise<void>((resolve) => server!.close(() => resolve()));
    server = undefined;
    client = createOdooClient({ url: odoo.url, db: 'odoo', login: 'admin', apiKey: KEY });
    const error = await client.executeKw('res.partner', 'search_read', [[]]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OdooUnavailableError);
    expect((error as Error).message).toMatch(new RegExp(`^Could not reach Odoo at ${odoo.url} for common.authenticate: .*ECONNREFUSED`));
  });

  it('gives up on a call that takes longer than the timeout', async () => {
    const odoo = await fakeOdoo((exchange, res) => {
      if (exchange.method === 'authenticate') return reply(res, { jsonrpc: '2.0', id: 1, result: 2 });
      setTimeout(() => reply(res, { jsonrpc: '2.0', id: 1, result: [] }), 500);
    });
    client = createOdooClient({ url: odoo.url, db: 'odoo', login: 'admin', apiKey: KEY, timeoutMs: 50 });
    const error = await client.executeKw('sale.order', 'search_read', [[]]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OdooUnavailableError);
    expect((error as Error).message).toBe(`Odoo at ${odoo.url} did not answer sale.order.search_read within 50 ms.`);
  });

  it('refuses a URL that is not http(s)', () => {
    expect(() => createOdooClient({ url: 'ftp://odoo', db: 'odoo', login: 'admin', apiKey: KEY })).toThrow(
      /Expected the Odoo URL to use http or https, but got "ftp:"/,
    );
  });
});
