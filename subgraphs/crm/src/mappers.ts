/**
 * What each GraphQL type's resolvers receive as their parent (codegen.yml maps
 * the types here). Entities that another subgraph owns, or that are only a key
 * in the CRM, are just their key; their fields load lazily through the
 * request's DataLoaders, so a reference costs nothing until a field is asked.
 */
import type {
  AccountRecord,
  CaseRecord,
  ContactRecord,
  OpportunityRecord,
  PriceBookEntryRecord,
  QuoteLineRecord,
  QuoteRecord,
  UserRecord,
} from './connectors/crmConnector.js';

export type AccountParent = AccountRecord;
export type UserParent = UserRecord;
export type ContactParent = ContactRecord;
export type OpportunityParent = OpportunityRecord;
export type CaseParent = CaseRecord;
export type PriceBookEntryParent = PriceBookEntryRecord;
export type QuoteParent = QuoteRecord;
/**
 * A quote line; when the gateway resolves `priceCheck` or `marginCheck` it sends
 * the ERP's product fields along (@requires), and they arrive as `product`.
 */
export type QuoteLineParent = QuoteLineRecord & { product?: RequiredProductFields };

/** The ERP product fields QuoteLine's checks @require (absent ones were not asked for). */
export interface RequiredProductFields {
  listPrice?: { amount: number } | null;
  cost?: { amount: number } | null;
  stockOnHand?: number | null;
}

/**
 * An ERP customer, by number; which accounts claim it is looked up when a field needs it. Resolved as an
 * entity, it arrives with `crm`: everything its selected fields read, loaded together
 * (resolvers/account.ts), so that those fields answer without a promise each.
 */
export interface CustomerParent {
  number: string;
  crm?: CustomerCrmRecords;
}

/** A load's value, or the error the fields reading it report. */
export type Settled<T> = PromiseSettledResult<T>;

export interface CustomerCrmRecords {
  accounts: Settled<AccountRecord[]>;
  /** The lists the query selected, already narrowed to the matched account. */
  contacts?: Settled<ContactRecord[]>;
  openOpportunities?: Settled<OpportunityRecord[]>;
  openCases?: Settled<CaseRecord[]>;
}

/** A member of staff, by work e-mail. */
export interface EmployeeParent {
  workEmail: string;
}

/** A product, by SKU. */
export interface ProductParent {
  sku: string;
}

/** An ERP sales order with the fields the CRM's own fields @require. */
export interface SalesOrderParent {
  number: string;
  customerNumber?: string | null;
  clientOrderRef?: string | null;
}

// --- The ten areas (connectors/areasConnector.ts) ---------------------------------

export type {
  ApprovalRecord as QuoteApprovalParent,
  ActivityRecord as ActivityParent,
  CampaignMemberRecord as CampaignMemberParent,
  CampaignRecord as CampaignParent,
  CampaignResultsRecord as CampaignResultsParent,
  ConflictRecord as IdentityConflictParent,
  LeadRecord as LeadParent,
  PipelineBucketRecord as PipelineBucketParent,
  PipelineTotalRecord as PipelineTotalParent,
  PriceBookRecord as PriceBookParent,
  StageSummaryRecord as StageSummaryParent,
} from './connectors/areasConnector.js';

/** The identity report, with the ERP's customer numbers once the gateway has fetched them (@requires). */
export interface IdentityReportParent {
  id: string;
  erpCustomerNumbers?: readonly string[];
}

/** One group of a case count: the grouping says what `key` is (an ERP number, a SKU or a status). */
export interface CaseCountParent {
  grouping: 'CUSTOMER' | 'PRODUCT' | 'STATUS';
  key: string | null;
  count: number;
}
