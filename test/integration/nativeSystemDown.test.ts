/**
 * When one native system is down, the graph still answers from the other, and
 * the error names the system that failed instead of crashing the request.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildWorld } from '../../emulators/seed/world.js';
import { startTestStack, type TestStack } from '../helpers/startStack.js';

const world = buildWorld('small');
let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack();
});

afterAll(async () => {
  await stack?.stop();
});

it('answers CRM fields and names the ERP when the ERP is down', async () => {
  const company = world.companies.find((c) => c.inErp && c.inCrm && !c.conflictingCrmAccountId)!;
  await stack.odoo!.close();
  const { data, errors } = await stack.query(`query ($id: ID!) { account(id: $id) { name customer { number legalName } } }`, { id: company.crmAccountId });
  expect(data.account.name).toBe(company.name);
  expect(data.account.customer?.legalName ?? null).toBeNull();
  expect(errors?.length).toBeGreaterThan(0);
  expect(errors![0]!.extensions?.code).toBe('NATIVE_SYSTEM_UNAVAILABLE');
  expect(errors![0]!.message).toMatch(/ERP \(Odoo\)/);
});

it('answers ERP-only root fields with an error naming the ERP, and the gateway stays up', async () => {
  const { data, errors } = await stack.query(`{ customer(number: "C00001") { legalName } }`);
  expect(data?.customer ?? null).toBeNull();
  expect(errors![0]!.message).toMatch(/ERP \(Odoo\)/);
  const live = await fetch(stack.gateway.url.replace(/graphql$/, 'health/live'));
  expect(live.status).toBe(200);
});
