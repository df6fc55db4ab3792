/**
 * The example TypeScript client (clients/example/) against the running graph:
 * typed documents generated from schema/operations/ go in, typed data comes
 * out, and errors arrive as exceptions carrying `extensions.code`. `tsc
 * --noEmit` checks the compile-time half (wrong or missing variables, result
 * field types) in this file too.
 */
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import {
  AccountWithErpCreditDocument,
  CustomerErpDocument,
  PendingApprovalsDocument,
  ProductAcrossSystemsDocument,
  SalesOrderWithCrmContextDocument,
  type SalesOrderState,
} from '../../clients/__generated__/graphql.js';
import { createErpCrmClient, GraphQLRequestError, type ErpCrmClient } from '../../clients/example/erpCrmClient.js';
import { ALL_SCOPES, authEnv, token } from '../helpers/auth.js';
import { startTestStack, type TestStack } from '../helpers/startStack.js';

let stack: TestStack;
let client: ErpCrmClient;

beforeAll(async () => {
  stack = await startTestStack({ env: authEnv() });
  // A fresh token per request, as a real client would refresh one; approvals need their own scope.
  client = createErpCrmClient({ url: stack.gateway.url, token: () => token([...ALL_SCOPES, 'approvals:read']) });
});

afterAll(async () => {
  await stack?.stop();
});

describe('the example client with generated typed documents', () => {
  it('runs a cross-system query and returns typed data', async () => {
    const data = await client.request(SalesOrderWithCrmContextDocument, { number: 'S00009' });
    expectTypeOf(data.salesOrder).toEqualTypeOf<NonNullable<typeof data.salesOrder> | null>();
    expectTypeOf(data.salesOrder!.state).toEqualTypeOf<SalesOrderState>();
    expectTypeOf(data.salesOrder!.amountTotal.amount).toEqualTypeOf<number>();
    expect(data.salesOrder).toMatchObject({ number: 'S00009', customer: { number: expect.stringMatching(/^C\d+$/) } });
    expect(['QUOTATION', 'QUOTATION_SENT', 'CONFIRMED', 'CANCELLED']).toContain(data.salesOrder!.state);
    expect(typeof data.salesOrder!.amountTotal.amount).toBe('number');
  });

  it('passes Date variables as strings and returns ERP and CRM fields together', async () => {
    const data = await client.request(CustomerErpDocument, { number: 'C00010', from: '2025-01-01', to: '2025-12-31' });
    expectTypeOf(data.customer!.crmIdentity).toEqualTypeOf<'CONFLICT' | 'MATCHED' | 'MISSING'>();
    expect(data.customer).toMatchObject({ number: 'C00010', invoicedRevenue: { currencyCode: 'EUR' } });
    expect(['CONFLICT', 'MATCHED', 'MISSING']).toContain(data.customer!.crmIdentity);
  });

  it('runs a product across both systems, and an operation without variables', async () => {
    const { product } = await client.request(ProductAcrossSystemsDocument, { sku: 'CP-100' });
    expect(product).toMatchObject({ sku: 'CP-100', listPrice: { currencyCode: 'EUR' } });
    expect(product!.priceBookEntries.length).toBeGreaterThan(0);
    const { approvals } = await client.request(PendingApprovalsDocument);
    expect(Array.isArray(approvals)).toBe(true);
  });

  it('throws UNAUTHENTICATED without a token', async () => {
    const anonymous = createErpCrmClient({ url: stack.gateway.url });
    const error = await anonymous.request(ProductAcrossSystemsDocument, { sku: 'CP-100' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GraphQLRequestError);
    expect(error).toMatchObject({ code: 'UNAUTHENTICATED', status: 401 });
  });

  it("throws FORBIDDEN for a field outside the token's scopes, keeping the partial data", async () => {
    const noFinance = createErpCrmClient({ url: stack.gateway.url, token: await token([]) });
    const error = (await noFinance.request(AccountWithErpCreditDocument, { accountId: '0015g0000000005AAA' }).catch((e: unknown) => e)) as GraphQLRequestError;
    expect(error).toBeInstanceOf(GraphQLRequestError);
    expect(error.code).toBe('FORBIDDEN');
    expect(error.errors.every((e) => e.extensions?.code === 'FORBIDDEN')).toBe(true);
    // What the caller may see still arrives.
    expect(error.data).toMatchObject({ account: { name: expect.any(String) } });
  });
});

// Compile-time checks only (never called): tsc --noEmit fails if the generated types stop guarding these.
export function compileTimeChecks(c: ErpCrmClient): void {
  // @ts-expect-error a required variable is missing
  void c.request(CustomerErpDocument, { number: 'C00010' });
  // @ts-expect-error a variable has the wrong type (Date is an ISO string)
  void c.request(CustomerErpDocument, { number: 'C00010', from: 2025, to: '2025-12-31' });
  // @ts-expect-error a variable the operation does not declare
  void c.request(ProductAcrossSystemsDocument, { sku: 'CP-100', warehouse: 'WH' });
  // @ts-expect-error an operation with required variables needs them
  void c.request(SalesOrderWithCrmContextDocument);
}
