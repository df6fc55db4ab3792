/**
 * The ERP-owned integration areas through the live gateway, on the small seed:
 * products (margin, multi-level cost, stock per location), staff, sales
 * results against targets, service tickets linked to CRM cases, and the
 * cross-system reports. Answers are checked against the emulators' databases
 * or the seed world; reports also against their exact native-call cost.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildWorld, type WorldProduct } from '../../emulators/seed/world.js';
import { startTestStack, type TestStack } from '../helpers/startStack.js';
import {
  CUSTOMER_PROFITABILITY,
  CUSTOMER_PROFITABILITY_ERP_CALLS,
  CUSTOMER_PROFITABILITY_WITH_CRM,
  CUSTOMER_PROFITABILITY_WITH_CRM_CALLS,
  expectedProfitability,
  expectedReps,
  expectedTeams,
  PERIOD,
  SALES_PERFORMANCE,
  SALES_PERFORMANCE_ERP_CALLS,
  SALES_PERFORMANCE_WITH_CRM,
  SALES_PERFORMANCE_WITH_CRM_CALLS,
  wholeMonthsOf,
} from './erpReports.js';

const world = buildWorld('small');
const productBySku = new Map(world.products.map((p) => [p.sku, p]));

let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack();
});

afterAll(async () => {
  await stack?.stop();
});

async function ok<T = any>(query: string, variables?: Record<string, unknown>): Promise<T> {
  const { data, errors } = await stack.query<T>(query, variables);
  expect(errors).toBeUndefined();
  return data!;
}

const cents = (n: number) => Math.round(n * 100) / 100;

/** The rolled-up cost the seed world implies: components at their own rolled-up cost where they have a BOM. */
function rolledUp(p: WorldProduct): number | null {
  if (!p.bom) return null;
  const total = p.bom.lines.reduce((sum, l) => {
    const c = productBySku.get(l.sku)!;
    return sum + l.quantity * (rolledUp(c) ?? c.cost);
  }, 0);
  return total / p.bom.quantity;
}

describe('products (area 2)', () => {
  it('gives margin, multi-level rolled-up cost and stock per location', async () => {
    const finished = world.products.find((p) => p.kind === 'finished' && p.bom!.lines.some((l) => productBySku.get(l.sku)!.bom))!;
    const data = await ok(
      `query ($sku: ID!) { product(sku: $sku) { sku margin { amount currencyCode } rolledUpCost { amount } stockByLocation { location quantity reservedQuantity availableQuantity } } }`,
      { sku: finished.sku },
    );
    expect(data.product.margin).toEqual({ amount: cents(finished.listPrice - finished.cost), currencyCode: 'EUR' });
    expect(data.product.rolledUpCost.amount).toBeCloseTo(rolledUp(finished)!, 2);
    const quants = stack
      .odoo!.db.prepare(
        `SELECT l.complete_name AS location, q.quantity, q.reserved_quantity AS reservedQuantity FROM stock_quant q JOIN stock_location l ON l.id = q.location_id
         WHERE q.product_id = ? AND l.usage = 'internal' ORDER BY l.complete_name, q.id`,
      )
      .all(finished.index) as { location: string; quantity: number; reservedQuantity: number }[];
    expect(quants.length).toBe(Object.keys(finished.stock).length);
    expect(data.product.stockByLocation).toEqual(quants.map((q) => ({ ...q, availableQuantity: q.quantity - q.reservedQuantity })));
  });

  it('rolls costs up a whole catalogue page with a fixed number of calls per BOM level', async () => {
    stack.resetNativeCalls();
    const data = await ok(`{ products(first: 100) { nodes { sku rolledUpCost { amount } } } }`);
    for (const node of data.products.nodes) {
      const expected = rolledUp(productBySku.get(node.sku)!);
      if (expected === null) expect(node.rolledUpCost).toBeNull();
      else expect(node.rolledUpCost.amount).toBeCloseTo(expected, 2);
    }
    // The page, then per BOM level (finished → subassembly → component) one read each of
    // mrp.bom, mrp.bom.line and product.product: never one per product.
    const calls = stack.nativeCalls();
    expect(calls.crmTotal).toBe(0);
    expect(calls.erp['product.product.search_read']).toBe(1);
    expect(calls.erp['mrp.bom.search_read']).toBeLessThanOrEqual(3);
    expect(calls.erp['mrp.bom.line.search_read']).toBeLessThanOrEqual(2);
    expect(calls.erpTotal).toBeLessThanOrEqual(1 + 3 * 3);
  });

  it('sums units sold and counts ERP tickets per product in Odoo', async () => {
    const skus = world.products
      .filter((p) => p.saleOk)
      .slice(0, 6)
      .map((p) => p.sku);
    stack.resetNativeCalls();
    const data = await ok(
      `query ($from: Date!, $to: Date!) { ${skus.map((s, i) => `p${i}: product(sku: "${s}") { sku unitsSold(from: $from, to: $to) erpTicketCount }`).join(' ')} }`,
      PERIOD,
    );
    // One product read, one read_group per figure for all six products.
    expect(stack.nativeCalls().erp).toEqual({ 'product.product.search_read': 1, 'sale.order.line.read_group': 1, 'helpdesk.ticket.read_group': 1 });
    const db = stack.odoo!.db;
    skus.forEach((sku, i) => {
      const id = productBySku.get(sku)!.index;
      const sold = db
        .prepare(
          `SELECT COALESCE(SUM(l.product_uom_qty), 0) AS n FROM sale_order_line l JOIN sale_order o ON o.id = l.order_id
           WHERE l.product_id = ? AND o.state = 'sale' AND o.date_order >= ? AND o.date_order <= ?`,
        )
        .get(id, `${PERIOD.from} 00:00:00`, `${PERIOD.to} 23:59:59`) as { n: number };
      const tickets = db.prepare(`SELECT COUNT(*) AS n FROM helpdesk_ticket WHERE product_id = ?`).get(id) as { n: number };
      expect(data[`p${i}`]).toEqual({ sku, unitsSold: sold.n, erpTicketCount: tickets.n });
    });
  });
});

describe('staff (area 4)', () => {
  it('gives the reporting line and sales team from HR, and the CRM login from the CRM', async () => {
    const manager = world.employees.find((e) => e.crmRole === 'Sales Manager')!;
    const reports = world.employees.filter((e) => e.managerEmail === manager.workEmail);
    const data = await ok(
      `query ($email: ID!) { employee(workEmail: $email) { name manager { workEmail } directReports { workEmail } salesTeam { name leader { workEmail } members { workEmail } } crmUser { id } } }`,
      { email: manager.workEmail },
    );
    const e = data.employee;
    expect(e.name).toBe(manager.name);
    expect(e.manager.workEmail).toBe(manager.managerEmail);
    expect(e.directReports.map((r: { workEmail: string }) => r.workEmail).sort()).toEqual(reports.map((r) => r.workEmail).sort());
    expect(e.salesTeam.name).toBe(manager.salesTeam);
    expect(e.salesTeam.leader.workEmail).toBe(manager.workEmail);
    const team = world.employees.filter((x) => x.salesTeam === manager.salesTeam && (x.crmRole === 'Account Executive' || x.crmRole === 'Sales Manager'));
    expect(e.salesTeam.members.map((m: { workEmail: string }) => m.workEmail).sort()).toEqual(team.map((m) => m.workEmail).sort());
    expect(e.crmUser.id).toBe(manager.crmUserId);
  });
});

describe('sales results (area 6)', () => {
  it('reports target and invoiced per rep and team, summed by Odoo, in a fixed number of calls', async () => {
    stack.resetNativeCalls();
    const data = await ok(SALES_PERFORMANCE, PERIOD);
    expect(stack.nativeCalls().erpTotal).toBe(SALES_PERFORMANCE_ERP_CALLS);
    expect(stack.nativeCalls().erp['account.move.search_read']).toBeUndefined();

    const reps = expectedReps(stack.odoo!.db);
    const report = data.salesPerformance;
    expect(report.reps.map((r: { workEmail: string }) => r.workEmail).sort()).toEqual([...reps.keys()].sort());
    for (const rep of report.reps) {
      const expected = reps.get(rep.workEmail)!;
      expect(rep.target).toEqual({ amount: cents(expected.target), currencyCode: 'EUR' });
      expect(rep.invoiced.amount).toBeCloseTo(expected.invoiced, 2);
      expect(rep.attainmentPercent).toBeCloseTo((expected.invoiced / expected.target) * 100, 1);
    }
    // A rep's monthly goals are an equal share of the team's monthly target, so the shares add up.
    const months = wholeMonthsOf();
    expect(months).toBe(10);
    const teams = expectedTeams(stack.odoo!.db);
    expect(report.teams.map((t: { teamName: string }) => t.teamName)).toEqual(teams.map((t) => t.name));
    for (const [i, team] of report.teams.entries()) {
      expect(team.target).toEqual({ amount: teams[i]!.monthlyTarget * months, currencyCode: 'EUR' });
      expect(team.invoiced.amount).toBeCloseTo(teams[i]!.invoiced, 2);
      const repTargets = report.reps
        .filter((r: { teamName: string }) => r.teamName === team.teamName)
        .reduce((s: number, r: { target: { amount: number } }) => s + r.target.amount, 0);
      expect(repTargets).toBeCloseTo(team.target.amount, 0);
    }
  });
});

describe('sales results month by month (area 6)', () => {
  it('breaks invoiced and target down by invoice_date:month with one read_group per figure', async () => {
    const p = { from: '2026-09-15', to: '2026-11-30' };
    stack.resetNativeCalls();
    const data = await ok(
      `query ($from: Date!, $to: Date!) { salesPerformance(from: $from, to: $to) {
        reps { workEmail months { month target { amount } invoiced { amount } } }
        teams { teamName months { month target { amount } invoiced { amount } } }
      } }`,
      p,
    );
    // Teams and their members, then one read_group per monthly figure (rep invoices, team invoices,
    // rep goals), whatever the number of reps and months.
    expect(stack.nativeCalls().erp).toEqual({
      'crm.team.search_read': 1,
      'hr.employee.search_read': 1,
      'account.move.read_group': 2,
      'gamification.goal.read_group': 1,
    });
    const db = stack.odoo!.db;
    const invoicedByMonth = db.prepare(
      `SELECT substr(a.invoice_date, 1, 7) AS month, SUM(CASE WHEN a.move_type = 'out_refund' THEN -a.amount_untaxed ELSE a.amount_untaxed END) AS amount FROM account_move a JOIN hr_employee e ON e.user_id = a.invoice_user_id
       WHERE e.work_email = ? AND a.move_type IN ('out_invoice', 'out_refund') AND a.state = 'posted' AND a.invoice_date BETWEEN ? AND ? GROUP BY month`,
    );
    const goalsByMonth = db.prepare(
      `SELECT substr(g.start_date, 1, 7) AS month, g.target_goal AS amount FROM gamification_goal g JOIN hr_employee e ON e.user_id = g.user_id WHERE e.work_email = ?`,
    );
    for (const rep of data.salesPerformance.reps) {
      expect(rep.months.map((m: { month: string }) => m.month)).toEqual(['2026-09', '2026-10', '2026-11']);
      const invoiced = new Map((invoicedByMonth.all(rep.workEmail, p.from, p.to) as { month: string; amount: number }[]).map((r) => [r.month, r.amount]));
      const goals = new Map((goalsByMonth.all(rep.workEmail) as { month: string; amount: number }[]).map((r) => [r.month, r.amount]));
      for (const m of rep.months) {
        expect(m.invoiced.amount).toBeCloseTo(invoiced.get(m.month) ?? 0, 2);
        expect(m.target.amount).toBe(goals.get(m.month));
      }
    }
    for (const team of data.salesPerformance.teams) {
      const monthly = world.salesTeams.find((t) => t.name === team.teamName)!.invoicedTarget;
      expect(team.months.map((m: { target: { amount: number } }) => m.target.amount)).toEqual([monthly, monthly, monthly]);
    }
  });
});

describe('sales results joined with the CRM pipeline (areas 6 and 10)', () => {
  it('joins each rep to the CRM pipeline closing in the same period, one SOQL GROUP BY for all reps', async () => {
    // Open opportunities close in the months after the seed's today.
    const ahead = { from: '2026-11-01', to: '2027-04-30' };
    stack.resetNativeCalls();
    const data = await ok(SALES_PERFORMANCE_WITH_CRM, ahead);
    const { erpTotal, crmTotal } = stack.nativeCalls();
    expect({ erp: erpTotal, crm: crmTotal }).toEqual(SALES_PERFORMANCE_WITH_CRM_CALLS);
    const withPipeline = data.salesPerformance.reps.filter(
      (r: { employee: { crmPipeline: { opportunityCount: number } } }) => r.employee.crmPipeline.opportunityCount > 0,
    );
    expect(withPipeline.length).toBeGreaterThan(3);
    for (const rep of data.salesPerformance.reps) {
      const open = world.opportunities.filter(
        (o) => o.ownerEmail === rep.workEmail && o.stage !== 'Closed Won' && o.stage !== 'Closed Lost' && o.closeDate >= ahead.from && o.closeDate <= ahead.to,
      );
      expect(rep.employee.crmPipeline.opportunityCount).toBe(open.length);
      expect(rep.employee.crmPipeline.amount.amount).toBeCloseTo(
        open.reduce((s, o) => s + o.amount, 0),
        2,
      );
    }
  });
});

describe('service (area 7)', () => {
  it('links ERP helpdesk tickets and CRM cases both ways', async () => {
    const row = stack
      .odoo!.db.prepare(
        `SELECT t.x_crm_case_id AS caseId, p.ref AS customerNumber, o.name AS orderNumber, pp.default_code AS sku FROM helpdesk_ticket t
         JOIN res_partner p ON p.id = t.partner_id JOIN sale_order o ON o.id = t.sale_order_id JOIN product_product pp ON pp.id = t.product_id LIMIT 1`,
      )
      .get() as { caseId: string; customerNumber: string; orderNumber: string; sku: string };
    const crmCase = world.cases.find((c) => c.id === row.caseId)!;
    const data = await ok(
      `query ($n: ID!, $case: ID!) {
        customer(number: $n) { serviceTickets { subject salesOrder { number } product { sku } crmCase { id subject status } } }
        case(id: $case) { subject erpTickets { subject product { sku } customer { number } } }
      }`,
      { n: row.customerNumber, case: row.caseId },
    );
    const ticket = data.customer.serviceTickets.find((t: { crmCase: { id: string } }) => t.crmCase.id === row.caseId);
    expect(ticket).toEqual({
      subject: crmCase.subject,
      salesOrder: { number: row.orderNumber },
      product: { sku: row.sku },
      crmCase: { id: crmCase.id, subject: crmCase.subject, status: crmCase.status },
    });
    expect(data.case.erpTickets).toEqual([{ subject: crmCase.subject, product: { sku: crmCase.productSku }, customer: { number: row.customerNumber } }]);
  });

  it('gives a customer open invoices (oldest due first) and invoiced revenue summed by Odoo', async () => {
    const db = stack.odoo!.db;
    const { ref, id } = db
      .prepare(
        `SELECT p.ref, p.id FROM account_move a JOIN res_partner p ON p.id = a.partner_id WHERE a.payment_state IN ('not_paid', 'partial') GROUP BY p.id ORDER BY COUNT(*) DESC LIMIT 1`,
      )
      .get() as { ref: string; id: number };
    const data = await ok(
      `query ($n: ID!) { customer(number: $n) { openInvoices { number } invoicedRevenue(from: "2025-01-01", to: "2025-12-31") { amount } } }`,
      { n: ref },
    );
    const open = db
      .prepare(
        `SELECT name FROM account_move WHERE partner_id = ? AND move_type = 'out_invoice' AND state = 'posted' AND payment_state IN ('not_paid', 'partial') ORDER BY invoice_date_due, id`,
      )
      .all(id) as { name: string }[];
    expect(data.customer.openInvoices.map((i: { number: string }) => i.number)).toEqual(open.map((o) => o.name));
    const revenue = db
      .prepare(
        `SELECT COALESCE(SUM(CASE WHEN move_type = 'out_refund' THEN -amount_untaxed ELSE amount_untaxed END), 0) AS n FROM account_move WHERE partner_id = ? AND move_type IN ('out_invoice', 'out_refund') AND state = 'posted' AND invoice_date BETWEEN '2025-01-01' AND '2025-12-31'`,
      )
      .get(id) as { n: number };
    expect(data.customer.invoicedRevenue.amount).toBeCloseTo(revenue.n, 2);
  });

  it('gives a customer with a credit note its invoiced revenue net of it (invoices − refunds)', async () => {
    const db = stack.odoo!.db;
    const { ref, id } = db
      .prepare(
        `SELECT p.ref, p.id FROM account_move a JOIN res_partner p ON p.id = a.partner_id
         WHERE a.move_type = 'out_refund' AND a.state = 'posted' AND a.invoice_date BETWEEN '2025-01-01' AND '2025-12-31' AND p.ref IS NOT NULL ORDER BY a.id LIMIT 1`,
      )
      .get() as { ref: string; id: number };
    const sum = db.prepare(
      `SELECT COALESCE(SUM(amount_untaxed), 0) AS n FROM account_move WHERE partner_id = ? AND move_type = ? AND state = 'posted' AND invoice_date BETWEEN '2025-01-01' AND '2025-12-31'`,
    );
    const invoiced = (sum.get(id, 'out_invoice') as { n: number }).n;
    const refunded = (sum.get(id, 'out_refund') as { n: number }).n;
    expect(refunded).toBeGreaterThan(0);
    const data = await ok(`query ($n: ID!) { customer(number: $n) { invoicedRevenue(from: "2025-01-01", to: "2025-12-31") { amount } } }`, { n: ref });
    expect(data.customer.invoicedRevenue.amount).toBeCloseTo(invoiced - refunded, 2);
  });
});

describe('decision support (area 10)', () => {
  it('ranks customers by profitability from read_group totals, in a fixed number of calls', async () => {
    stack.resetNativeCalls();
    const data = await ok(CUSTOMER_PROFITABILITY, { ...PERIOD, first: 10 });
    // Partners and their balances (Odoo's `credit`) are two reads of res.partner, asked side by side.
    expect(stack.nativeCalls().erp).toEqual({ 'sale.order.line.read_group': 1, 'res.partner.read': 2, 'account.move.read_group': 1 });
    expect(stack.nativeCalls().erpTotal).toBe(CUSTOMER_PROFITABILITY_ERP_CALLS);
    const expected = expectedProfitability(stack.odoo!.db, 10);
    expect(data.customerProfitability.map((r: { customerNumber: string }) => r.customerNumber)).toEqual(expected.map((r) => r.customerNumber));
    for (const [i, row] of data.customerProfitability.entries()) {
      const e = expected[i]!;
      expect(row.revenue.amount).toBeCloseTo(e.revenue, 2);
      expect(row.margin.amount).toBeCloseTo(e.margin, 2);
      expect(row.cost.amount).toBeCloseTo(e.revenue - e.margin, 2);
      expect(row.marginPercent).toBeCloseTo((e.margin / e.revenue) * 100, 1);
      expect(row.invoiced.amount).toBeCloseTo(e.invoiced, 2);
      expect(row.openBalance.amount).toBeCloseTo(e.openBalance, 2);
    }
  });

  it('joins the CRM service load per customer through the Customer entity', async () => {
    stack.resetNativeCalls();
    const data = await ok(CUSTOMER_PROFITABILITY_WITH_CRM, { ...PERIOD, first: 10 });
    const { erpTotal, crmTotal } = stack.nativeCalls();
    expect({ erp: erpTotal, crm: crmTotal }).toEqual(CUSTOMER_PROFITABILITY_WITH_CRM_CALLS);
    // The CRM side is batched for all rows: its cost does not depend on how many rows there are.
    stack.resetNativeCalls();
    await ok(CUSTOMER_PROFITABILITY_WITH_CRM, { ...PERIOD, first: 3 });
    expect(stack.nativeCalls().crmTotal).toBe(crmTotal);
    for (const row of data.customerProfitability) {
      const company = world.companies.find((c) => c.erpNumber === row.customerNumber)!;
      const cases = world.cases.filter((c) => c.companyIndex === company.index);
      expect(row.customer.caseCount).toBe(cases.length);
      expect(row.customer.openCases).toBe(cases.filter((c) => c.status !== 'Closed').length);
    }
  });

  it('adds the ERP revenue of the customers a CRM campaign touched', async () => {
    stack.resetNativeCalls();
    const data = await ok(
      `{ campaigns(first: 5) { id actualCost { amount } touchedCustomerNumbers touchedRevenue(from: "2025-01-01", to: "2026-10-31") { amount currencyCode } roi(from: "2025-01-01", to: "2026-10-31") } }`,
    );
    // Every campaign's customers in one read, their revenue in one read_group.
    expect(stack.nativeCalls().erp).toEqual({ 'res.partner.search_read': 1, 'account.move.read_group': 1 });
    expect(data.campaigns.length).toBeGreaterThan(0);
    const db = stack.odoo!.db;
    for (const campaign of data.campaigns) {
      const numbers: string[] = campaign.touchedCustomerNumbers;
      const sum =
        numbers.length === 0
          ? 0
          : (
              db
                .prepare(
                  `SELECT COALESCE(SUM(CASE WHEN a.move_type = 'out_refund' THEN -a.amount_untaxed ELSE a.amount_untaxed END), 0) AS n FROM account_move a JOIN res_partner p ON p.id = a.partner_id
               WHERE p.ref IN (SELECT value FROM json_each(?)) AND a.move_type IN ('out_invoice', 'out_refund') AND a.state = 'posted' AND a.invoice_date BETWEEN '2025-01-01' AND '2026-10-31'`,
                )
                .get(JSON.stringify(numbers)) as { n: number }
            ).n;
      expect(campaign.touchedRevenue.amount).toBeCloseTo(sum, 2);
      expect(campaign.touchedRevenue.currencyCode).toBe('EUR');
      const cost = campaign.actualCost?.amount ?? 0;
      if (cost === 0) expect(campaign.roi).toBeNull();
      else expect(campaign.roi).toBeCloseTo((sum - cost) / cost, 3);
    }
  });

  it('refuses a period that ends before it starts, naming the argument, before any native call', async () => {
    stack.resetNativeCalls();
    const { errors } = await stack.query(`{ salesPerformance(from: "2026-05-01", to: "2026-04-01") { from } }`);
    expect(errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(errors?.[0]?.message).toMatch(/`from` \(2026-05-01\) to be on or before `to` \(2026-04-01\)/);
    expect(stack.nativeCalls().total).toBe(0);
  });
});
