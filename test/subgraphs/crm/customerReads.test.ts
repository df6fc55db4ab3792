/**
 * A Customer's reads by ERP number (its accounts and the lists beside them)
 * asked for in one turn of the event loop become one connector call, with a
 * fake connector that records what it is asked. The same against the emulator
 * is in crmSubgraph.test.ts; here, the cases the emulator cannot show: which
 * errors fall back to reading each part alone, and a subquery's result that
 * Salesforce cut into pages.
 */
import { describe, expect, it } from 'vitest';
import type { AccountRecord, CaseRecord, ContactRecord, CrmConnector, CustomerList } from '../../../subgraphs/crm/src/connectors/crmConnector.js';
import { createCrmConnector } from '../../../subgraphs/crm/src/connectors/crmConnector.js';
import { createCrmLoaders } from '../../../subgraphs/crm/src/loaders.js';
import {
  SalesforceError,
  SalesforceUnavailableError,
  type QueryResult,
  type SalesforceClient,
  type SObjectRecord,
} from '../../../lib/native/salesforceClient.js';
import { salesforceId } from '../../../emulators/seed/salesforceId.js';
import { MemoryCache } from '../../../lib/cache/memoryCache.js';
import { noteNativeCall, trackCacheReads } from '../../../lib/cache/responseCacheability.js';

const account = (number: string, n: number): AccountRecord => ({
  id: salesforceId('Account', n),
  name: `Account ${number}`,
  type: null,
  industry: null,
  segment: null,
  erpCustomerNumber: number,
  ownerId: null,
});
const contact = (number: string): ContactRecord => ({
  id: `contact of ${number}`,
  accountId: null,
  name: number,
  firstName: null,
  lastName: number,
  email: null,
  phone: null,
  title: null,
});
const openCase = (number: string) => ({ id: `case of ${number}` }) as CaseRecord;

/**
 * A connector that answers every number with one account, one contact and one case, and records its
 * calls; `exchange` stands for what the Salesforce client does on each native call.
 */
function fakeConnector(fail: Partial<Record<string, Error>> = {}, exchange: () => void = () => {}) {
  const calls: string[] = [];
  const answer = async <T>(name: string, numbers: readonly string[], each: (number: string, i: number) => T): Promise<T[]> => {
    calls.push(`${name}(${numbers.join(',')})`);
    exchange();
    await new Promise((resolve) => setTimeout(resolve, 1));
    if (fail[name]) throw fail[name];
    return numbers.map(each);
  };
  const connector = {
    accountsByErpNumber: (numbers: readonly string[]) => answer('accounts', numbers, (n, i) => [account(n, i + 1)]),
    contactsByErpNumber: (numbers: readonly string[]) => answer('contacts', numbers, (n) => [contact(n)]),
    openOpportunitiesByErpNumber: (numbers: readonly string[]) => answer('openOpportunities', numbers, () => []),
    openCasesByErpNumber: (numbers: readonly string[]) => answer('openCases', numbers, (n) => [openCase(n)]),
    customerRecordsByErpNumber: (numbers: readonly string[], lists: readonly CustomerList[]) =>
      answer(`together[${lists.join(',')}]`, numbers, (n, i) => ({
        accounts: [account(n, i + 1)],
        ...(lists.includes('contacts') ? { contacts: [contact(n)] } : {}),
        ...(lists.includes('openCases') ? { openCases: [openCase(n)] } : {}),
      })),
  } as Partial<CrmConnector> as CrmConnector;
  return { connector, calls };
}

describe('reads of a customer by ERP number', () => {
  it('asked for in one tick, are one call for the union of the numbers, each answered by number', async () => {
    const { connector, calls } = fakeConnector();
    const loaders = createCrmLoaders(connector);
    const [accounts, contacts, cases, otherAccounts] = await Promise.all([
      loaders.accountsByErpNumber.loadMany(['C1', 'C2']),
      loaders.contactsByErpNumber.loadMany(['C2', 'C3']),
      loaders.openCasesByErpNumber.load('C1'),
      loaders.accountsByErpNumber.load('C3'),
    ]);
    expect(calls).toEqual(['together[contacts,openCases](C1,C2,C3)']);
    expect((accounts as AccountRecord[][]).map((list) => list[0]!.erpCustomerNumber)).toEqual(['C1', 'C2']);
    expect((contacts as ContactRecord[][]).map((list) => list[0]!.name)).toEqual(['C2', 'C3']);
    expect(cases.map((c) => c.id)).toEqual(['case of C1']);
    expect(otherAccounts[0]!.erpCustomerNumber).toBe('C3');
  });

  it('asked for alone, or only accounts, use the plain query; a later tick makes a call of its own', async () => {
    const { connector, calls } = fakeConnector();
    const loaders = createCrmLoaders(connector);
    await loaders.contactsByErpNumber.load('C1');
    await loaders.accountsByErpNumber.load('C2');
    expect(calls).toEqual(['contacts(C1)', 'accounts(C2)']);
  });

  it('fall back to reading each part alone when Salesforce refuses the combined query (400), so only the failing part fails', async () => {
    const refused = new SalesforceError(400, 'INVALID_TYPE', "sObject type 'Case' is not supported.");
    const { connector, calls } = fakeConnector({ 'together[contacts,openCases]': refused, openCases: refused });
    const loaders = createCrmLoaders(connector);
    const [accounts, contacts, cases] = await Promise.allSettled([
      loaders.accountsByErpNumber.load('C1'),
      loaders.contactsByErpNumber.load('C1'),
      loaders.openCasesByErpNumber.load('C1'),
    ]);
    expect(calls).toEqual(['together[contacts,openCases](C1)', 'accounts(C1)', 'contacts(C1)', 'openCases(C1)']);
    expect(accounts.status).toBe('fulfilled');
    expect(contacts.status).toBe('fulfilled');
    expect(cases).toMatchObject({ status: 'rejected', reason: { extensions: { code: 'NATIVE_SYSTEM_ERROR', nativeError: 'INVALID_TYPE' } } });
  });

  it('leave the answer uncacheable when a part of the combined read is of a type the cache does not keep', async () => {
    const reads = async (ttls: Record<string, number>) => {
      const { connector } = fakeConnector({}, noteNativeCall);
      const loaders = createCrmLoaders(connector, { cache: new MemoryCache(), ttls: { defaultSeconds: 300, byType: ttls } });
      const { reads } = await trackCacheReads(() => Promise.all([loaders.accountsByErpNumber.load('C1'), loaders.contactsByErpNumber.load('C1')]));
      return reads;
    };
    // Both parts fill the entity cache: the native read is covered by their invalidations.
    expect((await reads({})).uncacheable).toBe(false);
    // Contacts are not cached (TTL 0), so nothing would invalidate an answer made from them.
    expect((await reads({ 'crm.contactsByErpNumber': 0 })).uncacheable).toBe(true);
  });

  it('fail together, without reading each part again, when Salesforce is unavailable or over its limit', async () => {
    for (const error of [
      new SalesforceUnavailableError('Salesforce failed GET /query with HTTP 503.'),
      new SalesforceError(403, 'REQUEST_LIMIT_EXCEEDED', 'TotalRequests Limit exceeded.'),
    ]) {
      const { connector, calls } = fakeConnector({ 'together[contacts]': error });
      const loaders = createCrmLoaders(connector);
      const settled = await Promise.allSettled([loaders.accountsByErpNumber.load('C1'), loaders.contactsByErpNumber.load('C1')]);
      expect(calls).toEqual(['together[contacts](C1)']);
      expect(settled.map((s) => s.status)).toEqual(['rejected', 'rejected']);
    }
  });
});

describe('customerRecordsByErpNumber', () => {
  /** A client whose query answers one account with a page of its contacts, and whose further pages are recorded. */
  function pagedClient(contacts: unknown) {
    const followed: { page: QueryResult<SObjectRecord>; object: string }[] = [];
    const row = (id: string, name: string) => ({ attributes: { type: 'Contact' }, Id: id, AccountId: salesforceId('Account', 1), Name: name, LastName: name });
    const client = {
      query: async () => [{ attributes: { type: 'Account' }, Id: salesforceId('Account', 1), Name: 'Acme', ERP_Customer_Number__c: 'C1', Contacts: contacts }],
      remainingRecords: async (page: QueryResult<SObjectRecord>, object: string) => {
        followed.push({ page, object });
        return [row(salesforceId('Contact', 3), 'Third')];
      },
    } as Partial<SalesforceClient> as SalesforceClient;
    return { connector: createCrmConnector(client), followed, row };
  }

  it("reads the rest of a subquery's result that Salesforce cut into pages", async () => {
    const first = { totalSize: 3, done: false, nextRecordsUrl: '/services/data/v60.0/query/01gXX-2', records: [] as unknown[] };
    const { connector, followed, row } = pagedClient(first);
    first.records.push(row(salesforceId('Contact', 1), 'First'), row(salesforceId('Contact', 2), 'Second'));
    // The number twice: its account's pages are still read once.
    const [records, again] = await connector.customerRecordsByErpNumber(['C1', 'C1'], ['contacts']);
    expect(records!.contacts!.map((c) => c.name)).toEqual(['First', 'Second', 'Third']);
    expect(again).toEqual(records);
    expect(followed).toEqual([{ page: first, object: 'Contact' }]);
  });

  it('reads no list for an account without children (null), and refuses a nested value that is not a query result', async () => {
    expect((await pagedClient(null).connector.customerRecordsByErpNumber(['C1'], ['contacts']))[0]!.contacts).toEqual([]);
    await expect(pagedClient('three contacts').connector.customerRecordsByErpNumber(['C1'], ['contacts'])).rejects.toThrow(
      /Expected Account.Contacts to be the query result of a relationship subquery, but Salesforce answered "three contacts"/,
    );
  });
});
