/**
 * Root fields. Lookups by key go through the loaders (so an entity asked for
 * twice costs one call); pages go to the connector, validating their arguments
 * before any native call is made.
 */
import type { GraphQLResolveInfo } from 'graphql';
import { selectedBelow } from '../../../../lib/selectedFields.js';
import type { SalesOrderFilter } from '../connectors/erpConnector.js';
import { loadOrNull, primeOrders, primePartners, primeProducts } from '../loaders.js';
import { hasSku, hasWorkEmail, isCustomer, type SalesOrderConnectionParent } from '../mappers.js';
import type { QueryResolvers } from '../__generated__/resolvers-types.js';
import { checkFirst, emptyPage, offsetAfter } from './paging.js';
import { orderByNumber } from './salesOrder.js';

const DEFAULT_PAGE = 20;

export const Query: QueryResolvers = {
  async customer(_, { number }, { loaders }) {
    const partner = await loadOrNull(loaders.customersByNumber, number);
    return partner && isCustomer(partner) ? partner : null;
  },

  async customers(_, { first, after }, { connector, loaders, readAhead }, info) {
    const size = checkFirst(first, DEFAULT_PAGE);
    const offset = offsetAfter('customers', after);
    // Odoo computes what a partner owes as a field of the partner: read with the page, a report's
    // balances cost no call and no round of their own.
    const withBalanceDue = readAhead && selectsOnCustomers(info, 'balanceDue');
    const page = await connector.customersPage({ offset, first: size }, { withBalanceDue });
    primePartners(loaders, page.records);
    page.balanceDue?.forEach((due, i) => loaders.balanceDueByPartnerId.prime(page.records[i]!.id, due));
    return { kind: 'customers', records: page.records.filter(isCustomer), offset, hasNextPage: page.hasNextPage, count: () => connector.countCustomers() };
  },

  async product(_, { sku }, { loaders }) {
    const product = await loadOrNull(loaders.productsBySku, sku);
    return product && hasSku(product) ? product : null;
  },

  async products(_, { first, after }, { connector, loaders }) {
    const size = checkFirst(first, DEFAULT_PAGE);
    const offset = offsetAfter('products', after);
    const page = await connector.productsPage({ offset, first: size });
    primeProducts(loaders, page.records);
    return { kind: 'products', records: page.records.filter(hasSku), offset, hasNextPage: page.hasNextPage, count: () => connector.countProducts() };
  },

  salesOrder: (_, { number }, context, info) => orderByNumber(context, number, info),

  async salesOrders(_, { first, after, customerNumber }, { connector, loaders }): Promise<SalesOrderConnectionParent> {
    const size = checkFirst(first, DEFAULT_PAGE);
    const offset = offsetAfter('salesOrders', after);
    const filter: SalesOrderFilter = {};
    if (customerNumber !== null && customerNumber !== undefined) {
      const customer = await loadOrNull(loaders.customersByNumber, customerNumber);
      // An unknown customer has no orders: say so without asking Odoo.
      if (!customer) return emptyPage('salesOrders', offset);
      filter.partnerId = customer.id;
    }
    const page = await connector.ordersPage({ offset, first: size }, filter);
    primeOrders(loaders, page.records);
    return { kind: 'salesOrders', records: page.records, offset, hasNextPage: page.hasNextPage, count: () => connector.countOrders(filter) };
  },

  async employee(_, { workEmail }, { loaders }) {
    const employee = await loadOrNull(loaders.employeesByWorkEmail, workEmail);
    return employee && hasWorkEmail(employee) ? employee : null;
  },
};

/** Whether a `CustomerConnection` field's selection asks `field` of its customers, as nodes or as edges. */
function selectsOnCustomers(info: GraphQLResolveInfo, field: string): boolean {
  return (
    selectedBelow(info, [{ type: 'CustomerConnection', field: 'nodes' }], 'Customer').has(field) ||
    selectedBelow(
      info,
      [
        { type: 'CustomerConnection', field: 'edges' },
        { type: 'CustomerEdge', field: 'node' },
      ],
      'Customer',
    ).has(field)
  );
}
