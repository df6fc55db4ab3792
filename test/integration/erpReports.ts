/**
 * The ERP halves of the cross-system reports, as the report queries ask for
 * them and as direct SQL over the Odoo emulator's database computes them.
 * Shared by the small-seed suite (areas-erp.test.ts) and the large-seed suite
 * (reports-large.test.ts), so both check the same answers at the same cost.
 */
import type { Database } from 'better-sqlite3';

export const PERIOD = { from: '2026-01-01', to: '2026-10-31' };

/**
 * Native calls one report costs, whatever the size of the databases. ERP:
 * crm.team, hr.employee, gamification.goal read_group, account.move
 * read_group by salesperson and by team.
 */
export const SALES_PERFORMANCE_ERP_CALLS = 5;
/** sale.order.line read_group (ranking), res.partner read, account.move read_group ×2 (invoiced, open balance). */
export const CUSTOMER_PROFITABILITY_ERP_CALLS = 4;
/** With the CRM's pipeline per rep: ERP crm.team, hr.employee, account.move read_group; CRM one SOQL GROUP BY owner. */
export const SALES_PERFORMANCE_WITH_CRM_CALLS = { erp: 3, crm: 1 };
/** With the CRM's case counts per customer: ERP ranking and partners; CRM one SOQL GROUP BY per count (all, open). */
export const CUSTOMER_PROFITABILITY_WITH_CRM_CALLS = { erp: 2, crm: 2 };

export const SALES_PERFORMANCE = `query ($from: Date!, $to: Date!) {
  salesPerformance(from: $from, to: $to) {
    from to
    reps { workEmail teamName target { amount currencyCode } invoiced { amount currencyCode } attainmentPercent employee { name } }
    teams { teamName target { amount currencyCode } invoiced { amount } attainmentPercent }
  }
}`;

export const SALES_PERFORMANCE_WITH_CRM = `query ($from: Date!, $to: Date!) {
  salesPerformance(from: $from, to: $to) {
    reps { workEmail invoiced { amount } employee { crmPipeline(from: $from, to: $to) { opportunityCount amount { amount } } } }
  }
}`;

export const CUSTOMER_PROFITABILITY = `query ($from: Date!, $to: Date!, $first: Int) {
  customerProfitability(from: $from, to: $to, first: $first) {
    customerNumber from to
    customer { legalName }
    revenue { amount currencyCode } cost { amount } margin { amount } marginPercent
    invoiced { amount } openBalance { amount }
  }
}`;

export const CUSTOMER_PROFITABILITY_WITH_CRM = `query ($from: Date!, $to: Date!, $first: Int) {
  customerProfitability(from: $from, to: $to, first: $first) {
    customerNumber revenue { amount }
    customer { caseCount openCases: caseCount(openOnly: true) }
  }
}`;

export interface RepRow {
  workEmail: string;
  target: number;
  invoiced: number;
}

/** Every sales team member's goals in the period and invoiced amount, by SQL. */
export function expectedReps(db: Database, period = PERIOD): Map<string, RepRow> {
  const rows = db
    .prepare(
      `SELECT e.work_email AS workEmail,
         COALESCE((SELECT SUM(g.target_goal) FROM gamification_goal g JOIN gamification_goal_definition d ON d.id = g.definition_id
                   WHERE g.user_id = m.user_id AND d.name = 'Total Invoiced' AND g.start_date >= @from AND g.end_date <= @to AND g.state <> 'canceled'), 0) AS target,
         COALESCE((SELECT SUM(CASE WHEN a.move_type = 'out_refund' THEN -a.amount_untaxed ELSE a.amount_untaxed END) FROM account_move a WHERE a.invoice_user_id = m.user_id AND a.move_type IN ('out_invoice', 'out_refund') AND a.state = 'posted'
                   AND a.invoice_date >= @from AND a.invoice_date <= @to), 0) AS invoiced
       FROM (SELECT DISTINCT user_id FROM crm_team_member) m JOIN hr_employee e ON e.user_id = m.user_id`,
    )
    .all(period) as RepRow[];
  return new Map(rows.map((r) => [r.workEmail, r]));
}

export interface TeamRow {
  name: string;
  monthlyTarget: number;
  invoiced: number;
}

export function expectedTeams(db: Database, period = PERIOD): TeamRow[] {
  return db
    .prepare(
      `SELECT t.name, t.invoiced_target AS monthlyTarget,
         COALESCE((SELECT SUM(CASE WHEN a.move_type = 'out_refund' THEN -a.amount_untaxed ELSE a.amount_untaxed END) FROM account_move a WHERE a.team_id = t.id AND a.move_type IN ('out_invoice', 'out_refund') AND a.state = 'posted'
                   AND a.invoice_date >= @from AND a.invoice_date <= @to), 0) AS invoiced
       FROM crm_team t ORDER BY t.id`,
    )
    .all(period) as TeamRow[];
}

export interface ProfitRow {
  customerNumber: string;
  revenue: number;
  margin: number;
  invoiced: number;
  openBalance: number;
}

/** The top customers by confirmed sales in the period, with margin, invoiced and open balance, by SQL. */
export function expectedProfitability(db: Database, first: number, period = PERIOD): ProfitRow[] {
  return db
    .prepare(
      `SELECT p.ref AS customerNumber, s.revenue, s.margin,
         COALESCE((SELECT SUM(CASE WHEN a.move_type = 'out_refund' THEN -a.amount_untaxed ELSE a.amount_untaxed END) FROM account_move a WHERE a.partner_id = p.id AND a.move_type IN ('out_invoice', 'out_refund') AND a.state = 'posted'
                   AND a.invoice_date >= @from AND a.invoice_date <= @to), 0) AS invoiced,
         COALESCE((SELECT SUM(CASE WHEN a.move_type = 'out_refund' THEN -a.amount_residual ELSE a.amount_residual END) FROM account_move a WHERE a.partner_id = p.id AND a.move_type IN ('out_invoice', 'out_refund') AND a.state = 'posted'), 0) AS openBalance
       FROM (SELECT o.partner_id, SUM(l.price_subtotal) AS revenue, SUM(l.price_subtotal - l.purchase_price * l.product_uom_qty) AS margin
             FROM sale_order_line l JOIN sale_order o ON o.id = l.order_id
             WHERE o.state = 'sale' AND l.display_type IS NULL AND o.date_order >= @from || ' 00:00:00' AND o.date_order <= @to || ' 23:59:59'
             GROUP BY o.partner_id) s
       JOIN res_partner p ON p.id = s.partner_id AND p.ref IS NOT NULL
       ORDER BY s.revenue DESC LIMIT @first`,
    )
    .all({ ...period, first }) as ProfitRow[];
}

/** Calendar months wholly inside the period (the period helpers' rule, restated independently). */
export function wholeMonthsOf(period = PERIOD): number {
  let n = 0;
  for (let d = new Date(`${period.from}T00:00:00Z`); d.toISOString().slice(0, 10) <= period.to; d.setUTCMonth(d.getUTCMonth() + 1, 1)) {
    const start = d.toISOString().slice(0, 10);
    const end = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).toISOString().slice(0, 10);
    if (d.getUTCDate() === 1 && start >= period.from && end <= period.to) n++;
  }
  return n;
}
