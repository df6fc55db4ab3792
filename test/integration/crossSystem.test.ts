/**
 * The product end to end: both emulators, both subgraphs and the gateway, each on
 * port 0. Answers are checked against the seed world both emulators were built
 * from, so a wrong join, a fuzzy match or a lost field shows up as a mismatch.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildWorld, type WorldCompany, type WorldSalesOrder } from '../../emulators/seed/world.js';
import { startTestStack, type TestStack } from '../helpers/startStack.js';

const world = buildWorld('small');
const orders = [...world.salesOrders()];
const companyByIndex = new Map(world.companies.map((c) => [c.index, c]));
const employeeByEmail = new Map(world.employees.map((e) => [e.workEmail, e]));

function ordersOf(company: WorldCompany): WorldSalesOrder[] {
  return orders
    .filter((o) => o.companyIndex === company.index)
    .sort((a, b) => (a.dateOrder === b.dateOrder ? b.index - a.index : a.dateOrder < b.dateOrder ? 1 : -1));
}

function untaxed(order: WorldSalesOrder): number {
  return order.lines.reduce((sum, l) => sum + Math.round(l.quantity * l.priceUnit * (1 - l.discount / 100) * 100) / 100, 0);
}

let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack();
});

afterAll(async () => {
  await stack?.stop();
});

describe('CRM to ERP', () => {
  it('reaches the ERP customer, its credit and its orders from a CRM account', async () => {
    const company = world.companies.find((c) => c.inErp && c.inCrm && !c.conflictingCrmAccountId && ordersOf(c).length >= 2)!;
    const { data, errors } = await stack.query(
      `query ($id: ID!) {
        account(id: $id) {
          id name erpCustomerNumber segment industry
          owner { email }
          contacts { email }
          customer {
            number legalName taxId paymentTerms
            creditLimit { amount currencyCode }
            salesOrders(first: 50) { number amountUntaxed { amount } }
          }
        }
      }`,
      { id: company.crmAccountId },
    );
    expect(errors).toBeUndefined();
    const account = data.account;
    expect(account.id).toBe(company.crmAccountId);
    expect(account.name).toBe(company.name);
    expect(account.erpCustomerNumber).toBe(company.erpNumber);
    expect(account.segment).toBe(company.segment);
    expect(account.industry).toBe(company.industry);
    expect(account.owner.email).toBe(company.ownerEmail);
    expect(account.contacts.map((c: { email: string }) => c.email).sort()).toEqual(company.contacts.map((c) => c.email).sort());
    expect(account.customer.number).toBe(company.erpNumber);
    expect(account.customer.legalName).toBe(company.name);
    expect(account.customer.taxId).toBe(company.vat);
    expect(account.customer.paymentTerms).toBe(company.paymentTerm);
    expect(account.customer.creditLimit).toEqual({ amount: company.creditLimit, currencyCode: 'EUR' });
    const expected = ordersOf(company);
    expect(account.customer.salesOrders.map((o: { number: string }) => o.number)).toEqual(expected.map((o) => o.number));
    for (const [i, o] of account.customer.salesOrders.entries()) {
      expect(o.amountUntaxed.amount).toBeCloseTo(untaxed(expected[i]!), 2);
    }
  });

  it('shows a prospect with no ERP side, never matched by name', async () => {
    const prospect = world.companies.find((c) => !c.inErp && c.inCrm)!;
    const { data, errors } = await stack.query(`query ($id: ID!) { account(id: $id) { name type erpCustomerNumber customer { number } } }`, {
      id: prospect.crmAccountId,
    });
    expect(errors).toBeUndefined();
    expect(data.account).toEqual({ name: prospect.name, type: 'Prospect', erpCustomerNumber: null, customer: null });
  });
});

describe('ERP to CRM', () => {
  it('reaches the CRM account owner and the opportunity an order came from', async () => {
    const order = orders.find(
      (o) => o.clientOrderRef && !companyByIndex.get(o.companyIndex)!.conflictingCrmAccountId && companyByIndex.get(o.companyIndex)!.inCrm,
    )!;
    const company = companyByIndex.get(order.companyIndex)!;
    const opportunity = world.opportunities.find((o) => o.id === order.clientOrderRef)!;
    const { data, errors } = await stack.query(
      `query ($number: ID!) {
        salesOrder(number: $number) {
          number state clientOrderRef
          customer { number legalName openCases { subject } }
          salesperson { workEmail name }
          account { id }
          accountOwner { email name employee { jobTitle department } }
          opportunity { id name stage isWon amount { amount } }
          lines { product { sku } quantity unitPrice { amount } discountPercent }
        }
      }`,
      { number: order.number },
    );
    expect(errors).toBeUndefined();
    const so = data.salesOrder;
    expect(so.number).toBe(order.number);
    expect(so.state).toBe('CONFIRMED');
    expect(so.customer.number).toBe(company.erpNumber);
    expect(so.customer.legalName).toBe(company.name);
    const casesOfCompany = world.cases.filter((c) => c.companyIndex === company.index && c.status !== 'Closed');
    expect(so.customer.openCases.map((c: { subject: string }) => c.subject).sort()).toEqual(casesOfCompany.map((c) => c.subject).sort());
    expect(so.salesperson.workEmail).toBe(order.salespersonEmail);
    expect(so.account.id).toBe(company.crmAccountId);
    const owner = employeeByEmail.get(company.ownerEmail)!;
    expect(so.accountOwner).toEqual({ email: owner.workEmail, name: owner.name, employee: { jobTitle: owner.jobTitle, department: owner.department } });
    expect(so.opportunity).toEqual({ id: opportunity.id, name: opportunity.name, stage: 'Closed Won', isWon: true, amount: { amount: opportunity.amount } });
    expect(so.lines.map((l: { product: { sku: string } }) => l.product.sku)).toEqual(order.lines.map((l) => l.sku));
  });

  it('lists a customer missing from the CRM with the CRM side empty', async () => {
    const erpOnly = world.companies.find((c) => c.inErp && !c.inCrm)!;
    const { data, errors } = await stack.query(
      `query ($n: ID!) { customer(number: $n) { number legalName crmIdentity account { id } owner { id } openOpportunities { id } } }`,
      { n: erpOnly.erpNumber },
    );
    expect(errors).toBeUndefined();
    expect(data.customer).toEqual({
      number: erpOnly.erpNumber,
      legalName: erpOnly.name,
      crmIdentity: 'MISSING',
      account: null,
      owner: null,
      openOpportunities: [],
    });
  });

  it('shows two CRM accounts claiming one ERP number as a conflict instead of picking one', async () => {
    const conflicted = world.companies.find((c) => c.conflictingCrmAccountId)!;
    const { data, errors } = await stack.query(`query ($n: ID!) { customer(number: $n) { legalName crmIdentity account { id } crmAccounts { id } } }`, {
      n: conflicted.erpNumber,
    });
    expect(errors).toBeUndefined();
    expect(data.customer.crmIdentity).toBe('CONFLICT');
    expect(data.customer.account).toBeNull();
    expect(data.customer.crmAccounts.map((a: { id: string }) => a.id).sort()).toEqual([conflicted.crmAccountId, conflicted.conflictingCrmAccountId].sort());
  });

  it('reaches the sales orders of a CRM opportunity', async () => {
    const opp = world.opportunities.find((o) => o.erpOrderNumber)!;
    const { data, errors } = await stack.query(`query ($id: ID!) { opportunity(id: $id) { name salesOrders { number customer { number } } } }`, { id: opp.id });
    expect(errors).toBeUndefined();
    expect(data.opportunity.salesOrders.map((o: { number: string }) => o.number)).toEqual([opp.erpOrderNumber]);
    expect(data.opportunity.salesOrders[0].customer.number).toBe(companyByIndex.get(opp.companyIndex)!.erpNumber);
  });
});

describe('products', () => {
  it('joins ERP list price, cost, stock and bill of materials with CRM price-book entries by SKU', async () => {
    const product = world.products.find((p) => p.kind === 'finished' && p.bom && p.bom.lines.length >= 2)!;
    const { data, errors } = await stack.query(
      `query ($sku: ID!) {
        product(sku: $sku) {
          sku name listPrice { amount } cost { amount } stockOnHand
          billOfMaterials { quantity components { product { sku billOfMaterials { components { product { sku } } } } quantity unitOfMeasure } }
          priceBookEntries { priceBookName isStandardPriceBook unitPrice { amount currencyCode } }
        }
      }`,
      { sku: product.sku },
    );
    expect(errors).toBeUndefined();
    const p = data.product;
    expect(p.name).toBe(product.name);
    expect(p.listPrice.amount).toBe(product.listPrice);
    expect(p.cost.amount).toBeCloseTo(product.cost, 2);
    expect(p.stockOnHand).toBe(Object.values(product.stock).reduce((a, b) => a + b, 0));
    expect(
      p.billOfMaterials.components.map((c: { product: { sku: string }; quantity: number; unitOfMeasure: string }) => [
        c.product.sku,
        c.quantity,
        c.unitOfMeasure,
      ]),
    ).toEqual(product.bom!.lines.map((l) => [l.sku, l.quantity, l.uom]));
    // Multi-level: a subassembly in the BOM has a BOM of its own.
    const sub = p.billOfMaterials.components.find((c: { product: { sku: string } }) => c.product.sku.startsWith('SUB-'));
    if (sub) {
      const subWorld = world.products.find((w) => w.sku === sub.product.sku)!;
      expect(sub.product.billOfMaterials.components.map((c: { product: { sku: string } }) => c.product.sku)).toEqual(subWorld.bom!.lines.map((l) => l.sku));
    }
    const standard = p.priceBookEntries.find((e: { isStandardPriceBook: boolean }) => e.isStandardPriceBook);
    expect(standard.unitPrice).toEqual({ amount: product.listPrice, currencyCode: 'EUR' });
  });
});

describe('batching', () => {
  const pageQuery = `query ($first: Int!) {
    customers(first: $first) {
      nodes {
        number legalName
        salesOrders(first: 3) { number amountTotal { amount } }
        owner { name email }
        openOpportunities { name }
      }
    }
  }`;

  it('costs the same fixed number of native calls for a page of 50 as for a page of 5', async () => {
    await stack.query(pageQuery, { first: 1 }); // authenticate both connectors first
    stack.resetNativeCalls();
    const small = await stack.query(pageQuery, { first: 5 });
    expect(small.errors).toBeUndefined();
    expect(small.data.customers.nodes).toHaveLength(5);
    const callsFor5 = stack.nativeCalls();

    stack.resetNativeCalls();
    const large = await stack.query(pageQuery, { first: 50 });
    expect(large.errors).toBeUndefined();
    expect(large.data.customers.nodes).toHaveLength(50);
    const callsFor50 = stack.nativeCalls();

    expect(callsFor50).toEqual(callsFor5);
    // One call per entity type per plan level: ERP partners + orders; CRM accounts + users + opportunities.
    expect(callsFor50.erpTotal).toBeLessThanOrEqual(2);
    expect(callsFor50.crmTotal).toBeLessThanOrEqual(3);

    const erpCustomers = world.companies.filter((c) => c.inErp).sort((a, b) => a.erpNumber!.localeCompare(b.erpNumber!));
    expect(large.data.customers.nodes.map((n: { number: string }) => n.number)).toEqual(erpCustomers.slice(0, 50).map((c) => c.erpNumber));
    for (const node of large.data.customers.nodes) {
      const company = erpCustomers.find((c) => c.erpNumber === node.number)!;
      if (company.inCrm && !company.conflictingCrmAccountId) expect(node.owner.email).toBe(company.ownerEmail);
      else expect(node.owner).toBeNull();
    }
  });
});

describe('paging and bad input', () => {
  it('pages through customers with cursors and reports the total', async () => {
    const first = await stack.query(`{ customers(first: 3) { totalCount pageInfo { hasNextPage endCursor } nodes { number } } }`);
    const next = await stack.query(`query ($after: String) { customers(first: 3, after: $after) { nodes { number } } }`, {
      after: first.data.customers.pageInfo.endCursor,
    });
    const numbers = world.companies
      .filter((c) => c.inErp)
      .map((c) => c.erpNumber!)
      .sort();
    expect(first.data.customers.totalCount).toBe(numbers.length);
    expect(first.data.customers.pageInfo.hasNextPage).toBe(true);
    expect([...first.data.customers.nodes, ...next.data.customers.nodes].map((n: { number: string }) => n.number)).toEqual(numbers.slice(0, 6));
  });

  it('answers unknown numbers and SKUs with null and no error', async () => {
    const { data, errors } = await stack.query(
      `{ customer(number: "C99999") { number } product(sku: "NO-SUCH-SKU") { sku } salesOrder(number: "S99999") { number } account(id: "001000000000000AAA") { id } }`,
    );
    expect(errors).toBeUndefined();
    expect(data).toEqual({ customer: null, product: null, salesOrder: null, account: null });
  });

  it('rejects a malformed argument with a validation error that names it', async () => {
    const { errors } = await stack.query(`{ customers(first: "ten") { nodes { number } } }`);
    expect(errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(errors?.[0]?.message).toMatch(/first/);
  });

  it('rejects an out-of-range page size with BAD_USER_INPUT naming the argument', async () => {
    const { errors } = await stack.query(`{ salesOrders(first: 5000) { nodes { number } } }`);
    expect(errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(errors?.[0]?.message).toMatch(/first/);
  });

  it('filters sales orders by customer', async () => {
    const company = world.companies.find((c) => c.inErp && ordersOf(c).length >= 3)!;
    const { data, errors } = await stack.query(
      `query ($n: ID) { salesOrders(first: 100, customerNumber: $n) { totalCount nodes { number customer { number } } } }`,
      {
        n: company.erpNumber,
      },
    );
    expect(errors).toBeUndefined();
    expect(data.salesOrders.totalCount).toBe(ordersOf(company).length);
    expect(data.salesOrders.nodes.map((o: { number: string }) => o.number)).toEqual(ordersOf(company).map((o) => o.number));
  });
});

describe('explorer', () => {
  it('serves a schema explorer at / with no resource loaded from the internet', async () => {
    const response = await fetch(stack.gateway.url.replace(/graphql$/, ''), { headers: { accept: 'text/html' } });
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain('YogaGraphiQL');
    expect(html).not.toMatch(/<(script|link)[^>]+(src|href)="https?:/);
  });
});
