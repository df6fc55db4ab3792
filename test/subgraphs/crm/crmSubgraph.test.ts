/**
 * The CRM subgraph end to end: started on port 0 against the Salesforce
 * emulator, queried through `_entities` as the gateway would, and answers
 * cross-checked against the seed world the emulator was built from.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { salesforceId } from '../../../emulators/seed/salesforceId.js';
import { buildWorld } from '../../../emulators/seed/world.js';
import { entities, graphql, startCrm, startEmulator, type Emulator } from './helpers.js';

const world = buildWorld('small');
const matched = world.companies.filter((c) => c.inErp && c.inCrm && !c.conflictingCrmAccountId);
const conflicted = world.companies.filter((c) => c.conflictingCrmAccountId);
const erpOnly = world.companies.filter((c) => c.inErp && !c.inCrm);
const prospects = world.companies.filter((c) => !c.inErp && c.inCrm);
const isOpenStage = (stage: string) => stage !== 'Closed Won' && stage !== 'Closed Lost';
const employeeByEmail = new Map(world.employees.map((e) => [e.workEmail, e]));

let emulator: Emulator;
let stopEmulator: () => Promise<void>;
let crm: Awaited<ReturnType<typeof startCrm>>;

beforeAll(async () => {
  ({ emulator, stop: stopEmulator } = await startEmulator());
  crm = await startCrm(emulator.url);
});

afterAll(async () => {
  await crm?.stop();
  await stopEmulator?.();
});

const CUSTOMER = `... on Customer {
  number crmIdentity accountId segment industry
  account { id name }
  crmAccounts { id erpCustomerNumber }
  owner { id email name }
  contacts { id name email }
  openOpportunities { id stage isClosed amount { amount currencyCode } }
  openCases { id caseNumber status createdAt product { sku } }
}`;

describe('Customer entities', () => {
  it('MATCHED: the one account carrying the ERP number, and everything read from it', async () => {
    const company = matched.find(
      (c) =>
        world.cases.some((k) => k.accountId === c.crmAccountId && k.status !== 'Closed') &&
        world.opportunities.some((o) => o.accountId === c.crmAccountId && isOpenStage(o.stage)),
    )!;
    const [customer] = await entities(crm.url, CUSTOMER, [{ __typename: 'Customer', number: company.erpNumber }]);
    const owner = employeeByEmail.get(company.ownerEmail)!;
    expect(customer).toMatchObject({
      number: company.erpNumber,
      crmIdentity: 'MATCHED',
      accountId: company.crmAccountId,
      segment: company.segment,
      industry: company.industry,
      account: { id: company.crmAccountId, name: company.name },
      crmAccounts: [{ id: company.crmAccountId, erpCustomerNumber: company.erpNumber }],
      owner: { id: owner.crmUserId, email: owner.workEmail, name: owner.name },
    });
    expect(customer.contacts.map((c: { email: string }) => c.email).sort()).toEqual(company.contacts.map((c) => c.email).sort());
    const open = world.opportunities.filter((o) => o.accountId === company.crmAccountId && isOpenStage(o.stage));
    expect(customer.openOpportunities.map((o: { id: string }) => o.id).sort()).toEqual(open.map((o) => o.id).sort());
    expect(customer.openOpportunities[0].amount.currencyCode).toBe('EUR');
    const openCases = world.cases.filter((k) => k.accountId === company.crmAccountId && k.status !== 'Closed');
    expect(customer.openCases.map((k: { id: string }) => k.id).sort()).toEqual(openCases.map((k) => k.id).sort());
    for (const k of customer.openCases) {
      expect(k.createdAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/);
      expect(k.product?.sku ?? null).toBe(openCases.find((w) => w.id === k.id)!.productSku);
    }
  });

  it('MISSING: no account, nothing derived from one', async () => {
    const [customer] = await entities(crm.url, CUSTOMER, [{ __typename: 'Customer', number: erpOnly[0]!.erpNumber }]);
    expect(customer).toEqual({
      number: erpOnly[0]!.erpNumber,
      crmIdentity: 'MISSING',
      accountId: null,
      segment: null,
      industry: null,
      account: null,
      crmAccounts: [],
      owner: null,
      contacts: [],
      openOpportunities: [],
      openCases: [],
    });
  });

  it('CONFLICT: every claiming account is listed, none is chosen', async () => {
    expect(conflicted.length).toBeGreaterThan(0);
    const company = conflicted[0]!;
    const [customer] = await entities(crm.url, CUSTOMER, [{ __typename: 'Customer', number: company.erpNumber }]);
    expect(customer).toMatchObject({
      crmIdentity: 'CONFLICT',
      account: null,
      accountId: null,
      segment: null,
      owner: null,
      contacts: [],
      openOpportunities: [],
      openCases: [],
    });
    expect(customer.crmAccounts.map((a: { id: string }) => a.id).sort()).toEqual([company.crmAccountId, company.conflictingCrmAccountId].sort());
  });
});

describe('other entities', () => {
  it('Account by 18- or 15-character id; unknown and malformed ids are null', async () => {
    const company = matched[7]!;
    const prospect = prospects[0]!;
    const rows = await entities(crm.url, '... on Account { id name type segment erpCustomerNumber customer { number crmIdentity } owner { email } }', [
      { __typename: 'Account', id: company.crmAccountId },
      { __typename: 'Account', id: prospect.crmAccountId!.slice(0, 15) },
      { __typename: 'Account', id: salesforceId('Account', 777_777) },
      { __typename: 'Account', id: "x' OR Id != '" },
    ]);
    expect(rows[0]).toMatchObject({
      id: company.crmAccountId,
      name: company.name,
      segment: company.segment,
      erpCustomerNumber: company.erpNumber,
      customer: { number: company.erpNumber, crmIdentity: 'MATCHED' },
      owner: { email: company.ownerEmail },
    });
    expect(rows[1]).toMatchObject({ id: prospect.crmAccountId, erpCustomerNumber: null, customer: null });
    expect(rows[2]).toBeNull();
    expect(rows[3]).toBeNull();
  });

  it('User by id, Employee by work e-mail (staff without a CRM login have none)', async () => {
    const rep = world.employees.find((e) => e.crmUserId && e.territory)!;
    const staff = world.employees.find((e) => !e.crmUserId)!;
    const users = await entities(crm.url, '... on User { id name email title territory employee { workEmail } }', [
      { __typename: 'User', id: rep.crmUserId },
      { __typename: 'User', id: salesforceId('User', 4242) },
    ]);
    expect(users[0]).toMatchObject({
      id: rep.crmUserId,
      name: rep.name,
      email: rep.workEmail,
      territory: rep.territory,
      employee: { workEmail: rep.workEmail },
    });
    expect(users[1]).toBeNull();
    const employees = await entities(crm.url, '... on Employee { workEmail crmUser { id email } }', [
      { __typename: 'Employee', workEmail: rep.workEmail },
      { __typename: 'Employee', workEmail: staff.workEmail },
    ]);
    expect(employees).toEqual([
      { workEmail: rep.workEmail, crmUser: { id: rep.crmUserId, email: rep.workEmail } },
      { workEmail: staff.workEmail, crmUser: null },
    ]);
  });

  it('Product by SKU: price-book entries and open quote lines; products outside the CRM have none', async () => {
    const product = world.products.find((p) => p.saleOk && p.kind === 'finished')!;
    const component = world.products.find((p) => !p.saleOk)!;
    const rows = await entities(
      crm.url,
      `... on Product { sku
        priceBookEntries { id priceBookName isStandardPriceBook isActive unitPrice { amount currencyCode } }
        openQuoteLines { id quantity discountPercent unitPrice { amount } totalPrice { amount } quote { id name status opportunity { id } account { id } } } }`,
      [
        { __typename: 'Product', sku: product.sku },
        { __typename: 'Product', sku: component.sku },
      ],
    );
    const standard = rows[0].priceBookEntries.find((e: { isStandardPriceBook: boolean }) => e.isStandardPriceBook);
    expect(standard.unitPrice).toEqual({ amount: product.listPrice, currencyCode: 'EUR' });
    for (const line of rows[0].openQuoteLines) expect(['Accepted', 'Denied', 'Rejected']).not.toContain(line.quote.status);
    expect(rows[1]).toEqual({ sku: component.sku, priceBookEntries: [], openQuoteLines: [] });
  });

  it('Opportunity by id, with account and owner', async () => {
    const opp = world.opportunities.find((o) => o.stage === 'Closed Won')!;
    const [row, unknown] = await entities(
      crm.url,
      '... on Opportunity { id name stage probability closeDate isClosed isWon amount { amount currencyCode } account { id } owner { email } }',
      [
        { __typename: 'Opportunity', id: opp.id },
        { __typename: 'Opportunity', id: salesforceId('Opportunity', 888_888) },
      ],
    );
    expect(row).toEqual({
      id: opp.id,
      name: opp.name,
      stage: opp.stage,
      probability: opp.probability,
      closeDate: opp.closeDate,
      isClosed: true,
      isWon: true,
      amount: { amount: opp.amount, currencyCode: 'EUR' },
      account: { id: opp.accountId },
      owner: { email: opp.ownerEmail },
    });
    expect(unknown).toBeNull();
  });

  it('SalesOrder: account and owner from the customer number, opportunity from client_order_ref', async () => {
    const order = [...world.salesOrders()].find((o) => o.clientOrderRef && matched.some((c) => c.index === o.companyIndex))!;
    const company = world.companies.find((c) => c.index === order.companyIndex)!;
    const selection = '... on SalesOrder { number account { id } accountOwner { email } opportunity { id stage } }';
    const rows = await entities(crm.url, selection, [
      { __typename: 'SalesOrder', number: order.number, customerNumber: company.erpNumber, clientOrderRef: order.clientOrderRef },
      { __typename: 'SalesOrder', number: 'S99998', customerNumber: company.erpNumber, clientOrderRef: order.clientOrderRef!.slice(0, 15) },
      { __typename: 'SalesOrder', number: 'S99999', customerNumber: conflicted[0]!.erpNumber, clientOrderRef: 'PO-4711' },
      { __typename: 'SalesOrder', number: 'S99997', customerNumber: null, clientOrderRef: null },
      { __typename: 'SalesOrder', number: 'S99996', customerNumber: erpOnly[0]!.erpNumber, clientOrderRef: salesforceId('Account', 1) },
    ]);
    expect(rows[0]).toEqual({
      number: order.number,
      account: { id: company.crmAccountId },
      accountOwner: { email: company.ownerEmail },
      opportunity: { id: order.clientOrderRef, stage: 'Closed Won' },
    });
    expect(rows[1]!.opportunity).toEqual({ id: order.clientOrderRef, stage: 'Closed Won' });
    expect(rows[2]).toEqual({ number: 'S99999', account: null, accountOwner: null, opportunity: null });
    expect(rows[3]).toEqual({ number: 'S99997', account: null, accountOwner: null, opportunity: null });
    expect(rows[4]).toEqual({ number: 'S99996', account: null, accountOwner: null, opportunity: null });
  });

  it('SalesOrder whose client_order_ref is a quote id reaches the quote’s opportunity', async () => {
    const quotes = await graphql(
      crm.url,
      `
        query ($r: [_Any!]!) {
          _entities(representations: $r) {
            ... on Product {
              openQuoteLines {
                quote {
                  id
                  opportunity {
                    id
                  }
                }
              }
            }
          }
        }
      `,
      {
        r: world.products.filter((p) => p.saleOk).map((p) => ({ __typename: 'Product', sku: p.sku })),
      },
    );
    const quote = (quotes.data?._entities as any[])
      .flatMap((p) => p.openQuoteLines)
      .map((l) => l.quote)
      .find((q) => q.opportunity);
    if (!quote) return; // the seed has no open quotes with an opportunity: nothing to follow
    const [row] = await entities(crm.url, '... on SalesOrder { opportunity { id } }', [
      { __typename: 'SalesOrder', number: 'S00001', customerNumber: null, clientOrderRef: quote.id },
    ]);
    expect(row).toEqual({ opportunity: { id: quote.opportunity.id } });
  });
});

describe('root fields', () => {
  it('answer by id, null for unknown ids, BAD_USER_INPUT naming the argument for non-ids', async () => {
    const company = matched[1]!;
    const ok = await graphql(crm.url, 'query ($id: ID!) { account(id: $id) { id name } user(id: $id) { id } }', { id: company.crmAccountId!.slice(0, 15) });
    expect(ok).toEqual({ data: { account: { id: company.crmAccountId, name: company.name }, user: null } });
    const bad = await graphql(crm.url, '{ opportunity(id: "006-nope") { id } }');
    expect(bad.data).toEqual({ opportunity: null });
    expect(bad.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argumentName: 'id' });
    expect(bad.errors![0]!.message).toMatch(/Expected argument "id" to be a 15- or 18-character Salesforce Opportunity id.*"006-nope"/);
  });
});

describe('native calls', () => {
  const selection = `... on Customer { crmIdentity segment owner { name email } contacts { name } openOpportunities { name owner { name } } openCases { subject } }`;
  const customers = world.companies.filter((c) => c.inErp);

  async function callsFor(count: number): Promise<Record<string, number>> {
    emulator.calls.reset();
    const rows = await entities(
      crm.url,
      selection,
      customers.slice(0, count).map((c) => ({ __typename: 'Customer', number: c.erpNumber })),
    );
    expect(rows).toHaveLength(count);
    const { calls } = emulator.calls.snapshot() as { calls: Record<string, number> };
    return Object.fromEntries(Object.entries(calls).filter(([k]) => k !== 'oauth.token'));
  }

  it('50 Customer representations cost the same native calls as 5', async () => {
    await callsFor(1); // warm the session
    const five = await callsFor(5);
    const fifty = await callsFor(50);
    expect(fifty).toEqual(five);
    // Accounts with their owners, contacts, opportunities (with owners) and cases: one query, the lists as subqueries.
    expect(fifty).toEqual({ 'Account.query': 1 });
  });

  it("with native batching off (the benchmark's baseline of plain resolvers), one query per customer and part", async () => {
    const plain = await startCrm(emulator.url, { nativeBatching: false });
    try {
      await entities(plain.url, '... on Customer { segment }', [{ __typename: 'Customer', number: customers[0]!.erpNumber }]); // log in
      emulator.calls.reset();
      const rows = await entities(
        plain.url,
        selection,
        customers.slice(0, 5).map((c) => ({ __typename: 'Customer', number: c.erpNumber })),
      );
      expect(rows).toHaveLength(5);
      const { calls } = emulator.calls.snapshot() as { calls: Record<string, number> };
      expect(calls).toEqual({ 'Account.query': 5, 'Contact.query': 5, 'Opportunity.query': 5, 'Case.query': 5 });
    } finally {
      await plain.stop();
    }
  });
});

describe('a page of customer entities', () => {
  const representations = world.companies
    .filter((c) => c.inErp)
    .slice(0, 10)
    .map((c) => ({ __typename: 'Customer', number: c.erpNumber }));
  async function run(fragment: string, variables: Record<string, unknown> = {}) {
    emulator.calls.reset();
    const definitions = Object.keys(variables).map((name) => `, $${name}: Boolean!`);
    const query = `query ($r: [_Any!]!${definitions.join('')}) { _entities(representations: $r) { ...Crm } } fragment Crm on Customer { ${fragment} }`;
    const answer = await graphql<{ _entities: any[] }>(crm.url, query, { r: representations, ...variables });
    const { calls } = emulator.calls.snapshot() as { calls: Record<string, number> };
    return { answer, calls: Object.fromEntries(Object.entries(calls).filter(([k]) => k !== 'oauth.token')) };
  }

  afterAll(() => emulator.faults.clear());

  it('reads only the lists the selection asks for, through fragments and @skip / @include', async () => {
    expect((await run('number')).calls).toEqual({});
    expect((await run('number segment industry')).calls).toEqual({ 'Account.query': 1 });
    const { answer, calls } = await run('segment contacts { name } openOpportunities @skip(if: true) { name } openCases @include(if: $withCases) { subject }', {
      withCases: false,
    });
    // The account lookup and the one list asked for, in one query.
    expect(calls).toEqual({ 'Account.query': 1 });
    expect(answer.errors).toBeUndefined();
    expect(Object.keys(answer.data!._entities[0]).sort()).toEqual(['contacts', 'segment']);
  });

  it('reports a failed account lookup on each field that reads it, keeping the customer and its key', async () => {
    emulator.faults.set([{ match: { object: 'Account' }, fault: 'requestLimitExceeded' }]);
    try {
      const { answer } = await run('number segment industry');
      expect(answer.data!._entities[0]).toEqual({ number: representations[0]!.number, segment: null, industry: null });
      expect(answer.errors!.filter((e) => e.path?.[1] === 0).map((e) => [e.path![2], e.extensions!.code])).toEqual([
        ['segment', 'NATIVE_SYSTEM_ERROR'],
        ['industry', 'NATIVE_SYSTEM_ERROR'],
      ]);
    } finally {
      emulator.faults.clear();
    }
  });

  it('reads each part on its own when Salesforce refuses the combined query, and reports a failed list on that list alone', async () => {
    // The integration user cannot see cases: Salesforce refuses any query that reads them, subqueries included.
    emulator.faults.set([{ match: { object: 'Case' }, fault: 'accessDenied' }]);
    try {
      const { answer, calls } = await run('segment contacts { name } openCases { subject }');
      // The lists are non-null, so the customer itself is null; the error names the list that failed.
      expect(answer.data!._entities[0]).toBeNull();
      expect(new Set(answer.errors!.map((e) => e.path?.[2]))).toEqual(new Set(['openCases']));
      expect(answer.errors![0]!.extensions).toMatchObject({ code: 'NATIVE_SYSTEM_ERROR', system: 'crm', nativeError: 'INVALID_TYPE' });
      // The refused combined query, then the accounts, the contacts and the (refused) cases, each alone.
      expect(calls).toEqual({ 'Account.query': 2, 'Contact.query': 1, 'Case.query': 1 });
      // Without the fault, the same selection is one query again.
      emulator.faults.clear();
      expect((await run('segment contacts { name } openCases { subject }')).calls).toEqual({ 'Account.query': 1 });
    } finally {
      emulator.faults.clear();
    }
  });
});

describe('Salesforce limits', () => {
  it('keeps the last Sforce-Limit-Info for health checks', () => {
    expect(crm.salesforceLimitInfo()).toMatchObject({ raw: expect.stringMatching(/^api-usage=\d+\/\d+$/), max: expect.any(Number) });
  });

  it('reports REQUEST_LIMIT_EXCEEDED as NATIVE_SYSTEM_ERROR naming the CRM', async () => {
    const { emulator: limited, stop } = await startEmulator({ dailyApiLimit: 1 });
    const subgraph = await startCrm(limited.url);
    try {
      const id = matched[0]!.crmAccountId!;
      const answers = [];
      for (let i = 0; i < 3; i++) answers.push(await graphql(subgraph.url, `{ account(id: "${id}") { id } }`));
      const refused = answers.find((a) => a.errors)!;
      expect(refused.errors![0]!.extensions).toMatchObject({ code: 'NATIVE_SYSTEM_ERROR', system: 'crm', nativeError: 'REQUEST_LIMIT_EXCEEDED' });
      expect(refused.errors![0]!.message).toMatch(/^The CRM \(Salesforce\) rejected the call with REQUEST_LIMIT_EXCEEDED: /);
    } finally {
      await subgraph.stop();
      await stop();
    }
  });
});

describe('when the CRM is down', () => {
  it('answers with NATIVE_SYSTEM_UNAVAILABLE naming the CRM, and keeps serving', async () => {
    const { emulator: doomed, stop } = await startEmulator();
    const subgraph = await startCrm(doomed.url);
    try {
      await stop();
      const answer = await graphql(subgraph.url, '{ account(id: "001000000000001") { id } }');
      expect(answer.data).toEqual({ account: null });
      expect(answer.errors![0]!.extensions).toMatchObject({ code: 'NATIVE_SYSTEM_UNAVAILABLE', system: 'crm' });
      expect(answer.errors![0]!.message).toMatch(/^The CRM \(Salesforce\) is unavailable: Salesforce at http:\/\/127\.0\.0\.1:\d+ did not answer/);
      const again = await entities(subgraph.url, '... on Customer { number }', [{ __typename: 'Customer', number: 'C00001' }]);
      expect(again).toEqual([{ number: 'C00001' }]);
    } finally {
      await subgraph.stop();
    }
  });
});
