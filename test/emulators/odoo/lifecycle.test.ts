/**
 * The emulator as a process: what the seed puts in the database (from the
 * shared world, deterministically), keeping data across restarts, the call
 * counter and latency under /__emulator/, and the entry point's settings.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadOdooEmulatorConfig } from '../../../emulators/odoo/config.js';
import { MODELS } from '../../../emulators/odoo/models.js';
import { createSchema, setMeta } from '../../../emulators/odoo/schema.js';
import { ODOO_SCHEMA_VERSION, openOdooDatabase, startOdooEmulator } from '../../../emulators/odoo/server.js';
import { buildWorld, SEED_TODAY } from '../../../emulators/seed/world.js';
import { repoRoot } from '../../../lib/subgraphSchemas.js';
import { DB, KEY, startTestOdoo, tempDir, UID, type TestOdoo } from './helpers.js';

const world = buildWorld('small');
const orders = [...world.salesOrders()];

/** Every table, row by row, as one comparable value. */
function dump(db: BetterSqlite3.Database): Record<string, unknown[]> {
  const tables = (db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`).all() as { name: string }[]).map(
    (t) => t.name,
  );
  return Object.fromEntries(tables.map((t) => [t, db.prepare(`SELECT * FROM ${t} ORDER BY 1, 2`).all()]));
}

describe('seeding', () => {
  const dir = tempDir();
  let db: BetterSqlite3.Database;
  const progress: [number, number, string][] = [];

  beforeAll(() => {
    db = openOdooDatabase({ dbPath: join(dir, 'a.sqlite'), seedSize: 'small', onSeedProgress: (done, total, label) => progress.push([done, total, label]) });
  });

  afterAll(() => {
    db?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const sql = <T = any>(query: string, ...params: unknown[]): T[] => db.prepare(query).all(...params) as T[];
  const one = (query: string, ...params: unknown[]) => Object.values(sql(query, ...params)[0] as object)[0];

  it('is deterministic: two fresh databases hold exactly the same rows', () => {
    const other = openOdooDatabase({ dbPath: join(dir, 'b.sqlite'), seedSize: 'small' });
    try {
      expect(dump(other)).toEqual(dump(db));
    } finally {
      other.close();
    }
  });

  it('reports progress per phase, ending each at its total', () => {
    const labels = [...new Set(progress.map((p) => p[2]))];
    expect(labels).toEqual(['contacts', 'products and stock', 'sales orders and invoices']);
    for (const label of labels) {
      const last = progress.filter((p) => p[2] === label).at(-1)!;
      expect(last[0]).toBe(last[1]);
    }
  });

  it('makes every ERP company a customer with the world’s number, terms, limit and salesperson', () => {
    const customers = world.companies.filter((c) => c.inErp);
    expect(one(`SELECT COUNT(*) FROM res_partner WHERE ref IS NOT NULL`)).toBe(customers.length);
    const rows = sql<{ id: number; ref: string; name: string; customer_rank: number; credit_limit: number; term: string; login: string; code: string }>(
      `SELECT p.id, p.ref, p.name, p.customer_rank, p.credit_limit, t.name AS term, u.login, c.code FROM res_partner p
       JOIN account_payment_term t ON t.id = p.property_payment_term_id JOIN res_users u ON u.id = p.user_id JOIN res_country c ON c.id = p.country_id
       WHERE p.ref IS NOT NULL ORDER BY p.id`,
    );
    expect(rows.map((r) => [r.id, r.ref, r.name, r.credit_limit, r.term, r.login, r.code])).toEqual(
      customers.map((c) => [c.index, c.erpNumber, c.name, c.creditLimit, c.paymentTerm, c.ownerEmail, c.countryCode]),
    );
    expect(rows.every((r) => r.customer_rank > 0)).toBe(true);
  });

  it('gives every employee a user and an hr.employee with the work e-mail, manager and department', () => {
    const rows = sql<{ id: number; work_email: string; login: string; manager: string | null; department: string }>(
      `SELECT e.id, e.work_email, u.login, m.work_email AS manager, d.name AS department FROM hr_employee e JOIN res_users u ON u.id = e.user_id
       LEFT JOIN hr_employee m ON m.id = e.parent_id JOIN hr_department d ON d.id = e.department_id ORDER BY e.id`,
    );
    expect(rows.map((r) => [r.id, r.work_email, r.login, r.manager, r.department])).toEqual(
      world.employees.map((e) => [e.index, e.workEmail, e.workEmail, e.managerEmail, e.department]),
    );
    for (const team of world.salesTeams) {
      const members = sql<{ login: string }>(
        `SELECT u.login FROM crm_team_member m JOIN crm_team t ON t.id = m.crm_team_id JOIN res_users u ON u.id = m.user_id WHERE t.name = ? ORDER BY u.login`,
        team.name,
      ).map((r) => r.login);
      const reps = world.employees.filter((e) => e.salesTeam === team.name && (e.crmRole === 'Account Executive' || e.crmRole === 'Sales Manager'));
      expect(members).toEqual(reps.map((e) => e.workEmail).sort());
    }
  });

  it('seeds products one template per variant, multi-level BOMs and stock per location', () => {
    expect(one(`SELECT COUNT(*) FROM product_product`)).toBe(world.products.length);
    expect(one(`SELECT COUNT(*) FROM product_template`)).toBe(world.products.length);
    expect(one(`SELECT COUNT(*) FROM mrp_bom`)).toBe(world.products.filter((p) => p.bom).length);
    // A finished product's BOM holds a subassembly that has a BOM of its own.
    expect(
      one(`SELECT COUNT(*) FROM mrp_bom_line l JOIN product_product p ON p.id = l.product_id JOIN mrp_bom b ON b.product_tmpl_id = p.product_tmpl_id`),
    ).toBeGreaterThan(0);
    const internal = world.products.reduce((n, p) => n + Object.keys(p.stock).length, 0);
    expect(one(`SELECT COUNT(*) FROM stock_quant q JOIN stock_location l ON l.id = q.location_id WHERE l.usage = 'internal'`)).toBe(internal);
    expect(one(`SELECT COUNT(*) FROM stock_quant q JOIN stock_location l ON l.id = q.location_id WHERE l.usage = 'customer'`)).toBeGreaterThan(0);
  });

  it('seeds every world order with its lines, and totals that add up with 15% tax', () => {
    expect(one(`SELECT COUNT(*) FROM sale_order`)).toBe(orders.length);
    expect(one(`SELECT COUNT(*) FROM sale_order_line`)).toBe(orders.reduce((n, o) => n + o.lines.length, 0));
    const mismatched = sql(
      `SELECT o.id FROM sale_order o JOIN sale_order_line l ON l.order_id = o.id GROUP BY o.id
       HAVING ABS(o.amount_untaxed - SUM(l.price_subtotal)) > 0.005 OR ABS(o.amount_tax - ROUND(SUM(l.price_tax), 2)) > 0.005 OR ABS(o.amount_total - o.amount_untaxed - o.amount_tax) > 0.005`,
    );
    expect(mismatched).toEqual([]);
    expect(one(`SELECT COUNT(*) FROM sale_order WHERE client_order_ref IS NOT NULL`)).toBe(orders.filter((o) => o.clientOrderRef).length);
  });

  it('invoices confirmed orders, old ones mostly paid and the newest mostly open', () => {
    expect(one(`SELECT COUNT(*) FROM account_move m JOIN sale_order o ON o.name = m.invoice_origin WHERE o.state != 'sale'`)).toBe(0);
    const confirmed = orders.filter((o) => o.state === 'sale').length;
    const invoiced = one(`SELECT COUNT(*) FROM account_move WHERE move_type = 'out_invoice' AND state = 'posted'`) as number;
    expect(invoiced).toBeGreaterThan(confirmed * 0.95);
    expect(invoiced).toBeLessThanOrEqual(confirmed);
    const share = (where: string, state: string) => one(`SELECT AVG(payment_state = ?) FROM account_move WHERE ${where}`, state) as number;
    expect(share(`invoice_date_due < date('${SEED_TODAY}', '-30 days')`, 'paid')).toBeGreaterThan(0.85);
    expect(share(`invoice_date_due >= '${SEED_TODAY}'`, 'not_paid')).toBeGreaterThan(0.5);
    expect(sql(`SELECT DISTINCT payment_state FROM account_move ORDER BY 1`).map((r) => r.payment_state)).toEqual(['not_paid', 'paid', 'partial', 'reversed']);
    expect(
      one(
        `SELECT COUNT(*) FROM account_move WHERE (payment_state = 'paid' AND amount_residual != 0) OR (payment_state = 'not_paid' AND amount_residual != amount_total) OR (payment_state = 'partial' AND (amount_residual <= 0 OR amount_residual >= amount_total))`,
      ),
    ).toBe(0);
    expect(sql(`SELECT name FROM account_move ORDER BY id LIMIT 1`)[0].name).toMatch(/^INV\/\d{4}\/00001$/);
  });

  it('refunds about 3% of invoices with posted credit notes that reverse them, in part or in full', () => {
    const invoices = one(`SELECT COUNT(*) FROM account_move WHERE move_type = 'out_invoice'`) as number;
    const notes = sql(
      `SELECT r.name, r.amount_untaxed, r.amount_total, r.amount_residual, r.payment_state, r.state, r.invoice_date >= i.invoice_date AS later,
              r.partner_id = i.partner_id AS same_partner, i.move_type AS reversed_type, i.amount_untaxed AS invoice_untaxed, i.amount_total AS invoice_total,
              i.amount_residual AS invoice_residual, i.payment_state AS invoice_state
       FROM account_move r JOIN account_move i ON i.id = r.reversed_entry_id WHERE r.move_type = 'out_refund' ORDER BY r.id`,
    );
    expect(one(`SELECT COUNT(*) FROM account_move WHERE move_type = 'out_refund'`)).toBe(notes.length);
    expect(notes.length).toBeGreaterThan(invoices * 0.015);
    expect(notes.length).toBeLessThan(invoices * 0.05);
    for (const n of notes) {
      expect(n).toMatchObject({ state: 'posted', later: 1, same_partner: 1, reversed_type: 'out_invoice', payment_state: 'paid', amount_residual: 0 });
      expect(n.name).toMatch(/^RINV\/\d{4}\/\d{5}$/);
      expect(n.amount_untaxed).toBeGreaterThan(0);
      expect(n.amount_untaxed).toBeLessThanOrEqual(n.invoice_untaxed);
      // A full refund reverses the invoice; a partial one leaves at most the rest owed.
      if (n.amount_total === n.invoice_total) expect(n).toMatchObject({ invoice_state: 'reversed', invoice_residual: 0 });
      else expect(n.invoice_residual).toBeLessThanOrEqual(n.invoice_total - n.amount_total + 0.005);
    }
    expect(notes.some((n) => n.invoice_state === 'reversed')).toBe(true);
    expect(notes.some((n) => n.invoice_state !== 'reversed')).toBe(true);
  });
});

describe('a database across restarts', () => {
  it('keeps its data and is never seeded twice', async () => {
    const dir = tempDir();
    try {
      const first = await startTestOdoo({ dir });
      const id = await first.call<number>('res.partner', 'create', [{ name: 'Survives Restarts Ltd' }]);
      const orderCount = await first.call<number>('sale.order', 'search_count', [[]]);
      await first.stop();

      let progressCalls = 0;
      const second = await startTestOdoo({ dir, seedSize: 'large', onSeedProgress: () => progressCalls++ });
      expect(progressCalls).toBe(0);
      expect(second.emulator.seedSize).toBe('small');
      expect(await second.call('res.partner', 'read', [[id]], { fields: ['name'] })).toEqual([{ id, name: 'Survives Restarts Ltd' }]);
      expect(await second.call('sale.order', 'search_count', [[]])).toBe(orderCount);
      expect(second.emulator.db.pragma('journal_mode', { simple: true })).toBe('wal');
      await second.stop();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a database that holds data it did not seed', async () => {
    const dir = tempDir();
    try {
      const path = join(dir, 'odoo.sqlite');
      const db = new BetterSqlite3(path);
      createSchema(db, MODELS.values());
      db.prepare(`INSERT INTO res_partner (name) VALUES ('Stranger')`).run();
      db.close();
      await expect(startOdooEmulator({ dbPath: path, port: 0 })).rejects.toThrow(/no seed marker/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses, with what to do, a database seeded by an emulator of an older schema', async () => {
    const dir = tempDir();
    try {
      const path = join(dir, 'odoo.sqlite');
      openOdooDatabase({ dbPath: path }).close();
      // As a file from before schema versions were recorded: seeded, no version.
      const db = new BetterSqlite3(path);
      setMeta(db, 'schema_version', '1');
      db.close();
      await expect(startOdooEmulator({ dbPath: path, port: 0 })).rejects.toThrow(
        `has schema version 1, but this emulator needs version ${ODOO_SCHEMA_VERSION}; run \`npm run seed -- --force\``,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('diagnostics', () => {
  let odoo: TestOdoo;

  beforeAll(async () => {
    odoo = await startTestOdoo({ latencyMs: 0 });
  });

  afterAll(async () => {
    await odoo?.stop();
  });

  const diag = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${odoo.emulator.url}/__emulator/${path}`, { method, body: body === undefined ? undefined : JSON.stringify(body) });
    return { status: response.status, body: (await response.json()) as any };
  };

  it('counts every native call by model and method, and resets', async () => {
    await diag('DELETE', 'calls');
    await odoo.rpc('common', 'authenticate', [DB, 'admin', KEY, {}]);
    await odoo.rpc('common', 'version', []);
    await odoo.call('res.partner', 'search', [[]], { limit: 1 });
    await odoo.call('res.partner', 'search', [[]], { limit: 1 });
    await odoo.rpc('object', 'execute_kw', [DB, UID, 'wrong', 'sale.order', 'read', [[1]], {}]);
    expect((await diag('GET', 'calls')).body).toEqual({
      total: 5,
      calls: { 'common.authenticate': 1, 'common.version': 1, 'res.partner.search': 2, 'sale.order.read': 1 },
    });
    expect(odoo.emulator.calls.snapshot().total).toBe(5);
    expect((await diag('DELETE', 'calls')).body).toEqual({ total: 0, calls: {} });
    expect(odoo.emulator.calls.snapshot().total).toBe(0);
  });

  it('delays every call by the configured latency', async () => {
    expect((await diag('PUT', 'latency', { ms: 150 })).body).toEqual({ ms: 150 });
    expect((await diag('GET', 'latency')).body).toEqual({ ms: 150 });
    const started = performance.now();
    await odoo.rpc('common', 'version', []);
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
    expect((await diag('PUT', 'latency', { ms: -1 })).status).toBe(400);
    await diag('PUT', 'latency', { ms: 0 });
    expect(odoo.emulator.latency.ms).toBe(0);
  });

  it('takes its initial latency from the options', async () => {
    const slow = await startTestOdoo({ latencyMs: 120 });
    try {
      const started = performance.now();
      await slow.rpc('common', 'version', []);
      expect(performance.now() - started).toBeGreaterThanOrEqual(110);
    } finally {
      await slow.stop();
    }
  });
});

describe('settings of the entry point', () => {
  it('defaults to port 8069, data/odoo.sqlite, the small seed and no latency', () => {
    expect(loadOdooEmulatorConfig({})).toEqual({
      port: 8069,
      host: '127.0.0.1',
      dbPath: join(repoRoot, 'data/odoo.sqlite'),
      seedSize: 'small',
      latencyMs: 0,
      seedProgress: 'auto',
      database: 'odoo',
      login: 'admin',
      apiKey: KEY,
      faults: [],
    });
    expect(loadOdooEmulatorConfig({ ODOO_EMULATOR_PORT: '0', SEED_SIZE: 'large', EMULATOR_LATENCY_MS: '25', ODOO_EMULATOR_DB: '/tmp/x.sqlite' })).toMatchObject(
      {
        port: 0,
        seedSize: 'large',
        latencyMs: 25,
        dbPath: '/tmp/x.sqlite',
      },
    );
  });

  it('names the setting whose value is wrong', () => {
    expect(() => loadOdooEmulatorConfig({ ODOO_EMULATOR_PORT: 'eighty' })).toThrow(/ODOO_EMULATOR_PORT/);
    expect(() => loadOdooEmulatorConfig({ ODOO_EMULATOR_PORT: '70000' })).toThrow(/ODOO_EMULATOR_PORT/);
    expect(() => loadOdooEmulatorConfig({ SEED_SIZE: 'medium' })).toThrow(/SEED_SIZE/);
    expect(() => loadOdooEmulatorConfig({ EMULATOR_LATENCY_MS: '-5' })).toThrow(/EMULATOR_LATENCY_MS/);
    expect(() => loadOdooEmulatorConfig({ SEED_PROGRESS: 'sometimes' })).toThrow(/SEED_PROGRESS/);
  });
});
