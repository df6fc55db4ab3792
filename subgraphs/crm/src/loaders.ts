/**
 * Per-request DataLoaders over the CRM connector: every field that needs the
 * CRM asks a loader, and each loader turns one tick's worth of keys into one
 * native call. Created in the request's context, never shared, so one
 * request's cache cannot serve another's (or another user's) data.
 */
import DataLoader from 'dataloader';
import { badUserInput, NativeSystemCircuitOpenError, NativeSystemError, NativeSystemUnavailableError } from '../../../lib/errors.js';
import { CircuitOpenError } from '../../../lib/resilience.js';
import type {
  AccountRecord,
  CaseRecord,
  ContactRecord,
  CrmConnector,
  CustomerList,
  OpportunityRecord,
  PriceBookEntryRecord,
  QuoteLineRecord,
  QuoteRecord,
  UserRecord,
} from './connectors/crmConnector.js';
import { SalesforceError, SalesforceUnavailableError } from '../../../lib/native/salesforceClient.js';
import { idCacheKey } from '../../../lib/native/salesforceId.js';
import { SoqlValueError } from './connectors/soql.js';
import { cachedBatch, type CacheUse } from '../../../lib/cache/index.js';
import { asCacheFill, inCacheFill, outsideCacheFill } from '../../../lib/cache/responseCacheability.js';

export interface CrmLoaders {
  accountById: DataLoader<string, AccountRecord>;
  accountsByErpNumber: DataLoader<string, AccountRecord[]>;
  userById: DataLoader<string, UserRecord>;
  usersByEmail: DataLoader<string, UserRecord[]>;
  contactsByAccountId: DataLoader<string, ContactRecord[]>;
  openOpportunitiesByAccountId: DataLoader<string, OpportunityRecord[]>;
  opportunityById: DataLoader<string, OpportunityRecord>;
  openCasesByAccountId: DataLoader<string, CaseRecord[]>;
  /**
   * The same lists keyed by the ERP number on the account, for a Customer: read alongside
   * accountsByErpNumber instead of after it, so the account lookup is not a round of its own.
   */
  contactsByErpNumber: DataLoader<string, ContactRecord[]>;
  openOpportunitiesByErpNumber: DataLoader<string, OpportunityRecord[]>;
  openCasesByErpNumber: DataLoader<string, CaseRecord[]>;
  priceBookEntriesBySku: DataLoader<string, PriceBookEntryRecord[]>;
  openQuoteLinesBySku: DataLoader<string, QuoteLineRecord[]>;
  quoteById: DataLoader<string, QuoteRecord>;
}

/** Translates the connector's failures into the graph's error conventions (lib/errors.ts). */
export function toGraphError(error: unknown): unknown {
  if (error instanceof SoqlValueError) return badUserInput(error.message);
  if (error instanceof CircuitOpenError) return new NativeSystemCircuitOpenError('crm', error.message, error.retryInSeconds, { cause: error });
  if (error instanceof SalesforceUnavailableError) return new NativeSystemUnavailableError('crm', error.message, { cause: error });
  if (error instanceof SalesforceError) return new NativeSystemError('crm', error.errorCode, error.message);
  return error;
}

async function translated<T>(call: Promise<T>): Promise<T> {
  try {
    return await call;
  } catch (error) {
    throw toGraphError(error);
  }
}

/**
 * The cache types the CRM's loaders read through (lib/cache): native records
 * by key, before any field-level authorization. cacheInvalidation.ts names the
 * entries each change event makes stale, so both must agree on types and keys.
 */
export const CRM_CACHE = {
  account: 'crm.account',
  accountsByErpNumber: 'crm.accountsByErpNumber',
  user: 'crm.user',
  usersByEmail: 'crm.usersByEmail',
  contactsByAccount: 'crm.contactsByAccount',
  openOpportunitiesByAccount: 'crm.openOpportunitiesByAccount',
  opportunity: 'crm.opportunity',
  openCasesByAccount: 'crm.openCasesByAccount',
  contactsByErpNumber: 'crm.contactsByErpNumber',
  openOpportunitiesByErpNumber: 'crm.openOpportunitiesByErpNumber',
  openCasesByErpNumber: 'crm.openCasesByErpNumber',
  priceBookEntriesBySku: 'crm.priceBookEntriesBySku',
  openQuoteLinesBySku: 'crm.openQuoteLinesBySku',
  quote: 'crm.quote',
} as const;

// Private: a cached account or opportunity keeps only its OwnerId: the owner is a User, cached (and
// invalidated) as a User, so a change to the user can never be served from inside another record.
function ownersOf(records: readonly { owner?: UserRecord | null }[]): [string, string, UserRecord][] {
  return records.flatMap((r) => (r.owner ? [[CRM_CACHE.user, idCacheKey(r.owner.id), r.owner] as [string, string, UserRecord]] : []));
}

function withoutOwner<T extends { owner?: UserRecord | null }>(record: T): T {
  if (record.owner === undefined) return record;
  const { owner: _owner, ...rest } = record;
  return rest as T;
}

export interface CrmLoaderOptions {
  /**
   * Whether a customer's accounts and lists asked for together are read in one query (customerReads).
   * Defaults to true; off only with native batching off, for the benchmark's baseline of plain resolvers.
   */
  combineCustomerReads?: boolean;
}

/** `cache` is the cross-request cache; without it every load goes to Salesforce (once per request and key). */
export function createCrmLoaders(connector: CrmConnector, cache?: CacheUse, options: CrmLoaderOptions = {}): CrmLoaders {
  const C = CRM_CACHE;
  const idKey = { key: idCacheKey };
  // Both forms of an id (15 and 18 characters) must hit one cache entry and one slot in the batch.
  const byId = { cacheKeyFn: idCacheKey };
  // Case-insensitive like SOQL's comparison, so `A@x.com` and `a@x.com` share one lookup.
  const byEmail = { cacheKeyFn: (email: string) => email.toLowerCase() };

  const opportunitiesWithoutOwners = { toCached: (list: OpportunityRecord[]) => list.map(withoutOwner), alsoCache: ownersOf };
  const customerRead = customerReads(connector, options.combineCustomerReads ?? true);

  const loaders: CrmLoaders = {
    accountById: new DataLoader<string, AccountRecord>(
      cachedBatch(cache, C.account, (ids) => translated(connector.accountsById(ids)), {
        ...idKey,
        toCached: (a) => (a instanceof Error ? a : withoutOwner(a)),
      }),
      byId,
    ),
    accountsByErpNumber: new DataLoader<string, AccountRecord[]>(async (numbers) => {
      const lists = (await cachedBatch(cache, C.accountsByErpNumber, (keys: readonly string[]) => translated(customerRead('accounts', keys)), {
        toCached: (list) => list.map(withoutOwner),
        alsoCache: ownersOf,
      })(numbers)) as AccountRecord[][];
      // The same accounts are often asked for by id next (Account entities, owners); they are already here.
      for (const account of lists.flat()) primeAccount(account);
      return lists;
    }),
    userById: new DataLoader<string, UserRecord>(
      cachedBatch(cache, C.user, (ids) => translated(connector.usersById(ids)), idKey),
      byId,
    ),
    usersByEmail: new DataLoader<string, UserRecord[]>(async (emails) => {
      const lists = (await cachedBatch(cache, C.usersByEmail, (keys: readonly string[]) => translated(connector.usersByEmail(keys)), {
        key: (email) => email.toLowerCase(),
      })(emails)) as UserRecord[][];
      for (const user of lists.flat()) loaders.userById.prime(user.id, user);
      return lists;
    }, byEmail),
    contactsByAccountId: new DataLoader<string, ContactRecord[]>(
      cachedBatch(cache, C.contactsByAccount, (ids) => translated(connector.contactsByAccountId(ids)), idKey),
      byId,
    ),
    openOpportunitiesByAccountId: new DataLoader<string, OpportunityRecord[]>(
      async (ids) =>
        primeOpportunities(
          await cachedBatch(cache, C.openOpportunitiesByAccount, (keys: readonly string[]) => translated(connector.openOpportunitiesByAccountId(keys)), {
            ...idKey,
            ...opportunitiesWithoutOwners,
          })(ids),
        ),
      byId,
    ),
    opportunityById: new DataLoader<string, OpportunityRecord>(
      cachedBatch(cache, C.opportunity, (ids) => translated(connector.opportunitiesById(ids)), idKey),
      byId,
    ),
    openCasesByAccountId: new DataLoader<string, CaseRecord[]>(
      cachedBatch(cache, C.openCasesByAccount, (ids) => translated(connector.openCasesByAccountId(ids)), idKey),
      byId,
    ),
    contactsByErpNumber: new DataLoader<string, ContactRecord[]>(
      cachedBatch(cache, C.contactsByErpNumber, (numbers) => translated(customerRead('contacts', numbers))),
    ),
    openOpportunitiesByErpNumber: new DataLoader<string, OpportunityRecord[]>(async (numbers) =>
      primeOpportunities(
        await cachedBatch(
          cache,
          C.openOpportunitiesByErpNumber,
          (keys: readonly string[]) => translated(customerRead('openOpportunities', keys)),
          opportunitiesWithoutOwners,
        )(numbers),
      ),
    ),
    openCasesByErpNumber: new DataLoader<string, CaseRecord[]>(
      cachedBatch(cache, C.openCasesByErpNumber, (numbers) => translated(customerRead('openCases', numbers))),
    ),
    priceBookEntriesBySku: new DataLoader<string, PriceBookEntryRecord[]>(
      cachedBatch(cache, C.priceBookEntriesBySku, (skus) => translated(connector.priceBookEntriesBySku(skus))),
    ),
    openQuoteLinesBySku: new DataLoader<string, QuoteLineRecord[]>(async (skus) => {
      const lists = (await cachedBatch(cache, C.openQuoteLinesBySku, (keys: readonly string[]) => translated(connector.openQuoteLinesBySku(keys)))(
        skus,
      )) as QuoteLineRecord[][];
      for (const line of lists.flat()) loaders.quoteById.prime(line.quote.id, line.quote);
      return lists;
    }),
    quoteById: new DataLoader<string, QuoteRecord>(
      cachedBatch(cache, C.quote, (ids) => translated(connector.quotesById(ids)), idKey),
      byId,
    ),
  };

  function primeOpportunities(lists: ArrayLike<OpportunityRecord[] | Error>): (OpportunityRecord[] | Error)[] {
    const all = Array.from(lists);
    for (const list of all) {
      if (list instanceof Error) continue;
      for (const opportunity of list) {
        loaders.opportunityById.prime(opportunity.id, opportunity);
        if (opportunity.owner) loaders.userById.prime(opportunity.owner.id, opportunity.owner);
      }
    }
    return all;
  }

  function primeAccount(account: AccountRecord): void {
    loaders.accountById.prime(account.id, account);
    if (account.owner) loaders.userById.prime(account.owner.id, account.owner);
  }

  return loaders;
}

type CustomerPart = 'accounts' | CustomerList;

/**
 * Per request: the reads by ERP number that a Customer's loaders ask for in one turn of the event loop
 * (its accounts, and the lists read beside them) made as one SOQL query, the lists nested in the
 * accounts as relationship subqueries. Salesforce meters API calls per day: a customer-360 page costs
 * one call where the separate reads cost four, and it waits for no more rounds than they did.
 * A part asked for alone is read as before. When Salesforce refuses the combined query (400: a field
 * or relationship the integration user cannot see), each part is read on its own, so only the part
 * that fails fails, as without combining.
 */
function customerReads(
  connector: CrmConnector,
  combine: boolean,
): <P extends CustomerPart>(part: P, numbers: readonly string[]) => Promise<CustomerPartRecords<P>[]> {
  interface Wanted {
    part: CustomerPart;
    numbers: readonly string[];
    /** Whether it fills the entity cache, so the read is covered by that type's invalidations. */
    fill: boolean;
    resolve: (lists: unknown[]) => void;
    reject: (error: unknown) => void;
  }
  const alone: { [P in CustomerPart]: (numbers: readonly string[]) => Promise<CustomerPartRecords<P>[]> } = {
    accounts: (numbers) => connector.accountsByErpNumber(numbers),
    contacts: (numbers) => connector.contactsByErpNumber(numbers),
    openOpportunities: (numbers) => connector.openOpportunitiesByErpNumber(numbers),
    openCases: (numbers) => connector.openCasesByErpNumber(numbers),
  };
  if (!combine) return (part, numbers) => alone[part](numbers);
  let waiting: Wanted[] | null = null;

  // The batch runs in the context of the part that came first: each read says for itself whether it fills
  // the entity cache, as a part read outside a fill (its type not cached) leaves the answer uncacheable.
  const asRead = <T>(fill: boolean, read: () => Promise<T>) => (fill ? asCacheFill(read) : outsideCacheFill(read));
  const eachAlone = (batch: Wanted[]) => {
    for (const w of batch) asRead(w.fill, () => (alone[w.part] as (numbers: readonly string[]) => Promise<unknown[]>)(w.numbers)).then(w.resolve, w.reject);
  };

  async function readTogether(batch: Wanted[]): Promise<void> {
    const lists = [...new Set(batch.map((w) => w.part))].filter((part): part is CustomerList => part !== 'accounts');
    // One part alone, or only accounts: the plain query is the same one call, and lighter.
    if (batch.length < 2 || lists.length === 0) return eachAlone(batch);
    const numbers = [...new Set(batch.flatMap((w) => w.numbers))];
    let records;
    try {
      records = await asRead(
        batch.every((w) => w.fill),
        () => connector.customerRecordsByErpNumber(numbers, lists),
      );
    } catch (error) {
      if (error instanceof SalesforceError && error.status === 400) return eachAlone(batch);
      for (const w of batch) w.reject(error);
      return;
    }
    const byNumber = new Map(numbers.map((number, i) => [number, records[i]!]));
    for (const w of batch) w.resolve(w.numbers.map((number) => byNumber.get(number)![w.part] ?? []));
  }

  return <P extends CustomerPart>(part: P, numbers: readonly string[]) =>
    new Promise<CustomerPartRecords<P>[]>((resolve, reject) => {
      if (!waiting) {
        const batch: Wanted[] = (waiting = []);
        // The loaders of one tick dispatch one after another, some after a cache lookup: a turn of the loop gathers them.
        setImmediate(() => {
          waiting = null;
          readTogether(batch).catch((error: unknown) => batch.forEach((w) => w.reject(error)));
        });
      }
      waiting.push({ part, numbers, fill: inCacheFill(), resolve: resolve as (lists: unknown[]) => void, reject });
    });
}

type CustomerPartRecords<P extends CustomerPart> = P extends 'accounts'
  ? AccountRecord[]
  : P extends 'contacts'
    ? ContactRecord[]
    : P extends 'openOpportunities'
      ? OpportunityRecord[]
      : CaseRecord[];
