/**
 * `/metrics` after one cross-system query (a CRM account with its owner and
 * its ERP customer and orders): the ERP subgraph counts its Odoo calls and the
 * CRM subgraph its Salesforce calls, each exactly as many as the emulators
 * served, by model or sObject and method; the gateway counts the request by
 * operation name and times each subgraph fetch.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildWorld } from '../../emulators/seed/world.js';
import { startTestStack, type TestStack } from '../helpers/startStack.js';
import { grown, nativeCallsByKey, samplesOf, scrape, type Sample } from './helpers.js';
import { searchRead } from '../../lib/native/odooClient.js';
import { nativeClients } from '../subgraphs/workflow/fixtures.js';

const world = buildWorld('small');
const company = world.companies.find((c) => c.inErp && c.inCrm && !c.conflictingCrmAccountId)!;

const QUERY = `query AccountWithCustomer($id: ID!) {
  account(id: $id) {
    name
    owner { email }
    customer { number creditLimit { amount } salesOrders(first: 5) { number } }
  }
}`;

let stack: TestStack;
const before: { erp: Sample[]; crm: Sample[] } = { erp: [], crm: [] };
const after: { gateway: Sample[]; erp: Sample[]; crm: Sample[] } = { gateway: [], erp: [], crm: [] };
let emulatorCalls: { odoo: Record<string, number>; salesforce: Record<string, number> };
let requestId: string | null;

beforeAll(async () => {
  stack = await startTestStack();
  // Log in to both systems first, so the query below makes only its own calls.
  await stack.query(`{ account(id: "${company.crmAccountId}") { name customer { number } } }`);
  [before.erp, before.crm] = await Promise.all([scrape(stack.erpUrl), scrape(stack.crmUrl)]);
  stack.resetNativeCalls();
  const response = await fetch(stack.gateway.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: QUERY, variables: { id: company.crmAccountId } }),
  });
  requestId = response.headers.get('x-request-id');
  const { data, errors } = (await response.json()) as { data: { account: { customer: { number: string } } }; errors?: unknown };
  expect(errors).toBeUndefined();
  expect(data.account.customer.number).toBe(company.erpNumber);
  emulatorCalls = { odoo: stack.odoo!.calls.snapshot().calls, salesforce: stack.salesforce!.calls.snapshot().calls };
  [after.gateway, after.erp, after.crm] = await Promise.all([scrape(stack.gateway.url), scrape(stack.erpUrl), scrape(stack.crmUrl)]);
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

describe('native calls on each subgraph /metrics', () => {
  it('counts every Odoo call of the query on the ERP subgraph, as the Odoo emulator served them', () => {
    const odoo = grown(nativeCallsByKey(before.erp, 'odoo'), nativeCallsByKey(after.erp, 'odoo'));
    expect(odoo.size).toBeGreaterThan(0);
    expect(Object.fromEntries(odoo)).toEqual(emulatorCalls.odoo);
    // Odoo models and methods, not a catch-all.
    expect([...odoo.keys()].some((k) => k.startsWith('res.partner.'))).toBe(true);
    expect([...odoo.keys()].some((k) => k.startsWith('sale.order.'))).toBe(true);
  });

  it('counts every Salesforce call of the query on the CRM subgraph, as the Salesforce emulator served them', () => {
    const salesforce = grown(nativeCallsByKey(before.crm, 'salesforce'), nativeCallsByKey(after.crm, 'salesforce'));
    expect(salesforce.size).toBeGreaterThan(0);
    expect(Object.fromEntries(salesforce)).toEqual(emulatorCalls.salesforce);
    expect([...salesforce.keys()].some((k) => k.startsWith('Account.'))).toBe(true);
  });

  it('keeps each system on its own subgraph: no Salesforce calls on the ERP one, no Odoo calls on the CRM one', () => {
    expect(samplesOf(after.erp, 'native_calls_total', { system: 'salesforce' })).toEqual([]);
    expect(samplesOf(after.crm, 'native_calls_total', { system: 'odoo' })).toEqual([]);
  });

  it('counts every call as answered (outcome ok) and times it', () => {
    for (const samples of [after.erp, after.crm]) {
      const calls = samplesOf(samples, 'native_calls_total');
      expect(calls.every((s) => s.labels.outcome === 'ok')).toBe(true);
      const total = calls.reduce((sum, s) => sum + s.value, 0);
      const timed = samplesOf(samples, 'native_call_duration_seconds_count').reduce((sum, s) => sum + s.value, 0);
      expect(timed).toBe(total);
    }
  });

  it('reports both breakers closed and the Salesforce API quota from Sforce-Limit-Info', () => {
    expect(samplesOf(after.erp, 'circuit_breaker_state', { system: 'odoo' }).map((s) => s.value)).toEqual([0]);
    expect(samplesOf(after.crm, 'circuit_breaker_state', { system: 'salesforce' }).map((s) => s.value)).toEqual([0]);
    const [used] = samplesOf(after.crm, 'native_api_quota', { system: 'salesforce', kind: 'used' });
    const [max] = samplesOf(after.crm, 'native_api_quota', { system: 'salesforce', kind: 'max' });
    expect(used?.value).toBeGreaterThan(0);
    expect(max?.value).toBeGreaterThanOrEqual(used!.value);
  });
});

describe('requests and subgraph fetches on the gateway /metrics', () => {
  it('counts the request by its operation name, and times it', () => {
    expect(samplesOf(after.gateway, 'graphql_requests_total', { operation: 'AccountWithCustomer', status: 'ok' }).map((s) => s.value)).toEqual([1]);
    expect(samplesOf(after.gateway, 'graphql_request_duration_seconds_count', { operation: 'AccountWithCustomer' }).map((s) => s.value)).toEqual([1]);
    // The warm-up query had no name.
    expect(samplesOf(after.gateway, 'graphql_requests_total', { operation: 'anonymous' }).map((s) => s.value)).toEqual([1]);
  });

  it('times the fetches to both subgraphs the query plan used', () => {
    for (const subgraph of ['erp', 'crm']) {
      const fetches = samplesOf(after.gateway, 'subgraph_fetch_duration_seconds_count', { subgraph, status: '200' });
      expect(fetches.reduce((sum, s) => sum + s.value, 0)).toBeGreaterThan(0);
    }
  });

  it('counts query-plan lookups: each of the two operations planned once, nothing from memory yet', () => {
    const lookups = (result: string) => samplesOf(after.gateway, 'query_plan_cache_lookups_total', { result }).map((s) => s.value);
    expect(lookups('miss')).toEqual([2]);
    expect(lookups('local')).toEqual([0]);
    expect(lookups('shared')).toEqual([0]);
  });

  it('keeps native calls where they happen: the gateway makes none', () => {
    expect(samplesOf(after.gateway, 'native_calls_total')).toEqual([]);
  });

  it('answers the request id it made', () => {
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('operation name labels', () => {
  it('counts a request that never resolved an operation as `unknown`, with status error', async () => {
    await stack.query('{ not valid');
    const samples = await scrape(stack.gateway.url);
    expect(samplesOf(samples, 'graphql_requests_total', { operation: 'unknown', status: 'error' }).map((s) => s.value)).toEqual([1]);
  });
});

describe("change followers on each subgraph's /metrics", () => {
  let cached: TestStack;
  beforeAll(async () => {
    cached = await startTestStack({ env: { CACHE_MODE: 'memory', ERP_CHANGE_POLL_MS: '0', CACHE_PREFIX: 'metrics-changes' } });
    await Promise.all([cached.erp.changes!.pollNow(), cached.crm.changes!.ready]);
  });
  afterAll(async () => {
    await cached?.stop();
  });

  it('counts the rounds, the changes handled and the last good round of the ERP poll and the CRM change stream', async () => {
    const started = Date.now() / 1000;
    const native = nativeClients(cached.odoo!.url, cached.salesforce!.url);
    try {
      const [partner] = await searchRead<{ id: number }>(native.odoo, 'res.partner', [['ref', '=like', 'C%']], ['id'], { limit: 1 });
      await native.odoo.executeKw('res.partner', 'write', [[partner!.id], { phone: '+1 555 0100' }]);
      await cached.erp.changes!.pollNow();
      await native.sf.update('Account', company.crmAccountId!, { Description: 'metrics' });
    } finally {
      await native.odoo.close();
      native.sf.close();
    }

    const [erp, crm] = await Promise.all([scrape(cached.erpUrl), scrape(cached.crmUrl)]);
    const value = (samples: Sample[], name: string, labels: Record<string, string>) => samplesOf(samples, name, labels)[0]?.value ?? 0;
    expect(value(erp, 'change_follow_rounds_total', { system: 'odoo', outcome: 'ok' })).toBeGreaterThanOrEqual(2);
    expect(value(erp, 'native_changes_total', { system: 'odoo' })).toBeGreaterThanOrEqual(1);
    expect(value(erp, 'change_follow_last_ok_timestamp_seconds', { system: 'odoo' })).toBeGreaterThanOrEqual(Math.floor(started));
    await expect
      .poll(async () => value(await scrape(cached.crmUrl), 'native_changes_total', { system: 'salesforce' }), { timeout: 5_000 })
      .toBeGreaterThanOrEqual(1);
    expect(value(crm, 'change_follow_rounds_total', { system: 'salesforce', outcome: 'ok' })).toBeGreaterThanOrEqual(1);
    expect(value(crm, 'change_follow_rounds_total', { system: 'salesforce', outcome: 'failed' })).toBe(0);
  });
});
