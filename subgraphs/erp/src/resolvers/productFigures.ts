/** Area 2, products: margin, rolled-up BOM cost, stock per location, units sold and tickets. */
import type { ProductRecord } from '../connectors/erpConnector.js';
import type { ErpContext } from '../context.js';
import type { ProductResolvers, StockLevelResolvers } from '../__generated__/resolvers-types.js';
import { bomLines } from '../loaders.js';
import { optionalPeriod } from './period.js';
import { preferredBom } from './product.js';
import { money } from './values.js';

export const ProductFigures: ProductResolvers = {
  margin: (p) => money(round2(p.listPrice - p.cost), p.currencyCode),
  async rolledUpCost(p, _, context) {
    const cost = await rolledUpCost(p, context, []);
    return cost === null ? null : money(round2(cost), p.currencyCode);
  },
  stockByLocation: (p, _, { areas }) => areas.quantsByProductId.load(p.id),
  unitsSold: (p, { from, to }, { areas }) => areas.unitsSoldByProductId.load({ period: optionalPeriod(from, to), key: p.id }),
  erpTicketCount: (p, _, { areas }) => areas.ticketCountByProductId.load(p.id),
};

export const StockLevel: StockLevelResolvers = {
  location: (q) => q.location,
  quantity: (q) => q.quantity,
  reservedQuantity: (q) => q.reservedQuantity,
  availableQuantity: (q) => round2(q.quantity - q.reservedQuantity),
};

/**
 * The cost of one unit built from the product's preferred BOM, components that
 * have a BOM of their own counted at their own rolled-up cost. Every product
 * of one BOM level is resolved in the same tick, so the loaders read each
 * level's BOMs, lines and component products in one call each, however many
 * products the query asks for; a product met twice is computed once.
 */
function rolledUpCost(product: ProductRecord, context: ErpContext, path: readonly number[]): Promise<number | null> {
  const known = context.areas.rolledUpCosts.get(product.id);
  if (known) return known;
  const pending = explode(product, context, path);
  context.areas.rolledUpCosts.set(product.id, pending);
  return pending;
}

async function explode(product: ProductRecord, context: ErpContext, path: readonly number[]): Promise<number | null> {
  const { loaders } = context;
  // Odoo refuses cyclic BOMs when they are saved; a cycle here means data written around that check.
  if (path.includes(product.id)) {
    throw new Error(
      `Expected the bills of materials below product.product ${product.id} ("${product.name}") to form a tree, but the product contains itself (via ${path.join(' → ')}).`,
    );
  }
  const bom = preferredBom(await loaders.bomsByProductTemplateId.load(product.productTemplateId), product.id);
  if (!bom) return null;
  const lines = await bomLines(loaders, bom);
  const components = await Promise.all(lines.map((line) => loaders.productsById.load(line.productId)));
  const costs = await Promise.all(components.map(async (component) => (await rolledUpCost(component, context, [...path, product.id])) ?? component.cost));
  const total = lines.reduce((sum, line, i) => sum + line.quantity * costs[i]!, 0);
  // A BOM describes `quantity` units of the product; the cost is per one.
  return bom.quantity > 0 ? total / bom.quantity : total;
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}
