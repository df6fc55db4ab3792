/**
 * One request id, followed through the structured logs: the id a client sends
 * in `x-request-id` is on the gateway's request line, on the ERP and CRM
 * subgraphs' lines, and on the line of every Odoo and Salesforce call the
 * request caused. And nothing secret, and no variable's value, is in any line.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildWorld } from '../../emulators/seed/world.js';
import { startTestStack, type TestStack } from '../helpers/startStack.js';
import { captureLogs } from './helpers.js';

const world = buildWorld('small');
const company = world.companies.find((c) => c.inErp && c.inCrm && !c.conflictingCrmAccountId)!;
const REQUEST_ID = 'obs-test-7f3a9c';
const INTERNAL_SECRET = 'internal-secret-for-the-log-test-0123456789';

const logs = captureLogs();
let stack: TestStack;
let answeredId: string | null;

async function post(body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(stack.gateway.url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
}

beforeAll(async () => {
  stack = await startTestStack({ env: { LOG_LEVEL: 'debug', INTERNAL_SHARED_SECRET: INTERNAL_SECRET }, observability: { logDestination: logs.destination } });
  const response = await post(
    {
      query: 'query AccountAndCustomer($id: ID!) { account(id: $id) { name owner { email } customer { number salesOrders(first: 3) { number } } } }',
      variables: { id: company.crmAccountId },
    },
    { 'x-request-id': REQUEST_ID },
  );
  answeredId = response.headers.get('x-request-id');
  const { errors } = (await response.json()) as { errors?: unknown };
  expect(errors).toBeUndefined();
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

const linesOf = (requestId: string) => logs.lines.filter((line) => line.requestId === requestId);

describe('one request id across components', () => {
  it('answers the id the client sent', () => {
    expect(answeredId).toBe(REQUEST_ID);
  });

  it('is on the gateway request line, with the operation, status and duration', () => {
    const [line, ...more] = linesOf(REQUEST_ID).filter((l) => l.component === 'gateway' && l.msg === 'graphql request');
    expect(more).toEqual([]);
    expect(line).toMatchObject({ level: 'info', operationName: 'AccountAndCustomer', status: 200, outcome: 'ok' });
    expect(typeof line!.durationMs).toBe('number');
  });

  it('is on the gateway subgraph fetches and on both subgraphs request lines', () => {
    const lines = linesOf(REQUEST_ID);
    const fetched = new Set(lines.filter((l) => l.component === 'gateway' && l.msg === 'subgraph fetch').map((l) => l.subgraph));
    expect(fetched).toEqual(new Set(['erp', 'crm']));
    for (const component of ['erp', 'crm']) {
      expect(lines.filter((l) => l.component === component && l.msg === 'subgraph request').length).toBeGreaterThan(0);
    }
  });

  it('is on every Odoo call the ERP subgraph made for it, and every Salesforce call the CRM subgraph made', () => {
    const calls = linesOf(REQUEST_ID).filter((l) => l.msg === 'native call');
    const odoo = calls.filter((l) => l.system === 'odoo');
    const salesforce = calls.filter((l) => l.system === 'salesforce');
    expect(odoo.length).toBeGreaterThan(0);
    expect(salesforce.length).toBeGreaterThan(0);
    expect(odoo.every((l) => l.component === 'erp')).toBe(true);
    expect(salesforce.every((l) => l.component === 'crm')).toBe(true);
    for (const line of calls) {
      expect(line).toMatchObject({ level: 'debug', outcome: 'ok', status: 200 });
      expect(typeof line.object).toBe('string');
      expect(typeof line.method).toBe('string');
      expect(typeof line.durationMs).toBe('number');
    }
    expect(odoo.some((l) => l.object === 'res.partner')).toBe(true);
    expect(salesforce.some((l) => l.object === 'Account' && l.method === 'composite_read')).toBe(true);
  });

  it('never writes a secret or a variable value', () => {
    const text = logs.lines.map((l) => JSON.stringify(l)).join('\n');
    for (const secret of [INTERNAL_SECRET, '0123456789abcdef0123456789abcdef01234567', 'dev-secret', 'dev-password', company.crmAccountId]) {
      expect(text).not.toContain(secret);
    }
  });
});

describe('request ids the gateway makes', () => {
  it('makes a fresh id when none is sent, or the one sent is not acceptable, and uses it all the way', async () => {
    for (const sent of [undefined, 'has spaces in it', 'x'.repeat(129), '-leading-dash']) {
      const response = await post({ query: '{ __typename }' }, sent === undefined ? {} : { 'x-request-id': sent });
      await response.text();
      const id = response.headers.get('x-request-id');
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      expect(linesOf(id!).some((l) => l.component === 'gateway' && l.msg === 'graphql request')).toBe(true);
    }
  });
});
