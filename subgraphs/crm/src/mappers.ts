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
export type QuoteLineParent = QuoteLineRecord;

/** An ERP customer, by number; which accounts claim it is looked up when a field needs it. */
export interface CustomerParent {
  number: string;
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
