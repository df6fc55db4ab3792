/**
 * Test data for the workflow tests, made through the systems' native APIs
 * (Odoo JSON-RPC, Salesforce REST) exactly as a user of those systems would,
 * plus a fault proxy that stands between the workflow subgraph and a system.
 */
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createOdooClient, searchRead, type OdooClient } from '../../../lib/native/odooClient.js';
import { SalesforceClient } from '../../../lib/native/salesforceClient.js';

export interface NativeClients {
  odoo: OdooClient;
  sf: SalesforceClient;
}

export function nativeClients(odooUrl: string, salesforceUrl: string): NativeClients {
  return {
    odoo: createOdooClient({ url: odooUrl, db: 'odoo', login: 'admin', apiKey: '0123456789abcdef0123456789abcdef01234567' }),
    sf: new SalesforceClient({
      loginUrl: salesforceUrl,
      apiVersion: '60.0',
      clientId: 'erp-crm-graph',
      clientSecret: 'dev-secret',
      username: 'integration@example.com',
      password: 'dev-password',
    }),
  };
}

export interface TestProduct {
  sku: string;
  listPrice: number;
  qtyAvailable: number;
  pricebookEntryId: string;
  crmPrice: number;
}

/** Products sold in both systems, with their ERP stock and their standard CRM price book entry. */
export async function productsInBothSystems({ odoo, sf }: NativeClients): Promise<TestProduct[]> {
  const erp = await searchRead<{ default_code: string | false; list_price: number; qty_available: number }>(
    odoo,
    'product.product',
    [
      ['default_code', '!=', false],
      ['sale_ok', '=', true],
    ],
    ['default_code', 'list_price', 'qty_available'],
  );
  const entries = await sf.query<{ Id: string; UnitPrice: number; Product2: { ProductCode: string } }>(
    `SELECT Id, UnitPrice, Product2.ProductCode FROM PricebookEntry WHERE Pricebook2.IsStandard = true AND IsActive = true`,
  );
  const entryBySku = new Map(entries.map((e) => [e.Product2.ProductCode, e]));
  return erp
    .filter((p) => p.default_code && entryBySku.has(p.default_code))
    .map((p) => ({
      sku: p.default_code as string,
      listPrice: p.list_price,
      qtyAvailable: p.qty_available,
      pricebookEntryId: entryBySku.get(p.default_code as string)!.Id,
      crmPrice: entryBySku.get(p.default_code as string)!.UnitPrice,
    }));
}

export interface TestCustomer {
  number: string;
  partnerId: number;
  accountId: string;
}

/** ERP customers whose number exactly one CRM account carries (no duplicates: the quote's account must be unambiguous). */
export async function matchedCustomers({ odoo, sf }: NativeClients): Promise<TestCustomer[]> {
  const accounts = await sf.query<{ Id: string; ERP_Customer_Number__c: string }>(
    `SELECT Id, ERP_Customer_Number__c FROM Account WHERE ERP_Customer_Number__c != null`,
  );
  const count = new Map<string, number>();
  for (const a of accounts) count.set(a.ERP_Customer_Number__c, (count.get(a.ERP_Customer_Number__c) ?? 0) + 1);
  const partners = await searchRead<{ id: number; ref: string }>(odoo, 'res.partner', [['ref', '=like', 'C%']], ['ref'], { order: 'ref asc' });
  const partnerByRef = new Map(partners.map((p) => [p.ref, p.id]));
  return accounts
    .filter((a) => count.get(a.ERP_Customer_Number__c) === 1 && partnerByRef.has(a.ERP_Customer_Number__c))
    .map((a) => ({ number: a.ERP_Customer_Number__c, partnerId: partnerByRef.get(a.ERP_Customer_Number__c)!, accountId: a.Id }))
    .sort((a, b) => a.number.localeCompare(b.number));
}

/** A new opportunity and a quote on it with these lines, in the given status (Accepted by default). */
export async function makeQuote(
  { sf }: NativeClients,
  customer: TestCustomer,
  lines: { product: TestProduct; quantity: number; unitPrice?: number }[],
  status = 'Accepted',
): Promise<{ quoteId: string; opportunityId: string }> {
  const [pricebook] = await sf.query<{ Id: string }>(`SELECT Id FROM Pricebook2 WHERE IsStandard = true LIMIT 1`);
  const { id: opportunityId } = await sf.create('Opportunity', {
    Name: `Workflow test ${Math.random().toString(36).slice(2, 8)}`,
    AccountId: customer.accountId,
    StageName: 'Negotiation/Review',
    CloseDate: '2026-12-31',
    Pricebook2Id: pricebook!.Id,
  });
  const { id: quoteId } = await sf.create('Quote', { Name: 'Workflow test quote', OpportunityId: opportunityId, Pricebook2Id: pricebook!.Id, Status: status });
  for (const line of lines) {
    await sf.create('QuoteLineItem', {
      QuoteId: quoteId,
      PricebookEntryId: line.product.pricebookEntryId,
      Quantity: line.quantity,
      UnitPrice: line.unitPrice ?? line.product.crmPrice,
    });
  }
  return { quoteId, opportunityId };
}

export type FaultDecision = 'pass' | 'refuse' | 'hang-up' | 'fail-after-forwarding';

/**
 * A tiny HTTP proxy in front of a native system. `decide` sees each request
 * (method, path, body) and may let it through, refuse it with a 503 before it
 * reaches the system, hang up without an answer, or forward it and then hang
 * up — the nastiest case: the write happened, the caller cannot know.
 */
export async function startFaultProxy(
  target: string,
  decide: (req: { method: string; path: string; body: string }) => FaultDecision | Promise<FaultDecision>,
): Promise<{ url: string; close(): Promise<void> }> {
  const upstream = new URL(target);
  const server: Server = createServer(async (req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const decision = await decide({ method: req.method ?? 'GET', path: req.url ?? '/', body: body.toString('utf8') });
    if (decision === 'refuse') {
      res.writeHead(503, { 'content-type': 'text/plain' }).end('Service Unavailable (test proxy)');
      return;
    }
    if (decision === 'hang-up') {
      req.socket.destroy();
      return;
    }
    // The Host header stays the proxy's, so a Salesforce instance_url points back through the proxy.
    const forward = request({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      const parts: Buffer[] = [];
      answer.on('data', (c: Buffer) => parts.push(c));
      answer.on('end', () => {
        if (decision === 'fail-after-forwarding') {
          req.socket.destroy();
          return;
        }
        res.writeHead(answer.statusCode ?? 502, answer.headers).end(Buffer.concat(parts));
      });
    });
    forward.on('error', () => req.socket.destroy());
    forward.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Whether an Odoo JSON-RPC body calls `model.method`. */
export function isOdooCall(body: string, model: string, method: string): boolean {
  try {
    const args = (JSON.parse(body) as { params?: { args?: unknown[] } }).params?.args ?? [];
    return args[3] === model && args[4] === method;
  } catch {
    return false;
  }
}
