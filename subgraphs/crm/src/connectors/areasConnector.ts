/**
 * Batch reads and aggregates for the ten ERP–CRM areas that the CRM owns:
 * identity, quotes and approvals, staff load, marketing, the sales process and
 * service. Same contract as crmConnector.ts: each function takes a list of keys,
 * makes one native call for the whole list (more only when an IN list would
 * outgrow a GET URL, or an aggregate would pass Salesforce's 2,000-row limit),
 * and answers in key order, matched by key value, never by position.
 *
 * Totals are always SOQL aggregates (COUNT, SUM, GROUP BY): no function here
 * pages through raw records to count them. The two joins with the ERP that need
 * more than aggregates can answer (every ERP number the CRM holds; every
 * campaign–customer pair) are one Bulk API 2.0 query job each: three calls
 * (create, poll, results) whatever the number of rows.
 */
import type { SalesforceClient, SObjectRecord } from '../../../../lib/native/salesforceClient.js';
import { SalesforceUnavailableError } from '../../../../lib/native/salesforceClient.js';
import {
  readById,
  ACCOUNT_FIELDS,
  BY_ACCOUNT_ID,
  BY_ERP_NUMBER,
  type AccountKey,
  CASE_FIELDS,
  chunkLiterals,
  CONTACT_FIELDS,
  CrmNotFoundError,
  id18,
  isoDateTime,
  num,
  OPPORTUNITY_FIELDS,
  OWNER_FIELDS,
  parent,
  QUOTE_FIELDS,
  reqId,
  reqStr,
  str,
  bool,
  toAccount,
  toCase,
  toContact,
  toOpportunity,
  toQuote,
  toQuoteLine,
  type AccountRecord,
  type CaseRecord,
  type ContactRecord,
  type OpportunityRecord,
  type QuoteLineRecord,
  type QuoteRecord,
} from './crmConnector.js';
import { normalizeIdOf, normalizeSalesforceId, type KnownSObject } from '../../../../lib/native/salesforceId.js';
import { isSoqlWritable, soqlId, soqlList, soqlString, SoqlValueError } from './soql.js';

// --- Records ---------------------------------------------------------------

export interface CampaignRecord {
  id: string;
  name: string;
  type: string | null;
  status: string | null;
  startDate: string | null;
  endDate: string | null;
  isActive: boolean;
  budgetedCost: number | null;
  actualCost: number | null;
  expectedRevenue: number | null;
  ownerId: string | null;
}

export interface CampaignMemberRecord {
  id: string;
  campaignId: string;
  contactId: string | null;
  leadId: string | null;
  status: string | null;
  hasResponded: boolean;
}

export interface LeadRecord {
  id: string;
  name: string;
  company: string;
  title: string | null;
  email: string | null;
  status: string;
  source: string | null;
  isConverted: boolean;
  convertedDate: string | null;
  convertedAccountId: string | null;
  convertedContactId: string | null;
  convertedOpportunityId: string | null;
  ownerId: string | null;
}

export interface ActivityRecord {
  id: string;
  kind: 'TASK' | 'EVENT';
  subject: string | null;
  status: string | null;
  priority: string | null;
  /** `YYYY-MM-DD`: the due date of a task, the day of an event. */
  date: string | null;
  startsAt: string | null;
  durationMinutes: number | null;
  isClosed: boolean;
  ownerId: string | null;
  accountId: string | null;
  whatId: string | null;
  whoId: string | null;
}

export interface ApprovalRecord {
  id: string;
  targetId: string;
  status: string;
  submittedById: string | null;
  submittedAt: string;
  completedAt: string | null;
  workitemId: string | null;
  approverId: string | null;
  comments: string | null;
}

export interface PriceBookRecord {
  id: string;
  name: string;
  isStandard: boolean;
  isActive: boolean;
  segment: string | null;
}

export interface CampaignResultsRecord {
  memberCount: number;
  contactMemberCount: number;
  leadMemberCount: number;
  respondedCount: number;
  convertedLeadCount: number;
  opportunityCount: number;
  wonOpportunityCount: number;
  wonOpportunityAmount: number;
}

export interface StageSummaryRecord {
  /** The account summed up, in summaries per account. */
  accountId?: string | null;
  stage: string;
  isClosed: boolean;
  isWon: boolean;
  opportunityCount: number;
  amount: number;
}

export interface PipelineTotalRecord {
  opportunityCount: number;
  amount: number;
  expectedRevenue: number;
}

export interface PipelineBucketRecord extends PipelineTotalRecord {
  ownerEmail: string | null;
  period: string;
  stage: string;
}

export interface ActivityLoadRecord {
  openTasks: number;
  overdueTasks: number;
  completedTasks: number;
  upcomingEvents: number;
  upcomingEventMinutes: number;
}

export interface CountRecord {
  key: string | null;
  count: number;
}

export interface ConflictRecord {
  customerNumber: string;
  accountCount: number;
}

/** Whose records an owner-keyed aggregate groups by: a user id, or the owner's e-mail (the Employee key). */
export type OwnerKey = 'OwnerId' | 'Owner.Email';

export interface PipelineQuery {
  from?: string | null;
  to?: string | null;
  openOnly: boolean;
}

export interface OpportunityFilter {
  stage?: string | null;
  ownerEmail?: string | null;
  accountId?: string | null;
  openOnly?: boolean | null;
  closeDateFrom?: string | null;
  closeDateTo?: string | null;
}

export interface CaseFilter {
  status?: readonly string[] | null;
  priority?: string | null;
  openOnly?: boolean | null;
  accountId?: string | null;
  customerNumber?: string | null;
  productSku?: string | null;
  erpOrderNumber?: string | null;
}

export interface ActivityFilter {
  ownerEmail?: string | null;
  from?: string | null;
  to?: string | null;
  openOnly?: boolean | null;
}

export type PipelinePeriod = 'MONTH' | 'QUARTER' | 'YEAR';
export type CaseGrouping = 'CUSTOMER' | 'PRODUCT' | 'STATUS';

/** Salesforce answers at most this many rows to an aggregate query (it has no queryMore). */
const AGGREGATE_ROW_LIMIT = 2000;
/**
 * A SOQL statement may hold 100,000 characters. A bulk query job's SOQL travels
 * in a POST body, so its IN list is cut by that limit, with room for the rest.
 */
const BULK_IN_LIST_CHARS = 90_000;

const CAMPAIGN_FIELDS = ['Id', 'Name', 'Type', 'Status', 'StartDate', 'EndDate', 'IsActive', 'BudgetedCost', 'ActualCost', 'ExpectedRevenue', 'OwnerId'];
const MEMBER_FIELDS = ['Id', 'CampaignId', 'ContactId', 'LeadId', 'Status', 'HasResponded'];
const LEAD_FIELDS = [
  'Id',
  'Name',
  'Company',
  'Title',
  'Email',
  'Status',
  'LeadSource',
  'IsConverted',
  'ConvertedDate',
  'ConvertedAccountId',
  'ConvertedContactId',
  'ConvertedOpportunityId',
  'OwnerId',
];
const TASK_FIELDS = ['Id', 'Subject', 'Status', 'Priority', 'ActivityDate', 'IsClosed', 'OwnerId', 'AccountId', 'WhatId', 'WhoId'];
const EVENT_FIELDS = ['Id', 'Subject', 'StartDateTime', 'DurationInMinutes', 'ActivityDate', 'OwnerId', 'AccountId', 'WhatId', 'WhoId'];
const OPEN_QUOTE_FIELDS = QUOTE_FIELDS.filter((f) => f !== 'Id').map((f) => `Quote.${f}`);

export interface CrmAreasConnector {
  // Identity (area 1)
  conflictingErpNumbers(): Promise<ConflictRecord[]>;
  unmatchedAccounts(limit: number): Promise<AccountRecord[]>;
  unmatchedAccountCount(): Promise<number>;
  /** Which of the numbers some CRM account carries: one bulk query job for every ERP number in the CRM. */
  erpNumbersInCrm(numbers: readonly string[]): Promise<Set<string>>;
  contactsById(ids: readonly string[]): Promise<(ContactRecord | CrmNotFoundError)[]>;
  contactsByEmail(emails: readonly string[]): Promise<ContactRecord[][]>;

  // Quotes, price books and approvals (areas 2, 3, 8)
  quotes(filter: { status?: readonly string[] | null; accountId?: string | null }, limit: number): Promise<QuoteRecord[]>;
  quotesByAccountId(accountIds: readonly string[]): Promise<QuoteRecord[][]>;
  quotesByOpportunityId(opportunityIds: readonly string[]): Promise<QuoteRecord[][]>;
  quoteLinesByQuoteId(quoteIds: readonly string[]): Promise<QuoteLineRecord[][]>;
  quoteLinesById(ids: readonly string[]): Promise<(QuoteLineRecord | CrmNotFoundError)[]>;
  approvalsByQuoteId(quoteIds: readonly string[]): Promise<ApprovalRecord[][]>;
  priceBooks(): Promise<PriceBookRecord[]>;

  // Staff (area 4)
  accountCountByOwner(by: OwnerKey, owners: readonly string[]): Promise<number[]>;
  accountsByOwner(by: OwnerKey, owners: readonly string[], limit: number): Promise<AccountRecord[][]>;
  openOpportunityCountByOwner(by: OwnerKey, owners: readonly string[]): Promise<number[]>;
  openOpportunitiesByOwner(by: OwnerKey, owners: readonly string[], limit: number): Promise<OpportunityRecord[][]>;
  pipelineByOwner(by: OwnerKey, owners: readonly string[], query: PipelineQuery): Promise<PipelineTotalRecord[]>;
  activityLoadByOwner(by: OwnerKey, owners: readonly string[]): Promise<ActivityLoadRecord[]>;

  // Marketing (area 5)
  campaignsById(ids: readonly string[]): Promise<(CampaignRecord | CrmNotFoundError)[]>;
  campaigns(status: string | null, limit: number): Promise<CampaignRecord[]>;
  campaignResults(ids: readonly string[]): Promise<CampaignResultsRecord[]>;
  touchedCustomerNumbers(campaignIds: readonly string[]): Promise<string[][]>;
  membersByCampaignId(campaignIds: readonly string[], limit: number): Promise<CampaignMemberRecord[][]>;
  membersByContactId(contactIds: readonly string[]): Promise<CampaignMemberRecord[][]>;
  membersByLeadId(leadIds: readonly string[]): Promise<CampaignMemberRecord[][]>;
  campaignIdsByAccountId(accountIds: readonly string[]): Promise<string[][]>;
  leadsById(ids: readonly string[]): Promise<(LeadRecord | CrmNotFoundError)[]>;
  leads(filter: { status?: string | null; converted?: boolean | null }, limit: number): Promise<LeadRecord[]>;
  leadsByConvertedAccountId(accountIds: readonly string[]): Promise<LeadRecord[][]>;
  leadFunnel(): Promise<CountRecord[]>;
  opportunitiesByCampaignId(campaignIds: readonly string[]): Promise<OpportunityRecord[][]>;

  // Sales process (area 6) and reports (areas 9, 10)
  opportunities(filter: OpportunityFilter, limit: number): Promise<OpportunityRecord[]>;
  opportunitiesByAccountId(accountIds: readonly string[]): Promise<OpportunityRecord[][]>;
  /** Opportunities of the accounts that carry each ERP number (several accounts: all of theirs), each with its accountId. */
  opportunitiesByErpNumber(numbers: readonly string[]): Promise<OpportunityRecord[][]>;
  opportunitiesByStage(filter: OpportunityFilter): Promise<StageSummaryRecord[]>;
  stageSummaryByAccountId(accountIds: readonly string[]): Promise<StageSummaryRecord[][]>;
  /** Stage summaries per account of the accounts that carry each ERP number, each with its accountId. */
  stageSummaryByErpNumber(numbers: readonly string[]): Promise<StageSummaryRecord[][]>;
  pipelineBuckets(query: PipelineQuery & { ownerEmail?: string | null; period: PipelinePeriod }): Promise<PipelineBucketRecord[]>;
  activities(filter: ActivityFilter, limit: number): Promise<ActivityRecord[]>;
  activitiesBy(
    field: 'OwnerId' | 'AccountId' | 'Account.ERP_Customer_Number__c' | 'WhatId',
    keys: readonly string[],
    openOnly: boolean,
  ): Promise<ActivityRecord[][]>;

  // Service (area 7)
  casesById(ids: readonly string[]): Promise<(CaseRecord | CrmNotFoundError)[]>;
  cases(filter: CaseFilter, limit: number): Promise<CaseRecord[]>;
  casesBy(
    field: 'AccountId' | 'Account.ERP_Customer_Number__c' | 'ContactId' | 'ERP_Order_Number__c' | 'Product_SKU__c',
    keys: readonly string[],
    openOnly: boolean,
  ): Promise<CaseRecord[][]>;
  caseCountBy(field: 'AccountId' | 'Account.ERP_Customer_Number__c' | 'Product_SKU__c', keys: readonly string[], openOnly: boolean): Promise<number[]>;
  caseCounts(by: CaseGrouping, openOnly: boolean, limit: number): Promise<CountRecord[]>;
}

export function createCrmAreasConnector(client: SalesforceClient): CrmAreasConnector {
  const byId = <T extends { id: string }>(object: KnownSObject, keys: readonly string[], fields: readonly string[], toRecord: (r: SObjectRecord) => T) =>
    readById(client, object, keys, fields, toRecord);

  /** Runs `statement` once per chunk of the keys' literals and hands every row to `each`. */
  async function inChunks(
    keys: readonly string[],
    literal: (key: string) => string | null,
    statement: (inList: string) => string,
    each: (row: SObjectRecord) => void,
  ) {
    const literals = [...new Set(keys.map(literal).filter((l): l is string => l !== null))];
    if (literals.length === 0) return;
    const pages = await Promise.all(chunkLiterals(literals).map((chunk) => client.query(statement(soqlList(chunk)))));
    for (const rows of pages) for (const row of rows) each(row);
  }

  /** One-to-many reads grouped by the key each row carries (compared through `keyOf`). */
  async function grouped<T>(
    keys: readonly string[],
    literal: (key: string) => string | null,
    keyOf: (value: string) => string | null,
    statement: (inList: string) => string,
    toRecord: (r: SObjectRecord) => { key: string | null; record: T },
  ): Promise<T[][]> {
    const byKey = new Map<string, T[]>();
    await inChunks(keys, literal, statement, (row) => {
      const { key, record } = toRecord(row);
      const c = key === null ? null : keyOf(key);
      if (c === null) return;
      const list = byKey.get(c);
      if (list) list.push(record);
      else byKey.set(c, [record]);
    });
    return keys.map((k) => {
      const c = keyOf(k);
      return c === null ? [] : [...(byKey.get(c) ?? [])];
    });
  }

  // Private: campaign members grouped by one of their lookups (CampaignId, ContactId or LeadId).
  function membersBy(object: 'Campaign' | 'Contact' | 'Lead', ids: readonly string[], keyOf: (m: CampaignMemberRecord) => string | null, limit = '') {
    return grouped(
      ids,
      idLiteral(object),
      idOf(object),
      (list) => `SELECT ${MEMBER_FIELDS.join(', ')} FROM CampaignMember WHERE ${object}Id IN ${list} ORDER BY Id${limit}`,
      (r) => {
        const record = toMember(r);
        return { key: keyOf(record), record };
      },
    );
  }

  /** Aggregates grouped by the key: one number per key, 0 when Salesforce returned no group for it. */
  async function counted(
    keys: readonly string[],
    literal: (key: string) => string | null,
    keyOf: (value: string) => string | null,
    statement: (inList: string) => string,
    keyField: string,
  ) {
    const byKey = new Map<string, number>();
    await inChunks(keys, literal, statement, (row) => {
      const key = aggregateKey(row, keyField);
      const c = key === null ? null : keyOf(key);
      if (c !== null) byKey.set(c, (byKey.get(c) ?? 0) + count(row, 'n'));
    });
    return keys.map((k) => {
      const c = keyOf(k);
      return c === null ? 0 : (byKey.get(c) ?? 0);
    });
  }

  const idOf = (object: KnownSObject) => (value: string) => normalizeIdOf(object, value);
  const idLiteral = (object: KnownSObject) => (value: string) => (normalizeIdOf(object, value) === null ? null : soqlId(value));
  const text = (value: string) => (isSoqlWritable(value) ? soqlString(value) : null);
  const lower = (value: string) => value.toLowerCase();
  const exact = (value: string) => value;
  const ownerLiteral = (by: OwnerKey) => (by === 'OwnerId' ? idLiteral('User') : text);
  const ownerKeyOf = (by: OwnerKey) => (by === 'OwnerId' ? idOf('User') : lower);

  const opportunitiesBy = (by: AccountKey, keys: readonly string[]) =>
    grouped(
      keys,
      by.literal,
      by.keyOf,
      (list) =>
        `SELECT ${opportunitySelect}${by === BY_ACCOUNT_ID ? '' : `, ${by.field}`} FROM Opportunity WHERE ${by.field} IN ${list} ORDER BY CloseDate, Id`,
      (r) => ({ key: by.keyOfRow(r), record: toOpportunity(r) }),
    );

  async function stageSummaryBy(by: AccountKey, keys: readonly string[]): Promise<StageSummaryRecord[][]> {
    // Grouped by account too, so a number several accounts carry still sums each account apart.
    const groups = by === BY_ACCOUNT_ID ? 'AccountId' : `${by.field}, AccountId`;
    const byKey = new Map<string, StageSummaryRecord[]>();
    await inChunks(
      keys,
      by.literal,
      (list) =>
        `SELECT ${groups}, StageName, IsClosed, IsWon, COUNT(Id) n, SUM(Amount) amount FROM Opportunity WHERE ${by.field} IN ${list} GROUP BY ${groups}, StageName, IsClosed, IsWon ORDER BY ${groups}, StageName`,
      (r) => {
        const key = aggregateKey(r, by.field);
        const c = key === null ? null : by.keyOf(key);
        if (c === null) return;
        const accountId = aggregateKey(r, 'AccountId');
        const list = byKey.get(c) ?? [];
        list.push({ accountId: accountId === null ? null : normalizeIdOf('Account', accountId), ...toStageSummary(r) });
        byKey.set(c, list);
      },
    );
    return keys.map((key) => {
      const c = by.keyOf(key);
      return c === null ? [] : (byKey.get(c) ?? []);
    });
  }

  const accountSelect = [...ACCOUNT_FIELDS, ...OWNER_FIELDS].join(', ');
  const opportunitySelect = [...OPPORTUNITY_FIELDS, ...OWNER_FIELDS].join(', ');
  const taskSelect = (where: string, limit?: number, extra: readonly string[] = []) =>
    `SELECT ${[...TASK_FIELDS, ...extra].join(', ')} FROM Task${where ? ` WHERE ${where}` : ''} ORDER BY ActivityDate NULLS LAST, Id${limit ? ` LIMIT ${limit}` : ''}`;
  const eventSelect = (where: string, limit?: number, extra: readonly string[] = []) =>
    `SELECT ${[...EVENT_FIELDS, ...extra].join(', ')} FROM Event${where ? ` WHERE ${where}` : ''} ORDER BY StartDateTime, Id${limit ? ` LIMIT ${limit}` : ''}`;
  const activityKey = (field: Parameters<CrmAreasConnector['activitiesBy']>[0], r: SObjectRecord, record: ActivityRecord) =>
    field === 'OwnerId' ? record.ownerId : field === 'AccountId' ? record.accountId : field === 'WhatId' ? record.whatId : BY_ERP_NUMBER.keyOfRow(r);

  async function pipelineTotals(by: OwnerKey, owners: readonly string[], query: PipelineQuery) {
    const totals = new Map<string, PipelineTotalRecord>();
    const keyOf = ownerKeyOf(by);
    const where = pipelineWhere(query);
    await inChunks(
      owners,
      ownerLiteral(by),
      (list) =>
        `SELECT ${by}, COUNT(Id) n, SUM(Amount) amount, SUM(ExpectedRevenue) expected FROM Opportunity WHERE ${by} IN ${list}${where ? ` AND ${where}` : ''} GROUP BY ${by}`,
      (row) => {
        const key = aggregateKey(row, by);
        const c = key === null ? null : keyOf(key);
        if (c === null) return;
        const t = totals.get(c) ?? { opportunityCount: 0, amount: 0, expectedRevenue: 0 };
        t.opportunityCount += count(row, 'n');
        t.amount += sum(row, 'amount');
        t.expectedRevenue += sum(row, 'expected');
        totals.set(c, t);
      },
    );
    return owners.map((o) => {
      const c = keyOf(o);
      return (c !== null && totals.get(c)) || { opportunityCount: 0, amount: 0, expectedRevenue: 0 };
    });
  }

  return {
    // --- identity -------------------------------------------------------------
    async conflictingErpNumbers() {
      const rows = await client.query(
        'SELECT ERP_Customer_Number__c, COUNT(Id) n FROM Account WHERE ERP_Customer_Number__c != null GROUP BY ERP_Customer_Number__c HAVING COUNT(Id) > 1 ORDER BY ERP_Customer_Number__c',
      );
      return rows.map((r) => ({ customerNumber: reqStr(r, 'ERP_Customer_Number__c'), accountCount: count(r, 'n') }));
    },

    async unmatchedAccounts(limit) {
      const rows = await client.query(`SELECT ${accountSelect} FROM Account WHERE ERP_Customer_Number__c = null ORDER BY Name, Id LIMIT ${positive(limit)}`);
      return rows.map(toAccount);
    },

    async unmatchedAccountCount() {
      const [row] = await client.query('SELECT COUNT(Id) n FROM Account WHERE ERP_Customer_Number__c = null');
      return row ? count(row, 'n') : 0;
    },

    async erpNumbersInCrm(numbers) {
      if (numbers.length === 0) return new Set();
      // The anti-join needs every number the CRM holds, not a count: more distinct numbers than one
      // aggregate may answer (2,000), and an IN list of the ERP's numbers would pass SOQL's 100,000
      // characters. One bulk job reads them all, whatever the number of accounts.
      const rows = await client.bulkQuery('SELECT ERP_Customer_Number__c FROM Account WHERE ERP_Customer_Number__c != null');
      const inCrm = new Set<string>();
      for (const row of rows) {
        const n = row.ERP_Customer_Number__c;
        if (n) inCrm.add(n);
      }
      return new Set(numbers.filter((n) => inCrm.has(n)));
    },

    contactsById: (ids) => byId('Contact', ids, CONTACT_FIELDS, toContact),

    contactsByEmail: (emails) =>
      grouped(
        emails,
        text,
        lower,
        (list) => `SELECT ${CONTACT_FIELDS.join(', ')} FROM Contact WHERE Email IN ${list} ORDER BY Id`,
        (r) => ({
          key: str(r, 'Email'),
          record: toContact(r),
        }),
      ),

    // --- quotes -----------------------------------------------------------------
    async quotes(filter, limit) {
      const where: string[] = [];
      if (filter.status && filter.status.length > 0) where.push(`Status IN ${soqlList(filter.status.map(soqlString))}`);
      if (filter.accountId) where.push(`AccountId = ${soqlId(filter.accountId)}`);
      const rows = await client.query(
        `SELECT ${QUOTE_FIELDS.join(', ')} FROM Quote${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY CreatedDate DESC, Id LIMIT ${positive(limit)}`,
      );
      return rows.map(toQuote);
    },

    quotesByAccountId: (ids) =>
      grouped(
        ids,
        idLiteral('Account'),
        idOf('Account'),
        (list) => `SELECT ${QUOTE_FIELDS.join(', ')} FROM Quote WHERE AccountId IN ${list} ORDER BY CreatedDate DESC, Id`,
        (r) => {
          const record = toQuote(r);
          return { key: record.accountId, record };
        },
      ),

    quotesByOpportunityId: (ids) =>
      grouped(
        ids,
        idLiteral('Opportunity'),
        idOf('Opportunity'),
        (list) => `SELECT ${QUOTE_FIELDS.join(', ')} FROM Quote WHERE OpportunityId IN ${list} ORDER BY CreatedDate DESC, Id`,
        (r) => {
          const record = toQuote(r);
          return { key: record.opportunityId, record };
        },
      ),

    quoteLinesByQuoteId: (ids) =>
      grouped(
        ids,
        idLiteral('Quote'),
        idOf('Quote'),
        (list) =>
          `SELECT Id, Quantity, UnitPrice, ListPrice, Discount, TotalPrice, Product2.ProductCode, QuoteId, ${OPEN_QUOTE_FIELDS.join(', ')} FROM QuoteLineItem WHERE QuoteId IN ${list} ORDER BY LineNumber, Id`,
        (r) => {
          const record = toQuoteLine(r);
          return { key: record.quote.id, record };
        },
      ),

    async quoteLinesById(ids) {
      // SOQL by id rather than Collections retrieve: the line's SKU and quote come through relationships.
      const keyOf = idOf('QuoteLineItem');
      const found = new Map<string, QuoteLineRecord>();
      await inChunks(
        ids,
        idLiteral('QuoteLineItem'),
        (list) =>
          `SELECT Id, Quantity, UnitPrice, ListPrice, Discount, TotalPrice, Product2.ProductCode, QuoteId, ${OPEN_QUOTE_FIELDS.join(', ')} FROM QuoteLineItem WHERE Id IN ${list}`,
        (row) => {
          const line = toQuoteLine(row);
          found.set(line.id, line);
        },
      );
      return ids.map((id) => {
        const c = keyOf(id);
        if (c === null) return new CrmNotFoundError('QuoteLineItem', id, 'it is not a 15- or 18-character QuoteLineItem id');
        return found.get(c) ?? new CrmNotFoundError('QuoteLineItem', id);
      });
    },

    approvalsByQuoteId: (ids) =>
      grouped(
        ids,
        idLiteral('Quote'),
        idOf('Quote'),
        (list) =>
          `SELECT Id, TargetObjectId, Status, SubmittedById, CreatedDate, CompletedDate, (SELECT Id, ActorId FROM Workitems ORDER BY CreatedDate), (SELECT StepStatus, Comments FROM Steps ORDER BY CreatedDate DESC) FROM ProcessInstance WHERE TargetObjectId IN ${list} ORDER BY CreatedDate DESC, Id`,
        (r) => {
          const record = toApproval(r);
          return { key: record.targetId, record };
        },
      ),

    async priceBooks() {
      const rows = await client.query('SELECT Id, Name, IsStandard, IsActive, Segment__c FROM Pricebook2 WHERE IsActive = true ORDER BY Name');
      return rows.map((r) => ({
        id: reqId(r, 'Pricebook2'),
        name: reqStr(r, 'Name'),
        isStandard: bool(r, 'IsStandard'),
        isActive: bool(r, 'IsActive'),
        segment: str(r, 'Segment__c'),
      }));
    },

    // --- staff ------------------------------------------------------------------
    accountCountByOwner: (by, owners) =>
      counted(owners, ownerLiteral(by), ownerKeyOf(by), (list) => `SELECT ${by}, COUNT(Id) n FROM Account WHERE ${by} IN ${list} GROUP BY ${by}`, by),

    accountsByOwner: (by, owners, limit) =>
      grouped(
        owners,
        ownerLiteral(by),
        ownerKeyOf(by),
        // One owner: LIMIT in SOQL. Several: one statement for all, each list cut in the resolver.
        (list) => `SELECT ${accountSelect} FROM Account WHERE ${by} IN ${list} ORDER BY Name, Id${owners.length === 1 ? ` LIMIT ${positive(limit)}` : ''}`,
        (r) => ({ key: by === 'OwnerId' ? str(r, 'OwnerId') : (str(parent(r, 'Owner') ?? {}, 'Email') ?? null), record: toAccount(r) }),
      ),

    openOpportunityCountByOwner: (by, owners) =>
      counted(
        owners,
        ownerLiteral(by),
        ownerKeyOf(by),
        (list) => `SELECT ${by}, COUNT(Id) n FROM Opportunity WHERE ${by} IN ${list} AND IsClosed = false GROUP BY ${by}`,
        by,
      ),

    openOpportunitiesByOwner: (by, owners, limit) =>
      grouped(
        owners,
        ownerLiteral(by),
        ownerKeyOf(by),
        (list) =>
          `SELECT ${opportunitySelect} FROM Opportunity WHERE ${by} IN ${list} AND IsClosed = false ORDER BY CloseDate, Id${owners.length === 1 ? ` LIMIT ${positive(limit)}` : ''}`,
        (r) => ({ key: by === 'OwnerId' ? str(r, 'OwnerId') : (str(parent(r, 'Owner') ?? {}, 'Email') ?? null), record: toOpportunity(r) }),
      ),

    pipelineByOwner: pipelineTotals,

    async activityLoadByOwner(by, owners) {
      const keyOf = ownerKeyOf(by);
      const loads = new Map<string, ActivityLoadRecord>();
      const load = (row: SObjectRecord) => {
        const key = aggregateKey(row, by);
        const c = key === null ? null : keyOf(key);
        if (c === null) return null;
        let l = loads.get(c);
        if (!l) loads.set(c, (l = { openTasks: 0, overdueTasks: 0, completedTasks: 0, upcomingEvents: 0, upcomingEventMinutes: 0 }));
        return l;
      };
      const literal = ownerLiteral(by);
      // Three aggregates, run together: tasks by state, overdue tasks, and the next 30 days' events.
      await Promise.all([
        inChunks(
          owners,
          literal,
          (list) => `SELECT ${by}, IsClosed, COUNT(Id) n FROM Task WHERE ${by} IN ${list} GROUP BY ${by}, IsClosed`,
          (row) => {
            const l = load(row);
            if (!l) return;
            if (row.IsClosed === true) l.completedTasks += count(row, 'n');
            else l.openTasks += count(row, 'n');
          },
        ),
        inChunks(
          owners,
          literal,
          (list) => `SELECT ${by}, COUNT(Id) n FROM Task WHERE ${by} IN ${list} AND IsClosed = false AND ActivityDate < TODAY GROUP BY ${by}`,
          (row) => {
            const l = load(row);
            if (l) l.overdueTasks += count(row, 'n');
          },
        ),
        inChunks(
          owners,
          literal,
          (list) =>
            `SELECT ${by}, COUNT(Id) n, SUM(DurationInMinutes) minutes FROM Event WHERE ${by} IN ${list} AND StartDateTime >= TODAY AND StartDateTime < NEXT_N_DAYS:30 GROUP BY ${by}`,
          (row) => {
            const l = load(row);
            if (!l) return;
            l.upcomingEvents += count(row, 'n');
            l.upcomingEventMinutes += sum(row, 'minutes');
          },
        ),
      ]);
      return owners.map((o) => {
        const c = keyOf(o);
        return (c !== null && loads.get(c)) || { openTasks: 0, overdueTasks: 0, completedTasks: 0, upcomingEvents: 0, upcomingEventMinutes: 0 };
      });
    },

    // --- marketing ------------------------------------------------------------
    campaignsById: (ids) => byId('Campaign', ids, CAMPAIGN_FIELDS, toCampaign),

    async campaigns(status, limit) {
      const rows = await client.query(
        `SELECT ${CAMPAIGN_FIELDS.join(', ')} FROM Campaign${status ? ` WHERE Status = ${soqlString(status)}` : ''} ORDER BY StartDate DESC NULLS LAST, Id LIMIT ${positive(limit)}`,
      );
      return rows.map(toCampaign);
    },

    async campaignResults(ids) {
      const keyOf = idOf('Campaign');
      const results = new Map<string, CampaignResultsRecord>();
      const of = (row: SObjectRecord) => {
        const key = aggregateKey(row, 'CampaignId');
        const c = key === null ? null : keyOf(key);
        if (c === null) return null;
        let r = results.get(c);
        if (!r) {
          r = {
            memberCount: 0,
            contactMemberCount: 0,
            leadMemberCount: 0,
            respondedCount: 0,
            convertedLeadCount: 0,
            opportunityCount: 0,
            wonOpportunityCount: 0,
            wonOpportunityAmount: 0,
          };
          results.set(c, r);
        }
        return r;
      };
      const literal = idLiteral('Campaign');
      await Promise.all([
        inChunks(
          ids,
          literal,
          (list) =>
            `SELECT CampaignId, HasResponded, COUNT(Id) n, COUNT(ContactId) contacts, COUNT(LeadId) leads FROM CampaignMember WHERE CampaignId IN ${list} GROUP BY CampaignId, HasResponded`,
          (row) => {
            const r = of(row);
            if (!r) return;
            const n = count(row, 'n');
            r.memberCount += n;
            r.contactMemberCount += count(row, 'contacts');
            r.leadMemberCount += count(row, 'leads');
            if (row.HasResponded === true) r.respondedCount += n;
          },
        ),
        inChunks(
          ids,
          literal,
          (list) => `SELECT CampaignId, COUNT(Id) n FROM CampaignMember WHERE CampaignId IN ${list} AND Lead.IsConverted = true GROUP BY CampaignId`,
          (row) => {
            const r = of(row);
            if (r) r.convertedLeadCount += count(row, 'n');
          },
        ),
        inChunks(
          ids,
          literal,
          (list) => `SELECT CampaignId, IsWon, COUNT(Id) n, SUM(Amount) amount FROM Opportunity WHERE CampaignId IN ${list} GROUP BY CampaignId, IsWon`,
          (row) => {
            const r = of(row);
            if (!r) return;
            r.opportunityCount += count(row, 'n');
            if (row.IsWon === true) {
              r.wonOpportunityCount += count(row, 'n');
              r.wonOpportunityAmount += sum(row, 'amount');
            }
          },
        ),
      ]);
      return ids.map((id) => {
        const c = keyOf(id);
        return (
          (c !== null && results.get(c)) || {
            memberCount: 0,
            contactMemberCount: 0,
            leadMemberCount: 0,
            respondedCount: 0,
            convertedLeadCount: 0,
            opportunityCount: 0,
            wonOpportunityCount: 0,
            wonOpportunityAmount: 0,
          }
        );
      });
    },

    async touchedCustomerNumbers(ids) {
      const keyOf = idOf('Campaign');
      const touched = new Map<string, Set<string>>();
      const add = (campaignId: string | null, n: string | null) => {
        const c = campaignId === null ? null : keyOf(campaignId);
        if (c === null || n === null) return;
        let set = touched.get(c);
        if (!set) touched.set(c, (set = new Set()));
        set.add(n);
      };
      const literals = [...new Set(ids.map(idLiteral('Campaign')).filter((l): l is string => l !== null))];
      // The (campaign, customer) pairs outgrow what aggregates may answer (2,000 groups), so one bulk
      // job per IN list reads the members that reach an ERP customer, through a member contact's
      // account or a converted member lead's account; the pairs are made distinct here.
      const contact = 'Contact.Account.ERP_Customer_Number__c';
      const lead = 'Lead.ConvertedAccount.ERP_Customer_Number__c';
      const answers = await Promise.all(
        chunkByLength(literals, BULK_IN_LIST_CHARS).map((chunk) =>
          client.bulkQuery(
            `SELECT CampaignId, ${contact}, ${lead} FROM CampaignMember WHERE CampaignId IN ${soqlList(chunk)} AND (${contact} != null OR ${lead} != null)`,
          ),
        ),
      );
      for (const rows of answers) {
        for (const row of rows) {
          add(row.CampaignId ?? null, row[contact] ?? null);
          add(row.CampaignId ?? null, row[lead] ?? null);
        }
      }
      return ids.map((id) => {
        const c = keyOf(id);
        return c === null ? [] : [...(touched.get(c) ?? [])].sort();
      });
    },

    membersByCampaignId: (ids, limit) => membersBy('Campaign', ids, (m) => m.campaignId, ids.length === 1 ? ` LIMIT ${positive(limit)}` : ''),
    membersByContactId: (ids) => membersBy('Contact', ids, (m) => m.contactId),
    membersByLeadId: (ids) => membersBy('Lead', ids, (m) => m.leadId),

    async campaignIdsByAccountId(accountIds) {
      const keyOf = idOf('Account');
      const byAccount = new Map<string, Set<string>>();
      const add = (account: string | null, campaign: string | null) => {
        const c = account === null ? null : keyOf(account);
        if (c === null || campaign === null) return;
        let set = byAccount.get(c);
        if (!set) byAccount.set(c, (set = new Set()));
        set.add(campaign);
      };
      // GROUP BY gives each (campaign, account) pair once, however many members link them.
      await Promise.all([
        inChunks(
          accountIds,
          idLiteral('Account'),
          (list) => `SELECT CampaignId, Contact.AccountId FROM CampaignMember WHERE Contact.AccountId IN ${list} GROUP BY CampaignId, Contact.AccountId`,
          (row) => add(str(row, 'AccountId'), id18(row, 'CampaignId', 'Campaign')),
        ),
        inChunks(
          accountIds,
          idLiteral('Account'),
          (list) =>
            `SELECT CampaignId, Lead.ConvertedAccountId FROM CampaignMember WHERE Lead.ConvertedAccountId IN ${list} GROUP BY CampaignId, Lead.ConvertedAccountId`,
          (row) => add(str(row, 'ConvertedAccountId'), id18(row, 'CampaignId', 'Campaign')),
        ),
      ]);
      return accountIds.map((id) => {
        const c = keyOf(id);
        return c === null ? [] : [...(byAccount.get(c) ?? [])].sort();
      });
    },

    leadsById: (ids) => byId('Lead', ids, LEAD_FIELDS, toLead),

    async leads(filter, limit) {
      const where: string[] = [];
      if (filter.status) where.push(`Status = ${soqlString(filter.status)}`);
      if (filter.converted !== null && filter.converted !== undefined) where.push(`IsConverted = ${filter.converted}`);
      const rows = await client.query(
        `SELECT ${LEAD_FIELDS.join(', ')} FROM Lead${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY CreatedDate DESC, Id LIMIT ${positive(limit)}`,
      );
      return rows.map(toLead);
    },

    leadsByConvertedAccountId: (ids) =>
      grouped(
        ids,
        idLiteral('Account'),
        idOf('Account'),
        (list) => `SELECT ${LEAD_FIELDS.join(', ')} FROM Lead WHERE ConvertedAccountId IN ${list} ORDER BY ConvertedDate, Id`,
        (r) => {
          const record = toLead(r);
          return { key: record.convertedAccountId, record };
        },
      ),

    async leadFunnel() {
      const rows = await client.query('SELECT Status, COUNT(Id) n FROM Lead GROUP BY Status ORDER BY Status');
      return rows.map((r) => ({ key: str(r, 'Status'), count: count(r, 'n') }));
    },

    opportunitiesByCampaignId: (ids) =>
      grouped(
        ids,
        idLiteral('Campaign'),
        idOf('Campaign'),
        (list) => `SELECT ${opportunitySelect} FROM Opportunity WHERE CampaignId IN ${list} ORDER BY CloseDate DESC, Id`,
        (r) => {
          const record = toOpportunity(r);
          return { key: record.campaignId ?? null, record };
        },
      ),

    // --- sales process ------------------------------------------------------------
    async opportunities(filter, limit) {
      const where = opportunityWhere(filter);
      const rows = await client.query(
        `SELECT ${opportunitySelect} FROM Opportunity${where ? ` WHERE ${where}` : ''} ORDER BY CloseDate, Id LIMIT ${positive(limit)}`,
      );
      return rows.map(toOpportunity);
    },

    opportunitiesByAccountId: (ids) => opportunitiesBy(BY_ACCOUNT_ID, ids),
    opportunitiesByErpNumber: (numbers) => opportunitiesBy(BY_ERP_NUMBER, numbers),

    async opportunitiesByStage(filter) {
      const where = opportunityWhere(filter);
      // The stage's closed and won flags are grouped too, so they come from the org's stage setup, not from here.
      const rows = await client.query(
        `SELECT StageName, IsClosed, IsWon, COUNT(Id) n, SUM(Amount) amount FROM Opportunity${where ? ` WHERE ${where}` : ''} GROUP BY StageName, IsClosed, IsWon ORDER BY StageName`,
      );
      return rows.map(toStageSummary);
    },

    stageSummaryByAccountId: (ids) => stageSummaryBy(BY_ACCOUNT_ID, ids),
    stageSummaryByErpNumber: (numbers) => stageSummaryBy(BY_ERP_NUMBER, numbers),

    async pipelineBuckets(query) {
      const dims =
        query.period === 'YEAR'
          ? ['CALENDAR_YEAR(CloseDate)']
          : ['CALENDAR_YEAR(CloseDate)', query.period === 'QUARTER' ? 'CALENDAR_QUARTER(CloseDate)' : 'CALENDAR_MONTH(CloseDate)'];
      const filter = [pipelineWhere(query), query.ownerEmail ? `Owner.Email = ${soqlString(query.ownerEmail)}` : ''].filter(Boolean).join(' AND ');
      // Salesforce refuses an aggregate of more than 2,000 groups. One small aggregate first tells
      // how many groups a period can hold (owners × stages) and which periods there are; the
      // report is then cut into close-date windows that each stay under the limit, run together.
      const [stats] = await client.query(
        `SELECT MIN(CloseDate) lo, MAX(CloseDate) hi, COUNT_DISTINCT(OwnerId) owners, COUNT_DISTINCT(StageName) stages FROM Opportunity${filter ? ` WHERE ${filter}` : ''}`,
      );
      const lo = stats ? str(stats, 'lo') : null;
      const hi = stats ? str(stats, 'hi') : null;
      if (!stats || lo === null || hi === null) return [];
      const groupsPerPeriod = Math.max(1, count(stats, 'owners') * count(stats, 'stages'));
      const windows = periodWindows(lo, hi, query.period, Math.max(1, Math.floor(AGGREGATE_ROW_LIMIT / groupsPerPeriod)));
      const select = ['Owner.Email', ...dims.map((d, i) => `${d} p${i}`), 'StageName', 'COUNT(Id) n', 'SUM(Amount) amount', 'SUM(ExpectedRevenue) expected'];
      const answers = await Promise.all(
        windows.map(([from, to]) => {
          const where = [filter, `CloseDate >= ${from}`, `CloseDate <= ${to}`].filter(Boolean).join(' AND ');
          return client.query(`SELECT ${select.join(', ')} FROM Opportunity WHERE ${where} GROUP BY Owner.Email, ${dims.join(', ')}, StageName`);
        }),
      );
      return answers.flat().map((r) => {
        const year = count(r, 'p0');
        const sub = query.period === 'YEAR' ? null : count(r, 'p1');
        const period = sub === null ? String(year) : query.period === 'QUARTER' ? `${year}-Q${sub}` : `${year}-${String(sub).padStart(2, '0')}`;
        return {
          ownerEmail: aggregateKey(r, 'Owner.Email'),
          period,
          stage: reqStr(r, 'StageName'),
          opportunityCount: count(r, 'n'),
          amount: sum(r, 'amount'),
          expectedRevenue: sum(r, 'expected'),
        };
      });
    },

    async activities(filter, limit) {
      const taskWhere: string[] = [];
      const eventWhere: string[] = [];
      if (filter.ownerEmail) {
        taskWhere.push(`Owner.Email = ${soqlString(filter.ownerEmail)}`);
        eventWhere.push(`Owner.Email = ${soqlString(filter.ownerEmail)}`);
      }
      if (filter.from) {
        taskWhere.push(`ActivityDate >= ${soqlDate(filter.from)}`);
        eventWhere.push(`ActivityDate >= ${soqlDate(filter.from)}`);
      }
      if (filter.to) {
        taskWhere.push(`ActivityDate <= ${soqlDate(filter.to)}`);
        eventWhere.push(`ActivityDate <= ${soqlDate(filter.to)}`);
      }
      if (filter.openOnly) {
        taskWhere.push('IsClosed = false');
        eventWhere.push('StartDateTime >= TODAY');
      }
      const [tasks, events] = await Promise.all([
        client.query(taskSelect(taskWhere.join(' AND '), positive(limit))),
        client.query(eventSelect(eventWhere.join(' AND '), positive(limit))),
      ]);
      return mergeActivities(tasks.map(toTask), events.map(toEvent)).slice(0, positive(limit));
    },

    async activitiesBy(field, ids, openOnly) {
      const object: KnownSObject = field === 'OwnerId' ? 'User' : field === 'AccountId' ? 'Account' : 'Opportunity';
      const byNumber = field === BY_ERP_NUMBER.field;
      // WhatId points at several objects (opportunity, case, account, …): any well-formed id is a key.
      const literal = byNumber
        ? BY_ERP_NUMBER.literal
        : field === 'WhatId'
          ? (v: string) => (normalizeSalesforceId(v) === null ? null : soqlId(v))
          : idLiteral(object);
      const keyOf = byNumber ? BY_ERP_NUMBER.keyOf : field === 'WhatId' ? normalizeSalesforceId : idOf(object);
      const extra = byNumber ? [BY_ERP_NUMBER.field] : [];
      const [tasks, events] = await Promise.all([
        grouped(
          ids,
          literal,
          keyOf,
          (list) => taskSelect(`${field} IN ${list}${openOnly ? ' AND IsClosed = false' : ''}`, undefined, extra),
          (r) => {
            const record = toTask(r);
            return { key: activityKey(field, r, record), record };
          },
        ),
        grouped(
          ids,
          literal,
          keyOf,
          (list) => eventSelect(`${field} IN ${list}${openOnly ? ' AND StartDateTime >= TODAY' : ''}`, undefined, extra),
          (r) => {
            const record = toEvent(r);
            return { key: activityKey(field, r, record), record };
          },
        ),
      ]);
      return ids.map((_, i) => mergeActivities(tasks[i]!, events[i]!));
    },

    // --- service ------------------------------------------------------------------
    casesById: (ids) =>
      // Collections retrieve reads no relationships; SOQL by id reads the account's ERP number too.
      (async () => {
        const keyOf = idOf('Case');
        const found = new Map<string, CaseRecord>();
        await inChunks(
          ids,
          idLiteral('Case'),
          (list) => `SELECT ${CASE_FIELDS.join(', ')} FROM Case WHERE Id IN ${list}`,
          (row) => {
            const c = toCase(row);
            found.set(c.id, c);
          },
        );
        return ids.map((id) => {
          const c = keyOf(id);
          if (c === null) return new CrmNotFoundError('Case', id, 'it is not a 15- or 18-character Case id');
          return found.get(c) ?? new CrmNotFoundError('Case', id);
        });
      })(),

    async cases(filter, limit) {
      const where = caseWhere(filter);
      const rows = await client.query(
        `SELECT ${CASE_FIELDS.join(', ')} FROM Case${where ? ` WHERE ${where}` : ''} ORDER BY CreatedDate DESC, Id LIMIT ${positive(limit)}`,
      );
      return rows.map(toCase);
    },

    casesBy: (field, keys, openOnly) => {
      // The account's ERP number is compared exactly, as the other text keys are.
      const isId = field === 'AccountId' || field === 'ContactId';
      const object: KnownSObject = field === 'AccountId' ? 'Account' : 'Contact';
      return grouped(
        keys,
        isId ? idLiteral(object) : text,
        isId ? idOf(object) : exact,
        (list) =>
          `SELECT ${CASE_FIELDS.join(', ')} FROM Case WHERE ${field} IN ${list}${openOnly ? ' AND IsClosed = false' : ''} ORDER BY CreatedDate DESC, Id`,
        (r) => {
          const record = toCase(r);
          const key =
            field === 'AccountId'
              ? record.accountId
              : field === 'ContactId'
                ? (record.contactId ?? null)
                : field === 'ERP_Order_Number__c'
                  ? (record.erpOrderNumber ?? null)
                  : field === 'Account.ERP_Customer_Number__c'
                    ? (record.customerNumber ?? null)
                    : record.productSku;
          return { key, record };
        },
      );
    },

    caseCountBy: (field, keys, openOnly) => {
      const isId = field === 'AccountId';
      return counted(
        keys,
        isId ? idLiteral('Account') : text,
        isId ? idOf('Account') : exact,
        (list) => `SELECT ${field}, COUNT(Id) n FROM Case WHERE ${field} IN ${list}${openOnly ? ' AND IsClosed = false' : ''} GROUP BY ${field}`,
        field,
      );
    },

    async caseCounts(by, openOnly, limit) {
      const field = by === 'CUSTOMER' ? 'Account.ERP_Customer_Number__c' : by === 'PRODUCT' ? 'Product_SKU__c' : 'Status';
      // The largest groups first, cut by LIMIT: an aggregate over every customer can pass Salesforce's 2,000 groups.
      const rows = await client.query(
        `SELECT ${field}, COUNT(Id) n FROM Case${openOnly ? ' WHERE IsClosed = false' : ''} GROUP BY ${field} ORDER BY COUNT(Id) DESC, ${field} LIMIT ${positive(limit)}`,
      );
      return rows.map((r) => ({ key: aggregateKey(r, field), count: count(r, 'n') }));
    },
  };
}

// --- Private: SOQL fragments and Salesforce JSON --------------------------------

/** Cuts SOQL literals into lists of at most `maxChars` characters each. */
function chunkByLength(literals: readonly string[], maxChars: number): string[][] {
  const chunks: string[][] = [];
  let current: string[] = [];
  let size = 0;
  for (const lit of literals) {
    if (current.length > 0 && size + lit.length + 1 > maxChars) {
      chunks.push(current);
      current = [];
      size = 0;
    }
    current.push(lit);
    size += lit.length + 1;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

function positive(limit: number): number {
  return Math.max(1, Math.min(2000, Math.floor(limit)));
}

/** A SOQL date literal; GraphQL's Date scalar is not validated further up, so the shape is checked here. */
function soqlDate(value: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`))) {
    throw new SoqlValueError(`Expected a date such as 2026-11-15, but got ${JSON.stringify(value)}.`);
  }
  return value;
}

/**
 * Close-date windows covering [lo, hi], each spanning at most `periodsPerWindow`
 * whole periods (months, quarters or years), as inclusive `YYYY-MM-DD` pairs.
 */
export function periodWindows(lo: string, hi: string, period: PipelinePeriod, periodsPerWindow: number): [string, string][] {
  const months = period === 'YEAR' ? 12 : period === 'QUARTER' ? 3 : 1;
  const startOf = (date: string) => {
    const y = Number(date.slice(0, 4));
    const m = Number(date.slice(5, 7)) - 1;
    return y * 12 + Math.floor(m / months) * months;
  };
  const iso = (monthIndex: number, day: 'first' | 'last') => {
    const y = Math.floor(monthIndex / 12);
    const m = monthIndex % 12;
    const d = day === 'first' ? 1 : new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
    return `${String(y).padStart(4, '0')}-${String(m + 1).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
  };
  const windows: [string, string][] = [];
  const step = months * periodsPerWindow;
  for (let start = startOf(lo), end = startOf(hi) + months; start < end; start += step) {
    windows.push([iso(start, 'first'), iso(Math.min(start + step, end) - 1, 'last')]);
  }
  return windows;
}

function pipelineWhere(query: PipelineQuery): string {
  const where: string[] = [];
  if (query.from) where.push(`CloseDate >= ${soqlDate(query.from)}`);
  if (query.to) where.push(`CloseDate <= ${soqlDate(query.to)}`);
  if (query.openOnly) where.push('IsClosed = false');
  return where.join(' AND ');
}

function opportunityWhere(filter: OpportunityFilter): string {
  const where: string[] = [];
  if (filter.stage) where.push(`StageName = ${soqlString(filter.stage)}`);
  if (filter.ownerEmail) where.push(`Owner.Email = ${soqlString(filter.ownerEmail)}`);
  if (filter.accountId) where.push(`AccountId = ${soqlId(filter.accountId)}`);
  if (filter.openOnly) where.push('IsClosed = false');
  if (filter.closeDateFrom) where.push(`CloseDate >= ${soqlDate(filter.closeDateFrom)}`);
  if (filter.closeDateTo) where.push(`CloseDate <= ${soqlDate(filter.closeDateTo)}`);
  return where.join(' AND ');
}

function caseWhere(filter: CaseFilter): string {
  const where: string[] = [];
  if (filter.status && filter.status.length > 0) where.push(`Status IN ${soqlList(filter.status.map(soqlString))}`);
  if (filter.priority) where.push(`Priority = ${soqlString(filter.priority)}`);
  if (filter.openOnly) where.push('IsClosed = false');
  if (filter.accountId) where.push(`AccountId = ${soqlId(filter.accountId)}`);
  if (filter.customerNumber) where.push(`Account.ERP_Customer_Number__c = ${soqlString(filter.customerNumber)}`);
  if (filter.productSku) where.push(`Product_SKU__c = ${soqlString(filter.productSku)}`);
  if (filter.erpOrderNumber) where.push(`ERP_Order_Number__c = ${soqlString(filter.erpOrderNumber)}`);
  return where.join(' AND ');
}

/**
 * The value of a grouped field in an AggregateResult. Salesforce names a
 * relationship field by its last part (`Owner.Email` arrives as `Email`).
 */
function aggregateKey(r: SObjectRecord, field: string): string | null {
  const name = field.includes('.') ? field.slice(field.lastIndexOf('.') + 1) : field;
  const v = r[name];
  if (v === null || v === undefined) return null;
  if (typeof v !== 'string') throw aggregateError(r, name, 'a string');
  return v;
}

function count(r: SObjectRecord, alias: string): number {
  const v = r[alias];
  if (typeof v !== 'number') throw aggregateError(r, alias, 'a number');
  return v;
}

/** SUM over no non-null values is null in SOQL; as a total it is 0. */
function sum(r: SObjectRecord, alias: string): number {
  const v = r[alias];
  if (v === null || v === undefined) return 0;
  if (typeof v !== 'number') throw aggregateError(r, alias, 'a number');
  return v;
}

function aggregateError(r: SObjectRecord, field: string, expected: string): SalesforceUnavailableError {
  return new SalesforceUnavailableError(
    `Expected AggregateResult.${field} to be ${expected}, but Salesforce answered ${JSON.stringify(r[field])?.slice(0, 100) ?? 'nothing'}.`,
  );
}

function toStageSummary(r: SObjectRecord): StageSummaryRecord {
  return { stage: reqStr(r, 'StageName'), isClosed: bool(r, 'IsClosed'), isWon: bool(r, 'IsWon'), opportunityCount: count(r, 'n'), amount: sum(r, 'amount') };
}

function toCampaign(r: SObjectRecord): CampaignRecord {
  return {
    id: reqId(r, 'Campaign'),
    name: reqStr(r, 'Name'),
    type: str(r, 'Type'),
    status: str(r, 'Status'),
    startDate: str(r, 'StartDate'),
    endDate: str(r, 'EndDate'),
    isActive: bool(r, 'IsActive'),
    budgetedCost: num(r, 'BudgetedCost'),
    actualCost: num(r, 'ActualCost'),
    expectedRevenue: num(r, 'ExpectedRevenue'),
    ownerId: id18(r, 'OwnerId', 'User'),
  };
}

function toMember(r: SObjectRecord): CampaignMemberRecord {
  const campaignId = id18(r, 'CampaignId', 'Campaign');
  if (campaignId === null) throw aggregateError(r, 'CampaignId', 'a Campaign id');
  return {
    id: reqId(r, 'CampaignMember'),
    campaignId,
    contactId: id18(r, 'ContactId', 'Contact'),
    leadId: id18(r, 'LeadId', 'Lead'),
    status: str(r, 'Status'),
    hasResponded: bool(r, 'HasResponded'),
  };
}

function toLead(r: SObjectRecord): LeadRecord {
  return {
    id: reqId(r, 'Lead'),
    name: reqStr(r, 'Name'),
    company: reqStr(r, 'Company'),
    title: str(r, 'Title'),
    email: str(r, 'Email'),
    status: reqStr(r, 'Status'),
    source: str(r, 'LeadSource'),
    isConverted: bool(r, 'IsConverted'),
    convertedDate: str(r, 'ConvertedDate'),
    convertedAccountId: id18(r, 'ConvertedAccountId', 'Account'),
    convertedContactId: id18(r, 'ConvertedContactId', 'Contact'),
    convertedOpportunityId: id18(r, 'ConvertedOpportunityId', 'Opportunity'),
    ownerId: id18(r, 'OwnerId', 'User'),
  };
}

function toTask(r: SObjectRecord): ActivityRecord {
  return {
    id: reqId(r, 'Task'),
    kind: 'TASK',
    subject: str(r, 'Subject'),
    status: str(r, 'Status'),
    priority: str(r, 'Priority'),
    date: str(r, 'ActivityDate'),
    startsAt: null,
    durationMinutes: null,
    isClosed: bool(r, 'IsClosed'),
    ownerId: id18(r, 'OwnerId', 'User'),
    accountId: id18(r, 'AccountId', 'Account'),
    whatId: anyId(r, 'WhatId'),
    whoId: anyId(r, 'WhoId'),
  };
}

function toEvent(r: SObjectRecord): ActivityRecord {
  const startsAt = isoDateTime(str(r, 'StartDateTime'));
  return {
    id: reqId(r, 'Event'),
    kind: 'EVENT',
    subject: str(r, 'Subject'),
    status: null,
    priority: null,
    date: str(r, 'ActivityDate') ?? startsAt?.slice(0, 10) ?? null,
    startsAt,
    durationMinutes: num(r, 'DurationInMinutes'),
    // An event is over once it has started; it has no status of its own.
    isClosed: startsAt !== null && startsAt < new Date().toISOString(),
    ownerId: id18(r, 'OwnerId', 'User'),
    accountId: id18(r, 'AccountId', 'Account'),
    whatId: anyId(r, 'WhatId'),
    whoId: anyId(r, 'WhoId'),
  };
}

function anyId(r: SObjectRecord, field: string): string | null {
  const v = str(r, field);
  return v === null ? null : (normalizeSalesforceId(v) ?? v);
}

function mergeActivities(tasks: ActivityRecord[], events: ActivityRecord[]): ActivityRecord[] {
  return [...tasks, ...events].sort((a, b) => (a.date ?? '9999').localeCompare(b.date ?? '9999') || a.id.localeCompare(b.id));
}

function toApproval(r: SObjectRecord): ApprovalRecord {
  const targetId = str(r, 'TargetObjectId');
  const submittedAt = isoDateTime(str(r, 'CreatedDate'));
  if (targetId === null || submittedAt === null) throw aggregateError(r, targetId === null ? 'TargetObjectId' : 'CreatedDate', 'a value');
  const workitems = subquery(r, 'Workitems');
  const steps = subquery(r, 'Steps');
  const decision = steps.find((s) => s.StepStatus !== 'Started') ?? steps[0];
  return {
    id: reqId(r, 'ProcessInstance'),
    targetId: normalizeSalesforceId(targetId) ?? targetId,
    status: reqStr(r, 'Status'),
    submittedById: id18(r, 'SubmittedById', 'User'),
    submittedAt,
    completedAt: isoDateTime(str(r, 'CompletedDate')),
    workitemId: workitems[0] ? reqId(workitems[0], 'ProcessInstanceWorkitem') : null,
    approverId: workitems[0] ? id18(workitems[0], 'ActorId', 'User') : null,
    comments: decision ? str(decision, 'Comments') : null,
  };
}

/** A child relationship's rows (`{totalSize, done, records}`), or none when Salesforce answered null. */
function subquery(r: SObjectRecord, name: string): SObjectRecord[] {
  const v = r[name] as { records?: unknown } | null | undefined;
  if (v === null || v === undefined) return [];
  if (typeof v !== 'object' || !Array.isArray(v.records)) throw aggregateError(r, name, 'a child query result');
  return v.records as SObjectRecord[];
}
