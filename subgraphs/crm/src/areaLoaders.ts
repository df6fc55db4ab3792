/**
 * Per-request DataLoaders for the areas connector (connectors/areasConnector.ts):
 * one native call per loader per tick, whatever the number of entities asked.
 * Loaders whose answer depends on arguments (a date range, a limit) key on the
 * arguments too, and their batch function makes one call per distinct set of
 * arguments — in practice one, since a query asks every entity the same way.
 */
import DataLoader from 'dataloader';
import type { AccountRecord, CaseRecord, ContactRecord, OpportunityRecord, QuoteLineRecord, QuoteRecord } from './connectors/crmConnector.js';
import type {
  ActivityLoadRecord,
  ActivityRecord,
  ApprovalRecord,
  CampaignMemberRecord,
  CampaignRecord,
  CampaignResultsRecord,
  CrmAreasConnector,
  LeadRecord,
  OwnerKey,
  PipelineQuery,
  PipelineTotalRecord,
  PriceBookRecord,
  StageSummaryRecord,
} from './connectors/areasConnector.js';
import { idCacheKey } from '../../../lib/native/salesforceId.js';
import { toGraphError } from './loaders.js';

export interface OwnerArgs {
  by: OwnerKey;
  owner: string;
}

export interface OwnerListArgs extends OwnerArgs {
  limit: number;
}

export interface PipelineArgs extends OwnerArgs, PipelineQuery {}

export interface OpenOnlyArgs {
  key: string;
  openOnly: boolean;
}

export interface AreaLoaders {
  /**
   * One-off reads that no batch can share (a root list with filters, a report):
   * the connector call with errors translated like a loader's.
   */
  run<T>(call: (connector: CrmAreasConnector) => Promise<T>): Promise<T>;
  /** Computes a value once per request, e.g. a report two fields both read. */
  once<T>(key: string, compute: () => Promise<T>): Promise<T>;
  contactById: DataLoader<string, ContactRecord>;
  contactsByEmail: DataLoader<string, ContactRecord[]>;
  quotesByAccountId: DataLoader<string, QuoteRecord[]>;
  quotesByOpportunityId: DataLoader<string, QuoteRecord[]>;
  quoteLinesByQuoteId: DataLoader<string, QuoteLineRecord[]>;
  quoteLineById: DataLoader<string, QuoteLineRecord>;
  approvalsByQuoteId: DataLoader<string, ApprovalRecord[]>;
  /** All active price books: one query per request, whatever asks. */
  priceBooks: () => Promise<PriceBookRecord[]>;
  accountCountByOwner: DataLoader<OwnerArgs, number, string>;
  accountsByOwner: DataLoader<OwnerListArgs, AccountRecord[], string>;
  openOpportunityCountByOwner: DataLoader<OwnerArgs, number, string>;
  openOpportunitiesByOwner: DataLoader<OwnerListArgs, OpportunityRecord[], string>;
  pipelineByOwner: DataLoader<PipelineArgs, PipelineTotalRecord, string>;
  activityLoadByOwner: DataLoader<OwnerArgs, ActivityLoadRecord, string>;
  campaignById: DataLoader<string, CampaignRecord>;
  campaignResults: DataLoader<string, CampaignResultsRecord>;
  touchedCustomerNumbers: DataLoader<string, string[]>;
  membersByCampaignId: DataLoader<{ key: string; limit: number }, CampaignMemberRecord[], string>;
  membersByContactId: DataLoader<string, CampaignMemberRecord[]>;
  membersByLeadId: DataLoader<string, CampaignMemberRecord[]>;
  campaignIdsByAccountId: DataLoader<string, string[]>;
  leadById: DataLoader<string, LeadRecord>;
  leadsByConvertedAccountId: DataLoader<string, LeadRecord[]>;
  opportunitiesByCampaignId: DataLoader<string, OpportunityRecord[]>;
  opportunitiesByAccountId: DataLoader<string, OpportunityRecord[]>;
  stageSummaryByAccountId: DataLoader<string, StageSummaryRecord[]>;
  activitiesByOwnerId: DataLoader<OpenOnlyArgs, ActivityRecord[], string>;
  activitiesByAccountId: DataLoader<OpenOnlyArgs, ActivityRecord[], string>;
  /**
   * A Customer's lists by the ERP number on its account, read alongside the account lookup
   * instead of after it; the resolver keeps the matched account's records only.
   */
  opportunitiesByErpNumber: DataLoader<string, OpportunityRecord[]>;
  stageSummaryByErpNumber: DataLoader<string, StageSummaryRecord[]>;
  activitiesByErpNumber: DataLoader<OpenOnlyArgs, ActivityRecord[], string>;
  casesByErpNumber: DataLoader<OpenOnlyArgs, CaseRecord[], string>;
  activitiesByWhatId: DataLoader<OpenOnlyArgs, ActivityRecord[], string>;
  caseById: DataLoader<string, CaseRecord>;
  casesByAccountId: DataLoader<OpenOnlyArgs, CaseRecord[], string>;
  casesByContactId: DataLoader<OpenOnlyArgs, CaseRecord[], string>;
  casesByErpOrderNumber: DataLoader<OpenOnlyArgs, CaseRecord[], string>;
  casesBySku: DataLoader<OpenOnlyArgs, CaseRecord[], string>;
  caseCountByAccountId: DataLoader<OpenOnlyArgs, number, string>;
  caseCountByCustomerNumber: DataLoader<OpenOnlyArgs, number, string>;
  caseCountBySku: DataLoader<OpenOnlyArgs, number, string>;
}

async function translated<T>(call: Promise<T>): Promise<T> {
  try {
    return await call;
  } catch (error) {
    throw toGraphError(error);
  }
}

/**
 * Private: a batch over keys that carry arguments. Keys are split by `groupOf`
 * (the arguments) and each group is one connector call; answers go back to
 * their keys' positions.
 */
function byArguments<K, V>(groupOf: (key: K) => string, load: (keys: K[]) => Promise<V[]>) {
  return async (keys: readonly K[]): Promise<V[]> => {
    const groups = new Map<string, number[]>();
    keys.forEach((key, i) => {
      const g = groupOf(key);
      const list = groups.get(g);
      if (list) list.push(i);
      else groups.set(g, [i]);
    });
    const out = new Array<V>(keys.length);
    await Promise.all(
      [...groups.values()].map(async (positions) => {
        const values = await translated(load(positions.map((i) => keys[i]!)));
        positions.forEach((p, j) => (out[p] = values[j]!));
      }),
    );
    return out;
  };
}

const ownerCacheKey = (k: OwnerArgs) => `${k.by}|${k.by === 'OwnerId' ? idCacheKey(k.owner) : k.owner.toLowerCase()}`;
const openCacheKey = (k: OpenOnlyArgs) => `${k.openOnly}|${k.key}`;
const openIdCacheKey = (k: OpenOnlyArgs) => `${k.openOnly}|${idCacheKey(k.key)}`;

export function createAreaLoaders(connector: CrmAreasConnector): AreaLoaders {
  const byId = { cacheKeyFn: idCacheKey };
  let priceBooks: Promise<PriceBookRecord[]> | null = null;
  const memo = new Map<string, Promise<unknown>>();

  return {
    run: (call) => translated(call(connector)),
    once: <T>(key: string, compute: () => Promise<T>) => {
      let value = memo.get(key) as Promise<T> | undefined;
      if (!value) memo.set(key, (value = compute()));
      return value;
    },
    contactById: new DataLoader<string, ContactRecord>((ids) => translated(connector.contactsById(ids)), byId),
    contactsByEmail: new DataLoader((emails) => translated(connector.contactsByEmail(emails)), { cacheKeyFn: (e: string) => e.toLowerCase() }),
    quotesByAccountId: new DataLoader((ids) => translated(connector.quotesByAccountId(ids)), byId),
    quotesByOpportunityId: new DataLoader((ids) => translated(connector.quotesByOpportunityId(ids)), byId),
    quoteLinesByQuoteId: new DataLoader((ids) => translated(connector.quoteLinesByQuoteId(ids)), byId),
    quoteLineById: new DataLoader<string, QuoteLineRecord>((ids) => translated(connector.quoteLinesById(ids)), byId),
    approvalsByQuoteId: new DataLoader((ids) => translated(connector.approvalsByQuoteId(ids)), byId),
    priceBooks: () => (priceBooks ??= translated(connector.priceBooks())),

    accountCountByOwner: new DataLoader(
      byArguments(
        (k: OwnerArgs) => k.by,
        (keys) =>
          connector.accountCountByOwner(
            keys[0]!.by,
            keys.map((k) => k.owner),
          ),
      ),
      { cacheKeyFn: ownerCacheKey },
    ),
    accountsByOwner: new DataLoader(
      byArguments(
        (k: OwnerListArgs) => `${k.by}|${k.limit}`,
        async (keys) =>
          (
            await connector.accountsByOwner(
              keys[0]!.by,
              keys.map((k) => k.owner),
              keys[0]!.limit,
            )
          ).map((list) => list.slice(0, keys[0]!.limit)),
      ),
      { cacheKeyFn: (k) => `${ownerCacheKey(k)}|${k.limit}` },
    ),
    openOpportunityCountByOwner: new DataLoader(
      byArguments(
        (k: OwnerArgs) => k.by,
        (keys) =>
          connector.openOpportunityCountByOwner(
            keys[0]!.by,
            keys.map((k) => k.owner),
          ),
      ),
      { cacheKeyFn: ownerCacheKey },
    ),
    openOpportunitiesByOwner: new DataLoader(
      byArguments(
        (k: OwnerListArgs) => `${k.by}|${k.limit}`,
        async (keys) =>
          (
            await connector.openOpportunitiesByOwner(
              keys[0]!.by,
              keys.map((k) => k.owner),
              keys[0]!.limit,
            )
          ).map((list) => list.slice(0, keys[0]!.limit)),
      ),
      { cacheKeyFn: (k) => `${ownerCacheKey(k)}|${k.limit}` },
    ),
    pipelineByOwner: new DataLoader(
      byArguments(
        (k: PipelineArgs) => `${k.by}|${k.from ?? ''}|${k.to ?? ''}|${k.openOnly}`,
        (keys) =>
          connector.pipelineByOwner(
            keys[0]!.by,
            keys.map((k) => k.owner),
            { from: keys[0]!.from, to: keys[0]!.to, openOnly: keys[0]!.openOnly },
          ),
      ),
      { cacheKeyFn: (k) => `${ownerCacheKey(k)}|${k.from ?? ''}|${k.to ?? ''}|${k.openOnly}` },
    ),
    activityLoadByOwner: new DataLoader(
      byArguments(
        (k: OwnerArgs) => k.by,
        (keys) =>
          connector.activityLoadByOwner(
            keys[0]!.by,
            keys.map((k) => k.owner),
          ),
      ),
      { cacheKeyFn: ownerCacheKey },
    ),

    campaignById: new DataLoader<string, CampaignRecord>((ids) => translated(connector.campaignsById(ids)), byId),
    campaignResults: new DataLoader((ids) => translated(connector.campaignResults(ids)), byId),
    touchedCustomerNumbers: new DataLoader((ids) => translated(connector.touchedCustomerNumbers(ids)), byId),
    membersByCampaignId: new DataLoader(
      byArguments(
        (k: { key: string; limit: number }) => String(k.limit),
        async (keys) =>
          (
            await connector.membersByCampaignId(
              keys.map((k) => k.key),
              keys[0]!.limit,
            )
          ).map((list) => list.slice(0, keys[0]!.limit)),
      ),
      { cacheKeyFn: (k) => `${k.limit}|${idCacheKey(k.key)}` },
    ),
    membersByContactId: new DataLoader((ids) => translated(connector.membersByContactId(ids)), byId),
    membersByLeadId: new DataLoader((ids) => translated(connector.membersByLeadId(ids)), byId),
    campaignIdsByAccountId: new DataLoader((ids) => translated(connector.campaignIdsByAccountId(ids)), byId),
    leadById: new DataLoader<string, LeadRecord>((ids) => translated(connector.leadsById(ids)), byId),
    leadsByConvertedAccountId: new DataLoader((ids) => translated(connector.leadsByConvertedAccountId(ids)), byId),
    opportunitiesByCampaignId: new DataLoader((ids) => translated(connector.opportunitiesByCampaignId(ids)), byId),
    opportunitiesByAccountId: new DataLoader((ids) => translated(connector.opportunitiesByAccountId(ids)), byId),
    stageSummaryByAccountId: new DataLoader((ids) => translated(connector.stageSummaryByAccountId(ids)), byId),
    opportunitiesByErpNumber: new DataLoader((numbers) => translated(connector.opportunitiesByErpNumber(numbers))),
    stageSummaryByErpNumber: new DataLoader((numbers) => translated(connector.stageSummaryByErpNumber(numbers))),

    activitiesByOwnerId: activityLoader(connector, 'OwnerId'),
    activitiesByAccountId: activityLoader(connector, 'AccountId'),
    activitiesByErpNumber: activityLoader(connector, 'Account.ERP_Customer_Number__c', openCacheKey),
    activitiesByWhatId: activityLoader(connector, 'WhatId'),

    caseById: new DataLoader<string, CaseRecord>((ids) => translated(connector.casesById(ids)), byId),
    casesByAccountId: caseLoader(connector, 'AccountId', openIdCacheKey),
    casesByErpNumber: caseLoader(connector, 'Account.ERP_Customer_Number__c', openCacheKey),
    casesByContactId: caseLoader(connector, 'ContactId', openIdCacheKey),
    casesByErpOrderNumber: caseLoader(connector, 'ERP_Order_Number__c', openCacheKey),
    casesBySku: caseLoader(connector, 'Product_SKU__c', openCacheKey),
    caseCountByAccountId: caseCountLoader(connector, 'AccountId', openIdCacheKey),
    caseCountByCustomerNumber: caseCountLoader(connector, 'Account.ERP_Customer_Number__c', openCacheKey),
    caseCountBySku: caseCountLoader(connector, 'Product_SKU__c', openCacheKey),
  };
}

function activityLoader(connector: CrmAreasConnector, field: Parameters<CrmAreasConnector['activitiesBy']>[0], cacheKeyFn = openIdCacheKey) {
  return new DataLoader(
    byArguments(
      (k: OpenOnlyArgs) => String(k.openOnly),
      (keys) =>
        connector.activitiesBy(
          field,
          keys.map((k) => k.key),
          keys[0]!.openOnly,
        ),
    ),
    { cacheKeyFn },
  );
}

function caseLoader(connector: CrmAreasConnector, field: Parameters<CrmAreasConnector['casesBy']>[0], cacheKeyFn: (k: OpenOnlyArgs) => string) {
  return new DataLoader(
    byArguments(
      (k: OpenOnlyArgs) => String(k.openOnly),
      (keys) =>
        connector.casesBy(
          field,
          keys.map((k) => k.key),
          keys[0]!.openOnly,
        ),
    ),
    { cacheKeyFn },
  );
}

function caseCountLoader(
  connector: CrmAreasConnector,
  field: 'AccountId' | 'Account.ERP_Customer_Number__c' | 'Product_SKU__c',
  cacheKeyFn: (k: OpenOnlyArgs) => string,
) {
  return new DataLoader(
    byArguments(
      (k: OpenOnlyArgs) => String(k.openOnly),
      (keys) =>
        connector.caseCountBy(
          field,
          keys.map((k) => k.key),
          keys[0]!.openOnly,
        ),
    ),
    { cacheKeyFn },
  );
}
