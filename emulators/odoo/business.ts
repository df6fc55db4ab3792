/**
 * The business rules Odoo runs around plain writes, reduced to what keeps the
 * emulator's data consistent:
 *
 * - sales orders get their number from a sequence (`S00001`), their
 *   salesperson, team and payment terms from the customer;
 * - order lines take name, price and unit from the product, and every change
 *   to lines recomputes the line amounts and the order totals (15% tax, see
 *   `SALES_TAX_RATE`);
 * - `action_confirm` moves a quotation to a sales order;
 * - product templates and variants stay one-to-one;
 * - hierarchical names (`Management / Sales`, `WH/Stock`) follow renames and moves.
 */
import { APPROVAL_HOOKS } from './approvalModels.js';
import { userError } from './errors.js';
import { COMPANY_CURRENCY_ID, SALES_TAX_RATE } from './models.js';
import { floatRound } from './money.js';
import type { ModelHooks, Orm } from './orm.js';
import { nextSequence } from './schema.js';

/** Set while a variant creates its own template, so that the template does not create a second variant. */
const CREATING_VARIANT = 'creating_variant';

export function orderNumber(n: number): string {
  return `S${String(n).padStart(5, '0')}`;
}

export const HOOKS: ReadonlyMap<string, ModelHooks> = new Map<string, ModelHooks>([
  ...APPROVAL_HOOKS,
  [
    'res.users',
    {
      prepareCreate(orm, vals) {
        if (!vals.partner_id) {
          vals.partner_id = orm.create('res.partner', [{ name: vals.name ?? vals.login ?? false, email: vals.email ?? false }])[0];
        }
      },
    },
  ],
  [
    'product.template',
    {
      afterCreate(orm, ids) {
        if (orm.flags.has(CREATING_VARIANT)) return;
        for (const id of ids) orm.create('product.product', [{ product_tmpl_id: id }]);
      },
    },
  ],
  [
    'product.product',
    {
      prepareCreate(orm, vals) {
        if (vals.product_tmpl_id) return;
        const model = orm.model('product.product');
        const templateVals: Record<string, unknown> = {};
        for (const [name, value] of Object.entries(vals)) {
          const f = model.fields.get(name);
          if (f?.delegate?.viaField === 'product_tmpl_id') {
            templateVals[name === 'lst_price' ? 'list_price' : name] = value;
            delete vals[name];
          }
        }
        orm.flags.add(CREATING_VARIANT);
        try {
          vals.product_tmpl_id = orm.create('product.template', [templateVals])[0];
        } finally {
          orm.flags.delete(CREATING_VARIANT);
        }
      },
      beforeUnlink(orm, ids) {
        const templates = orm
          .raw(`SELECT DISTINCT product_tmpl_id FROM product_product WHERE id IN (SELECT value FROM json_each(?))`, [JSON.stringify(ids)])
          .map((r) => r[0] as number);
        // Like Odoo, a template whose last variant goes is removed with it.
        return () => {
          const orphans = orm
            .raw(
              `SELECT t.id FROM product_template t WHERE t.id IN (SELECT value FROM json_each(?)) AND NOT EXISTS (SELECT 1 FROM product_product p WHERE p.product_tmpl_id = t.id)`,
              [JSON.stringify(templates)],
            )
            .map((r) => r[0] as number);
          if (orphans.length > 0) orm.unlink('product.template', orphans);
        };
      },
    },
  ],
  ['product.category', hierarchyHooks('product_category', 'parent_id', (parent, name) => `${parent} / ${name}`)],
  ['hr.department', hierarchyHooks('hr_department', 'parent_id', (parent, name) => `${parent} / ${name}`)],
  ['stock.location', hierarchyHooks('stock_location', 'location_id', (parent, name, row) => (row.usage === 'view' ? name : `${parent}/${name}`))],
  [
    'sale.order',
    {
      prepareCreate(orm, vals) {
        if (!vals.name || vals.name === 'New') {
          vals.name = orderNumber(nextSequence(orm.db, 'sale.order', () => maxOrderNumber(orm) + 1));
        }
        const partner =
          typeof vals.partner_id === 'number'
            ? (orm.all(`SELECT user_id, property_payment_term_id FROM res_partner WHERE id = ?`, [vals.partner_id])[0] as
                { user_id: number | null; property_payment_term_id: number | null } | undefined)
            : undefined;
        if (!('user_id' in vals)) vals.user_id = partner?.user_id ?? orm.uid;
        if (!('payment_term_id' in vals) && partner?.property_payment_term_id) vals.payment_term_id = partner.property_payment_term_id;
        if (!('team_id' in vals) && typeof vals.user_id === 'number') {
          const team = orm.raw(`SELECT crm_team_id FROM crm_team_member WHERE user_id = ? ORDER BY crm_team_id LIMIT 1`, [vals.user_id])[0];
          if (team) vals.team_id = team[0];
        }
        if (!vals.currency_id) vals.currency_id = COMPANY_CURRENCY_ID;
      },
      afterCreate(orm, ids) {
        recomputeOrders(orm, ids);
        recomputeInvoiceStatus(orm, ids);
      },
      afterWrite(orm, ids, vals) {
        if ('state' in vals || 'name' in vals) recomputeInvoiceStatus(orm, ids);
      },
      beforeUnlink(orm, ids) {
        const locked = orm.raw(`SELECT name FROM sale_order WHERE id IN (SELECT value FROM json_each(?)) AND state NOT IN ('draft', 'cancel')`, [
          JSON.stringify(ids),
        ]);
        if (locked.length > 0) throw userError('You can not delete a sent quotation or a confirmed sales order. You must first cancel it.');
      },
    },
  ],
  [
    'sale.order.line',
    {
      prepareCreate(orm, vals, given) {
        if (vals.display_type) {
          vals.product_uom_qty = 0;
          vals.price_unit = 0;
          return;
        }
        if (typeof vals.product_id !== 'number') return;
        const product = orm.all(
          `SELECT p.default_code, p.standard_price, t.name, t.list_price, t.uom_id, t.description_sale FROM product_product p JOIN product_template t ON t.id = p.product_tmpl_id WHERE p.id = ?`,
          [vals.product_id],
        )[0] as
          | { default_code: string | null; standard_price: number | null; name: string; list_price: number; uom_id: number; description_sale: string | null }
          | undefined;
        if (!product) return;
        if (!given.has('name')) {
          const display = product.default_code ? `[${product.default_code}] ${product.name}` : product.name;
          vals.name = product.description_sale ? `${display}\n${product.description_sale}` : display;
        }
        if (!given.has('price_unit')) vals.price_unit = product.list_price;
        if (!given.has('product_uom')) vals.product_uom = product.uom_id;
        // sale_margin freezes the product's cost on the line, so the margin of a past sale never moves.
        if (!given.has('purchase_price')) vals.purchase_price = product.standard_price ?? 0;
      },
      afterCreate(orm, ids) {
        recomputeLines(orm, ids);
      },
      afterWrite(orm, ids, vals) {
        if (['product_uom_qty', 'price_unit', 'discount', 'display_type', 'order_id'].some((k) => k in vals)) recomputeLines(orm, ids);
      },
      beforeUnlink(orm, ids) {
        const confirmed = orm.raw(
          `SELECT 1 FROM sale_order_line l JOIN sale_order o ON o.id = l.order_id WHERE l.id IN (SELECT value FROM json_each(?)) AND o.state = 'sale' AND l.display_type IS NULL LIMIT 1`,
          [JSON.stringify(ids)],
        );
        if (confirmed.length > 0) {
          throw userError('You can not remove an order line once the sales order is confirmed.\nYou should rather set the quantity to 0.');
        }
        const orders = orderIdsOfLines(orm, ids);
        return () => recomputeOrders(orm, orders);
      },
    },
  ],
]);

function maxOrderNumber(orm: Orm): number {
  const row = orm.raw(`SELECT MAX(CAST(SUBSTR(name, 2) AS INTEGER)) FROM sale_order WHERE name GLOB 'S[0-9]*'`)[0];
  return (row?.[0] as number | null) ?? 0;
}

function orderIdsOfLines(orm: Orm, lineIds: number[]): number[] {
  return orm
    .raw(`SELECT DISTINCT order_id FROM sale_order_line WHERE id IN (SELECT value FROM json_each(?))`, [JSON.stringify(lineIds)])
    .map((r) => r[0] as number);
}

/** Line amounts: subtotal after discount, tax rounded per line, total. */
export function lineAmounts(quantity: number, priceUnit: number, discount: number): { subtotal: number; tax: number; total: number } {
  const subtotal = floatRound(quantity * priceUnit * (1 - (discount || 0) / 100), 2);
  const tax = floatRound(subtotal * SALES_TAX_RATE, 2);
  return { subtotal, tax, total: floatRound(subtotal + tax, 2) };
}

function recomputeLines(orm: Orm, lineIds: number[]): void {
  const rows = orm.all(`SELECT id, product_uom_qty, price_unit, discount, display_type FROM sale_order_line WHERE id IN (SELECT value FROM json_each(?))`, [
    JSON.stringify(lineIds),
  ]) as { id: number; product_uom_qty: number; price_unit: number; discount: number; display_type: string | null }[];
  for (const row of rows) {
    const a = row.display_type ? { subtotal: 0, tax: 0, total: 0 } : lineAmounts(row.product_uom_qty ?? 0, row.price_unit ?? 0, row.discount ?? 0);
    orm.run(`UPDATE sale_order_line SET price_subtotal = ?, price_tax = ?, price_total = ? WHERE id = ?`, [a.subtotal, a.tax, a.total, row.id]);
  }
  recomputeOrders(orm, orderIdsOfLines(orm, lineIds));
}

/** Order totals from their lines; a stored computed field changing bumps `write_date`, as in Odoo. */
export function recomputeOrders(orm: Orm, orderIds: number[]): void {
  if (orderIds.length === 0) return;
  const rows = orm.all(
    `SELECT o.id, o.amount_untaxed, o.amount_tax, o.amount_total, COALESCE(SUM(l.price_subtotal), 0) AS untaxed, COALESCE(SUM(l.price_tax), 0) AS tax ` +
      `FROM sale_order o LEFT JOIN sale_order_line l ON l.order_id = o.id WHERE o.id IN (SELECT value FROM json_each(?)) GROUP BY o.id`,
    [JSON.stringify(orderIds)],
  ) as { id: number; amount_untaxed: number; amount_tax: number; amount_total: number; untaxed: number; tax: number }[];
  for (const row of rows) {
    const untaxed = floatRound(row.untaxed, 2);
    const tax = floatRound(row.tax, 2);
    const total = floatRound(untaxed + tax, 2);
    if (untaxed === row.amount_untaxed && tax === row.amount_tax && total === row.amount_total) continue;
    orm.run(`UPDATE sale_order SET amount_untaxed = ?, amount_tax = ?, amount_total = ?, write_date = ?, write_uid = ? WHERE id = ?`, [
      untaxed,
      tax,
      total,
      orm.now,
      orm.uid,
      row.id,
    ]);
  }
}

/** Odoo's invoice status, reduced to orders invoiced whole or not at all. */
export function recomputeInvoiceStatus(orm: Orm, orderIds: number[]): void {
  orm.run(
    `UPDATE sale_order SET invoice_status = CASE WHEN state != 'sale' THEN 'no' ` +
      `WHEN EXISTS (SELECT 1 FROM account_move m WHERE m.invoice_origin = sale_order.name AND m.move_type = 'out_invoice' AND m.state != 'cancel') THEN 'invoiced' ` +
      `ELSE 'to invoice' END WHERE id IN (SELECT value FROM json_each(?))`,
    [JSON.stringify(orderIds)],
  );
}

/** `sale.order.action_confirm`: quotations become sales orders, dated now, as Odoo's `_prepare_confirmation_values` does. */
export function actionConfirm(orm: Orm, ids: number[]): true {
  const model = orm.model('sale.order');
  orm.ensureExist(model, ids);
  const rows = orm.all(`SELECT id, state FROM sale_order WHERE id IN (SELECT value FROM json_each(?))`, [JSON.stringify(ids)]) as {
    id: number;
    state: string;
  }[];
  if (rows.some((r) => r.state !== 'draft' && r.state !== 'sent')) throw userError('Some orders are not in a state requiring confirmation.');
  const productless = orm.raw(
    `SELECT 1 FROM sale_order_line WHERE order_id IN (SELECT value FROM json_each(?)) AND display_type IS NULL AND product_id IS NULL LIMIT 1`,
    [JSON.stringify(ids)],
  );
  if (productless.length > 0) throw userError('A line on these orders missing a product, you cannot confirm it.');
  orm.write('sale.order', ids, { state: 'sale', date_order: orm.now });
  return true;
}

/** Keeps Odoo's stored `complete_name` of a hierarchy in step with names and parents. */
function hierarchyHooks(table: string, parentColumn: string, join: (parent: string, name: string, row: Record<string, unknown>) => string): ModelHooks {
  const recompute = (orm: Orm) => {
    const rows = orm.all(`SELECT * FROM ${table}`) as Record<string, unknown>[];
    const byId = new Map(rows.map((r) => [r.id as number, r]));
    const names = new Map<number, string>();
    const nameOf = (row: Record<string, unknown>, depth = 0): string => {
      const cached = names.get(row.id as number);
      if (cached !== undefined) return cached;
      const parent = byId.get(row[parentColumn] as number);
      const own = (row.name as string | null) ?? '';
      const full = parent && depth < 50 ? join(nameOf(parent, depth + 1), own, row) : own;
      names.set(row.id as number, full);
      return full;
    };
    for (const row of rows) {
      const full = nameOf(row);
      if (full !== row.complete_name) orm.run(`UPDATE ${table} SET complete_name = ? WHERE id = ?`, [full, row.id]);
    }
  };
  return {
    afterCreate: (orm) => recompute(orm),
    afterWrite: (orm, _ids, vals) => {
      if ('name' in vals || parentColumn in vals || 'usage' in vals) recompute(orm);
    },
  };
}
