/**
 * Area 7, service: ERP helpdesk tickets (`helpdesk.ticket`) linked to CRM cases
 * through `x_crm_case_id`, and what a service agent needs of the customer's
 * ERP side (open invoices, recent orders).
 */
import { loadOrNull } from '../loaders.js';
import { hasSku } from '../mappers.js';
import type { CaseResolvers, CustomerResolvers, QueryResolvers, ServiceTicketResolvers } from '../__generated__/resolvers-types.js';
import { customerById } from './customer.js';
import { period } from './period.js';
import { employeeOfUser } from './staffAreas.js';
import { isOpen, money } from './values.js';
import { badUserInput } from '../../../../lib/errors.js';

const DAY_MS = 86_400_000;
const MAX_DAYS = 3660;

export const CustomerService: CustomerResolvers = {
  async openInvoices(c, _, { loaders }) {
    const open = (await loaders.invoicesByPartnerId.load(c.id)).filter((i) => isOpen(i.paymentState));
    return open.sort((a, b) => (a.dueDate ?? '').localeCompare(b.dueDate ?? '') || a.id - b.id);
  },
  async recentOrders(c, { days }, { loaders }) {
    const span = days ?? 90;
    if (!Number.isInteger(span) || span < 0 || span > MAX_DAYS)
      throw badUserInput(`Expected \`days\` to be between 0 and ${MAX_DAYS}, but got ${span}.`, 'days');
    const since = new Date(Date.now() - span * DAY_MS).toISOString();
    return (await loaders.ordersByPartnerId.load(c.id)).filter((o) => o.orderedAt >= since);
  },
  async serviceTickets(c, { openOnly }, { areas }) {
    const tickets = await areas.ticketsByPartnerId.load(c.id);
    return openOnly ? tickets.filter((t) => t.closedAt === null) : tickets;
  },
  async invoicedRevenue(c, { from, to }, { areas }) {
    return money(await areas.invoicedByPartnerId.load({ period: period(from, to), key: c.id }), c.currencyCode);
  },
};

export const Case: CaseResolvers = {
  // The case lives in the CRM; any id is a valid reference, with no tickets when none was opened for it.
  __resolveReference: ({ id }) => ({ id }),
  id: (c) => c.id,
  erpTickets: (c, _, { areas }) => areas.ticketsByCaseId.load(c.id),
};

export const ServiceTicket: ServiceTicketResolvers = {
  ref: (t) => t.ref ?? String(t.id),
  subject: (t) => t.subject,
  stage: (t) => t.stage,
  isClosed: (t) => t.closedAt !== null,
  priority: (t) => Number.parseInt(t.priority, 10) || 0,
  openedAt: (t) => t.openedAt,
  closedAt: (t) => t.closedAt,
  customer: (t, _, { loaders }) => (t.partnerId === null ? null : customerById(loaders, t.partnerId)),
  async product(t, _, { loaders }) {
    if (t.productId === null) return null;
    const product = await loadOrNull(loaders.productsById, t.productId);
    return product && hasSku(product) ? product : null;
  },
  salesOrder: (t, _, { loaders }) => (t.saleOrderNumber === null ? null : loadOrNull(loaders.ordersByNumber, t.saleOrderNumber)),
  crmCase: (t) => (t.crmCaseId === null ? null : { id: t.crmCaseId }),
  assignee: (t, _, context) => (t.assignedUserId === null ? null : employeeOfUser(context, t.assignedUserId)),
};

export const ServiceQuery: QueryResolvers = {
  async serviceTicket(_, { ref }, { connector }) {
    const [tickets] = await connector.ticketsByRef([ref]);
    return tickets?.[0] ?? null;
  },
};
