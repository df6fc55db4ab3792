/**
 * The workflow's native calls go through the shared Odoo client (lib/native),
 * so the same per-system policy as the ERP connector: reads are retried, writes
 * are sent exactly once, and an open circuit stops calls from leaving at all.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createOdooClient, OdooUnavailableError, searchRead } from '../../../lib/native/odooClient.js';
import { CircuitOpenError } from '../../../lib/resilience.js';

const resilience = { retryAttempts: 3, retryBaseDelayMs: 1, retryMaxDelayMs: 5, breakerFailures: 4, breakerHalfOpenAfterMs: 60_000 };

let server: Server | undefined;
afterEach(() => server?.close());

/** A stand-in Odoo whose `execute_kw` fails `failures` times per method (with HTML, as a proxy would), then answers. */
async function flakyOdoo(failures: number): Promise<{ url: string; calls: Map<string, number> }> {
  const calls = new Map<string, number>();
  server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      const body = JSON.parse(raw) as { id: number; params: { service: string; method: string; args: unknown[] } };
      if (body.params.service === 'common') return res.end(JSON.stringify({ jsonrpc: '2.0', id: body.id, result: 2 }));
      const method = String(body.params.args[4]);
      const n = (calls.get(method) ?? 0) + 1;
      calls.set(method, n);
      if (n <= failures) {
        res.writeHead(502, { 'content-type': 'text/html' });
        return res.end('<html>Bad Gateway</html>');
      }
      res.end(JSON.stringify({ jsonrpc: '2.0', id: body.id, result: method === 'create' ? 7 : [] }));
    });
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server!.address() as AddressInfo).port}`, calls };
}

function client(url: string) {
  return createOdooClient({ url, db: 'odoo', login: 'admin', apiKey: 'key', timeoutMs: 2_000, resilience });
}

describe('workflow Odoo client', () => {
  it('retries a read until it succeeds', async () => {
    const odoo = await flakyOdoo(2);
    await expect(searchRead(client(odoo.url), 'sale.order', [], ['name'])).resolves.toEqual([]);
    expect(odoo.calls.get('search_read')).toBe(3);
  });

  it('sends a write exactly once, even when it fails', async () => {
    const odoo = await flakyOdoo(1);
    await expect(client(odoo.url).executeKw('sale.order', 'create', [{}])).rejects.toBeInstanceOf(OdooUnavailableError);
    expect(odoo.calls.get('create')).toBe(1);
  });

  it('opens the circuit after consecutive failures and then makes no call', async () => {
    const odoo = await flakyOdoo(1_000);
    const rpc = client(odoo.url);
    for (let i = 0; i < 2; i++) await expect(rpc.executeKw('sale.order', 'create', [{}])).rejects.toBeInstanceOf(OdooUnavailableError);
    // The fourth failure (the read's second attempt) opens the circuit, so its third attempt is never sent.
    await expect(searchRead(rpc, 'sale.order', [], ['name'])).rejects.toBeInstanceOf(CircuitOpenError);
    const before = [...odoo.calls.values()].reduce((a, b) => a + b, 0);
    expect(before).toBe(4);
    await expect(searchRead(rpc, 'sale.order', [], ['name'])).rejects.toThrow(/circuit is open after 4 consecutive failures/);
    expect([...odoo.calls.values()].reduce((a, b) => a + b, 0)).toBe(before);
  });
});
