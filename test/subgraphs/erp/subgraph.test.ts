/**
 * The ERP subgraph over HTTP against the Odoo emulator (small seed): entities
 * as the gateway asks for them, root fields, paging and argument validation,
 * and what each query costs in native calls. Answers are checked against the
 * seed world and the emulator's SQLite database.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startOdooEmulator, type OdooEmulator } from '../../../emulators/odoo/server.js';
import { buildWorld, type WorldSalesOrder } from '../../../emulators/seed/world.js';
import { nativeRounds } from '../../../emulators/common/diagnostics.js';
import { startTestSubgraph, tempDir, type TestSubgraph } from './helpers.js';

const world = buildWorld('small');
const orders = [...world.salesOrders()];
const customers = world.companies.filter((c) => c.inErp);
const numbers = customers.map((c) => c.erpNumber!).sort();
const companyByIndex = new Map(world.companies.map((c) => [c.index, c]));
const employeeByEmail = new Map(world.employees.map((e) => [e.workEmail, e]));

let emulator: OdooEmulator;
let subgraph: TestSubgraph;
const dir = tempDir();

beforeAll(async () => {
  emulator = await startOdooEmulator({ dbPath: `${dir.path}/odoo.sqlite`, seedSize: 'small', port: 0 });
  subgraph = await startTestSubgraph(emulator.url);
  await subgraph.query(`{ customer(number: "C00001") { number } }`); // authenticate once
});

afterAll(async () => {
  await subgraph?.stop();
  await emulator?.close();
  dir.remove();
});

beforeEach(() => emulator.calls.reset());

function nativeCalls(): Record<string, number> {
  return emulator.calls.snapshot().calls;
}

function newestFirst(a: WorldSalesOrder, b: WorldSalesOrder): number {
  return a.dateOrder === b.dateOrder ? b.index - a.index : a.dateOrder < b.dateOrder ? 1 : -1;
}

const ordersOf = (companyIndex: number) => orders.filter((o) => o.companyIndex === companyIndex).sort(newestFirst);

describe('entities', () => {
  const ENTITIES = `query ($r: [_Any!]!) {
    _entities(representations: $r) {
      __typename
      ... on Customer { number legalName creditLimit { amount currencyCode } }
      ... on Product { sku name stockOnHand }
      ... on SalesOrder { number customerNumber clientOrderRef state }
      ... on Employee { workEmail name jobTitle department }
      ... on Opportunity { id salesOrders { number } }
    }
  }`;

  it('resolves each entity by its key, in order, with null for unknown keys and no error', async () => {
    const company = customers[12]!;
    const product = world.products.find((p) => p.kind === 'finished')!;
    const order = orders.find((o) => o.clientOrderRef)!;
    const employee = world.employees[3]!;
    const opportunity = world.opportunities.find((o) => o.erpOrderNumber)!;
    const { data, errors } = await subgraph.query(ENTITIES, {
      r: [
        { __typename: 'Customer', number: company.erpNumber },
        { __typename: 'Customer', number: 'C99999' },
        { __typename: 'Product', sku: product.sku },
        { __typename: 'Product', sku: 'NO-SUCH-SKU' },
        { __typename: 'SalesOrder', number: order.number },
        { __typename: 'SalesOrder', number: 'S99999' },
        { __typename: 'Employee', workEmail: employee.workEmail },
        { __typename: 'Employee', workEmail: 'nobody@example.com' },
        { __typename: 'Opportunity', id: opportunity.id },
        { __typename: 'Opportunity', id: '006000000000000AAA' },
      ],
    });
    expect(errors).toBeUndefined();
    expect(data._entities).toEqual([
      { __typename: 'Customer', number: company.erpNumber, legalName: company.name, creditLimit: { amount: company.creditLimit, currencyCode: 'EUR' } },
      null,
      { __typename: 'Product', sku: product.sku, name: product.name, stockOnHand: Object.values(product.stock).reduce((s, n) => s + n, 0) },
      null,
      {
        __typename: 'SalesOrder',
        number: order.number,
        customerNumber: companyByIndex.get(order.companyIndex)!.erpNumber,
        clientOrderRef: order.clientOrderRef,
        state: 'CONFIRMED',
      },
      null,
      { __typename: 'Employee', workEmail: employee.workEmail, name: employee.name, jobTitle: employee.jobTitle, department: employee.department },
      null,
      { __typename: 'Opportunity', id: opportunity.id, salesOrders: [{ number: opportunity.erpOrderNumber }] },
      { __typename: 'Opportunity', id: '006000000000000AAA', salesOrders: [] },
    ]);
  });

  it('batches a whole _entities request into one native call per model', async () => {
    const picked = customers.slice(0, 40);
    const { data, errors } = await subgraph.query(
      `query ($r: [_Any!]!) { _entities(representations: $r) { ... on Customer { number legalName balanceDue { amount } } } }`,
      {
        r: picked.map((c) => ({ __typename: 'Customer', number: c.erpNumber })),
      },
    );
    expect(errors).toBeUndefined();
    expect(data._entities.map((e: { number: string }) => e.number)).toEqual(picked.map((c) => c.erpNumber));
    expect(nativeCalls()).toEqual({ 'res.partner.search_read': 1, 'res.partner.read': 1 });
  });
});

describe('batched requests (a JSON array, as the gateway sends the fetches a plan makes at once)', () => {
  const CUSTOMER = `query ($r: [_Any!]!) { _entities(representations: $r) { ... on Customer { number legalName } } }`;
  const PRODUCT = `query ($r: [_Any!]!) { _entities(representations: $r) { ... on Product { sku name } } }`;
  const operation = (query: string, variables: Record<string, unknown> = {}) => ({ query, variables });
  const customer = operation(CUSTOMER, { r: [{ __typename: 'Customer', number: numbers[3] }] });
  const product = operation(PRODUCT, { r: [{ __typename: 'Product', sku: world.products[0]!.sku }] });

  it('answers each operation as it would alone, in order, with their native calls sent together', async () => {
    const alone = [(await subgraph.post(JSON.stringify(customer))).json, (await subgraph.post(JSON.stringify(product))).json];
    Object.assign(emulator.latency, { ms: 100, recording: true });
    emulator.latency.timeline.length = 0;
    try {
      const batch = await subgraph.post(JSON.stringify([customer, product]));
      expect(batch.status).toBe(200);
      expect(batch.json).toEqual(alone);
      expect(emulator.latency.timeline).toHaveLength(2);
      expect(nativeRounds(emulator.latency.timeline)).toBe(1);
    } finally {
      Object.assign(emulator.latency, { ms: 0, recording: false });
    }
  });

  it('reports an operation that fails in its own result, and answers the others', async () => {
    const { status, json } = await subgraph.post(JSON.stringify([operation('{ noSuchField }'), customer]));
    expect(status).toBe(200);
    expect(json[0].errors[0]).toMatchObject({ message: expect.stringContaining('noSuchField'), extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } });
    expect(json[1]).toEqual({ data: { _entities: [{ number: numbers[3], legalName: expect.any(String) }] } });
  });

  it('refuses an empty batch and one of more than 64 operations, naming the bounds, before any native call', async () => {
    for (const size of [0, 65]) {
      const { status, json } = await subgraph.post(JSON.stringify(Array.from({ length: size }, () => customer)));
      expect(status).toBe(400);
      expect(json.errors[0]).toMatchObject({
        message: `Expected a batch of 1 to 64 operations, but the array holds ${size}.`,
        extensions: { code: 'BAD_REQUEST' },
      });
    }
    expect(nativeCalls()).toEqual({});
  });

  it('refuses a batch whose signature covers other bytes, such as one of its operations', async () => {
    const { status, json } = await subgraph.post(JSON.stringify([customer, product]), JSON.stringify(customer));
    expect(status).toBe(401);
    expect(json.errors[0].extensions.code).toBe('UNAUTHENTICATED');
    expect(nativeCalls()).toEqual({});
  });
});

describe("children read beside their parent, and the baseline's plain resolvers (NATIVE_BATCHING=false)", () => {
  const ORDER = `query ($n: ID!) { salesOrder(number: $n) { number lines { quantity product { sku } } } }`;
  const CATALOG = `{ products(first: 5) { nodes { sku billOfMaterials { components { quantity product { sku } } } } } }`;

  /** The native rounds a query waits, 100 ms injected per call, and the answer. */
  async function timed(target: TestSubgraph, query: string, variables: Record<string, unknown> = {}) {
    Object.assign(emulator.latency, { ms: 100, recording: true });
    emulator.latency.timeline.length = 0;
    try {
      const { data, errors } = await target.query(query, variables);
      expect(errors).toBeUndefined();
      return { data, rounds: nativeRounds(emulator.latency.timeline) };
    } finally {
      Object.assign(emulator.latency, { ms: 0, recording: false });
    }
  }

  it('reads as plain resolvers do when native batching is off: each level after the one above, the same answer', async () => {
    const plain = await startTestSubgraph(emulator.url, { nativeBatching: false });
    try {
      await plain.query(`{ customer(number: "C00001") { number } }`); // authenticate once
      const variables = { n: orders[4]!.number };
      const [ahead, behind] = [await timed(subgraph, ORDER, variables), await timed(plain, ORDER, variables)];
      expect(behind.data).toEqual(ahead.data);
      // Order and lines, then products; without read-ahead: order, then lines, then products.
      expect([ahead.rounds, behind.rounds]).toEqual([2, 3]);
      const [catalogAhead, catalogBehind] = [await timed(subgraph, CATALOG), await timed(plain, CATALOG)];
      expect(catalogBehind.data).toEqual(catalogAhead.data);
      // Page, then BOMs with their lines and components; without: page, BOMs, lines, components.
      expect([catalogAhead.rounds, catalogBehind.rounds]).toEqual([2, 4]);
      // Balances come with the page, asked for as nodes or as edges; without read-ahead: page, then balances.
      for (const report of [
        `{ customers(first: 5) { nodes { number balanceDue { amount } } } }`,
        `{ customers(first: 5) { edges { node { number balanceDue { amount } } } } }`,
      ]) {
        const [reportAhead, reportBehind] = [await timed(subgraph, report), await timed(plain, report)];
        expect(reportBehind.data).toEqual(reportAhead.data);
        expect([reportAhead.rounds, reportBehind.rounds]).toEqual([1, 2]);
      }
    } finally {
      await plain.stop();
    }
  });
});

describe('root fields', () => {
  it('answers a customer with address, terms, balance and invoices, checked against the database', async () => {
    const row = emulator.db
      .prepare(
        `SELECT p.ref AS number, SUM(CASE WHEN m.move_type = 'out_refund' THEN -m.amount_residual ELSE m.amount_residual END) AS due
         FROM account_move m JOIN res_partner p ON p.id = m.partner_id
         WHERE m.move_type IN ('out_invoice', 'out_refund') AND m.state = 'posted' AND p.ref IS NOT NULL
         GROUP BY p.id HAVING due > 0 ORDER BY p.ref LIMIT 1`,
      )
      .get() as { number: string; due: number };
    const company = customers.find((c) => c.erpNumber === row.number)!;
    const { data, errors } = await subgraph.query(
      `query ($n: ID!) { customer(number: $n) {
        number legalName taxId email phone paymentTerms
        address { street city countryCode }
        balanceDue { amount currencyCode }
        invoices(first: 50) { number amountResidual { amount } paymentState salesOrderNumber invoiceDate }
        openInvoices: invoices(first: 50, openOnly: true) { amountResidual { amount } paymentState }
      } }`,
      { n: company.erpNumber },
    );
    expect(errors).toBeUndefined();
    const c = data.customer;
    expect(c).toMatchObject({
      number: company.erpNumber,
      legalName: company.name,
      taxId: company.vat,
      email: company.email,
      phone: company.phone,
      paymentTerms: company.paymentTerm,
      address: { street: company.street, city: company.city, countryCode: company.countryCode },
    });
    expect(c.balanceDue.currencyCode).toBe('EUR');
    expect(c.balanceDue.amount).toBeCloseTo(row.due, 2);
    const openSum = c.openInvoices.reduce((s: number, i: { amountResidual: { amount: number } }) => s + i.amountResidual.amount, 0);
    expect(openSum).toBeCloseTo(row.due, 2);
    expect(c.openInvoices.every((i: { paymentState: string }) => i.paymentState === 'NOT_PAID' || i.paymentState === 'PARTIAL')).toBe(true);
    const dates = c.invoices.map((i: { invoiceDate: string }) => i.invoiceDate);
    expect(dates).toEqual([...dates].sort().reverse());
  });

  it('answers a sales order with its customer, salesperson and lines', async () => {
    const order = orders.find((o) => o.lines.length >= 3 && o.state === 'sale')!;
    const company = companyByIndex.get(order.companyIndex)!;
    const salesperson = employeeByEmail.get(order.salespersonEmail)!;
    const { data, errors } = await subgraph.query(
      `query ($n: ID!) { salesOrder(number: $n) {
        number state orderedAt customerNumber customer { number legalName }
        amountUntaxed { amount currencyCode } amountTotal { amount currencyCode }
        salesperson { workEmail name manager { workEmail } }
        lines { product { sku } description quantity unitPrice { amount } discountPercent subtotal { amount currencyCode } }
      } }`,
      { n: order.number },
    );
    expect(errors).toBeUndefined();
    const so = data.salesOrder;
    expect(so.state).toBe('CONFIRMED');
    expect(so.orderedAt).toBe(`${order.dateOrder.replace(' ', 'T')}Z`);
    expect(so.customerNumber).toBe(company.erpNumber);
    expect(so.customer).toEqual({ number: company.erpNumber, legalName: company.name });
    expect(so.salesperson).toEqual({ workEmail: salesperson.workEmail, name: salesperson.name, manager: { workEmail: salesperson.managerEmail } });
    expect(so.lines.map((l: any) => [l.product.sku, l.quantity, l.unitPrice.amount, l.discountPercent])).toEqual(
      order.lines.map((l) => [l.sku, l.quantity, l.priceUnit, l.discount]),
    );
    const untaxed = order.lines.reduce((s, l) => s + Math.round(l.quantity * l.priceUnit * (1 - l.discount / 100) * 100) / 100, 0);
    expect(so.amountUntaxed).toEqual({ amount: expect.closeTo(untaxed, 2), currencyCode: 'EUR' });
    expect(so.lines.reduce((s: number, l: any) => s + l.subtotal.amount, 0)).toBeCloseTo(untaxed, 2);
    expect(so.amountTotal.amount).toBeGreaterThan(so.amountUntaxed.amount);
  });

  it('answers a product with its multi-level bill of materials', async () => {
    const product = world.products.find((p) => p.kind === 'finished' && p.bom!.lines.some((l) => l.sku.startsWith('SUB-')))!;
    const { data, errors } = await subgraph.query(
      `query ($sku: ID!) { product(sku: $sku) {
        sku name category unitOfMeasure saleable listPrice { amount currencyCode } cost { amount }
        billOfMaterials { quantity unitOfMeasure type components { product { sku billOfMaterials { components { product { sku } quantity unitOfMeasure } } } quantity unitOfMeasure } }
      } }`,
      { sku: product.sku },
    );
    expect(errors).toBeUndefined();
    const p = data.product;
    expect(p).toMatchObject({
      sku: product.sku,
      name: product.name,
      category: product.category,
      unitOfMeasure: 'Units',
      saleable: true,
      listPrice: { amount: product.listPrice, currencyCode: 'EUR' },
    });
    expect(p.cost.amount).toBeCloseTo(product.cost, 2);
    expect(p.billOfMaterials).toMatchObject({ quantity: 1, unitOfMeasure: 'Units', type: 'normal' });
    expect(p.billOfMaterials.components.map((c: any) => [c.product.sku, c.quantity, c.unitOfMeasure])).toEqual(
      product.bom!.lines.map((l) => [l.sku, l.quantity, l.uom]),
    );
    for (const component of p.billOfMaterials.components) {
      const inWorld = world.products.find((w) => w.sku === component.product.sku)!;
      if (inWorld.bom) {
        expect(component.product.billOfMaterials.components.map((c: any) => [c.product.sku, c.quantity, c.unitOfMeasure])).toEqual(
          inWorld.bom.lines.map((l) => [l.sku, l.quantity, l.uom]),
        );
      } else {
        expect(component.product.billOfMaterials).toBeNull();
      }
    }
  });

  it('answers an employee by work e-mail, and null for an unknown one', async () => {
    const employee = world.employees.find((e) => e.managerEmail && e.department === 'Sales')!;
    const { data, errors } = await subgraph.query(
      `query ($e: ID!) { employee(workEmail: $e) { workEmail name jobTitle department manager { workEmail } } nobody: employee(workEmail: "nobody@example.com") { name } }`,
      {
        e: employee.workEmail,
      },
    );
    expect(errors).toBeUndefined();
    expect(data).toEqual({
      employee: {
        workEmail: employee.workEmail,
        name: employee.name,
        jobTitle: employee.jobTitle,
        department: employee.department,
        manager: { workEmail: employee.managerEmail },
      },
      nobody: null,
    });
  });

  it('answers unknown numbers and SKUs with null and no error, in one call per model', async () => {
    const { data, errors } = await subgraph.query(
      `{ customer(number: "C99999") { number } product(sku: "NO-SUCH-SKU") { sku } salesOrder(number: "S99999") { number } }`,
    );
    expect(errors).toBeUndefined();
    expect(data).toEqual({ customer: null, product: null, salesOrder: null });
    expect(nativeCalls()).toEqual({ 'res.partner.search_read': 1, 'product.product.search_read': 1, 'sale.order.search_read': 1 });
  });
});

describe('connections', () => {
  it('pages customers by number with opaque cursors, counting only when totalCount is asked', async () => {
    const first = await subgraph.query(`{ customers(first: 3) { edges { cursor node { number } } pageInfo { hasNextPage endCursor } } }`);
    expect(nativeCalls()).toEqual({ 'res.partner.search_read': 1 });
    const { edges, pageInfo } = first.data.customers;
    expect(edges.map((e: any) => e.node.number)).toEqual(numbers.slice(0, 3));
    expect(pageInfo).toEqual({ hasNextPage: true, endCursor: edges[2].cursor });
    // Opaque: not the bare offset a client might be tempted to compute.
    expect(edges[2].cursor).not.toBe('2');

    emulator.calls.reset();
    const next = await subgraph.query(`query ($after: String) { customers(first: 3, after: $after) { totalCount nodes { number } } }`, {
      after: pageInfo.endCursor,
    });
    expect(next.data.customers.nodes.map((n: any) => n.number)).toEqual(numbers.slice(3, 6));
    expect(next.data.customers.totalCount).toBe(numbers.length);
    expect(nativeCalls()).toEqual({ 'res.partner.search_read': 1, 'res.partner.search_count': 1 });
  });

  it('reaches the end of the list with hasNextPage false', async () => {
    const all = await subgraph.query(`{ customers(first: 100) { pageInfo { endCursor } } }`);
    let after = all.data.customers.pageInfo.endCursor;
    const seen: string[] = [];
    for (;;) {
      const page = await subgraph.query(
        `query ($after: String) { customers(first: 100, after: $after) { nodes { number } pageInfo { hasNextPage endCursor } } }`,
        { after },
      );
      seen.push(...page.data.customers.nodes.map((n: any) => n.number));
      if (!page.data.customers.pageInfo.hasNextPage) break;
      after = page.data.customers.pageInfo.endCursor;
    }
    expect(seen).toEqual(numbers.slice(100));
  });

  it('pages products by SKU', async () => {
    const skus = world.products.map((p) => p.sku).sort();
    const first = await subgraph.query(`{ products(first: 4) { totalCount nodes { sku } pageInfo { endCursor } } }`);
    const next = await subgraph.query(`query ($after: String) { products(first: 4, after: $after) { nodes { sku } } }`, {
      after: first.data.products.pageInfo.endCursor,
    });
    expect(first.data.products.totalCount).toBe(world.products.length);
    expect([...first.data.products.nodes, ...next.data.products.nodes].map((n: any) => n.sku)).toEqual(skus.slice(0, 8));
  });

  it('pages sales orders newest first, and one customer’s when customerNumber is given', async () => {
    const newest = [...orders].sort(newestFirst);
    const { data } = await subgraph.query(`{ salesOrders(first: 5) { nodes { number orderedAt } } }`);
    expect(data.salesOrders.nodes.map((o: any) => o.number)).toEqual(newest.slice(0, 5).map((o) => o.number));

    const company = customers.find((c) => ordersOf(c.index).length >= 4)!;
    const mine = await subgraph.query(
      `query ($n: ID) { salesOrders(first: 2, customerNumber: $n) { totalCount nodes { number customer { number } } pageInfo { hasNextPage endCursor } } }`,
      { n: company.erpNumber },
    );
    expect(mine.errors).toBeUndefined();
    expect(mine.data.salesOrders.totalCount).toBe(ordersOf(company.index).length);
    expect(mine.data.salesOrders.nodes.map((o: any) => o.number)).toEqual(
      ordersOf(company.index)
        .slice(0, 2)
        .map((o) => o.number),
    );
    expect(mine.data.salesOrders.nodes.every((o: any) => o.customer.number === company.erpNumber)).toBe(true);
    const rest = await subgraph.query(`query ($n: ID, $a: String) { salesOrders(first: 100, after: $a, customerNumber: $n) { nodes { number } } }`, {
      n: company.erpNumber,
      a: mine.data.salesOrders.pageInfo.endCursor,
    });
    expect(rest.data.salesOrders.nodes.map((o: any) => o.number)).toEqual(
      ordersOf(company.index)
        .slice(2)
        .map((o) => o.number),
    );
  });

  it('answers an unknown customer’s orders with an empty page', async () => {
    const { data, errors } = await subgraph.query(
      `{ salesOrders(customerNumber: "C99999") { totalCount nodes { number } pageInfo { hasNextPage endCursor } } }`,
    );
    expect(errors).toBeUndefined();
    expect(data.salesOrders).toEqual({ totalCount: 0, nodes: [], pageInfo: { hasNextPage: false, endCursor: null } });
  });

  it('rejects an out-of-range first with BAD_USER_INPUT naming it, before any native call', async () => {
    for (const field of ['customers', 'products', 'salesOrders']) {
      const { data, errors } = await subgraph.query(`{ ${field}(first: 500) { nodes { __typename } } }`);
      expect(data).toBeNull();
      expect(errors![0]).toMatchObject({
        message: 'Expected `first` to be between 0 and 100, but got 500.',
        extensions: { code: 'BAD_USER_INPUT', argumentName: 'first' },
      });
    }
    const negative = await subgraph.query(`{ customer(number: "C00001") { salesOrders(first: -1) { number } } }`);
    expect(negative.errors![0]).toMatchObject({ message: 'Expected `first` to be between 0 and 100, but got -1.', extensions: { code: 'BAD_USER_INPUT' } });
    expect(nativeCalls()).toEqual({ 'res.partner.search_read': 1 });
  });

  it('rejects a malformed cursor, or one from another connection, naming `after`', async () => {
    const bad = await subgraph.query(`{ customers(after: "not a cursor") { nodes { number } } }`);
    expect(bad.errors![0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', argumentName: 'after' } });
    expect(bad.errors![0]!.message).toMatch(/^Expected `after` to be a cursor from `customers`.*but got "not a cursor"\.$/);
    const products = await subgraph.query(`{ products(first: 1) { pageInfo { endCursor } } }`);
    const foreign = await subgraph.query(`query ($a: String) { customers(after: $a) { nodes { number } } }`, { a: products.data.products.pageInfo.endCursor });
    expect(foreign.errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argumentName: 'after' });
  });

  it('answers first: 0 with no nodes', async () => {
    const { data } = await subgraph.query(`{ customers(first: 0) { nodes { number } pageInfo { hasNextPage endCursor } } }`);
    expect(data.customers).toEqual({ nodes: [], pageInfo: { hasNextPage: true, endCursor: null } });
  });
});

describe('native-call cost', () => {
  const PAGE = `query ($first: Int!) {
    customers(first: $first) {
      nodes {
        number legalName balanceDue { amount }
        salesOrders(first: 3) {
          number state amountTotal { amount } customer { number } salesperson { workEmail }
          lines { quantity product { sku name } }
        }
      }
    }
  }`;

  it('costs the same native calls for a page of 50 customers with orders as for a page of 5', async () => {
    const small = await subgraph.query(PAGE, { first: 5 });
    expect(small.errors).toBeUndefined();
    expect(small.data.customers.nodes).toHaveLength(5);
    const callsFor5 = nativeCalls();

    emulator.calls.reset();
    const large = await subgraph.query(PAGE, { first: 50 });
    expect(large.errors).toBeUndefined();
    expect(large.data.customers.nodes).toHaveLength(50);
    const callsFor50 = nativeCalls();

    expect(callsFor50).toEqual(callsFor5);
    // Each customer's balance comes with the page (Odoo's `credit` in its search_read).
    expect(callsFor50).toEqual({
      'res.partner.search_read': 1,
      'sale.order.search_read': 1,
      'hr.employee.search_read': 1,
      'sale.order.line.search_read': 1,
      'product.product.read': 1,
    });
    for (const node of large.data.customers.nodes) {
      const company = customers.find((c) => c.erpNumber === node.number)!;
      expect(node.salesOrders.map((o: any) => o.number)).toEqual(
        ordersOf(company.index)
          .slice(0, 3)
          .map((o) => o.number),
      );
      for (const o of node.salesOrders) expect(o.customer.number).toBe(node.number);
    }
  });
});
