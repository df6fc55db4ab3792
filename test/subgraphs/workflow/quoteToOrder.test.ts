/**
 * The quote-to-order workflow over in-memory fakes of the two connectors, for
 * the failure paths a live emulator cannot easily produce. Each fake counts its
 * calls, so a test can assert what was (not) written.
 */
import { describe, expect, it } from 'vitest';
import type { Crm, CrmQuote } from '../../../subgraphs/workflow/src/connectors/crm.js';
import type { Erp, ErpOrder } from '../../../subgraphs/workflow/src/connectors/erp.js';
import { OdooUnavailableError } from '../../../lib/native/odooClient.js';
import { SalesforceUnavailableError } from '../../../lib/native/salesforceClient.js';
import { convertQuoteToSalesOrder } from '../../../subgraphs/workflow/src/workflows/quoteToOrder.js';

const QUOTE: CrmQuote = {
  id: '0Q05g0000000001CAA',
  name: 'Q',
  quoteNumber: '00000001',
  status: 'Accepted',
  erpOrderNumber: null,
  opportunityId: '0065g0000000007AAA',
  opportunityErpOrderNumber: null,
  accountId: '0015g0000000001AAA',
  erpCustomerNumber: 'C00001',
  lines: [{ id: '0QL5g0000000001AAA', sku: 'AC-100', quantity: 2, unitPrice: 90, discountPercent: null, description: null }],
};

/** Fakes plus a log of every call, as `[loader, loadCalls]` in the DataLoader tests. */
function fakes(overrides: { erp?: Partial<Erp>; crm?: Partial<Crm> } = {}) {
  const calls: string[] = [];
  const orders: ErpOrder[] = [];
  const track = <T extends object>(name: string, impl: T): T =>
    new Proxy(impl, {
      get(target, prop) {
        const value = (target as Record<string | symbol, unknown>)[prop];
        return typeof value === 'function'
          ? (...args: unknown[]) => (calls.push(`${name}.${String(prop)}`), (value as (...a: unknown[]) => unknown)(...args))
          : value;
      },
    });
  const erp = {
    ordersByClientRef: async () => orders.filter((o) => o.clientOrderRef === QUOTE.id),
    order: async (id: number) => orders.find((o) => o.id === id) ?? null,
    customerByNumber: async () => ({ id: 1, number: 'C00001', name: 'Customer', creditLimit: null }),
    productsBySku: async () => new Map([['AC-100', { id: 7, sku: 'AC-100', listPrice: 100, qtyAvailable: 10 }]]),
    openBalance: async () => 0,
    createDraftOrder: async () => {
      orders.push({ id: orders.length + 1, number: `S0000${orders.length + 1}`, state: 'draft', amountTotal: 230, clientOrderRef: QUOTE.id });
      return orders.length;
    },
    confirmOrder: async (id: number) => void (orders.find((o) => o.id === id)!.state = 'sale'),
    deleteDraftOrder: async () => undefined,
    ...overrides.erp,
  } as unknown as Erp;
  const crm = { quote: async () => QUOTE, setErpOrderNumber: async () => undefined, ...overrides.crm } as unknown as Crm;
  return { erp: track('erp', erp), crm: track('crm', crm), calls, orders };
}

const deps = (f: ReturnType<typeof fakes>) => ({ erp: f.erp, crm: f.crm, currencyCode: 'EUR', log: () => {} });

describe('convertQuoteToSalesOrder (fakes)', () => {
  it('writes nothing and says so when the CRM cannot be read', async () => {
    const f = fakes({
      crm: { quote: async () => Promise.reject(new SalesforceUnavailableError('Salesforce at http://x did not answer GET /query: ECONNREFUSED.')) },
    });
    const result = await convertQuoteToSalesOrder(QUOTE.id, deps(f));
    expect(result.outcome).toBe('FAILED');
    expect(result.message).toMatch(/nothing was written to either system/);
    expect(f.calls).toEqual(['crm.quote']);
  });

  it('reports that it cannot know whether a draft exists when the ERP dies during create and cannot be read back', async () => {
    let up = true;
    const f = fakes();
    const original = f.erp.createDraftOrder;
    const search = f.erp.ordersByClientRef;
    Object.assign(f.erp, {
      createDraftOrder: async (vals: Parameters<Erp['createDraftOrder']>[0]) => {
        await original(vals);
        up = false;
        throw new OdooUnavailableError('Could not reach Odoo at http://x for sale.order.create: socket hang up.');
      },
      ordersByClientRef: async (ref: string) => (up ? search(ref) : Promise.reject(new OdooUnavailableError('Could not reach Odoo: ECONNREFUSED.'))),
    });
    const result = await convertQuoteToSalesOrder(QUOTE.id, deps(f));
    expect(result).toMatchObject({ outcome: 'INCOMPLETE', reason: 'ERP_UNAVAILABLE', salesOrder: null });
    expect(result.message).toMatch(/unknown whether a draft order exists for this quote/);
    expect(result.message).toMatch(/never creates a second order/);

    // The ERP is back: the retry finds the draft the dead call created, and confirms it instead of creating another.
    up = true;
    Object.assign(f.erp, { createDraftOrder: original });
    const retry = await convertQuoteToSalesOrder(QUOTE.id, deps(f));
    expect(retry.outcome).toBe('COMPLETED');
    expect(f.orders).toHaveLength(1);
    expect(retry.steps.find((s) => s.action === 'sale.order.create')?.status).toBe('ALREADY_DONE');
  });

  it('re-prices at the ERP list price and never writes the CRM before the ERP order is confirmed', async () => {
    const f = fakes();
    const result = await convertQuoteToSalesOrder(QUOTE.id, deps(f));
    expect(result.lines).toEqual([
      { sku: 'AC-100', quantity: 2, crmUnitPrice: { amount: 90, currencyCode: 'EUR' }, erpUnitPrice: { amount: 100, currencyCode: 'EUR' } },
    ]);
    const confirmAt = f.calls.indexOf('erp.confirmOrder');
    const firstCrmWrite = f.calls.indexOf('crm.setErpOrderNumber');
    expect(confirmAt).toBeGreaterThan(-1);
    expect(firstCrmWrite).toBeGreaterThan(confirmAt);
  });
});
