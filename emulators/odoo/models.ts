/**
 * The Odoo 17 models the emulator serves, with Odoo's own technical names,
 * labels, defaults and `_order`. Only the fields an ERP↔CRM integration needs
 * are here; everything about them (storage, search, read, `fields_get`)
 * follows from these definitions.
 *
 * The company currency is EUR with id 1 (`COMPANY_CURRENCY_ID`); sales tax is
 * a flat 15% (`SALES_TAX_RATE`), applied per line and rounded per line like
 * Odoo's default "round per line" setting.
 */
import { APPROVAL_MODELS } from './approvalModels.js';
import { defineModel, F, type ModelDef } from './registry.js';

export const COMPANY_CURRENCY_ID = 1;
export const SALES_TAX_RATE = 0.15;

// Display names, as SQL over a row alias. Inner aliases derive from the outer
// one so that nested expressions never collide.
const productTemplateDisplay = (a: string) =>
  `(CASE WHEN ${variantOwned('default_code')(a)} IS NOT NULL AND ${variantOwned('default_code')(a)} <> '' ` +
  `THEN '[' || ${variantOwned('default_code')(a)} || '] ' || ${a}."name" ELSE ${a}."name" END)`;

const templateOwned = (field: string) => (a: string) => `(SELECT ${a}_t."${field}" FROM product_template ${a}_t WHERE ${a}_t.id = ${a}.product_tmpl_id)`;

// Odoo shows a template's variant-owned values (SKU, barcode, cost) only while it has one variant;
// every template here has exactly one, so the first is that one.
const variantOwned = (field: string) => (a: string) =>
  `(SELECT ${a}_v."${field}" FROM product_product ${a}_v WHERE ${a}_v.product_tmpl_id = ${a}.id ORDER BY ${a}_v.id LIMIT 1)`;

export const productDisplay = (a: string) =>
  `(CASE WHEN ${a}.default_code IS NOT NULL AND ${a}.default_code <> '' ` +
  `THEN '[' || ${a}.default_code || '] ' || ${templateOwned('name')(a)} ELSE ${templateOwned('name')(a)} END)`;

const productDisplayOf = (a: string, idExpr: string) => `(SELECT ${productDisplay(`${a}_p`)} FROM product_product ${a}_p WHERE ${a}_p.id = ${idExpr})`;

const partnerDisplay = (a: string) =>
  `(CASE WHEN ${a}.parent_id IS NOT NULL AND COALESCE(${a}.is_company, 0) = 0 ` +
  `THEN COALESCE((SELECT ${a}_c."name" FROM res_partner ${a}_c WHERE ${a}_c.id = ${a}.parent_id), '') || ', ' || COALESCE(${a}."name", '') ` +
  `ELSE COALESCE(${a}."name", '') END)`;

const qtyOnHand = (productIdExpr: string, a: string) =>
  `(SELECT COALESCE(SUM(${a}_q.quantity), 0) FROM stock_quant ${a}_q JOIN stock_location ${a}_l ON ${a}_l.id = ${a}_q.location_id ` +
  `WHERE ${a}_q.product_id = ${productIdExpr} AND ${a}_l.usage = 'internal')`;

const orderField = (field: string) => (a: string) => `(SELECT ${a}_o."${field}" FROM sale_order ${a}_o WHERE ${a}_o.id = ${a}.order_id)`;

const companyCurrency = () => String(COMPANY_CURRENCY_ID);
/** Whether the partner row `a` is its own commercial entity: a company, or a contact with no company. */
const isCommercial = (a: string) => `(COALESCE(${a}.is_company, 0) = 1 OR ${a}.parent_id IS NULL)`;
/** Odoo's sign of an `account.move` amount: −1 on money going out (credit notes, bills), +1 otherwise. */
const signed = (a: string, field: string) =>
  `(CASE WHEN ${a}.move_type IN ('out_refund', 'in_invoice', 'in_receipt') THEN -${a}."${field}" ELSE ${a}."${field}" END)`;

const PRODUCT_TYPES: [string, string][] = [
  ['consu', 'Consumable'],
  ['service', 'Service'],
  ['product', 'Storable Product'],
];

const models: ModelDef[] = [
  defineModel({
    name: 'res.partner',
    description: 'Contact',
    order: 'display_name, id desc',
    displayName: partnerDisplay,
    nameSearch: ['display_name', 'email', 'ref', 'vat'],
    parentField: 'parent_id',
    fields: {
      name: F.char('Name', { index: true }),
      ref: F.char('Reference', { index: true }),
      vat: F.char('Tax ID', { help: 'The Tax Identification Number.' }),
      is_company: F.boolean('Is a Company', { default: false, help: 'Check if the contact is a company, otherwise it is a person' }),
      company_type: F.selection(
        [
          ['person', 'Individual'],
          ['company', 'Company'],
        ],
        'Company Type',
        {
          sql: (a) => `(CASE WHEN COALESCE(${a}.is_company, 0) = 1 THEN 'company' ELSE 'person' END)`,
          inverse: true,
        },
      ),
      parent_id: F.many2one('res.partner', 'Related Company'),
      child_ids: F.one2many('res.partner', 'parent_id', 'Contact'),
      commercial_partner_id: F.many2one('res.partner', 'Commercial Entity', {
        sql: (a) => `(CASE WHEN ${isCommercial(a)} THEN ${a}.id ELSE ${a}.parent_id END)`,
        store: true,
      }),
      type: F.selection(
        [
          ['contact', 'Contact'],
          ['invoice', 'Invoice Address'],
          ['delivery', 'Delivery Address'],
          ['private', 'Private Address'],
          ['other', 'Other Address'],
        ],
        'Address Type',
        { default: 'contact' },
      ),
      function: F.char('Job Position'),
      street: F.char('Street'),
      street2: F.char('Street2'),
      zip: F.char('Zip'),
      city: F.char('City'),
      country_id: F.many2one('res.country', 'Country', { ondelete: 'restrict' }),
      country_code: F.char('Country Code', {
        sql: (a) => `(SELECT ${a}_k.code FROM res_country ${a}_k WHERE ${a}_k.id = ${a}.country_id)`,
        help: 'The ISO country code in two chars.',
      }),
      email: F.char('Email', { index: true }),
      phone: F.char('Phone'),
      mobile: F.char('Mobile'),
      website: F.char('Website Link'),
      user_id: F.many2one('res.users', 'Salesperson', { help: 'The internal user in charge of this contact.' }),
      customer_rank: F.integer('Customer Rank', { default: 0 }),
      supplier_rank: F.integer('Supplier Rank', { default: 0 }),
      credit_limit: F.float('Credit Limit', { digits: 2 }),
      // Odoo's account module computes this when it is read and never stores it, so an invoice that
      // changes it leaves the partner's write_date alone. Receivable lines carry the commercial
      // partner: a company's total includes what its contacts were invoiced, a contact's own is 0.
      credit: F.monetary('Total Receivable', {
        help: 'Total amount this customer owes you.',
        sql: (a) =>
          `(CASE WHEN ${isCommercial(a)} THEN (SELECT COALESCE(SUM(${signed(`${a}_r`, 'amount_residual')}), 0) FROM account_move ${a}_r ` +
          `WHERE ${a}_r.state = 'posted' AND ${a}_r.move_type IN ('out_invoice', 'out_refund', 'out_receipt') AND ${a}_r.partner_id IN ` +
          `(SELECT ${a}_rp.id FROM res_partner ${a}_rp WHERE ${a}_rp.id = ${a}.id OR (${a}_rp.parent_id = ${a}.id AND COALESCE(${a}_rp.is_company, 0) = 0))) ELSE 0 END)`,
      }),
      property_payment_term_id: F.many2one('account.payment.term', 'Customer Payment Terms', {
        help: 'This payment term will be used instead of the default one for sales orders and customer invoices',
      }),
      currency_id: F.many2one('res.currency', 'Currency', { sql: companyCurrency }),
      sale_order_ids: F.one2many('sale.order', 'partner_id', 'Sales Order'),
      sale_order_count: F.integer('Sale Order Count', { sql: (a) => `(SELECT COUNT(*) FROM sale_order ${a}_s WHERE ${a}_s.partner_id = ${a}.id)` }),
      invoice_ids: F.one2many('account.move', 'partner_id', 'Invoices', { readonly: true }),
      // A custom field (as Odoo Studio adds them, `x_` prefix): the workflow subgraph's idempotency key for customers it created.
      x_idempotency_key: F.char('Idempotency Key', { index: true }),
    },
  }),

  defineModel({
    name: 'res.users',
    description: 'User',
    order: 'name, login',
    nameSearch: ['name', 'login'],
    fields: {
      name: F.char('Name', { required: true }),
      login: F.char('Login', { required: true, index: true, help: 'Used to log into the system' }),
      email: F.char('Email'),
      partner_id: F.many2one('res.partner', 'Related Partner', { required: true, ondelete: 'restrict', help: 'Partner-related data of the user' }),
      employee_ids: F.one2many('hr.employee', 'user_id', 'Related employee'),
      sale_team_id: F.many2one('crm.team', 'User Sales Team', {
        sql: (a) => `(SELECT ${a}_m.crm_team_id FROM crm_team_member ${a}_m WHERE ${a}_m.user_id = ${a}.id ORDER BY ${a}_m.crm_team_id LIMIT 1)`,
      }),
    },
  }),

  defineModel({
    name: 'res.company',
    description: 'Companies',
    order: 'sequence, name',
    fields: {
      name: F.char('Company Name', { required: true }),
      partner_id: F.many2one('res.partner', 'Partner', { required: true }),
      currency_id: F.many2one('res.currency', 'Currency', { required: true, default: COMPANY_CURRENCY_ID }),
      sequence: F.integer('Sequence', { default: 10, groupOperator: undefined }),
    },
  }),

  defineModel({
    name: 'res.country',
    description: 'Country',
    order: 'name',
    nameSearch: ['name', 'code'],
    active: false,
    fields: {
      name: F.char('Country Name', { required: true }),
      code: F.char('Country Code', { index: true, help: 'The ISO country code in two chars. \nYou can use this field for quick search.' }),
      phone_code: F.integer('Country Calling Code'),
    },
  }),

  defineModel({
    name: 'res.currency',
    description: 'Currency',
    order: 'active desc, name',
    fields: {
      name: F.char('Currency', { required: true, help: 'Currency Code (ISO 4217)' }),
      full_name: F.char('Name'),
      symbol: F.char('Symbol', { required: true, help: 'Currency sign, to be used when printing amounts.' }),
      rounding: F.float('Rounding Factor', { default: 0.01 }),
      decimal_places: F.integer('Decimal Places', {
        sql: (a) => `(CASE WHEN ${a}.rounding >= 1 THEN 0 ELSE CAST(ROUND(-LOG10(${a}.rounding)) AS INTEGER) END)`,
      }),
      position: F.selection(
        [
          ['after', 'After Amount'],
          ['before', 'Before Amount'],
        ],
        'Symbol Position',
        { default: 'after' },
      ),
    },
  }),

  defineModel({
    name: 'account.payment.term',
    description: 'Payment Terms',
    order: 'sequence, id',
    fields: {
      name: F.char('Payment Terms', { required: true }),
      sequence: F.integer('Sequence', { default: 10, groupOperator: undefined }),
      note: F.text('Description on the Invoice'),
    },
  }),

  defineModel({
    name: 'uom.uom',
    description: 'Product Unit of Measure',
    order: 'factor DESC, id',
    fields: {
      name: F.char('Unit of Measure', { required: true }),
      uom_type: F.selection(
        [
          ['bigger', 'Bigger than the reference Unit of Measure'],
          ['reference', 'Reference Unit of Measure for this category'],
          ['smaller', 'Smaller than the reference Unit of Measure'],
        ],
        'Type',
        { required: true, default: 'reference' },
      ),
      factor: F.float('Ratio', { required: true, default: 1 }),
      rounding: F.float('Rounding Precision', { required: true, default: 0.01 }),
    },
  }),

  defineModel({
    name: 'product.category',
    description: 'Product Category',
    order: 'complete_name',
    displayName: (a) => `${a}.complete_name`,
    nameSearch: ['complete_name'],
    parentField: 'parent_id',
    active: false,
    fields: {
      name: F.char('Name', { required: true }),
      complete_name: F.char('Complete Name', { readonly: true, managed: true }),
      parent_id: F.many2one('product.category', 'Parent Category', { ondelete: 'cascade' }),
      child_id: F.one2many('product.category', 'parent_id', 'Child Categories'),
      product_count: F.integer('# Products', {
        sql: (a) => `(SELECT COUNT(*) FROM product_template ${a}_t WHERE ${a}_t.categ_id = ${a}.id)`,
        help: 'The number of products under this category (Does not consider the children categories)',
      }),
    },
  }),

  defineModel({
    name: 'product.template',
    description: 'Product',
    order: 'name, id',
    displayName: productTemplateDisplay,
    nameSearch: ['name', 'default_code'],
    fields: {
      name: F.char('Name', { required: true, index: true }),
      default_code: F.char('Internal Reference', {
        sql: variantOwned('default_code'),
        delegate: { viaField: 'product_variant_ids', targetModel: 'product.product', reverse: true },
      }),
      barcode: F.char('Barcode', {
        sql: variantOwned('barcode'),
        delegate: { viaField: 'product_variant_ids', targetModel: 'product.product', reverse: true },
      }),
      type: F.selection(PRODUCT_TYPES, 'Product Type', { required: true, default: 'consu' }),
      categ_id: F.many2one('product.category', 'Product Category', { required: true, default: 1 }),
      list_price: F.float('Sales Price', { digits: 2, default: 1, help: 'Price at which the product is sold to customers.' }),
      standard_price: F.float('Cost', {
        sql: variantOwned('standard_price'),
        digits: 2,
        delegate: { viaField: 'product_variant_ids', targetModel: 'product.product', reverse: true },
      }),
      uom_id: F.many2one('uom.uom', 'Unit of Measure', { required: true, default: 1, help: 'Default unit of measure used for all stock operations.' }),
      sale_ok: F.boolean('Can be Sold', { default: true }),
      purchase_ok: F.boolean('Can be Purchased', { default: true }),
      description_sale: F.text('Sales Description'),
      currency_id: F.many2one('res.currency', 'Currency', { sql: companyCurrency }),
      product_variant_ids: F.one2many('product.product', 'product_tmpl_id', 'Products'),
      product_variant_id: F.many2one('product.product', 'Product', {
        sql: (a) => `(SELECT ${a}_v.id FROM product_product ${a}_v WHERE ${a}_v.product_tmpl_id = ${a}.id ORDER BY ${a}_v.id LIMIT 1)`,
      }),
      qty_available: F.float('Quantity On Hand', {
        digits: 2,
        sql: (a) => `(SELECT COALESCE(SUM(${qtyOnHand(`${a}_pv.id`, `${a}_pv`)}), 0) FROM product_product ${a}_pv WHERE ${a}_pv.product_tmpl_id = ${a}.id)`,
      }),
      bom_ids: F.one2many('mrp.bom', 'product_tmpl_id', 'Bill of Materials'),
    },
  }),

  defineModel({
    name: 'product.product',
    description: 'Product Variant',
    order: 'default_code, id',
    displayName: productDisplay,
    nameSearch: ['default_code', 'name', 'barcode'],
    fields: {
      product_tmpl_id: F.many2one('product.template', 'Product Template', { required: true, ondelete: 'cascade' }),
      default_code: F.char('Internal Reference', { index: true }),
      barcode: F.char('Barcode', { index: true, help: 'International Article Number used for product identification.' }),
      standard_price: F.float('Cost', { digits: 2, default: 0 }),
      name: F.char('Name', { sql: templateOwned('name'), delegate: { viaField: 'product_tmpl_id', targetModel: 'product.template' } }),
      type: F.selection(PRODUCT_TYPES, 'Product Type', {
        sql: templateOwned('type'),
        delegate: { viaField: 'product_tmpl_id', targetModel: 'product.template' },
      }),
      categ_id: F.many2one('product.category', 'Product Category', {
        sql: templateOwned('categ_id'),
        delegate: { viaField: 'product_tmpl_id', targetModel: 'product.template' },
      }),
      list_price: F.float('Sales Price', {
        digits: 2,
        sql: templateOwned('list_price'),
        delegate: { viaField: 'product_tmpl_id', targetModel: 'product.template' },
      }),
      lst_price: F.float('Sales Price', {
        digits: 2,
        sql: templateOwned('list_price'),
        delegate: { viaField: 'product_tmpl_id', targetModel: 'product.template' },
      }),
      uom_id: F.many2one('uom.uom', 'Unit of Measure', {
        sql: templateOwned('uom_id'),
        delegate: { viaField: 'product_tmpl_id', targetModel: 'product.template' },
      }),
      sale_ok: F.boolean('Can be Sold', { sql: templateOwned('sale_ok'), delegate: { viaField: 'product_tmpl_id', targetModel: 'product.template' } }),
      purchase_ok: F.boolean('Can be Purchased', {
        sql: templateOwned('purchase_ok'),
        delegate: { viaField: 'product_tmpl_id', targetModel: 'product.template' },
      }),
      description_sale: F.text('Sales Description', {
        sql: templateOwned('description_sale'),
        delegate: { viaField: 'product_tmpl_id', targetModel: 'product.template' },
      }),
      currency_id: F.many2one('res.currency', 'Currency', { sql: companyCurrency }),
      qty_available: F.float('Quantity On Hand', { digits: 2, sql: (a) => qtyOnHand(`${a}.id`, a) }),
      stock_quant_ids: F.one2many('stock.quant', 'product_id', 'Stock Quant'),
      // mrp adds it: the BOM lines this product is a component of.
      bom_line_ids: F.one2many('mrp.bom.line', 'product_id', 'BoM Components'),
    },
  }),

  defineModel({
    name: 'mrp.bom',
    description: 'Bill of Material',
    order: 'sequence, id',
    displayName: (a) =>
      `(CASE WHEN ${a}.code IS NOT NULL AND ${a}.code <> '' THEN ${a}.code || ': ' ELSE '' END) || ` +
      `COALESCE((SELECT ${productTemplateDisplay(`${a}_bt`)} FROM product_template ${a}_bt WHERE ${a}_bt.id = ${a}.product_tmpl_id), '')`,
    nameSearch: ['code'],
    fields: {
      code: F.char('Reference'),
      type: F.selection(
        [
          ['normal', 'Manufacture this product'],
          ['phantom', 'Kit'],
        ],
        'BoM Type',
        { required: true, default: 'normal' },
      ),
      product_tmpl_id: F.many2one('product.template', 'Product', { required: true }),
      product_id: F.many2one('product.product', 'Product Variant', {
        help: 'If a product variant is defined the BOM is available only for this product.',
      }),
      bom_line_ids: F.one2many('mrp.bom.line', 'bom_id', 'BoM Lines'),
      product_qty: F.float('Quantity', { required: true, default: 1, digits: 2 }),
      product_uom_id: F.many2one('uom.uom', 'Unit of Measure', { required: true, default: 1 }),
      sequence: F.integer('Sequence', { groupOperator: undefined }),
    },
  }),

  defineModel({
    name: 'mrp.bom.line',
    description: 'Bill of Material Line',
    order: 'sequence, id',
    displayName: (a) => `COALESCE(${productDisplayOf(a, `${a}.product_id`)}, '')`,
    nameSearch: [],
    active: false,
    fields: {
      product_id: F.many2one('product.product', 'Component', { required: true }),
      product_tmpl_id: F.many2one('product.template', 'Product Template', {
        sql: (a) => `(SELECT ${a}_lp.product_tmpl_id FROM product_product ${a}_lp WHERE ${a}_lp.id = ${a}.product_id)`,
      }),
      product_qty: F.float('Quantity', { required: true, default: 1, digits: 2 }),
      product_uom_id: F.many2one('uom.uom', 'Product Unit of Measure', { required: true }),
      sequence: F.integer('Sequence', { default: 1, groupOperator: undefined }),
      bom_id: F.many2one('mrp.bom', 'Parent BoM', { required: true, ondelete: 'cascade' }),
      // Odoo's related field `bom_id.product_tmpl_id`: which product the line's BOM makes.
      parent_product_tmpl_id: F.many2one('product.template', 'Parent Product Template', {
        sql: (a) => `(SELECT ${a}_pb.product_tmpl_id FROM mrp_bom ${a}_pb WHERE ${a}_pb.id = ${a}.bom_id)`,
      }),
    },
  }),

  defineModel({
    name: 'stock.location',
    description: 'Inventory Locations',
    order: 'complete_name, id',
    displayName: (a) => `${a}.complete_name`,
    nameSearch: ['complete_name', 'barcode'],
    parentField: 'location_id',
    fields: {
      name: F.char('Location Name', { required: true }),
      complete_name: F.char('Full Location Name', { readonly: true, managed: true }),
      usage: F.selection(
        [
          ['supplier', 'Vendor Location'],
          ['view', 'View'],
          ['internal', 'Internal Location'],
          ['customer', 'Customer Location'],
          ['inventory', 'Inventory Loss'],
          ['production', 'Production'],
          ['transit', 'Transit Location'],
        ],
        'Location Type',
        { required: true, default: 'internal', index: true },
      ),
      location_id: F.many2one('stock.location', 'Parent Location', { ondelete: 'cascade' }),
      child_ids: F.one2many('stock.location', 'location_id', 'Contains'),
      barcode: F.char('Barcode'),
    },
  }),

  defineModel({
    name: 'stock.quant',
    description: 'Quants',
    order: 'location_id, id',
    displayName: (a) => `COALESCE(${productDisplayOf(a, `${a}.product_id`)}, '')`,
    nameSearch: [],
    active: false,
    fields: {
      product_id: F.many2one('product.product', 'Product', { required: true, ondelete: 'restrict' }),
      product_tmpl_id: F.many2one('product.template', 'Product Template', {
        sql: (a) => `(SELECT ${a}_qp.product_tmpl_id FROM product_product ${a}_qp WHERE ${a}_qp.id = ${a}.product_id)`,
      }),
      product_uom_id: F.many2one('uom.uom', 'Unit of Measure', {
        sql: (a) =>
          `(SELECT ${a}_qt.uom_id FROM product_template ${a}_qt JOIN product_product ${a}_qp ON ${a}_qp.product_tmpl_id = ${a}_qt.id WHERE ${a}_qp.id = ${a}.product_id)`,
      }),
      location_id: F.many2one('stock.location', 'Location', { required: true, ondelete: 'restrict' }),
      quantity: F.float('Quantity', {
        readonly: true,
        digits: 2,
        default: 0,
        help: 'Quantity of products in this quant, in the default unit of measure of the product',
      }),
      reserved_quantity: F.float('Reserved Quantity', { readonly: true, required: true, digits: 2, default: 0 }),
      available_quantity: F.float('Available Quantity', { digits: 2, sql: (a) => `(COALESCE(${a}.quantity, 0) - COALESCE(${a}.reserved_quantity, 0))` }),
      in_date: F.datetime('Incoming Date', { readonly: true }),
    },
  }),

  defineModel({
    name: 'sale.order',
    description: 'Sales Order',
    order: 'date_order desc, id desc',
    nameSearch: ['name', 'client_order_ref'],
    active: false,
    fields: {
      name: F.char('Order Reference', { required: true, index: true, default: 'New' }),
      origin: F.char('Source Document', { help: 'Reference of the document that generated this sales order request' }),
      client_order_ref: F.char('Customer Reference', { index: true }),
      state: F.selection(
        [
          ['draft', 'Quotation'],
          ['sent', 'Quotation Sent'],
          ['sale', 'Sales Order'],
          ['cancel', 'Cancelled'],
        ],
        'Status',
        { readonly: true, default: 'draft', index: true },
      ),
      date_order: F.datetime('Order Date', { required: true, default: (env: { now: string }) => env.now }),
      partner_id: F.many2one('res.partner', 'Customer', { required: true }),
      user_id: F.many2one('res.users', 'Salesperson'),
      team_id: F.many2one('crm.team', 'Sales Team', { ondelete: 'set null' }),
      payment_term_id: F.many2one('account.payment.term', 'Payment Terms'),
      currency_id: F.many2one('res.currency', 'Currency', { readonly: true, default: COMPANY_CURRENCY_ID, ondelete: 'restrict', index: false }),
      order_line: F.one2many('sale.order.line', 'order_id', 'Order Lines'),
      amount_untaxed: F.monetary('Untaxed Amount', { readonly: true, managed: true, default: 0 }),
      amount_tax: F.monetary('Taxes', { readonly: true, managed: true, default: 0 }),
      amount_total: F.monetary('Total', { readonly: true, managed: true, default: 0 }),
      invoice_status: F.selection(
        [
          ['upselling', 'Upselling Opportunity'],
          ['invoiced', 'Fully Invoiced'],
          ['to invoice', 'To Invoice'],
          ['no', 'Nothing to Invoice'],
        ],
        'Invoice Status',
        { readonly: true, managed: true, default: 'no' },
      ),
      invoice_ids: F.many2many('account.move', 'Invoices', {
        link: `SELECT so.id AS parent, am.id AS child FROM sale_order so JOIN account_move am ON am.invoice_origin = so.name AND am.move_type IN ('out_invoice', 'out_refund')`,
      }),
      invoice_count: F.integer('Invoice Count', {
        sql: (a) =>
          `(SELECT COUNT(*) FROM account_move ${a}_m WHERE ${a}_m.invoice_origin = ${a}."name" AND ${a}_m.move_type IN ('out_invoice', 'out_refund'))`,
      }),
      // Odoo links orders to CRM opportunities here; the emulator serves no crm.lead, so it stays empty.
      opportunity_id: F.many2one('crm.lead', 'Opportunity', { unservedRelation: true, index: false }),
    },
  }),

  defineModel({
    name: 'sale.order.line',
    description: 'Sales Order Line',
    order: 'order_id, sequence, id',
    displayName: (a) => `COALESCE(${orderField('name')(a)}, '') || ' - ' || COALESCE(${a}."name", '')`,
    nameSearch: ['name'],
    active: false,
    fields: {
      order_id: F.many2one('sale.order', 'Order Reference', { required: true, ondelete: 'cascade' }),
      sequence: F.integer('Sequence', { default: 10, groupOperator: undefined }),
      display_type: F.selection(
        [
          ['line_section', 'Section'],
          ['line_note', 'Note'],
        ],
        'Display Type',
        {
          help: 'Technical field for UX purpose.',
        },
      ),
      product_id: F.many2one('product.product', 'Product', { ondelete: 'restrict' }),
      product_template_id: F.many2one('product.template', 'Product Template', {
        sql: (a) => `(SELECT ${a}_lp.product_tmpl_id FROM product_product ${a}_lp WHERE ${a}_lp.id = ${a}.product_id)`,
      }),
      name: F.text('Description', { required: true }),
      product_uom_qty: F.float('Quantity', { required: true, default: 1, digits: 2 }),
      product_uom: F.many2one('uom.uom', 'Unit of Measure'),
      price_unit: F.float('Unit Price', { required: true, default: 0, digits: 2 }),
      discount: F.float('Discount (%)', { default: 0, digits: 2 }),
      price_subtotal: F.monetary('Subtotal', { readonly: true, managed: true, default: 0 }),
      price_tax: F.float('Total Tax', { readonly: true, managed: true, default: 0, digits: 2 }),
      price_total: F.monetary('Total', { readonly: true, managed: true, default: 0 }),
      // sale_margin: the cost is frozen on the line when it is sold, so later cost changes keep past margins.
      purchase_price: F.float('Cost', { digits: 2, default: 0 }),
      margin: F.float('Margin', {
        digits: 2,
        store: true,
        sql: (a) =>
          `(CASE WHEN ${a}.display_type IS NOT NULL THEN 0 ELSE COALESCE(${a}.price_subtotal, 0) - COALESCE(${a}.purchase_price, 0) * COALESCE(${a}.product_uom_qty, 0) END)`,
      }),
      currency_id: F.many2one('res.currency', 'Currency', { sql: orderField('currency_id'), store: true }),
      order_partner_id: F.many2one('res.partner', 'Customer', { sql: orderField('partner_id'), store: true }),
      salesman_id: F.many2one('res.users', 'Salesperson', { sql: orderField('user_id'), store: true }),
      state: F.selection(
        [
          ['draft', 'Quotation'],
          ['sent', 'Quotation Sent'],
          ['sale', 'Sales Order'],
          ['cancel', 'Cancelled'],
        ],
        'Order Status',
        { sql: orderField('state'), store: true },
      ),
    },
  }),

  defineModel({
    name: 'account.move',
    description: 'Journal Entry',
    order: 'date desc, name desc, id desc',
    displayName: (a) => `(CASE WHEN ${a}."name" IS NULL OR ${a}."name" = '/' THEN 'Draft Entry (* ' || ${a}.id || ')' ELSE ${a}."name" END)`,
    nameSearch: ['name', 'ref'],
    active: false,
    fields: {
      name: F.char('Number', { default: '/', index: true }),
      ref: F.char('Reference'),
      date: F.date('Date', { required: true, default: (env: { today: string }) => env.today, index: true }),
      move_type: F.selection(
        [
          ['entry', 'Journal Entry'],
          ['out_invoice', 'Customer Invoice'],
          ['out_refund', 'Customer Credit Note'],
          ['in_invoice', 'Vendor Bill'],
          ['in_refund', 'Vendor Credit Note'],
          ['out_receipt', 'Sales Receipt'],
          ['in_receipt', 'Purchase Receipt'],
        ],
        'Type',
        { required: true, readonly: true, default: 'entry', index: true },
      ),
      state: F.selection(
        [
          ['draft', 'Draft'],
          ['posted', 'Posted'],
          ['cancel', 'Cancelled'],
        ],
        'Status',
        { required: true, readonly: true, default: 'draft' },
      ),
      partner_id: F.many2one('res.partner', 'Partner', { ondelete: 'restrict' }),
      // Receivables add up per company, whichever of its contacts an invoice is addressed to.
      commercial_partner_id: F.many2one('res.partner', 'Commercial Entity', {
        store: true,
        sql: (a) =>
          `(SELECT CASE WHEN ${isCommercial(`${a}_cp`)} THEN ${a}_cp.id ELSE ${a}_cp.parent_id END FROM res_partner ${a}_cp WHERE ${a}_cp.id = ${a}.partner_id)`,
      }),
      invoice_date: F.date('Invoice/Bill Date', { index: true }),
      invoice_date_due: F.date('Due Date'),
      invoice_origin: F.char('Origin', { index: true, help: 'The document(s) that generated the invoice.' }),
      invoice_user_id: F.many2one('res.users', 'Salesperson'),
      invoice_payment_term_id: F.many2one('account.payment.term', 'Payment Terms'),
      team_id: F.many2one('crm.team', 'Sales Team'),
      currency_id: F.many2one('res.currency', 'Currency', { required: true, default: COMPANY_CURRENCY_ID, index: false }),
      amount_untaxed: F.monetary('Untaxed Amount', { readonly: true, default: 0 }),
      amount_tax: F.monetary('Tax', { readonly: true, default: 0 }),
      amount_total: F.monetary('Total', { readonly: true, default: 0 }),
      amount_residual: F.monetary('Amount Due', { readonly: true, default: 0 }),
      // Odoo's signed amounts, in company currency (the only currency here): positive on invoices and
      // receipts that bring money in (out_invoice, out_receipt, in_refund), negative on credit notes and
      // bills (out_refund, in_invoice, in_receipt). Odoo stores them, so read_group can sum them.
      amount_untaxed_signed: F.monetary('Untaxed Amount Signed', { store: true, sql: (a) => signed(a, 'amount_untaxed') }),
      amount_total_signed: F.monetary('Total Signed', { store: true, sql: (a) => signed(a, 'amount_total') }),
      amount_residual_signed: F.monetary('Amount Due Signed', { store: true, sql: (a) => signed(a, 'amount_residual') }),
      reversed_entry_id: F.many2one('account.move', 'Reversal of', { index: true }),
      reversal_move_id: F.one2many('account.move', 'reversed_entry_id', 'Reversal Move', { readonly: true }),
      payment_state: F.selection(
        [
          ['not_paid', 'Not Paid'],
          ['in_payment', 'In Payment'],
          ['paid', 'Paid'],
          ['partial', 'Partially Paid'],
          ['reversed', 'Reversed'],
          ['invoicing_legacy', 'Invoicing App Legacy'],
        ],
        'Payment Status',
        { readonly: true, default: 'not_paid' },
      ),
      payment_reference: F.char('Payment Reference'),
    },
  }),

  defineModel({
    name: 'hr.department',
    description: 'Department',
    order: 'name',
    displayName: (a) => `${a}.complete_name`,
    nameSearch: ['complete_name'],
    parentField: 'parent_id',
    fields: {
      name: F.char('Department Name', { required: true }),
      complete_name: F.char('Complete Name', { readonly: true, managed: true }),
      manager_id: F.many2one('hr.employee', 'Manager'),
      parent_id: F.many2one('hr.department', 'Parent Department'),
      child_ids: F.one2many('hr.department', 'parent_id', 'Child Departments'),
      member_ids: F.one2many('hr.employee', 'department_id', 'Members', { readonly: true }),
      total_employee: F.integer('Total Employee', {
        sql: (a) => `(SELECT COUNT(*) FROM hr_employee ${a}_e WHERE ${a}_e.department_id = ${a}.id AND ${a}_e.active = 1)`,
      }),
    },
  }),

  defineModel({
    name: 'hr.employee',
    description: 'Employee',
    order: 'name',
    nameSearch: ['name', 'work_email'],
    parentField: 'parent_id',
    fields: {
      name: F.char('Employee Name', { required: true, index: true }),
      job_title: F.char('Job Title'),
      work_email: F.char('Work Email', { index: true }),
      work_phone: F.char('Work Phone'),
      mobile_phone: F.char('Work Mobile'),
      department_id: F.many2one('hr.department', 'Department'),
      parent_id: F.many2one('hr.employee', 'Manager'),
      child_ids: F.one2many('hr.employee', 'parent_id', 'Direct subordinates'),
      user_id: F.many2one('res.users', 'User'),
    },
  }),

  defineModel({
    name: 'crm.team',
    description: 'Sales Team',
    order: 'sequence ASC, create_date DESC, id DESC',
    fields: {
      name: F.char('Sales Team', { required: true }),
      sequence: F.integer('Sequence', { default: 10, groupOperator: undefined }),
      user_id: F.many2one('res.users', 'Team Leader'),
      member_ids: F.many2many('res.users', 'Salespersons', { m2mTable: { table: 'crm_team_member', column1: 'crm_team_id', column2: 'user_id' } }),
      currency_id: F.many2one('res.currency', 'Currency', { sql: companyCurrency }),
      invoiced_target: F.float('Invoicing Target', { digits: 2, help: 'Revenue target for the current month (untaxed total of confirmed invoices).' }),
    },
  }),

  // Per-salesperson targets: Odoo's sale module ships the "Monthly Sales Targets" challenge,
  // whose goals (one per user and month, definition "Total Invoiced") live in gamification.goal.
  defineModel({
    name: 'gamification.goal.definition',
    description: 'Gamification Goal Definition',
    order: 'sequence',
    fields: {
      name: F.char('Goal Definition', { required: true }),
      description: F.text('Goal Description'),
      computation_mode: F.selection(
        [
          ['manually', 'Recorded manually'],
          ['count', 'Automatic: number of records'],
          ['sum', 'Automatic: sum on a field'],
          ['python', 'Automatic: execute a specific Python code'],
        ],
        'Computation Mode',
        { required: true, default: 'manually' },
      ),
      monetary: F.boolean('Monetary Value', { default: false }),
      suffix: F.char('Suffix'),
      condition: F.selection(
        [
          ['higher', 'The higher the better'],
          ['lower', 'The lower the better'],
        ],
        'Goal Performance',
        { required: true, default: 'higher' },
      ),
      sequence: F.integer('Sequence', { default: 0, groupOperator: undefined }),
    },
  }),

  defineModel({
    name: 'gamification.goal',
    description: 'Gamification Goal (user)',
    order: 'start_date desc, end_date desc, definition_id, id',
    displayName: (a) => `COALESCE((SELECT ${a}_d."name" FROM gamification_goal_definition ${a}_d WHERE ${a}_d.id = ${a}.definition_id), '')`,
    nameSearch: [],
    active: false,
    fields: {
      definition_id: F.many2one('gamification.goal.definition', 'Goal Definition', { required: true, ondelete: 'cascade' }),
      user_id: F.many2one('res.users', 'User', { required: true, ondelete: 'cascade' }),
      start_date: F.date('Start Date'),
      end_date: F.date('End Date'),
      target_goal: F.float('To Reach', { required: true }),
      current: F.float('Current Value', { required: true, default: 0 }),
      state: F.selection(
        [
          ['draft', 'Draft'],
          ['inprogress', 'In progress'],
          ['reached', 'Reached'],
          ['failed', 'Failed'],
          ['canceled', 'Cancelled'],
        ],
        'State',
        { required: true, default: 'draft' },
      ),
    },
  }),

  // Complaints and returns: Odoo 17 Enterprise Helpdesk. `product_id` and `sale_order_id` come from
  // helpdesk_stock / helpdesk_sale; `x_crm_case_id` is a Studio-style custom field holding the
  // Salesforce Case id the ticket was opened for.
  defineModel({
    name: 'helpdesk.stage',
    description: 'Helpdesk Stage',
    order: 'sequence, id',
    fields: {
      name: F.char('Stage Name', { required: true }),
      sequence: F.integer('Sequence', { default: 10, groupOperator: undefined }),
      fold: F.boolean('Folded in Kanban', { default: false, help: 'Tickets in a folded stage are considered as closed.' }),
    },
  }),

  defineModel({
    name: 'helpdesk.ticket',
    description: 'Helpdesk Ticket',
    order: 'priority desc, id desc',
    nameSearch: ['name', 'ticket_ref', 'x_crm_case_id'],
    fields: {
      name: F.char('Subject', { required: true, index: true }),
      ticket_ref: F.char('Ticket IDs Sequence', { index: true }),
      description: F.text('Description'),
      partner_id: F.many2one('res.partner', 'Customer'),
      user_id: F.many2one('res.users', 'Assigned to'),
      stage_id: F.many2one('helpdesk.stage', 'Stage', { ondelete: 'restrict' }),
      priority: F.selection(
        [
          ['0', 'Low priority'],
          ['1', 'Medium priority'],
          ['2', 'High priority'],
          ['3', 'Urgent'],
        ],
        'Priority',
        { default: '0' },
      ),
      product_id: F.many2one('product.product', 'Product'),
      sale_order_id: F.many2one('sale.order', 'Ref. Sales Order'),
      close_date: F.datetime('Close date'),
      x_crm_case_id: F.char('CRM Case', { index: true }),
    },
  }),
];

// The Approvals app and chatter messages live in their own file (approvalModels.ts).
export const MODELS: ReadonlyMap<string, ModelDef> = new Map([...models, ...APPROVAL_MODELS].map((m) => [m.name, m]));
