/**
 * Per-request DataLoaders over the CRM connector: every field that needs the
 * CRM asks a loader, and each loader turns one tick's worth of keys into one
 * native call. Created in the request's context, never shared, so one
 * request's cache cannot serve another's (or another user's) data.
 */
import DataLoader from 'dataloader';
import { NativeSystemError, NativeSystemUnavailableError } from '../../../lib/errors.js';
import type {
  AccountRecord,
  CaseRecord,
  ContactRecord,
  CrmConnector,
  OpportunityRecord,
  PriceBookEntryRecord,
  QuoteLineRecord,
  QuoteRecord,
  UserRecord,
} from './connectors/crmConnector.js';
import { SalesforceError, SalesforceUnavailableError } from './connectors/salesforceClient.js';
import { idCacheKey } from './connectors/salesforceId.js';

export interface CrmLoaders {
  accountById: DataLoader<string, AccountRecord>;
  accountsByErpNumber: DataLoader<string, AccountRecord[]>;
  userById: DataLoader<string, UserRecord>;
  usersByEmail: DataLoader<string, UserRecord[]>;
  contactsByAccountId: DataLoader<string, ContactRecord[]>;
  openOpportunitiesByAccountId: DataLoader<string, OpportunityRecord[]>;
  opportunityById: DataLoader<string, OpportunityRecord>;
  openCasesByAccountId: DataLoader<string, CaseRecord[]>;
  priceBookEntriesBySku: DataLoader<string, PriceBookEntryRecord[]>;
  openQuoteLinesBySku: DataLoader<string, QuoteLineRecord[]>;
  quoteById: DataLoader<string, QuoteRecord>;
}

/** Translates the connector's failures into the graph's error conventions (lib/errors.ts). */
export function toGraphError(error: unknown): unknown {
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

export function createCrmLoaders(connector: CrmConnector): CrmLoaders {
  // Both forms of an id (15 and 18 characters) must hit one cache entry and one slot in the batch.
  const byId = { cacheKeyFn: idCacheKey };
  // Case-insensitive like SOQL's comparison, so `A@x.com` and `a@x.com` share one lookup.
  const byEmail = { cacheKeyFn: (email: string) => email.toLowerCase() };

  const loaders: CrmLoaders = {
    accountById: new DataLoader<string, AccountRecord>((ids) => translated(connector.accountsById(ids)), byId),
    accountsByErpNumber: new DataLoader<string, AccountRecord[]>(async (numbers) => {
      const lists = await translated(connector.accountsByErpNumber(numbers));
      // The same accounts are often asked for by id next (Account entities, owners); they are already here.
      for (const account of lists.flat()) primeAccount(account);
      return lists;
    }),
    userById: new DataLoader<string, UserRecord>((ids) => translated(connector.usersById(ids)), byId),
    usersByEmail: new DataLoader<string, UserRecord[]>(async (emails) => {
      const lists = await translated(connector.usersByEmail(emails));
      for (const user of lists.flat()) loaders.userById.prime(user.id, user);
      return lists;
    }, byEmail),
    contactsByAccountId: new DataLoader<string, ContactRecord[]>((ids) => translated(connector.contactsByAccountId(ids)), byId),
    openOpportunitiesByAccountId: new DataLoader<string, OpportunityRecord[]>(async (ids) => {
      const lists = await translated(connector.openOpportunitiesByAccountId(ids));
      for (const opportunity of lists.flat()) {
        loaders.opportunityById.prime(opportunity.id, opportunity);
        if (opportunity.owner) loaders.userById.prime(opportunity.owner.id, opportunity.owner);
      }
      return lists;
    }, byId),
    opportunityById: new DataLoader<string, OpportunityRecord>((ids) => translated(connector.opportunitiesById(ids)), byId),
    openCasesByAccountId: new DataLoader<string, CaseRecord[]>((ids) => translated(connector.openCasesByAccountId(ids)), byId),
    priceBookEntriesBySku: new DataLoader<string, PriceBookEntryRecord[]>((skus) => translated(connector.priceBookEntriesBySku(skus))),
    openQuoteLinesBySku: new DataLoader<string, QuoteLineRecord[]>(async (skus) => {
      const lists = await translated(connector.openQuoteLinesBySku(skus));
      for (const line of lists.flat()) loaders.quoteById.prime(line.quote.id, line.quote);
      return lists;
    }),
    quoteById: new DataLoader<string, QuoteRecord>((ids) => translated(connector.quotesById(ids)), byId),
  };

  function primeAccount(account: AccountRecord): void {
    loaders.accountById.prime(account.id, account);
    if (account.owner) loaders.userById.prime(account.owner.id, account.owner);
  }

  return loaders;
}
