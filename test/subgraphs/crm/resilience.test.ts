/**
 * The Salesforce connector against injected faults: the daily-limit 403 is
 * never retried, 429 Retry-After is honoured, writes are sent once, a hang
 * becomes a timeout, and the breaker stops calling Salesforce after
 * consecutive failures. Native calls are counted by the emulator.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { FaultRule } from '../../../emulators/common/faults.js';
import { SalesforceClient, SalesforceError, SalesforceUnavailableError } from '../../../lib/native/salesforceClient.js';
import { CircuitOpenError, type ResilienceSettings } from '../../../lib/resilience.js';
import { crmConfig, startEmulator, type Emulator } from './helpers.js';

let emulator: Emulator;
let stopEmulator: () => Promise<void>;
const clients: SalesforceClient[] = [];

beforeAll(async () => {
  ({ emulator, stop: stopEmulator } = await startEmulator());
});

afterEach(() => {
  emulator.faults.clear();
});

afterAll(async () => {
  for (const c of clients) c.close();
  await stopEmulator?.();
});

async function client(resilience: Partial<ResilienceSettings> = {}, timeoutMs = 2_000): Promise<SalesforceClient> {
  const settings = crmConfig(emulator.url).salesforce;
  const c = new SalesforceClient({
    ...settings,
    timeoutMs,
    resilience: { retryAttempts: 3, retryBaseDelayMs: 5, retryMaxDelayMs: 2_000, breakerFailures: 50, breakerHalfOpenAfterMs: 1_000, ...resilience },
  });
  clients.push(c);
  // Logs in first, so the counts below are the data calls alone.
  await c.query('SELECT Id FROM User LIMIT 1');
  emulator.calls.reset();
  return c;
}

const accounts = (c: SalesforceClient) => c.query('SELECT Id, Name FROM Account LIMIT 2');
const count = (key: string) => emulator.calls.snapshot().calls[key] ?? 0;
const faults = (...rules: FaultRule[]) => emulator.faults.set(rules);

describe('daily API limit', () => {
  it('stops at once on 403 REQUEST_LIMIT_EXCEEDED: one native call, no retry', async () => {
    const c = await client();
    faults({ match: { object: 'Account' }, fault: 'requestLimitExceeded' });
    const failure = await accounts(c).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(SalesforceError);
    expect(failure).toMatchObject({ status: 403, errorCode: 'REQUEST_LIMIT_EXCEEDED' });
    expect(count('Account.query')).toBe(1);
  });
});

describe('retries of reads', () => {
  it('honours Retry-After on 429, then succeeds', async () => {
    const c = await client();
    faults({ match: { object: 'Account', method: 'query' }, fault: 'tooManyRequests', retryAfterSeconds: 1, times: 1 });
    const started = Date.now();
    expect(await accounts(c)).toHaveLength(2);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(count('Account.query')).toBe(2);
  });

  it('retries a composite batch read (POST with ids) after a 503', async () => {
    const c = await client();
    const ids = (await accounts(c)).map((a) => String(a.Id));
    emulator.calls.reset();
    faults({ match: { object: 'Account', method: 'composite_read' }, fault: 'http5xx', times: 1 });
    expect(await c.retrieve('Account', ids, ['Name'])).toHaveLength(2);
    expect(count('Account.composite_read')).toBe(2);
  });

  it('retries after malformed JSON and a connection reset', async () => {
    const c = await client();
    faults({ match: { object: 'Account' }, fault: 'malformedJson', times: 1 }, { match: { object: 'Account' }, fault: 'connectionReset', times: 1 });
    expect(await accounts(c)).toHaveLength(2);
    expect(count('Account.query')).toBe(3);
  });
});

describe('writes', () => {
  it('never retries an update (PATCH), even after a 503', async () => {
    const c = await client();
    const [account] = await accounts(c);
    emulator.calls.reset();
    faults({ match: { object: 'Account', method: 'update' }, fault: 'http5xx', times: 1 });
    await expect(c.update('Account', String(account!.Id), { Rating: 'Hot' })).rejects.toBeInstanceOf(SalesforceUnavailableError);
    expect(count('Account.update')).toBe(1);
  });

  it('never retries a create after a connection reset', async () => {
    const c = await client();
    faults({ match: { object: 'Task', method: 'create' }, fault: 'connectionReset' });
    await expect(c.create('Task', { Subject: 'Call back' })).rejects.toBeInstanceOf(SalesforceUnavailableError);
    expect(count('Task.create')).toBe(1);
  });
});

describe('timeouts and the breaker', () => {
  it('turns a hang into a timeout error', async () => {
    const c = await client({ retryAttempts: 1 }, 300);
    faults({ match: { object: 'Account' }, fault: 'hang' });
    const started = Date.now();
    await expect(accounts(c)).rejects.toThrow(/timed out after 300 ms/);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('opens after N consecutive failures with a clear message, then closes after a successful trial', async () => {
    const c = await client({ retryAttempts: 1, breakerFailures: 2, breakerHalfOpenAfterMs: 400 });
    faults({ fault: 'http5xx' });
    for (let i = 0; i < 2; i++) await expect(accounts(c)).rejects.toBeInstanceOf(SalesforceUnavailableError);
    await expect(accounts(c)).rejects.toThrow(new CircuitOpenError('CRM (Salesforce)', 2, 1).message);
    expect(c.breaker().state).toBe('open');
    expect(count('Account.query')).toBe(2);

    emulator.faults.clear();
    await new Promise((resolve) => setTimeout(resolve, 450));
    expect(await accounts(c)).toHaveLength(2);
    expect(c.breaker().state).toBe('closed');
    expect(count('Account.query')).toBe(3);
  });

  it('counts the daily-limit 403 toward the breaker, so a used-up org is left alone', async () => {
    const c = await client({ breakerFailures: 2 });
    faults({ fault: 'requestLimitExceeded' });
    for (let i = 0; i < 2; i++) await expect(accounts(c)).rejects.toBeInstanceOf(SalesforceError);
    await expect(accounts(c)).rejects.toBeInstanceOf(CircuitOpenError);
    expect(count('Account.query')).toBe(2);
  });

  it('pings Salesforce outside the breaker and keeps the last Sforce-Limit-Info', async () => {
    const c = await client();
    expect(await c.ping()).toMatch(/^\d+\.0$/);
    expect(c.lastLimitInfo?.raw).toMatch(/^api-usage=\d+\/\d+$/);
  });
});
