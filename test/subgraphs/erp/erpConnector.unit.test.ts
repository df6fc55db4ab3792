/**
 * The batch contract of the ERP connector against a scripted Odoo that answers
 * in an order of its own choosing (as a real one may), drops missing ids like
 * Odoo's `read`, and writes empty values as `false`.
 */
import { describe, expect, it } from 'vitest';
import { createErpConnector, ErpAmbiguousKeyError, ErpNotFoundError } from '../../../subgraphs/erp/src/connectors/erpConnector.js';
import { OdooProtocolError, type OdooClient } from '../../../lib/native/odooClient.js';

interface Call {
  model: string;
  method: string;
  args: unknown[];
  kwargs: Record<string, unknown>;
}

function scriptedOdoo(answer: (call: Call) => unknown): { client: OdooClient; calls: Call[] } {
  const calls: Call[] = [];
  return {
    calls,
    client: {
      async executeKw<T>(model: string, method: string, args: unknown[], kwargs: Record<string, unknown> = {}) {
        const call = { model, method, args, kwargs };
        calls.push(call);
        return answer(call) as T;
      },
      async close() {},
    },
  };
}

const partner = (id: number, ref: string | false, extra: Record<string, unknown> = {}) => ({
  id,
  ref,
  name: `Partner ${id}`,
  vat: false,
  email: `p${id}@example.net`,
  phone: false,
  street: '1 Mill Lane',
  city: 'Hamburg',
  country_code: 'DE',
  credit_limit: 50000,
  property_payment_term_id: [4, '30 Days'],
  currency_id: [1, 'EUR'],
  ...extra,
});

describe('customersByNumber', () => {
  it('answers in key order, matched by number, with an Error for each unknown number, in one call', async () => {
    const odoo = scriptedOdoo(() => [partner(7, 'C00007'), partner(3, 'C00003')]);
    const connector = createErpConnector(odoo.client);
    const results = await connector.customersByNumber(['C00003', 'C99999', 'C00007', 'C00003']);
    expect(odoo.calls).toHaveLength(1);
    expect(odoo.calls[0]).toMatchObject({ model: 'res.partner', method: 'search_read', args: [[['ref', 'in', ['C00003', 'C99999', 'C00007']]]] });
    expect((results[0] as { id: number }).id).toBe(3);
    expect(results[1]).toBeInstanceOf(ErpNotFoundError);
    expect((results[1] as Error).message).toBe('Expected a res.partner with ref "C99999", but the ERP has none.');
    expect((results[2] as { id: number }).id).toBe(7);
    expect(results[3]).toBe(results[0]);
  });

  it("converts Odoo's values: false to null, many2one to its name", async () => {
    const odoo = scriptedOdoo(() => [partner(3, 'C00003', { property_payment_term_id: false })]);
    const [customer] = await createErpConnector(odoo.client).customersByNumber(['C00003']);
    expect(customer).toEqual({
      id: 3,
      number: 'C00003',
      name: 'Partner 3',
      vat: null,
      email: 'p3@example.net',
      phone: null,
      street: '1 Mill Lane',
      city: 'Hamburg',
      countryCode: 'DE',
      creditLimit: 50000,
      paymentTerms: null,
      currencyCode: 'EUR',
    });
  });

  it('reports two partners claiming one number as a conflict in that slot only', async () => {
    const odoo = scriptedOdoo(() => [partner(3, 'C00003'), partner(9, 'C00003'), partner(4, 'C00004')]);
    const [conflict, fine] = await createErpConnector(odoo.client).customersByNumber(['C00003', 'C00004']);
    expect(conflict).toBeInstanceOf(ErpAmbiguousKeyError);
    expect((conflict as Error).message).toMatch(/ids 3, 9/);
    expect((fine as { id: number }).id).toBe(4);
  });

  it('makes no call for no keys', async () => {
    const odoo = scriptedOdoo(() => []);
    expect(await createErpConnector(odoo.client).customersByNumber([])).toEqual([]);
    expect(odoo.calls).toHaveLength(0);
  });
});

describe('partnersById', () => {
  it("matches read's answer by id, since read drops missing ids and keeps no order", async () => {
    const odoo = scriptedOdoo(() => [partner(14, false), partner(10, 'C00010')]);
    const results = await createErpConnector(odoo.client).partnersById([10, 99999999, 14]);
    expect(odoo.calls[0]).toMatchObject({ model: 'res.partner', method: 'read', args: [[10, 99999999, 14]] });
    expect((results[0] as { id: number }).id).toBe(10);
    expect(results[1]).toBeInstanceOf(ErpNotFoundError);
    expect(results[2]).toMatchObject({ id: 14, number: null });
  });
});

describe('one-to-many batches', () => {
  const order = (id: number, partnerId: number, date: string, ref: string | false = false) => ({
    id,
    name: `S${String(id).padStart(5, '0')}`,
    partner_id: [partnerId, `Partner ${partnerId}`],
    state: 'sale',
    date_order: date,
    amount_untaxed: 100,
    amount_total: 119,
    currency_id: [1, 'EUR'],
    user_id: false,
    client_order_ref: ref,
  });

  it('answers one array per key, empty for keys without records, keeping Odoo’s order within each', async () => {
    const odoo = scriptedOdoo(() => [order(5, 2, '2026-11-02 09:00:00'), order(4, 1, '2026-11-01 10:30:00'), order(2, 2, '2026-10-01 08:00:00')]);
    const [none, first, second] = await createErpConnector(odoo.client).ordersByPartnerId([3, 1, 2]);
    expect(odoo.calls).toHaveLength(1);
    expect(odoo.calls[0]!.kwargs.order).toBe('date_order desc, id desc');
    expect(none).toEqual([]);
    expect(first!.map((o) => o.number)).toEqual(['S00004']);
    expect(second!.map((o) => o.number)).toEqual(['S00005', 'S00002']);
    expect(first![0]).toMatchObject({ orderedAt: '2026-11-01T10:30:00Z', salespersonUserId: null, clientOrderRef: null, state: 'sale', currencyCode: 'EUR' });
  });

  const line = (id: number, order: [number, string]) => ({
    id,
    order_id: order,
    product_id: [7, '[SKU-7] Desk'],
    name: 'Desk',
    product_uom_qty: 1,
    price_unit: 10,
    discount: 0,
    price_subtotal: 10,
  });

  it('fails loudly when Odoo shows an order under another name than the number its lines were found by', async () => {
    // Odoo shows an order as its name unless an addon changes `display_name`; grouping lines by number relies on it.
    const odoo = scriptedOdoo(() => [line(1, [1, 'S00001']), line(2, [2, 'S00002 - Acme'])]);
    await expect(createErpConnector(odoo.client).orderLinesByOrderNumber(['S00001', 'S00002'])).rejects.toThrow(
      'Expected sale.order.line 2, found by order number, to show its order as one of S00001, S00002 in order_id, but it showed "S00002 - Acme".',
    );
  });

  it('leaves section and note lines out of order lines, found by order number', async () => {
    const odoo = scriptedOdoo(() => [line(1, [1, 'S00001'])]);
    const [lines] = await createErpConnector(odoo.client).orderLinesByOrderNumber(['S00001']);
    expect(lines!.map((l) => [l.id, l.orderId, l.orderNumber])).toEqual([[1, 1, 'S00001']]);
    expect(odoo.calls[0]!.args[0]).toEqual([
      ['order_id.name', 'in', ['S00001']],
      ['display_type', '=', false],
    ]);
  });
});

describe('balanceDueByPartnerId', () => {
  it("reads Odoo's own total (`credit`) in one read, matched by id, with an error for a partner that does not exist", async () => {
    // `read` leaves out ids it does not find and need not keep the order it was given.
    const odoo = scriptedOdoo(() => [
      { id: 8, credit: 150.5 },
      { id: 3, credit: 20 },
    ]);
    const due = await createErpConnector(odoo.client).balanceDueByPartnerId([3, 5, 8, 3]);
    expect(odoo.calls).toEqual([{ model: 'res.partner', method: 'read', args: [[3, 5, 8]], kwargs: { fields: ['credit'] } }]);
    expect(due[0]).toBe(20);
    expect(due[1]).toBeInstanceOf(ErpNotFoundError);
    expect(due[2]).toBe(150.5);
    expect(due[3]).toBe(20);
  });
});

describe('customersPage with balances', () => {
  it("adds `credit` to the page's one search_read and gives each record its own row's balance", async () => {
    const odoo = scriptedOdoo(() => [partner(1, 'C00001', { credit: 12.5 }), partner(2, 'C00002', { credit: 0 }), partner(3, 'C00003', { credit: 7 })]);
    const page = await createErpConnector(odoo.client).customersPage({ offset: 0, first: 2 }, { withBalanceDue: true });
    expect(odoo.calls).toHaveLength(1);
    expect(odoo.calls[0]!.kwargs.fields).toContain('credit');
    expect(page.records.map((r) => r.number)).toEqual(['C00001', 'C00002']);
    expect(page.balanceDue).toEqual([12.5, 0]);
    expect(page.hasNextPage).toBe(true);
  });

  it('leaves `credit` out when not asked: reading it needs an accounting group the integration user may lack', async () => {
    const odoo = scriptedOdoo(() => [partner(1, 'C00001')]);
    const page = await createErpConnector(odoo.client).customersPage({ offset: 0, first: 2 });
    expect(odoo.calls[0]!.kwargs.fields).not.toContain('credit');
    expect(page.balanceDue).toBeUndefined();
  });
});

describe('pages', () => {
  it('reads one record past the page to know whether another follows, without counting', async () => {
    const odoo = scriptedOdoo(() => [partner(1, 'C00001'), partner(2, 'C00002'), partner(3, 'C00003')]);
    const page = await createErpConnector(odoo.client).customersPage({ offset: 4, first: 2 });
    expect(odoo.calls).toHaveLength(1);
    expect(odoo.calls[0]!.kwargs).toMatchObject({ offset: 4, limit: 3, order: 'ref, id' });
    expect(page.records.map((r) => r.number)).toEqual(['C00001', 'C00002']);
    expect(page.hasNextPage).toBe(true);
  });
});

describe('values Odoo should never send', () => {
  it('names the model and field of a value of the wrong shape', async () => {
    const odoo = scriptedOdoo(() => [partner(3, 'C00003', { credit_limit: 'lots' })]);
    const error = await createErpConnector(odoo.client)
      .customersByNumber(['C00003'])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OdooProtocolError);
    expect((error as Error).message).toBe('Expected res.partner.credit_limit to be a number, but Odoo answered "lots" (record 3).');
  });

  it('refuses an order state it does not know instead of guessing', async () => {
    const odoo = scriptedOdoo(() => [
      {
        id: 1,
        name: 'S00001',
        partner_id: [1, 'A'],
        state: 'done',
        date_order: '2026-01-01 00:00:00',
        amount_untaxed: 0,
        amount_total: 0,
        currency_id: [1, 'EUR'],
        user_id: false,
        client_order_ref: false,
      },
    ]);
    const error = await createErpConnector(odoo.client)
      .ordersByNumber(['S00001'])
      .catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/Expected sale.order.state to be one of "draft", "sent", "sale", "cancel", but Odoo answered "done"/);
  });
});
