/**
 * The graph map's native sources are real: every Odoo model and field it names
 * exists in the Odoo emulator's model registry, every Salesforce object and
 * field in the Salesforce emulator's metadata (relationship paths followed hop
 * by hop), and every ERP field the ERP subgraph declares is one its connector
 * really reads: asked of a recording Odoo, every connector function names it
 * in a field list, a domain, a read_group or an order.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildGraphMap, readSubgraphSchemaFiles } from '../scripts/graphMap.js';
import { repoRoot } from '../lib/subgraphSchemas.js';
import type { FieldSource } from '../gateway/src/graphMap.js';
import { MODELS } from '../emulators/odoo/models.js';
import { registry } from '../emulators/salesforce/metadata.js';
import { createErpConnector, type ErpConnector } from '../subgraphs/erp/src/connectors/erpConnector.js';
import type { OdooClient } from '../lib/native/odooClient.js';

const { map } = buildGraphMap(readSubgraphSchemaFiles(), readFileSync(resolve(repoRoot, 'schema/supergraph.graphql'), 'utf8'));

/** Every declared source, with the field that declares it and the subgraph that resolves that field. */
const declarations = map.types.flatMap((type) =>
  type.fields.flatMap((field) =>
    field.owners.flatMap((owner) =>
      owner.sources.map((source) => ({ at: `${type.name}.${field.name} (${owner.subgraph})`, subgraph: owner.subgraph, source })),
    ),
  ),
);
const odooSources = declarations.filter((d): d is typeof d & { source: Extract<FieldSource, { system: 'odoo' }> } => d.source.system === 'odoo');
const salesforceSources = declarations.filter(
  (d): d is typeof d & { source: Extract<FieldSource, { system: 'salesforce' }> } => d.source.system === 'salesforce',
);

/** Why an Odoo path (`order_id.date_order`) does not resolve from `model`, or null when it does. */
function odooPathProblem(model: string, path: string): string | null {
  const def = MODELS.get(model);
  if (!def) return `the emulator has no model ${model}`;
  const [head, ...rest] = path.split('.');
  const field = def.fields.get(head!);
  if (!field) return `${model} has no field ${head}`;
  if (rest.length === 0) return null;
  if (!field.relation) return `${model}.${head} is a ${field.type}, not a relation to follow to ${rest.join('.')}`;
  return odooPathProblem(field.relation, rest.join('.'));
}

/** Why a Salesforce path (`Account.ERP_Customer_Number__c`) does not resolve from `object`, or null when it does. */
function salesforcePathProblem(object: string, path: string): string | null {
  const def = registry.object(object);
  if (!def) return `the emulator has no sObject ${object}`;
  const [head, ...rest] = path.split('.');
  if (rest.length === 0) return def.field(head!) ? null : `${object} has no field ${head}`;
  const relationship = def.relationship(head!);
  if (!relationship) return `${object} has no relationship ${head}`;
  // A polymorphic lookup (What, TargetObject) resolves when any object it may point at has the rest.
  const problems = relationship.referenceTo.map((target) => salesforcePathProblem(target, rest.join('.')));
  return problems.some((p) => p === null) ? null : problems.join('; ');
}

describe('declared native sources exist in the emulators', () => {
  it('names only Odoo models and fields of the Odoo emulator', () => {
    expect(odooSources.length).toBeGreaterThan(100);
    const wrong = odooSources.flatMap(({ at, source }) =>
      source.fields
        .map((f) => ({ f, problem: odooPathProblem(source.model, f) }))
        .filter((x) => x.problem)
        .map(({ f, problem }) => `${at}: ${source.model} ${f}: ${problem}`),
    );
    expect(wrong, wrong.join('\n')).toEqual([]);
  });

  it('names only Salesforce objects and fields of the Salesforce emulator', () => {
    expect(salesforceSources.length).toBeGreaterThan(100);
    const wrong = salesforceSources.flatMap(({ at, source }) =>
      source.fields
        .map((f) => ({ f, problem: salesforcePathProblem(source.object, f) }))
        .filter((x) => x.problem)
        .map(({ f, problem }) => `${at}: ${source.object} ${f}: ${problem}`),
    );
    expect(wrong, wrong.join('\n')).toEqual([]);
  });

  it('backs types only with models and sObjects the emulators have', () => {
    const backings = map.types.flatMap((t) => t.backedBy.map((b) => ({ type: t.name, ...b })));
    const wrong = backings
      .filter((b) => (b.system === 'odoo' ? !MODELS.has(b.name) : !registry.object(b.name)))
      .map((b) => `${b.type} (${b.subgraph}): ${b.name}`);
    expect(wrong, wrong.join('\n')).toEqual([]);
  });

  it('catches a made-up field, naming the hop that fails', () => {
    expect(odooPathProblem('res.partner', 'credit_limit')).toBeNull();
    expect(odooPathProblem('sale.order.line', 'order_id.date_order')).toBeNull();
    expect(odooPathProblem('res.partner', 'credit_score')).toBe('res.partner has no field credit_score');
    expect(odooPathProblem('sale.order.line', 'name.date_order')).toMatch(/not a relation/);
    expect(salesforcePathProblem('Case', 'Account.ERP_Customer_Number__c')).toBeNull();
    expect(salesforcePathProblem('ProcessInstance', 'TargetObject.Name')).toBeNull();
    expect(salesforcePathProblem('Account', 'Credit_Score__c')).toBe('Account has no field Credit_Score__c');
  });
});

// --- What the ERP connector reads ----------------------------------------------------

/** Every model field the ERP connector names, per model, asked through each of its functions. */
async function erpConnectorReads(): Promise<Map<string, Set<string>>> {
  const reads = new Map<string, Set<string>>();
  const note = (model: string, field: string) => {
    // `amount_residual:sum`, `invoice_date:month`, `date_order desc` all read the field before the colon or space.
    const name = field.trim().split(/[:\s]/)[0]!;
    if (name) (reads.get(model) ?? reads.set(model, new Set()).get(model)!).add(name);
  };
  const noteDomain = (model: string, domain: unknown) => {
    if (!Array.isArray(domain)) return;
    for (const leaf of domain) if (Array.isArray(leaf) && typeof leaf[0] === 'string') note(model, leaf[0]);
  };
  const client: OdooClient = {
    async executeKw<T>(model: string, method: string, args: unknown[], kwargs: Record<string, unknown> = {}) {
      if (method === 'search_read' || method === 'search_count') noteDomain(model, args[0]);
      if (method === 'read_group') {
        noteDomain(model, args[0]);
        for (const f of [...((args[1] as string[]) ?? []), ...((args[2] as string[]) ?? [])]) note(model, f);
        for (const f of String(kwargs.orderby ?? '').split(',')) note(model, f);
      }
      for (const f of (kwargs.fields as string[] | undefined) ?? []) note(model, f);
      for (const f of String(kwargs.order ?? '').split(',')) note(model, f);
      if (method === 'search_count') return 0 as T;
      // The company's currency is the one answer a function cannot do without.
      if (model === 'res.company') return [{ id: 1, currency_id: [1, 'EUR'] }] as T;
      return [] as T;
    },
    async close() {},
  };
  const connector = createErpConnector(client);
  const period = { from: '2026-01-01', to: '2026-12-31' };
  const page = { offset: 0, first: 1 };
  const calls: Record<keyof ErpConnector, (c: ErpConnector) => Promise<unknown>> = {
    customersByNumber: (c) => c.customersByNumber(['C00001']),
    partnersById: (c) => c.partnersById([1]),
    productsBySku: (c) => c.productsBySku(['SKU-1']),
    productsById: (c) => c.productsById([1]),
    bomsByProductTemplateId: (c) => c.bomsByProductTemplateId([1]),
    bomLinesByBomId: (c) => c.bomLinesByBomId([1]),
    ordersByNumber: (c) => c.ordersByNumber(['S00001']),
    ordersByPartnerId: (c) => c.ordersByPartnerId([1]),
    ordersByClientOrderRef: (c) => c.ordersByClientOrderRef(['006000000000001AAA']),
    orderLinesByOrderId: (c) => c.orderLinesByOrderId([1]),
    invoicesByPartnerId: (c) => c.invoicesByPartnerId([1]),
    balanceDueByPartnerId: (c) => c.balanceDueByPartnerId([1]),
    employeesByWorkEmail: (c) => c.employeesByWorkEmail(['a@example.com']),
    employeesById: (c) => c.employeesById([1]),
    employeesByUserId: (c) => c.employeesByUserId([1]),
    employeesByManagerId: (c) => c.employeesByManagerId([1]),
    customersPage: (c) => c.customersPage(page),
    countCustomers: (c) => c.countCustomers(),
    productsPage: (c) => c.productsPage(page),
    countProducts: (c) => c.countProducts(),
    ordersPage: (c) => c.ordersPage(page, { partnerId: 1 }),
    countOrders: (c) => c.countOrders({ partnerId: 1 }),
    companyCurrency: (c) => c.companyCurrency(),
    quantsByProductId: (c) => c.quantsByProductId([1]),
    salesTeams: (c) => c.salesTeams(),
    invoicedTargetByUserId: (c) => c.invoicedTargetByUserId(period, [1]),
    invoicedByUserId: (c) => c.invoicedByUserId(period, [1]),
    monthlyInvoicedByUserId: (c) => c.monthlyInvoicedByUserId(period, [1]),
    monthlyInvoicedByTeamId: (c) => c.monthlyInvoicedByTeamId(period, [1]),
    monthlyTargetByUserId: (c) => c.monthlyTargetByUserId(period, [1]),
    invoicedByTeamId: (c) => c.invoicedByTeamId(period, [1]),
    invoicedByPartnerId: (c) => c.invoicedByPartnerId(period, [1]),
    salesByPartnerId: (c) => c.salesByPartnerId(period, [1]),
    topCustomersBySales: (c) => c.topCustomersBySales(period, 5),
    unitsSoldByProductId: (c) => c.unitsSoldByProductId(period, [1]),
    ticketsByCaseId: (c) => c.ticketsByCaseId(['500000000000001AAA']),
    ticketsByRef: (c) => c.ticketsByRef(['T00001']),
    ticketsByPartnerId: (c) => c.ticketsByPartnerId([1]),
    ticketCountByProductId: (c) => c.ticketCountByProductId([1]),
    customerNumbers: (c) => c.customerNumbers(),
  };
  const functions = Object.keys(connector).filter((k) => typeof connector[k as keyof ErpConnector] === 'function');
  const unasked = functions.filter((f) => !(f in calls));
  if (unasked.length > 0) {
    throw new Error(`Expected this test to ask every ERP connector function what it reads, but it does not ask: ${unasked.join(', ')}; add them to \`calls\`.`);
  }
  for (const call of Object.values(calls)) await call(connector);
  return reads;
}

describe('ERP declarations match what the ERP connector reads', () => {
  it('declares, for the ERP subgraph, only Odoo fields the connector names in a call', async () => {
    const reads = await erpConnectorReads();
    const isRead = (model: string, path: string): boolean => {
      if (path === 'id' || reads.get(model)?.has(path)) return true;
      // A path is read when its first hop is, and the rest is read on the model it leads to.
      const [head, ...rest] = path.split('.');
      const relation = MODELS.get(model)?.fields.get(head!)?.relation;
      return rest.length > 0 && !!relation && !!reads.get(model)?.has(head!) && isRead(relation, rest.join('.'));
    };
    const erp = odooSources.filter((d) => d.subgraph === 'erp');
    expect(erp.length).toBeGreaterThan(100);
    const unread = erp.flatMap(({ at, source }) => source.fields.filter((f) => !isRead(source.model, f)).map((f) => `${at}: ${source.model} ${f}`));
    expect(unread, `Declared but never read by subgraphs/erp/src/connectors:\n  ${unread.join('\n  ')}`).toEqual([]);
  });
});
