/**
 * Batch reads of the CRM, shaped for DataLoader: each function takes a list of
 * keys, makes one native call for the whole list (plus queryMore pages, or more
 * calls only when the list is too long for one), and answers in key order,
 * matched by id or key value, never by position. A key with nothing behind it
 * gets a `CrmNotFoundError` in its slot; one-to-many functions give an array
 * (possibly empty) per key instead.
 *
 * Records are plain data named after the CRM's meaning, not its field names,
 * so resolvers never see Salesforce's JSON.
 */
import type { QueryResult, SalesforceClient, SObjectRecord } from '../../../../lib/native/salesforceClient.js';
import { SalesforceUnavailableError } from '../../../../lib/native/salesforceClient.js';
import { normalizeIdOf, type KnownSObject } from '../../../../lib/native/salesforceId.js';
import { isSoqlWritable, soqlId, soqlList, soqlString } from './soql.js';

// --- Records ---------------------------------------------------------------

export interface UserRecord {
  id: string;
  name: string;
  email: string | null;
  title: string | null;
  territory: string | null;
  isActive: boolean;
  department?: string | null;
  salesTeam?: string | null;
  managerId?: string | null;
}

export interface AccountRecord {
  id: string;
  name: string;
  type: string | null;
  industry: string | null;
  segment: string | null;
  erpCustomerNumber: string | null;
  ownerId: string | null;
  /** The owner, when the query read it through the `Owner` relationship; otherwise load it by `ownerId`. */
  owner?: UserRecord | null;
}

export interface ContactRecord {
  id: string;
  accountId: string | null;
  name: string;
  firstName: string | null;
  lastName: string | null;
  email: string | null;
  phone: string | null;
  title: string | null;
}

export interface OpportunityRecord {
  id: string;
  name: string;
  stageName: string;
  amount: number | null;
  probability: number | null;
  /** `YYYY-MM-DD`. */
  closeDate: string | null;
  isClosed: boolean;
  isWon: boolean;
  accountId: string | null;
  ownerId: string | null;
  owner?: UserRecord | null;
  erpOrderNumber: string | null;
  type?: string | null;
  leadSource?: string | null;
  nextStep?: string | null;
  expectedRevenue?: number | null;
  campaignId?: string | null;
}

export interface CaseRecord {
  id: string;
  accountId: string | null;
  caseNumber: string;
  subject: string | null;
  status: string;
  priority: string | null;
  origin: string | null;
  /** ISO 8601 with offset. */
  createdAt: string | null;
  productSku: string | null;
  description?: string | null;
  isClosed?: boolean;
  closedAt?: string | null;
  contactId?: string | null;
  ownerId?: string | null;
  erpOrderNumber?: string | null;
  /** The ERP number of the case's account, read through `Account.ERP_Customer_Number__c`. */
  customerNumber?: string | null;
}

export interface PriceBookEntryRecord {
  id: string;
  sku: string;
  priceBookName: string;
  isStandardPriceBook: boolean;
  unitPrice: number;
  isActive: boolean;
  priceBookId?: string | null;
  priceBookSegment?: string | null;
}

export interface QuoteRecord {
  id: string;
  name: string;
  status: string;
  expirationDate: string | null;
  totalPrice: number | null;
  opportunityId: string | null;
  accountId: string | null;
  number?: string | null;
  contactId?: string | null;
  priceBookId?: string | null;
  erpOrderNumber?: string | null;
}

export interface QuoteLineRecord {
  id: string;
  sku: string;
  quantity: number;
  unitPrice: number;
  discountPercent: number | null;
  totalPrice: number;
  quote: QuoteRecord;
  listPrice?: number | null;
}

/** The key has no record behind it (or cannot name one, such as a malformed id). */
export class CrmNotFoundError extends Error {
  override readonly name = 'CrmNotFoundError';
  constructor(
    readonly object: string,
    readonly key: string,
    reason?: string,
  ) {
    super(`No ${object} ${JSON.stringify(key)} in the CRM${reason ? `: ${reason}` : ''}.`);
  }
}

export function isCrmNotFound(error: unknown): error is CrmNotFoundError {
  return error instanceof CrmNotFoundError;
}

export interface CrmConnector {
  accountsById(ids: readonly string[]): Promise<(AccountRecord | CrmNotFoundError)[]>;
  /** Accounts whose `ERP_Customer_Number__c` is the number: none (MISSING), one (MATCHED) or several (CONFLICT). */
  accountsByErpNumber(numbers: readonly string[]): Promise<AccountRecord[][]>;
  usersById(ids: readonly string[]): Promise<(UserRecord | CrmNotFoundError)[]>;
  /** Users by e-mail, matched case-insensitively as SOQL compares; several users may share one. */
  usersByEmail(emails: readonly string[]): Promise<UserRecord[][]>;
  contactsByAccountId(accountIds: readonly string[]): Promise<ContactRecord[][]>;
  /**
   * Contacts of the accounts that carry each ERP number, read through `Account.ERP_Customer_Number__c`:
   * no account read has to come first. With several accounts on one number, all their contacts.
   */
  contactsByErpNumber(numbers: readonly string[]): Promise<ContactRecord[][]>;
  openOpportunitiesByAccountId(accountIds: readonly string[]): Promise<OpportunityRecord[][]>;
  /** Open opportunities of the accounts that carry each ERP number (as contactsByErpNumber). */
  openOpportunitiesByErpNumber(numbers: readonly string[]): Promise<OpportunityRecord[][]>;
  opportunitiesById(ids: readonly string[]): Promise<(OpportunityRecord | CrmNotFoundError)[]>;
  openCasesByAccountId(accountIds: readonly string[]): Promise<CaseRecord[][]>;
  /** Open cases of the accounts that carry each ERP number (as contactsByErpNumber). */
  openCasesByErpNumber(numbers: readonly string[]): Promise<CaseRecord[][]>;
  /**
   * The accounts that carry each ERP number and, in the same query, the lists asked for (as the
   * ...ByErpNumber functions give them): one call where the separate functions make one each.
   */
  customerRecordsByErpNumber(numbers: readonly string[], lists: readonly CustomerList[]): Promise<CustomerRecords[]>;
  priceBookEntriesBySku(skus: readonly string[]): Promise<PriceBookEntryRecord[][]>;
  /** Lines of quotes whose status is not Accepted, Denied or Rejected. */
  openQuoteLinesBySku(skus: readonly string[]): Promise<QuoteLineRecord[][]>;
  quotesById(ids: readonly string[]): Promise<(QuoteRecord | CrmNotFoundError)[]>;
}

/** The lists of an account that are read by ERP number for a Customer. */
export type CustomerList = 'contacts' | 'openOpportunities' | 'openCases';

/** What customerRecordsByErpNumber answers for one ERP number: its accounts and the lists asked for. */
export interface CustomerRecords {
  accounts: AccountRecord[];
  contacts?: ContactRecord[];
  openOpportunities?: OpportunityRecord[];
  openCases?: CaseRecord[];
}

/** Quote statuses after which a quote no longer competes for stock or price. */
export const CLOSED_QUOTE_STATUSES = ['Accepted', 'Denied', 'Rejected'] as const;

/**
 * Salesforce takes about 16 000 characters of URL for a GET; SOQL IN lists are
 * cut so that each statement stays well below that once URL-encoded.
 */
export const MAX_IN_LIST_CHARS = 6000;

// --- Field lists -----------------------------------------------------------

export const USER_FIELDS = ['Id', 'Name', 'Email', 'Title', 'Territory__c', 'IsActive', 'Department', 'Sales_Team__c', 'ManagerId'];
export const ACCOUNT_FIELDS = ['Id', 'Name', 'Type', 'Industry', 'Segment__c', 'ERP_Customer_Number__c', 'OwnerId'];
/** The owner read through the relationship, so an account or opportunity query needs no second call for it. */
export const OWNER_FIELDS = USER_FIELDS.map((f) => `Owner.${f}`);
export const OPPORTUNITY_FIELDS = [
  'Id',
  'Name',
  'StageName',
  'Amount',
  'Probability',
  'CloseDate',
  'IsClosed',
  'IsWon',
  'AccountId',
  'OwnerId',
  'ERP_Order_Number__c',
  'Type',
  'LeadSource',
  'NextStep',
  'ExpectedRevenue',
  'CampaignId',
];
export const CONTACT_FIELDS = ['Id', 'AccountId', 'Name', 'FirstName', 'LastName', 'Email', 'Phone', 'Title'];
export const CASE_FIELDS = [
  'Id',
  'AccountId',
  'CaseNumber',
  'Subject',
  'Status',
  'Priority',
  'Origin',
  'CreatedDate',
  'Product_SKU__c',
  'Description',
  'IsClosed',
  'ClosedDate',
  'ContactId',
  'OwnerId',
  'ERP_Order_Number__c',
  'Account.ERP_Customer_Number__c',
];
export const QUOTE_FIELDS = [
  'Id',
  'Name',
  'Status',
  'ExpirationDate',
  'TotalPrice',
  'OpportunityId',
  'AccountId',
  'QuoteNumber',
  'ContactId',
  'Pricebook2Id',
  'ERP_Order_Number__c',
];

/**
 * Reads records of one object by id in one composite call, in key order matched by id.
 * Keys that are not ids of `object` are answered NotFound without asking Salesforce.
 */
export async function readById<T extends { id: string }>(
  client: SalesforceClient,
  object: KnownSObject,
  keys: readonly string[],
  fields: readonly string[],
  toRecord: (r: SObjectRecord) => T,
): Promise<(T | CrmNotFoundError)[]> {
  const normalized = keys.map((k) => normalizeIdOf(object, k));
  const unique = [...new Set(normalized.filter((id): id is string => id !== null))];
  const found = new Map<string, T>();
  if (unique.length > 0) {
    for (const row of await client.retrieve(object, unique, fields)) {
      if (row === null) continue;
      const record = toRecord(row);
      found.set(record.id, record);
    }
  }
  return keys.map((key, i) => {
    const id = normalized[i];
    if (id === null || id === undefined) return new CrmNotFoundError(object, key, `it is not a 15- or 18-character ${object} id`);
    return found.get(id) ?? new CrmNotFoundError(object, key);
  });
}

/** How a one-to-many read names the account its records belong to. */
export interface AccountKey {
  /** The SOQL path the keys are compared with. */
  field: 'AccountId' | 'Account.ERP_Customer_Number__c';
  literal: (key: string) => string | null;
  /** The comparable form of a key, or null when it cannot match anything. */
  keyOf: (value: string) => string | null;
  /** The key a returned row carries (`field` must be selected). */
  keyOfRow: (r: SObjectRecord) => string | null;
}

export const BY_ACCOUNT_ID: AccountKey = {
  field: 'AccountId',
  literal: (value) => (normalizeIdOf('Account', value) === null ? null : soqlId(value)),
  keyOf: (value) => normalizeIdOf('Account', value),
  keyOfRow: (r) => str(r, 'AccountId'),
};

/**
 * A Customer's records found through the ERP number on their account, so no account read has to
 * come first; with several accounts on one number, the records of all of them. The external id is
 * the identity: compared exactly, never loosened.
 */
export const BY_ERP_NUMBER: AccountKey = {
  field: 'Account.ERP_Customer_Number__c',
  literal: (value) => (isSoqlWritable(value) ? soqlString(value) : null),
  keyOf: (value) => value,
  keyOfRow: (r) => {
    const account = parent(r, 'Account');
    return account ? str(account, 'ERP_Customer_Number__c') : null;
  },
};

/** One of an account's lists: read on its own (`FROM <object>`), or nested in the account (`FROM <relationship>`). */
interface AccountList<T> {
  object: string;
  /** The child relationship on Account. */
  relationship: string;
  fields: readonly string[];
  openOnly?: boolean;
  orderBy: string;
  toRecord: (r: SObjectRecord) => T;
}

const ACCOUNT_LISTS: { contacts: AccountList<ContactRecord>; openOpportunities: AccountList<OpportunityRecord>; openCases: AccountList<CaseRecord> } = {
  contacts: { object: 'Contact', relationship: 'Contacts', fields: CONTACT_FIELDS, orderBy: 'LastName, FirstName, Id', toRecord: toContact },
  openOpportunities: {
    object: 'Opportunity',
    relationship: 'Opportunities',
    fields: [...OPPORTUNITY_FIELDS, ...OWNER_FIELDS],
    openOnly: true,
    orderBy: 'CloseDate, Id',
    toRecord: toOpportunity,
  },
  openCases: { object: 'Case', relationship: 'Cases', fields: CASE_FIELDS, openOnly: true, orderBy: 'CreatedDate DESC, Id', toRecord: toCase },
};

export function createCrmConnector(client: SalesforceClient): CrmConnector {
  const byId = <T extends { id: string }>(object: KnownSObject, keys: readonly string[], fields: readonly string[], toRecord: (r: SObjectRecord) => T) =>
    readById(client, object, keys, fields, toRecord);

  /**
   * One-to-many reads: `WHERE <field> IN (...)`, grouped by the key each record
   * carries. `keyOf` maps both the caller's key and the record's value to the
   * same comparable form.
   */
  async function grouped<T>(
    keys: readonly string[],
    literal: (key: string) => string | null,
    keyOf: (value: string) => string | null,
    statement: (inList: string) => string,
    toRecord: (r: SObjectRecord) => { key: string | null; record: T },
  ): Promise<T[][]> {
    const comparable = keys.map(keyOf);
    const literals = new Map<string, string>();
    keys.forEach((key, i) => {
      const c = comparable[i];
      if (c === null || c === undefined || literals.has(c)) return;
      const lit = literal(key);
      if (lit !== null) literals.set(c, lit);
    });
    const byKey = new Map<string, T[]>();
    const pages = await Promise.all(chunkLiterals([...literals.values()]).map((chunk) => client.query(statement(soqlList(chunk)))));
    for (const rows of pages) {
      for (const row of rows) {
        const { key, record } = toRecord(row);
        const c = key === null ? null : keyOf(key);
        if (c === null) continue;
        const list = byKey.get(c);
        if (list) list.push(record);
        else byKey.set(c, [record]);
      }
    }
    return comparable.map((c) => (c === null || c === undefined ? [] : [...(byKey.get(c) ?? [])]));
  }

  const textLiteral = (value: string) => (isSoqlWritable(value) ? soqlString(value) : null);
  const exact = (value: string) => value;

  /** One-to-many reads from an account: `SELECT <fields> FROM <object> WHERE <account key> IN (...) [AND <open>] ORDER BY <order>`. */
  function ofAccounts<T>(by: AccountKey, keys: readonly string[], list: AccountList<T>): Promise<T[][]> {
    const select = list.fields.includes(by.field) ? list.fields : [...list.fields, by.field];
    return grouped(
      keys,
      by.literal,
      by.keyOf,
      (inList) =>
        `SELECT ${select.join(', ')} FROM ${list.object} WHERE ${by.field} IN ${inList}${list.openOnly ? ' AND IsClosed = false' : ''} ORDER BY ${list.orderBy}`,
      (r) => ({ key: by.keyOfRow(r), record: list.toRecord(r) }),
    );
  }

  const accountsWithOwners =
    (subqueries: readonly string[] = []) =>
    (inList: string) =>
      `SELECT ${[...ACCOUNT_FIELDS, ...OWNER_FIELDS, ...subqueries].join(', ')} FROM Account WHERE ERP_Customer_Number__c IN ${inList} ORDER BY Id`;

  /**
   * A subquery's records nested in an account: null when there are none; Salesforce cuts a long one
   * into pages like a query's, and the rest is read through its `nextRecordsUrl`.
   */
  async function nested(account: SObjectRecord, list: AccountList<unknown>): Promise<SObjectRecord[]> {
    const value = account[list.relationship];
    if (value === null || value === undefined) return [];
    if (typeof value !== 'object' || !Array.isArray((value as QueryResult<SObjectRecord>).records)) {
      throw protocolError(account, list.relationship, 'the query result of a relationship subquery');
    }
    const page = value as QueryResult<SObjectRecord>;
    return page.done ? page.records : [...page.records, ...(await client.remainingRecords(page, list.object))];
  }

  return {
    accountsById: (ids) => byId('Account', ids, ACCOUNT_FIELDS, toAccount),

    accountsByErpNumber: (numbers) =>
      grouped(
        numbers,
        textLiteral,
        // The external id is the identity: compared exactly, never loosened.
        exact,
        accountsWithOwners(),
        (r) => ({ key: str(r, 'ERP_Customer_Number__c'), record: toAccount(r) }),
      ),

    async customerRecordsByErpNumber(numbers, lists) {
      const subqueries = lists.map((name) => {
        const list = ACCOUNT_LISTS[name];
        return `(SELECT ${list.fields.join(', ')} FROM ${list.relationship}${list.openOnly ? ' WHERE IsClosed = false' : ''} ORDER BY ${list.orderBy})`;
      });
      const rowsByNumber = await grouped(numbers, textLiteral, exact, accountsWithOwners(subqueries), (r) => ({
        key: str(r, 'ERP_Customer_Number__c'),
        record: r,
      }));
      // A number asked for twice shares its account rows: each row's lists are read (and paged) once.
      const listsOf = new Map<SObjectRecord, Promise<Partial<Record<CustomerList, unknown[]>>>>();
      const readLists = async (row: SObjectRecord) => {
        const read: Partial<Record<CustomerList, unknown[]>> = {};
        for (const name of lists) {
          const list: AccountList<unknown> = ACCOUNT_LISTS[name];
          read[name] = (await nested(row, list)).map((r) => list.toRecord(r));
        }
        return read;
      };
      return Promise.all(
        rowsByNumber.map(async (rows) => {
          const perAccount = await Promise.all(
            rows.map((row) => {
              if (!listsOf.has(row)) listsOf.set(row, readLists(row));
              return listsOf.get(row)!;
            }),
          );
          const records: CustomerRecords = { accounts: rows.map(toAccount) };
          // With several accounts on one number, their lists one account after another, in account id order.
          for (const name of lists) (records as Record<CustomerList, unknown[]>)[name] = perAccount.flatMap((read) => read[name]!);
          return records;
        }),
      );
    },

    usersById: (ids) => byId('User', ids, USER_FIELDS, toUser),

    usersByEmail: (emails) =>
      grouped(
        emails,
        textLiteral,
        // SOQL compares strings case-insensitively, and so do mail systems for all practical purposes.
        (value) => value.toLowerCase(),
        (list) => `SELECT ${USER_FIELDS.join(', ')} FROM User WHERE Email IN ${list} ORDER BY Id`,
        (r) => ({ key: str(r, 'Email'), record: toUser(r) }),
      ),

    contactsByAccountId: (accountIds) => ofAccounts(BY_ACCOUNT_ID, accountIds, ACCOUNT_LISTS.contacts),
    contactsByErpNumber: (numbers) => ofAccounts(BY_ERP_NUMBER, numbers, ACCOUNT_LISTS.contacts),
    openOpportunitiesByAccountId: (accountIds) => ofAccounts(BY_ACCOUNT_ID, accountIds, ACCOUNT_LISTS.openOpportunities),
    openOpportunitiesByErpNumber: (numbers) => ofAccounts(BY_ERP_NUMBER, numbers, ACCOUNT_LISTS.openOpportunities),
    opportunitiesById: (ids) => byId('Opportunity', ids, OPPORTUNITY_FIELDS, toOpportunity),
    openCasesByAccountId: (accountIds) => ofAccounts(BY_ACCOUNT_ID, accountIds, ACCOUNT_LISTS.openCases),
    openCasesByErpNumber: (numbers) => ofAccounts(BY_ERP_NUMBER, numbers, ACCOUNT_LISTS.openCases),

    priceBookEntriesBySku: (skus) =>
      grouped(
        skus,
        textLiteral,
        exact,
        (list) =>
          `SELECT Id, UnitPrice, IsActive, Product2.ProductCode, Pricebook2Id, Pricebook2.Name, Pricebook2.IsStandard, Pricebook2.Segment__c FROM PricebookEntry WHERE Product2.ProductCode IN ${list} ORDER BY Id`,
        (r) => {
          const record = toPriceBookEntry(r);
          return { key: record.sku, record };
        },
      ),

    openQuoteLinesBySku: (skus) =>
      grouped(
        skus,
        textLiteral,
        exact,
        (list) =>
          `SELECT Id, Quantity, UnitPrice, ListPrice, Discount, TotalPrice, Product2.ProductCode, QuoteId, ${QUOTE_FIELDS.filter((f) => f !== 'Id')
            .map((f) => `Quote.${f}`)
            .join(', ')} FROM QuoteLineItem WHERE Product2.ProductCode IN ${list} AND Quote.Status NOT IN ${soqlList(
            CLOSED_QUOTE_STATUSES.map(soqlString),
          )} ORDER BY Id`,
        (r) => {
          const record = toQuoteLine(r);
          return { key: record.sku, record };
        },
      ),

    quotesById: (ids) => byId('Quote', ids, QUOTE_FIELDS, toQuote),
  };
}

// --- Private: reading Salesforce JSON ---------------------------------------
// Salesforce omits nothing it was asked for, so a field of the wrong type means
// the answer is not what the protocol promises: that is reported, not guessed.

function protocolError(r: SObjectRecord, field: string, expected: string): SalesforceUnavailableError {
  const type = r.attributes?.type ?? 'record';
  return new SalesforceUnavailableError(
    `Expected ${type}.${field} to be ${expected}, but Salesforce answered ${JSON.stringify(r[field])?.slice(0, 100) ?? 'nothing'}.`,
  );
}

export function str(r: SObjectRecord, field: string): string | null {
  const v = r[field];
  if (v === null || v === undefined) return null;
  if (typeof v !== 'string') throw protocolError(r, field, 'a string');
  return v;
}

export function reqStr(r: SObjectRecord, field: string): string {
  const v = str(r, field);
  if (v === null) throw protocolError(r, field, 'a non-empty string');
  return v;
}

export function num(r: SObjectRecord, field: string): number | null {
  const v = r[field];
  if (v === null || v === undefined) return null;
  if (typeof v !== 'number') throw protocolError(r, field, 'a number');
  return v;
}

export function bool(r: SObjectRecord, field: string): boolean {
  const v = r[field];
  if (typeof v !== 'boolean') throw protocolError(r, field, 'true or false');
  return v;
}

/** A parent record read through a relationship (`Owner.Name`); null when the lookup is empty. */
export function parent(r: SObjectRecord, relationship: string): SObjectRecord | null {
  const v = r[relationship];
  if (v === null || v === undefined) return null;
  if (typeof v !== 'object' || Array.isArray(v)) throw protocolError(r, relationship, 'a related record');
  return v as SObjectRecord;
}

/** Ids are compared in their 18-character form, whatever Salesforce or the caller used. */
export function id18(r: SObjectRecord, field: string, object: KnownSObject): string | null {
  const v = str(r, field);
  if (v === null) return null;
  const id = normalizeIdOf(object, v);
  if (id === null) throw protocolError(r, field, `a ${object} id`);
  return id;
}

export function reqId(r: SObjectRecord, object: KnownSObject): string {
  const id = id18(r, 'Id', object);
  if (id === null) throw protocolError(r, 'Id', `a ${object} id`);
  return id;
}

/** Salesforce writes `2026-11-15T09:30:00.000+0000`; GraphQL clients expect ISO 8601 with a colon in the offset. */
export function isoDateTime(value: string | null): string | null {
  if (value === null) return null;
  const text = /^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value.replace(/([+-]\d{2})(\d{2})$/, '$1:$2');
  const time = new Date(text);
  if (Number.isNaN(time.getTime())) {
    throw new SalesforceUnavailableError(`Expected a Salesforce date-time such as 2026-11-15T09:30:00.000+0000, but got ${JSON.stringify(value)}.`);
  }
  return time.toISOString().replace('.000Z', 'Z');
}

export function toUser(r: SObjectRecord): UserRecord {
  return {
    id: reqId(r, 'User'),
    name: reqStr(r, 'Name'),
    email: str(r, 'Email'),
    title: str(r, 'Title'),
    territory: str(r, 'Territory__c'),
    isActive: r.IsActive === undefined ? true : bool(r, 'IsActive'),
    ...('Department' in r ? { department: str(r, 'Department') } : {}),
    ...('Sales_Team__c' in r ? { salesTeam: str(r, 'Sales_Team__c') } : {}),
    ...('ManagerId' in r ? { managerId: id18(r, 'ManagerId', 'User') } : {}),
  };
}

function ownerOf(r: SObjectRecord): UserRecord | null | undefined {
  // Absent means the query did not read the relationship; null means the lookup is empty.
  if (!('Owner' in r)) return undefined;
  const owner = parent(r, 'Owner');
  if (owner === null) return null;
  return toUser({ ...owner, Id: owner.Id ?? r.OwnerId });
}

export function toAccount(r: SObjectRecord): AccountRecord {
  const record: AccountRecord = {
    id: reqId(r, 'Account'),
    name: reqStr(r, 'Name'),
    type: str(r, 'Type'),
    industry: str(r, 'Industry'),
    segment: str(r, 'Segment__c'),
    erpCustomerNumber: str(r, 'ERP_Customer_Number__c'),
    ownerId: id18(r, 'OwnerId', 'User'),
  };
  const owner = ownerOf(r);
  if (owner !== undefined) record.owner = owner;
  return record;
}

export function toContact(r: SObjectRecord): ContactRecord {
  return {
    id: reqId(r, 'Contact'),
    accountId: id18(r, 'AccountId', 'Account'),
    name: reqStr(r, 'Name'),
    firstName: str(r, 'FirstName'),
    lastName: str(r, 'LastName'),
    email: str(r, 'Email'),
    phone: str(r, 'Phone'),
    title: str(r, 'Title'),
  };
}

export function toOpportunity(r: SObjectRecord): OpportunityRecord {
  const record: OpportunityRecord = {
    id: reqId(r, 'Opportunity'),
    name: reqStr(r, 'Name'),
    stageName: reqStr(r, 'StageName'),
    amount: num(r, 'Amount'),
    probability: num(r, 'Probability'),
    closeDate: str(r, 'CloseDate'),
    isClosed: bool(r, 'IsClosed'),
    isWon: bool(r, 'IsWon'),
    accountId: id18(r, 'AccountId', 'Account'),
    ownerId: id18(r, 'OwnerId', 'User'),
    erpOrderNumber: str(r, 'ERP_Order_Number__c'),
    type: str(r, 'Type'),
    leadSource: str(r, 'LeadSource'),
    nextStep: str(r, 'NextStep'),
    expectedRevenue: num(r, 'ExpectedRevenue'),
    campaignId: str(r, 'CampaignId'),
  };
  const owner = ownerOf(r);
  if (owner !== undefined) record.owner = owner;
  return record;
}

export function toCase(r: SObjectRecord): CaseRecord {
  return {
    id: reqId(r, 'Case'),
    accountId: id18(r, 'AccountId', 'Account'),
    caseNumber: reqStr(r, 'CaseNumber'),
    subject: str(r, 'Subject'),
    status: reqStr(r, 'Status'),
    priority: str(r, 'Priority'),
    origin: str(r, 'Origin'),
    createdAt: isoDateTime(str(r, 'CreatedDate')),
    productSku: str(r, 'Product_SKU__c'),
    description: str(r, 'Description'),
    isClosed: r.IsClosed === undefined ? undefined : bool(r, 'IsClosed'),
    closedAt: isoDateTime(str(r, 'ClosedDate')),
    contactId: id18(r, 'ContactId', 'Contact'),
    ownerId: id18(r, 'OwnerId', 'User'),
    erpOrderNumber: str(r, 'ERP_Order_Number__c'),
    customerNumber: 'Account' in r ? ((parent(r, 'Account')?.ERP_Customer_Number__c as string | null | undefined) ?? null) : undefined,
  };
}

export function toPriceBookEntry(r: SObjectRecord): PriceBookEntryRecord {
  const product = parent(r, 'Product2');
  const book = parent(r, 'Pricebook2');
  if (!product || !book) throw protocolError(r, product ? 'Pricebook2' : 'Product2', 'a related record');
  const unitPrice = num(r, 'UnitPrice');
  if (unitPrice === null) throw protocolError(r, 'UnitPrice', 'a number');
  return {
    id: reqId(r, 'PricebookEntry'),
    sku: reqStr(product, 'ProductCode'),
    priceBookName: reqStr(book, 'Name'),
    isStandardPriceBook: bool(book, 'IsStandard'),
    unitPrice,
    isActive: bool(r, 'IsActive'),
    priceBookId: id18(r, 'Pricebook2Id', 'Pricebook2'),
    priceBookSegment: (book.Segment__c as string | null | undefined) ?? null,
  };
}

export function toQuote(r: SObjectRecord): QuoteRecord {
  return {
    id: reqId(r, 'Quote'),
    name: reqStr(r, 'Name'),
    status: reqStr(r, 'Status'),
    expirationDate: str(r, 'ExpirationDate'),
    totalPrice: num(r, 'TotalPrice'),
    opportunityId: id18(r, 'OpportunityId', 'Opportunity'),
    accountId: id18(r, 'AccountId', 'Account'),
    number: str(r, 'QuoteNumber'),
    contactId: id18(r, 'ContactId', 'Contact'),
    priceBookId: id18(r, 'Pricebook2Id', 'Pricebook2'),
    erpOrderNumber: str(r, 'ERP_Order_Number__c'),
  };
}

export function toQuoteLine(r: SObjectRecord): QuoteLineRecord {
  const product = parent(r, 'Product2');
  const quote = parent(r, 'Quote');
  if (!product || !quote) throw protocolError(r, product ? 'Quote' : 'Product2', 'a related record');
  const required = (field: string) => {
    const v = num(r, field);
    if (v === null) throw protocolError(r, field, 'a number');
    return v;
  };
  return {
    id: reqId(r, 'QuoteLineItem'),
    sku: reqStr(product, 'ProductCode'),
    quantity: required('Quantity'),
    unitPrice: required('UnitPrice'),
    discountPercent: num(r, 'Discount'),
    totalPrice: required('TotalPrice'),
    listPrice: num(r, 'ListPrice'),
    // The relationship carries no Id unless selected; QuoteId is the authority.
    quote: toQuote({ ...quote, Id: r.QuoteId }),
  };
}

/** Private: splits IN-list literals so that no statement outgrows a GET URL. */
export function chunkLiterals(literals: string[]): string[][] {
  const chunks: string[][] = [];
  let current: string[] = [];
  let size = 0;
  for (const lit of literals) {
    const cost = encodeURIComponent(lit).length + 3;
    if (current.length > 0 && size + cost > MAX_IN_LIST_CHARS) {
      chunks.push(current);
      current = [];
      size = 0;
    }
    current.push(lit);
    size += cost;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}
