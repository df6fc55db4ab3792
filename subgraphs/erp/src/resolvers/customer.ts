/** A customer is a `res.partner` with a customer number (`ref`). */
import { loadOrNull, type ErpLoaders } from '../loaders.js';
import { isCustomer, type CustomerParent } from '../mappers.js';
import type { CustomerConnectionResolvers, CustomerResolvers } from '../__generated__/resolvers-types.js';
import { checkFirst, connectionFields } from './paging.js';
import { isOpen, money } from './values.js';

export const Customer: CustomerResolvers = {
  async __resolveReference({ number }, { loaders }) {
    const partner = await loadOrNull(loaders.customersByNumber, number);
    return partner && isCustomer(partner) ? partner : null;
  },
  number: (c) => c.number,
  legalName: (c) => c.name,
  taxId: (c) => c.vat,
  email: (c) => c.email,
  phone: (c) => c.phone,
  address: (c) => ({ street: c.street, city: c.city, countryCode: c.countryCode }),
  creditLimit: (c) => money(c.creditLimit, c.currencyCode),
  // Summed by Odoo (read_group) for the whole batch of customers, not by reading every invoice.
  balanceDue: async (c, _, { loaders }) => money(await loaders.balanceDueByPartnerId.load(c.id), c.currencyCode),
  paymentTerms: (c) => c.paymentTerms,
  async salesOrders(c, { first }, { loaders }) {
    const size = checkFirst(first, 10);
    return (await loaders.ordersByPartnerId.load(c.id)).slice(0, size);
  },
  async invoices(c, { first, openOnly }, { loaders }) {
    const size = checkFirst(first, 10);
    const invoices = await loaders.invoicesByPartnerId.load(c.id);
    return (openOnly ? invoices.filter((i) => isOpen(i.paymentState)) : invoices).slice(0, size);
  },
};

export const CustomerConnection: CustomerConnectionResolvers = connectionFields<CustomerParent>();

/** The customer a partner id stands for; null when that partner has no customer number. */
export async function customerById(loaders: ErpLoaders, partnerId: number): Promise<CustomerParent | null> {
  const partner = await loadOrNull(loaders.partnersById, partnerId);
  return partner && isCustomer(partner) ? partner : null;
}
