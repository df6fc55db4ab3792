/**
 * Pages and counts through the cross-request cache. A page is a list query,
 * not a lookup by key, so any change to its model may reorder or resize it:
 * cacheInvalidation.ts drops every cached page of a model (`'*'`) when a record
 * of that model changes. Page records are native records, like every entry.
 */
import { cachedBatch, type CacheUse } from '../../../lib/cache/index.js';
import type { ErpConnector } from './connectors/erpConnector.js';

export const ERP_PAGE_CACHE = {
  partner: 'erp.pages.partner',
  // Pages that carry what each customer owes, which an invoice changes without touching the partner.
  partnerWithBalance: 'erp.pages.partnerWithBalance',
  product: 'erp.pages.product',
  order: 'erp.pages.order',
} as const;

/** The connector with its page and count reads answered from the cache when they can be. */
export function withCachedPages(connector: ErpConnector, cache: CacheUse | undefined): ErpConnector {
  if (!cache) return connector;
  // One call's arguments are its key; a page read is a batch of one.
  const one = <A extends unknown[], R>(type: string, name: string, read: (...args: A) => Promise<R>) => {
    const batch = cachedBatch<string, R>(cache, type, async (keys) => Promise.all(keys.map((k) => read(...(JSON.parse(k.slice(name.length + 1)) as A)))));
    return async (...args: A): Promise<R> => {
      const [result] = await batch([`${name}:${JSON.stringify(args)}`]);
      return result as R;
    };
  };
  const P = ERP_PAGE_CACHE;
  const customersPage = one(P.partner, 'customersPage', connector.customersPage);
  const customersPageWithBalance = one(P.partnerWithBalance, 'customersPage', connector.customersPage);
  return {
    ...connector,
    customersPage: (page, options) => (options?.withBalanceDue ? customersPageWithBalance : customersPage)(page, options),
    countCustomers: one(P.partner, 'countCustomers', connector.countCustomers),
    productsPage: one(P.product, 'productsPage', connector.productsPage),
    countProducts: one(P.product, 'countProducts', connector.countProducts),
    ordersPage: one(P.order, 'ordersPage', connector.ordersPage),
    countOrders: one(P.order, 'countOrders', connector.countOrders),
  };
}
