/**
 * Batch reads and aggregates for the integration areas beyond customers and
 * orders: stock per location, staff hierarchy and sales teams, sales targets,
 * helpdesk tickets linked to CRM cases, and the totals reports are made of.
 *
 * Same contract as erpConnector.ts: one native call per batch, results in key
 * order matched by id, an Error (one-to-one) or an empty list (one-to-many)
 * for a missing key. Totals are always summed by Odoo (`read_group`), never by
 * reading the records they sum: a key without records gets 0.
 */
import type { OdooClient } from '../../../../lib/native/odooClient.js';
import { rowsOf, type RowReader } from './odooValues.js';
import { matchMany, unique } from './batch.js';

/** A closed range of dates, `YYYY-MM-DD`, both ends included. */
export interface Period {
  from: string;
  to: string;
}

/** A `stock.quant` in an internal location. */
export interface StockQuantRecord {
  id: number;
  productId: number;
  /** The location's full name, e.g. `WH/Stock`. */
  location: string;
  quantity: number;
  reservedQuantity: number;
}

/** A `crm.team` with its members (`res.users` ids). */
export interface SalesTeamRecord {
  id: number;
  name: string;
  leaderUserId: number | null;
  memberUserIds: number[];
  /** `invoiced_target`: Odoo's monthly invoicing target of the team. */
  monthlyInvoicedTarget: number;
  currencyCode: string;
}

/** A `helpdesk.ticket`: the ERP's record of a complaint or return. */
export interface TicketRecord {
  id: number;
  ref: string | null;
  subject: string;
  partnerId: number | null;
  productId: number | null;
  saleOrderId: number | null;
  /** The order's number (`sale.order.name`, its display name). */
  saleOrderNumber: string | null;
  stage: string | null;
  priority: string;
  /** ISO 8601 in UTC. */
  openedAt: string | null;
  /** Set by Odoo when the ticket reaches a folded (closing) stage. */
  closedAt: string | null;
  /** `x_crm_case_id`: the Salesforce Case the ticket was opened for. */
  crmCaseId: string | null;
  assignedUserId: number | null;
}

/** Untaxed sales of confirmed order lines, and their margin (sale_margin's `margin`): ordered, so credit notes do not change them. */
export interface SalesTotals {
  revenue: number;
  margin: number;
}

/** A total for one calendar month, `YYYY-MM`. */
export interface MonthAmount {
  month: string;
  amount: number;
}

export interface PartnerSales extends SalesTotals {
  partnerId: number;
}

export interface ErpAreasConnector {
  companyCurrency(): Promise<string>;
  /** Quants of each product in internal locations, by location. */
  quantsByProductId(productIds: readonly number[]): Promise<StockQuantRecord[][]>;
  /** Every sales team, in Odoo's order. Teams are few; one call reads them all. */
  salesTeams(): Promise<SalesTeamRecord[]>;
  /** Sum of `target_goal` of each user's "Total Invoiced" goals that lie within the period. */
  invoicedTargetByUserId(period: Period, userIds: readonly number[]): Promise<number[]>;
  /**
   * Untaxed amount of posted customer invoices dated in the period, net of the posted credit notes dated in it,
   * per salesperson (`invoice_user_id`).
   */
  invoicedByUserId(period: Period, userIds: readonly number[]): Promise<number[]>;
  /** The same per salesperson and invoice month (`invoice_date:month`), months in order, only those with invoices. */
  monthlyInvoicedByUserId(period: Period, userIds: readonly number[]): Promise<MonthAmount[][]>;
  /** The same per sales team and invoice month. */
  monthlyInvoicedByTeamId(period: Period, teamIds: readonly number[]): Promise<MonthAmount[][]>;
  /** Each user's "Total Invoiced" goals of the months the period touches, per month of `start_date`. */
  monthlyTargetByUserId(period: Period, userIds: readonly number[]): Promise<MonthAmount[][]>;
  /** The same per sales team (`team_id`). */
  invoicedByTeamId(period: Period, teamIds: readonly number[]): Promise<number[]>;
  /** The same per customer (`partner_id`). */
  invoicedByPartnerId(period: Period, partnerIds: readonly number[]): Promise<number[]>;
  /** Sales and margin of confirmed order lines ordered in the period, per customer. */
  salesByPartnerId(period: Period, partnerIds: readonly number[]): Promise<SalesTotals[]>;
  /** The customers that bought most in the period, best first, at most `limit`. */
  topCustomersBySales(period: Period, limit: number): Promise<PartnerSales[]>;
  /** Quantity sold on confirmed order lines ordered in the period (all time without one), per product. */
  unitsSoldByProductId(period: Period | null, productIds: readonly number[]): Promise<number[]>;
  ticketsByCaseId(caseIds: readonly string[]): Promise<TicketRecord[][]>;
  /** Tickets by reference (`ticket_ref`); a list per key, as Odoo does not make the reference unique. */
  ticketsByRef(refs: readonly string[]): Promise<TicketRecord[][]>;
  ticketsByPartnerId(partnerIds: readonly number[]): Promise<TicketRecord[][]>;
  ticketCountByProductId(productIds: readonly number[]): Promise<number[]>;
  /** Every ERP customer number, ascending. */
  customerNumbers(): Promise<string[]>;
}

type Domain = unknown[];

const MOVE = 'account.move';
/**
 * Invoiced revenue is net of credit notes, as in Odoo's own reports: posted
 * customer invoices and credit notes in one domain, summed by their signed
 * untaxed amount. Odoo computes `amount_untaxed_signed` in company currency,
 * positive on `out_invoice` and negative on `out_refund`, so one `read_group`
 * gives invoices − refunds at the same native cost as invoices alone.
 */
const POSTED_CUSTOMER_INVOICES_AND_CREDIT_NOTES: Domain = [
  ['move_type', 'in', ['out_invoice', 'out_refund']],
  ['state', '=', 'posted'],
];
const NET_UNTAXED = 'amount_untaxed_signed';
const ORDER_LINE = 'sale.order.line';
const TICKET = 'helpdesk.ticket';
const TICKET_FIELDS = [
  'name',
  'ticket_ref',
  'partner_id',
  'product_id',
  'sale_order_id',
  'stage_id',
  'priority',
  'create_date',
  'close_date',
  'x_crm_case_id',
  'user_id',
];
const TICKET_ORDER = 'create_date desc, id desc';
const GOAL_DEFINITION = 'Total Invoiced';

export function createErpAreasConnector(client: OdooClient): ErpAreasConnector {
  const searchRead = async (model: string, domain: Domain, fields: string[], options: { order?: string; limit?: number } = {}) =>
    rowsOf(model, 'search_read', await client.executeKw(model, 'search_read', [domain], { fields, ...options }));

  const readGroup = async (model: string, domain: Domain, fields: string[], groupby: string[], options: { orderby?: string; limit?: number } = {}) =>
    rowsOf(model, 'read_group', await client.executeKw(model, 'read_group', [domain, fields, groupby], { lazy: false, ...options }));

  /** One read_group grouped by a many2one, answered per key; keys without records get 0. */
  async function sumBy(model: string, domain: Domain, groupField: string, sumField: string, keys: readonly number[]): Promise<number[]> {
    const wanted = unique(keys);
    if (wanted.length === 0) return [];
    const groups = await readGroup(model, [[groupField, 'in', wanted], ...domain], [`${sumField}:sum`], [groupField]);
    const totals = new Map<number, number>();
    for (const group of groups) {
      const key = group.many2one(groupField);
      if (key) totals.set(key.id, group.number(sumField));
    }
    return keys.map((k) => totals.get(k) ?? 0);
  }

  /** One read_group grouped by a many2one and a month: a list of month totals per key. */
  async function monthlySumBy(
    model: string,
    domain: Domain,
    groupField: string,
    dateField: string,
    sumField: string,
    keys: readonly number[],
  ): Promise<MonthAmount[][]> {
    const wanted = unique(keys);
    if (wanted.length === 0) return [];
    const month = `${dateField}:month`;
    const groups = await readGroup(model, [[groupField, 'in', wanted], ...domain], [`${sumField}:sum`], [groupField, month], { orderby: `${dateField} asc` });
    const rows = groups.flatMap((g) => {
      const key = g.many2one(groupField);
      const start = g.rangeStart(month);
      return key && start ? [{ key: key.id, month: start.slice(0, 7), amount: g.number(sumField) }] : [];
    });
    return matchMany(keys, rows, (r) => r.key).map((list) =>
      list.sort((a, b) => a.month.localeCompare(b.month)).map(({ month: m, amount }) => ({ month: m, amount })),
    );
  }

  const goalsIn = (period: Period): Domain => [
    ['definition_id.name', '=', GOAL_DEFINITION],
    ['start_date', '>=', period.from],
    ['end_date', '<=', period.to],
    ['state', '!=', 'canceled'],
  ];

  const invoicesIn = (period: Period): Domain => [
    ...POSTED_CUSTOMER_INVOICES_AND_CREDIT_NOTES,
    ['invoice_date', '>=', period.from],
    ['invoice_date', '<=', period.to],
  ];

  // Order lines carry no date: the order's is reached through the path, which Odoo turns into a subquery.
  // Sales, margin and units sold are what was ordered (`sale.order.line`), not what was invoiced: in Odoo a
  // credit note leaves the order line's `product_uom_qty`, `price_subtotal` and `margin` as they are and
  // lowers only `qty_invoiced` (refund lines carry positive quantities on an `out_refund` move, whose sign
  // is in the move type). So these figures are not netted; the invoiced ones above are.
  const confirmedLinesIn = (period: Period | null): Domain => [
    ['state', '=', 'sale'],
    ['display_type', '=', false],
    ...(period
      ? [
          ['order_id.date_order', '>=', `${period.from} 00:00:00`],
          ['order_id.date_order', '<=', `${period.to} 23:59:59`],
        ]
      : []),
  ];

  const ticketsBy = async <K extends string | number>(field: string, keys: readonly K[], keyOf: (t: TicketRecord) => K | null) => {
    const wanted = unique(keys);
    if (wanted.length === 0) return [];
    const tickets = (await searchRead(TICKET, [[field, 'in', wanted]], TICKET_FIELDS, { order: TICKET_ORDER })).map(toTicket);
    return matchMany(keys, tickets, keyOf);
  };

  return {
    async companyCurrency() {
      const [company] = await searchRead('res.company', [], ['currency_id'], { limit: 1 });
      if (!company) throw new Error('Expected the ERP to have a company (res.company), but it has none.');
      return company.requiredMany2one('currency_id').name;
    },

    async quantsByProductId(productIds) {
      const wanted = unique(productIds);
      if (wanted.length === 0) return [];
      // Only internal locations hold stock on hand; customer and vendor locations are where goods went or came from.
      const rows = await searchRead(
        'stock.quant',
        [
          ['product_id', 'in', wanted],
          ['location_id.usage', '=', 'internal'],
        ],
        ['product_id', 'location_id', 'quantity', 'reserved_quantity'],
        {
          order: 'location_id, id',
        },
      );
      const quants = rows.map((row): StockQuantRecord => ({
        id: row.id(),
        productId: row.requiredMany2one('product_id').id,
        location: row.requiredMany2one('location_id').name,
        quantity: row.number('quantity'),
        reservedQuantity: row.number('reserved_quantity'),
      }));
      return matchMany(productIds, quants, (q) => q.productId);
    },

    async salesTeams() {
      const rows = await searchRead('crm.team', [], ['name', 'user_id', 'member_ids', 'invoiced_target', 'currency_id']);
      return rows.map((row) => ({
        id: row.id(),
        name: row.requiredString('name'),
        leaderUserId: row.many2one('user_id')?.id ?? null,
        memberUserIds: row.ids('member_ids'),
        monthlyInvoicedTarget: row.number('invoiced_target'),
        currencyCode: row.requiredMany2one('currency_id').name,
      }));
    },

    invoicedTargetByUserId: (period, userIds) => sumBy('gamification.goal', goalsIn(period), 'user_id', 'target_goal', userIds),
    monthlyInvoicedByUserId: (period, userIds) => monthlySumBy(MOVE, invoicesIn(period), 'invoice_user_id', 'invoice_date', NET_UNTAXED, userIds),
    monthlyInvoicedByTeamId: (period, teamIds) => monthlySumBy(MOVE, invoicesIn(period), 'team_id', 'invoice_date', NET_UNTAXED, teamIds),
    // Month by month, every month the period touches shows its whole goal, even where the period covers part of it.
    monthlyTargetByUserId: (period, userIds) =>
      monthlySumBy(
        'gamification.goal',
        [
          ['definition_id.name', '=', GOAL_DEFINITION],
          ['start_date', '<=', period.to],
          ['end_date', '>=', period.from],
          ['state', '!=', 'canceled'],
        ],
        'user_id',
        'start_date',
        'target_goal',
        userIds,
      ),
    invoicedByUserId: (period, userIds) => sumBy(MOVE, invoicesIn(period), 'invoice_user_id', NET_UNTAXED, userIds),
    invoicedByTeamId: (period, teamIds) => sumBy(MOVE, invoicesIn(period), 'team_id', NET_UNTAXED, teamIds),
    invoicedByPartnerId: (period, partnerIds) => sumBy(MOVE, invoicesIn(period), 'partner_id', NET_UNTAXED, partnerIds),

    async salesByPartnerId(period, partnerIds) {
      const wanted = unique(partnerIds);
      if (wanted.length === 0) return [];
      const groups = await readGroup(
        ORDER_LINE,
        [['order_partner_id', 'in', wanted], ...confirmedLinesIn(period)],
        ['price_subtotal:sum', 'margin:sum'],
        ['order_partner_id'],
      );
      const totals = new Map(groups.map((g) => [g.requiredMany2one('order_partner_id').id, toTotals(g)]));
      return partnerIds.map((id) => totals.get(id) ?? { revenue: 0, margin: 0 });
    },

    async topCustomersBySales(period, limit) {
      const groups = await readGroup(
        ORDER_LINE,
        [['order_partner_id.ref', '!=', false], ...confirmedLinesIn(period)],
        ['price_subtotal:sum', 'margin:sum'],
        ['order_partner_id'],
        {
          orderby: 'price_subtotal desc',
          limit,
        },
      );
      return groups.map((g) => ({ partnerId: g.requiredMany2one('order_partner_id').id, ...toTotals(g) }));
    },

    async unitsSoldByProductId(period, productIds) {
      const wanted = unique(productIds);
      if (wanted.length === 0) return [];
      const groups = await readGroup(ORDER_LINE, [['product_id', 'in', wanted], ...confirmedLinesIn(period)], ['product_uom_qty:sum'], ['product_id']);
      const totals = new Map(groups.map((g) => [g.requiredMany2one('product_id').id, g.number('product_uom_qty')]));
      return productIds.map((id) => totals.get(id) ?? 0);
    },

    ticketsByCaseId: (caseIds) => ticketsBy('x_crm_case_id', caseIds, (t) => t.crmCaseId),
    ticketsByRef: (refs) => ticketsBy('ticket_ref', refs, (t) => t.ref),
    ticketsByPartnerId: (partnerIds) => ticketsBy('partner_id', partnerIds, (t) => t.partnerId),

    async ticketCountByProductId(productIds) {
      const wanted = unique(productIds);
      if (wanted.length === 0) return [];
      const groups = await readGroup(TICKET, [['product_id', 'in', wanted]], [], ['product_id']);
      const counts = new Map(groups.map((g) => [g.requiredMany2one('product_id').id, g.number('__count')]));
      return productIds.map((id) => counts.get(id) ?? 0);
    },

    async customerNumbers() {
      const rows = await searchRead(
        'res.partner',
        [
          ['ref', '!=', false],
          ['customer_rank', '>', 0],
        ],
        ['ref'],
        { order: 'ref' },
      );
      return [...new Set(rows.map((r) => r.requiredString('ref')))];
    },
  };
}

function toTotals(group: RowReader): SalesTotals {
  return { revenue: group.number('price_subtotal'), margin: group.number('margin') };
}

function toTicket(row: RowReader): TicketRecord {
  return {
    id: row.id(),
    ref: row.string('ticket_ref'),
    subject: row.requiredString('name'),
    partnerId: row.many2one('partner_id')?.id ?? null,
    productId: row.many2one('product_id')?.id ?? null,
    saleOrderId: row.many2one('sale_order_id')?.id ?? null,
    saleOrderNumber: row.many2one('sale_order_id')?.name ?? null,
    stage: row.many2one('stage_id')?.name ?? null,
    priority: row.string('priority') ?? '0',
    openedAt: row.dateTime('create_date'),
    closedAt: row.dateTime('close_date'),
    crmCaseId: row.string('x_crm_case_id'),
    assignedUserId: row.many2one('user_id')?.id ?? null,
  };
}
