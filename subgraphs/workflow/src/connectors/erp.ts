/**
 * The ERP (Odoo) reads and writes the workflows need, as plain records. Every
 * function is one or two `execute_kw` calls through the shared Odoo client
 * (lib/native/odooClient.ts), which retries reads and never a write. Odoo's
 * `false` for empty values becomes `null`.
 */
import { searchRead, type OdooClient } from '../../../../lib/native/odooClient.js';

type Many2one = [number, string] | false;

export interface ErpOrder {
  id: number;
  number: string;
  state: 'draft' | 'sent' | 'sale' | 'cancel';
  amountTotal: number;
  clientOrderRef: string | null;
}

export interface ErpCustomer {
  id: number;
  number: string;
  name: string;
  /** Null when Odoo sets no limit (`false` or 0). */
  creditLimit: number | null;
}

export interface ErpProduct {
  id: number;
  sku: string;
  listPrice: number;
  qtyAvailable: number;
}

export interface ErpOrderLineInput {
  productId: number;
  quantity: number;
  unitPrice: number;
  description?: string;
}

const nullable = <T>(value: T | false | null | undefined): T | null => (value === false || value === undefined ? null : value);

function toOrder(row: Record<string, unknown>): ErpOrder {
  return {
    id: row.id as number,
    number: row.name as string,
    state: row.state as ErpOrder['state'],
    amountTotal: row.amount_total as number,
    clientOrderRef: nullable(row.client_order_ref as string | false),
  };
}

const ORDER_FIELDS = ['name', 'state', 'amount_total', 'client_order_ref'];

export function createErp(odoo: OdooClient) {
  return {
    /** Orders carrying this client reference (the idempotency key), oldest first. */
    async ordersByClientRef(ref: string): Promise<ErpOrder[]> {
      const rows = await searchRead<Record<string, unknown>>(odoo, 'sale.order', [['client_order_ref', '=', ref]], ORDER_FIELDS, { order: 'id asc' });
      return rows.map(toOrder);
    },

    async order(id: number): Promise<ErpOrder | null> {
      const rows = await odoo.executeKw<Record<string, unknown>[]>('sale.order', 'read', [[id]], { fields: ORDER_FIELDS });
      return rows[0] ? toOrder(rows[0]) : null;
    },

    /** The customer whose ERP number (`ref`) this is; the lowest id when several claim it. */
    async customerByNumber(number: string): Promise<ErpCustomer | null> {
      const rows = await searchRead<Record<string, unknown>>(odoo, 'res.partner', [['ref', '=', number]], ['name', 'ref', 'credit_limit'], {
        order: 'id asc',
        limit: 1,
      });
      const row = rows[0];
      if (!row) return null;
      const limit = nullable(row.credit_limit as number | false);
      return { id: row.id as number, number: row.ref as string, name: row.name as string, creditLimit: limit === null || limit === 0 ? null : limit };
    },

    async productsBySku(skus: string[]): Promise<Map<string, ErpProduct>> {
      if (skus.length === 0) return new Map();
      const rows = await searchRead<Record<string, unknown>>(
        odoo,
        'product.product',
        [
          ['default_code', 'in', skus],
          ['sale_ok', '=', true],
        ],
        ['default_code', 'list_price', 'qty_available'],
      );
      // Matched by SKU, never by position: Odoo promises no order.
      return new Map(
        rows.map((r) => [
          r.default_code as string,
          { id: r.id as number, sku: r.default_code as string, listPrice: r.list_price as number, qtyAvailable: r.qty_available as number },
        ]),
      );
    },

    /**
     * What the customer already owes or has ordered: unpaid posted invoices less
     * open credit notes (`amount_residual_signed`, negative on out_refund) plus
     * confirmed orders not yet invoiced (`amount_total`), as Odoo's own
     * credit-limit warning counts them.
     */
    async openBalance(partnerId: number): Promise<number> {
      const [invoices, orders] = await Promise.all([
        searchRead<{ amount_residual_signed: number }>(
          odoo,
          'account.move',
          [
            ['partner_id', '=', partnerId],
            ['move_type', 'in', ['out_invoice', 'out_refund']],
            ['state', '=', 'posted'],
            ['payment_state', 'not in', ['paid', 'in_payment', 'reversed']],
          ],
          ['amount_residual_signed'],
        ),
        searchRead<{ amount_total: number }>(
          odoo,
          'sale.order',
          [
            ['partner_id', '=', partnerId],
            ['state', '=', 'sale'],
            ['invoice_status', '=', 'to invoice'],
          ],
          ['amount_total'],
        ),
      ]);
      const sum = invoices.reduce((s, r) => s + (r.amount_residual_signed || 0), 0) + orders.reduce((s, r) => s + (r.amount_total || 0), 0);
      return Math.round(sum * 100) / 100;
    },

    /** Creates a quotation (draft) with its lines in one call, so Odoo stores both or neither. */
    async createDraftOrder(vals: { partnerId: number; clientOrderRef: string; origin: string; lines: ErpOrderLineInput[] }): Promise<number> {
      return odoo.executeKw<number>('sale.order', 'create', [
        {
          partner_id: vals.partnerId,
          client_order_ref: vals.clientOrderRef,
          origin: vals.origin,
          order_line: vals.lines.map((l) => [
            0,
            0,
            { product_id: l.productId, product_uom_qty: l.quantity, price_unit: l.unitPrice, ...(l.description ? { name: l.description } : {}) },
          ]),
        },
      ]);
    },

    async confirmOrder(id: number): Promise<void> {
      await odoo.executeKw('sale.order', 'action_confirm', [[id]]);
    },

    async deleteDraftOrder(id: number): Promise<void> {
      await odoo.executeKw('sale.order', 'unlink', [[id]]);
    },

    // --- Customers --------------------------------------------------------------

    /** The partner created under this idempotency key (custom field `x_idempotency_key`), if any. */
    async partnerByIdempotencyKey(key: string): Promise<{ id: number; number: string | null } | null> {
      const rows = await searchRead<Record<string, unknown>>(odoo, 'res.partner', [['x_idempotency_key', '=', key]], ['ref'], { order: 'id asc', limit: 1 });
      return rows[0] ? { id: rows[0].id as number, number: nullable(rows[0].ref as string | false) } : null;
    },

    /** The highest `C`-number in use; customer numbers are `C` and five or more digits. */
    async highestCustomerNumber(): Promise<string | null> {
      const rows = await searchRead<{ ref: string | false }>(
        odoo,
        'res.partner',
        [['ref', '=like', 'C%']],
        ['ref'],
        // Numbers are zero-padded to one width, so text order is numeric order; archived partners keep their numbers too.
        { order: 'ref desc', limit: 1 },
      );
      return nullable(rows[0]?.ref);
    },

    /** Ids of the partners holding this customer number, lowest first (more than one means a numbering race). */
    async partnerIdsWithRef(ref: string): Promise<number[]> {
      const rows = await searchRead<{ id: number }>(odoo, 'res.partner', [['ref', '=', ref]], ['id'], { order: 'id asc' });
      return rows.map((r) => r.id);
    },

    async setCustomerNumber(partnerId: number, ref: string): Promise<void> {
      await odoo.executeKw('res.partner', 'write', [[partnerId], { ref }]);
    },

    async countryId(code: string): Promise<number | null> {
      const rows = await searchRead<{ id: number }>(odoo, 'res.country', [['code', '=', code.toUpperCase()]], ['id'], { limit: 1 });
      return rows[0]?.id ?? null;
    },

    async createCustomer(vals: Record<string, unknown>): Promise<number> {
      return odoo.executeKw<number>('res.partner', 'create', [{ is_company: true, customer_rank: 1, ...vals }]);
    },

    // --- Approvals (Odoo Approvals: approval.request / approval.approver) -------

    async approvalRequests(statuses: string[], limit: number, ids?: number[]): Promise<ErpApprovalRequest[]> {
      const rows = await searchRead<Record<string, unknown>>(
        odoo,
        'approval.request',
        ids ? [['id', 'in', ids]] : [['request_status', 'in', statuses]],
        ['name', 'category_id', 'request_owner_id', 'request_status', 'approver_ids', 'date_confirmed', 'create_date', 'reference', 'amount'],
        { order: 'date_confirmed asc, id asc', limit },
      );
      return rows.map((r) => ({
        id: r.id as number,
        name: r.name as string,
        category: (r.category_id as Many2one) ? (r.category_id as [number, string])[1] : 'Approval',
        ownerUserId: (r.request_owner_id as Many2one) ? (r.request_owner_id as [number, string])[0] : null,
        status: r.request_status as string,
        approverIds: r.approver_ids as number[],
        since: nullable(r.date_confirmed as string | false) ?? nullable(r.create_date as string | false),
        reference: nullable(r.reference as string | false),
        amount: nullable(r.amount as number | false),
      }));
    },

    async approvalRequest(id: number): Promise<ErpApprovalRequest | null> {
      return (await this.approvalRequests([], 1, [id]))[0] ?? null;
    },

    async approvers(ids: number[]): Promise<{ id: number; requestId: number; userId: number; status: string }[]> {
      if (ids.length === 0) return [];
      const rows = await odoo.executeKw<Record<string, unknown>[]>('approval.approver', 'read', [ids], { fields: ['request_id', 'user_id', 'status'] });
      return rows.map((r) => ({
        id: r.id as number,
        requestId: (r.request_id as [number, string])[0],
        userId: (r.user_id as [number, string])[0],
        status: r.status as string,
      }));
    },

    /** Work e-mails of the employees linked to these users (`hr.employee.user_id`), by user id. */
    async workEmailsOfUsers(userIds: number[]): Promise<Map<number, string>> {
      if (userIds.length === 0) return new Map();
      const rows = await searchRead<{ user_id: Many2one; work_email: string | false }>(
        odoo,
        'hr.employee',
        [['user_id', 'in', userIds]],
        ['user_id', 'work_email'],
      );
      const emails = new Map<number, string>();
      for (const r of rows) if (r.user_id && r.work_email) emails.set(r.user_id[0], r.work_email);
      return emails;
    },

    /** Approval requests about a record (`reference`, e.g. a sales order number) in one category, newest first. */
    async approvalRequestsFor(reference: string, categoryName: string): Promise<{ id: number; status: string }[]> {
      const rows = await searchRead<{ id: number; request_status: string }>(
        odoo,
        'approval.request',
        [
          ['reference', '=', reference],
          ['category_id.name', '=', categoryName],
        ],
        ['request_status'],
        { order: 'id desc' },
      );
      return rows.map((r) => ({ id: r.id, status: r.request_status }));
    },

    /** The category with this name, created on first use (as an administrator would set it up once). */
    async approvalCategory(name: string): Promise<number> {
      const [found] = await searchRead<{ id: number }>(odoo, 'approval.category', [['name', '=', name]], ['id'], { limit: 1 });
      if (found) return found.id;
      return odoo.executeKw<number>('approval.category', 'create', [
        { name, has_reference: 'required', has_amount: 'required', has_partner: 'required', approval_minimum: 1 },
      ]);
    },

    /**
     * Who approves exceptions on an order: the user of the salesperson's manager
     * (`hr.employee.parent_id`), else the leader of the order's sales team (`crm.team.user_id`).
     */
    async managerUserOfSalesperson(orderId: number): Promise<number | null> {
      const [order] = await odoo.executeKw<{ user_id: Many2one; team_id: Many2one }[]>('sale.order', 'read', [[orderId]], { fields: ['user_id', 'team_id'] });
      if (!order) return null;
      if (order.user_id) {
        const [employee] = await searchRead<{ parent_id: Many2one }>(odoo, 'hr.employee', [['user_id', '=', order.user_id[0]]], ['parent_id'], { limit: 1 });
        if (employee?.parent_id) {
          const [manager] = await odoo.executeKw<{ user_id: Many2one }[]>('hr.employee', 'read', [[employee.parent_id[0]]], { fields: ['user_id'] });
          if (manager?.user_id && manager.user_id[0] !== order.user_id[0]) return manager.user_id[0];
        }
      }
      if (order.team_id) {
        const [team] = await odoo.executeKw<{ user_id: Many2one }[]>('crm.team', 'read', [[order.team_id[0]]], { fields: ['user_id'] });
        if (team?.user_id) return team.user_id[0];
      }
      return null;
    },

    async createApprovalRequest(vals: {
      name: string;
      categoryId: number;
      reference: string;
      partnerId: number;
      amount: number;
      reason: string;
      approverUserId: number | null;
      now: string;
    }): Promise<number> {
      return odoo.executeKw<number>('approval.request', 'create', [
        {
          name: vals.name,
          category_id: vals.categoryId,
          reference: vals.reference,
          partner_id: vals.partnerId,
          amount: vals.amount,
          reason: vals.reason,
          request_status: 'pending',
          date_confirmed: vals.now,
          approver_ids: vals.approverUserId ? [[0, 0, { user_id: vals.approverUserId, status: 'pending', required: true }]] : [],
        },
      ]);
    },

    /** Records the approvers' decision, as an approver clicking Approve/Refuse does; Odoo recomputes the request's status. */
    async decideApprovers(approverIds: number[], status: 'approved' | 'refused'): Promise<void> {
      await odoo.executeKw('approval.approver', 'write', [approverIds, { status }]);
    },

    /** A chatter note on the record, as `message_post` leaves one. */
    async postNote(model: string, resId: number, body: string): Promise<number> {
      return odoo.executeKw<number>('mail.message', 'create', [{ model, res_id: resId, body, message_type: 'comment' }]);
    },
  };
}

export interface ErpApprovalRequest {
  id: number;
  name: string;
  category: string;
  ownerUserId: number | null;
  status: string;
  approverIds: number[];
  since: string | null;
  reference: string | null;
  amount: number | null;
}

export type Erp = ReturnType<typeof createErp>;
