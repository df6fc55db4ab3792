/**
 * The workflow subgraph end to end: through the live gateway, checked against
 * what the emulators' databases hold afterwards (Odoo: `sale_order`,
 * `res_partner`, `approval_request`; Salesforce: `Quote`, `Opportunity`,
 * `Account`, `ProcessInstance`).
 *
 * Failure cases run a second workflow subgraph whose native calls go through a
 * fault proxy (fixtures.ts): it has no memory of the first one's results, as a
 * second replica would not, so its retries must work from native state alone.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { searchRead } from '../../lib/native/odooClient.js';
import { loadWorkflowConfig } from '../../subgraphs/workflow/src/config.js';
import { startWorkflowSubgraph, type RunningWorkflowSubgraph } from '../../subgraphs/workflow/src/server.js';
import { startTestRedis, type TestRedis } from '../helpers/redis.js';
import { startTestStack, type TestStack } from '../helpers/startStack.js';
import {
  isOdooCall,
  makeQuote,
  matchedCustomers,
  nativeClients,
  productsInBothSystems,
  startFaultProxy,
  type FaultDecision,
  type NativeClients,
  type TestCustomer,
  type TestProduct,
} from '../subgraphs/workflow/fixtures.js';

const CONVERT = `mutation ($id: ID!) {
  convertQuoteToSalesOrder(quoteId: $id) {
    outcome reason message replayed
    quote { id }
    salesOrder { number }
    steps { system action status reference detail }
    lines { sku quantity crmUnitPrice { amount } erpUnitPrice { amount } }
    shortages { sku requested available }
    credit { creditLimit { amount } openBalance { amount } orderTotal { amount } passed }
  }
}`;

const CREATE_CUSTOMER = `mutation ($input: CreateCustomerInput!, $key: String!) {
  createCustomer(input: $input, idempotencyKey: $key) { outcome message customerNumber accountId replayed steps { system action status reference detail } }
}`;

let stack: TestStack;
let native: NativeClients;
let products: TestProduct[];
let customers: TestCustomer[];
// A second replica behind fault proxies.
let replica: RunningWorkflowSubgraph;
let replica2: RunningWorkflowSubgraph;
let odooFault: (body: string) => FaultDecision | Promise<FaultDecision> = () => 'pass';
let sfFault: (method: string, path: string) => FaultDecision = () => 'pass';
const closers: (() => Promise<void>)[] = [];
let nextCustomer = 0;

/** A fresh customer per test, with a credit limit high enough not to matter unless a test lowers it. */
async function freshCustomer(): Promise<TestCustomer> {
  const customer = customers[nextCustomer++]!;
  await native.odoo.executeKw('res.partner', 'write', [[customer.partnerId], { credit_limit: 10_000_000 }]);
  return customer;
}

function stocked(min: number, skip = 0): TestProduct {
  const found = products.filter((p) => p.qtyAvailable >= min)[skip];
  if (!found) throw new Error(`Expected a product with at least ${min} on hand in the seed, but there is none.`);
  return found;
}

async function queryReplica(query: string, variables: Record<string, unknown>, which = replica) {
  const response = await fetch(which.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) });
  return (await response.json()) as { data?: any; errors?: { message: string; extensions?: Record<string, unknown> }[] };
}

const ordersFor = (quoteId: string) =>
  stack.odoo!.db.prepare(`SELECT id, name, state, amount_total FROM sale_order WHERE client_order_ref = ? ORDER BY id`).all(quoteId) as {
    id: number;
    name: string;
    state: string;
    amount_total: number;
  }[];
const quoteRow = (id: string) =>
  stack.salesforce!.db.prepare(`SELECT Status, ERP_Order_Number__c FROM "Quote" WHERE Id = ?`).get(id) as {
    Status: string;
    ERP_Order_Number__c: string | null;
  };
const opportunityNumber = (id: string) =>
  (stack.salesforce!.db.prepare(`SELECT ERP_Order_Number__c FROM "Opportunity" WHERE Id = ?`).get(id) as { ERP_Order_Number__c: string | null })
    .ERP_Order_Number__c;

beforeAll(async () => {
  // Only the outcomes that leave work undone are logged, as in production alerting.
  stack = await startTestStack({ env: { WORKFLOW_LOG: 'warn' } });
  native = nativeClients(stack.odoo!.url, stack.salesforce!.url);
  [products, customers] = await Promise.all([productsInBothSystems(native), matchedCustomers(native)]);
  const odooProxy = await startFaultProxy(stack.odoo!.url, ({ body }) => odooFault(body));
  const sfProxy = await startFaultProxy(stack.salesforce!.url, ({ method, path }) => sfFault(method, path));
  const config = loadWorkflowConfig({});
  config.port = 0;
  config.odoo.url = odooProxy.url;
  config.salesforce.loginUrl = sfProxy.url;
  // Short timeouts: a hung-up call must fail fast.
  config.odoo.timeoutMs = 3_000;
  config.salesforce.timeoutMs = 3_000;
  replica = await startWorkflowSubgraph(config, { log: () => {} });
  replica2 = await startWorkflowSubgraph(config, { log: () => {} });
  closers.push(
    () => replica.stop(),
    () => replica2.stop(),
    odooProxy.close,
    sfProxy.close,
  );
});

afterAll(async () => {
  for (const close of closers) await close();
  await stack?.stop();
});

describe('convertQuoteToSalesOrder', () => {
  it('turns an accepted quote into one confirmed ERP order, re-priced by the ERP, and writes the number back', async () => {
    const customer = await freshCustomer();
    const [a, b] = [stocked(5), stocked(5, 1)];
    // The CRM sells below the ERP list price: the order must carry the ERP's.
    const { quoteId, opportunityId } = await makeQuote(native, customer, [
      { product: a, quantity: 2, unitPrice: Math.round(a.listPrice * 0.8) },
      { product: b, quantity: 3 },
    ]);

    const { data, errors } = await stack.query(CONVERT, { id: quoteId });
    expect(errors).toBeUndefined();
    const result = data.convertQuoteToSalesOrder;
    expect(result.outcome).toBe('COMPLETED');
    expect(result.reason).toBeNull();
    expect(result.quote.id).toBe(quoteId);
    expect(result.lines).toEqual([
      { sku: a.sku, quantity: 2, crmUnitPrice: { amount: Math.round(a.listPrice * 0.8) }, erpUnitPrice: { amount: a.listPrice } },
      { sku: b.sku, quantity: 3, crmUnitPrice: { amount: b.crmPrice }, erpUnitPrice: { amount: b.listPrice } },
    ]);

    const orders = ordersFor(quoteId);
    expect(orders).toHaveLength(1);
    expect(orders[0]!.state).toBe('sale');
    expect(result.salesOrder.number).toBe(orders[0]!.name);
    const lines = stack.odoo!.db.prepare(`SELECT price_unit, product_uom_qty FROM sale_order_line WHERE order_id = ? ORDER BY id`).all(orders[0]!.id);
    expect(lines).toEqual([
      { price_unit: a.listPrice, product_uom_qty: 2 },
      { price_unit: b.listPrice, product_uom_qty: 3 },
    ]);
    expect(result.credit.orderTotal.amount).toBe(orders[0]!.amount_total);
    expect(result.credit.passed).toBe(true);

    expect(quoteRow(quoteId).ERP_Order_Number__c).toBe(orders[0]!.name);
    expect(opportunityNumber(opportunityId)).toBe(orders[0]!.name);
    expect(result.steps.map((s: any) => `${s.system} ${s.action} ${s.status}`)).toEqual([
      'CRM Quote.read DONE',
      'ERP sale.order.search client_order_ref DONE',
      'ERP check customer DONE',
      'ERP check stock DONE',
      'ERP sale.order.create DONE',
      'ERP check credit DONE',
      'ERP sale.order.action_confirm DONE',
      'CRM Quote.update ERP_Order_Number__c DONE',
      'CRM Opportunity.update ERP_Order_Number__c DONE',
    ]);

    // The order is a real entity of the graph: the ERP subgraph resolves the reference.
    const order = await stack.query(`query ($n: ID!) { salesOrder(number: $n) { number state clientOrderRef } }`, { n: result.salesOrder.number });
    if (!order.errors) expect(order.data.salesOrder).toMatchObject({ state: 'CONFIRMED', clientOrderRef: quoteId });

    // A retry (same replica) replays the first result; another replica finds everything done and repeats nothing.
    const again = (await stack.query(CONVERT, { id: quoteId })).data.convertQuoteToSalesOrder;
    expect(again).toMatchObject({ outcome: 'COMPLETED', replayed: true, salesOrder: { number: orders[0]!.name } });
    const elsewhere = (await queryReplica(CONVERT, { id: quoteId.slice(0, 15) })).data.convertQuoteToSalesOrder;
    expect(elsewhere).toMatchObject({ outcome: 'COMPLETED', replayed: false, salesOrder: { number: orders[0]!.name } });
    expect(elsewhere.steps.filter((s: any) => s.status === 'DONE').map((s: any) => s.action)).toEqual(['Quote.read', 'sale.order.search client_order_ref']);
    expect(ordersFor(quoteId)).toHaveLength(1);
  });

  it('creates exactly one order for fifty concurrent identical requests', async () => {
    const customer = await freshCustomer();
    const { quoteId } = await makeQuote(native, customer, [{ product: stocked(5), quantity: 1 }]);
    const answers = await Promise.all(Array.from({ length: 50 }, () => stack.query(CONVERT, { id: quoteId })));
    const numbers = new Set(answers.map((a) => a.data?.convertQuoteToSalesOrder.salesOrder?.number));
    expect(answers.every((a) => a.data?.convertQuoteToSalesOrder.outcome === 'COMPLETED')).toBe(true);
    expect(numbers.size).toBe(1);
    expect(ordersFor(quoteId)).toHaveLength(1);
  });

  it('creates exactly one order when two replicas race on the same quote (no Redis)', async () => {
    const customer = await freshCustomer();
    const { quoteId } = await makeQuote(native, customer, [{ product: stocked(5), quantity: 1 }]);
    const unlinksBefore = (replica.erpCallCounts()['sale.order.unlink'] ?? 0) + (replica2.erpCallCounts()['sale.order.unlink'] ?? 0);
    // Worst case, forced: both replicas have searched and found nothing, and both create.
    const held: (() => void)[] = [];
    odooFault = (body) => {
      if (!isOdooCall(body, 'sale.order', 'create')) return 'pass';
      return new Promise<FaultDecision>((resolve) => {
        held.push(() => resolve('pass'));
        if (held.length === 2) for (const release of held) release();
      });
    };
    let answers;
    try {
      answers = await Promise.all(
        Array.from({ length: 50 }, (_, i) => (i % 2 === 0 ? queryReplica(CONVERT, { id: quoteId }) : queryReplica(CONVERT, { id: quoteId }, replica2))),
      );
    } finally {
      odooFault = () => 'pass';
    }
    expect(held).toHaveLength(2);
    // The losing replica removed its own draft (one native unlink in all) and adopted the winner.
    const unlinks = (replica.erpCallCounts()['sale.order.unlink'] ?? 0) + (replica2.erpCallCounts()['sale.order.unlink'] ?? 0);
    expect(unlinks - unlinksBefore).toBe(1);
    const compensated = answers.filter((a) =>
      a.data.convertQuoteToSalesOrder.steps.some((s: any) => s.action === 'sale.order.unlink' && s.status === 'COMPENSATED'),
    );
    expect(compensated).toHaveLength(25);
    const results = answers.map((a) => a.data?.convertQuoteToSalesOrder);
    expect(results.every((r) => r?.outcome === 'COMPLETED')).toBe(true);
    expect(new Set(results.map((r) => r.salesOrder.number)).size).toBe(1);
    const live = ordersFor(quoteId).filter((o) => o.state !== 'cancel');
    expect(live).toHaveLength(1);
    expect(live[0]!.state).toBe('sale');
  });

  it('refuses a quote the ERP cannot deliver from stock, naming the lines, and writes nothing', async () => {
    const customer = await freshCustomer();
    const plenty = stocked(5);
    const short = products.find((p) => p !== plenty && p.qtyAvailable >= 0 && p.qtyAvailable < 1000)!;
    const { quoteId } = await makeQuote(native, customer, [
      { product: plenty, quantity: 1 },
      { product: short, quantity: short.qtyAvailable + 5 },
    ]);
    const result = (await stack.query(CONVERT, { id: quoteId })).data.convertQuoteToSalesOrder;
    expect(result).toMatchObject({ outcome: 'REFUSED', reason: 'INSUFFICIENT_STOCK', salesOrder: null });
    expect(result.shortages).toEqual([{ sku: short.sku, requested: short.qtyAvailable + 5, available: short.qtyAvailable }]);
    expect(result.message).toContain(short.sku);
    expect(ordersFor(quoteId)).toHaveLength(0);
    expect(quoteRow(quoteId).ERP_Order_Number__c).toBeNull();
  });

  it('refuses a quote over the customer credit limit with the numbers, leaving no order behind', async () => {
    const customer = await freshCustomer();
    await native.odoo.executeKw('res.partner', 'write', [[customer.partnerId], { credit_limit: 1 }]);
    const { quoteId } = await makeQuote(native, customer, [{ product: stocked(5), quantity: 2 }]);
    const result = (await stack.query(CONVERT, { id: quoteId })).data.convertQuoteToSalesOrder;
    expect(result).toMatchObject({ outcome: 'REFUSED', reason: 'CREDIT_LIMIT_EXCEEDED', salesOrder: null });
    expect(result.credit.passed).toBe(false);
    expect(result.credit.creditLimit.amount).toBe(1);
    expect(result.credit.orderTotal.amount).toBeGreaterThan(1);
    expect(result.steps.find((s: any) => s.action === 'sale.order.unlink').status).toBe('COMPENSATED');
    // The draft that carried the ERP's total is gone again.
    expect(ordersFor(quoteId)).toHaveLength(0);
    expect(quoteRow(quoteId).ERP_Order_Number__c).toBeNull();
  });

  it('keeps an order over the credit limit as a draft awaiting ERP approval when asked to, and confirms it once approved', async () => {
    const customer = await freshCustomer();
    await native.odoo.executeKw('res.partner', 'write', [[customer.partnerId], { credit_limit: 1 }]);
    const { quoteId } = await makeQuote(native, customer, [{ product: stocked(5), quantity: 1 }]);
    const convert = `mutation ($id: ID!) { convertQuoteToSalesOrder(quoteId: $id, onCreditLimitExceeded: REQUEST_APPROVAL) { outcome reason message salesOrder { number } steps { action status reference } } }`;

    const first = (await stack.query(convert, { id: quoteId })).data.convertQuoteToSalesOrder;
    expect(first).toMatchObject({ outcome: 'AWAITING_APPROVAL', reason: 'CREDIT_LIMIT_EXCEEDED' });
    const [draft] = ordersFor(quoteId);
    expect(draft).toMatchObject({ state: 'draft', name: first.salesOrder.number });
    const approvalId = first.steps.find((s: any) => s.action === 'approval.request.create').reference;
    const request = stack.odoo!.db.prepare(`SELECT request_status, reference, amount FROM approval_request WHERE id = ?`).get(Number(approvalId.split(':')[2]));
    expect(request).toEqual({ request_status: 'pending', reference: draft!.name, amount: draft!.amount_total });

    // Asking again while it waits creates no second request.
    const waiting = (await stack.query(convert, { id: quoteId })).data.convertQuoteToSalesOrder;
    expect(waiting.outcome).toBe('AWAITING_APPROVAL');
    expect(stack.odoo!.db.prepare(`SELECT COUNT(*) AS n FROM approval_request WHERE reference = ?`).get(draft!.name)).toEqual({ n: 1 });

    // It is in the approvals list, about that order; approving it lets the conversion finish.
    const listed = (await stack.query(`{ approvals(system: ERP) { id salesOrder { number } approver { workEmail } } }`)).data.approvals;
    expect(listed).toContainEqual(expect.objectContaining({ id: approvalId, salesOrder: { number: draft!.name } }));
    expect((await stack.query(`mutation ($id: ID!) { approve(id: $id) { approval { status } } }`, { id: approvalId })).data.approve.approval.status).toBe(
      'APPROVED',
    );
    const done = (await stack.query(CONVERT, { id: quoteId })).data.convertQuoteToSalesOrder;
    expect(done.outcome).toBe('COMPLETED');
    expect(done.steps.find((s: any) => s.action === 'check credit').detail).toContain(`approval request ${approvalId.split(':')[2]} approved this order`);
    expect(ordersFor(quoteId)).toMatchObject([{ name: draft!.name, state: 'sale' }]);
    expect(quoteRow(quoteId).ERP_Order_Number__c).toBe(draft!.name);
  });

  it('refuses a quote that is not accepted, and one whose account is not an ERP customer', async () => {
    const customer = await freshCustomer();
    const presented = await makeQuote(native, customer, [{ product: stocked(5), quantity: 1 }], 'Presented');
    const result = (await stack.query(CONVERT, { id: presented.quoteId })).data.convertQuoteToSalesOrder;
    expect(result).toMatchObject({ outcome: 'REFUSED', reason: 'QUOTE_NOT_ACCEPTED' });
    expect(ordersFor(presented.quoteId)).toHaveLength(0);

    const prospect = (await native.sf.query<{ Id: string }>(`SELECT Id FROM Account WHERE ERP_Customer_Number__c = null LIMIT 1`))[0]!;
    const orphan = await makeQuote(native, { number: '', partnerId: 0, accountId: prospect.Id }, [{ product: stocked(5), quantity: 1 }]);
    const refused = (await stack.query(CONVERT, { id: orphan.quoteId })).data.convertQuoteToSalesOrder;
    expect(refused).toMatchObject({ outcome: 'REFUSED', reason: 'CUSTOMER_NOT_IN_ERP' });

    const bad = await stack.query(CONVERT, { id: 'not-a-quote' });
    expect(bad.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('reports an order created but not confirmed when the ERP drops out midway, and a retry confirms that same order', async () => {
    const customer = await freshCustomer();
    const { quoteId, opportunityId } = await makeQuote(native, customer, [{ product: stocked(5), quantity: 1 }]);
    // The ERP is "down" for action_confirm (and the read-back after it): the create went through.
    let down = false;
    odooFault = (body) => {
      if (isOdooCall(body, 'sale.order', 'action_confirm')) down = true;
      return down ? 'refuse' : 'pass';
    };
    try {
      const first = (await queryReplica(CONVERT, { id: quoteId })).data.convertQuoteToSalesOrder;
      expect(first).toMatchObject({ outcome: 'INCOMPLETE', reason: 'ERP_UNAVAILABLE' });
      const draft = ordersFor(quoteId);
      expect(draft).toHaveLength(1);
      expect(draft[0]!.state).toBe('draft');
      expect(first.salesOrder.number).toBe(draft[0]!.name);
      expect(first.message).toContain(`${draft[0]!.name} exists as an unconfirmed draft`);
      expect(first.message).toContain('The CRM was not updated');
      expect(first.steps.filter((s: any) => s.status === 'NOT_ATTEMPTED').map((s: any) => s.system)).toEqual(['CRM', 'CRM']);
      expect(quoteRow(quoteId).ERP_Order_Number__c).toBeNull();
    } finally {
      odooFault = () => 'pass';
    }
    const retry = (await queryReplica(CONVERT, { id: quoteId })).data.convertQuoteToSalesOrder;
    expect(retry.outcome).toBe('COMPLETED');
    expect(retry.steps.find((s: any) => s.action === 'sale.order.create').status).toBe('ALREADY_DONE');
    expect(retry.steps.find((s: any) => s.action === 'sale.order.action_confirm').status).toBe('DONE');
    const orders = ordersFor(quoteId);
    expect(orders).toHaveLength(1);
    expect(orders[0]!.state).toBe('sale');
    expect(quoteRow(quoteId).ERP_Order_Number__c).toBe(orders[0]!.name);
    expect(opportunityNumber(opportunityId)).toBe(orders[0]!.name);
  });

  it('finds the order when the ERP created it but the answer was lost, instead of creating another', async () => {
    const customer = await freshCustomer();
    const { quoteId } = await makeQuote(native, customer, [{ product: stocked(5), quantity: 1 }]);
    odooFault = (body) => (isOdooCall(body, 'sale.order', 'create') ? 'fail-after-forwarding' : 'pass');
    try {
      const result = (await queryReplica(CONVERT, { id: quoteId })).data.convertQuoteToSalesOrder;
      expect(result.outcome).toBe('COMPLETED');
      expect(result.steps.find((s: any) => s.action === 'sale.order.create').detail).toContain('the ERP shows the order created');
    } finally {
      odooFault = () => 'pass';
    }
    expect(ordersFor(quoteId)).toHaveLength(1);
  });

  it('says the order exists in the ERP when the CRM write-back fails, and a retry completes only the write-back', async () => {
    const customer = await freshCustomer();
    const { quoteId, opportunityId } = await makeQuote(native, customer, [{ product: stocked(5), quantity: 1 }]);
    sfFault = (method, path) => (method === 'PATCH' && /\/sobjects\/(Quote|Opportunity)\//.test(path) ? 'refuse' : 'pass');
    let number: string;
    try {
      const first = (await queryReplica(CONVERT, { id: quoteId })).data.convertQuoteToSalesOrder;
      expect(first).toMatchObject({ outcome: 'INCOMPLETE', reason: 'CRM_WRITE_BACK_FAILED' });
      number = first.salesOrder.number;
      expect(first.message).toContain(`ERP order ${number} exists and is confirmed`);
      expect(first.steps.filter((s: any) => s.system === 'CRM' && s.status === 'FAILED')).toHaveLength(2);
      expect(ordersFor(quoteId)).toMatchObject([{ name: number, state: 'sale' }]);
      expect(quoteRow(quoteId).ERP_Order_Number__c).toBeNull();
    } finally {
      sfFault = () => 'pass';
    }
    const retry = (await queryReplica(CONVERT, { id: quoteId })).data.convertQuoteToSalesOrder;
    expect(retry.outcome).toBe('COMPLETED');
    expect(retry.steps.filter((s: any) => s.status === 'DONE').map((s: any) => s.action)).toEqual([
      'Quote.read',
      'sale.order.search client_order_ref',
      'Quote.update ERP_Order_Number__c',
      'Opportunity.update ERP_Order_Number__c',
    ]);
    expect(ordersFor(quoteId)).toHaveLength(1);
    expect(quoteRow(quoteId).ERP_Order_Number__c).toBe(number);
    expect(opportunityNumber(opportunityId)).toBe(number);
  });
});

describe('with Redis (REDIS_URL): one run per quote across replicas', () => {
  let redis: TestRedis;
  const replicas: RunningWorkflowSubgraph[] = [];

  beforeAll(async () => {
    redis = await startTestRedis();
    for (let i = 0; i < 2; i++) {
      const config = loadWorkflowConfig({ REDIS_URL: redis.url, WORKFLOW_LOCK_PREFIX: `${redis.prefix}workflow:` });
      config.port = 0;
      config.odoo.url = stack.odoo!.url;
      config.salesforce.loginUrl = stack.salesforce!.url;
      replicas.push(await startWorkflowSubgraph(config, { log: () => {} }));
    }
  });

  afterAll(async () => {
    for (const r of replicas) await r.stop();
    await redis?.stop();
  });

  it('creates one order, with one native create, for fifty requests spread over two replicas', async () => {
    const customer = await freshCustomer();
    const { quoteId } = await makeQuote(native, customer, [{ product: stocked(5), quantity: 1 }]);
    const creates = () => replicas.reduce((n, r) => n + (r.erpCallCounts()['sale.order.create'] ?? 0), 0);
    const before = creates();
    const answers = await Promise.all(Array.from({ length: 50 }, (_, i) => queryReplica(CONVERT, { id: quoteId }, replicas[i % 2])));
    const results = answers.map((a) => a.data?.convertQuoteToSalesOrder);
    expect(results.every((r) => r?.outcome === 'COMPLETED')).toBe(true);
    expect(new Set(results.map((r) => r.salesOrder.number)).size).toBe(1);
    // The lock kept the second replica out until the first had finished: it found the order and created none.
    expect(creates() - before).toBe(1);
    expect(ordersFor(quoteId)).toHaveLength(1);
  });
});

describe('createCustomer', () => {
  const partnersWithKey = (key: string) =>
    stack.odoo!.db.prepare(`SELECT id, ref, name FROM res_partner WHERE x_idempotency_key = ?`).all(key) as { id: number; ref: string; name: string }[];
  const accountsWithNumber = (number: string) =>
    stack.salesforce!.db.prepare(`SELECT Id, Name, Type FROM "Account" WHERE ERP_Customer_Number__c = ?`).all(number) as {
      Id: string;
      Name: string;
      Type: string;
    }[];

  it('creates the customer in the ERP with the next C-number, then the CRM account, once per key', async () => {
    const highest = (stack.odoo!.db.prepare(`SELECT MAX(ref) AS ref FROM res_partner WHERE ref LIKE 'C%'`).get() as { ref: string }).ref;
    const key = 'test-create-customer-0001';
    const input = { name: 'Workflow Test GmbH', email: 'orders@workflow-test.example', countryCode: 'DE', vat: 'DE123456789' };
    const { data, errors } = await stack.query(CREATE_CUSTOMER, { input, key });
    expect(errors).toBeUndefined();
    const result = data.createCustomer;
    expect(result.outcome).toBe('COMPLETED');
    expect(result.customerNumber).toBe(`C${String(Number(highest.slice(1)) + 1).padStart(highest.length - 1, '0')}`);
    expect(partnersWithKey(key)).toMatchObject([{ ref: result.customerNumber, name: input.name }]);
    expect(accountsWithNumber(result.customerNumber)).toEqual([{ Id: result.accountId, Name: input.name, Type: 'Customer' }]);

    const again = (await stack.query(CREATE_CUSTOMER, { input, key })).data.createCustomer;
    expect(again).toMatchObject({ outcome: 'COMPLETED', replayed: true, customerNumber: result.customerNumber });
    // Another replica, without that memory, finds the partner by key and upserts the same account.
    const elsewhere = (await queryReplica(CREATE_CUSTOMER, { input, key })).data.createCustomer;
    expect(elsewhere).toMatchObject({ outcome: 'COMPLETED', customerNumber: result.customerNumber, accountId: result.accountId });
    expect(elsewhere.steps.map((s: any) => s.status)).toEqual(['ALREADY_DONE', 'ALREADY_DONE']);
    expect(partnersWithKey(key)).toHaveLength(1);
    expect(accountsWithNumber(result.customerNumber)).toHaveLength(1);
  });

  it('gives concurrent new customers different numbers', async () => {
    const answers = await Promise.all(
      Array.from({ length: 5 }, (_, i) => stack.query(CREATE_CUSTOMER, { input: { name: `Parallel Customer ${i}` }, key: `test-parallel-customer-${i}` })),
    );
    const numbers = answers.map((a) => a.data.createCustomer.customerNumber);
    expect(new Set(numbers).size).toBe(5);
  });

  it('gives two replicas creating customers at the same moment different numbers (no Redis)', async () => {
    // Both have read the same highest number and both create with it; the later one must move on.
    const held: (() => void)[] = [];
    odooFault = (body) => {
      if (!isOdooCall(body, 'res.partner', 'create')) return 'pass';
      return new Promise<FaultDecision>((resolve) => {
        held.push(() => resolve('pass'));
        if (held.length === 2) for (const release of held) release();
      });
    };
    let answers;
    try {
      answers = await Promise.all([
        queryReplica(CREATE_CUSTOMER, { input: { name: 'Race One Ltd' }, key: 'test-race-customer-1' }),
        queryReplica(CREATE_CUSTOMER, { input: { name: 'Race Two Ltd' }, key: 'test-race-customer-2' }, replica2),
      ]);
    } finally {
      odooFault = () => 'pass';
    }
    expect(held).toHaveLength(2);
    const results = answers.map((a) => a.data.createCustomer);
    expect(results.map((r) => r.outcome)).toEqual(['COMPLETED', 'COMPLETED']);
    expect(results[0].customerNumber).not.toBe(results[1].customerNumber);
    expect(results.flatMap((r) => r.steps).filter((s: any) => s.action === 'res.partner.write ref')).toHaveLength(1);
    for (const r of results) {
      expect(stack.odoo!.db.prepare(`SELECT COUNT(*) AS n FROM res_partner WHERE ref = ?`).get(r.customerNumber)).toEqual({ n: 1 });
      expect(accountsWithNumber(r.customerNumber)).toHaveLength(1);
    }
  });

  it('keeps the ERP customer and says so when the CRM account cannot be written; a retry writes it', async () => {
    const key = 'test-create-customer-crm-down';
    sfFault = (method, path) => (method === 'PATCH' && path.includes('/sobjects/Account/') ? 'refuse' : 'pass');
    let number: string;
    try {
      const first = (await queryReplica(CREATE_CUSTOMER, { input: { name: 'CRM Down AG' }, key })).data.createCustomer;
      expect(first.outcome).toBe('INCOMPLETE');
      number = first.customerNumber;
      expect(first.message).toContain(`Customer ${number} exists in the ERP, but the CRM account was not written`);
      expect(partnersWithKey(key)).toHaveLength(1);
      expect(accountsWithNumber(number)).toHaveLength(0);
    } finally {
      sfFault = () => 'pass';
    }
    const retry = (await queryReplica(CREATE_CUSTOMER, { input: { name: 'CRM Down AG' }, key })).data.createCustomer;
    expect(retry).toMatchObject({ outcome: 'COMPLETED', customerNumber: number });
    expect(partnersWithKey(key)).toHaveLength(1);
    expect(accountsWithNumber(number)).toHaveLength(1);
  });
});

describe('approvals', () => {
  const APPROVALS = `query ($status: ApprovalStatus) {
    approvals(status: $status) { id system status kind title since approver { workEmail } requestedBy { workEmail } quote { id } salesOrder { number } amount { amount } }
  }`;

  async function erpApprovalRequest(): Promise<{ requestId: number; orderNumber: string; approverEmail: string }> {
    const [employee] = await searchRead<{ user_id: [number, string]; work_email: string }>(
      native.odoo,
      'hr.employee',
      [
        ['user_id', '!=', false],
        ['work_email', '!=', false],
      ],
      ['user_id', 'work_email'],
      { limit: 1 },
    );
    const [order] = await searchRead<{ name: string; amount_total: number; partner_id: [number, string] }>(
      native.odoo,
      'sale.order',
      [['state', '=', 'draft']],
      ['name', 'amount_total', 'partner_id'],
      { limit: 1 },
    );
    const categoryId = await native.odoo.executeKw<number>('approval.category', 'create', [
      { name: 'Sales order over credit limit', has_reference: 'required', has_amount: 'required' },
    ]);
    const requestId = await native.odoo.executeKw<number>('approval.request', 'create', [
      {
        name: `${order!.name}: over the credit limit`,
        category_id: categoryId,
        request_status: 'pending',
        date_confirmed: '2026-11-01 08:00:00',
        reference: order!.name,
        partner_id: order!.partner_id[0],
        amount: order!.amount_total,
        approver_ids: [[0, 0, { user_id: employee!.user_id[0], status: 'pending', required: true }]],
      },
    ]);
    return { requestId, orderNumber: order!.name, approverEmail: employee!.work_email };
  }

  it('lists pending approvals from both systems with who must act and the record concerned, and decides them where they live', async () => {
    const erp = await erpApprovalRequest();
    const second = await erpApprovalRequest();
    const { data, errors } = await stack.query(APPROVALS, {});
    expect(errors).toBeUndefined();
    const list = data.approvals as any[];
    const erpItem = list.find((a) => a.id === `erp:approval.request:${erp.requestId}`);
    expect(erpItem).toMatchObject({
      system: 'ERP',
      status: 'PENDING',
      approver: { workEmail: erp.approverEmail },
      salesOrder: { number: erp.orderNumber },
      since: '2026-11-01T08:00:00.000Z',
    });
    const crmItems = list.filter((a) => a.system === 'CRM');
    const pendingWorkitems = stack.salesforce!.db.prepare(`SELECT COUNT(*) AS n FROM "ProcessInstanceWorkitem"`).get() as { n: number };
    expect(crmItems).toHaveLength(pendingWorkitems.n);
    expect(crmItems[0]).toMatchObject({
      status: 'PENDING',
      quote: { id: expect.stringMatching(/^0Q0/) },
      approver: { workEmail: expect.stringContaining('@') },
    });
    // Oldest first across both systems.
    const since = list.map((a) => a.since);
    expect([...since].sort()).toEqual(since);

    // The approver is an Employee of the graph: the ERP subgraph resolves the name.
    const named = await stack.query(`{ approvals(system: ERP) { id approver { workEmail name } } }`);
    if (!named.errors) expect(named.data.approvals.find((a: any) => a.id === erpItem.id).approver.name).toBeTruthy();

    // ERP: approve.
    const approved = await stack.query(`mutation ($id: ID!) { approve(id: $id) { action message approval { id status } } }`, { id: erpItem.id });
    expect(approved.errors).toBeUndefined();
    expect(approved.data.approve).toMatchObject({ action: 'Approve', approval: { status: 'APPROVED' } });
    expect(stack.odoo!.db.prepare(`SELECT request_status FROM approval_request WHERE id = ?`).get(erp.requestId)).toEqual({ request_status: 'approved' });
    const twice = await stack.query(`mutation ($id: ID!) { approve(id: $id) { action } }`, { id: erpItem.id });
    expect(twice.errors?.[0]?.extensions?.code).toBe('CONFLICT');

    // ERP: reject, with the comment left on the request's chatter.
    const refused = await stack.query(`mutation ($id: ID!, $c: String!) { reject(id: $id, comment: $c) { approval { status } } }`, {
      id: `erp:approval.request:${second.requestId}`,
      c: 'Customer has overdue invoices.',
    });
    expect(refused.data.reject.approval.status).toBe('REJECTED');
    expect(stack.odoo!.db.prepare(`SELECT request_status FROM approval_request WHERE id = ?`).get(second.requestId)).toEqual({ request_status: 'refused' });
    expect(stack.odoo!.db.prepare(`SELECT body FROM mail_message WHERE model = 'approval.request' AND res_id = ?`).all(second.requestId)).toEqual([
      { body: 'Customer has overdue invoices.' },
    ]);

    // CRM: approve one work item, reject another with a comment.
    const [first, next] = crmItems;
    const crmApproved = await stack.query(`mutation ($id: ID!) { approve(id: $id) { approval { status quote { id } } } }`, { id: first.id });
    expect(crmApproved.errors).toBeUndefined();
    expect(crmApproved.data.approve.approval.status).toBe('APPROVED');
    expect(quoteRow(first.quote.id).Status).toBe('Approved');
    const crmRejected = await stack.query(`mutation ($id: ID!, $c: String!) { reject(id: $id, comment: $c) { approval { status } } }`, {
      id: next.id,
      c: 'Discount too deep.',
    });
    expect(crmRejected.data.reject.approval.status).toBe('REJECTED');
    expect(quoteRow(next.quote.id).Status).toBe('Rejected');
    const step = stack.salesforce!.db.prepare(`SELECT StepStatus, Comments FROM "ProcessInstanceStep" WHERE Comments = ?`).get('Discount too deep.');
    expect(step).toEqual({ StepStatus: 'Rejected', Comments: 'Discount too deep.' });

    const after = (await stack.query(APPROVALS, {})).data.approvals.map((a: any) => a.id);
    expect(after).not.toContain(erpItem.id);
    expect(after).not.toContain(first.id);
    expect(after).not.toContain(next.id);
    const decided = (await stack.query(APPROVALS, { status: 'APPROVED' })).data.approvals.map((a: any) => a.id);
    expect(decided).toContain(erpItem.id);

    const bad = await stack.query(`mutation { approve(id: "approval-12") { action } }`);
    expect(bad.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });
});
