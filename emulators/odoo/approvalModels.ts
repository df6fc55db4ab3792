/**
 * Odoo's Approvals app (`approvals`, Enterprise) and the chatter messages a
 * decision leaves (`mail.message`), with Odoo 17's field names. The workflow
 * subgraph lists pending `approval.request`s — e.g. sales orders over a
 * customer's credit limit, with the order number in `reference` — and decides
 * them by writing the approver's `approval.approver.status`, as the approver's
 * own Approve / Refuse buttons do.
 *
 * `request_status` is stored and computed in Odoo from the approvers; here the
 * hook below recomputes it whenever an approver's status changes:
 * any refusal refuses the request; it is approved once every required approver
 * and at least `approval_minimum` approvers have approved.
 */
import type { ModelHooks, Orm } from './orm.js';
import { defineModel, F, type ModelDef } from './registry.js';

const REQUEST_STATUS: [string, string][] = [
  ['new', 'To Submit'],
  ['pending', 'Submitted'],
  ['approved', 'Approved'],
  ['refused', 'Refused'],
  ['cancel', 'Cancel'],
];

const APPROVER_STATUS: [string, string][] = [
  ['new', 'New'],
  ['pending', 'To Approve'],
  ['waiting', 'Waiting'],
  ['approved', 'Approved'],
  ['refused', 'Refused'],
  ['cancel', 'Cancel'],
];

export const APPROVAL_MODELS: ModelDef[] = [
  defineModel({
    name: 'approval.category',
    description: 'Approval Category',
    order: 'sequence, id',
    fields: {
      name: F.char('Name', { required: true }),
      sequence: F.integer('Sequence', { default: 10, groupOperator: undefined }),
      description: F.char('Description'),
      approval_minimum: F.integer('Minimum Approval', { default: 1, groupOperator: undefined }),
      has_amount: F.selection(
        [
          ['required', 'Required'],
          ['optional', 'Optional'],
          ['no', 'None'],
        ],
        'Has Amount',
        { default: 'no' },
      ),
      has_reference: F.selection(
        [
          ['required', 'Required'],
          ['optional', 'Optional'],
          ['no', 'None'],
        ],
        'Has Reference',
        { default: 'no' },
      ),
      has_partner: F.selection(
        [
          ['required', 'Required'],
          ['optional', 'Optional'],
          ['no', 'None'],
        ],
        'Has Contact',
        { default: 'no' },
      ),
    },
  }),
  defineModel({
    name: 'approval.request',
    description: 'Approval Request',
    order: 'name',
    active: false,
    fields: {
      name: F.char('Approval Subject', { required: true }),
      category_id: F.many2one('approval.category', 'Category', { required: true }),
      request_owner_id: F.many2one('res.users', 'Request Owner', { default: (env: { uid: number }) => env.uid }),
      request_status: F.selection(REQUEST_STATUS, 'Request Status', { default: 'new', index: true }),
      approver_ids: F.one2many('approval.approver', 'request_id', 'Approvers'),
      date_confirmed: F.datetime('Date Confirmed'),
      reason: F.text('Description'),
      reference: F.char('Reference', { index: true }),
      partner_id: F.many2one('res.partner', 'Contact'),
      amount: F.float('Amount', { digits: 2 }),
    },
  }),
  defineModel({
    name: 'approval.approver',
    description: 'Approver',
    order: 'sequence, id',
    displayName: (a) => `(SELECT ${a}_u."name" FROM res_users ${a}_u WHERE ${a}_u.id = ${a}.user_id)`,
    nameSearch: [],
    active: false,
    fields: {
      sequence: F.integer('Sequence', { default: 10, groupOperator: undefined }),
      user_id: F.many2one('res.users', 'User', { required: true }),
      request_id: F.many2one('approval.request', 'Request', { required: true, ondelete: 'cascade' }),
      status: F.selection(APPROVER_STATUS, 'Status', { default: 'new' }),
      required: F.boolean('Required', { default: false }),
    },
  }),
  defineModel({
    name: 'mail.message',
    description: 'Message',
    order: 'id desc',
    displayName: (a) => `COALESCE(${a}.subject, ${a}.model || ',' || ${a}.res_id)`,
    nameSearch: ['subject', 'body'],
    active: false,
    fields: {
      subject: F.char('Subject'),
      body: F.text('Contents'),
      model: F.char('Related Document Model', { index: true }),
      res_id: F.integer('Related Document ID', { groupOperator: undefined }),
      message_type: F.selection(
        [
          ['email', 'Incoming Email'],
          ['comment', 'Comment'],
          ['email_outgoing', 'Outgoing Email'],
          ['notification', 'System notification'],
          ['auto_comment', 'Automated Targeted Notification'],
          ['user_notification', 'User Specific Notification'],
        ],
        'Type',
        { required: true, default: 'email' },
      ),
      author_id: F.many2one('res.partner', 'Author'),
      date: F.datetime('Date', { default: (env: { now: string }) => env.now }),
    },
  }),
];

function recomputeRequestStatus(orm: Orm, approverIds: number[]): void {
  const requests = orm
    .raw(`SELECT DISTINCT request_id FROM approval_approver WHERE id IN (SELECT value FROM json_each(?))`, [JSON.stringify(approverIds)])
    .map((r) => r[0] as number);
  for (const requestId of requests) {
    const approvers = orm.all(`SELECT status, required FROM approval_approver WHERE request_id = ?`, [requestId]) as {
      status: string;
      required: number | null;
    }[];
    const minimum =
      (orm.raw(`SELECT c.approval_minimum FROM approval_request r JOIN approval_category c ON c.id = r.category_id WHERE r.id = ?`, [requestId])[0]?.[0] as
        number | null) ?? 1;
    const approved = approvers.filter((a) => a.status === 'approved').length;
    let status: string | null = null;
    if (approvers.some((a) => a.status === 'refused')) status = 'refused';
    else if (approved >= Math.min(minimum, approvers.length) && approvers.every((a) => !a.required || a.status === 'approved')) status = 'approved';
    if (status) orm.write('approval.request', [requestId], { request_status: status });
  }
}

export const APPROVAL_HOOKS: [string, ModelHooks][] = [
  [
    'approval.approver',
    {
      afterCreate(orm, ids) {
        recomputeRequestStatus(orm, ids);
      },
      afterWrite(orm, ids, vals) {
        if ('status' in vals) recomputeRequestStatus(orm, ids);
      },
    },
  ],
];

/**
 * Seed: the largest open quotations of customers over their credit limit wait
 * for approval by the salesperson's manager (Odoo Approvals, category "Sales
 * order over credit limit"), so the approvals list has ERP items from the start.
 * Deterministic: chosen by amount, then id. Raw SQL, inside the seed's transaction.
 */
export function seedApprovals(db: import('better-sqlite3').Database, options: { count: number; now: string; adminUid: number }): void {
  const log = { create_uid: options.adminUid, write_uid: options.adminUid, create_date: options.now, write_date: options.now };
  const category = db
    .prepare(
      `INSERT INTO approval_category (name, sequence, description, approval_minimum, has_amount, has_reference, has_partner, active, create_uid, write_uid, create_date, write_date) ` +
        `VALUES ('Sales order over credit limit', 10, 'A quotation whose customer would exceed its credit limit.', 1, 'required', 'required', 'required', 1, @create_uid, @write_uid, @create_date, @write_date)`,
    )
    .run(log).lastInsertRowid as number;
  const orders = db
    .prepare(
      // What Odoo's credit check counts: unpaid posted invoices plus confirmed orders not yet invoiced.
      // Summed once per partner up front: the seed runs before indexes exist, and a correlated sum per
      // draft order scans both tables for each of the large seed's ten thousand drafts.
      `WITH due AS (SELECT m.partner_id, SUM(m.amount_residual) AS amount FROM account_move m ` +
        `WHERE m.move_type = 'out_invoice' AND m.state = 'posted' AND m.payment_state NOT IN ('paid', 'in_payment', 'reversed') GROUP BY m.partner_id), ` +
        `uninvoiced AS (SELECT s.partner_id, SUM(s.amount_total) AS amount FROM sale_order s WHERE s.state = 'sale' AND s.invoice_status = 'to invoice' GROUP BY s.partner_id) ` +
        `SELECT o.id, o.name, o.amount_total, o.partner_id, o.date_order, ` +
        `(SELECT m.user_id FROM hr_employee e JOIN hr_employee m ON m.id = e.parent_id WHERE e.user_id = o.user_id AND m.user_id IS NOT NULL LIMIT 1) AS approver, ` +
        `c.ref AS ref ` +
        `FROM sale_order o JOIN res_partner c ON c.id = o.partner_id LEFT JOIN due ON due.partner_id = c.id LEFT JOIN uninvoiced ON uninvoiced.partner_id = c.id ` +
        `WHERE o.state = 'draft' AND c.credit_limit > 0 AND c.credit_limit < o.amount_total + COALESCE(due.amount, 0) + COALESCE(uninvoiced.amount, 0) ` +
        `ORDER BY o.amount_total DESC, o.id LIMIT ?`,
    )
    .all(options.count) as {
    id: number;
    name: string;
    amount_total: number;
    partner_id: number;
    date_order: string;
    approver: number | null;
    ref: string | null;
  }[];
  const request = db.prepare(
    `INSERT INTO approval_request (name, category_id, request_owner_id, request_status, date_confirmed, reason, reference, partner_id, amount, create_uid, write_uid, create_date, write_date) ` +
      `VALUES (@name, @category, @owner, 'pending', @date, @reason, @reference, @partner, @amount, @create_uid, @write_uid, @create_date, @write_date)`,
  );
  const approver = db.prepare(
    `INSERT INTO approval_approver (sequence, user_id, request_id, status, required, create_uid, write_uid, create_date, write_date) VALUES (10, @user, @request, 'pending', 1, @create_uid, @write_uid, @create_date, @write_date)`,
  );
  for (const o of orders) {
    const id = request.run({
      ...log,
      name: `${o.name}: over the credit limit of ${o.ref ?? 'the customer'}`,
      category,
      owner: options.adminUid,
      date: o.date_order,
      reason: "The customer's open balance plus this quotation exceeds its credit limit.",
      reference: o.name,
      partner: o.partner_id,
      amount: o.amount_total,
    }).lastInsertRowid as number;
    if (o.approver) approver.run({ ...log, user: o.approver, request: id });
  }
}
