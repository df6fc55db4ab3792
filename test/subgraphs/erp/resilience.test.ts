/**
 * The Odoo connector against injected faults: reads are retried with backoff
 * (and Retry-After), writes never are, a hang becomes a timeout, and the
 * circuit breaker stops calling Odoo after consecutive failures, then lets one
 * trial call through. Native calls are counted by the emulator.
 */
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startOdooEmulator, type OdooEmulator } from '../../../emulators/odoo/server.js';
import type { FaultRule } from '../../../emulators/common/faults.js';
import { createOdooClient, OdooUnavailableError, type OdooClient } from '../../../lib/native/odooClient.js';
import { CircuitOpenError, type ResilienceSettings } from '../../../lib/resilience.js';
import { ODOO_API_KEY, ODOO_DB, ODOO_LOGIN, tempDir } from './helpers.js';

let odoo: OdooEmulator;
const dir = tempDir();
const clients: OdooClient[] = [];

beforeAll(async () => {
  odoo = await startOdooEmulator({ dbPath: join(dir.path, 'odoo.sqlite'), seedSize: 'small', port: 0 });
});

afterEach(() => {
  odoo.faults.clear();
});

afterAll(async () => {
  for (const client of clients) await client.close();
  await odoo?.close();
  dir.remove();
});

function client(resilience: Partial<ResilienceSettings> = {}, timeoutMs = 2_000): OdooClient {
  const c = createOdooClient({
    url: odoo.url,
    db: ODOO_DB,
    login: ODOO_LOGIN,
    apiKey: ODOO_API_KEY,
    timeoutMs,
    resilience: { retryAttempts: 3, retryBaseDelayMs: 5, retryMaxDelayMs: 2_000, breakerFailures: 50, breakerHalfOpenAfterMs: 1_000, ...resilience },
  });
  clients.push(c);
  return c;
}

/** Authenticates first, so the counts below are the model calls alone. */
async function ready(c: OdooClient): Promise<OdooClient> {
  await c.executeKw('res.partner', 'search_count', [[]]);
  odoo.calls.reset();
  return c;
}

const readPartners = (c: OdooClient) => c.executeKw<unknown[]>('res.partner', 'search_read', [[['id', '=', 3]]], { fields: ['name'] });
const count = (key: string) => odoo.calls.snapshot().calls[key] ?? 0;
const faults = (...rules: FaultRule[]) => odoo.faults.set(rules);

describe('retries of reads', () => {
  it('retries a read that met HTTP 503 until it succeeds', async () => {
    const c = await ready(client());
    faults({ match: { model: 'res.partner', method: 'search_read' }, fault: 'http5xx', times: 2 });
    expect(await readPartners(c)).toHaveLength(1);
    expect(count('res.partner.search_read')).toBe(3);
  });

  it('waits what a 429 Retry-After asks before retrying', async () => {
    const c = await ready(client());
    faults({ match: { model: 'res.partner' }, fault: 'tooManyRequests', retryAfterSeconds: 1, times: 1 });
    const started = Date.now();
    expect(await readPartners(c)).toHaveLength(1);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(count('res.partner.search_read')).toBe(2);
  });

  it('fails at once when Retry-After asks for longer than it may wait', async () => {
    const c = await ready(client({ retryMaxDelayMs: 500 }));
    faults({ match: { model: 'res.partner' }, fault: 'tooManyRequests', retryAfterSeconds: 30 });
    await expect(readPartners(c)).rejects.toThrow(/HTTP 429/);
    expect(count('res.partner.search_read')).toBe(1);
  });

  it('gives up after the configured number of tries, naming what Odoo answered', async () => {
    const c = await ready(client({ retryAttempts: 2 }));
    faults({ match: { method: 'search_read' }, fault: 'malformedJson' });
    await expect(readPartners(c)).rejects.toThrow(/not JSON; expected a JSON-RPC body/);
    expect(count('res.partner.search_read')).toBe(2);
  });

  it('retries after a connection reset', async () => {
    const c = await ready(client());
    faults({ match: { method: 'search_read' }, fault: 'connectionReset', times: 1 });
    expect(await readPartners(c)).toHaveLength(1);
    expect(count('res.partner.search_read')).toBe(2);
  });
});

describe('writes', () => {
  it('never retries a write, whatever the failure', async () => {
    const c = await ready(client());
    faults({ match: { model: 'res.partner', method: 'write' }, fault: 'http5xx', times: 1 });
    await expect(c.executeKw('res.partner', 'write', [[3], { phone: '+1 555 0100' }])).rejects.toBeInstanceOf(OdooUnavailableError);
    expect(count('res.partner.write')).toBe(1);
  });
});

describe('timeouts', () => {
  it('turns a call that never answers into a timeout error', async () => {
    const c = await ready(client({ retryAttempts: 1 }, 300));
    faults({ match: { model: 'res.partner' }, fault: 'hang' });
    const started = Date.now();
    await expect(readPartners(c)).rejects.toThrow(/did not answer res\.partner\.search_read within 300 ms/);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('applies latency faults only to the matching model', async () => {
    const c = await ready(client({ retryAttempts: 1 }, 200));
    faults({ match: { model: 'sale.order' }, fault: 'latency', ms: 1_000 });
    expect(await readPartners(c)).toHaveLength(1);
    await expect(c.executeKw('sale.order', 'search_count', [[]])).rejects.toThrow(/within 200 ms/);
  });
});

describe('circuit breaker', () => {
  it('opens after N consecutive failures, makes no more calls, then closes after a successful trial', async () => {
    const c = await ready(client({ retryAttempts: 1, breakerFailures: 3, breakerHalfOpenAfterMs: 400 }));
    faults({ fault: 'http5xx' });
    for (let i = 0; i < 3; i++) await expect(readPartners(c)).rejects.toBeInstanceOf(OdooUnavailableError);
    expect(c.breaker!().state).toBe('open');

    const refused = readPartners(c);
    await expect(refused).rejects.toBeInstanceOf(CircuitOpenError);
    await expect(refused).rejects.toThrow(/^The ERP \(Odoo\) circuit is open after 3 consecutive failures; retrying in 1s\.$/);
    expect(count('res.partner.search_read')).toBe(3);

    // Odoo recovers; after halfOpenAfter one trial call goes through and closes the circuit.
    odoo.faults.clear();
    await new Promise((resolve) => setTimeout(resolve, 450));
    expect(await readPartners(c)).toHaveLength(1);
    expect(c.breaker!().state).toBe('closed');
    expect(count('res.partner.search_read')).toBe(4);
  });

  it('does not count Odoo refusing a call (an access or validation error) as a failure', async () => {
    const c = await ready(client({ retryAttempts: 1, breakerFailures: 2 }));
    for (let i = 0; i < 3; i++) await expect(c.executeKw('no.such.model', 'search_read', [[]])).rejects.toThrow();
    expect(c.breaker!().state).toBe('closed');
  });

  it('reopens when the trial call fails', async () => {
    const c = await ready(client({ retryAttempts: 1, breakerFailures: 1, breakerHalfOpenAfterMs: 200 }));
    faults({ fault: 'http5xx' });
    await expect(readPartners(c)).rejects.toBeInstanceOf(OdooUnavailableError);
    await new Promise((resolve) => setTimeout(resolve, 250));
    await expect(readPartners(c)).rejects.toBeInstanceOf(OdooUnavailableError);
    expect(c.breaker!().state).toBe('open');
    expect(count('res.partner.search_read')).toBe(2);
  });
});

describe('the fault API', () => {
  it('is set and cleared over HTTP, and refuses a malformed rule with a sentence', async () => {
    const put = await fetch(`${odoo.url}/__emulator/faults`, {
      method: 'PUT',
      body: JSON.stringify([{ match: { model: 'res.partner' }, fault: 'http5xx', status: 502 }]),
    });
    expect(put.status).toBe(200);
    expect((await (await fetch(`${odoo.url}/__emulator/faults`)).json()).rules).toHaveLength(1);
    const bad = await fetch(`${odoo.url}/__emulator/faults`, { method: 'PUT', body: JSON.stringify([{ fault: 'explode' }]) });
    expect(bad.status).toBe(400);
    expect((await bad.json()).error).toMatch(/Expected fault rule 1 to have "fault" set to one of latency, http5xx/);
    await fetch(`${odoo.url}/__emulator/faults`, { method: 'DELETE' });
    expect((await (await fetch(`${odoo.url}/__emulator/faults`)).json()).rules).toEqual([]);
  });

  it('answers an Odoo ping (common.version) outside the breaker', async () => {
    const c = client();
    expect(await c.ping!()).toMatch(/^\d+/);
  });
});
