/**
 * Fills a fresh database from the shared seed world (`buildWorld`), so that
 * the ERP agrees with the CRM emulator on customer numbers, SKUs, work
 * e-mails and opportunity ids.
 *
 * Ids follow the world wherever it numbers things: a customer's partner id is
 * its company index, product and template ids are the product index, an
 * order's id is its order index, an employee's id is its index and the user
 * behind an employee is `index + 2` (uid 1 is Odoo's OdooBot, uid 2 the
 * admin). Partners of the company and of users come after the customers.
 *
 * Everything is derived from the world and fixed seeds, never from the clock,
 * so two seeds of one size are identical. All of it runs in one transaction
 * with prepared statements: a seed is complete or absent.
 */
import type { Database, Statement } from 'better-sqlite3';
import { Random } from '../seed/random.js';
import { seedApprovals } from './approvalModels.js';
import { buildWorld, PAYMENT_TERMS, SEED_TODAY, SIZES, type PaymentTerm, type SeedSize, type World } from '../seed/world.js';
import { lineAmounts } from './business.js';
import { COMPANY_CURRENCY_ID } from './models.js';
import { floatRound } from './money.js';
import { isColumn, type ModelDef } from './registry.js';
import { setMeta } from './schema.js';

export type SeedProgress = (done: number, total: number, label: string) => void;

const COUNTRIES: Record<string, [name: string, phoneCode: number]> = {
  BE: ['Belgium', 32],
  BR: ['Brazil', 55],
  CA: ['Canada', 1],
  CN: ['China', 86],
  DE: ['Germany', 49],
  ES: ['Spain', 34],
  FR: ['France', 33],
  GB: ['United Kingdom', 44],
  IT: ['Italy', 39],
  JP: ['Japan', 81],
  MX: ['Mexico', 52],
  NL: ['Netherlands', 31],
  SE: ['Sweden', 46],
  US: ['United States', 1],
};
const UOMS = ['Units', 'kg', 'm'] as const;
const ADMIN_UID = 2;
const COMPANY_NAME = 'YourCompany';

function addDays(isoDate: string, days: number): string {
  const d = new Date(`${isoDate.slice(0, 10)}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

function dueDate(invoiceDate: string, term: PaymentTerm): string {
  switch (term) {
    case 'Immediate Payment':
      return invoiceDate;
    case '15 Days':
      return addDays(invoiceDate, 15);
    case '30 Days':
      return addDays(invoiceDate, 30);
    case '45 Days':
      return addDays(invoiceDate, 45);
    case 'End of Following Month': {
      const d = new Date(`${invoiceDate}T00:00:00Z`);
      return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 2, 0)).toISOString().slice(0, 10);
    }
  }
}

const daysBetween = (a: string, b: string) => Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86_400_000);

/** Prepared INSERTs that fill every column of a model the caller does not give with NULL. */
class Inserter {
  private readonly stmt: Statement;
  private readonly columns: string[];

  constructor(db: Database, model: ModelDef) {
    this.columns = ['id', ...[...model.fields.values()].filter((f) => f.name !== 'id' && isColumn(f)).map((f) => f.name)];
    this.stmt = db.prepare(
      `INSERT INTO ${model.table} (${this.columns.map((c) => `"${c}"`).join(', ')}) VALUES (${this.columns.map((c) => `@${c}`).join(', ')})`,
    );
  }

  insert(row: Record<string, unknown>): number {
    const full: Record<string, unknown> = {};
    for (const c of this.columns) {
      const v = row[c];
      full[c] = v === undefined ? null : typeof v === 'boolean' ? (v ? 1 : 0) : v;
    }
    return Number(this.stmt.run(full).lastInsertRowid);
  }
}

export interface SeedOptions {
  size: SeedSize;
  adminLogin: string;
  onProgress?: SeedProgress;
}

export function seedDatabase(db: Database, models: ReadonlyMap<string, ModelDef>, options: SeedOptions): void {
  const world = buildWorld(options.size);
  const progress = options.onProgress ?? (() => {});
  const ins = (name: string) => new Inserter(db, models.get(name)!);
  db.transaction(() => {
    const staff = seedMasterData(db, world, ins, options.adminLogin, progress);
    seedProducts(world, ins, staff, progress);
    const sold = seedOrders(db, world, ins, staff, progress);
    seedSalesTargets(world, ins, staff, sold);
    seedHelpdesk(world, ins, staff, sold);
    // Odoo Approvals (approvalModels.ts): a few large quotations wait for a manager's approval.
    seedApprovals(db, { count: options.size === 'large' ? 12 : 3, now: `${SEED_TODAY} 08:00:00`, adminUid: ADMIN_UID });
    setMeta(db, 'seed_size', options.size);
    setMeta(db, 'seed_today', SEED_TODAY);
  })();
}

interface Staff {
  userByEmail: Map<string, number>;
  teamByEmail: Map<string, number>;
  termByCompany: Map<number, PaymentTerm>;
  customersLocationId: number;
  /** Internal stock locations by full name, e.g. `WH/Stock`. */
  stockLocationIds: Map<string, number>;
}

function seedMasterData(db: Database, world: World, ins: (m: string) => Inserter, adminLogin: string, progress: SeedProgress): Staff {
  const epoch = `${addDays(SEED_TODAY, -1095)} 06:00:00`;
  const log = { create_uid: ADMIN_UID, write_uid: ADMIN_UID, create_date: epoch, write_date: epoch };

  const currency = ins('res.currency');
  currency.insert({ id: COMPANY_CURRENCY_ID, name: 'EUR', full_name: 'Euro', symbol: '€', rounding: 0.01, position: 'after', active: true, ...log });
  currency.insert({ id: 2, name: 'USD', full_name: 'United States dollar', symbol: '$', rounding: 0.01, position: 'before', active: false, ...log });

  const countryIds = new Map<string, number>();
  const codes = [...new Set(world.companies.map((c) => c.countryCode))].sort((a, b) => (COUNTRIES[a]?.[0] ?? a).localeCompare(COUNTRIES[b]?.[0] ?? b));
  const country = ins('res.country');
  for (const code of codes) countryIds.set(code, country.insert({ name: COUNTRIES[code]?.[0] ?? code, code, phone_code: COUNTRIES[code]?.[1] ?? 0, ...log }));

  const termIds = new Map<PaymentTerm, number>();
  const term = ins('account.payment.term');
  PAYMENT_TERMS.forEach((name, i) => termIds.set(name, term.insert({ name, sequence: (i + 1) * 10, active: true, ...log })));

  const uom = ins('uom.uom');
  for (const name of UOMS) uom.insert({ name, uom_type: 'reference', factor: 1, rounding: name === 'Units' ? 1 : 0.01, active: true, ...log });

  const location = ins('stock.location');
  const loc = (name: string, usage: string, parent: number | null, complete: string) =>
    location.insert({ name, usage, location_id: parent, complete_name: complete, active: true, ...log });
  const physical = loc('Physical Locations', 'view', null, 'Physical Locations');
  const partners = loc('Partners', 'view', null, 'Partners');
  const customersLocationId = loc('Customers', 'customer', partners, 'Partners/Customers');
  loc('Vendors', 'supplier', partners, 'Partners/Vendors');
  const virtual = loc('Virtual Locations', 'view', null, 'Virtual Locations');
  loc('Inventory adjustment', 'inventory', virtual, 'Virtual Locations/Inventory adjustment');
  const stockLocationIds = new Map<string, number>();
  for (const full of world.stockLocations) {
    const [warehouse, stock] = full.split('/') as [string, string];
    const wh = loc(warehouse, 'view', physical, warehouse);
    stockLocationIds.set(full, loc(stock, 'internal', wh, full));
  }

  // Users: OdooBot and the admin as in every Odoo, then one per employee.
  const firstStaffPartner = world.companies.length + 1;
  const partner = ins('res.partner');
  const users = ins('res.users');
  const partnerBase = { is_company: false, type: 'contact', customer_rank: 0, supplier_rank: 0, credit_limit: 0, active: true, ...log };
  partner.insert({
    ...partnerBase,
    id: firstStaffPartner,
    name: COMPANY_NAME,
    is_company: true,
    email: 'info@example.com',
    country_id: countryIds.get('DE') ?? null,
  });
  ins('res.company').insert({ id: 1, name: COMPANY_NAME, partner_id: firstStaffPartner, currency_id: COMPANY_CURRENCY_ID, sequence: 10, active: true, ...log });
  partner.insert({ ...partnerBase, id: firstStaffPartner + 1, name: 'OdooBot', email: 'odoobot@example.com', active: false });
  partner.insert({ ...partnerBase, id: firstStaffPartner + 2, name: 'Administrator', email: 'admin@example.com', parent_id: firstStaffPartner });
  users.insert({ id: 1, name: 'OdooBot', login: '__system__', email: 'odoobot@example.com', partner_id: firstStaffPartner + 1, active: false, ...log });
  users.insert({
    id: ADMIN_UID,
    name: 'Administrator',
    login: adminLogin,
    email: 'admin@example.com',
    partner_id: firstStaffPartner + 2,
    active: true,
    ...log,
  });

  const userByEmail = new Map<string, number>();
  const employeeByEmail = new Map<string, number>();
  for (const e of world.employees) {
    const partnerId = firstStaffPartner + 2 + e.index;
    partner.insert({ ...partnerBase, id: partnerId, name: e.name, email: e.workEmail });
    userByEmail.set(
      e.workEmail,
      users.insert({ id: e.index + 2, name: e.name, login: e.workEmail, email: e.workEmail, partner_id: partnerId, active: true, ...log }),
    );
    employeeByEmail.set(e.workEmail, e.index);
  }

  // Departments in order of first appearance; the first of each whose manager works elsewhere heads it.
  const departments = [...new Set(world.employees.map((e) => e.department))];
  const ceo = world.employees.find((e) => e.managerEmail === null)!;
  const departmentIds = new Map(departments.map((name, i) => [name, i + 1]));
  const department = ins('hr.department');
  const emailDept = new Map(world.employees.map((e) => [e.workEmail, e.department]));
  for (const name of departments) {
    const head = world.employees.find((e) => e.department === name && (e.managerEmail === null || emailDept.get(e.managerEmail) !== name));
    const root = name === ceo.department;
    department.insert({
      id: departmentIds.get(name),
      name,
      complete_name: root ? name : `${ceo.department} / ${name}`,
      parent_id: root ? null : departmentIds.get(ceo.department),
      manager_id: head ? head.index : null,
      active: true,
      ...log,
    });
  }
  const employee = ins('hr.employee');
  for (const e of world.employees) {
    employee.insert({
      id: e.index,
      name: e.name,
      job_title: e.jobTitle,
      work_email: e.workEmail,
      department_id: departmentIds.get(e.department),
      parent_id: e.managerEmail ? employeeByEmail.get(e.managerEmail) : null,
      user_id: userByEmail.get(e.workEmail),
      active: true,
      ...log,
    });
  }

  const team = ins('crm.team');
  const member = db.prepare(`INSERT INTO crm_team_member (crm_team_id, user_id) VALUES (?, ?)`);
  const teamByEmail = new Map<string, number>();
  world.salesTeams.forEach((t, i) => {
    const reps = world.employees.filter((e) => e.salesTeam === t.name && (e.crmRole === 'Account Executive' || e.crmRole === 'Sales Manager'));
    const leader = reps.find((e) => e.crmRole === 'Sales Manager');
    const id = team.insert({
      id: i + 1,
      name: t.name,
      sequence: (i + 1) * 10,
      user_id: leader ? userByEmail.get(leader.workEmail) : null,
      invoiced_target: t.invoicedTarget,
      active: true,
      ...log,
    });
    for (const rep of reps) {
      member.run(id, userByEmail.get(rep.workEmail));
      teamByEmail.set(rep.workEmail, id);
    }
  });

  // Customers: ERP partners carry the ERP number in `ref`.
  const customers = world.companies.filter((c) => c.inErp);
  const total = customers.length;
  const termByCompany = new Map<number, PaymentTerm>();
  customers.forEach((c, i) => {
    const created = `${addDays(SEED_TODAY, -1000 + ((c.index * 13) % 600))} 09:00:00`;
    const written = `${addDays(SEED_TODAY, -((c.index * 37) % 365))} 07:30:00`;
    partner.insert({
      ...partnerBase,
      id: c.index,
      name: c.name,
      ref: c.erpNumber,
      vat: c.vat,
      is_company: true,
      email: c.email,
      phone: c.phone,
      street: c.street,
      city: c.city,
      country_id: countryIds.get(c.countryCode),
      user_id: userByEmail.get(c.ownerEmail) ?? null,
      customer_rank: 1,
      credit_limit: c.creditLimit,
      property_payment_term_id: termIds.get(c.paymentTerm),
      create_date: created,
      write_date: written < created ? created : written,
    });
    termByCompany.set(c.index, c.paymentTerm);
    if ((i + 1) % 1000 === 0 || i + 1 === total) progress(i + 1, total, 'contacts');
  });
  return { userByEmail, teamByEmail, termByCompany, customersLocationId, stockLocationIds };
}

function seedProducts(world: World, ins: (m: string) => Inserter, staff: Staff, progress: SeedProgress): void {
  const epoch = `${addDays(SEED_TODAY, -900)} 06:00:00`;
  const log = { create_uid: ADMIN_UID, write_uid: ADMIN_UID, create_date: epoch, write_date: epoch };
  const category = ins('product.category');
  const categoryIds = new Map<string, number>();
  const root = category.insert({ name: 'All', complete_name: 'All', ...log });
  for (const name of new Set(world.products.map((p) => p.category))) {
    categoryIds.set(name, category.insert({ name, complete_name: `All / ${name}`, parent_id: root, ...log }));
  }
  const uomIds = new Map<string, number>(UOMS.map((u, i) => [u, i + 1]));
  const template = ins('product.template');
  const product = ins('product.product');
  const quant = ins('stock.quant');
  const bom = ins('mrp.bom');
  const bomLine = ins('mrp.bom.line');
  const productBySku = new Map(world.products.map((p) => [p.sku, p]));
  const reserve = new Random(31337);

  world.products.forEach((p, i) => {
    template.insert({
      id: p.index,
      name: p.name,
      type: 'product',
      categ_id: categoryIds.get(p.category),
      list_price: p.listPrice,
      uom_id: uomIds.get(p.uom),
      sale_ok: p.saleOk,
      purchase_ok: p.kind !== 'finished',
      active: true,
      ...log,
    });
    product.insert({ id: p.index, product_tmpl_id: p.index, default_code: p.sku, standard_price: p.cost, active: true, ...log });
    for (const [name, quantity] of Object.entries(p.stock)) {
      // Some stock is promised to open deliveries, as in any running warehouse.
      const reserved = quantity > 0 && reserve.chance(0.2) ? Math.floor(quantity * reserve.float(0.1, 0.5)) : 0;
      quant.insert({ product_id: p.index, location_id: staff.stockLocationIds.get(name), quantity, reserved_quantity: reserved, in_date: epoch, ...log });
    }
    if ((i + 1) % 100 === 0 || i + 1 === world.products.length) progress(i + 1, world.products.length, 'products and stock');
  });
  // BOMs after all products exist; lines keep the world's order through their sequence.
  for (const p of world.products) {
    if (!p.bom) continue;
    const bomId = bom.insert({
      product_tmpl_id: p.index,
      product_qty: p.bom.quantity,
      product_uom_id: uomIds.get(p.uom),
      type: 'normal',
      sequence: 10,
      active: true,
      ...log,
    });
    p.bom.lines.forEach((l, k) => {
      bomLine.insert({
        bom_id: bomId,
        product_id: productBySku.get(l.sku)!.index,
        product_qty: l.quantity,
        product_uom_id: uomIds.get(l.uom),
        sequence: k + 1,
        ...log,
      });
    });
  }
}

/** What the later seed steps need to know about the orders, gathered while they are written. */
interface Sold {
  /** Untaxed invoiced amount per salesperson user id and invoice month (`YYYY-MM`). */
  invoicedByUserMonth: Map<string, number>;
  /** Confirmed orders per `partnerId|productId`, oldest first, as [date, order id]. */
  confirmedByPartnerProduct: Map<string, [string, number][]>;
}

function seedOrders(db: Database, world: World, ins: (m: string) => Inserter, staff: Staff, progress: SeedProgress): Sold {
  const sold: Sold = { invoicedByUserMonth: new Map(), confirmedByPartnerProduct: new Map() };
  // Only the (customer, product) pairs a CRM case names can become ticket links; keep just those.
  const wantedPairs = new Set(
    world.cases.filter((c) => c.productSku).map((c) => `${c.companyIndex}|${world.products.find((p) => p.sku === c.productSku)!.index}`),
  );
  const order = ins('sale.order');
  const line = ins('sale.order.line');
  const move = ins('account.move');
  const productBySku = new Map(world.products.map((p) => [p.sku, p]));
  const uomIds = new Map<string, number>(UOMS.map((u, i) => [u, i + 1]));
  const termIds = new Map(PAYMENT_TERMS.map((t, i) => [t, i + 1]));
  const payments = new Random(4242);
  // A generator of its own, so that adding credit notes leaves every other invoice as it was.
  const refunds = new Random(9191);
  const creditNotes: Record<string, unknown>[] = [];
  const invoiceSeq = new Map<string, number>();
  const total = SIZES[world.size].salesOrders;
  // Orders of the last days are confirmed but not yet invoiced, as in any running business.
  const invoiceCutoff = addDays(SEED_TODAY, -3);
  const confirmedByPartner = new Map<number, number>();

  for (const o of world.salesOrders()) {
    const userId = staff.userByEmail.get(o.salespersonEmail) ?? null;
    const termName = staff.termByCompany.get(o.companyIndex)!;
    const date = o.dateOrder.slice(0, 10);
    const invoiced = o.state === 'sale' && date < invoiceCutoff;
    if (o.state === 'sale') confirmedByPartner.set(o.companyIndex, (confirmedByPartner.get(o.companyIndex) ?? 0) + 1);
    let untaxed = 0;
    let tax = 0;
    const lines = o.lines.map((l, k) => {
      const p = productBySku.get(l.sku)!;
      const amounts = lineAmounts(l.quantity, l.priceUnit, l.discount);
      untaxed += amounts.subtotal;
      tax += amounts.tax;
      return {
        order_id: o.index,
        sequence: 10 + k,
        product_id: p.index,
        name: `[${p.sku}] ${p.name}`,
        product_uom_qty: l.quantity,
        product_uom: uomIds.get(p.uom),
        price_unit: l.priceUnit,
        discount: l.discount,
        price_subtotal: amounts.subtotal,
        price_tax: amounts.tax,
        price_total: amounts.total,
        purchase_price: p.cost,
        create_uid: userId,
        write_uid: userId,
        create_date: o.dateOrder,
        write_date: o.dateOrder,
      };
    });
    const amountUntaxed = floatRound(untaxed, 2);
    const amountTax = floatRound(tax, 2);
    const amountTotal = floatRound(amountUntaxed + amountTax, 2);

    let invoiceDate: string | null = null;
    if (invoiced) {
      invoiceDate = addDays(date, o.index % 3);
      if (invoiceDate > addDays(SEED_TODAY, -1)) invoiceDate = addDays(SEED_TODAY, -1);
    }
    order.insert({
      id: o.index,
      name: o.number,
      partner_id: o.companyIndex,
      state: o.state,
      date_order: o.dateOrder,
      user_id: userId,
      team_id: staff.teamByEmail.get(o.salespersonEmail) ?? null,
      payment_term_id: termIds.get(termName),
      currency_id: COMPANY_CURRENCY_ID,
      client_order_ref: o.clientOrderRef,
      amount_untaxed: amountUntaxed,
      amount_tax: amountTax,
      amount_total: amountTotal,
      invoice_status: o.state !== 'sale' ? 'no' : invoiced ? 'invoiced' : 'to invoice',
      create_uid: userId,
      write_uid: userId,
      create_date: o.dateOrder,
      write_date: invoiceDate ? `${invoiceDate} 12:00:00` : o.dateOrder,
    });
    for (const l of lines) line.insert(l);
    if (o.state === 'sale') {
      for (const l of lines) {
        const key = `${o.companyIndex}|${l.product_id}`;
        if (wantedPairs.has(key)) sold.confirmedByPartnerProduct.set(key, [...(sold.confirmedByPartnerProduct.get(key) ?? []), [date, o.index]]);
      }
    }
    if (invoiceDate && userId !== null) {
      const key = `${userId}|${invoiceDate.slice(0, 7)}`;
      sold.invoicedByUserMonth.set(key, (sold.invoicedByUserMonth.get(key) ?? 0) + amountUntaxed);
    }

    if (invoiceDate) {
      const year = invoiceDate.slice(0, 4);
      const n = (invoiceSeq.get(year) ?? 0) + 1;
      invoiceSeq.set(year, n);
      const name = `INV/${year}/${String(n).padStart(5, '0')}`;
      const due = dueDate(invoiceDate, termName);
      const overdueDays = daysBetween(due, SEED_TODAY);
      // Old invoices are mostly paid; the newest mostly still open.
      const [paid, partial] = overdueDays > 30 ? [0.94, 0.03] : overdueDays > 0 ? [0.7, 0.1] : [0.25, 0.1];
      const r = payments.next();
      const dueShare = r < paid ? 0 : r < paid + partial ? payments.float(0.2, 0.8) : 1;
      // About 3% of invoices get a posted credit note (returns, price disputes), a quarter of them in full.
      // It is reconciled against the invoice, as Odoo's "Reverse" does: the invoice owes the rest, a fully
      // reversed one nothing (payment_state `reversed`), and the credit note itself is `paid`.
      const refund = refunds.next() < 0.03 ? (refunds.next() < 0.25 ? 1 : refunds.float(0.1, 0.6)) : 0;
      const refundUntaxed = floatRound(amountUntaxed * refund, 2);
      const refundTax = floatRound(amountTax * refund, 2);
      const refundTotal = floatRound(refundUntaxed + refundTax, 2);
      const owed = floatRound(amountTotal - refundTotal, 2);
      const residual = refund === 1 || dueShare === 0 ? 0 : dueShare === 1 ? owed : floatRound(owed * dueShare, 2);
      const state = refund === 1 ? 'reversed' : dueShare === 0 ? 'paid' : dueShare === 1 && refund === 0 ? 'not_paid' : 'partial';
      const stamp = `${invoiceDate} 12:00:00`;
      const invoiceId = move.insert({
        name,
        move_type: 'out_invoice',
        state: 'posted',
        date: invoiceDate,
        partner_id: o.companyIndex,
        invoice_date: invoiceDate,
        invoice_date_due: due,
        invoice_origin: o.number,
        invoice_user_id: userId,
        invoice_payment_term_id: termIds.get(termName),
        team_id: staff.teamByEmail.get(o.salespersonEmail) ?? null,
        currency_id: COMPANY_CURRENCY_ID,
        amount_untaxed: amountUntaxed,
        amount_tax: amountTax,
        amount_total: amountTotal,
        amount_residual: residual,
        payment_state: state,
        payment_reference: name,
        create_uid: userId,
        write_uid: userId,
        create_date: stamp,
        write_date: stamp,
      });
      if (refund > 0) {
        let refundDate = addDays(invoiceDate, refunds.int(2, 30));
        if (refundDate > addDays(SEED_TODAY, -1)) refundDate = addDays(SEED_TODAY, -1);
        const refundStamp = `${refundDate} 12:00:00`;
        // Odoo's "Total Invoiced" goals count invoices net of credit notes, in the credit note's month.
        if (userId !== null) {
          const key = `${userId}|${refundDate.slice(0, 7)}`;
          sold.invoicedByUserMonth.set(key, (sold.invoicedByUserMonth.get(key) ?? 0) - refundUntaxed);
        }
        creditNotes.push({
          move_type: 'out_refund',
          state: 'posted',
          ref: `Reversal of: ${name}`,
          date: refundDate,
          partner_id: o.companyIndex,
          invoice_date: refundDate,
          invoice_date_due: refundDate,
          invoice_origin: o.number,
          invoice_user_id: userId,
          team_id: staff.teamByEmail.get(o.salespersonEmail) ?? null,
          currency_id: COMPANY_CURRENCY_ID,
          amount_untaxed: refundUntaxed,
          amount_tax: refundTax,
          amount_total: refundTotal,
          amount_residual: 0,
          payment_state: 'paid',
          reversed_entry_id: invoiceId,
          create_uid: userId,
          write_uid: userId,
          create_date: refundStamp,
          write_date: refundStamp,
        });
      }
    }
    if (o.index % 1000 === 0 || o.index === total) progress(o.index, total, 'sales orders and invoices');
  }

  // Credit notes come after the invoices (ids and numbers), numbered per year as Odoo's RINV sequence does.
  const refundSeq = new Map<string, number>();
  for (const note of creditNotes.sort((a, b) => String(a.date).localeCompare(String(b.date)) || Number(a.reversed_entry_id) - Number(b.reversed_entry_id))) {
    const year = String(note.date).slice(0, 4);
    const n = (refundSeq.get(year) ?? 0) + 1;
    refundSeq.set(year, n);
    const name = `RINV/${year}/${String(n).padStart(5, '0')}`;
    move.insert({ ...note, name, payment_reference: name });
  }

  // Delivered goods sit in the customers' location: real quants that qty_available must not count.
  const epoch = `${SEED_TODAY} 06:00:00`;
  db.prepare(
    `INSERT INTO stock_quant (product_id, location_id, quantity, reserved_quantity, in_date, create_uid, write_uid, create_date, write_date)
     SELECT l.product_id, ?, SUM(l.product_uom_qty), 0, ?, ?, ?, ?, ? FROM sale_order_line l JOIN sale_order o ON o.id = l.order_id
     WHERE o.state = 'sale' GROUP BY l.product_id ORDER BY l.product_id`,
  ).run(staff.customersLocationId, epoch, ADMIN_UID, ADMIN_UID, epoch, epoch);
  // Odoo raises a partner's customer rank with each confirmed order.
  const rank = db.prepare(`UPDATE res_partner SET customer_rank = ? WHERE id = ?`);
  for (const [partnerId, confirmed] of confirmedByPartner) rank.run(1 + confirmed, partnerId);
  db.prepare(`INSERT INTO emulator_sequence (code, next) VALUES ('sale.order', ?) ON CONFLICT (code) DO UPDATE SET next = excluded.next`).run(total + 1);
  return sold;
}

/**
 * Monthly invoicing goals per salesperson, as Odoo's "Monthly Sales Targets"
 * challenge creates them: definition "Total Invoiced", one goal per user and
 * month. A rep's goal is an equal share of the team's monthly `invoiced_target`,
 * so the reps' goals add up to the team's.
 */
function seedSalesTargets(world: World, ins: (m: string) => Inserter, staff: Staff, sold: Sold): void {
  const epoch = `${addDays(SEED_TODAY, -900)} 06:00:00`;
  const log = { create_uid: ADMIN_UID, write_uid: ADMIN_UID, create_date: epoch, write_date: epoch };
  const definition = ins('gamification.goal.definition').insert({
    name: 'Total Invoiced',
    description: 'Total invoiced amount (untaxed) this month',
    computation_mode: 'sum',
    monetary: true,
    suffix: '',
    condition: 'higher',
    sequence: 1,
    ...log,
  });
  const goal = ins('gamification.goal');
  const firstMonth = addDays(SEED_TODAY, -731).slice(0, 7);
  const months: string[] = [];
  for (let m = firstMonth; m <= SEED_TODAY.slice(0, 7); m = addDays(`${m}-28`, 7).slice(0, 7)) months.push(m);
  for (const team of world.salesTeams) {
    const reps = world.employees.filter((e) => e.salesTeam === team.name && (e.crmRole === 'Account Executive' || e.crmRole === 'Sales Manager'));
    const share = floatRound(team.invoicedTarget / reps.length, 2);
    for (const rep of reps) {
      const userId = staff.userByEmail.get(rep.workEmail)!;
      for (const month of months) {
        const start = `${month}-01`;
        const end = addDays(`${addDays(`${month}-28`, 7).slice(0, 7)}-01`, -1);
        const current = floatRound(sold.invoicedByUserMonth.get(`${userId}|${month}`) ?? 0, 2);
        const over = end < SEED_TODAY;
        goal.insert({
          definition_id: definition,
          user_id: userId,
          start_date: start,
          end_date: end,
          target_goal: share,
          current,
          state: current >= share ? 'reached' : over ? 'failed' : 'inprogress',
          ...log,
        });
      }
    }
  }
}

const CASE_STAGE: Record<string, string> = { New: 'New', Working: 'In Progress', Escalated: 'In Progress', Closed: 'Solved' };
const CASE_PRIORITY: Record<string, string> = { Low: '0', Medium: '1', High: '2' };

/**
 * Helpdesk tickets for the CRM cases that are about a product: the ERP's
 * record of the complaint or return, pointing back at the Salesforce Case
 * through `x_crm_case_id` and at the latest confirmed order that sold the
 * product to the customer before the case was opened.
 */
function seedHelpdesk(world: World, ins: (m: string) => Inserter, staff: Staff, sold: Sold): void {
  const epoch = `${addDays(SEED_TODAY, -900)} 06:00:00`;
  const log = { create_uid: ADMIN_UID, write_uid: ADMIN_UID, create_date: epoch, write_date: epoch };
  const stage = ins('helpdesk.stage');
  const stageIds = new Map<string, number>();
  [
    ['New', false],
    ['In Progress', false],
    ['On Hold', false],
    ['Solved', true],
    ['Cancelled', true],
  ].forEach(([name, fold], i) => stageIds.set(name as string, stage.insert({ name, sequence: i, fold, active: true, ...log })));
  const ticket = ins('helpdesk.ticket');
  const productBySku = new Map(world.products.map((p) => [p.sku, p]));
  const pick = new Random(5150);
  let n = 0;
  for (const c of world.cases) {
    if (!c.productSku || !pick.chance(0.6)) continue;
    const productId = productBySku.get(c.productSku)!.index;
    const orders = sold.confirmedByPartnerProduct.get(`${c.companyIndex}|${productId}`) ?? [];
    const before = orders.filter(([date]) => date <= c.createdDate);
    const order = before[before.length - 1] ?? null;
    const created = `${c.createdDate} 10:00:00`;
    const userId = staff.userByEmail.get(c.ownerEmail) ?? null;
    const id = ++n;
    ticket.insert({
      id,
      name: c.subject,
      ticket_ref: String(id),
      description: `Opened from CRM case ${c.id} about ${c.productSku}.`,
      partner_id: c.companyIndex,
      user_id: userId,
      stage_id: stageIds.get(CASE_STAGE[c.status]!),
      priority: c.status === 'Escalated' ? '3' : CASE_PRIORITY[c.priority]!,
      product_id: productId,
      sale_order_id: order ? order[1] : null,
      close_date: c.status === 'Closed' ? `${addDays(c.createdDate, 1 + (id % 9))} 16:00:00` : null,
      x_crm_case_id: c.id,
      active: true,
      create_uid: userId ?? ADMIN_UID,
      write_uid: userId ?? ADMIN_UID,
      create_date: created,
      write_date: created,
    });
  }
}
