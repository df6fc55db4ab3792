/**
 * Change detection the way Odoo offers it: poll each model for records whose
 * `write_date` is at or after a watermark (`search_read` with
 * `[('write_date', '>=', watermark)]`). Odoo keeps `write_date` to the second,
 * so `>=` re-reads the last second instead of missing writes made within it;
 * a change seen twice only invalidates twice.
 *
 * Limits of the method, as in real Odoo: a deleted record (`unlink`) leaves no
 * row to find, and stock moves change `stock.quant`, not the product, so
 * quants are watched too. Entries that a deletion leaves behind expire by TTL.
 */
import type { OdooClient } from '../../../../lib/native/odooClient.js';
import { rowsOf } from './odooValues.js';

/** A changed record with the key fields the cache is keyed by; values as Odoo gave them (`false` → null). */
export interface ErpChange {
  model: string;
  id: number;
  writeDate: string;
  /**
   * Key fields by Odoo name: char fields as strings, many2one fields as ids, and each many2one's
   * display name as `<field>.display_name` (how an order line names its order's number).
   */
  keys: Record<string, string | number | null>;
}

/** The models watched, and the fields each needs to name the cache entries a change makes stale. */
export const WATCHED_MODELS: Readonly<Record<string, readonly string[]>> = {
  'res.partner': ['ref'],
  'product.product': ['default_code'],
  'product.template': [],
  'stock.quant': ['product_id'],
  'mrp.bom': ['product_tmpl_id'],
  'mrp.bom.line': ['parent_product_tmpl_id'],
  'sale.order': ['name', 'partner_id', 'client_order_ref'],
  'sale.order.line': ['order_id'],
  'account.move': ['partner_id', 'commercial_partner_id'],
  'hr.employee': ['work_email', 'user_id'],
};

export interface ErpChangeFeed {
  /** The newest `write_date` in the ERP (UTC `YYYY-MM-DD HH:MM:SS`), where a new watermark starts. */
  latestWriteDate(): Promise<string | null>;
  /** Records of the watched models written at or after the watermark, with `product.product` SKUs for changed quants. */
  changedSince(watermark: string): Promise<{ changes: ErpChange[]; skuByProductId: Map<number, string | null> }>;
}

export function createErpChangeFeed(client: OdooClient): ErpChangeFeed {
  const searchRead = async (model: string, domain: unknown[], fields: string[], options: Record<string, unknown> = {}) =>
    (await client.executeKw<Record<string, unknown>[]>(model, 'search_read', [domain], { fields, ...options })) ?? [];

  return {
    async latestWriteDate() {
      // One model stands for all: the watermark only needs to be a time the ERP itself wrote.
      const rows = await Promise.all(Object.keys(WATCHED_MODELS).map((model) => searchRead(model, [], ['write_date'], { order: 'write_date desc', limit: 1 })));
      const dates = rows.flatMap((r) => r.map((row) => row.write_date)).filter((d): d is string => typeof d === 'string');
      return dates.sort().at(-1) ?? null;
    },

    async changedSince(watermark) {
      const perModel = await Promise.all(
        Object.entries(WATCHED_MODELS).map(async ([model, fields]) => {
          const rows = rowsOf(model, 'search_read', await searchRead(model, [['write_date', '>=', watermark]], ['write_date', ...fields], { order: 'id' }));
          return rows.map((row): ErpChange => {
            const keys: Record<string, string | number | null> = {};
            for (const field of fields) {
              if (field.endsWith('_id')) {
                const related = row.many2one(field);
                keys[field] = related?.id ?? null;
                keys[`${field}.display_name`] = related?.name ?? null;
              } else keys[field] = row.string(field);
            }
            return { model, id: row.id(), writeDate: row.requiredString('write_date'), keys };
          });
        }),
      );
      const changes = perModel.flat();
      // A quant names its product by id; the product is also cached by SKU, so read the SKUs (one call).
      const productIds = [
        ...new Set(
          changes
            .filter((c) => c.model === 'stock.quant')
            .map((c) => c.keys.product_id)
            .filter((id): id is number => typeof id === 'number'),
        ),
      ];
      const skuByProductId = new Map<number, string | null>();
      if (productIds.length > 0) {
        const rows = rowsOf('product.product', 'read', await client.executeKw('product.product', 'read', [productIds], { fields: ['default_code'] }));
        for (const row of rows) skuByProductId.set(row.id(), row.string('default_code'));
      }
      return { changes, skuByProductId };
    },
  };
}
