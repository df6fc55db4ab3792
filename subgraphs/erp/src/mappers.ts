/**
 * The values resolvers really receive as parents, named in codegen.yml's
 * `mappers` so that the generated resolver types tell the truth: a Customer
 * resolver gets a `res.partner` record, not a GraphQL Customer.
 *
 * An entity needs its key: a partner is a Customer only with a customer
 * number, a product is a Product only with a SKU, an employee is an Employee
 * only with a work e-mail. The guards below are where records become entities.
 */
import type {
  BomLineRecord,
  BomRecord,
  EmployeeRecord,
  InvoiceRecord,
  OrderLineRecord,
  PartnerRecord,
  ProductRecord,
  SalesOrderRecord,
} from './connectors/erpConnector.js';
import type { CursorKind } from './resolvers/paging.js';
import type { Period, SalesTeamRecord, StockQuantRecord, TicketRecord } from './connectors/erpAreas.js';

export type CustomerParent = PartnerRecord & { number: string };
export type ProductParent = ProductRecord & { sku: string };
export type EmployeeParent = EmployeeRecord & { workEmail: string };
export type BillOfMaterialsParent = BomRecord;
export type BomComponentParent = BomLineRecord;
export type SalesOrderParent = SalesOrderRecord;
/** Odoo keeps a line's amounts in its order's currency, so the line carries it along. */
export type SalesOrderLineParent = OrderLineRecord & { currencyCode: string };
export type InvoiceParent = InvoiceRecord;
/** The CRM owns opportunities; the ERP only knows their ids, from `client_order_ref`. */
export interface OpportunityParent {
  id: string;
}

/** One page of a connection, before edges and cursors are made; the total is counted only when asked for. */
export interface PageParent<T> {
  kind: CursorKind;
  records: T[];
  /** Position of the first record in the whole ordered list. */
  offset: number;
  hasNextPage: boolean;
  count: () => Promise<number>;
}

export type CustomerConnectionParent = PageParent<CustomerParent>;
export type ProductConnectionParent = PageParent<ProductParent>;
export type SalesOrderConnectionParent = PageParent<SalesOrderParent>;

export function isCustomer(partner: PartnerRecord): partner is CustomerParent {
  return partner.number !== null;
}

export function hasSku(product: ProductRecord): product is ProductParent {
  return product.sku !== null;
}

export function hasWorkEmail(employee: EmployeeRecord): employee is EmployeeParent {
  return employee.workEmail !== null;
}

// --- integration areas and reports ----------------------------------------------

export type StockLevelParent = StockQuantRecord;
export type SalesTeamParent = SalesTeamRecord;
export type ServiceTicketParent = TicketRecord;
/** The CRM owns cases; the ERP knows their ids, from `x_crm_case_id`. */
export interface CaseParent {
  id: string;
}
export interface IdentityReportParent {
  id: string;
}
/** A report row is its subject and period; every figure is loaded (batched) when asked for. */
export interface SalesPerformanceParent {
  period: Period;
}
export interface RepPerformanceParent {
  workEmail: string;
  period: Period;
}
export interface TeamPerformanceParent {
  teamName: string;
  period: Period;
}
export interface CustomerProfitabilityParent {
  customerNumber: string;
  period: Period;
}
export interface MonthlyResultParent {
  month: string;
  target: number;
  invoiced: number;
  currencyCode: string;
}
/** The CRM owns campaigns; `touchedCustomerNumbers` arrives from it through `@requires`. */
export interface CampaignParent {
  id: string;
  touchedCustomerNumbers?: readonly string[] | null;
  actualCost?: { amount: number; currencyCode: string } | null;
}
