/**
 * The CRM-owned integration areas through the live gateway, on the small seed:
 * identity, quotes checked against the ERP, quote approvals, staff load,
 * campaigns and leads, the sales process, service cases and orders. Answers are
 * compared with the emulators' databases (or the seed world); aggregates are
 * also held to their native-call cost, which must not grow with the number of
 * entities asked.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildWorld } from '../../emulators/seed/world.js';
import { nativeRounds } from '../../emulators/common/diagnostics.js';
import { startTestStack, type TestStack } from '../helpers/startStack.js';
import { IDENTITY_BULK_JOB, TOUCHED_BULK_JOB } from './crmReports.js';

const world = buildWorld('small');

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

/** Rows from the Salesforce emulator's database. */
function sf<T = any>(sql: string, ...params: unknown[]): T[] {
  return stack.salesforce!.db.prepare(sql).all(...params) as T[];
}

/** The one row an aggregate over the Salesforce database answers. */
function one<T = any>(sql: string, ...params: unknown[]): T {
  return stack.salesforce!.db.prepare(sql).get(...params) as T;
}

function odoo<T = any>(sql: string, ...params: unknown[]): T[] {
  return stack.odoo!.db.prepare(sql).all(...params) as T[];
}

const cents = (n: number) => Math.round(n * 100) / 100;

describe('customers (area 1): identity by the ERP number only', () => {
  it('lists prospects, conflicts and ERP customers missing from the CRM, from aggregates', async () => {
    stack.resetNativeCalls();
    const data = await ok(`{
      identityReport {
        unmatchedAccountCount unmatchedAccounts(first: 500) { id erpCustomerNumber }
        conflictCount conflicts { customerNumber accounts { id } }
        missingFromCrmCount missingFromCrm(first: 500) { number }
      }
    }`);
    const report = data.identityReport;

    const prospects = sf<{ Id: string }>(`SELECT Id FROM Account WHERE ERP_Customer_Number__c IS NULL AND IsDeleted = 0`);
    expect(report.unmatchedAccountCount).toBe(prospects.length);
    expect(report.unmatchedAccounts.map((a: { id: string }) => a.id).sort()).toEqual(prospects.map((p) => p.Id).sort());

    const conflicts = sf<{ n: string; ids: string }>(
      `SELECT ERP_Customer_Number__c AS n, GROUP_CONCAT(Id) AS ids FROM Account WHERE ERP_Customer_Number__c IS NOT NULL GROUP BY ERP_Customer_Number__c HAVING COUNT(*) > 1 ORDER BY n`,
    );
    expect(conflicts.length).toBeGreaterThan(0);
    expect(report.conflictCount).toBe(conflicts.length);
    expect(report.conflicts.map((c: { customerNumber: string; accounts: { id: string }[] }) => [c.customerNumber, c.accounts.map((a) => a.id).sort()])).toEqual(
      conflicts.map((c) => [c.n, c.ids.split(',').sort()]),
    );

    // The seed world's ERP-only customers are exactly the ones no CRM account claims.
    const missing = world.companies
      .filter((c) => c.inErp && !c.inCrm)
      .map((c) => c.erpNumber!)
      .sort();
    expect(report.missingFromCrmCount).toBe(missing.length);
    expect(report.missingFromCrm.map((c: { number: string }) => c.number)).toEqual(missing);

    // Fixed cost: CRM conflicts (GROUP BY … HAVING), the conflicting accounts, prospects, their count,
    // and one bulk query job (create, poll, results) reading every ERP number the CRM holds; the ERP
    // answers its list of numbers. The large seed costs the same (reports-large.test.ts).
    const calls = stack.nativeCalls();
    expect(calls.crm).toEqual({ 'Account.query': 4, ...IDENTITY_BULK_JOB });
    expect(calls.erpTotal).toBeLessThanOrEqual(2);
  });

  it('reaches a contact, its account and the ERP customer', async () => {
    const company = world.companies.find((c) => c.inErp && c.inCrm && !c.conflictingCrmAccountId)!;
    const [contact] = sf<{ Id: string; Email: string }>(`SELECT Id, Email FROM Contact WHERE AccountId = ? ORDER BY Id LIMIT 1`, company.crmAccountId);
    const data = await ok(
      `query ($id: ID!, $email: String!) {
      contact(id: $id) { id email account { id } customer { number legalName } campaignMemberships { campaign { id } } }
      contactsByEmail(email: $email) { id }
    }`,
      { id: contact!.Id, email: contact!.Email.toUpperCase() },
    );
    expect(data.contact.account.id).toBe(company.crmAccountId);
    expect(data.contact.customer).toEqual({ number: company.erpNumber, legalName: company.name });
    const memberships = sf(`SELECT CampaignId FROM CampaignMember WHERE ContactId = ?`, contact!.Id);
    expect(data.contact.campaignMemberships).toHaveLength(memberships.length);
    expect(data.contactsByEmail.map((c: { id: string }) => c.id)).toContain(contact!.Id);
  });
});

describe('products (area 2): quotes checked against ERP price, cost and stock', () => {
  it('checks each quote line against the ERP through @requires', async () => {
    const data = await ok(`{
      quotes(status: ["In Review"], first: 50) {
        id maxDiscountPercent
        lines {
          sku quantity unitPrice { amount } discountPercent
          priceCheck { netUnitPrice { amount } erpListPrice { amount } belowErpListPrice insufficientStock stockOnHand warnings }
          marginCheck { erpCost { amount } unitMargin { amount } belowCost marginPercent }
        }
      }
    }`);
    expect(data.quotes.length).toBeGreaterThan(0);
    for (const quote of data.quotes) {
      const lines = sf<{ Discount: number | null }>(`SELECT Discount FROM QuoteLineItem WHERE QuoteId = ?`, quote.id);
      expect(quote.maxDiscountPercent).toBe(Math.max(...lines.map((l) => l.Discount ?? 0)));
      expect(quote.maxDiscountPercent).toBeGreaterThan(15);
      for (const line of quote.lines) {
        const [product] = odoo<{ list_price: number; standard_price: number }>(
          `SELECT t.list_price, p.standard_price FROM product_product p JOIN product_template t ON t.id = p.product_tmpl_id WHERE p.default_code = ?`,
          line.sku,
        );
        const net = cents(line.unitPrice.amount * (1 - (line.discountPercent ?? 0) / 100));
        expect(line.priceCheck.netUnitPrice.amount).toBeCloseTo(net, 2);
        expect(line.priceCheck.erpListPrice.amount).toBeCloseTo(product!.list_price, 2);
        expect(line.priceCheck.belowErpListPrice).toBe(net < product!.list_price);
        expect(line.priceCheck.insufficientStock).toBe(line.priceCheck.stockOnHand < line.quantity);
        expect(line.marginCheck.erpCost.amount).toBeCloseTo(product!.standard_price, 2);
        expect(line.marginCheck.unitMargin.amount).toBeCloseTo(cents(net - product!.standard_price), 2);
        expect(line.marginCheck.belowCost).toBe(net < product!.standard_price);
      }
    }
  });

  it('quotes enterprise customers from their segment price book', async () => {
    const enterprise = world.companies.find((c) => c.inErp && c.inCrm && !c.conflictingCrmAccountId && c.segment === 'Enterprise')!;
    const smb = world.companies.find((c) => c.inErp && c.inCrm && !c.conflictingCrmAccountId && c.segment === 'SMB')!;
    const sku = world.products.find((p) => p.saleOk)!.sku;
    const data = await ok(
      `query ($e: ID!, $s: ID!, $sku: ID!) {
      product(sku: $sku) { listPrice { amount } e: priceFor(customerNumber: $e) { unitPrice { amount } priceBook { name segment } } s: priceFor(customerNumber: $s) { priceBook { isStandard } } }
      customer(number: $e) { priceBook { segment } }
    }`,
      { e: enterprise.erpNumber, s: smb.erpNumber, sku },
    );
    expect(data.product.e.priceBook).toEqual({ name: 'Enterprise Price Book', segment: 'Enterprise' });
    expect(data.product.e.unitPrice.amount).toBeCloseTo(cents(data.product.listPrice.amount * 0.95), 2);
    expect(data.product.s.priceBook.isStandard).toBe(true);
    expect(data.customer.priceBook.segment).toBe('Enterprise');
  });

  it('reads a quote by its 15- or 18-character id', async () => {
    const [line] = sf<{ Id: string; QuoteId: string }>(`SELECT Id, QuoteId FROM QuoteLineItem ORDER BY Id LIMIT 1`);
    const viaRoot = await ok(`query ($id: ID!) { quote(id: $id) { id lines { id } } }`, { id: line!.QuoteId.slice(0, 15) });
    expect(viaRoot.quote.id).toBe(line!.QuoteId);
    expect(viaRoot.quote.lines.map((l: { id: string }) => l.id)).toContain(line!.Id);
  });
});

describe('workflow (area 3, CRM side): quote approval processes', () => {
  it('shows pending approvals and follows an approval made through /process/approvals', async () => {
    const pending = sf<{ Id: string; TargetObjectId: string; ActorId: string }>(
      `SELECT w.Id, p.TargetObjectId, w.ActorId FROM ProcessInstanceWorkitem w JOIN ProcessInstance p ON p.Id = w.ProcessInstanceId ORDER BY w.Id`,
    );
    expect(pending.length).toBeGreaterThan(0);
    const target = pending[0]!;
    const before = await ok(`query ($id: ID!) { quote(id: $id) { status pendingApproval { workitemId approver { id } status } } }`, {
      id: target.TargetObjectId,
    });
    expect(before.quote).toEqual({ status: 'In Review', pendingApproval: { workitemId: target.Id, approver: { id: target.ActorId }, status: 'Pending' } });

    // Approve through the emulator's REST resource, as the workflow subgraph does.
    const tokenAnswer = await fetch(`${stack.salesforce!.url}/services/oauth2/token`, {
      method: 'POST',
      body: new URLSearchParams({
        grant_type: 'password',
        client_id: 'erp-crm-graph',
        client_secret: 'dev-secret',
        username: 'integration@example.com',
        password: 'dev-password',
      }),
    });
    const { access_token } = (await tokenAnswer.json()) as { access_token: string };
    const approve = () =>
      fetch(`${stack.salesforce!.url}/services/data/v60.0/process/approvals/`, {
        method: 'POST',
        headers: { authorization: `Bearer ${access_token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ requests: [{ actionType: 'Approve', contextId: target.Id, comments: 'Approved in test.' }] }),
      });
    const first = await approve();
    expect(first.status).toBe(200);
    expect(await first.json()).toMatchObject([{ success: true, instanceStatus: 'Approved', entityId: target.TargetObjectId }]);
    // The work item is gone: approving twice is refused, as on the platform.
    const second = await approve();
    expect(second.status).toBe(400);
    expect(await second.json()).toMatchObject([{ errorCode: 'INVALID_CROSS_REFERENCE_KEY' }]);

    const after = await ok(`query ($id: ID!) { quote(id: $id) { status pendingApproval { id } approvals { status comments completedAt } } }`, {
      id: target.TargetObjectId,
    });
    expect(after.quote.status).toBe('Approved');
    expect(after.quote.pendingApproval).toBeNull();
    expect(after.quote.approvals[0]).toMatchObject({ status: 'Approved', comments: 'Approved in test.' });
  });
});

describe('staff (area 4): role, territory and workload on User and Employee', () => {
  it('counts owned accounts, open opportunities and activities per owner with one GROUP BY each', async () => {
    stack.resetNativeCalls();
    const viaAccounts = await ok(
      `{ opportunities(openOnly: true, first: 200) { owner { id email role ownedAccountCount openOpportunityCount pipeline { opportunityCount amount { amount } } activityLoad { openTasks completedTasks overdueTasks } employee { workEmail ownedAccountCount openOpportunityCount activityLoad { openTasks } } } } }`,
    );
    const owners = new Map<string, any>();
    for (const o of viaAccounts.opportunities) owners.set(o.owner.id, o.owner);
    expect(owners.size).toBeGreaterThan(3);
    for (const owner of owners.values()) {
      const { n: accounts } = one<{ n: number }>(`SELECT COUNT(*) AS n FROM Account WHERE OwnerId = ? AND IsDeleted = 0`, owner.id);
      const { n: open, amount } = one<{ n: number; amount: number }>(
        `SELECT COUNT(*) AS n, SUM(Amount) AS amount FROM Opportunity WHERE OwnerId = ? AND IsClosed = 0`,
        owner.id,
      );
      const { n: openTasks } = one<{ n: number }>(`SELECT COUNT(*) AS n FROM Task WHERE OwnerId = ? AND IsClosed = 0`, owner.id);
      const { n: doneTasks } = one<{ n: number }>(`SELECT COUNT(*) AS n FROM Task WHERE OwnerId = ? AND IsClosed = 1`, owner.id);
      expect(owner.ownedAccountCount).toBe(accounts);
      expect(owner.openOpportunityCount).toBe(open);
      expect(owner.pipeline.opportunityCount).toBe(open);
      expect(owner.pipeline.amount.amount).toBeCloseTo(amount ?? 0, 2);
      expect(owner.activityLoad.openTasks).toBe(openTasks);
      expect(owner.activityLoad.completedTasks).toBe(doneTasks);
      // The Employee (keyed by work e-mail) sees the same numbers.
      expect(owner.employee).toMatchObject({ workEmail: owner.email, ownedAccountCount: accounts, openOpportunityCount: open, activityLoad: { openTasks } });
    }
    // Per owner key (OwnerId for users, Owner.Email for employees): one GROUP BY per measure, whatever the number of owners.
    const { crm } = stack.nativeCalls();
    expect(crm['Account.query']).toBe(2);
    // The list itself, then users' open count and pipeline, then employees' open count.
    expect(crm['Opportunity.query']).toBe(1 + 2 + 1);
    expect(crm['Task.query']).toBe(4);
    expect(crm['Event.query']).toBe(2);
  });
});

describe('marketing (area 5): campaigns, members, leads', () => {
  it('answers campaign results and touched ERP customers from aggregates, in a fixed number of calls', async () => {
    stack.resetNativeCalls();
    const data = await ok(`{
      campaigns(first: 50) {
        id
        results { memberCount contactMemberCount leadMemberCount respondedCount convertedLeadCount opportunityCount wonOpportunityCount wonOpportunityAmount { amount } }
        touchedCustomerNumbers
      }
    }`);
    const campaigns = sf<{ Id: string }>(`SELECT Id FROM Campaign`);
    expect(data.campaigns).toHaveLength(campaigns.length);
    for (const c of data.campaigns) {
      const [m] = sf(
        `SELECT COUNT(*) AS n, COUNT(ContactId) AS contacts, COUNT(LeadId) AS leads, SUM(HasResponded) AS responded FROM CampaignMember WHERE CampaignId = ?`,
        c.id,
      );
      const [conv] = sf(`SELECT COUNT(*) AS n FROM CampaignMember m JOIN Lead l ON l.Id = m.LeadId WHERE m.CampaignId = ? AND l.IsConverted = 1`, c.id);
      const [opp] = sf(
        `SELECT COUNT(*) AS n, SUM(IsWon) AS won, SUM(CASE WHEN IsWon = 1 THEN Amount ELSE 0 END) AS amount FROM Opportunity WHERE CampaignId = ?`,
        c.id,
      );
      expect(c.results).toMatchObject({
        memberCount: m.n,
        contactMemberCount: m.contacts,
        leadMemberCount: m.leads,
        respondedCount: m.responded ?? 0,
        convertedLeadCount: conv.n,
        opportunityCount: opp.n,
        wonOpportunityCount: opp.won ?? 0,
      });
      expect(c.results.wonOpportunityAmount.amount).toBeCloseTo(opp.amount ?? 0, 2);
      const touched = sf<{ n: string }>(
        `SELECT DISTINCT a.ERP_Customer_Number__c AS n FROM CampaignMember m JOIN Contact k ON k.Id = m.ContactId JOIN Account a ON a.Id = k.AccountId WHERE m.CampaignId = ? AND a.ERP_Customer_Number__c IS NOT NULL
         UNION SELECT DISTINCT a.ERP_Customer_Number__c FROM CampaignMember m JOIN Lead l ON l.Id = m.LeadId JOIN Account a ON a.Id = l.ConvertedAccountId WHERE m.CampaignId = ? AND a.ERP_Customer_Number__c IS NOT NULL ORDER BY 1`,
        c.id,
        c.id,
      );
      expect(c.touchedCustomerNumbers).toEqual(touched.map((t) => t.n));
    }
    expect(data.campaigns.some((c: any) => c.results.convertedLeadCount > 0)).toBe(true);
    // Campaign list, three result aggregates, and one bulk query job for the touched customers of every
    // campaign (create, poll, results). The large seed costs the same (reports-large.test.ts).
    expect(stack.nativeCalls().crm).toEqual({ 'Campaign.query': 1, 'CampaignMember.query': 2, 'Opportunity.query': 1, ...TOUCHED_BULK_JOB });
  });

  it('reaches leads, their conversion and the campaigns of a customer', async () => {
    const [lead] = sf<{ Id: string; ConvertedAccountId: string }>(
      `SELECT l.Id, l.ConvertedAccountId FROM Lead l JOIN CampaignMember m ON m.LeadId = l.Id WHERE l.IsConverted = 1 ORDER BY l.Id LIMIT 1`,
    );
    const data = await ok(
      `query ($id: ID!) { lead(id: $id) { isConverted convertedAccount { id customer { number } convertedLeads { id } campaigns { id } } campaignMemberships { campaign { id } } } leadFunnel { status count } }`,
      { id: lead!.Id },
    );
    expect(data.lead.isConverted).toBe(true);
    expect(data.lead.convertedAccount.id).toBe(lead!.ConvertedAccountId);
    expect(data.lead.convertedAccount.convertedLeads.map((l: { id: string }) => l.id)).toContain(lead!.Id);
    const campaignIds = data.lead.campaignMemberships.map((m: { campaign: { id: string } }) => m.campaign.id);
    for (const id of campaignIds) expect(data.lead.convertedAccount.campaigns.map((c: { id: string }) => c.id)).toContain(id);
    const funnel = sf<{ Status: string; n: number }>(`SELECT Status, COUNT(*) AS n FROM Lead GROUP BY Status ORDER BY Status`);
    expect(data.leadFunnel).toEqual(funnel.map((f) => ({ status: f.Status, count: f.n })));
  });
});

describe('sales process (area 6) and reports (areas 9, 10)', () => {
  it('groups opportunities by stage in one call and the pipeline by owner and quarter in two', async () => {
    stack.resetNativeCalls();
    const data = await ok(`{
      opportunitiesByStage { stage isClosed isWon opportunityCount amount { amount } }
      crmPipeline(period: QUARTER, openOnly: true, from: "2026-01-01", to: "2027-12-31") { ownerEmail period stage opportunityCount amount { amount } }
    }`);
    // Stages: one GROUP BY. Pipeline: one small aggregate sizing the windows, then one GROUP BY per
    // window of close dates that stays under Salesforce's 2,000 groups (one window on the small seed).
    expect(stack.nativeCalls().crm).toEqual({ 'Opportunity.query': 3 });
    const stages = sf<any>(`SELECT StageName, IsClosed, IsWon, COUNT(*) AS n, SUM(Amount) AS amount FROM Opportunity GROUP BY StageName ORDER BY StageName`);
    expect(data.opportunitiesByStage.map((s: any) => [s.stage, s.isClosed, s.isWon, s.opportunityCount])).toEqual(
      stages.map((s) => [s.StageName, s.IsClosed === 1, s.IsWon === 1, s.n]),
    );
    const buckets = sf<any>(
      `SELECT u.Email AS email, substr(o.CloseDate, 1, 4) || '-Q' || ((CAST(substr(o.CloseDate, 6, 2) AS INTEGER) + 2) / 3) AS period, o.StageName AS stage, COUNT(*) AS n, SUM(o.Amount) AS amount
       FROM Opportunity o JOIN User u ON u.Id = o.OwnerId WHERE o.IsClosed = 0 AND o.CloseDate >= '2026-01-01' AND o.CloseDate <= '2027-12-31' GROUP BY 1, 2, 3`,
    );
    const key = (b: { email?: string; ownerEmail?: string; period: string; stage: string }) =>
      `${(b.email ?? b.ownerEmail)!.toLowerCase()}|${b.period}|${b.stage}`;
    const expected = new Map(buckets.map((b) => [key(b), b]));
    expect(data.crmPipeline).toHaveLength(buckets.length);
    for (const b of data.crmPipeline) {
      const e = expected.get(key(b))!;
      expect(b.opportunityCount).toBe(e.n);
      expect(b.amount.amount).toBeCloseTo(e.amount, 2);
    }
  });

  it('reaches opportunities, activities and stage summaries from the ERP customer', async () => {
    const company = world.companies.find(
      (c) => c.inErp && c.inCrm && !c.conflictingCrmAccountId && world.opportunities.filter((o) => o.accountId === c.crmAccountId).length >= 2,
    )!;
    const data = await ok(
      `query ($n: ID!) { customer(number: $n) { opportunities(first: 50) { id activities { kind } } opportunitiesByStage { stage opportunityCount } activities(openOnly: false, first: 100) { id kind } } }`,
      { n: company.erpNumber },
    );
    const opps = sf<{ Id: string }>(`SELECT Id FROM Opportunity WHERE AccountId = ?`, company.crmAccountId);
    expect(data.customer.opportunities.map((o: { id: string }) => o.id).sort()).toEqual(opps.map((o) => o.Id).sort());
    const stageTotal = data.customer.opportunitiesByStage.reduce((s: number, x: { opportunityCount: number }) => s + x.opportunityCount, 0);
    expect(stageTotal).toBe(opps.length);
    const { n: tasks } = one<{ n: number }>(`SELECT COUNT(*) AS n FROM Task WHERE AccountId = ?`, company.crmAccountId);
    const { n: events } = one<{ n: number }>(`SELECT COUNT(*) AS n FROM Event WHERE AccountId = ?`, company.crmAccountId);
    expect(data.customer.activities).toHaveLength(tasks + events);
  });

  const CUSTOMER_LISTS = `query ($n: ID!) { customer(number: $n) {
    opportunities(first: 50) { id } opportunitiesByStage { stage opportunityCount } activities(openOnly: false, first: 100) { id } cases(first: 50) { id }
  } }`;

  it("reads a customer's opportunities, stage summary, activities and cases beside its account: one round of CRM calls", async () => {
    const company = world.companies.find((c) => c.inErp && c.inCrm && !c.conflictingCrmAccountId && world.cases.some((k) => k.accountId === c.crmAccountId))!;
    await ok(CUSTOMER_LISTS, { n: company.erpNumber }); // logins are made once per process, before the timeline
    const latency = stack.salesforce!.latency;
    latency.timeline.length = 0;
    Object.assign(latency, { ms: 100, recording: true });
    try {
      stack.resetNativeCalls();
      const data = await ok(CUSTOMER_LISTS, { n: company.erpNumber });
      // Calls sent together all arrive before any is answered; one that waited for another arrives after it.
      expect(nativeRounds(latency.timeline)).toBe(1);
      expect(stack.nativeCalls().crm).toEqual({ 'Account.query': 1, 'Opportunity.query': 2, 'Task.query': 1, 'Event.query': 1, 'Case.query': 1 });
      const cases = sf<{ Id: string }>(`SELECT Id FROM "Case" WHERE AccountId = ?`, company.crmAccountId);
      expect(data.customer.cases.map((c: { id: string }) => c.id).sort()).toEqual(cases.map((c) => c.Id).sort());
    } finally {
      Object.assign(latency, { ms: 0, recording: false });
    }
  });

  it('shows none of the records of a number several accounts carry (CONFLICT)', async () => {
    const records = (accountId: string) =>
      one<{ n: number }>(
        `SELECT (SELECT COUNT(*) FROM Opportunity WHERE AccountId = ?) + (SELECT COUNT(*) FROM Task WHERE AccountId = ?) + (SELECT COUNT(*) FROM "Case" WHERE AccountId = ?) AS n`,
        accountId,
        accountId,
        accountId,
      ).n;
    const conflict = world.companies.find((c) => c.inErp && c.conflictingCrmAccountId && records(c.crmAccountId!) + records(c.conflictingCrmAccountId!) > 0)!;
    expect(conflict).toBeDefined();
    const data = await ok(CUSTOMER_LISTS, { n: conflict.erpNumber });
    expect(data.customer).toEqual({ opportunities: [], opportunitiesByStage: [], activities: [], cases: [] });
  });
});

describe('service (area 7): cases from the CRM and from the ERP', () => {
  it('gives case details with the ERP order and product they are about', async () => {
    const [row] = sf<any>(
      `SELECT c.Id, c.ERP_Order_Number__c AS erpOrder, c.Product_SKU__c AS sku, a.ERP_Customer_Number__c AS customer FROM "Case" c JOIN Account a ON a.Id = c.AccountId WHERE c.ERP_Order_Number__c IS NOT NULL ORDER BY c.Id LIMIT 1`,
    );
    expect(row).toBeDefined();
    const data = await ok(
      `query ($id: ID!) { case(id: $id) { id customerNumber customer { number } erpOrderNumber salesOrder { number customerNumber lines { product { sku } } } productSku product { sku name } } }`,
      { id: row.Id },
    );
    expect(data.case).toMatchObject({ id: row.Id, customerNumber: row.customer, erpOrderNumber: row.erpOrder, productSku: row.sku, product: { sku: row.sku } });
    // The order named on the case is that customer's and holds the product complained about.
    expect(data.case.salesOrder.customerNumber).toBe(row.customer);
    expect(data.case.salesOrder.lines.map((l: { product: { sku: string } }) => l.product.sku)).toContain(row.sku);

    const fromErp = await ok(`query ($n: ID!) { salesOrder(number: $n) { cases { id } } }`, { n: row.erpOrder });
    const onOrder = sf<{ Id: string }>(`SELECT Id FROM "Case" WHERE ERP_Order_Number__c = ?`, row.erpOrder);
    expect(fromErp.salesOrder.cases.map((c: { id: string }) => c.id).sort()).toEqual(onOrder.map((c) => c.Id).sort());
  });

  it('filters cases and counts them by customer and product in one GROUP BY each', async () => {
    const company = world.companies.find((c) => c.inErp && c.inCrm && world.cases.filter((k) => k.accountId === c.crmAccountId).length >= 2)!;
    const data = await ok(
      `query ($n: ID!) { cases(customerNumber: $n, first: 100) { id } byProduct: caseCounts(by: PRODUCT, openOnly: true) { key count product { sku } } }`,
      { n: company.erpNumber },
    );
    const cases = sf<{ Id: string }>(`SELECT c.Id FROM "Case" c JOIN Account a ON a.Id = c.AccountId WHERE a.ERP_Customer_Number__c = ?`, company.erpNumber);
    expect(data.cases.map((c: { id: string }) => c.id).sort()).toEqual(cases.map((c) => c.Id).sort());
    const byProduct = sf<{ sku: string | null; n: number }>(
      `SELECT Product_SKU__c AS sku, COUNT(*) AS n FROM "Case" WHERE IsClosed = 0 GROUP BY Product_SKU__c`,
    );
    expect(new Map(data.byProduct.map((r: { key: string | null; count: number }) => [r.key, r.count]))).toEqual(new Map(byProduct.map((r) => [r.sku, r.n])));

    // Case counts for many customers at once: one SOQL GROUP BY for all of them.
    stack.resetNativeCalls();
    const many = await ok(`{ customers(first: 60) { nodes { number caseCount openCount: caseCount(openOnly: true) } } }`);
    expect(stack.nativeCalls().crm).toEqual({ 'Case.query': 2 });
    for (const c of many.customers.nodes) {
      const { n } = one<{ n: number }>(`SELECT COUNT(*) AS n FROM "Case" c JOIN Account a ON a.Id = c.AccountId WHERE a.ERP_Customer_Number__c = ?`, c.number);
      expect(c.caseCount).toBe(n);
    }
  });
});

describe('orders (area 8): ERP orders from CRM accounts, opportunities and quotes', () => {
  it('follows a won opportunity to the ERP order it became', async () => {
    const opp = world.opportunities.find((o) => o.erpOrderNumber)!;
    const data = await ok(
      `query ($id: ID!) { opportunity(id: $id) { erpOrderNumber erpSalesOrder { number customerNumber } account { customer { salesOrders(first: 100) { number } } } } }`,
      { id: opp.id },
    );
    expect(data.opportunity.erpOrderNumber).toBe(opp.erpOrderNumber);
    expect(data.opportunity.erpSalesOrder.number).toBe(opp.erpOrderNumber);
    expect(data.opportunity.account.customer.salesOrders.map((o: { number: string }) => o.number)).toContain(opp.erpOrderNumber);
  });
});
