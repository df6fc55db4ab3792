/**
 * The cross-system reports on the LARGE seed (tens of thousands of customers,
 * hundreds of thousands of order lines). Shared by the ERP and CRM sides: every
 * large-seed assertion lives in this one file, so the large databases are
 * seeded once per run.
 *
 * Each report must answer what direct SQL over the emulators' databases
 * answers, at exactly the native-call cost it has on the small seed: totals
 * are pushed down to the systems (read_group, SOQL GROUP BY), never summed by
 * paging through records. Where a join with the other system needs more rows
 * than a SOQL aggregate may answer (2,000), the CRM reads them with one
 * Salesforce Bulk API 2.0 query job: a fixed three calls, whatever the rows.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildWorld } from '../../emulators/seed/world.js';
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
import { IDENTITY_BULK_JOB, TOUCHED_BULK_JOB } from './crmReports.js';

let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack({ seedSize: 'large' });
}, 300_000);

afterAll(async () => {
  await stack?.stop();
});

async function ok<T = any>(query: string, variables?: Record<string, unknown>): Promise<T> {
  const { data, errors } = await stack.query<T>(query, variables);
  expect(errors).toBeUndefined();
  return data!;
}

describe('ERP-rooted reports on the large seed', () => {
  it('seeded the large world', () => {
    expect(stack.odoo!.seedSize).toBe('large');
    const { n } = stack.odoo!.db.prepare(`SELECT COUNT(*) AS n FROM sale_order_line`).get() as { n: number };
    expect(n).toBeGreaterThan(200_000);
  });

  it('salesPerformance: targets and invoiced per rep and team match SQL, at the small-seed cost', async () => {
    stack.resetNativeCalls();
    const data = await ok(SALES_PERFORMANCE, PERIOD);
    expect(stack.nativeCalls().erpTotal).toBe(SALES_PERFORMANCE_ERP_CALLS);
    expect(stack.nativeCalls().crmTotal).toBe(0);

    const reps = expectedReps(stack.odoo!.db);
    expect(reps.size).toBeGreaterThan(100);
    expect(data.salesPerformance.reps).toHaveLength(reps.size);
    for (const rep of data.salesPerformance.reps) {
      const expected = reps.get(rep.workEmail)!;
      expect(rep.target.amount).toBeCloseTo(expected.target, 2);
      expect(rep.invoiced.amount).toBeCloseTo(expected.invoiced, 2);
    }
    const teams = expectedTeams(stack.odoo!.db);
    for (const [i, team] of data.salesPerformance.teams.entries()) {
      expect(team.teamName).toBe(teams[i]!.name);
      expect(team.target.amount).toBeCloseTo(teams[i]!.monthlyTarget * wholeMonthsOf(), 2);
      expect(team.invoiced.amount).toBeCloseTo(teams[i]!.invoiced, 2);
    }
  });

  it('salesPerformance with the CRM pipeline per rep costs what it costs on the small seed', async () => {
    stack.resetNativeCalls();
    const data = await ok(SALES_PERFORMANCE_WITH_CRM, { from: '2026-11-01', to: '2027-04-30' });
    const { erpTotal, crmTotal } = stack.nativeCalls();
    expect({ erp: erpTotal, crm: crmTotal }).toEqual(SALES_PERFORMANCE_WITH_CRM_CALLS);
    const sf = stack.salesforce!.db;
    const owners = sf
      .prepare(
        `SELECT u.Email AS email, COUNT(*) AS n, SUM(o.Amount) AS amount FROM Opportunity o JOIN User u ON u.Id = o.OwnerId
         WHERE o.IsDeleted = 0 AND o.IsClosed = 0 AND o.CloseDate >= '2026-11-01' AND o.CloseDate <= '2027-04-30' GROUP BY u.Email`,
      )
      .all() as { email: string; n: number; amount: number }[];
    const byEmail = new Map(owners.map((o) => [o.email.toLowerCase(), o]));
    for (const rep of data.salesPerformance.reps) {
      const expected = byEmail.get(rep.workEmail.toLowerCase());
      expect(rep.employee.crmPipeline.opportunityCount).toBe(expected?.n ?? 0);
      expect(rep.employee.crmPipeline.amount.amount).toBeCloseTo(expected?.amount ?? 0, 2);
    }
  });

  it('customerProfitability: the top customers, revenue, margin, invoiced and open balance match SQL, at the small-seed cost', async () => {
    stack.resetNativeCalls();
    const data = await ok(CUSTOMER_PROFITABILITY, { ...PERIOD, first: 25 });
    expect(stack.nativeCalls().erpTotal).toBe(CUSTOMER_PROFITABILITY_ERP_CALLS);
    const expected = expectedProfitability(stack.odoo!.db, 25);
    expect(data.customerProfitability.map((r: { customerNumber: string }) => r.customerNumber)).toEqual(expected.map((r) => r.customerNumber));
    for (const [i, row] of data.customerProfitability.entries()) {
      const e = expected[i]!;
      expect(row.revenue.amount).toBeCloseTo(e.revenue, 2);
      expect(row.margin.amount).toBeCloseTo(e.margin, 2);
      expect(row.invoiced.amount).toBeCloseTo(e.invoiced, 2);
      expect(row.openBalance.amount).toBeCloseTo(e.openBalance, 2);
    }
  });

  it('customerProfitability with the CRM case load per customer costs what it costs on the small seed', async () => {
    stack.resetNativeCalls();
    const data = await ok(CUSTOMER_PROFITABILITY_WITH_CRM, { ...PERIOD, first: 25 });
    const { erpTotal, crmTotal } = stack.nativeCalls();
    expect({ erp: erpTotal, crm: crmTotal }).toEqual(CUSTOMER_PROFITABILITY_WITH_CRM_CALLS);
    const sf = stack.salesforce!.db;
    const count = sf.prepare(
      `SELECT COUNT(*) AS n, SUM(CASE WHEN c.IsClosed = 0 THEN 1 ELSE 0 END) AS open FROM "Case" c JOIN Account a ON a.Id = c.AccountId WHERE c.IsDeleted = 0 AND a.ERP_Customer_Number__c = ?`,
    );
    for (const row of data.customerProfitability) {
      const expected = count.get(row.customerNumber) as { n: number; open: number | null };
      expect(row.customer.caseCount).toBe(expected.n);
      expect(row.customer.openCases).toBe(expected.open ?? 0);
    }
  });
});

// --- CRM-rooted reports (developer B): SOQL aggregates only ------------------------------

describe('CRM-rooted reports on the large seed', () => {
  const sfRows = <T = any>(sql: string, ...params: unknown[]) => stack.salesforce!.db.prepare(sql).all(...params) as T[];

  it('identityReport: prospects, conflicts and ERP customers missing from the CRM match SQL', async () => {
    stack.resetNativeCalls();
    const data = await ok(
      `{ identityReport { unmatchedAccountCount conflictCount conflicts { customerNumber accounts { id } } missingFromCrmCount missingFromCrm(first: 5000) { number } } }`,
    );
    const report = data.identityReport;
    // The ERP's customers are the seed world's (both emulators are built from it).
    const erpNumbers = buildWorld('large')
      .companies.filter((c) => c.inErp)
      .map((c) => c.erpNumber!)
      .sort();
    const crmNumbers = new Set(
      sfRows<{ n: string }>(`SELECT DISTINCT ERP_Customer_Number__c AS n FROM Account WHERE ERP_Customer_Number__c IS NOT NULL AND IsDeleted = 0`).map(
        (r) => r.n,
      ),
    );
    const missing = erpNumbers.filter((n) => !crmNumbers.has(n));
    expect(missing.length).toBeGreaterThan(1000);
    expect(report.missingFromCrmCount).toBe(missing.length);
    expect(report.missingFromCrm.map((c: { number: string }) => c.number)).toEqual(missing);
    const prospects = sfRows<{ n: number }>(`SELECT COUNT(*) AS n FROM Account WHERE ERP_Customer_Number__c IS NULL AND IsDeleted = 0`)[0]!.n;
    expect(report.unmatchedAccountCount).toBe(prospects);
    const conflicts = sfRows<{ n: string; c: number }>(
      `SELECT ERP_Customer_Number__c AS n, COUNT(*) AS c FROM Account WHERE ERP_Customer_Number__c IS NOT NULL AND IsDeleted = 0 GROUP BY 1 HAVING COUNT(*) > 1 ORDER BY 1`,
    );
    expect(report.conflictCount).toBe(conflicts.length);
    expect(report.conflicts.map((c: { customerNumber: string; accounts: unknown[] }) => [c.customerNumber, c.accounts.length])).toEqual(
      conflicts.map((c) => [c.n, c.c]),
    );
    // Prospects' count, conflicts (GROUP BY … HAVING) and their accounts are one call each; the anti-join
    // against the ERP's numbers reads every ERP number the CRM holds through one bulk query job, whatever
    // their number (more than one aggregate may answer): the same calls as on the small seed.
    expect(crmNumbers.size).toBeGreaterThan(2000);
    const { crm, erp } = stack.nativeCalls();
    expect(crm).toEqual({ 'Account.query': 3, ...IDENTITY_BULK_JOB });
    expect(erp).toEqual({ 'res.partner.search_read': 1 });
  });

  it('crmPipeline by owner and month, and opportunities by stage, match SQL within the 2,000-group limit', async () => {
    stack.resetNativeCalls();
    const data = await ok(`{
      opportunitiesByStage { stage opportunityCount amount { amount } }
      crmPipeline(period: MONTH, openOnly: true) { ownerEmail period stage opportunityCount amount { amount } }
    }`);
    const { crm } = stack.nativeCalls();
    const expected = sfRows<any>(
      `SELECT lower(u.Email) AS email, substr(o.CloseDate, 1, 7) AS period, o.StageName AS stage, COUNT(*) AS n, SUM(o.Amount) AS amount
       FROM Opportunity o JOIN User u ON u.Id = o.OwnerId WHERE o.IsClosed = 0 AND o.IsDeleted = 0 GROUP BY 1, 2, 3`,
    );
    // More groups than one aggregate may answer: the report is cut into close-date windows.
    expect(expected.length).toBeGreaterThan(2000);
    const owners = sfRows<{ n: number }>(
      `SELECT COUNT(DISTINCT OwnerId) AS n, COUNT(DISTINCT StageName) AS s FROM Opportunity WHERE IsClosed = 0 AND IsDeleted = 0`,
    )[0] as any;
    const months = sfRows<{ n: number }>(`SELECT COUNT(DISTINCT substr(CloseDate, 1, 7)) AS n FROM Opportunity WHERE IsClosed = 0 AND IsDeleted = 0`)[0]!.n;
    const perWindow = Math.max(1, Math.floor(2000 / (owners.n * owners.s)));
    expect(crm).toEqual({ 'Opportunity.query': 1 + 1 + Math.ceil(months / perWindow) });
    const byKey = new Map(expected.map((e) => [`${e.email}|${e.period}|${e.stage}`, e]));
    expect(data.crmPipeline).toHaveLength(expected.length);
    for (const b of data.crmPipeline) {
      const e = byKey.get(`${b.ownerEmail.toLowerCase()}|${b.period}|${b.stage}`)!;
      expect(b.opportunityCount).toBe(e.n);
      expect(b.amount.amount).toBeCloseTo(e.amount, 2);
    }
    const stages = sfRows<any>(`SELECT StageName AS stage, COUNT(*) AS n, SUM(Amount) AS amount FROM Opportunity WHERE IsDeleted = 0 GROUP BY 1 ORDER BY 1`);
    expect(data.opportunitiesByStage.map((s: any) => [s.stage, s.opportunityCount])).toEqual(stages.map((s) => [s.stage, s.n]));
  });

  it('caseCounts by product and by customer, and campaign results, match SQL in a fixed number of calls', async () => {
    stack.resetNativeCalls();
    const data = await ok(`{
      byProduct: caseCounts(by: PRODUCT, first: 1000) { key count }
      byCustomer: caseCounts(by: CUSTOMER, openOnly: true, first: 20) { key count customer { number } }
      campaigns(first: 100) { id results { memberCount respondedCount convertedLeadCount wonOpportunityCount wonOpportunityAmount { amount } } }
    }`);
    const products = sfRows<{ sku: string | null; n: number }>(`SELECT Product_SKU__c AS sku, COUNT(*) AS n FROM "Case" WHERE IsDeleted = 0 GROUP BY 1`);
    expect(new Map(data.byProduct.map((r: any) => [r.key, r.count]))).toEqual(new Map(products.map((p) => [p.sku, p.n])));
    const top = sfRows<{ n: number }>(
      `SELECT a.ERP_Customer_Number__c AS k, COUNT(*) AS n FROM "Case" c JOIN Account a ON a.Id = c.AccountId WHERE c.IsClosed = 0 AND c.IsDeleted = 0 GROUP BY 1 ORDER BY 2 DESC LIMIT 20`,
    );
    expect(data.byCustomer.map((r: any) => r.count)).toEqual(top.map((t) => t.n));
    const campaigns = sfRows<any>(
      `SELECT c.Id AS id, (SELECT COUNT(*) FROM CampaignMember m WHERE m.CampaignId = c.Id) AS members,
              (SELECT COUNT(*) FROM CampaignMember m WHERE m.CampaignId = c.Id AND m.HasResponded = 1) AS responded,
              (SELECT COUNT(*) FROM Opportunity o WHERE o.CampaignId = c.Id AND o.IsWon = 1) AS won,
              (SELECT COALESCE(SUM(o.Amount), 0) FROM Opportunity o WHERE o.CampaignId = c.Id AND o.IsWon = 1) AS wonAmount
       FROM Campaign c`,
    );
    expect(data.campaigns).toHaveLength(campaigns.length);
    const byId = new Map(campaigns.map((c) => [c.id, c]));
    for (const c of data.campaigns) {
      const e = byId.get(c.id)!;
      expect(c.results).toMatchObject({ memberCount: e.members, respondedCount: e.responded, wonOpportunityCount: e.won });
      expect(c.results.wonOpportunityAmount.amount).toBeCloseTo(e.wonAmount, 2);
    }
    // Two case aggregates; the campaign list and three result aggregates for all campaigns at once.
    expect(stack.nativeCalls().crm).toEqual({ 'Case.query': 2, 'Campaign.query': 1, 'CampaignMember.query': 2, 'Opportunity.query': 1 });
  });
});

describe('campaign ROI on the large seed', () => {
  it('takes touched customers from the CRM and their revenue from the ERP, and ROI joins them correctly', async () => {
    stack.resetNativeCalls();
    const data = await ok(`{ campaigns(first: 100) {
      id actualCost { amount } touchedCustomerNumbers
      touchedRevenue(from: "2025-01-01", to: "2026-10-31") { amount }
      roi(from: "2025-01-01", to: "2026-10-31")
    } }`);
    const calls = stack.nativeCalls();
    const touchedOf = stack.salesforce!.db.prepare(
      `SELECT DISTINCT a.ERP_Customer_Number__c AS n FROM CampaignMember m JOIN Contact k ON k.Id = m.ContactId JOIN Account a ON a.Id = k.AccountId WHERE m.CampaignId = ? AND a.ERP_Customer_Number__c IS NOT NULL
       UNION SELECT DISTINCT a.ERP_Customer_Number__c FROM CampaignMember m JOIN Lead l ON l.Id = m.LeadId JOIN Account a ON a.Id = l.ConvertedAccountId WHERE m.CampaignId = ? AND a.ERP_Customer_Number__c IS NOT NULL ORDER BY 1`,
    );
    const revenueOf = stack.odoo!.db.prepare(
      `SELECT COALESCE(SUM(CASE WHEN a.move_type = 'out_refund' THEN -a.amount_untaxed ELSE a.amount_untaxed END), 0) AS n FROM account_move a JOIN res_partner p ON p.id = a.partner_id
       WHERE p.ref IN (SELECT value FROM json_each(?)) AND a.move_type IN ('out_invoice', 'out_refund') AND a.state = 'posted' AND a.invoice_date BETWEEN '2025-01-01' AND '2026-10-31'`,
    );
    expect(data.campaigns.length).toBeGreaterThan(10);
    for (const c of data.campaigns) {
      const touched = (touchedOf.all(c.id, c.id) as { n: string }[]).map((t) => t.n);
      expect(c.touchedCustomerNumbers).toEqual(touched);
      const revenue = (revenueOf.get(JSON.stringify(touched)) as { n: number }).n;
      expect(c.touchedRevenue.amount).toBeCloseTo(revenue, 2);
      const cost = c.actualCost?.amount ?? 0;
      if (cost === 0) expect(c.roi).toBeNull();
      else expect(c.roi).toBeCloseTo((revenue - cost) / cost, 3);
    }
    // More (campaign, customer) pairs than one SOQL aggregate may answer: they come from one bulk query job.
    expect(data.campaigns.reduce((n: number, c: { touchedCustomerNumbers: string[] }) => n + c.touchedCustomerNumbers.length, 0)).toBeGreaterThan(2000);
    // Both sides cost what they cost on the small seed (areas-crm.test.ts, areas-erp.test.ts): the campaign
    // list and the bulk job on the CRM; one customer read and one read_group for every campaign on the ERP.
    expect(calls.crm).toEqual({ 'Campaign.query': 1, ...TOUCHED_BULK_JOB });
    expect(calls.erp).toEqual({ 'res.partner.search_read': 1, 'account.move.read_group': 1 });
  });
});
