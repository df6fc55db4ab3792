/**
 * Issue 4 end to end: native calls per benchmark scenario (exact), the shared
 * cache (a second identical query costs nothing), invalidation from the
 * systems' own change signals (Odoo write_date polling, Salesforce Change Data
 * Capture), two replicas on one real Redis, and the in-memory fallback.
 */
import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../lib/subgraphSchemas.js';
import { spawnReady, stopChild, type ReadyChild } from '../../scripts/readyChild.js';
import { SCENARIOS, seedChecks } from '../../bench/scenarios.js';
import { nativeRounds } from '../../emulators/common/diagnostics.js';
import { startStack, type Stack } from '../../scripts/stack.js';
import type { Invalidation } from '../../lib/cache/types.js';
import { startTestStack, type TestStack } from '../helpers/startStack.js';
import { countKeys, redisEnv, startTestRedis, startTestRedisCluster, type TestRedis } from '../helpers/redis.js';
import { ALL_SCOPES, authEnv, TEST_INTERNAL_SECRET, token } from '../helpers/auth.js';
import { signInternalRequest } from '../../lib/internalAuth.js';
import { makeQuote, matchedCustomers, nativeClients, productsInBothSystems } from '../subgraphs/workflow/fixtures.js';

const ODOO_KEY = '0123456789abcdef0123456789abcdef01234567';

/** One Odoo JSON-RPC execute_kw, as the integration user. */
async function odoo(url: string, model: string, method: string, args: unknown[], kwargs: Record<string, unknown> = {}): Promise<any> {
  const response = await fetch(`${url}/jsonrpc`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      jsonrpc: '2.0',
      method: 'call',
      id: 1,
      params: { service: 'object', method: 'execute_kw', args: ['odoo', 2, ODOO_KEY, model, method, args, kwargs] },
    }),
  });
  const body = (await response.json()) as { result?: unknown; error?: unknown };
  if (body.error) throw new Error(`Odoo refused ${model}.${method}: ${JSON.stringify(body.error)}`);
  return body.result;
}

/** Updates one Salesforce record through the REST API, as an outside user of the CRM would. */
async function salesforcePatch(url: string, object: string, id: string, fields: Record<string, unknown>): Promise<void> {
  const form = new URLSearchParams({
    grant_type: 'password',
    client_id: 'erp-crm-graph',
    client_secret: 'dev-secret',
    username: 'integration@example.com',
    password: 'dev-password',
  });
  const tokenAnswer = (await (
    await fetch(`${url}/services/oauth2/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form })
  ).json()) as { access_token: string };
  const response = await fetch(`${url}/services/data/v60.0/sobjects/${object}/${id}`, {
    method: 'PATCH',
    headers: { authorization: `Bearer ${tokenAnswer.access_token}`, 'content-type': 'application/json' },
    body: JSON.stringify(fields),
  });
  if (response.status !== 204) throw new Error(`Salesforce refused the update of ${object} ${id}: HTTP ${response.status} ${await response.text()}`);
}

/** Resolves with the first invalidation of `type` heard on a bus, or rejects after `ms`. */
function nextInvalidation(bus: { subscribe(l: (e: Invalidation) => void): () => void }, type: string, ms = 10_000): Promise<Invalidation> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`Expected an invalidation of ${type} within ${ms} ms, but none came.`));
    }, ms);
    const stop = bus.subscribe((event) => {
      if (event.type !== type) return;
      clearTimeout(timer);
      stop();
      resolve(event);
    });
  });
}

async function graphql(url: string, query: string, variables: Record<string, unknown> = {}, headers: Record<string, string> = {}): Promise<any> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  return response.json();
}

const CUSTOMER = `query ($number: ID!) { customer(number: $number) { number legalName email crmIdentity segment owner { name } } }`;
const ACCOUNT = `query ($number: ID!) { customer(number: $number) { number account { id name } } }`;

describe('native calls per benchmark scenario, without a cache', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack({ env: { INTERNAL_SHARED_SECRET: TEST_INTERNAL_SECRET } });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  for (const scenario of SCENARIOS) {
    it(`${scenario.name} costs exactly ${scenario.minimumNativeCalls} native calls, one per fetch group of its plan`, async () => {
      stack.resetNativeCalls();
      const { errors } = await stack.query(scenario.query, scenario.variables);
      expect(errors).toBeUndefined();
      expect(stack.nativeCalls().total).toBe(scenario.minimumNativeCalls);
    });
  }

  /** How many native calls the query waited for one after another, and which calls it made. */
  async function rounds(query: string, variables: Record<string, unknown>) {
    // With a latency far above this machine's own cost per call, a call that waited for another
    // arrives after that one's answer; calls sent together arrive before any of them is answered.
    const systems = [stack.odoo!, stack.salesforce!];
    // Logins happen once per process, not per query: done before the timeline starts.
    expect((await stack.query(query, variables)).errors).toBeUndefined();
    for (const system of systems) {
      system.latency.timeline.length = 0;
      Object.assign(system.latency, { ms: 100, recording: true });
    }
    try {
      stack.resetNativeCalls();
      const { errors } = await stack.query(query, variables);
      expect(errors).toBeUndefined();
      return { rounds: nativeRounds(systems.flatMap((s) => s.latency.timeline)), erp: stack.nativeCalls().erp };
    } finally {
      for (const system of systems) Object.assign(system.latency, { ms: 0, recording: false });
    }
  }

  for (const scenario of SCENARIOS) {
    it(`${scenario.name} makes its native calls in ${scenario.planDepth} rounds, one per level of its plan`, async () => {
      expect((await rounds(scenario.query, scenario.variables)).rounds).toBe(scenario.planDepth);
    });
  }

  it("reads an order's lines beside the order, by its number, only when the query selects them", async () => {
    const order = (selection: string) => rounds(`query ($n: ID!) { salesOrder(number: $n) { number ${selection} } }`, { n: 'S00003' });
    expect(await order('state')).toEqual({ rounds: 1, erp: { 'sale.order.search_read': 1 } });
    expect(await order('lines { quantity }')).toEqual({ rounds: 1, erp: { 'sale.order.search_read': 1, 'sale.order.line.search_read': 1 } });
    // As an entity the CRM points at (a won opportunity's ERP order): the opportunities, then orders and lines together.
    const won = await rounds(`{ opportunities(stage: "Closed Won", first: 20) { erpSalesOrder { number lines { quantity } } } }`, {});
    expect(won).toEqual({ rounds: 2, erp: { 'sale.order.search_read': 1, 'sale.order.line.search_read': 1 } });
  });

  it('reads BOM lines and component products beside the BOMs, only as far down as the query goes', async () => {
    const catalog = (selection: string) => rounds(`{ products(first: 10) { nodes { sku billOfMaterials { ${selection} } } } }`, {});
    expect(await catalog('quantity')).toEqual({ rounds: 2, erp: { 'product.product.search_read': 1, 'mrp.bom.search_read': 1 } });
    expect(await catalog('components { quantity }')).toEqual({
      rounds: 2,
      erp: { 'product.product.search_read': 1, 'mrp.bom.search_read': 1, 'mrp.bom.line.search_read': 1 },
    });
    expect(await catalog('components { quantity product { sku stockOnHand } }')).toEqual({
      rounds: 2,
      erp: { 'product.product.search_read': 2, 'mrp.bom.search_read': 1, 'mrp.bom.line.search_read': 1 },
    });
  });

  it('loads each distinct key once when _entities repeats a representation', async () => {
    stack.resetNativeCalls();
    const representations = ['C00001', 'C00002', 'C00001', 'C00001', 'C00002'].map((number) => ({ __typename: 'Customer', number }));
    const body = JSON.stringify({
      query: `query ($r: [_Any!]!) { _entities(representations: $r) { ... on Customer { number legalName } } }`,
      variables: { r: representations },
    });
    // Subgraphs answer only the gateway: the request is signed as the gateway would sign it.
    const response = await fetch(stack.erpUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...signInternalRequest(TEST_INTERNAL_SECRET, body, []) },
      body,
    });
    const answer = (await response.json()) as any;
    expect(answer.errors).toBeUndefined();
    expect(answer.data._entities.map((c: { number: string }) => c.number)).toEqual(['C00001', 'C00002', 'C00001', 'C00001', 'C00002']);
    expect(stack.nativeCalls().erp).toEqual({ 'res.partner.search_read': 1 });
  });
});

describe('in-memory cache (no REDIS_URL)', () => {
  let stack: TestStack;
  beforeAll(async () => {
    // Polling is driven by the test (pollNow), so counts are not disturbed by a timer.
    stack = await startTestStack({ env: { CACHE_MODE: 'memory', ERP_CHANGE_POLL_MS: '0', CRM_CHANGE_WAIT_MS: '500' } });
    await stack.erp.changes!.pollNow();
    await stack.crm.changes!.ready;
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('falls back to the memory store when no Redis is configured', () => {
    expect(stack.erp.cache?.cache.kind).toBe('memory');
    expect(stack.crm.cache?.cache.kind).toBe('memory');
    // Whole answers need invalidations the gateway can hear, which only Redis carries to it.
    expect(stack.gateway.responseCacheStats()).toBeUndefined();
  });

  for (const scenario of SCENARIOS) {
    it(`${scenario.name}: a second identical query costs 0 native calls`, async () => {
      await stack.query(scenario.query, scenario.variables);
      stack.resetNativeCalls();
      const { data, errors } = await stack.query(scenario.query, scenario.variables);
      expect(errors).toBeUndefined();
      expect(data).toBeTruthy();
      expect(stack.nativeCalls().total).toBe(0);
    });
  }

  it('drops a customer when Odoo reports it changed (write_date polling)', async () => {
    const before = await stack.query(CUSTOMER, { number: 'C00003' });
    const [partner] = await odoo(stack.odoo!.url, 'res.partner', 'search_read', [[['ref', '=', 'C00003']]], { fields: ['id'] });
    await odoo(stack.odoo!.url, 'res.partner', 'write', [[partner.id], { email: 'changed-in-odoo@example.com' }]);
    stack.resetNativeCalls();
    // Until the change is seen, the cached record answers (and costs nothing).
    expect((await stack.query(CUSTOMER, { number: 'C00003' })).data.customer.email).toBe(before.data.customer.email);
    expect(stack.nativeCalls().total).toBe(0);
    const events = await stack.erp.changes!.pollNow();
    expect(events).toContainEqual(expect.objectContaining({ type: 'erp.partner', keys: expect.arrayContaining([`id:${partner.id}`, 'ref:C00003']) }));
    stack.resetNativeCalls();
    expect((await stack.query(CUSTOMER, { number: 'C00003' })).data.customer.email).toBe('changed-in-odoo@example.com');
    expect(stack.nativeCalls().erp).toEqual({ 'res.partner.search_read': 1 });
    expect(stack.nativeCalls().crmTotal).toBe(0);
  });

  it("drops a cached customer page's balances when Odoo reports an invoice posted, though the partner is unchanged", async () => {
    const REPORT = `{ customers(first: 3) { nodes { number balanceDue { amount } } } }`;
    const before = await stack.query(REPORT);
    const first = before.data.customers.nodes[0];
    const [partner] = await odoo(stack.odoo!.url, 'res.partner', 'search_read', [[['ref', '=', first.number]]], { fields: ['id'] });
    const invoice = await odoo(stack.odoo!.url, 'account.move', 'create', [
      { move_type: 'out_invoice', partner_id: partner.id, invoice_date: '2026-11-20', amount_untaxed: 33, amount_total: 33, amount_residual: 33 },
    ]);
    await odoo(stack.odoo!.url, 'account.move', 'write', [[invoice], { state: 'posted' }]);
    stack.resetNativeCalls();
    expect((await stack.query(REPORT)).data).toEqual(before.data);
    expect(stack.nativeCalls().total).toBe(0);
    const events = await stack.erp.changes!.pollNow();
    expect(events).toContainEqual(expect.objectContaining({ type: 'erp.pages.partnerWithBalance', keys: '*' }));
    stack.resetNativeCalls();
    const after = await stack.query(REPORT);
    expect(after.data.customers.nodes[0].balanceDue.amount).toBeCloseTo(first.balanceDue.amount + 33, 2);
    expect(after.data.customers.nodes.slice(1)).toEqual(before.data.customers.nodes.slice(1));
    // The page, balances included, is one read again.
    expect(stack.nativeCalls().erp).toEqual({ 'res.partner.search_read': 1 });
  });

  it("drops an order's lines, cached by its number, when Odoo reports a line changed", async () => {
    const LINES = `query ($number: ID!) { salesOrder(number: $number) { number lines { description quantity } } }`;
    const before = await stack.query(LINES, { number: 'S00002' });
    const first = before.data.salesOrder.lines[0];
    const [line] = await odoo(
      stack.odoo!.url,
      'sale.order.line',
      'search_read',
      [
        [
          ['order_id.name', '=', 'S00002'],
          ['display_type', '=', false],
        ],
      ],
      {
        fields: ['id'],
        order: 'sequence, id',
        limit: 1,
      },
    );
    await odoo(stack.odoo!.url, 'sale.order.line', 'write', [[line.id], { product_uom_qty: first.quantity + 5 }]);
    stack.resetNativeCalls();
    expect((await stack.query(LINES, { number: 'S00002' })).data).toEqual(before.data);
    expect(stack.nativeCalls().total).toBe(0);
    const events = await stack.erp.changes!.pollNow();
    expect(events).toContainEqual(expect.objectContaining({ type: 'erp.orderLines', keys: ['S00002'] }));
    stack.resetNativeCalls();
    expect((await stack.query(LINES, { number: 'S00002' })).data.salesOrder.lines[0]).toEqual({ ...first, quantity: first.quantity + 5 });
    expect(stack.nativeCalls().erp).toMatchObject({ 'sale.order.line.search_read': 1 });
  });

  it("drops a product's BOM lines, cached by the template their BOM makes, when Odoo reports a line changed", async () => {
    const BOM = `query ($sku: ID!) { product(sku: $sku) { billOfMaterials { components { quantity product { sku } } } } }`;
    const [bom] = await odoo(stack.odoo!.url, 'mrp.bom', 'search_read', [[]], { fields: ['product_tmpl_id'], limit: 1, order: 'id' });
    const [product] = await odoo(stack.odoo!.url, 'product.product', 'search_read', [[['product_tmpl_id', '=', bom.product_tmpl_id[0]]]], {
      fields: ['default_code'],
    });
    const before = await stack.query(BOM, { sku: product.default_code });
    const first = before.data.product.billOfMaterials.components[0];
    const [line] = await odoo(stack.odoo!.url, 'mrp.bom.line', 'search_read', [[['bom_id', '=', bom.id]]], { fields: ['id'], order: 'sequence, id', limit: 1 });
    await odoo(stack.odoo!.url, 'mrp.bom.line', 'write', [[line.id], { product_qty: first.quantity + 2 }]);
    stack.resetNativeCalls();
    expect((await stack.query(BOM, { sku: product.default_code })).data).toEqual(before.data);
    expect(stack.nativeCalls().total).toBe(0);
    const events = await stack.erp.changes!.pollNow();
    expect(events).toContainEqual(expect.objectContaining({ type: 'erp.bomLinesByTemplate', keys: [String(bom.product_tmpl_id[0])] }));
    stack.resetNativeCalls();
    expect((await stack.query(BOM, { sku: product.default_code })).data.product.billOfMaterials.components[0]).toEqual({
      ...first,
      quantity: first.quantity + 2,
    });
    // The components are read again beside the lines, though cached: which products the lines name is not
    // known before they arrive, and waiting for them would cost a round on every cold read.
    expect(stack.nativeCalls().erp).toEqual({ 'mrp.bom.line.search_read': 1, 'product.product.search_read': 1 });
  });

  it('drops an account when Salesforce publishes an AccountChangeEvent (Change Data Capture)', async () => {
    const before = await stack.query(ACCOUNT, { number: 'C00004' });
    const account = before.data.customer.account;
    const heard = nextInvalidation(stack.crm.cache!.bus, 'crm.account');
    await salesforcePatch(stack.salesforce!.url, 'Account', account.id, { Name: 'Renamed in Salesforce' });
    const event = await heard;
    expect(event).toMatchObject({ system: 'crm', keys: [account.id], reason: 'AccountChangeEvent UPDATE' });
    stack.resetNativeCalls();
    const after = await stack.query(ACCOUNT, { number: 'C00004' });
    expect(after.data.customer.account.name).toBe('Renamed in Salesforce');
    expect(stack.nativeCalls().crm).toEqual({ 'Account.query': 1 });
  });

  it("drops a customer's contacts, read by its ERP number, when Salesforce publishes a ContactChangeEvent", async () => {
    const CONTACTS = `query ($number: ID!) { customer(number: $number) { contacts { id title } } }`;
    const before = await stack.query(CONTACTS, { number: 'C00006' });
    const contact = before.data.customer.contacts[0];
    expect(contact).toBeDefined();
    stack.resetNativeCalls();
    expect((await stack.query(CONTACTS, { number: 'C00006' })).data).toEqual(before.data);
    expect(stack.nativeCalls().total).toBe(0);
    const heard = nextInvalidation(stack.crm.cache!.bus, 'crm.contactsByErpNumber');
    await salesforcePatch(stack.salesforce!.url, 'Contact', contact.id, { Title: 'Head of Procurement' });
    expect(await heard).toMatchObject({ system: 'crm', keys: '*', reason: 'ContactChangeEvent UPDATE' });
    stack.resetNativeCalls();
    const after = await stack.query(CONTACTS, { number: 'C00006' });
    expect(after.data.customer.contacts.find((c: { id: string }) => c.id === contact.id).title).toBe('Head of Procurement');
    expect(stack.nativeCalls().crm).toEqual({ 'Contact.query': 1 });
  });
});

describe('cached records and field authorization', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack({ env: authEnv({ CACHE_MODE: 'memory', ERP_CHANGE_POLL_MS: '0' }) });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('never serves a field to a caller without its scope, even from a record another caller cached', async () => {
    const query = `query ($number: ID!) { customer(number: $number) { number legalName creditLimit { amount } } }`;
    const finance = await graphql(stack.gateway.url, query, { number: 'C00005' }, { authorization: `Bearer ${await token(['finance:read'])}` });
    expect(finance.errors).toBeUndefined();
    expect(finance.data.customer.creditLimit.amount).toEqual(expect.any(Number));

    stack.resetNativeCalls();
    const other = await graphql(stack.gateway.url, query, { number: 'C00005' }, { authorization: `Bearer ${await token([])}` });
    // The record came from the cache (no native call), yet the field is withheld: resolvers and scopes shape output, not the cache.
    expect(stack.nativeCalls().total).toBe(0);
    expect(other.data?.customer?.legalName).toBe(finance.data.customer.legalName);
    expect(other.data?.customer?.creditLimit ?? null).toBeNull();
    expect(other.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('holds native records only: no caller, scopes or GraphQL shapes in a cached entry', async () => {
    const cache = stack.erp.cache!.cache;
    const [hit] = await cache.getMany<Record<string, unknown>>('erp.partner', ['ref:C00005']);
    expect(hit).toBeDefined();
    expect(Object.keys(hit!.value).sort()).toEqual(
      ['city', 'countryCode', 'creditLimit', 'currencyCode', 'email', 'id', 'name', 'number', 'paymentTerms', 'phone', 'street', 'vat']
        .filter((k) => k in hit!.value)
        .sort(),
    );
    expect(JSON.stringify(hit!.value)).not.toMatch(/scope|caller|__typename|authorization/i);
  });
});

// The same replicas on one Redis server and on a three-master Redis Cluster (REDIS_CLUSTER=true).
for (const [where, startRedis] of [
  ['one Redis', startTestRedis],
  ['a Redis Cluster', startTestRedisCluster],
] as const) {
  describe(`two replicas on ${where}`, () => {
    let redis: TestRedis;
    let a: TestStack;
    let b: Stack;

    beforeAll(async () => {
      redis = await startRedis();
      // The entity cache, persisted queries and plans are what is shared here; whole answers are tested below.
      const env = { ...redisEnv(redis), ERP_CHANGE_POLL_MS: '0', CRM_CHANGE_WAIT_MS: '500', RESPONSE_CACHE_MAX_ENTRIES: '0' };
      a = await startTestStack({ env });
      // Replica B: its own subgraphs and gateway, over the same native systems and the same Redis.
      b = await startStack({ ephemeralPorts: true, env: { ...env, ODOO_URL: a.odoo!.url, SALESFORCE_LOGIN_URL: a.salesforce!.url } });
      await a.erp.changes!.pollNow();
      await Promise.all([a.crm.changes!.ready, b.crm.changes!.ready]);
    });
    afterAll(async () => {
      await b?.stop();
      await a?.stop();
      await redis?.stop();
    });

    it('shares entries: what replica B read, replica A answers without a native call', async () => {
      expect(a.erp.cache?.cache.kind).toBe('redis');
      const scenario = SCENARIOS.find((s) => s.name === 'order-detail')!;
      const viaB = await graphql(b.gateway.url, scenario.query, scenario.variables);
      expect(viaB.errors).toBeUndefined();
      a.resetNativeCalls();
      const viaA = await a.query(scenario.query, scenario.variables);
      expect(viaA.data).toEqual(viaB.data);
      expect(a.nativeCalls().total).toBe(0);
      // The entries are spread over the cluster's masters, by the hash slot of each key. Keys carry a random
      // prefix per run, so a dozen of them may leave one master of three empty now and then: at least two hold some.
      const perNode = await Promise.all(redis.url.split(',').map((url) => countKeys({ ...redis, url }, `${redis.prefix}:c:*`)));
      expect(perNode.filter((n) => n > 0).length).toBeGreaterThanOrEqual(Math.min(2, perNode.length));
    });

    it('an ERP change seen by replica A invalidates replica B too', async () => {
      await graphql(b.gateway.url, CUSTOMER, { number: 'C00006' });
      const [partner] = await odoo(a.odoo!.url, 'res.partner', 'search_read', [[['ref', '=', 'C00006']]], { fields: ['id'] });
      await odoo(a.odoo!.url, 'res.partner', 'write', [[partner.id], { email: 'seen-by-a@example.com' }]);
      const heardByB = nextInvalidation(b.erp.cache!.bus, 'erp.partner');
      // Only replica A polls (B's poll interval is 0 too, and A holds the lease).
      await a.erp.changes!.pollNow();
      expect((await heardByB).keys).toEqual(expect.arrayContaining(['ref:C00006']));
      a.resetNativeCalls();
      const viaB = await graphql(b.gateway.url, CUSTOMER, { number: 'C00006' });
      expect(viaB.data.customer.email).toBe('seen-by-a@example.com');
      expect(a.nativeCalls().erp).toEqual({ 'res.partner.search_read': 1 });
    });

    it('a Salesforce change event invalidates both replicas', async () => {
      const before = await graphql(b.gateway.url, ACCOUNT, { number: 'C00007' });
      await a.query(ACCOUNT, { number: 'C00007' });
      const id = before.data.customer.account.id;
      const heard = [nextInvalidation(a.crm.cache!.bus, 'crm.account'), nextInvalidation(b.crm.cache!.bus, 'crm.account')];
      await salesforcePatch(a.salesforce!.url, 'Account', id, { Name: 'Renamed for both replicas' });
      await Promise.all(heard);
      expect((await a.query(ACCOUNT, { number: 'C00007' })).data.customer.account.name).toBe('Renamed for both replicas');
      expect((await graphql(b.gateway.url, ACCOUNT, { number: 'C00007' })).data.customer.account.name).toBe('Renamed for both replicas');
    });

    it('shares automatic persisted queries: a hash registered at gateway A is known to gateway B', async () => {
      const query = '{ customer(number: "C00001") { number } }';
      const { createHash } = await import('node:crypto');
      const sha256Hash = createHash('sha256').update(query).digest('hex');
      const extensions = { persistedQuery: { version: 1, sha256Hash } };
      const registered = await (
        await fetch(a.gateway.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, extensions }) })
      ).json();
      expect(registered).toEqual({ data: { customer: { number: 'C00001' } } });
      const byHash = await (
        await fetch(b.gateway.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ extensions }) })
      ).json();
      expect(byHash).toEqual({ data: { customer: { number: 'C00001' } } });
    });

    it('shares query plans: an operation planned at gateway A is not planned again at gateway B', async () => {
      // Every benchmark scenario: plans with entity fetches across both subgraphs and @requires.
      for (const scenario of SCENARIOS) {
        const operation = scenario.query.replace(/query (\w+)/, `query $1SharedPlan`);
        const beforeA = a.gateway.queryPlanStats();
        const viaA = await a.query(operation, scenario.variables);
        expect(viaA.errors, scenario.name).toBeUndefined();
        expect(a.gateway.queryPlanStats().misses, `${scenario.name} is planned once at A`).toBe(beforeA.misses + 1);

        const beforeB = b.gateway.queryPlanStats();
        const viaB = await graphql(b.gateway.url, operation, scenario.variables);
        const afterB = b.gateway.queryPlanStats();
        // B read A's plan from Redis (JSON) and executed it to the same answer.
        expect(afterB.misses, `${scenario.name} is not planned at B`).toBe(beforeB.misses);
        expect(afterB.sharedHits, scenario.name).toBe(beforeB.sharedHits + 1);
        expect(viaB.data, scenario.name).toEqual(viaA.data);
        // The next request at B finds the plan in its own memory.
        await graphql(b.gateway.url, operation, scenario.variables);
        expect(b.gateway.queryPlanStats().localHits, scenario.name).toBe(afterB.localHits + 1);
      }
      expect(await countKeys(redis, `${redis.prefix}:kv:qp:*`)).toBeGreaterThanOrEqual(SCENARIOS.length);
    });
  });
}
describe('two gateway processes on one Redis', () => {
  let redis: TestRedis;
  let a: TestStack;
  let b: ReadyChild;

  beforeAll(async () => {
    redis = await startTestRedis();
    const env = { REDIS_URL: redis.url, CACHE_PREFIX: redis.prefix, ERP_CHANGE_POLL_MS: '0', CRM_CHANGE_WAIT_MS: '500' };
    a = await startTestStack({ env });
    // Replica B runs in a process of its own: nothing but Redis (and the native systems) is shared with A.
    b = await spawnReady({
      args: [resolve(repoRoot, 'test/helpers/replicaProcess.ts')],
      env: { ...process.env, ...env, LOG_LEVEL: 'error', ODOO_URL: a.odoo!.url, SALESFORCE_LOGIN_URL: a.salesforce!.url },
      label: 'replica B',
    });
    await a.erp.changes!.pollNow();
    await a.crm.changes!.ready;
  }, 60_000);
  afterAll(async () => {
    await stopChild(b?.child);
    await a?.stop();
    await redis?.stop();
  });

  /** Asks `url` until `accept` holds for the customer's answer, or fails after `ms`. */
  async function eventually(url: string, query: string, number: string, accept: (customer: any) => boolean, ms = 10_000): Promise<void> {
    const deadline = Date.now() + ms;
    for (;;) {
      const customer = (await graphql(url, query, { number })).data.customer;
      if (accept(customer)) return;
      if (Date.now() > deadline) throw new Error(`Expected ${url} to answer the change within ${ms} ms, but it still answers ${JSON.stringify(customer)}.`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  it("replica B's second identical query is answered whole from its own response cache", async () => {
    const hitsBefore = await responseCacheHits(b.url);
    const first = await graphql(b.url, CUSTOMER, { number: 'C00014' });
    expect(first.errors).toBeUndefined();
    expect(await graphql(b.url, CUSTOMER, { number: 'C00014' })).toEqual(first);
    expect(await responseCacheHits(b.url)).toBe(hitsBefore + 1);
  });

  it('an ERP change seen by replica A invalidates replica B, in another process', async () => {
    for (const url of [a.gateway.url, b.url]) for (let i = 0; i < 2; i++) await graphql(url, CUSTOMER, { number: 'C00015' });
    const [partner] = await odoo(a.odoo!.url, 'res.partner', 'search_read', [[['ref', '=', 'C00015']]], { fields: ['id'] });
    await odoo(a.odoo!.url, 'res.partner', 'write', [[partner.id], { email: 'seen-by-both-processes@example.com' }]);
    // Only A follows the ERP's changes here (B's poll is off): what B learns comes over Redis.
    await a.erp.changes!.pollNow();
    await Promise.all([a.gateway.url, b.url].map((url) => eventually(url, CUSTOMER, 'C00015', (c) => c.email === 'seen-by-both-processes@example.com')));
  });

  it('a Salesforce change event invalidates both processes, whichever follows the change stream', async () => {
    for (const url of [a.gateway.url, b.url]) for (let i = 0; i < 2; i++) await graphql(url, ACCOUNT, { number: 'C00016' });
    const account = (await graphql(a.gateway.url, ACCOUNT, { number: 'C00016' })).data.customer.account;
    await salesforcePatch(a.salesforce!.url, 'Account', account.id, { Name: 'Renamed for both processes' });
    await Promise.all([a.gateway.url, b.url].map((url) => eventually(url, ACCOUNT, 'C00016', (c) => c.account.name === 'Renamed for both processes')));
  });
});

/** The `hit` count of a gateway's response_cache_lookups_total, read from its /metrics. */
async function responseCacheHits(gatewayUrl: string): Promise<number> {
  const text = await (await fetch(new URL('/metrics', gatewayUrl))).text();
  const line = text.split('\n').find((l) => l.startsWith('response_cache_lookups_total{result="hit"}'));
  if (!line) throw new Error(`Expected response_cache_lookups_total{result="hit"} on ${gatewayUrl}/metrics, but it was not there.`);
  return Number(line.split(' ').at(-1));
}

describe('whole answers at the gateway (response cache), two replicas on one Redis', () => {
  let redis: TestRedis;
  let a: TestStack;
  let b: Stack;
  let everything: Record<string, string>;

  beforeAll(async () => {
    redis = await startTestRedis();
    const env = authEnv({ REDIS_URL: redis.url, CACHE_PREFIX: redis.prefix, ERP_CHANGE_POLL_MS: '0', CRM_CHANGE_WAIT_MS: '500' });
    a = await startTestStack({ env });
    b = await startStack({ ephemeralPorts: true, env: { ...env, LOG_LEVEL: 'error', ODOO_URL: a.odoo!.url, SALESFORCE_LOGIN_URL: a.salesforce!.url } });
    await a.erp.changes!.pollNow();
    await Promise.all([a.crm.changes!.ready, b.crm.changes!.ready]);
    everything = { authorization: `Bearer ${await token(ALL_SCOPES)}` };
  });
  afterAll(async () => {
    await b?.stop();
    await a?.stop();
    await redis?.stop();
  });

  /** Waits until a gateway has dropped answers for `count` more invalidations than `before` (pub/sub is asynchronous). */
  async function droppedAt(gateway: Stack['gateway'], before: number, ms = 10_000): Promise<void> {
    const deadline = Date.now() + ms;
    while (gateway.responseCacheStats()!.invalidated <= before) {
      if (Date.now() > deadline) throw new Error(`Expected the gateway to drop a cached answer within ${ms} ms, but it kept every one.`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  for (const scenario of SCENARIOS) {
    it(`${scenario.name}: the second identical query is answered whole by the gateway, with no subgraph fetch and no native call`, async () => {
      const first = await graphql(a.gateway.url, scenario.query, scenario.variables, everything);
      expect(first.errors).toBeUndefined();
      const before = a.gateway.responseCacheStats()!;
      expect(before.entries).toBeGreaterThan(0);
      a.resetNativeCalls();
      const second = await graphql(a.gateway.url, scenario.query, scenario.variables, everything);
      expect(second).toEqual(first);
      expect(a.gateway.responseCacheStats()!.hits).toBe(before.hits + 1);
      expect(a.nativeCalls().total).toBe(0);
    });
  }

  it('never stores a report: its aggregates have no invalidation feed, so the subgraph says no-store', async () => {
    const report = seedChecks().find((c) => c.name === 'CustomerProfitabilityReport')!;
    const ask = () =>
      fetch(a.gateway.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...everything },
        body: JSON.stringify({ query: report.query, operationName: report.operationName, variables: report.variables }),
      }).then((r) => r.json() as Promise<any>);
    expect((await ask()).errors).toBeUndefined();
    const before = a.gateway.responseCacheStats()!;
    a.resetNativeCalls();
    expect((await ask()).errors).toBeUndefined();
    expect(a.nativeCalls().erpTotal).toBeGreaterThan(0);
    expect(a.gateway.responseCacheStats()!.stored).toBe(before.stored);
    expect(a.gateway.responseCacheStats()!.hits).toBe(before.hits);

    // Asked directly, the ERP subgraph marks the report no-store and a customer read from its cache cacheable.
    const signed = async (query: string, variables: Record<string, unknown>) => {
      const body = JSON.stringify({ query, variables });
      return fetch(a.erpUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...signInternalRequest(TEST_INTERNAL_SECRET, body, ALL_SCOPES) },
        body,
      });
    };
    const reportAnswer = await signed(
      `query ($from: Date!, $to: Date!) { customerProfitability(from: $from, to: $to, first: 3) { customerNumber revenue { amount } } }`,
      {
        from: '2026-01-01',
        to: '2026-10-31',
      },
    );
    expect(reportAnswer.headers.get('cache-control')).toBe('no-store');
    expect(reportAnswer.headers.get('x-cache-tags')).toBeNull();
    const customerAnswer = await signed(`query ($r: [_Any!]!) { _entities(representations: $r) { ... on Customer { number legalName } } }`, {
      r: [{ __typename: 'Customer', number: 'C00010' }],
    });
    expect(customerAnswer.headers.get('cache-control')).toMatch(/^private, max-age=[1-9]\d*$/);
    expect(customerAnswer.headers.get('x-cache-tags')?.split(' ')).toContain('erp.partner');
  });

  it('keys answers by caller: one without finance:read never receives creditLimit from an answer cached for one with it', async () => {
    const query = `query ($number: ID!) { customer(number: $number) { number legalName creditLimit { amount } } }`;
    const finance = { authorization: `Bearer ${await token(['finance:read'])}` };
    const first = await graphql(a.gateway.url, query, { number: 'C00011' }, finance);
    expect(first.data.customer.creditLimit.amount).toEqual(expect.any(Number));
    const before = a.gateway.responseCacheStats()!;
    expect(await graphql(a.gateway.url, query, { number: 'C00011' }, finance)).toEqual(first);
    expect(a.gateway.responseCacheStats()!.hits).toBe(before.hits + 1);

    const other = await graphql(a.gateway.url, query, { number: 'C00011' }, { authorization: `Bearer ${await token([])}` });
    expect(a.gateway.responseCacheStats()!.hits).toBe(before.hits + 1);
    expect(other.data?.customer?.legalName).toBe(first.data.customer.legalName);
    expect(other.data?.customer?.creditLimit ?? null).toBeNull();
    expect(other.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('an ERP change seen by replica A drops the cached answer at both gateways', async () => {
    for (const url of [a.gateway.url, b.gateway.url]) for (let i = 0; i < 2; i++) await graphql(url, CUSTOMER, { number: 'C00012' }, everything);
    const before = [a.gateway.responseCacheStats()!.invalidated, b.gateway.responseCacheStats()!.invalidated];
    const [partner] = await odoo(a.odoo!.url, 'res.partner', 'search_read', [[['ref', '=', 'C00012']]], { fields: ['id'] });
    await odoo(a.odoo!.url, 'res.partner', 'write', [[partner.id], { email: 'answer-dropped@example.com' }]);
    await a.erp.changes!.pollNow();
    await Promise.all([droppedAt(a.gateway, before[0]!), droppedAt(b.gateway, before[1]!)]);
    for (const url of [a.gateway.url, b.gateway.url]) {
      expect((await graphql(url, CUSTOMER, { number: 'C00012' }, everything)).data.customer.email).toBe('answer-dropped@example.com');
    }
  });

  it('a Salesforce change event drops the cached answer at both gateways', async () => {
    const first = await graphql(a.gateway.url, ACCOUNT, { number: 'C00013' }, everything);
    await graphql(b.gateway.url, ACCOUNT, { number: 'C00013' }, everything);
    const before = [a.gateway.responseCacheStats()!.invalidated, b.gateway.responseCacheStats()!.invalidated];
    await salesforcePatch(a.salesforce!.url, 'Account', first.data.customer.account.id, { Name: 'Renamed, answers dropped' });
    await Promise.all([droppedAt(a.gateway, before[0]!), droppedAt(b.gateway, before[1]!)]);
    for (const url of [a.gateway.url, b.gateway.url]) {
      expect((await graphql(url, ACCOUNT, { number: 'C00013' }, everything)).data.customer.account.name).toBe('Renamed, answers dropped');
    }
  });

  it('reports its lookups, drops and entries on the gateway /metrics', async () => {
    const text = await (await fetch(a.gateway.url.replace(/\/graphql$/, '/metrics'))).text();
    const sample = (name: string) => Number(new RegExp(`^${name.replace(/[{}]/g, '\\$&')} (\\d+)$`, 'm').exec(text)?.[1]);
    const stats = a.gateway.responseCacheStats()!;
    expect(stats.hits).toBeGreaterThan(0);
    expect(stats.invalidated).toBeGreaterThan(0);
    expect(sample('response_cache_lookups_total{result="hit"}')).toBe(stats.hits);
    expect(sample('response_cache_lookups_total{result="miss"}')).toBe(stats.misses);
    expect(sample('response_cache_invalidated_total')).toBe(stats.invalidated);
    expect(sample('response_cache_entries')).toBe(stats.entries);
  });
});

const CREATE_CUSTOMER = `mutation ($input: CreateCustomerInput!, $key: String!) { createCustomer(input: $input, idempotencyKey: $key) { outcome customerNumber } }`;
const CUSTOMER_COUNT = `{ customers(first: 1) { totalCount } }`;
const QUOTE_ORDER = `query ($id: ID!) { quote(id: $id) { erpOrderNumber } }`;
const CONVERT_QUOTE = `mutation ($id: ID!) { convertQuoteToSalesOrder(quoteId: $id) { outcome message salesOrder { number } } }`;
// Salesforce publishes change events after the commit: long enough here that a read right after the mutation comes first.
const CDC_PUBLISH_DELAY_MS = 400;

/**
 * An accepted quote for a customer in both systems, with one stocked line and credit to spare, and
 * its ERP order number read once through the graph (null), so the CRM's cache holds it.
 */
async function cachedQuote(stack: TestStack): Promise<string> {
  const native = nativeClients(stack.odoo!.url, stack.salesforce!.url);
  try {
    const [products, customers] = await Promise.all([productsInBothSystems(native), matchedCustomers(native)]);
    // Each stack converts one quote per test: a customer of its own keeps the runs apart.
    const customer = customers.at(-1 - quotesMade++)!;
    await native.odoo.executeKw('res.partner', 'write', [[customer.partnerId], { credit_limit: 10_000_000 }]);
    const product = products.find((p) => p.qtyAvailable >= 5)!;
    const { quoteId } = await makeQuote(native, customer, [{ product, quantity: 1 }]);
    expect((await stack.query(QUOTE_ORDER, { id: quoteId })).data.quote.erpOrderNumber).toBeNull();
    return quoteId;
  } finally {
    await native.odoo.close();
    native.sf.close();
  }
}
let quotesMade = 0;

/**
 * Converts a cached quote through the graph while Salesforce publishes change events late, and hands
 * `check` a read of the quote's ERP order number through the graph and the order the conversion made.
 */
async function convertWhilePublishingLate(
  stack: TestStack,
  check: (quoteOrder: () => Promise<string | null>, orderNumber: string) => Promise<void>,
  convert = (quoteId: string) => stack.query(CONVERT_QUOTE, { id: quoteId }),
) {
  const quoteId = await cachedQuote(stack);
  stack.salesforce!.changeEvents.publishDelayMs = CDC_PUBLISH_DELAY_MS;
  try {
    const converted = (await convert(quoteId)).data.convertQuoteToSalesOrder;
    expect(converted.outcome).toBe('COMPLETED');
    await check(async () => (await stack.query(QUOTE_ORDER, { id: quoteId })).data.quote.erpOrderNumber, converted.salesOrder.number);
  } finally {
    stack.salesforce!.changeEvents.publishDelayMs = 0;
  }
}

// The ERP poll is off in these stacks: only the workflow's request for a poll can refresh the cache.
for (const [where, startRedis] of [
  ['in memory (one process)', null],
  ['on Redis', startTestRedis],
] as const) {
  describe(`read your writes: a mutation through the graph is seen by the next read, cache ${where}`, () => {
    let redis: TestRedis | undefined;
    let stack: TestStack;
    beforeAll(async () => {
      redis = startRedis ? await startRedis() : undefined;
      stack = await startTestStack({ env: { ...(redis ? redisEnv(redis) : { CACHE_MODE: 'memory' }), ERP_CHANGE_POLL_MS: '0' } });
      await stack.erp.changes!.pollNow();
    });
    afterAll(async () => {
      await stack?.stop();
      await redis?.stop();
    });

    it('counts a customer created through the graph at once, though the count was cached', async () => {
      const count = async () => (await stack.query(CUSTOMER_COUNT)).data.customers.totalCount as number;
      const before = await count();
      stack.resetNativeCalls();
      expect(await count()).toBe(before);
      expect(stack.nativeCalls().erpTotal).toBe(0);
      const created = await stack.query(CREATE_CUSTOMER, { input: { name: `Read Your Writes ${where}` }, key: randomUUID() });
      expect(created.errors).toBeUndefined();
      expect(created.data.createCustomer.outcome).toBe('COMPLETED');
      expect(await count()).toBe(before + 1);
    });

    it('shows the ERP order a quote was converted to at once, though Salesforce publishes the change event later', async () => {
      await convertWhilePublishingLate(stack, async (quoteOrder, orderNumber) => {
        // The mutation answered only once the CRM subgraph had handled the quote's change event.
        expect(await quoteOrder()).toBe(orderNumber);
      });
    });

    it('answers a request that joined the same conversion only once its writes are seen too', async () => {
      let first: Promise<{ data?: any }> | undefined;
      await convertWhilePublishingLate(
        stack,
        async (quoteOrder, orderNumber) => {
          expect(await quoteOrder()).toBe(orderNumber);
          expect((await first!).data.convertQuoteToSalesOrder.salesOrder.number).toBe(orderNumber);
        },
        async (quoteId) => {
          // The second request arrives while the first one's run is under way, and shares it (workflows/guard.ts).
          first = stack.query(CONVERT_QUOTE, { id: quoteId });
          await new Promise((resolve) => setTimeout(resolve, 50));
          return stack.query(CONVERT_QUOTE, { id: quoteId });
        },
      );
    });
  });
}

describe('read your writes turned off (WORKFLOW_ERP_REFRESH_WAIT_MS=0, WORKFLOW_CRM_REFRESH_WAIT_MS=0)', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack({
      env: { CACHE_MODE: 'memory', ERP_CHANGE_POLL_MS: '0', WORKFLOW_ERP_REFRESH_WAIT_MS: '0', WORKFLOW_CRM_REFRESH_WAIT_MS: '0', CACHE_PREFIX: 'no-refresh' },
    });
    await stack.erp.changes!.pollNow();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('serves the cached count until the next ERP poll, which then sees the new customer', async () => {
    const count = async () => (await stack.query(CUSTOMER_COUNT)).data.customers.totalCount as number;
    const before = await count();
    const created = await stack.query(CREATE_CUSTOMER, { input: { name: 'No Refresh GmbH' }, key: randomUUID() });
    expect(created.data.createCustomer.outcome).toBe('COMPLETED');
    expect(await count()).toBe(before);
    await stack.erp.changes!.pollNow();
    expect(await count()).toBe(before + 1);
  });

  it("serves a converted quote's cached CRM record until its change event is published, and then the order", async () => {
    await convertWhilePublishingLate(stack, async (quoteOrder, orderNumber) => {
      expect(await quoteOrder()).toBeNull();
      await expect.poll(quoteOrder, { timeout: 5_000, interval: 50 }).toBe(orderNumber);
    });
  });
});
