/**
 * The graph map's native sources are real: every Odoo model and field it names
 * exists in the Odoo emulator's model registry, every Salesforce object and
 * field in the Salesforce emulator's metadata (relationship paths followed hop
 * by hop), and every ERP field the ERP subgraph declares is one its connector
 * really reads: asked of a recording Odoo, every connector function names it
 * in a field list, a domain, a read_group or an order. Likewise every
 * Salesforce field the CRM subgraph declares for a read is one its connectors
 * really ask for: run against a recording Salesforce, every connector function
 * names it in a SOQL statement (select list, relationship path, subquery,
 * WHERE, GROUP BY, HAVING or ORDER BY), a composite read's field list or a
 * Bulk API query job.
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import soqlParser, { type FunctionExp, type Query, type Subquery } from 'soql-parser-js';
import { describe, expect, it } from 'vitest';
import { buildGraphMap, readSubgraphSchemaFiles } from '../scripts/graphMap.js';
import { repoRoot } from '../lib/subgraphSchemas.js';
import type { FieldSource } from '../gateway/src/graphMap.js';
import { MODELS } from '../emulators/odoo/models.js';
import { registry } from '../emulators/salesforce/metadata.js';
import { createErpConnector, type ErpConnector } from '../subgraphs/erp/src/connectors/erpConnector.js';
import type { OdooClient } from '../lib/native/odooClient.js';
import { SalesforceClient } from '../lib/native/salesforceClient.js';
import { salesforceId } from '../emulators/seed/salesforceId.js';
import { createCrmConnector, type CrmConnector } from '../subgraphs/crm/src/connectors/crmConnector.js';
import { createCrmAreasConnector, type CrmAreasConnector } from '../subgraphs/crm/src/connectors/areasConnector.js';

const { map } = buildGraphMap(readSubgraphSchemaFiles(), readFileSync(resolve(repoRoot, 'schema/supergraph.graphql'), 'utf8'));

/** Every declared source, with the field that declares it and the subgraph that resolves that field. */
const declarations = map.types.flatMap((type) =>
  type.fields.flatMap((field) =>
    field.owners.flatMap((owner) =>
      owner.sources.map((source) => ({
        at: `${type.name}.${field.name} (${owner.subgraph})`,
        field: `${type.name}.${field.name}`,
        subgraph: owner.subgraph,
        declaredIn: owner.declaredIn,
        source,
      })),
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
    bomLinesByProductTemplateId: (c) => c.bomLinesByProductTemplateId([1]),
    componentsOfProductTemplates: (c) => c.componentsOfProductTemplates([1]),
    ordersByNumber: (c) => c.ordersByNumber(['S00001']),
    ordersByPartnerId: (c) => c.ordersByPartnerId([1]),
    ordersByClientOrderRef: (c) => c.ordersByClientOrderRef(['006000000000001AAA']),
    orderLinesByOrderNumber: (c) => c.orderLinesByOrderNumber(['S00001']),
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

// --- What the CRM connectors read ----------------------------------------------------

const { parseQuery } = soqlParser;

/** Field paths per sObject, both lower-cased: Salesforce compares API names case-insensitively. */
type SalesforceReads = Map<string, Set<string>>;

/**
 * Notes `path` as read from `object`, and the rest of a relationship path as read
 * from each object it leads to: `Product2.ProductCode` asked of PricebookEntry
 * reads Product2's ProductCode too.
 */
function noteSalesforce(reads: SalesforceReads, object: string, path: string): void {
  const o = object.toLowerCase();
  (reads.get(o) ?? reads.set(o, new Set()).get(o)!).add(path.toLowerCase());
  const [head, ...rest] = path.split('.');
  if (rest.length === 0) return;
  const relationship = registry.object(object)?.relationship(head!);
  if (!relationship) throw new Error(`Expected ${object} to have a relationship ${head}, as a connector's path ${path} names, but it has none.`);
  for (const target of relationship.referenceTo) noteSalesforce(reads, target, rest.join('.'));
}

// Private: soql-parser-js's clauses are loosely typed unions; these are the shapes that name fields.
interface ClauseNode {
  field?: unknown;
  fn?: FunctionExp;
  valueQuery?: Query;
  left?: ClauseNode | null;
  right?: ClauseNode | null;
}

/** Notes every field a SOQL statement names: select list, subqueries, WHERE (with semi-joins), GROUP BY, HAVING and ORDER BY. */
function noteSoql(reads: SalesforceReads, soql: string): void {
  noteQuery(reads, parseQuery(soql));
}

function noteQuery(reads: SalesforceReads, query: Query | Subquery, object = (query as Query).sObject): void {
  if (!object) throw new Error(`Expected a SOQL query to name its sObject in FROM, but got ${JSON.stringify(query).slice(0, 200)}.`);
  const note = (path: string) => noteSalesforce(reads, object, path);
  const noteFn = (fn: FunctionExp) => {
    for (const p of fn.parameters ?? []) {
      if (typeof p === 'string') note(p);
      else noteFn(p);
    }
  };
  const noteClause = (node: ClauseNode | null | undefined): void => {
    if (!node) return;
    if (typeof node.field === 'string') note(node.field);
    if (node.fn) noteFn(node.fn);
    if (node.valueQuery) noteQuery(reads, node.valueQuery);
    noteClause(node.left);
    noteClause(node.right);
  };
  for (const field of query.fields ?? []) {
    if (field.type === 'Field') note(field.field);
    else if (field.type === 'FieldRelationship') note([...field.relationships, field.field].join('.'));
    else if (field.type === 'FieldFunctionExpression') noteFn(field);
    else if (field.type === 'FieldSubquery') {
      // A parent-to-child subquery reads the child relationship's sObject.
      const { relationshipName } = field.subquery;
      const child = registry.object(object)?.childRelationship(relationshipName)?.childSObject;
      if (!child) throw new Error(`Expected ${object} to have a child relationship ${relationshipName}, as a connector's subquery names, but it has none.`);
      noteQuery(reads, field.subquery, child);
    } else throw new Error(`Expected a SOQL select item this test can read (a field, a relationship path, a function or a subquery), but got ${field.type}.`);
  }
  for (const clause of [query.where, query.having, ...[query.groupBy ?? []].flat(), ...[query.orderBy ?? []].flat()]) noteClause(clause as ClauseNode);
}

/** A Salesforce stand-in on 127.0.0.1 that records what each request asks for and answers with no records. */
async function recordingSalesforce(reads: SalesforceReads) {
  const unexpected: string[] = [];
  const job = '750000000000001AAA';
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const json = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const path = url.pathname.replace(/^\/services\/data\/v[\d.]+/, '');
      if (url.pathname === '/services/oauth2/token') return json(200, { access_token: 'token', instance_url: `http://127.0.0.1:${port()}` });
      try {
        const body = chunks.length ? (JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>) : {};
        if (req.method === 'GET' && path === '/query') {
          const soql = url.searchParams.get('q') ?? '';
          noteSoql(reads, soql);
          // The pipeline report's first aggregate must find a close-date range, or it asks nothing more.
          const records = /\bMIN\(CloseDate\) lo\b/.test(soql) ? [{ lo: '2026-01-01', hi: '2026-12-31', owners: 1, stages: 1 }] : [];
          return json(200, { totalSize: records.length, done: true, records });
        }
        const composite = /^\/composite\/sobjects\/(\w+)$/.exec(path);
        if (req.method === 'POST' && composite) {
          for (const f of body.fields as string[]) noteSalesforce(reads, composite[1]!, f);
          return json(
            200,
            (body.ids as string[]).map(() => null),
          );
        }
        if (req.method === 'POST' && path === '/jobs/query') {
          noteSoql(reads, body.query as string);
          return json(200, { id: job, operation: 'query', state: 'UploadComplete' });
        }
        if (req.method === 'GET' && path === `/jobs/query/${job}`) return json(200, { id: job, operation: 'query', state: 'JobComplete' });
        if (req.method === 'GET' && path === `/jobs/query/${job}/results`) {
          res.writeHead(200, { 'content-type': 'text/csv', 'sforce-locator': 'null', 'sforce-numberofrecords': '0' });
          return res.end('');
        }
      } catch (error) {
        unexpected.push(`${req.method} ${url.pathname}${url.search}: ${(error as Error).message}`);
        return json(400, [{ errorCode: 'MALFORMED_QUERY', message: (error as Error).message }]);
      }
      unexpected.push(`${req.method} ${url.pathname}`);
      json(404, [{ errorCode: 'NOT_FOUND', message: `The recording Salesforce does not answer ${req.method} ${url.pathname}.` }]);
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const port = () => (server.address() as AddressInfo).port;
  const client = new SalesforceClient({
    loginUrl: `http://127.0.0.1:${port()}`,
    apiVersion: '60.0',
    clientId: 'id',
    clientSecret: 'secret',
    username: 'u@example.com',
    password: 'pw',
    timeoutMs: 2000,
    resilience: { retryAttempts: 1, retryBaseDelayMs: 1, retryMaxDelayMs: 1, breakerFailures: 1000, breakerHalfOpenAfterMs: 1 },
    bulkPollDelayMs: 1,
  });
  const stop = async () => {
    client.close();
    server.closeAllConnections();
    await new Promise<void>((done) => server.close(() => done()));
  };
  return { client, unexpected, stop };
}

type CrmConnectors = CrmConnector & CrmAreasConnector;

/** Every field path the CRM connectors ask Salesforce for, per sObject, asked through each of their functions. */
async function crmConnectorReads(): Promise<SalesforceReads> {
  const reads: SalesforceReads = new Map();
  const { client, unexpected, stop } = await recordingSalesforce(reads);
  try {
    const connector: CrmConnectors = { ...createCrmConnector(client), ...createCrmAreasConnector(client) };
    const account = [salesforceId('Account', 1)];
    const user = [salesforceId('User', 1)];
    const email = ['a@example.com'];
    const contact = [salesforceId('Contact', 1)];
    const opportunity = [salesforceId('Opportunity', 1)];
    const quote = [salesforceId('Quote', 1)];
    const campaign = [salesforceId('Campaign', 1)];
    const lead = [salesforceId('Lead', 1)];
    const caseId = [salesforceId('Case', 1)];
    const pipeline = { from: '2026-01-01', to: '2026-12-31', openOnly: true };
    // Every filter set, so each WHERE a function can write is asked once.
    const opportunityFilter = {
      stage: 'Prospecting',
      ownerEmail: email[0],
      accountId: account[0],
      openOnly: true,
      closeDateFrom: '2026-01-01',
      closeDateTo: '2026-12-31',
    };
    const caseFilter = {
      status: ['New'],
      priority: 'High',
      openOnly: true,
      accountId: account[0],
      customerNumber: 'C00001',
      productSku: 'SKU-1',
      erpOrderNumber: 'S00001',
    };
    // Owner-keyed functions read by id or through Owner.Email: both are asked.
    const byOwner = (ask: (by: 'OwnerId' | 'Owner.Email', owners: string[]) => Promise<unknown>) =>
      Promise.all([ask('OwnerId', user), ask('Owner.Email', email)]);
    const calls: Record<keyof CrmConnectors, (c: CrmConnectors) => Promise<unknown>> = {
      accountsById: (c) => c.accountsById(account),
      accountsByErpNumber: (c) => c.accountsByErpNumber(['C00001']),
      usersById: (c) => c.usersById(user),
      usersByEmail: (c) => c.usersByEmail(email),
      contactsByAccountId: (c) => c.contactsByAccountId(account),
      openOpportunitiesByAccountId: (c) => c.openOpportunitiesByAccountId(account),
      opportunitiesById: (c) => c.opportunitiesById(opportunity),
      openCasesByAccountId: (c) => c.openCasesByAccountId(account),
      contactsByErpNumber: (c) => c.contactsByErpNumber(['C00001']),
      openOpportunitiesByErpNumber: (c) => c.openOpportunitiesByErpNumber(['C00001']),
      openCasesByErpNumber: (c) => c.openCasesByErpNumber(['C00001']),
      customerRecordsByErpNumber: (c) => c.customerRecordsByErpNumber(['C00001'], ['contacts', 'openOpportunities', 'openCases']),
      priceBookEntriesBySku: (c) => c.priceBookEntriesBySku(['SKU-1']),
      openQuoteLinesBySku: (c) => c.openQuoteLinesBySku(['SKU-1']),
      quotesById: (c) => c.quotesById(quote),
      conflictingErpNumbers: (c) => c.conflictingErpNumbers(),
      unmatchedAccounts: (c) => c.unmatchedAccounts(5),
      unmatchedAccountCount: (c) => c.unmatchedAccountCount(),
      erpNumbersInCrm: (c) => c.erpNumbersInCrm(['C00001']),
      contactsById: (c) => c.contactsById(contact),
      contactsByEmail: (c) => c.contactsByEmail(email),
      quotes: (c) => c.quotes({ status: ['Draft'], accountId: account[0] }, 5),
      quotesByAccountId: (c) => c.quotesByAccountId(account),
      quotesByOpportunityId: (c) => c.quotesByOpportunityId(opportunity),
      quoteLinesByQuoteId: (c) => c.quoteLinesByQuoteId(quote),
      quoteLinesById: (c) => c.quoteLinesById([salesforceId('QuoteLineItem', 1)]),
      approvalsByQuoteId: (c) => c.approvalsByQuoteId(quote),
      priceBooks: (c) => c.priceBooks(),
      accountCountByOwner: (c) => byOwner((by, owners) => c.accountCountByOwner(by, owners)),
      accountsByOwner: (c) => byOwner((by, owners) => c.accountsByOwner(by, owners, 5)),
      openOpportunityCountByOwner: (c) => byOwner((by, owners) => c.openOpportunityCountByOwner(by, owners)),
      openOpportunitiesByOwner: (c) => byOwner((by, owners) => c.openOpportunitiesByOwner(by, owners, 5)),
      pipelineByOwner: (c) => byOwner((by, owners) => c.pipelineByOwner(by, owners, pipeline)),
      activityLoadByOwner: (c) => byOwner((by, owners) => c.activityLoadByOwner(by, owners)),
      campaignsById: (c) => c.campaignsById(campaign),
      campaigns: (c) => c.campaigns('Planned', 5),
      campaignResults: (c) => c.campaignResults(campaign),
      touchedCustomerNumbers: (c) => c.touchedCustomerNumbers(campaign),
      membersByCampaignId: (c) => c.membersByCampaignId(campaign, 5),
      membersByContactId: (c) => c.membersByContactId(contact),
      membersByLeadId: (c) => c.membersByLeadId(lead),
      campaignIdsByAccountId: (c) => c.campaignIdsByAccountId(account),
      leadsById: (c) => c.leadsById(lead),
      leads: (c) => c.leads({ status: 'Open', converted: false }, 5),
      leadsByConvertedAccountId: (c) => c.leadsByConvertedAccountId(account),
      leadFunnel: (c) => c.leadFunnel(),
      opportunitiesByCampaignId: (c) => c.opportunitiesByCampaignId(campaign),
      opportunities: (c) => c.opportunities(opportunityFilter, 5),
      opportunitiesByAccountId: (c) => c.opportunitiesByAccountId(account),
      opportunitiesByErpNumber: (c) => c.opportunitiesByErpNumber(['C00001']),
      opportunitiesByStage: (c) => c.opportunitiesByStage(opportunityFilter),
      stageSummaryByAccountId: (c) => c.stageSummaryByAccountId(account),
      stageSummaryByErpNumber: (c) => c.stageSummaryByErpNumber(['C00001']),
      pipelineBuckets: (c) =>
        Promise.all((['MONTH', 'QUARTER', 'YEAR'] as const).map((period) => c.pipelineBuckets({ ...pipeline, ownerEmail: email[0], period }))),
      activities: (c) => c.activities({ ownerEmail: email[0], from: '2026-01-01', to: '2026-12-31', openOnly: true }, 5),
      activitiesBy: (c) =>
        Promise.all([
          c.activitiesBy('OwnerId', user, true),
          c.activitiesBy('AccountId', account, true),
          c.activitiesBy('Account.ERP_Customer_Number__c', ['C00001'], true),
          c.activitiesBy('WhatId', opportunity, true),
        ]),
      casesById: (c) => c.casesById(caseId),
      cases: (c) => c.cases(caseFilter, 5),
      casesBy: (c) =>
        Promise.all([
          c.casesBy('AccountId', account, true),
          c.casesBy('Account.ERP_Customer_Number__c', ['C00001'], true),
          c.casesBy('ContactId', contact, true),
          c.casesBy('ERP_Order_Number__c', ['S00001'], true),
          c.casesBy('Product_SKU__c', ['SKU-1'], true),
        ]),
      caseCountBy: (c) =>
        Promise.all([
          c.caseCountBy('AccountId', account, true),
          c.caseCountBy('Account.ERP_Customer_Number__c', ['C00001'], true),
          c.caseCountBy('Product_SKU__c', ['SKU-1'], true),
        ]),
      caseCounts: (c) => Promise.all((['CUSTOMER', 'PRODUCT', 'STATUS'] as const).map((by) => c.caseCounts(by, true, 5))),
    };
    const functions = Object.keys(connector).filter((k) => typeof connector[k as keyof CrmConnectors] === 'function');
    const unasked = functions.filter((f) => !(f in calls));
    if (unasked.length > 0) {
      throw new Error(
        `Expected this test to ask every CRM connector function what it reads, but it does not ask: ${unasked.join(', ')}; add them to \`calls\`.`,
      );
    }
    for (const [name, call] of Object.entries(calls)) {
      await call(connector).catch((error: Error) => {
        throw new Error(`Expected CRM connector function ${name} to run against the recording Salesforce, but it failed: ${error.message}`, { cause: error });
      });
    }
    if (unexpected.length > 0)
      throw new Error(`Expected the CRM connectors to ask only what the recording Salesforce answers, but they asked:\n  ${unexpected.join('\n  ')}`);
    return reads;
  } finally {
    await stop();
  }
}

describe('CRM declarations match what the CRM connectors read', () => {
  it('reads every place a field can be named in the SOQL the connectors write', () => {
    const reads: SalesforceReads = new Map();
    noteSoql(
      reads,
      "SELECT Owner.Email, CALENDAR_YEAR(CloseDate) p0, COUNT(Id) n FROM Opportunity WHERE StageName = 'Won' AND (Account.ERP_Customer_Number__c != null OR CampaignId IN (SELECT Id FROM Campaign WHERE IsActive = true)) GROUP BY Owner.Email, CALENDAR_YEAR(CloseDate) HAVING COUNT(Id) > 1 ORDER BY Probability",
    );
    noteSoql(reads, 'SELECT Id, (SELECT ActorId FROM Workitems) FROM ProcessInstance');
    expect(Object.fromEntries([...reads].map(([o, paths]) => [o, [...paths].sort()]))).toEqual({
      opportunity: ['account.erp_customer_number__c', 'campaignid', 'closedate', 'id', 'owner.email', 'probability', 'stagename'],
      user: ['email'],
      account: ['erp_customer_number__c'],
      campaign: ['id', 'isactive'],
      processinstance: ['id'],
      processinstanceworkitem: ['actorid'],
    });
  });

  it('declares, for the CRM subgraph, only Salesforce fields the connectors ask for (writes aside)', async () => {
    const reads = await crmConnectorReads();
    const crm = salesforceSources.filter((d) => d.subgraph === 'crm' && d.source.kind !== 'write');
    expect(crm.length).toBeGreaterThan(100);
    const unread = crm.flatMap(({ field, declaredIn, source }) =>
      source.fields
        .filter((f) => !reads.get(source.object.toLowerCase())?.has(f.toLowerCase()))
        .map((f) => `${field} (${declaredIn}): ${source.object} ${f} (${source.kind})`),
    );
    expect(unread, `Declared but never asked of Salesforce by subgraphs/crm/src/connectors:\n  ${unread.join('\n  ')}`).toEqual([]);
  });
});
