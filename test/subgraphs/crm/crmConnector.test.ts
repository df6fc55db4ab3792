/**
 * The batch functions against the Salesforce emulator: key order by id,
 * NotFound in missing slots, one native call per batch, and literals that
 * cannot break out of SOQL.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { salesforceId } from '../../../emulators/seed/salesforceId.js';
import { buildWorld, type WorldCompany } from '../../../emulators/seed/world.js';
import { createCrmConnector, CrmNotFoundError, type CrmConnector } from '../../../subgraphs/crm/src/connectors/crmConnector.js';
import { createCrmAreasConnector } from '../../../subgraphs/crm/src/connectors/areasConnector.js';
import type { SalesforceClient } from '../../../lib/native/salesforceClient.js';
import { soqlLike, soqlString } from '../../../subgraphs/crm/src/connectors/soql.js';
import { salesforceClient, startEmulator, type Emulator } from './helpers.js';

const world = buildWorld('small');
const matched = world.companies.filter((c) => c.inErp && c.inCrm && !c.conflictingCrmAccountId);
const conflicted = world.companies.filter((c) => c.conflictingCrmAccountId);
const erpOnly = world.companies.filter((c) => c.inErp && !c.inCrm);
const isOpenStage = (stage: string) => stage !== 'Closed Won' && stage !== 'Closed Lost';

let emulator: Emulator;
let stopEmulator: () => Promise<void>;
let client: SalesforceClient;
let connector: CrmConnector;

beforeAll(async () => {
  ({ emulator, stop: stopEmulator } = await startEmulator());
  client = salesforceClient(emulator.url);
  connector = createCrmConnector(client);
  await client.query('SELECT Id FROM User LIMIT 1'); // log in once, so counts below are data calls only
});

afterAll(async () => {
  client?.close();
  await stopEmulator?.();
});

beforeEach(() => emulator.calls.reset());

/** Native calls the emulator served since the last reset, without logins. */
function dataCalls(): Record<string, number> {
  const { calls } = emulator.calls.snapshot() as { calls: Record<string, number> };
  return Object.fromEntries(Object.entries(calls).filter(([k]) => k !== 'oauth.token'));
}

describe('accountsById', () => {
  it('answers in key order matched by id, accepting 15-character ids, with NotFound for missing keys', async () => {
    const a: WorldCompany = matched[5]!;
    const b: WorldCompany = matched[0]!;
    const c: WorldCompany = matched[17]!;
    const keys = [
      a.crmAccountId!,
      salesforceId('Account', 999_999),
      b.crmAccountId!.slice(0, 15),
      'not-an-id',
      world.opportunities[0]!.id, // a real id, but of an Opportunity
      c.crmAccountId!,
    ];
    const rows = await connector.accountsById(keys);
    expect(rows).toHaveLength(keys.length);
    expect(rows[0]).toMatchObject({ id: a.crmAccountId, name: a.name, erpCustomerNumber: a.erpNumber, segment: a.segment, industry: a.industry });
    expect(rows[1]).toBeInstanceOf(CrmNotFoundError);
    expect(rows[2]).toMatchObject({ id: b.crmAccountId, name: b.name });
    expect(rows[3]).toBeInstanceOf(CrmNotFoundError);
    expect((rows[3] as Error).message).toMatch(/not a 15- or 18-character Account id/);
    expect(rows[4]).toBeInstanceOf(CrmNotFoundError);
    expect(rows[5]).toMatchObject({ id: c.crmAccountId, name: c.name });
    expect(dataCalls()).toEqual({ 'Account.composite_read': 1 });
  });

  it('asks nothing when no key can be an account id', async () => {
    const rows = await connector.accountsById(['x', salesforceId('Contact', 1)]);
    expect(rows.every((r) => r instanceof CrmNotFoundError)).toBe(true);
    expect(dataCalls()).toEqual({});
  });
});

describe('accountsByErpNumber', () => {
  it('gives every account claiming each number, in key order, in one query', async () => {
    const conflict = conflicted[0]!;
    const keys = [matched[3]!.erpNumber!, conflict.erpNumber!, erpOnly[0]!.erpNumber!, matched[3]!.erpNumber!, 'C99999'];
    const lists = await connector.accountsByErpNumber(keys);
    expect(lists.map((l) => l.length)).toEqual([1, 2, 0, 1, 0]);
    expect(lists[0]![0]).toMatchObject({ id: matched[3]!.crmAccountId, erpCustomerNumber: matched[3]!.erpNumber });
    expect(lists[1]!.map((a) => a.id).sort()).toEqual([conflict.crmAccountId, conflict.conflictingCrmAccountId].sort());
    // The owner comes along through the relationship, so no second call is needed for it.
    expect(lists[0]![0]!.owner).toMatchObject({ email: matched[3]!.ownerEmail });
    expect(dataCalls()).toEqual({ 'Account.query': 1 });
  });

  it('splits a batch too long for one GET URL into several queries and still answers every key', async () => {
    const fake = Array.from({ length: 1500 }, (_, i) => `X${String(i).padStart(6, '0')}`);
    const keys = [...fake.slice(0, 700), matched[9]!.erpNumber!, ...fake.slice(700), conflicted[0]!.erpNumber!];
    const lists = await connector.accountsByErpNumber(keys);
    expect(lists).toHaveLength(keys.length);
    expect(lists[700]!.map((a) => a.id)).toEqual([matched[9]!.crmAccountId]);
    expect(lists.at(-1)).toHaveLength(2);
    expect(lists.filter((l) => l.length > 0)).toHaveLength(2);
    expect(dataCalls()['Account.query']).toBeGreaterThan(1);
    // With the lists as subqueries the statement is longer, and still fits each GET URL.
    emulator.calls.reset();
    const records = await connector.customerRecordsByErpNumber(keys, ['contacts', 'openOpportunities', 'openCases']);
    expect(records.map((r) => r.accounts)).toEqual(lists);
    expect(records[700]!.contacts!.length).toBeGreaterThan(0);
    expect(dataCalls()['Account.query']).toBeGreaterThan(1);
  });

  it('keeps quote-breaking input inside its literal', async () => {
    const lists = await connector.accountsByErpNumber(["' OR Name != '", "C00001' OR ERP_Customer_Number__c != '", '\\', '%', 'C%']);
    expect(lists).toEqual([[], [], [], [], []]);
  });

  it('finds a value that needs escaping exactly, and only it', async () => {
    const tricky = 'Q\'1\\ "x"\n100%_';
    const created = await client.create('Account', { Name: "O'Brien \\ 100% _Holdings", ERP_Customer_Number__c: tricky.slice(0, 20) });
    const [found] = await connector.accountsByErpNumber([tricky.slice(0, 20)]);
    expect(found!.map((a) => a.id)).toEqual([expect.stringMatching(new RegExp(`^${created.id.slice(0, 15)}`))]);

    const byName = await client.query(`SELECT Id FROM Account WHERE Name = ${soqlString("O'Brien \\ 100% _Holdings")}`);
    expect(byName).toHaveLength(1);
    // `%` and `_` escaped for LIKE match only themselves: the literal text, not every name.
    const literalPercent = await client.query(`SELECT Id FROM Account WHERE Name LIKE ${soqlLike('100% _', { prefix: '%', suffix: '%' })}`);
    expect(literalPercent).toHaveLength(1);
    const noWildcard = await client.query(`SELECT Id FROM Account WHERE Name LIKE ${soqlLike('%')}`);
    expect(noWildcard).toHaveLength(0);
  });
});

describe('users', () => {
  const reps = world.employees.filter((e) => e.crmUserId);

  it('usersById and usersByEmail match by id and (case-insensitively) by e-mail', async () => {
    const users = await connector.usersById([reps[2]!.crmUserId!, salesforceId('User', 9999), reps[0]!.crmUserId!]);
    expect(users[0]).toMatchObject({ id: reps[2]!.crmUserId, email: reps[2]!.workEmail, name: reps[2]!.name, territory: reps[2]!.territory });
    expect(users[1]).toBeInstanceOf(CrmNotFoundError);
    expect(users[2]).toMatchObject({ id: reps[0]!.crmUserId });

    const staffOnly = world.employees.find((e) => !e.crmUserId)!;
    const byEmail = await connector.usersByEmail([reps[1]!.workEmail.toUpperCase(), staffOnly.workEmail, reps[4]!.workEmail]);
    expect(byEmail.map((l) => l.map((u) => u.id))).toEqual([[reps[1]!.crmUserId], [], [reps[4]!.crmUserId]]);
    expect(dataCalls()).toEqual({ 'User.composite_read': 1, 'User.query': 1 });
  });
});

describe('one-to-many by account', () => {
  it('contacts, open opportunities and open cases per account, one query each', async () => {
    const companies = matched.slice(0, 30);
    const ids = companies.map((c) => c.crmAccountId!);
    const keys = [...ids, salesforceId('Account', 999_998), ids[0]!.slice(0, 15)];
    const [contacts, opportunities, cases] = await Promise.all([
      connector.contactsByAccountId(keys),
      connector.openOpportunitiesByAccountId(keys),
      connector.openCasesByAccountId(keys),
    ]);
    companies.forEach((c, i) => {
      expect(contacts[i]!.map((x) => x.email).sort()).toEqual(c.contacts.map((x) => x.email).sort());
      const open = world.opportunities.filter((o) => o.accountId === c.crmAccountId && isOpenStage(o.stage));
      expect(opportunities[i]!.map((o) => o.id).sort()).toEqual(open.map((o) => o.id).sort());
      expect(opportunities[i]!.every((o) => !o.isClosed && o.accountId === c.crmAccountId)).toBe(true);
      const openCases = world.cases.filter((k) => k.accountId === c.crmAccountId && k.status !== 'Closed');
      expect(cases[i]!.map((k) => k.id).sort()).toEqual(openCases.map((k) => k.id).sort());
    });
    expect(contacts.at(-2)).toEqual([]);
    expect(contacts.at(-1)).toEqual(contacts[0]);
    expect(dataCalls()).toEqual({ 'Case.query': 1, 'Contact.query': 1, 'Opportunity.query': 1 });
  });

  it("a key that is no account id (an Account representation is another subgraph's data) reads as empty, not as an error", async () => {
    const areas = createCrmAreasConnector(client);
    const id = matched[2]!.crmAccountId!;
    const keys = ['not-an-id', id];
    const [contacts, opportunities, stages, cases] = await Promise.all([
      connector.contactsByAccountId(keys),
      areas.opportunitiesByAccountId(keys),
      areas.stageSummaryByAccountId(keys),
      areas.casesBy('AccountId', keys, false),
    ]);
    for (const lists of [contacts, opportunities, stages, cases]) expect(lists[0]).toEqual([]);
    expect(opportunities[1]!.length + cases[1]!.length + contacts[1]!.length).toBeGreaterThan(0);
  });

  it('the same lists by the ERP number on the account, one query each, with every account of a conflicting number', async () => {
    const companies = matched.slice(0, 20);
    const conflict = conflicted[0]!;
    const keys = [...companies.map((c) => c.erpNumber!), conflict.erpNumber!, erpOnly[0]!.erpNumber!, "C'1 OR Name != null", companies[0]!.erpNumber!];
    const [contacts, opportunities, cases] = await Promise.all([
      connector.contactsByErpNumber(keys),
      connector.openOpportunitiesByErpNumber(keys),
      connector.openCasesByErpNumber(keys),
    ]);
    expect(dataCalls()).toEqual({ 'Case.query': 1, 'Contact.query': 1, 'Opportunity.query': 1 });
    const [byIdContacts, byIdOpportunities, byIdCases] = await Promise.all([
      connector.contactsByAccountId(companies.map((c) => c.crmAccountId!)),
      connector.openOpportunitiesByAccountId(companies.map((c) => c.crmAccountId!)),
      connector.openCasesByAccountId(companies.map((c) => c.crmAccountId!)),
    ]);
    // Matched by number, in the order and with the records the by-id reads give.
    companies.forEach((_c, i) => {
      expect(contacts[i]).toEqual(byIdContacts[i]);
      expect(opportunities[i]).toEqual(byIdOpportunities[i]);
      expect(cases[i]!.map((k) => k.id)).toEqual(byIdCases[i]!.map((k) => k.id));
    });
    expect(contacts.slice(0, 20).some((l) => l.length > 0)).toBe(true);
    const ofConflict = (await connector.contactsByAccountId([conflict.crmAccountId!, conflict.conflictingCrmAccountId!])).flat();
    expect(ofConflict.length).toBeGreaterThan(0);
    expect(contacts[20]!.map((x) => x.id).sort()).toEqual(ofConflict.map((x) => x.id).sort());
    expect(contacts[21]).toEqual([]);
    expect(contacts[22]).toEqual([]);
    expect(contacts.at(-1)).toEqual(contacts[0]);
  });

  it('customerRecordsByErpNumber gives the accounts and the same lists in one query, the lists as relationship subqueries', async () => {
    const companies = matched.slice(0, 20);
    const conflict = conflicted[0]!;
    const keys = [...companies.map((c) => c.erpNumber!), conflict.erpNumber!, erpOnly[0]!.erpNumber!, "C'1 OR Name != null", companies[0]!.erpNumber!];
    const records = await connector.customerRecordsByErpNumber(keys, ['contacts', 'openOpportunities', 'openCases']);
    expect(dataCalls()).toEqual({ 'Account.query': 1 });
    const [accounts, contacts, opportunities, cases] = await Promise.all([
      connector.accountsByErpNumber(keys),
      connector.contactsByErpNumber(keys),
      connector.openOpportunitiesByErpNumber(keys),
      connector.openCasesByErpNumber(keys),
    ]);
    expect(records).toHaveLength(keys.length);
    records.forEach((r, i) => {
      expect(r.accounts, keys[i]).toEqual(accounts[i]);
      // Per account in the same order; several accounts on one number (the conflict) come one after the other.
      const sameSet = <T extends { id: string }>(a: T[] | undefined, b: T[]) => expect(new Set(a!.map((x) => x.id))).toEqual(new Set(b.map((x) => x.id)));
      if (accounts[i]!.length > 1) {
        sameSet(r.contacts, contacts[i]!);
        sameSet(r.openOpportunities, opportunities[i]!);
        sameSet(r.openCases, cases[i]!);
      } else {
        expect(r.contacts).toEqual(contacts[i]);
        expect(r.openOpportunities).toEqual(opportunities[i]);
        expect(r.openCases).toEqual(cases[i]);
      }
    });
    expect(records[20]!.accounts).toHaveLength(2);
    expect(records[20]!.contacts!.length).toBeGreaterThan(0);
    expect(records.slice(0, 20).some((r) => r.contacts!.length > 0 && r.openOpportunities!.length > 0 && r.openCases!.length > 0)).toBe(true);
    expect(records[21]).toEqual({ accounts: [], contacts: [], openOpportunities: [], openCases: [] });
    expect(records[22]).toEqual({ accounts: [], contacts: [], openOpportunities: [], openCases: [] });
    // Only the lists asked for.
    const [onlyCases] = await connector.customerRecordsByErpNumber([companies[0]!.erpNumber!], ['openCases']);
    expect(Object.keys(onlyCases!).sort()).toEqual(['accounts', 'openCases']);
  });

  it('opportunitiesById matches by id', async () => {
    const [o1, o2] = [world.opportunities[10]!, world.opportunities[3]!];
    const rows = await connector.opportunitiesById([o1.id, 'bad', o2.id.slice(0, 15)]);
    expect(rows[0]).toMatchObject({ id: o1.id, name: o1.name, stageName: o1.stage, amount: o1.amount, closeDate: o1.closeDate, accountId: o1.accountId });
    expect(rows[1]).toBeInstanceOf(CrmNotFoundError);
    expect(rows[2]).toMatchObject({ id: o2.id });
    expect(dataCalls()).toEqual({ 'Opportunity.composite_read': 1 });
  });
});

describe('products and quotes', () => {
  it('price-book entries and open quote lines per SKU, one query each', async () => {
    const sellable = world.products.filter((p) => p.saleOk).slice(0, 12);
    const component = world.products.find((p) => !p.saleOk)!;
    const keys = [...sellable.map((p) => p.sku), component.sku, "' OR Id != '"];
    const [entries, lines] = await Promise.all([connector.priceBookEntriesBySku(keys), connector.openQuoteLinesBySku(keys)]);
    sellable.forEach((p, i) => {
      expect(entries[i]!.length).toBeGreaterThan(0);
      expect(entries[i]!.every((e) => e.sku === p.sku)).toBe(true);
      const standard = entries[i]!.find((e) => e.isStandardPriceBook);
      expect(standard?.unitPrice).toBe(p.listPrice);
      expect(lines[i]!.every((l) => l.sku === p.sku && !['Accepted', 'Denied', 'Rejected'].includes(l.quote.status))).toBe(true);
    });
    expect(entries.at(-2)).toEqual([]);
    expect(entries.at(-1)).toEqual([]);
    expect(lines.at(-1)).toEqual([]);
    expect(dataCalls()).toEqual({ 'PricebookEntry.query': 1, 'QuoteLineItem.query': 1 });

    const quoteIds = [...new Set(lines.flat().map((l) => l.quote.id))].slice(0, 5);
    if (quoteIds.length > 0) {
      emulator.calls.reset();
      const quotes = await connector.quotesById([...quoteIds].reverse());
      expect(quotes.map((q) => (q instanceof Error ? null : q.id))).toEqual([...quoteIds].reverse());
      expect(dataCalls()).toEqual({ 'Quote.composite_read': 1 });
    }
  });
});
