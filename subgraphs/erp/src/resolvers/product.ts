/** Products (`product.product` variants with a SKU) and their bills of materials (`mrp.bom`). */
import type { BomRecord } from '../connectors/erpConnector.js';
import { bomLines, loadOrNull } from '../loaders.js';
import { selectedBelow, selectedFieldNames } from '../../../../lib/selectedFields.js';
import { hasSku, type ProductParent } from '../mappers.js';
import type { BillOfMaterialsResolvers, BomComponentResolvers, ProductConnectionResolvers, ProductResolvers } from '../__generated__/resolvers-types.js';
import { connectionFields } from './paging.js';
import { money } from './values.js';

export const Product: ProductResolvers = {
  async __resolveReference({ sku }, { loaders }) {
    const product = await loadOrNull(loaders.productsBySku, sku);
    return product && hasSku(product) ? product : null;
  },
  sku: (p) => p.sku,
  name: (p) => p.name,
  category: (p) => p.category,
  unitOfMeasure: (p) => p.unitOfMeasure,
  listPrice: (p) => money(p.listPrice, p.currencyCode),
  cost: (p) => money(p.cost, p.currencyCode),
  stockOnHand: (p) => p.stockOnHand,
  saleable: (p) => p.saleable,
  async billOfMaterials(p, _, { loaders, readAhead }, info) {
    // A BOM's lines, and their products, are found by the template the BOM makes, which the product
    // already names: when the query asks for them, they are read beside the BOMs, not after them.
    // The components resolvers then load the same keys and get these reads.
    if (readAhead && selectedFieldNames(info, 'BillOfMaterials').has('components')) {
      if (selectedBelow(info, [{ type: 'BillOfMaterials', field: 'components' }], 'BomComponent').has('product')) {
        loaders.readComponentsWithBomLines(p.productTemplateId);
      }
      loaders.bomLinesByProductTemplateId.load(p.productTemplateId).catch(() => undefined);
    }
    return preferredBom(await loaders.bomsByProductTemplateId.load(p.productTemplateId), p.id);
  },
};

export const ProductConnection: ProductConnectionResolvers = connectionFields<ProductParent>();

export const BillOfMaterials: BillOfMaterialsResolvers = {
  quantity: (b) => b.quantity,
  unitOfMeasure: (b) => b.unitOfMeasure,
  type: (b) => b.type,
  components: (b, _, { loaders }) => bomLines(loaders, b),
};

export const BomComponent: BomComponentResolvers = {
  async product(line, _, { loaders }) {
    const product = await loaders.productsById.load(line.productId);
    // A BOM line always has a product, but the graph can only show one that has a SKU.
    if (!hasSku(product)) {
      throw new Error(
        `Expected product.product ${product.id} ("${product.name}"), a component of mrp.bom ${line.bomId}, to have a SKU (default_code), but it has none.`,
      );
    }
    return product;
  },
  quantity: (line) => line.quantity,
  unitOfMeasure: (line) => line.unitOfMeasure,
};

/**
 * The BOM Odoo itself would use to build this variant: one made for the
 * variant, else one for the whole template; each list is already in Odoo's
 * preference order (sequence, then id).
 */
export function preferredBom(boms: BomRecord[], productId: number): BomRecord | null {
  return boms.find((b) => b.productId === productId) ?? boms.find((b) => b.productId === null) ?? null;
}
