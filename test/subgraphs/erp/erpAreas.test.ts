/**
 * The ERP connector's area and report reads against the Odoo emulator (small
 * seed): totals come from one `read_group` per batch, answered in key order
 * with 0 (or an empty list) for keys without records, and agree with SQL over
 * the emulator's database. The per-period loaders make one call per period.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startOdooEmulator, type OdooEmulator } from '../../../emulators/odoo/server.js';
import { buildWorld } from '../../../emulators/seed/world.js';
import { createAreaLoaders } from '../../../subgraphs/erp/src/areaLoaders.js';
import { createErpConnector, type ErpConnector } from '../../../subgraphs/erp/src/connectors/erpConnector.js';
import { createOdooClient, type OdooClient } from '../../../lib/native/odooClient.js';
import { monthsOf, period, wholeMonths } from '../../../subgraphs/erp/src/resolvers/period.js';
import { ODOO_API_KEY, ODOO_DB, ODOO_LOGIN, tempDir } from './helpers.js';

const world = buildWorld('small');
const P = { from: '2026-01-01', to: '2026-06-30' };

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

const nativeCalls = () => emulator.calls.snapshot().calls;

describe('totals by key', () => {
  it('answers invoiced amounts per partner in key order, 0 for unknown keys, in one read_group', async () => {
    const amounts = await connector.invoicedByPartnerId(P, [5, 999_999, 3, 5]);
    expect(nativeCalls()).toEqual({ 'account.move.read_group': 1 });
    const sql = emulator.db.prepare(
      `SELECT COALESCE(SUM(CASE WHEN move_type = 'out_refund' THEN -amount_untaxed ELSE amount_untaxed END), 0) AS n FROM account_move WHERE partner_id = ? AND move_type IN ('out_invoice', 'out_refund') AND state = 'posted' AND invoice_date BETWEEN ? AND ?`,
    );
    const expected = [5, 999_999, 3, 5].map((id) => (sql.get(id, P.from, P.to) as { n: number }).n);
    expect(amounts).toHaveLength(4);
    amounts.forEach((a, i) => expect(a).toBeCloseTo(expected[i]!, 2));
    expect(amounts[1]).toBe(0);
  });

  it('nets credit notes: a customer with a posted credit note in the period shows invoices − refunds, in one read_group', async () => {
    const sum = emulator.db.prepare(
      `SELECT COALESCE(SUM(amount_untaxed), 0) AS n FROM account_move WHERE partner_id = ? AND move_type = ? AND state = 'posted' AND invoice_date BETWEEN ? AND ?`,
    );
    const { partnerId } = emulator.db
      .prepare(
        `SELECT partner_id AS partnerId FROM account_move WHERE move_type = 'out_refund' AND state = 'posted' AND invoice_date BETWEEN ? AND ? ORDER BY id LIMIT 1`,
      )
      .get(P.from, P.to) as { partnerId: number };
    const invoiced = (sum.get(partnerId, 'out_invoice', P.from, P.to) as { n: number }).n;
    const refunded = (sum.get(partnerId, 'out_refund', P.from, P.to) as { n: number }).n;
    expect(refunded).toBeGreaterThan(0);
    const [net] = await connector.invoicedByPartnerId(P, [partnerId]);
    expect(nativeCalls()).toEqual({ 'account.move.read_group': 1 });
    expect(net).toBeCloseTo(invoiced - refunded, 2);
  });

  it('answers sales and margin per partner from sale_margin fields', async () => {
    const [totals] = await connector.salesByPartnerId(P, [7]);
    const sql = emulator.db
      .prepare(
        `SELECT SUM(l.price_subtotal) AS revenue, SUM(l.price_subtotal - l.purchase_price * l.product_uom_qty) AS margin FROM sale_order_line l JOIN sale_order o ON o.id = l.order_id
         WHERE o.partner_id = 7 AND o.state = 'sale' AND o.date_order BETWEEN ? AND ?`,
      )
      .get(`${P.from} 00:00:00`, `${P.to} 23:59:59`) as { revenue: number | null; margin: number | null };
    expect(totals!.revenue).toBeCloseTo(sql.revenue ?? 0, 2);
    expect(totals!.margin).toBeCloseTo(sql.margin ?? 0, 2);
  });

  it('answers month totals per key, months in order, from __range', async () => {
    const [months, none] = await connector.monthlyInvoicedByTeamId(P, [1, 999]);
    expect(nativeCalls()).toEqual({ 'account.move.read_group': 1 });
    expect(none).toEqual([]);
    expect(months!.map((m) => m.month)).toEqual(['2026-01', '2026-02', '2026-03', '2026-04', '2026-05', '2026-06']);
    const sql = emulator.db
      .prepare(
        `SELECT substr(invoice_date, 1, 7) AS month, SUM(CASE WHEN move_type = 'out_refund' THEN -amount_untaxed ELSE amount_untaxed END) AS amount FROM account_move WHERE team_id = 1 AND move_type IN ('out_invoice', 'out_refund') AND state = 'posted'
         AND invoice_date BETWEEN ? AND ? GROUP BY month ORDER BY month`,
      )
      .all(P.from, P.to) as { month: string; amount: number }[];
    months!.forEach((m, i) => expect(m.amount).toBeCloseTo(sql[i]!.amount, 2));
  });

  it('counts ERP tickets per product and finds tickets by CRM case id', async () => {
    const ticket = emulator.db.prepare(`SELECT x_crm_case_id AS caseId, product_id AS productId FROM helpdesk_ticket LIMIT 1`).get() as {
      caseId: string;
      productId: number;
    };
    const [[found, none], [count, zero]] = await Promise.all([
      connector.ticketsByCaseId([ticket.caseId, 'no-such-case']),
      connector.ticketCountByProductId([ticket.productId, 999_999]),
    ]);
    expect(nativeCalls()).toEqual({ 'helpdesk.ticket.search_read': 1, 'helpdesk.ticket.read_group': 1 });
    expect(found).toHaveLength(1);
    expect(found![0]!.crmCaseId).toBe(ticket.caseId);
    expect(found![0]!.subject).toBe(world.cases.find((c) => c.id === ticket.caseId)!.subject);
    expect(none).toEqual([]);
    const sql = emulator.db.prepare(`SELECT COUNT(*) AS n FROM helpdesk_ticket WHERE product_id = ?`).get(ticket.productId) as { n: number };
    expect(count).toBe(sql.n);
    expect(zero).toBe(0);
  });
});

describe('per-period loaders', () => {
  it('make one read_group per distinct period, answering every key of it', async () => {
    const loaders = createAreaLoaders(connector);
    const q1 = { from: '2026-01-01', to: '2026-03-31' };
    const q2 = { from: '2026-04-01', to: '2026-06-30' };
    const [a, b, c] = await Promise.all([
      loaders.invoicedByUserId.load({ period: q1, key: 20 }),
      loaders.invoicedByUserId.load({ period: q2, key: 20 }),
      loaders.invoicedByUserId.load({ period: q1, key: 21 }),
    ]);
    expect(nativeCalls()).toEqual({ 'account.move.read_group': 2 });
    const [whole] = await connector.invoicedByUserId({ from: q1.from, to: q2.to }, [20]);
    expect(a + b).toBeCloseTo(whole!, 2);
    expect(typeof c).toBe('number');
  });
});

describe('periods', () => {
  it('counts whole calendar months and lists the months a period touches', () => {
    expect(wholeMonths(period('2026-01-01', '2026-03-31'))).toBe(3);
    expect(wholeMonths(period('2026-01-05', '2026-03-30'))).toBe(1);
    expect(wholeMonths(period('2026-02-01', '2026-02-28'))).toBe(1);
    expect(monthsOf(period('2025-11-20', '2026-02-03'))).toEqual(['2025-11', '2025-12', '2026-01', '2026-02']);
  });

  it('refuses impossible dates and reversed periods, naming the argument', () => {
    expect(() => period('2026-02-30', '2026-03-01')).toThrow(/`from` to be a calendar date "YYYY-MM-DD", but got "2026-02-30"/);
    expect(() => period('2026-03-01', '2026-02-01')).toThrow(/on or before/);
    expect(() => monthsOf(period('2000-01-01', '2026-01-01'))).toThrow(/at most 120 months/);
  });
});
