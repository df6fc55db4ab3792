/**
 * Quote-breaking and wildcard input sent through the gateway to every argument
 * that reaches a native query (Odoo domains, SOQL WHERE clauses) matches
 * nothing extra. The connectors escape; this proves it end to end. Each group
 * has a control: the same argument with a real value finds the real record, so
 * the argument is known to reach the native filter.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildWorld } from '../../emulators/seed/world.js';
import { startTestStack, type TestStack } from '../helpers/startStack.js';

const world = buildWorld('small');
const company = world.companies.find((c) => c.inErp && c.inCrm && !c.conflictingCrmAccountId && c.contacts.length > 0)!;
const contact = company.contacts[0]!;
const employee = world.employees.find((e) => e.crmUserId)!;
const product = world.products.find((p) => p.crmProductId)!;
const openOpportunity = world.opportunities.find((o) => !o.stage.startsWith('Closed'))!;

/** SOQL and Odoo-domain breakers, LIKE wildcards, and control characters. */
const HOSTILE = [
  "' OR Name != '",
  "' OR Id != null OR Name = '",
  "\\' OR Name != \\'",
  "x' OR '1'='1",
  '%',
  '%%',
  '_',
  '*',
  "%' OR '%'='",
  '" OR ""="',
  "') OR ('a'='a",
  "C%') OR Name LIKE ('%",
  "', '|', ('id', '>', 0), ('ref', '=', '",
  '\u0000',
  '\n OR Name != null',
];

let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack();
});

afterAll(async () => {
  await stack?.stop();
});

async function ask(query: string, variables: Record<string, unknown>) {
  const answer = await stack.query(query, variables);
  // Hostile input may be refused as BAD_USER_INPUT; it must never fail the server or the native query.
  for (const error of answer.errors ?? []) {
    expect(error.extensions?.code, `${error.message} for ${JSON.stringify(variables)}`).toBe('BAD_USER_INPUT');
  }
  return answer.data;
}

describe('single records by key: hostile keys find nothing', () => {
  it.each([
    ['customer(number:)', 'query ($v: ID!) { r: customer(number: $v) { number } }', company.erpNumber],
    ['salesOrder(number:)', 'query ($v: ID!) { r: salesOrder(number: $v) { number } }', [...world.salesOrders()][0]!.number],
    ['product(sku:)', 'query ($v: ID!) { r: product(sku: $v) { sku } }', product.sku],
    ['employee(workEmail:)', 'query ($v: ID!) { r: employee(workEmail: $v) { workEmail } }', employee.workEmail],
    ['account(id:)', 'query ($v: ID!) { r: account(id: $v) { id } }', company.crmAccountId],
    ['opportunity(id:)', 'query ($v: ID!) { r: opportunity(id: $v) { id } }', openOpportunity.id],
    ['user(id:)', 'query ($v: ID!) { r: user(id: $v) { id } }', employee.crmUserId],
  ])('%s', async (_, query, real) => {
    expect((await ask(query, { v: real }))?.r, 'control: the real key is found').not.toBeNull();
    for (const value of HOSTILE) {
      const data = await ask(query, { v: value });
      expect(data?.r ?? null, `for ${JSON.stringify(value)}`).toBeNull();
    }
  });
});

describe('filters and searches: hostile values match nothing extra', () => {
  it('salesOrders(customerNumber:)', async () => {
    const query = 'query ($v: ID) { salesOrders(first: 5, customerNumber: $v) { totalCount } }';
    expect((await ask(query, { v: company.erpNumber })).salesOrders.totalCount).toBeGreaterThan(0);
    for (const value of HOSTILE) expect((await ask(query, { v: value }))?.salesOrders.totalCount ?? 0, JSON.stringify(value)).toBe(0);
  });

  it('contactsByEmail(email:)', async () => {
    const query = 'query ($v: String!) { contactsByEmail(email: $v) { email } }';
    expect((await ask(query, { v: contact.email })).contactsByEmail.length).toBeGreaterThan(0);
    for (const value of [...HOSTILE, '%@%', `%${contact.email.slice(3)}`]) {
      expect((await ask(query, { v: value }))?.contactsByEmail ?? [], JSON.stringify(value)).toEqual([]);
    }
  });

  it('opportunities(stage:, ownerEmail:)', async () => {
    const byStage = 'query ($v: String) { opportunities(stage: $v, first: 5) { id } }';
    expect((await ask(byStage, { v: openOpportunity.stage })).opportunities.length).toBeGreaterThan(0);
    const byOwner = 'query ($v: ID) { opportunities(ownerEmail: $v, first: 5) { id } }';
    for (const value of HOSTILE) {
      expect((await ask(byStage, { v: value }))?.opportunities ?? [], JSON.stringify(value)).toEqual([]);
      expect((await ask(byOwner, { v: value }))?.opportunities ?? [], JSON.stringify(value)).toEqual([]);
    }
  });

  it('cases(priority:, status:, customerNumber:)', async () => {
    const query = 'query ($p: String, $s: [String!], $c: ID) { cases(priority: $p, status: $s, customerNumber: $c, first: 5) { id } }';
    for (const value of HOSTILE) {
      expect((await ask(query, { p: value }))?.cases ?? [], `priority ${JSON.stringify(value)}`).toEqual([]);
      expect((await ask(query, { s: [value] }))?.cases ?? [], `status ${JSON.stringify(value)}`).toEqual([]);
      expect((await ask(query, { c: value }))?.cases ?? [], `customerNumber ${JSON.stringify(value)}`).toEqual([]);
    }
  });

  it('leads(status:), campaigns(status:), quotes(status:)', async () => {
    const query =
      'query ($v: String, $l: [String!]) { leads(status: $v, first: 5) { id } campaigns(status: $v, first: 5) { id } quotes(status: $l, first: 5) { id } }';
    for (const value of HOSTILE) {
      const data = await ask(query, { v: value, l: [value] });
      expect(data?.leads ?? [], `leads ${JSON.stringify(value)}`).toEqual([]);
      expect(data?.campaigns ?? [], `campaigns ${JSON.stringify(value)}`).toEqual([]);
      expect(data?.quotes ?? [], `quotes ${JSON.stringify(value)}`).toEqual([]);
    }
  });

  it('hostile values inlined in the document text, not only as variables', async () => {
    const { data, errors } = await stack.query(`{ customer(number: "' OR Name != '") { number } contactsByEmail(email: "%") { email } }`);
    expect(errors).toBeUndefined();
    expect(data).toEqual({ customer: null, contactsByEmail: [] });
  });
});
