/**
 * Batch reads over the Odoo models the ERP subgraph serves, shaped for DataLoader.
 *
 * The batch contract, for every function that takes keys:
 * - one native call per batch, whatever the number of keys;
 * - results in key order, matched by id or key field, never by position
 *   (Odoo promises no order, and `read` silently drops missing ids);
 * - one-to-one functions put an `ErpNotFoundError` in the slot of each missing
 *   key (and an `ErpAmbiguousKeyError` where several records claim one key, so a
 *   conflict stays visible rather than being resolved by a guess);
 * - one-to-many functions answer an array per key, empty when there is none.
 *
 * Records are plain values: `false` has become null, many2one pairs have become
 * ids and names, datetimes are ISO 8601 in UTC. Every model is read with one
 * field list, so records from any function of a model are interchangeable.
 */
import { OdooProtocolError, type OdooClient } from '../../../../lib/native/odooClient.js';
import { integerOf, leafName, rowsOf, type RowReader } from './odooValues.js';
import { createErpAreasConnector, type ErpAreasConnector } from './erpAreas.js';
import { matchMany, unique } from './batch.js';

// --- records -----------------------------------------------------------------

/** A `res.partner`. `number` is the ERP customer number (`ref`); null for partners without one. */
export interface PartnerRecord {
  id: number;
  number: string | null;
  name: string;
  vat: string | null;
  email: string | null;
  phone: string | null;
  street: string | null;
  city: string | null;
  countryCode: string | null;
  creditLimit: number;
  paymentTerms: string | null;
  /** The company currency, in which credit limit and balances are kept. */
  currencyCode: string;
}

/** A `product.product` (a variant), with what it needs from its template. */
export interface ProductRecord {
  id: number;
  sku: string | null;
  name: string;
  category: string | null;
  unitOfMeasure: string | null;
  listPrice: number;
  cost: number;
  stockOnHand: number;
  saleable: boolean;
  productTemplateId: number;
  currencyCode: string;
}

/** An `mrp.bom`. */
export interface BomRecord {
  id: number;
  productTemplateId: number;
  /** Set when the BOM is for one variant only; null when it serves every variant of the template. */
  productId: number | null;
  quantity: number;
  unitOfMeasure: string;
  type: string;
}

/** An `mrp.bom.line`. */
export interface BomLineRecord {
  id: number;
  bomId: number;
  /** The product template the line's BOM makes (`parent_product_tmpl_id`, Odoo's `bom_id.product_tmpl_id`). */
  bomProductTemplateId: number;
  productId: number;
  quantity: number;
  unitOfMeasure: string;
}

export type SaleOrderState = 'draft' | 'sent' | 'sale' | 'cancel';

/** A `sale.order`. */
export interface SalesOrderRecord {
  id: number;
  number: string;
  partnerId: number;
  state: SaleOrderState;
  /** ISO 8601 in UTC. */
  orderedAt: string;
  amountUntaxed: number;
  amountTotal: number;
  currencyCode: string;
  /** The salesperson's `res.users` id. */
  salespersonUserId: number | null;
  clientOrderRef: string | null;
}

/** A `sale.order.line` that sells something (section and note lines are left out). */
export interface OrderLineRecord {
  id: number;
  orderId: number;
  /** The order's number (`sale.order.name`), as Odoo shows the order in `order_id`. */
  orderNumber: string;
  productId: number | null;
  description: string;
  quantity: number;
  unitPrice: number;
  discountPercent: number;
  subtotal: number;
}

export type InvoicePaymentState = 'not_paid' | 'partial' | 'paid' | 'in_payment' | 'reversed' | 'invoicing_legacy';

/** A posted customer invoice: `account.move` with `move_type = out_invoice`. */
export interface InvoiceRecord {
  id: number;
  number: string;
  partnerId: number;
  invoiceDate: string | null;
  dueDate: string | null;
  amountTotal: number;
  amountResidual: number;
  paymentState: InvoicePaymentState;
  currencyCode: string;
  /** `invoice_origin`: the sales order number(s) the invoice bills. */
  origin: string | null;
}

/** An `hr.employee`. */
export interface EmployeeRecord {
  id: number;
  name: string;
  workEmail: string | null;
  jobTitle: string | null;
  department: string | null;
  managerId: number | null;
  userId: number | null;
}

export interface PageRequest {
  offset: number;
  /** How many records the page holds; one more is read to learn whether another page follows. */
  first: number;
}

export interface PageResult<T> {
  records: T[];
  hasNextPage: boolean;
}

export interface CustomersPageOptions {
  /** Read what each customer owes with the page (Odoo's `credit`), so it costs no call of its own. */
  withBalanceDue?: boolean;
}

export interface CustomersPage extends PageResult<PartnerRecord> {
  /** With `withBalanceDue`: each record's balance, in the records' order (read in the same row). */
  balanceDue?: number[];
}

export interface SalesOrderFilter {
  /** Only this partner's orders. */
  partnerId?: number;
}

// --- errors --------------------------------------------------------------------

/** No record carries the key; placed in the slot of that key, never thrown for a whole batch. */
export class ErpNotFoundError extends Error {
  override readonly name = 'ErpNotFoundError';

  constructor(
    readonly model: string,
    readonly field: string,
    readonly key: string | number,
  ) {
    super(`Expected a ${model} with ${field} ${JSON.stringify(key)}, but the ERP has none.`);
  }
}

/** Several records carry a key that should be unique; a person must decide which is right. */
export class ErpAmbiguousKeyError extends Error {
  override readonly name = 'ErpAmbiguousKeyError';

  constructor(
    readonly model: string,
    readonly field: string,
    readonly key: string | number,
    readonly ids: number[],
  ) {
    super(
      `Expected one ${model} with ${field} ${JSON.stringify(key)}, but the ERP has ${ids.length} (ids ${ids.join(', ')}); the duplicates must be resolved in the ERP.`,
    );
  }
}

// --- the connector ---------------------------------------------------------------

export interface ErpConnector extends ErpAreasConnector {
  customersByNumber(numbers: readonly string[]): Promise<(PartnerRecord | Error)[]>;
  partnersById(ids: readonly number[]): Promise<(PartnerRecord | Error)[]>;
  productsBySku(skus: readonly string[]): Promise<(ProductRecord | Error)[]>;
  productsById(ids: readonly number[]): Promise<(ProductRecord | Error)[]>;
  /** A template's bills of materials, the preferred one (lowest sequence) first. */
  bomsByProductTemplateId(templateIds: readonly number[]): Promise<BomRecord[][]>;
  /**
   * The lines of every BOM of each product template, by the template: read beside the BOMs,
   * not after them. Callers pick a BOM's own lines by `bomId`.
   */
  bomLinesByProductTemplateId(templateIds: readonly number[]): Promise<BomLineRecord[][]>;
  /**
   * Every product that is a component of a BOM of these templates, in one call beside the BOMs
   * and their lines. Not matched to keys: the lines say which product goes where, so this only
   * saves the round that reading them by id after the lines would cost.
   */
  componentsOfProductTemplates(templateIds: readonly number[]): Promise<ProductRecord[]>;
  ordersByNumber(numbers: readonly string[]): Promise<(SalesOrderRecord | Error)[]>;
  /** Each partner's orders, newest first. */
  ordersByPartnerId(partnerIds: readonly number[]): Promise<SalesOrderRecord[][]>;
  /** Orders whose `client_order_ref` is the key (a CRM opportunity or quote id), newest first. */
  ordersByClientOrderRef(refs: readonly string[]): Promise<SalesOrderRecord[][]>;
  /**
   * Each order's lines, by the order's number: a caller that has the number reads the lines
   * beside the order, not after it.
   */
  orderLinesByOrderNumber(numbers: readonly string[]): Promise<OrderLineRecord[][]>;
  /** Each partner's posted customer invoices, newest first. */
  invoicesByPartnerId(partnerIds: readonly number[]): Promise<InvoiceRecord[][]>;
  /**
   * What each partner owes: Odoo's "Total Receivable" (`credit`), summed by Odoo over the posted,
   * unreconciled receivable entries of the partner's company, so credit notes count against it. An
   * error for a partner that does not exist.
   */
  balanceDueByPartnerId(partnerIds: readonly number[]): Promise<(number | Error)[]>;
  employeesByWorkEmail(emails: readonly string[]): Promise<(EmployeeRecord | Error)[]>;
  employeesById(ids: readonly number[]): Promise<(EmployeeRecord | Error)[]>;
  /** The employee linked to each `res.users` id (how a salesperson on an order becomes an employee). */
  employeesByUserId(userIds: readonly number[]): Promise<(EmployeeRecord | Error)[]>;
  /** Each employee's direct reports (`hr.employee.parent_id`), by name. */
  employeesByManagerId(managerIds: readonly number[]): Promise<EmployeeRecord[][]>;

  /** Partners with a customer number, ordered by number. Options may come back as null from the page cache's JSON keys. */
  customersPage(page: PageRequest, options?: CustomersPageOptions | null): Promise<CustomersPage>;
  countCustomers(): Promise<number>;
  /** Products with a SKU, ordered by SKU. */
  productsPage(page: PageRequest): Promise<PageResult<ProductRecord>>;
  countProducts(): Promise<number>;
  /** Sales orders, newest first. */
  ordersPage(page: PageRequest, filter?: SalesOrderFilter): Promise<PageResult<SalesOrderRecord>>;
  countOrders(filter?: SalesOrderFilter): Promise<number>;
}

type Domain = unknown[];

const PARTNER = 'res.partner';
const PARTNER_FIELDS = ['ref', 'name', 'vat', 'email', 'phone', 'street', 'city', 'country_code', 'credit_limit', 'property_payment_term_id', 'currency_id'];
/** A customer is a partner that carries a customer number. */
const CUSTOMER_DOMAIN: Domain = [['ref', '!=', false]];

const PRODUCT = 'product.product';
const PRODUCT_FIELDS = [
  'default_code',
  'name',
  'categ_id',
  'uom_id',
  'list_price',
  'standard_price',
  'qty_available',
  'sale_ok',
  'product_tmpl_id',
  'currency_id',
];
const SKU_DOMAIN: Domain = [['default_code', '!=', false]];

const BOM = 'mrp.bom';
const BOM_FIELDS = ['product_tmpl_id', 'product_id', 'product_qty', 'product_uom_id', 'type'];
const BOM_LINE = 'mrp.bom.line';
const BOM_LINE_FIELDS = ['bom_id', 'parent_product_tmpl_id', 'product_id', 'product_qty', 'product_uom_id'];

const ORDER = 'sale.order';
const ORDER_FIELDS = ['name', 'partner_id', 'state', 'date_order', 'amount_untaxed', 'amount_total', 'currency_id', 'user_id', 'client_order_ref'];
const NEWEST_FIRST = 'date_order desc, id desc';
const ORDER_LINE = 'sale.order.line';
const ORDER_LINE_FIELDS = ['order_id', 'product_id', 'name', 'product_uom_qty', 'price_unit', 'discount', 'price_subtotal'];

const MOVE = 'account.move';
const INVOICE_FIELDS = [
  'name',
  'partner_id',
  'invoice_date',
  'invoice_date_due',
  'amount_total',
  'amount_residual',
  'payment_state',
  'currency_id',
  'invoice_origin',
];
const POSTED_CUSTOMER_INVOICES: Domain = [
  ['move_type', '=', 'out_invoice'],
  ['state', '=', 'posted'],
];
// Computed by Odoo's account module when read; reading it needs an invoicing or accounting group.
const BALANCE_DUE_FIELD = 'credit';

const EMPLOYEE = 'hr.employee';
const EMPLOYEE_FIELDS = ['name', 'work_email', 'job_title', 'department_id', 'parent_id', 'user_id'];

const ORDER_STATES: readonly SaleOrderState[] = ['draft', 'sent', 'sale', 'cancel'];
const PAYMENT_STATES: readonly InvoicePaymentState[] = ['not_paid', 'partial', 'paid', 'in_payment', 'reversed', 'invoicing_legacy'];

export function createErpConnector(client: OdooClient): ErpConnector {
  const searchRead = async (model: string, domain: Domain, fields: string[], options: { order?: string; offset?: number; limit?: number } = {}) =>
    rowsOf(model, 'search_read', await client.executeKw(model, 'search_read', [domain], { fields, ...options }));
  const read = async (model: string, ids: number[], fields: string[]) => rowsOf(model, 'read', await client.executeKw(model, 'read', [ids], { fields }));
  const searchCount = async (model: string, domain: Domain) => integerOf(model, 'search_count', await client.executeKw(model, 'search_count', [domain]));

  // One-to-one by a key field: search for all keys at once, then match back by that field.
  async function oneByField<K extends string | number, R extends { id: number }>(
    keys: readonly K[],
    model: string,
    field: string,
    fields: string[],
    toRecord: (row: RowReader) => R,
    keyOf: (record: R) => K | null,
    extraDomain: Domain = [],
  ): Promise<(R | Error)[]> {
    const wanted = unique(keys);
    if (wanted.length === 0) return [];
    const records = (await searchRead(model, [[field, 'in', wanted], ...extraDomain], fields, { order: 'id' })).map(toRecord);
    return matchOne(keys, records, keyOf, model, field);
  }

  // One-to-one by id: `read` drops missing ids, so match by id, never by position.
  async function oneById<R extends { id: number }>(
    ids: readonly number[],
    model: string,
    fields: string[],
    toRecord: (row: RowReader) => R,
  ): Promise<(R | Error)[]> {
    const wanted = unique(ids);
    if (wanted.length === 0) return [];
    const records = (await read(model, wanted, fields)).map(toRecord);
    return matchOne(ids, records, (r) => r.id, model, 'id');
  }

  async function manyByField<K extends string | number, R>(
    keys: readonly K[],
    model: string,
    field: string,
    fields: string[],
    toRecord: (row: RowReader) => R,
    keyOf: (record: R) => K | null,
    order: string,
    extraDomain: Domain = [],
  ): Promise<R[][]> {
    const wanted = unique(keys);
    if (wanted.length === 0) return [];
    const records = (await searchRead(model, [[field, 'in', wanted], ...extraDomain], fields, { order })).map(toRecord);
    return matchMany(keys, records, keyOf);
  }

  async function page<R>(
    model: string,
    domain: Domain,
    fields: string[],
    order: string,
    request: PageRequest,
    toRecord: (row: RowReader) => R,
  ): Promise<PageResult<R>> {
    // One record past the page tells whether another page follows, without a count.
    const rows = await searchRead(model, domain, fields, { order, offset: request.offset, limit: request.first + 1 });
    return { records: rows.slice(0, request.first).map(toRecord), hasNextPage: rows.length > request.first };
  }

  const orderDomain = (filter: SalesOrderFilter = {}): Domain => (filter.partnerId === undefined ? [] : [['partner_id', '=', filter.partnerId]]);

  return {
    ...createErpAreasConnector(client),
    customersByNumber: (numbers) => oneByField(numbers, PARTNER, 'ref', PARTNER_FIELDS, toPartner, (p) => p.number),
    partnersById: (ids) => oneById(ids, PARTNER, PARTNER_FIELDS, toPartner),
    productsBySku: (skus) => oneByField(skus, PRODUCT, 'default_code', PRODUCT_FIELDS, toProduct, (p) => p.sku),
    productsById: (ids) => oneById(ids, PRODUCT, PRODUCT_FIELDS, toProduct),
    bomsByProductTemplateId: (ids) => manyByField(ids, BOM, 'product_tmpl_id', BOM_FIELDS, toBom, (b) => b.productTemplateId, 'sequence, id'),
    bomLinesByProductTemplateId: (ids) =>
      manyByField(ids, BOM_LINE, 'bom_id.product_tmpl_id', BOM_LINE_FIELDS, toBomLine, (l) => l.bomProductTemplateId, 'sequence, id'),
    async componentsOfProductTemplates(templateIds) {
      const wanted = unique(templateIds);
      if (wanted.length === 0) return [];
      return (await searchRead(PRODUCT, [['bom_line_ids.bom_id.product_tmpl_id', 'in', wanted]], PRODUCT_FIELDS, { order: 'id' })).map(toProduct);
    },
    ordersByNumber: (numbers) => oneByField(numbers, ORDER, 'name', ORDER_FIELDS, toOrder, (o) => o.number),
    ordersByPartnerId: (ids) => manyByField(ids, ORDER, 'partner_id', ORDER_FIELDS, toOrder, (o) => o.partnerId, NEWEST_FIRST),
    ordersByClientOrderRef: (refs) => manyByField(refs, ORDER, 'client_order_ref', ORDER_FIELDS, toOrder, (o) => o.clientOrderRef, NEWEST_FIRST),
    async orderLinesByOrderNumber(numbers) {
      const wanted = unique(numbers);
      if (wanted.length === 0) return [];
      // Section and note lines are layout, not sales: they have no product, quantity or price.
      const domain: Domain = [
        ['order_id.name', 'in', wanted],
        ['display_type', '=', false],
      ];
      const lines = (await searchRead(ORDER_LINE, domain, ORDER_LINE_FIELDS, { order: 'sequence, id' })).map(toOrderLine);
      // Lines are matched to numbers by the name Odoo shows for their order. An addon that showed orders
      // under another name would leave them without lines: say so instead.
      const asked = new Set(wanted);
      const stray = lines.find((line) => !asked.has(line.orderNumber));
      if (stray) {
        throw new OdooProtocolError(
          `Expected sale.order.line ${stray.id}, found by order number, to show its order as one of ${wanted.join(', ')} in order_id, but it showed "${stray.orderNumber}".`,
        );
      }
      return matchMany(numbers, lines, (line) => line.orderNumber);
    },
    invoicesByPartnerId: (ids) =>
      manyByField(ids, MOVE, 'partner_id', INVOICE_FIELDS, toInvoice, (i) => i.partnerId, 'invoice_date desc, id desc', POSTED_CUSTOMER_INVOICES),
    async balanceDueByPartnerId(partnerIds) {
      const balances = await oneById(partnerIds, PARTNER, [BALANCE_DUE_FIELD], (row) => ({ id: row.id(), due: row.number(BALANCE_DUE_FIELD) }));
      return balances.map((balance) => (balance instanceof Error ? balance : balance.due));
    },
    employeesByWorkEmail: (emails) => oneByField(emails, EMPLOYEE, 'work_email', EMPLOYEE_FIELDS, toEmployee, (e) => e.workEmail),
    employeesById: (ids) => oneById(ids, EMPLOYEE, EMPLOYEE_FIELDS, toEmployee),
    employeesByUserId: (ids) => oneByField(ids, EMPLOYEE, 'user_id', EMPLOYEE_FIELDS, toEmployee, (e) => e.userId),
    employeesByManagerId: (ids) => manyByField(ids, EMPLOYEE, 'parent_id', EMPLOYEE_FIELDS, toEmployee, (e) => e.managerId, 'name, id'),

    async customersPage(request, options) {
      if (!options?.withBalanceDue) return page(PARTNER, CUSTOMER_DOMAIN, PARTNER_FIELDS, 'ref, id', request, toPartner);
      const rows = await page(PARTNER, CUSTOMER_DOMAIN, [...PARTNER_FIELDS, BALANCE_DUE_FIELD], 'ref, id', request, (row) => ({
        partner: toPartner(row),
        due: row.number(BALANCE_DUE_FIELD),
      }));
      return { records: rows.records.map((r) => r.partner), hasNextPage: rows.hasNextPage, balanceDue: rows.records.map((r) => r.due) };
    },
    countCustomers: () => searchCount(PARTNER, CUSTOMER_DOMAIN),
    productsPage: (request) => page(PRODUCT, SKU_DOMAIN, PRODUCT_FIELDS, 'default_code, id', request, toProduct),
    countProducts: () => searchCount(PRODUCT, SKU_DOMAIN),
    ordersPage: (request, filter) => page(ORDER, orderDomain(filter), ORDER_FIELDS, NEWEST_FIRST, request, toOrder),
    countOrders: (filter) => searchCount(ORDER, orderDomain(filter)),
  };
}

// --- row → record ----------------------------------------------------------------

function toPartner(row: RowReader): PartnerRecord {
  return {
    id: row.id(),
    number: row.string('ref'),
    name: row.string('name') ?? '',
    vat: row.string('vat'),
    email: row.string('email'),
    phone: row.string('phone'),
    street: row.string('street'),
    city: row.string('city'),
    countryCode: row.string('country_code'),
    creditLimit: row.number('credit_limit'),
    paymentTerms: row.many2one('property_payment_term_id')?.name ?? null,
    currencyCode: row.requiredMany2one('currency_id').name,
  };
}

function toProduct(row: RowReader): ProductRecord {
  const category = row.many2one('categ_id');
  return {
    id: row.id(),
    sku: row.string('default_code'),
    name: row.requiredString('name'),
    category: category ? leafName(category.name) : null,
    unitOfMeasure: row.many2one('uom_id')?.name ?? null,
    listPrice: row.number('list_price'),
    cost: row.number('standard_price'),
    stockOnHand: row.number('qty_available'),
    saleable: row.boolean('sale_ok'),
    productTemplateId: row.requiredMany2one('product_tmpl_id').id,
    currencyCode: row.requiredMany2one('currency_id').name,
  };
}

function toBom(row: RowReader): BomRecord {
  return {
    id: row.id(),
    productTemplateId: row.requiredMany2one('product_tmpl_id').id,
    productId: row.many2one('product_id')?.id ?? null,
    quantity: row.number('product_qty'),
    unitOfMeasure: row.requiredMany2one('product_uom_id').name,
    type: row.requiredString('type'),
  };
}

function toBomLine(row: RowReader): BomLineRecord {
  return {
    id: row.id(),
    bomId: row.requiredMany2one('bom_id').id,
    bomProductTemplateId: row.requiredMany2one('parent_product_tmpl_id').id,
    productId: row.requiredMany2one('product_id').id,
    quantity: row.number('product_qty'),
    unitOfMeasure: row.requiredMany2one('product_uom_id').name,
  };
}

function toOrder(row: RowReader): SalesOrderRecord {
  return {
    id: row.id(),
    number: row.requiredString('name'),
    partnerId: row.requiredMany2one('partner_id').id,
    state: row.oneOf('state', ORDER_STATES),
    orderedAt: row.requiredDateTime('date_order'),
    amountUntaxed: row.number('amount_untaxed'),
    amountTotal: row.number('amount_total'),
    currencyCode: row.requiredMany2one('currency_id').name,
    salespersonUserId: row.many2one('user_id')?.id ?? null,
    clientOrderRef: row.string('client_order_ref'),
  };
}

function toOrderLine(row: RowReader): OrderLineRecord {
  const order = row.requiredMany2one('order_id');
  return {
    id: row.id(),
    orderId: order.id,
    orderNumber: order.name,
    productId: row.many2one('product_id')?.id ?? null,
    description: row.string('name') ?? '',
    quantity: row.number('product_uom_qty'),
    unitPrice: row.number('price_unit'),
    discountPercent: row.number('discount'),
    subtotal: row.number('price_subtotal'),
  };
}

function toInvoice(row: RowReader): InvoiceRecord {
  return {
    id: row.id(),
    number: row.requiredString('name'),
    partnerId: row.requiredMany2one('partner_id').id,
    invoiceDate: row.date('invoice_date'),
    dueDate: row.date('invoice_date_due'),
    amountTotal: row.number('amount_total'),
    amountResidual: row.number('amount_residual'),
    paymentState: row.oneOf('payment_state', PAYMENT_STATES),
    currencyCode: row.requiredMany2one('currency_id').name,
    origin: row.string('invoice_origin'),
  };
}

function toEmployee(row: RowReader): EmployeeRecord {
  const department = row.many2one('department_id');
  return {
    id: row.id(),
    name: row.requiredString('name'),
    workEmail: row.string('work_email'),
    jobTitle: row.string('job_title'),
    department: department ? leafName(department.name) : null,
    managerId: row.many2one('parent_id')?.id ?? null,
    userId: row.many2one('user_id')?.id ?? null,
  };
}

// --- matching results back to keys -------------------------------------------------

function matchOne<K extends string | number, R extends { id: number }>(
  keys: readonly K[],
  records: R[],
  keyOf: (record: R) => K | null,
  model: string,
  field: string,
): (R | Error)[] {
  const byKey = new Map<K, R[]>();
  for (const record of records) {
    const key = keyOf(record);
    if (key === null) continue;
    byKey.set(key, [...(byKey.get(key) ?? []), record]);
  }
  return keys.map((key) => {
    const found = byKey.get(key);
    if (!found) return new ErpNotFoundError(model, field, key);
    if (found.length > 1)
      return new ErpAmbiguousKeyError(
        model,
        field,
        key,
        found.map((r) => r.id),
      );
    return found[0]!;
  });
}
