/**
 * Area 7, service: cases with their details, reachable from the ERP's
 * Customer (by the account's ERP number), SalesOrder (Case.ERP_Order_Number__c)
 * and Product (Case.Product_SKU__c). Counts are SOQL GROUP BY, one per request.
 */
import type {
  AccountResolvers,
  CaseCountResolvers,
  CaseResolvers,
  CustomerResolvers,
  ProductResolvers,
  QueryResolvers,
  SalesOrderResolvers,
} from '../../__generated__/resolvers-types.js';
import { ofMatchedAccount, orNull, ownerOf, rootId } from '../shared.js';

export const Query: QueryResolvers = {
  case: (_root, args, context) => {
    const id = rootId('Case', args.id, 'id');
    return id ? orNull(context.areas.caseById.load(id)) : null;
  },
  cases: (_root, args, context) => {
    const accountId = args.accountId ? rootId('Account', args.accountId, 'accountId') : null;
    if (args.accountId && !accountId) return [];
    return context.areas.run((c) =>
      c.cases(
        {
          status: args.status,
          priority: args.priority,
          openOnly: args.openOnly,
          accountId,
          customerNumber: args.customerNumber,
          productSku: args.productSku,
          erpOrderNumber: args.erpOrderNumber,
        },
        args.first,
      ),
    );
  },
  caseCounts: async (_root, args, context) =>
    (await context.areas.run((c) => c.caseCounts(args.by, args.openOnly, args.first))).map((row) => ({ grouping: args.by, key: row.key, count: row.count })),
};

export const Case: CaseResolvers = {
  // The ERP references cases by id (18 characters in the seed, either form accepted); unknown ids resolve to null.
  __resolveReference: (ref, context) => orNull(context.areas.caseById.load(ref.id)),
  description: (c) => c.description ?? null,
  isClosed: (c) => c.isClosed ?? c.status === 'Closed',
  closedAt: (c) => c.closedAt ?? null,
  account: (c, _args, context) => (c.accountId ? orNull(context.loaders.accountById.load(c.accountId)) : null),
  contact: (c, _args, context) => (c.contactId ? orNull(context.areas.contactById.load(c.contactId)) : null),
  owner: (c, _args, context) => ownerOf({ ownerId: c.ownerId ?? null }, context),
  customerNumber: (c) => c.customerNumber ?? null,
  customer: (c) => (c.customerNumber ? { number: c.customerNumber } : null),
  erpOrderNumber: (c) => c.erpOrderNumber ?? null,
  salesOrder: (c) => (c.erpOrderNumber ? { number: c.erpOrderNumber } : null),
  productSku: (c) => c.productSku,
  activities: (c, _args, context) => context.areas.activitiesByWhatId.load({ key: c.id, openOnly: false }),
};

export const CaseCount: CaseCountResolvers = {
  customer: (row) => (row.grouping === 'CUSTOMER' && row.key ? { number: row.key } : null),
  product: (row) => (row.grouping === 'PRODUCT' && row.key ? { sku: row.key } : null),
};

export const Account: AccountResolvers = {
  cases: async (account, args, context) => (await context.areas.casesByAccountId.load({ key: account.id, openOnly: args.openOnly })).slice(0, args.first),
  caseCount: (account, args, context) => context.areas.caseCountByAccountId.load({ key: account.id, openOnly: args.openOnly }),
};

export const Customer: CustomerResolvers = {
  cases: async (customer, args, context) =>
    (await ofMatchedAccount(customer.number, context, (n) => context.areas.casesByErpNumber.load({ key: n, openOnly: args.openOnly }))).slice(0, args.first),
  caseCount: (customer, args, context) => context.areas.caseCountByCustomerNumber.load({ key: customer.number, openOnly: args.openOnly }),
};

export const SalesOrder: SalesOrderResolvers = {
  cases: (order, _args, context) => context.areas.casesByErpOrderNumber.load({ key: order.number, openOnly: false }),
};

export const Product: ProductResolvers = {
  cases: async (product, args, context) => (await context.areas.casesBySku.load({ key: product.sku, openOnly: args.openOnly })).slice(0, args.first),
  caseCount: (product, args, context) => context.areas.caseCountBySku.load({ key: product.sku, openOnly: args.openOnly }),
};
