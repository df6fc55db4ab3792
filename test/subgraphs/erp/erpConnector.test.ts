/**
 * The ERP connector against the Odoo emulator (small seed): each batch function
 * answers in key order, matched by id or key, with an Error for each missing
 * key, in exactly one native call, with Odoo's values converted. Answers are
 * checked against the seed world and the emulator's own SQLite database.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startOdooEmulator, type OdooEmulator } from '../../../emulators/odoo/server.js';
import { buildWorld, type WorldSalesOrder } from '../../../emulators/seed/world.js';
import {
  createErpConnector,
  ErpNotFoundError,
  type ErpConnector,
  type PartnerRecord,
  type ProductRecord,
} from '../../../subgraphs/erp/src/connectors/erpConnector.js';
import { createOdooClient, type OdooClient } from '../../../lib/native/odooClient.js';
import { ODOO_API_KEY, ODOO_DB, ODOO_LOGIN, tempDir } from './helpers.js';

const world = buildWorld('small');
const orders = [...world.salesOrders()];
const customers = world.companies.filter((c) => c.inErp);

let emulator: OdooEmulator;
let client: OdooClient;
let connector: ErpConnector;
const dir = tempDir();

beforeAll(async () => {
  emulator = await startOdooEmulator({ dbPath: `${dir.path}/odoo.sqlite`, seedSize: 'small', port: 0 });
  client = createOdooClient({ url: emulator.url, db: ODOO_DB, login: ODOO_LOGIN, apiKey: ODOO_API_KEY });
  connector = createErpConnector(client);
  await connector.countCustomers(); // authenticate once, outside the counted calls
});

afterAll(async () => {
  await client?.close();
  await emulator?.close();
  dir.remove();
});

beforeEach(() => emulator.calls.reset());

/** Native calls since the last reset, by `<model>.<method>`. */
function nativeCalls(): Record<string, number> {
  return emulator.calls.snapshot().calls;
}

function newestFirst(a: WorldSalesOrder, b: WorldSalesOrder): number {
  return a.dateOrder === b.dateOrder ? b.index - a.index : a.dateOrder < b.dateOrder ? 1 : -1;
}

function record<T>(value: T | Error): T {
  if (value instanceof Error) throw value;
  return value;
}

describe('customersByNumber and partnersById', () => {
  it('answers in key order with an Error for each unknown number, in one call', async () => {
    const [a, b, c] = [customers[5]!, customers[0]!, customers[30]!];
    const results = await connector.customersByNumber([a.erpNumber!, 'C99999', b.erpNumber!, c.erpNumber!]);
    expect(nativeCalls()).toEqual({ 'res.partner.search_read': 1 });
    expect(results.map((r) => (r instanceof Error ? r.constructor.name : r.number))).toEqual([a.erpNumber, 'ErpNotFoundError', b.erpNumber, c.erpNumber]);
    const first = record(results[0]!);
    expect(first).toMatchObject({
      name: a.name,
      vat: a.vat,
      email: a.email,
      phone: a.phone,
      street: a.street,
      city: a.city,
      countryCode: a.countryCode,
      creditLimit: a.creditLimit,
      paymentTerms: a.paymentTerm,
      currencyCode: 'EUR',
    });
  });

  it('reads by id in one call, matching by id and leaving an Error where read drops a missing id', async () => {
    const found = (await connector.customersByNumber([customers[2]!.erpNumber!, customers[9]!.erpNumber!])).map(record);
    emulator.calls.reset();
    const ids = [found[1]!.id, 99_999_999, found[0]!.id];
    const results = await connector.partnersById(ids);
    expect(nativeCalls()).toEqual({ 'res.partner.read': 1 });
    expect((results[0] as PartnerRecord).number).toBe(customers[9]!.erpNumber);
    expect(results[1]).toBeInstanceOf(ErpNotFoundError);
    expect((results[2] as PartnerRecord).number).toBe(customers[2]!.erpNumber);
  });

  it('turns empty Odoo values (false) into null', async () => {
    // Partners without a customer number exist in any Odoo (the company itself, users' partners).
    const row = emulator.db.prepare(`SELECT id FROM res_partner WHERE ref IS NULL OR ref = '' ORDER BY id LIMIT 1`).get() as { id: number } | undefined;
    expect(row).toBeDefined();
    const [partner] = await connector.partnersById([row!.id]);
    expect(record(partner!).number).toBeNull();
  });
});

describe('products, BOMs and BOM lines', () => {
  const finished = world.products.find((p) => p.kind === 'finished' && p.bom && p.bom.lines.length >= 2)!;
  const component = world.products.find((p) => p.kind === 'component')!;

  it('finds products by SKU in key order, with stock on hand from qty_available', async () => {
    const results = await connector.productsBySku([component.sku, 'NO-SUCH-SKU', finished.sku]);
    expect(nativeCalls()).toEqual({ 'product.product.search_read': 1 });
    expect(results[1]).toBeInstanceOf(ErpNotFoundError);
    const [c, f] = [record(results[0]!), record(results[2]!)];
    expect(f).toMatchObject({
      sku: finished.sku,
      name: finished.name,
      category: finished.category,
      unitOfMeasure: 'Units',
      listPrice: finished.listPrice,
      saleable: true,
      currencyCode: 'EUR',
    });
    expect(f.cost).toBeCloseTo(finished.cost, 2);
    expect(f.stockOnHand).toBe(Object.values(finished.stock).reduce((s, n) => s + n, 0));
    expect(c).toMatchObject({ sku: component.sku, saleable: false, unitOfMeasure: component.uom });
  });

  it('finds each template’s BOMs, their lines and their components, one call per batch', async () => {
    const products = (await connector.productsBySku([finished.sku, component.sku])).map(record);
    emulator.calls.reset();
    const [finishedBoms, componentBoms] = await connector.bomsByProductTemplateId(products.map((p) => p.productTemplateId));
    expect(nativeCalls()).toEqual({ 'mrp.bom.search_read': 1 });
    expect(componentBoms).toEqual([]);
    expect(finishedBoms).toHaveLength(1);
    expect(finishedBoms![0]).toMatchObject({ quantity: finished.bom!.quantity, unitOfMeasure: 'Units', type: 'normal' });

    emulator.calls.reset();
    const [none, lines] = await connector.bomLinesByProductTemplateId([99_999_999, products[0]!.productTemplateId]);
    expect(nativeCalls()).toEqual({ 'mrp.bom.line.search_read': 1 });
    expect(none).toEqual([]);
    expect(new Set(lines!.map((l) => l.bomId))).toEqual(new Set([finishedBoms![0]!.id]));
    expect(new Set(lines!.map((l) => l.bomProductTemplateId))).toEqual(new Set([products[0]!.productTemplateId]));
    const lineProducts = (await connector.productsById(lines!.map((l) => l.productId))).map(record);
    expect(lines!.map((l, i) => [lineProducts[i]!.sku, l.quantity, l.unitOfMeasure])).toEqual(finished.bom!.lines.map((l) => [l.sku, l.quantity, l.uom]));

    // The components themselves, in one call of their own that needs only the template.
    emulator.calls.reset();
    const components = await connector.componentsOfProductTemplates([products[0]!.productTemplateId, products[1]!.productTemplateId]);
    expect(nativeCalls()).toEqual({ 'product.product.search_read': 1 });
    expect(components.map((p) => p.sku).sort()).toEqual([...new Set(finished.bom!.lines.map((l) => l.sku))].sort());
    expect(components.find((p) => p.sku === lineProducts[0]!.sku)).toEqual(lineProducts[0]);
  });

  it('reads products by id in one call, matched by id', async () => {
    const products = (await connector.productsBySku([finished.sku, component.sku])).map(record);
    emulator.calls.reset();
    const results = await connector.productsById([products[1]!.id, 99_999_999, products[0]!.id]);
    expect(nativeCalls()).toEqual({ 'product.product.read': 1 });
    expect((results[0] as ProductRecord).sku).toBe(component.sku);
    expect(results[1]).toBeInstanceOf(ErpNotFoundError);
    expect((results[2] as ProductRecord).sku).toBe(finished.sku);
  });
});

describe('sales orders and lines', () => {
  const withRef = orders.find((o) => o.clientOrderRef)!;
  const plain = orders.find((o) => !o.clientOrderRef && o.state === 'draft')!;

  it('finds orders by number in key order, with states, UTC datetimes and null for an empty reference', async () => {
    const results = await connector.ordersByNumber([plain.number, 'S99999', withRef.number]);
    expect(nativeCalls()).toEqual({ 'sale.order.search_read': 1 });
    expect(results[1]).toBeInstanceOf(ErpNotFoundError);
    const [p, r] = [record(results[0]!), record(results[2]!)];
    expect(p).toMatchObject({
      number: plain.number,
      state: 'draft',
      clientOrderRef: null,
      currencyCode: 'EUR',
      orderedAt: `${plain.dateOrder.replace(' ', 'T')}Z`,
    });
    expect(r).toMatchObject({ number: withRef.number, state: 'sale', clientOrderRef: withRef.clientOrderRef });
  });

  it('lists each partner’s orders newest first, one call for all partners', async () => {
    const picked = [customers[3]!, customers[40]!, customers[7]!];
    const partners = (await connector.customersByNumber(picked.map((c) => c.erpNumber!))).map(record);
    emulator.calls.reset();
    const lists = await connector.ordersByPartnerId([...partners.map((p) => p.id), 99_999_999]);
    expect(nativeCalls()).toEqual({ 'sale.order.search_read': 1 });
    expect(lists[3]).toEqual([]);
    for (const [i, company] of picked.entries()) {
      const expected = orders.filter((o) => o.companyIndex === company.index).sort(newestFirst);
      expect(lists[i]!.map((o) => o.number)).toEqual(expected.map((o) => o.number));
    }
  });

  it('finds the orders that came from CRM opportunities, by client_order_ref', async () => {
    const opportunities = world.opportunities.filter((o) => o.erpOrderNumber).slice(0, 3);
    const lists = await connector.ordersByClientOrderRef(['006000000000000XYZ', ...opportunities.map((o) => o.id)]);
    expect(nativeCalls()).toEqual({ 'sale.order.search_read': 1 });
    expect(lists.map((l) => l.map((o) => o.number))).toEqual([[], ...opportunities.map((o) => [o.erpOrderNumber])]);
  });

  it('lists the lines of many orders by their numbers in one call, in line order', async () => {
    const picked = [orders[10]!, orders[500]!];
    const lists = await connector.orderLinesByOrderNumber([picked[1]!.number, 'S99999', picked[0]!.number]);
    expect(nativeCalls()).toEqual({ 'sale.order.line.search_read': 1 });
    expect(lists[1]).toEqual([]);
    for (const [i, order] of [picked[1]!, undefined, picked[0]!].entries()) {
      if (!order) continue;
      const lines = lists[i]!;
      expect(new Set(lines.map((l) => l.orderNumber))).toEqual(new Set([order.number]));
      const products = (await connector.productsById(lines.map((l) => l.productId!))).map(record);
      expect(lines.map((l, j) => [products[j]!.sku, l.quantity, l.unitPrice, l.discountPercent])).toEqual(
        order.lines.map((l) => [l.sku, l.quantity, l.priceUnit, l.discount]),
      );
    }
  });
});

describe('invoices and balances', () => {
  it('lists posted customer invoices per partner and reads what is due as Odoo sums it, one call each', async () => {
    const rows = emulator.db
      .prepare(
        // What is due nets open credit notes (negative) against invoices.
        `SELECT a.partner_id AS id, COUNT(*) AS n,
                (SELECT SUM(CASE WHEN b.move_type = 'out_refund' THEN -b.amount_residual ELSE b.amount_residual END) FROM account_move b
                  WHERE b.partner_id = a.partner_id AND b.move_type IN ('out_invoice', 'out_refund') AND b.state = 'posted') AS due
         FROM account_move a WHERE a.move_type = 'out_invoice' AND a.state = 'posted'
         GROUP BY a.partner_id HAVING SUM(a.amount_residual) > 0 ORDER BY a.partner_id LIMIT 3`,
      )
      .all() as { id: number; due: number; n: number }[];
    expect(rows.length).toBeGreaterThan(0);
    const ids = [...rows.map((r) => r.id), 99_999_999];

    const lists = await connector.invoicesByPartnerId(ids);
    expect(nativeCalls()).toEqual({ 'account.move.search_read': 1 });
    expect(lists.map((l) => l.length)).toEqual([...rows.map((r) => r.n), 0]);
    for (const list of lists) {
      const dates = list.map((i) => i.invoiceDate ?? '');
      expect(dates).toEqual([...dates].sort().reverse());
    }

    emulator.calls.reset();
    const due = await connector.balanceDueByPartnerId(ids);
    expect(nativeCalls()).toEqual({ 'res.partner.read': 1 });
    expect(due.slice(0, -1).map((d) => Math.round(Number(d) * 100))).toEqual(rows.map((r) => Math.round(r.due * 100)));
    expect(due.at(-1)).toBeInstanceOf(ErpNotFoundError);
  });

  it("reads each page customer's balance in the page's own search_read, equal to the balance read on its own", async () => {
    const page = await connector.customersPage({ offset: 0, first: 30 }, { withBalanceDue: true });
    expect(nativeCalls()).toEqual({ 'res.partner.search_read': 1 });
    expect(page.balanceDue).toHaveLength(page.records.length);
    expect(page.balanceDue!.some((d) => d !== 0)).toBe(true);
    expect(await connector.balanceDueByPartnerId(page.records.map((r) => r.id))).toEqual(page.balanceDue);
  });

  it("counts an invoice addressed to a company's contact on the company, as Odoo's receivable lines do", async () => {
    const [company] = emulator.db.prepare(`SELECT id FROM res_partner WHERE is_company = 1 AND ref IS NOT NULL ORDER BY id LIMIT 1`).all() as { id: number }[];
    const contact = await client.executeKw<number>('res.partner', 'create', [{ name: 'Accounts Payable Desk', parent_id: company!.id }]);
    const [before] = await connector.balanceDueByPartnerId([company!.id]);
    const invoice = await client.executeKw<number>('account.move', 'create', [
      { move_type: 'out_invoice', partner_id: contact, invoice_date: '2026-11-20', amount_untaxed: 25, amount_total: 25, amount_residual: 25 },
    ]);
    await client.executeKw('account.move', 'write', [[invoice], { state: 'posted' }]);
    const [after, ofContact] = await connector.balanceDueByPartnerId([company!.id, contact]);
    expect(Math.round((Number(after) - Number(before)) * 100)).toBe(2500);
    expect(ofContact).toBe(0);
  });

  it('counts an open credit note against what is due, as Odoo signs it', async () => {
    const [partner] = emulator.db
      .prepare(`SELECT partner_id AS id FROM account_move WHERE move_type = 'out_invoice' AND state = 'posted' AND amount_residual > 100 LIMIT 1`)
      .all() as { id: number }[];
    const [before] = await connector.balanceDueByPartnerId([partner!.id]);
    // A credit note not yet matched against any invoice: Odoo keeps its residual open until it is.
    const refund = await client.executeKw<number>('account.move', 'create', [
      { move_type: 'out_refund', partner_id: partner!.id, invoice_date: '2026-11-20', amount_untaxed: 40, amount_total: 40, amount_residual: 40 },
    ]);
    await client.executeKw('account.move', 'write', [[refund], { state: 'posted' }]);
    emulator.calls.reset();
    const [after] = await connector.balanceDueByPartnerId([partner!.id]);
    expect(nativeCalls()).toEqual({ 'res.partner.read': 1 });
    expect(Math.round((Number(before) - Number(after)) * 100)).toBe(4000);
  });
});

describe('employees', () => {
  const rep = world.employees.find((e) => e.crmRole === 'Account Executive')!;
  const ceo = world.employees.find((e) => e.managerEmail === null)!;

  it('finds employees by work e-mail in key order, then their managers by id', async () => {
    const results = await connector.employeesByWorkEmail([rep.workEmail, 'nobody@example.com', ceo.workEmail]);
    expect(nativeCalls()).toEqual({ 'hr.employee.search_read': 1 });
    expect(results[1]).toBeInstanceOf(ErpNotFoundError);
    const [r, c] = [record(results[0]!), record(results[2]!)];
    expect(r).toMatchObject({ name: rep.name, jobTitle: rep.jobTitle, department: rep.department });
    expect(c.managerId).toBeNull();

    emulator.calls.reset();
    const [manager, missing] = await connector.employeesById([r.managerId!, 99_999_999]);
    expect(nativeCalls()).toEqual({ 'hr.employee.read': 1 });
    expect(record(manager!).workEmail).toBe(rep.managerEmail);
    expect(missing).toBeInstanceOf(ErpNotFoundError);
  });

  it('finds the employee behind each salesperson user of an order', async () => {
    const picked = [orders[0]!, orders[1]!];
    const found = (await connector.ordersByNumber(picked.map((o) => o.number))).map(record);
    emulator.calls.reset();
    const results = await connector.employeesByUserId(found.map((o) => o.salespersonUserId!));
    expect(nativeCalls()).toEqual({ 'hr.employee.search_read': 1 });
    expect(results.map((e) => record(e).workEmail)).toEqual(picked.map((o) => o.salespersonEmail));
  });
});

describe('pages', () => {
  const numbers = customers.map((c) => c.erpNumber!).sort();

  it('pages customers by number with one search_read each, counting only when asked', async () => {
    const first = await connector.customersPage({ offset: 0, first: 3 });
    const second = await connector.customersPage({ offset: 3, first: 3 });
    expect(nativeCalls()).toEqual({ 'res.partner.search_read': 2 });
    expect([...first.records, ...second.records].map((c) => c.number)).toEqual(numbers.slice(0, 6));
    expect(first.hasNextPage).toBe(true);
    const last = await connector.customersPage({ offset: numbers.length - 2, first: 5 });
    expect(last.records.map((c) => c.number)).toEqual(numbers.slice(-2));
    expect(last.hasNextPage).toBe(false);
    expect(await connector.countCustomers()).toBe(numbers.length);
  });

  it('pages products by SKU and orders newest first', async () => {
    const products = await connector.productsPage({ offset: 0, first: 5 });
    expect(products.records.map((p) => p.sku)).toEqual(
      world.products
        .map((p) => p.sku)
        .sort()
        .slice(0, 5),
    );
    expect(await connector.countProducts()).toBe(world.products.length);
    const latest = await connector.ordersPage({ offset: 0, first: 4 });
    expect(latest.records.map((o) => o.number)).toEqual(
      [...orders]
        .sort(newestFirst)
        .slice(0, 4)
        .map((o) => o.number),
    );
    expect(await connector.countOrders()).toBe(orders.length);
  });
});
