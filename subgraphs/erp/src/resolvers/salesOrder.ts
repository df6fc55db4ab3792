/** Sales orders (`sale.order`), their lines, and customer invoices (`account.move`). */
import type { GraphQLResolveInfo } from 'graphql';
import { loadOrNull } from '../loaders.js';
import type { ErpContext } from '../context.js';
import type { SalesOrderRecord } from '../connectors/erpConnector.js';
import { selectedFieldNames } from '../../../../lib/selectedFields.js';
import { hasSku, hasWorkEmail, type SalesOrderParent } from '../mappers.js';
import type { InvoiceResolvers, SalesOrderConnectionResolvers, SalesOrderLineResolvers, SalesOrderResolvers } from '../__generated__/resolvers-types.js';
import { customerById } from './customer.js';
import { connectionFields } from './paging.js';
import { invoicePaymentState, money, salesOrderState } from './values.js';

export const SalesOrder: SalesOrderResolvers = {
  __resolveReference: ({ number }, context, info) => orderByNumber(context, number, info),
  number: (o) => o.number,
  customerNumber: async (o, _, { loaders }) => (await customerById(loaders, o.partnerId))?.number ?? null,
  customer: (o, _, { loaders }) => customerById(loaders, o.partnerId),
  state: (o) => salesOrderState(o.state),
  orderedAt: (o) => o.orderedAt,
  amountUntaxed: (o) => money(o.amountUntaxed, o.currencyCode),
  amountTotal: (o) => money(o.amountTotal, o.currencyCode),
  async salesperson(o, _, { loaders }) {
    if (o.salespersonUserId === null) return null;
    const employee = await loadOrNull(loaders.employeesByUserId, o.salespersonUserId);
    return employee && hasWorkEmail(employee) ? employee : null;
  },
  clientOrderRef: (o) => o.clientOrderRef,
  async lines(o, _, { loaders }) {
    return (await loaders.orderLinesByOrderNumber.load(o.number)).map((line) => ({ ...line, currencyCode: o.currencyCode }));
  },
};

/**
 * An order by its number, with its lines read in the same round when the query selects them: the
 * lines are found by the order's number, which the caller already has, so they need not wait for
 * the order. An unknown number costs that one read of no lines.
 */
export function orderByNumber({ loaders, readAhead }: ErpContext, number: string, info: GraphQLResolveInfo): Promise<SalesOrderRecord | null> {
  if (readAhead && selectedFieldNames(info, 'SalesOrder').has('lines')) {
    // The lines resolver loads the same key and gets this promise, failure included; here it is only started.
    loaders.orderLinesByOrderNumber.load(number).catch(() => undefined);
  }
  return loadOrNull(loaders.ordersByNumber, number);
}

export const SalesOrderLine: SalesOrderLineResolvers = {
  async product(line, _, { loaders }) {
    if (line.productId === null) return null;
    const product = await loadOrNull(loaders.productsById, line.productId);
    return product && hasSku(product) ? product : null;
  },
  description: (line) => line.description,
  quantity: (line) => line.quantity,
  unitPrice: (line) => money(line.unitPrice, line.currencyCode),
  discountPercent: (line) => line.discountPercent,
  subtotal: (line) => money(line.subtotal, line.currencyCode),
};

export const SalesOrderConnection: SalesOrderConnectionResolvers = connectionFields<SalesOrderParent>();

export const Invoice: InvoiceResolvers = {
  number: (i) => i.number,
  invoiceDate: (i) => i.invoiceDate,
  dueDate: (i) => i.dueDate,
  amountTotal: (i) => money(i.amountTotal, i.currencyCode),
  amountResidual: (i) => money(i.amountResidual, i.currencyCode),
  paymentState: (i) => invoicePaymentState(i.paymentState),
  salesOrderNumber: (i) => i.origin,
};
