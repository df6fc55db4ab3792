/**
 * The cross-system reports on the LARGE seed (tens of thousands of customers,
 * hundreds of thousands of order lines). Shared by the ERP and CRM sides: every
 * large-seed assertion lives in this one file, so the large databases are
 * seeded once per run.
 *
 * Each report must answer what direct SQL over the emulators' databases
 * answers, at exactly the native-call cost it has on the small seed: totals
 * are pushed down to the systems (read_group, SOQL GROUP BY), never summed by
 * paging through records.
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

let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack({ seedSize: 'large', dataDir: '/tmp/bwork/largestack' });
}, 1_500_000);

afterAll(async () => {
  await stack?.stop();
});

async function ok<T = any>(query: string, variables?: Record<string, unknown>): Promise<T> {
  const { data, errors } = await stack.query<T>(query, variables);
  expect(errors).toBeUndefined();
  return data!;
}

// --- CRM-rooted reports (developer B): SOQL aggregates only ------------------------------

describe('CRM-rooted reports on the large seed', () => {
  const sfRows = <T = any>(sql: string, ...params: unknown[]) => stack.salesforce!.db.prepare(sql).all(...params) as T[];

  it('identityReport: prospects, conflicts and ERP customers missing from the CRM match SQL', async () => {
    stack.resetNativeCalls();
    const data = await ok(`{ identityReport { unmatchedAccountCount conflictCount conflicts { customerNumber accounts { id } } missingFromCrmCount missingFromCrm(first: 5000) { number } } }`);
    const report = data.identityReport;
    // The ERP's customers are the seed world's (both emulators are built from it).
    const erpNumbers = buildWorld('large')
      .companies.filter((c) => c.inErp)
      .map((c) => c.erpNumber!)
      .sort();
    const crmNumbers = new Set(sfRows<{ n: string }>(`SELECT DISTINCT ERP_Customer_Number__c AS n FROM Account WHERE ERP_Customer_Number__c IS NOT NULL AND IsDeleted = 0`).map((r) => r.n));
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
    expect(report.conflicts.map((c: { customerNumber: string; accounts: unknown[] }) => [c.customerNumber, c.accounts.length])).toEqual(conflicts.map((c) => [c.n, c.c]));
    // Prospects' count, conflicts (GROUP BY … HAVING) and their accounts are one call each; the anti-join
    // against the ERP's numbers is one GROUP BY per block of 1,800 numbers (run in parallel), never raw accounts.
    const { crm } = stack.nativeCalls();
    expect(crm['Account.query']).toBe(3 + Math.ceil(erpNumbers.length / 1800));
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
    const owners = sfRows<{ n: number }>(`SELECT COUNT(DISTINCT OwnerId) AS n, COUNT(DISTINCT StageName) AS s FROM Opportunity WHERE IsClosed = 0 AND IsDeleted = 0`)[0] as any;
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
