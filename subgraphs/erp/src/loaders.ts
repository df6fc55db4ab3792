/**
 * Per-request DataLoaders over the ERP connector: every load of one kind made
 * while resolving one level of a query becomes one native call.
 *
 * Loaders of the same model prime each other, so a customer read by number is
 * not read again by id when an order points at it. That only works because the
 * connector reads each model with one field list.
 */
import DataLoader from 'dataloader';
import {
  ErpAmbiguousKeyError,
  ErpNotFoundError,
  type BomLineRecord,
  type BomRecord,
  type EmployeeRecord,
  type ErpConnector,
  type InvoiceRecord,
  type OrderLineRecord,
  type PartnerRecord,
  type ProductRecord,
  type SalesOrderRecord,
} from './connectors/erpConnector.js';
import { toGraphQLError } from './nativeErrors.js';
import { cachedBatch, type CacheUse } from '../../../lib/cache/index.js';

export interface ErpLoaders {
  customersByNumber: DataLoader<string, PartnerRecord>;
  partnersById: DataLoader<number, PartnerRecord>;
  productsBySku: DataLoader<string, ProductRecord>;
  productsById: DataLoader<number, ProductRecord>;
  bomsByProductTemplateId: DataLoader<number, BomRecord[]>;
  /** The lines of every BOM of a product template (pick a BOM's own by `bomId`: see bomLines). */
  bomLinesByProductTemplateId: DataLoader<number, BomLineRecord[]>;
  /**
   * Has the next batch of bomLinesByProductTemplateId read this template's component products
   * too, in the same call round, into productsById and the product cache. Lines answered from the
   * cache read no components: those then come through productsById, cached or not.
   */
  readComponentsWithBomLines(templateId: number): void;
  ordersByNumber: DataLoader<string, SalesOrderRecord>;
  ordersByPartnerId: DataLoader<number, SalesOrderRecord[]>;
  ordersByClientOrderRef: DataLoader<string, SalesOrderRecord[]>;
  orderLinesByOrderNumber: DataLoader<string, OrderLineRecord[]>;
  invoicesByPartnerId: DataLoader<number, InvoiceRecord[]>;
  balanceDueByPartnerId: DataLoader<number, number>;
  employeesByWorkEmail: DataLoader<string, EmployeeRecord>;
  employeesById: DataLoader<number, EmployeeRecord>;
  employeesByUserId: DataLoader<number, EmployeeRecord>;
}

/**
 * The cache types the ERP's loaders read through (lib/cache): native records by
 * key, before any field-level authorization. cacheInvalidation.ts names the
 * entries each ERP change makes stale, so both must agree on types and keys.
 */
export const ERP_CACHE = {
  partner: 'erp.partner',
  product: 'erp.product',
  bomsByTemplate: 'erp.bomsByTemplate',
  bomLinesByTemplate: 'erp.bomLinesByTemplate',
  order: 'erp.order',
  ordersByPartner: 'erp.ordersByPartner',
  ordersByRef: 'erp.ordersByRef',
  orderLines: 'erp.orderLines',
  invoicesByPartner: 'erp.invoicesByPartner',
  balanceDue: 'erp.balanceDue',
  employee: 'erp.employee',
} as const;

/** `cache` is the cross-request cache; without it every load goes to the ERP (once per request and key). */
export function createErpLoaders(connector: ErpConnector, cache?: CacheUse): ErpLoaders {
  const C = ERP_CACHE;
  // One type holds a record under each of its keys (`id:7`, `ref:C00007`), so one change drops all of them.
  const by = (prefix: string) => ({ key: (k: string | number) => `${prefix}:${k}` });
  const componentsWanted = new Set<number>();
  const componentsRead = new Map<number, ProductRecord>();
  const loaders: ErpLoaders = {
    customersByNumber: new DataLoader(async (numbers) =>
      primed(await cachedBatch(cache, C.partner, connector.customersByNumber, by('ref'))(numbers), (p) => primePartners(loaders, [p])),
    ),
    partnersById: new DataLoader(async (ids) =>
      primed(await cachedBatch(cache, C.partner, connector.partnersById, by('id'))(ids), (p) => primePartners(loaders, [p])),
    ),
    productsBySku: new DataLoader(async (skus) =>
      primed(await cachedBatch(cache, C.product, connector.productsBySku, by('sku'))(skus), (p) => primeProducts(loaders, [p])),
    ),
    productsById: new DataLoader(async (ids) =>
      primed(await cachedBatch(cache, C.product, connector.productsById, by('id'))(ids), (p) => primeProducts(loaders, [p])),
    ),
    bomsByProductTemplateId: new DataLoader(cachedBatch(cache, C.bomsByTemplate, (ids) => connector.bomsByProductTemplateId(ids))),
    bomLinesByProductTemplateId: new DataLoader(
      cachedBatch(
        cache,
        C.bomLinesByTemplate,
        async (ids) => {
          const [lines, components] = await Promise.all([
            connector.bomLinesByProductTemplateId(ids),
            connector.componentsOfProductTemplates(ids.filter((id) => componentsWanted.has(id))),
          ]);
          primeProducts(loaders, components);
          for (const product of components) componentsRead.set(product.id, product);
          return lines;
        },
        // Components read beside the lines are cached as products, so the next request finds both.
        {
          alsoCache: (lines) =>
            lines.flatMap((line) => {
              const product = componentsRead.get(line.productId);
              if (!product) return [];
              return [
                [C.product, `id:${product.id}`, product] as const,
                ...(product.sku === null ? [] : [[C.product, `sku:${product.sku}`, product] as const]),
              ];
            }),
        },
      ),
    ),
    readComponentsWithBomLines: (templateId) => componentsWanted.add(templateId),
    ordersByNumber: new DataLoader(async (numbers) =>
      primed(await cachedBatch(cache, C.order, connector.ordersByNumber)(numbers), (o) => primeOrders(loaders, [o])),
    ),
    ordersByPartnerId: new DataLoader(async (ids) =>
      primed(await cachedBatch(cache, C.ordersByPartner, (k: readonly number[]) => connector.ordersByPartnerId(k))(ids), (list) => primeOrders(loaders, list)),
    ),
    ordersByClientOrderRef: new DataLoader(async (refs) =>
      primed(await cachedBatch(cache, C.ordersByRef, (k: readonly string[]) => connector.ordersByClientOrderRef(k))(refs), (list) =>
        primeOrders(loaders, list),
      ),
    ),
    orderLinesByOrderNumber: new DataLoader(cachedBatch(cache, C.orderLines, (numbers) => connector.orderLinesByOrderNumber(numbers))),
    invoicesByPartnerId: new DataLoader(cachedBatch(cache, C.invoicesByPartner, (ids) => connector.invoicesByPartnerId(ids))),
    balanceDueByPartnerId: new DataLoader(cachedBatch(cache, C.balanceDue, (ids) => connector.balanceDueByPartnerId(ids))),
    employeesByWorkEmail: new DataLoader(async (emails) =>
      primed(await cachedBatch(cache, C.employee, connector.employeesByWorkEmail, by('email'))(emails), (e) => primeEmployees(loaders, [e])),
    ),
    employeesById: new DataLoader(async (ids) =>
      primed(await cachedBatch(cache, C.employee, connector.employeesById, by('id'))(ids), (e) => primeEmployees(loaders, [e])),
    ),
    employeesByUserId: new DataLoader(async (ids) =>
      primed(await cachedBatch(cache, C.employee, connector.employeesByUserId, by('user'))(ids), (e) => primeEmployees(loaders, [e])),
    ),
  };
  return loaders;
}

/** Records read some other way (a page) answer later loads by number or id without another call. */
export function primePartners(loaders: ErpLoaders, partners: readonly PartnerRecord[]): void {
  for (const partner of partners) {
    loaders.partnersById.prime(partner.id, partner);
    if (partner.number !== null) loaders.customersByNumber.prime(partner.number, partner);
  }
}

export function primeProducts(loaders: ErpLoaders, products: readonly ProductRecord[]): void {
  for (const product of products) {
    loaders.productsById.prime(product.id, product);
    if (product.sku !== null) loaders.productsBySku.prime(product.sku, product);
  }
}

export function primeOrders(loaders: ErpLoaders, orders: readonly SalesOrderRecord[]): void {
  for (const order of orders) loaders.ordersByNumber.prime(order.number, order);
}

export function primeEmployees(loaders: ErpLoaders, employees: readonly EmployeeRecord[]): void {
  for (const employee of employees) {
    loaders.employeesById.prime(employee.id, employee);
    if (employee.workEmail !== null) loaders.employeesByWorkEmail.prime(employee.workEmail, employee);
  }
}

/** A BOM's own lines, from the lines of its template's BOMs. */
export async function bomLines(loaders: ErpLoaders, bom: BomRecord): Promise<BomLineRecord[]> {
  return (await loaders.bomLinesByProductTemplateId.load(bom.productTemplateId)).filter((line) => line.bomId === bom.id);
}

/**
 * Loads one record, or null when the ERP has none with that key. Every other
 * failure (the ERP down, a duplicate key) still rejects.
 */
export async function loadOrNull<K, V>(loader: DataLoader<K, V>, key: K): Promise<V | null> {
  try {
    return await loader.load(key);
  } catch (error) {
    if (error instanceof ErpNotFoundError) return null;
    throw error;
  }
}

// Private: passes batch results through after priming the other loaders with
// every record found. Per-key Errors stay in place for DataLoader to reject
// that key alone; a duplicate key becomes a GraphQL error naming the ERP, as it
// is the ERP's data that needs fixing.
function primed<T>(results: (T | Error)[], prime: (value: T) => void): (T | Error)[] {
  return results.map((result) => {
    if (result instanceof ErpAmbiguousKeyError) return toGraphQLError(result) as Error;
    if (!(result instanceof Error)) prime(result);
    return result;
  });
}
