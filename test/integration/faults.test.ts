/**
 * Faults in the native systems, seen through the gateway: each kind of fault
 * gives partial results (the healthy system's data plus an error naming the
 * failing one), reads are retried and the daily-limit 403 is not, a hang
 * becomes a timeout, the breaker stops native calls and recovers, stale cache
 * entries are served with a STALE_DATA marker, /health/ready reports each part,
 * and stop() lets an in-flight query finish.
 *
 * Faults are injected in the emulators (emulators/common/faults.ts) and native
 * calls counted there.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { FaultRule } from '../../emulators/common/faults.js';
import { buildWorld } from '../../emulators/seed/world.js';
import { startTestStack, type GraphQLResponse, type TestStack } from '../helpers/startStack.js';

const world = buildWorld('small');
const company = world.companies.find((c) => c.inErp && c.inCrm && !c.conflictingCrmAccountId && c.erpNumber)!;

/** CRM root field, ERP entity: ERP faults leave the account and fail the customer. */
const ACCOUNT_WITH_CUSTOMER = `query ($id: ID!) { account(id: $id) { name customer { number legalName } } }`;
/** ERP root field, CRM entity fields: CRM faults leave the customer and fail the segment. */
const CUSTOMER_WITH_SEGMENT = `query ($number: ID!) { customer(number: $number) { legalName segment } }`;

const accountWithCustomer = (stack: TestStack) => stack.query(ACCOUNT_WITH_CUSTOMER, { id: company.crmAccountId });
const customerWithSegment = (stack: TestStack) => stack.query(CUSTOMER_WITH_SEGMENT, { number: company.erpNumber });

const FAST = {
  ODOO_TIMEOUT_MS: '400',
  SALESFORCE_TIMEOUT_MS: '400',
  ODOO_RETRY_BASE_MS: '10',
  SALESFORCE_RETRY_BASE_MS: '10',
  ODOO_RETRY_MAX_MS: '1500',
  SALESFORCE_RETRY_MAX_MS: '1500',
};

function errorFor(response: GraphQLResponse, system: 'erp' | 'crm') {
  return response.errors?.find((e) => e.extensions?.system === system);
}

const healthUrl = (stack: TestStack, path: string) => stack.gateway.url.replace(/\/graphql$/, path);

describe('with a healthy breaker (threshold high enough never to open)', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack({ env: { ...FAST, ODOO_BREAKER_FAILURES: '1000', SALESFORCE_BREAKER_FAILURES: '1000' } });
  });
  afterEach(() => {
    stack.odoo!.faults.clear();
    stack.salesforce!.faults.clear();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const erpFaults: [string, FaultRule][] = [
    ['HTTP 5xx', { match: { model: 'res.partner' }, fault: 'http5xx', status: 502 }],
    ['429 with a Retry-After longer than the connector waits', { match: { model: 'res.partner' }, fault: 'tooManyRequests', retryAfterSeconds: 30 }],
    ['a connection reset', { match: { model: 'res.partner' }, fault: 'connectionReset' }],
    ['malformed JSON', { match: { model: 'res.partner' }, fault: 'malformedJson' }],
    ['an answer that never comes', { match: { model: 'res.partner' }, fault: 'hang' }],
  ];

  it.each(erpFaults)('ERP %s: CRM data plus an error naming the ERP', async (_name, rule) => {
    stack.odoo!.faults.set([rule]);
    const started = Date.now();
    const response = await accountWithCustomer(stack);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(response.data?.account?.name).toBe(company.name);
    expect(response.data?.account?.customer?.legalName ?? null).toBeNull();
    const error = errorFor(response, 'erp');
    expect(error?.extensions?.code).toBe('NATIVE_SYSTEM_UNAVAILABLE');
    expect(error?.message).toMatch(/^The ERP \(Odoo\) is unavailable: /);
  });

  const crmFaults: [string, FaultRule, string][] = [
    ['HTTP 5xx', { match: { object: 'Account' }, fault: 'http5xx' }, 'NATIVE_SYSTEM_UNAVAILABLE'],
    ['429 with a long Retry-After', { match: { object: 'Account' }, fault: 'tooManyRequests', retryAfterSeconds: 30 }, 'NATIVE_SYSTEM_UNAVAILABLE'],
    ['a connection reset', { match: { object: 'Account' }, fault: 'connectionReset' }, 'NATIVE_SYSTEM_UNAVAILABLE'],
    ['malformed JSON', { match: { object: 'Account' }, fault: 'malformedJson' }, 'NATIVE_SYSTEM_UNAVAILABLE'],
    ['an answer that never comes', { match: { object: 'Account' }, fault: 'hang' }, 'NATIVE_SYSTEM_UNAVAILABLE'],
    ['403 REQUEST_LIMIT_EXCEEDED', { match: { object: 'Account' }, fault: 'requestLimitExceeded' }, 'NATIVE_SYSTEM_ERROR'],
  ];

  it.each(crmFaults)('CRM %s: ERP data plus an error naming the CRM', async (_name, rule, code) => {
    stack.salesforce!.faults.set([rule]);
    const response = await customerWithSegment(stack);
    expect(response.data?.customer?.legalName).toBe(company.name);
    expect(response.data?.customer?.segment ?? null).toBeNull();
    const error = errorFor(response, 'crm');
    expect(error?.extensions?.code).toBe(code);
    expect(error?.message).toMatch(/^The CRM \(Salesforce\) (is unavailable|rejected the call with REQUEST_LIMIT_EXCEEDED)/);
  });

  it('makes one native call on 403 REQUEST_LIMIT_EXCEEDED: no retry', async () => {
    stack.salesforce!.faults.set([{ match: { object: 'Account' }, fault: 'requestLimitExceeded' }]);
    stack.resetNativeCalls();
    const response = await customerWithSegment(stack);
    expect(errorFor(response, 'crm')?.extensions?.nativeError).toBe('REQUEST_LIMIT_EXCEEDED');
    expect(stack.nativeCalls().crm['Account.query']).toBe(1);
  });

  it('retries reads that failed, so a brief fault is invisible to the client', async () => {
    stack.odoo!.faults.set([{ match: { model: 'res.partner', method: 'search_read' }, fault: 'http5xx', times: 2 }]);
    stack.resetNativeCalls();
    const response = await accountWithCustomer(stack);
    expect(response.errors).toBeUndefined();
    expect(response.data?.account?.customer?.legalName).toBe(company.name);
    expect(stack.nativeCalls().erp['res.partner.search_read']).toBe(3);
  });

  it('honours Retry-After on a 429 before retrying a read', async () => {
    stack.salesforce!.faults.set([{ match: { object: 'Account', method: 'query' }, fault: 'tooManyRequests', retryAfterSeconds: 1, times: 1 }]);
    stack.resetNativeCalls();
    const started = Date.now();
    const response = await customerWithSegment(stack);
    expect(response.errors).toBeUndefined();
    expect(response.data?.customer?.segment).toBe(company.segment);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(stack.nativeCalls().crm['Account.query']).toBe(2);
  });

  it('answers /health/ready 200 with every component when all are up', async () => {
    const response = await fetch(healthUrl(stack, '/health/ready'));
    const body = await response.json();
    expect(response.status).toBe(200);
    expect(body.status).toBe('up');
    expect(body.subgraphs.erp.status).toBe('up');
    expect(body.subgraphs.crm.status).toBe('up');
    expect(body.nativeSystems.erp).toMatchObject({ status: 'up', name: 'ERP (Odoo)', breaker: { state: 'closed' } });
    expect(body.nativeSystems.crm).toMatchObject({ status: 'up', name: 'CRM (Salesforce)', breaker: { state: 'closed' } });
    expect(body.nativeSystems.crm.limitInfo?.raw).toMatch(/^api-usage=\d+\/\d+$/);
    expect(body.redis).toBeNull();
  });

  it('answers /health/ready 503 naming the native system that is down', async () => {
    stack.odoo!.faults.set([{ match: { model: 'common', method: 'version' }, fault: 'http5xx' }]);
    const response = await fetch(healthUrl(stack, '/health/ready'));
    const body = await response.json();
    expect(response.status).toBe(503);
    expect(body.status).toBe('down');
    expect(body.nativeSystems.erp.status).toBe('down');
    expect(body.nativeSystems.erp.error).toMatch(/common\.version with HTTP 503/);
    expect(body.nativeSystems.crm.status).toBe('up');
    expect(body.subgraphs.erp.status).toBe('up');
    // Liveness is about the gateway process only.
    expect((await fetch(healthUrl(stack, '/health/live'))).status).toBe(200);
  });
});

describe('circuit breaker, stale serving and shutdown', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack({
      env: {
        ...FAST,
        ODOO_RETRY_ATTEMPTS: '1',
        ODOO_BREAKER_FAILURES: '2',
        ODOO_BREAKER_HALF_OPEN_MS: '600',
        // Entries expire after 1 s but are kept an hour for serving while a system is down.
        CACHE_MODE: 'memory',
        CACHE_TTL_SECONDS: '1',
        CACHE_STALE_SECONDS: '3600',
        ERP_CHANGE_POLL_MS: '0',
      },
    });
  });
  afterEach(() => {
    stack.odoo!.faults.clear();
    stack.salesforce!.faults.clear();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('opens after N consecutive failures (no more native calls), then closes after a successful trial', async () => {
    // A customer the cache has never seen, so every query needs Odoo.
    const other = world.companies.filter((c) => c.inErp && c.inCrm && !c.conflictingCrmAccountId && c.erpNumber && c !== company)[3]!;
    const query = () => stack.query(ACCOUNT_WITH_CUSTOMER, { id: other.crmAccountId });
    stack.odoo!.faults.set([{ match: { model: 'res.partner' }, fault: 'http5xx' }]);
    stack.resetNativeCalls();
    for (let i = 0; i < 2; i++) expect(errorFor(await query(), 'erp')?.extensions?.code).toBe('NATIVE_SYSTEM_UNAVAILABLE');
    expect(stack.nativeCalls().erp['res.partner.search_read']).toBe(2);

    const refused = await query();
    expect(refused.data?.account?.name).toBe(other.name);
    const error = errorFor(refused, 'erp');
    expect(error?.message).toBe('The ERP (Odoo) circuit is open after 2 consecutive failures; retrying in 1s.');
    expect(error?.extensions).toMatchObject({ code: 'NATIVE_SYSTEM_UNAVAILABLE', system: 'erp', circuit: 'open' });
    expect(stack.nativeCalls().erp['res.partner.search_read']).toBe(2);

    const health = await (await fetch(healthUrl(stack, '/health/ready'))).json();
    expect(health.nativeSystems.erp.breaker.state).toBe('open');
    expect(health.status).toBe('down');

    // Odoo is back; after halfOpenAfter a single trial call goes through and closes the circuit.
    stack.odoo!.faults.clear();
    await new Promise((resolve) => setTimeout(resolve, 650));
    const recovered = await query();
    expect(recovered.errors).toBeUndefined();
    expect(recovered.data?.account?.customer?.legalName).toBe(other.name);
    expect(stack.nativeCalls().erp['res.partner.search_read']).toBe(3);
    const after = await (await fetch(healthUrl(stack, '/health/ready'))).json();
    expect(after.nativeSystems.erp.breaker.state).toBe('closed');
  });

  it('serves the stale cached customer while the ERP is down, marked STALE_DATA with its age', async () => {
    const fresh = await accountWithCustomer(stack);
    expect(fresh.errors).toBeUndefined();
    // Past the 1 s TTL: a normal read would go to Odoo, which is now failing.
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    stack.odoo!.faults.set([{ match: { model: 'res.partner' }, fault: 'http5xx', times: 1 }]);
    const stale = await accountWithCustomer(stack);
    expect(stale.data?.account?.customer).toEqual({ number: company.erpNumber, legalName: company.name });
    const marker = stale.errors?.find((e) => e.extensions?.code === 'STALE_DATA');
    expect(marker).toBeDefined();
    expect(marker!.path).toEqual(['account', 'customer']);
    expect(marker!.extensions).toMatchObject({ system: 'erp', stale: { ageSeconds: expect.any(Number) } });
    expect((marker!.extensions!.stale as { ageSeconds: number }).ageSeconds).toBeGreaterThanOrEqual(1);
    expect(marker!.message).toMatch(/^The ERP \(Odoo\) is unavailable, so this value was served from the cache as it was \d+ seconds ago\.$/);
    expect(stale.errors?.some((e) => e.extensions?.code === 'NATIVE_SYSTEM_UNAVAILABLE')).toBe(false);
  });

  it('serves stale CRM accounts while Salesforce is down, marked on the field that holds them', async () => {
    const query = `query ($number: ID!) { customer(number: $number) { legalName crmAccounts { name } } }`;
    const fresh = await stack.query(query, { number: company.erpNumber });
    expect(fresh.errors).toBeUndefined();
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    stack.salesforce!.faults.set([{ match: { object: 'Account', method: 'query' }, fault: 'http5xx' }]);
    const stale = await stack.query(query, { number: company.erpNumber });
    expect(stale.data?.customer).toEqual({ legalName: company.name, crmAccounts: [{ name: company.name }] });
    const marker = stale.errors?.find((e) => e.extensions?.code === 'STALE_DATA');
    expect(marker?.path).toEqual(['customer', 'crmAccounts']);
    expect(marker?.extensions).toMatchObject({ system: 'crm', stale: { ageSeconds: expect.any(Number) } });
    expect(marker?.message).toMatch(/^The CRM \(Salesforce\) is unavailable/);
  });

  it('lets a slow in-flight query finish while stop() is pending, then refuses new connections', async () => {
    stack.odoo!.faults.set([{ match: { model: 'res.partner' }, fault: 'latency', ms: 300 }]);
    const other = world.companies.filter((c) => c.inErp && c.inCrm && !c.conflictingCrmAccountId && c.erpNumber && c !== company)[7]!;
    const inFlight = stack.query(ACCOUNT_WITH_CUSTOMER, { id: other.crmAccountId });
    await new Promise((resolve) => setTimeout(resolve, 100));
    let stopped = false;
    const stopping = stack.gateway.stop().then(() => (stopped = true));
    const response = await inFlight;
    expect(response.errors).toBeUndefined();
    expect(response.data?.account?.customer?.legalName).toBe(other.name);
    await stopping;
    expect(stopped).toBe(true);
    await expect(fetch(healthUrl(stack, '/health/live'))).rejects.toThrow();
  });
});
