/**
 * The emulator's behaviour as an Odoo client sees it, checked against the
 * emulator's own SQLite database: domains, ordering and paging, reads and
 * writes, read_group, authentication, errors and the wire protocol.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DB, KEY, startTestOdoo, UID, type TestOdoo } from './helpers.js';

let odoo: TestOdoo;
const sql = <T = any>(query: string, ...params: unknown[]): T[] => odoo.emulator.db.prepare(query).all(...params) as T[];
const ids = (query: string, ...params: unknown[]): number[] => sql<{ id: number }>(query, ...params).map((r) => r.id);

beforeAll(async () => {
  odoo = await startTestOdoo();
});

afterAll(async () => {
  await odoo?.stop();
});

const search = (model: string, domain: unknown[], kwargs: Record<string, unknown> = {}) =>
  odoo.call<number[]>(model, 'search', [domain], { order: 'id', ...kwargs });

describe('domains', () => {
  it('treats a list of conditions as AND and honours prefix | and nesting', async () => {
    expect(
      await search('res.partner', [
        ['is_company', '=', true],
        ['country_id.code', '=', 'DE'],
      ]),
    ).toEqual(
      ids(`SELECT p.id FROM res_partner p JOIN res_country c ON c.id = p.country_id WHERE p.is_company = 1 AND c.code = 'DE' AND p.active = 1 ORDER BY p.id`),
    );
    expect(await search('sale.order', ['|', ['state', '=', 'draft'], ['state', '=', 'sent']])).toEqual(
      ids(`SELECT id FROM sale_order WHERE state IN ('draft', 'sent') ORDER BY id`),
    );
    expect(await search('sale.order', ['&', '|', ['state', '=', 'draft'], ['state', '=', 'cancel'], ['amount_total', '>', 20000]])).toEqual(
      ids(`SELECT id FROM sale_order WHERE state IN ('draft', 'cancel') AND amount_total > 20000 ORDER BY id`),
    );
  });

  it('negates with ! like Odoo: the negated operator, so NULLs match (!= includes empty values)', async () => {
    const all = ids(`SELECT id FROM res_partner WHERE active = 1 ORDER BY id`);
    const notFirst = await search('res.partner', ['!', ['ref', '=', 'C00001']]);
    expect(notFirst).toEqual(ids(`SELECT id FROM res_partner WHERE active = 1 AND (ref IS NULL OR ref != 'C00001') ORDER BY id`));
    expect(notFirst.length).toBe(all.length - 1);
    // De Morgan through '&': not (company and German) = person or not German (countryless included).
    expect(await search('res.partner', ['!', '&', ['is_company', '=', true], ['country_id.code', '=', 'DE']])).toEqual(
      ids(
        `SELECT p.id FROM res_partner p LEFT JOIN res_country c ON c.id = p.country_id WHERE p.active = 1 AND (COALESCE(p.is_company, 0) = 0 OR p.country_id IS NULL OR c.code != 'DE') ORDER BY p.id`,
      ),
    );
  });

  it('compares with false as Odoo does: = False is NULL, != False is NOT NULL', async () => {
    const withoutRef = await search('res.partner', [['ref', '=', false]]);
    const withRef = await search('res.partner', [['ref', '!=', false]]);
    expect(withoutRef).toEqual(ids(`SELECT id FROM res_partner WHERE ref IS NULL AND active = 1 ORDER BY id`));
    expect(withRef).toEqual(ids(`SELECT id FROM res_partner WHERE ref IS NOT NULL AND active = 1 ORDER BY id`));
    expect(withoutRef.length).toBeGreaterThan(0);
    expect(await search('res.partner', [['is_company', '=', false]])).toEqual(
      ids(`SELECT id FROM res_partner WHERE COALESCE(is_company, 0) = 0 AND active = 1 ORDER BY id`),
    );
  });

  it('supports in and not in, with false in the list meaning NULL', async () => {
    expect(await search('sale.order', [['state', 'in', ['draft', 'sent']]])).toEqual(
      ids(`SELECT id FROM sale_order WHERE state IN ('draft', 'sent') ORDER BY id`),
    );
    expect(await search('sale.order', [['state', 'not in', ['sale', 'cancel']]])).toEqual(
      ids(`SELECT id FROM sale_order WHERE state NOT IN ('sale', 'cancel') ORDER BY id`),
    );
    expect(await search('res.partner', [['id', 'in', [3, 99999, 1]]])).toEqual([1, 3]);
    expect(await search('res.partner', [['ref', 'in', ['C00001', false]]])).toEqual(
      ids(`SELECT id FROM res_partner WHERE (ref = 'C00001' OR ref IS NULL) AND active = 1 ORDER BY id`),
    );
    expect(await search('res.partner', [['id', 'in', []]])).toEqual([]);
  });

  it('follows dotted paths through many2one and one2many fields with subqueries', async () => {
    expect(await search('stock.quant', [['location_id.usage', '=', 'internal']])).toEqual(
      ids(`SELECT q.id FROM stock_quant q JOIN stock_location l ON l.id = q.location_id WHERE l.usage = 'internal' ORDER BY q.id`),
    );
    expect(await search('sale.order.line', [['order_id.partner_id.ref', '=', 'C00007']])).toEqual(
      ids(
        `SELECT l.id FROM sale_order_line l JOIN sale_order o ON o.id = l.order_id JOIN res_partner p ON p.id = o.partner_id WHERE p.ref = 'C00007' ORDER BY l.id`,
      ),
    );
    expect(await search('sale.order', [['order_line.product_id.default_code', '=like', 'CP-%']])).toEqual(
      ids(
        `SELECT DISTINCT o.id AS id FROM sale_order o JOIN sale_order_line l ON l.order_id = o.id JOIN product_product p ON p.id = l.product_id WHERE p.default_code LIKE 'CP-%' ORDER BY o.id`,
      ),
    );
    const withPumps = await search('sale.order', [['order_line', 'any', [['product_id.default_code', '=like', 'CP-%']]]]);
    expect(withPumps).toEqual(await search('sale.order', [['order_line.product_id.default_code', '=like', 'CP-%']]));
    expect(await search('sale.order', [['order_line', 'not any', [['product_id.default_code', '=like', 'CP-%']]]])).toEqual(
      ids(`SELECT id FROM sale_order WHERE id NOT IN (SELECT value FROM json_each(?)) ORDER BY id`, JSON.stringify(withPumps)),
    );
    const partnersOfOrders = await search('res.partner', [['sale_order_ids', '!=', false]]);
    expect(partnersOfOrders).toEqual(ids(`SELECT id FROM res_partner WHERE id IN (SELECT partner_id FROM sale_order) AND active = 1 ORDER BY id`));
  });

  it('resolves a name given for a many2one with a name search on the comodel', async () => {
    const [partner] = sql<{ id: number; name: string }>(`SELECT id, name FROM res_partner WHERE ref = 'C00003'`);
    expect(await search('sale.order', [['partner_id', '=', partner!.name]])).toEqual(
      ids(`SELECT id FROM sale_order WHERE partner_id = ? ORDER BY id`, partner!.id),
    );
  });

  it('wraps ilike values in %…% with case folding, keeps % and _ as wildcards, and binds values', async () => {
    const acme = ids(`SELECT id FROM res_partner WHERE lower(name) LIKE '%acme%' AND active = 1 ORDER BY id`);
    expect(acme.length).toBeGreaterThan(0);
    expect(await search('res.partner', [['name', 'ilike', 'ACME']])).toEqual(acme);
    // '_' matches any one character and '%' any run, as in PostgreSQL, where Odoo sends the value unescaped.
    expect(await search('res.partner', [['name', 'ilike', 'a_me']])).toEqual(acme);
    expect(await search('res.partner', [['name', 'ilike', 'ac%e ']])).toEqual(
      ids(`SELECT id FROM res_partner WHERE lower(name) LIKE '%ac%e %' AND active = 1 ORDER BY id`),
    );
    // '\' escapes, so a literal underscore can still be searched.
    expect(await search('res.partner', [['name', 'ilike', 'a\\_me']])).toEqual([]);
    // like is case-sensitive, =ilike is anchored.
    expect(await search('res.partner', [['name', 'like', 'ACME']])).toEqual([]);
    expect(await search('res.partner', [['name', '=ilike', 'acme%']])).toEqual(
      ids(`SELECT id FROM res_partner WHERE lower(name) LIKE 'acme%' AND active = 1 ORDER BY id`),
    );
    expect(await search('res.partner', [['name', 'not ilike', 'acme']])).toEqual(
      ids(`SELECT id FROM res_partner WHERE (name IS NULL OR lower(name) NOT LIKE '%acme%') AND active = 1 ORDER BY id`),
    );
    // A would-be injection is just a value that matches nothing.
    expect(await search('res.partner', [['name', 'ilike', "x' OR '1'='1"]])).toEqual([]);
    expect(await search('res.partner', [['name', '=', "'; DROP TABLE res_partner; --"]])).toEqual([]);
    expect(sql(`SELECT COUNT(*) AS n FROM res_partner`)[0].n).toBeGreaterThan(0);
  });

  it('matches non-ASCII text case-insensitively', async () => {
    const id = await odoo.call<number>('res.partner', 'create', [{ name: 'Müller Gießerei GmbH' }]);
    expect(await search('res.partner', [['name', 'ilike', 'MÜLLER']])).toContain(id);
  });

  it('walks hierarchies with child_of and parent_of', async () => {
    const management = ids(`SELECT id FROM hr_department WHERE parent_id IS NULL`)[0]!;
    expect(await search('hr.department', [['id', 'child_of', management]])).toEqual(ids(`SELECT id FROM hr_department ORDER BY id`));
    const sales = ids(`SELECT id FROM hr_department WHERE name = 'Sales'`)[0]!;
    expect(await search('hr.department', [['id', 'parent_of', sales]])).toEqual([management, sales].sort((a, b) => a - b));
    const ceo = ids(`SELECT id FROM hr_employee WHERE parent_id IS NULL`)[0]!;
    expect((await search('hr.employee', [['parent_id', 'child_of', ceo]])).length).toBe(sql(`SELECT COUNT(*) AS n FROM hr_employee`)[0].n);
    const warehouse = ids(`SELECT id FROM stock_location WHERE complete_name = 'WH'`)[0]!;
    expect(await search('stock.quant', [['location_id', 'child_of', warehouse]])).toEqual(
      ids(`SELECT q.id FROM stock_quant q JOIN stock_location l ON l.id = q.location_id WHERE l.complete_name = 'WH/Stock' ORDER BY q.id`),
    );
    // A name instead of an id is name-searched with ilike, so 'WH' also finds WH2.
    expect(await search('stock.quant', [['location_id', 'child_of', 'WH']])).toEqual(
      ids(`SELECT q.id FROM stock_quant q JOIN stock_location l ON l.id = q.location_id WHERE l.complete_name LIKE 'WH%' ORDER BY q.id`),
    );
  });

  it('adjusts date-only bounds on datetime fields and compares dates as text', async () => {
    expect(
      await search('sale.order', [
        ['date_order', '>', '2026-11-10'],
        ['date_order', '<=', '2026-11-12'],
      ]),
    ).toEqual(ids(`SELECT id FROM sale_order WHERE date_order > '2026-11-10 23:59:59' AND date_order <= '2026-11-12 23:59:59' ORDER BY id`));
    expect(await search('account.move', [['invoice_date_due', '<', '2025-01-01']])).toEqual(
      ids(`SELECT id FROM account_move WHERE invoice_date_due < '2025-01-01' ORDER BY id`),
    );
  });

  it('hides archived records unless the domain or the context asks for them', async () => {
    const archived = ids(`SELECT id FROM res_partner WHERE active = 0`);
    expect(archived.length).toBeGreaterThan(0);
    const visible = await odoo.call<number[]>('res.partner', 'search', [[]]);
    expect(visible).not.toContain(archived[0]);
    expect(await search('res.partner', [['active', '=', false]])).toEqual(archived);
    expect(await odoo.call('res.partner', 'search', [[]], { context: { active_test: false } })).toContain(archived[0]);
  });

  it("rejects what Odoo rejects, with Odoo's messages", async () => {
    const leaf = await odoo.fail('res.partner', 'search', [[['name', '=like']]]);
    expect(leaf.data).toMatchObject({ name: 'builtins.ValueError', message: "Invalid leaf ('name', '=like')" });
    const syntax = await odoo.fail('res.partner', 'search', [['|', ['name', '=', 'a']]]);
    expect(syntax.data.message).toBe("Domain ['|', ['name', '=', 'a']] is syntactically not correct.");
    const dotted = await odoo.fail('res.partner', 'search', [[['country_id.nope', '=', 1]]]);
    expect(dotted.data.message).toBe("Invalid field res.country.nope in leaf ('nope', '=', 1)");
    // Fields are checked before operators, in the leaf as written.
    const negated = await odoo.fail('res.partner', 'search', [['!', ['nope', 'in', [1, 2]]]]);
    expect(negated.data.message).toBe("Invalid field res.partner.nope in leaf ('nope', 'in', [1, 2])");
    expect((await odoo.fail('res.partner', 'search', [[['nope', 'contains', 1]]])).data.message).toBe(
      "Invalid field res.partner.nope in leaf ('nope', 'contains', 1)",
    );
    const quote = await odoo.fail('res.partner', 'search', [[['name', 'contains', "O'Brien"]]]);
    expect(quote.data.message).toBe(`Invalid leaf ('name', 'contains', "O'Brien")`);
  });
});

describe('ordering and paging', () => {
  it('orders by several terms with directions and pages with offset and limit', async () => {
    const expected = ids(`SELECT id FROM res_partner WHERE customer_rank > 0 AND active = 1 ORDER BY customer_rank DESC, name COLLATE NOCASE ASC, id ASC`);
    const all = await odoo.call<number[]>('res.partner', 'search', [[['customer_rank', '>', 0]]], { order: 'customer_rank desc, name' });
    expect(all).toEqual(expected);
    const pages = [];
    for (let offset = 0; offset < expected.length; offset += 50) {
      pages.push(
        ...(await odoo.call<number[]>('res.partner', 'search', [[['customer_rank', '>', 0]]], { order: 'customer_rank desc, name', offset, limit: 50 })),
      );
    }
    expect(pages).toEqual(expected);
  });

  it('orders a many2one by the comodel order and uses the model default order', async () => {
    const byPartner = await odoo.call<{ partner_id: [number, string] }[]>('sale.order', 'search_read', [[]], {
      fields: ['partner_id'],
      order: 'partner_id',
      limit: 40,
    });
    const names = byPartner.map((o) => o.partner_id[1].toLowerCase());
    expect(names).toEqual([...names].sort());
    const newest = await odoo.call<number[]>('sale.order', 'search', [[]], { limit: 5 });
    expect(newest).toEqual(ids(`SELECT id FROM sale_order ORDER BY date_order DESC, id DESC LIMIT 5`));
  });

  it('takes search_read arguments positionally or by name, and refuses both at once', async () => {
    const positional = await odoo.call('res.partner', 'search_read', [[['ref', '!=', false]], ['ref'], 2, 3, 'ref desc']);
    const named = await odoo.call('res.partner', 'search_read', [], {
      domain: [['ref', '!=', false]],
      fields: ['ref'],
      offset: 2,
      limit: 3,
      order: 'ref desc',
    });
    expect(positional).toEqual(named);
    expect((positional as unknown[]).length).toBe(3);
    const both = await odoo.fail('res.partner', 'search_read', [[], ['name']], { fields: ['ref'] });
    expect(both.data).toMatchObject({ name: 'builtins.TypeError', message: "BaseModel.search_read() got multiple values for argument 'fields'" });
    const unknown = await odoo.fail('res.partner', 'search', [[]], { count: true });
    expect(unknown.data.message).toBe("BaseModel.search() got an unexpected keyword argument 'count'");
  });

  it('checks order strings like Odoo', async () => {
    const bad = await odoo.fail('res.partner', 'search', [[]], { order: 'name; DROP TABLE res_partner' });
    expect(bad.data).toMatchObject({ name: 'odoo.exceptions.UserError' });
    expect(bad.data.message).toMatch(/^Invalid "order" specified \(name; DROP TABLE res_partner\)/);
    const unknown = await odoo.fail('res.partner', 'search', [[]], { order: 'nope desc' });
    expect(unknown.data).toMatchObject({ name: 'builtins.ValueError', message: "Invalid field 'nope' on model 'res.partner'" });
  });

  it('treats a limit of 0 or false as no limit, as Odoo does', async () => {
    const total = sql(`SELECT COUNT(*) AS n FROM sale_order`)[0].n;
    expect(await odoo.call<number[]>('sale.order', 'search', [[]], { limit: 0 })).toHaveLength(total);
    expect(await odoo.call<number[]>('sale.order', 'search', [[]], { limit: false, offset: 10 })).toHaveLength(total - 10);
  });

  it('finds records by name with name_search', async () => {
    const [partner] = sql<{ id: number; name: string; ref: string }>(`SELECT id, name, ref FROM res_partner WHERE ref = 'C00004'`);
    expect(await odoo.call('res.partner', 'name_search', [partner!.ref])).toEqual([[partner!.id, partner!.name]]);
    const products = await odoo.call<[number, string][]>('product.product', 'name_search', [], { name: 'CP-1', limit: 3 });
    expect(products).toHaveLength(3);
    for (const [, name] of products) expect(name).toMatch(/^\[CP-1/);
  });

  it('counts like search, with an optional limit', async () => {
    expect(await odoo.call('sale.order', 'search_count', [[['state', '=', 'sale']]])).toBe(
      sql(`SELECT COUNT(*) AS n FROM sale_order WHERE state = 'sale'`)[0].n,
    );
    expect(await odoo.call('sale.order', 'search_count', [[]], { limit: 7 })).toBe(7);
  });
});

describe('reading', () => {
  it('drops missing ids, keeps the requested order and puts id first', async () => {
    const [a, b] = ids(`SELECT id FROM res_partner WHERE ref IS NOT NULL ORDER BY id LIMIT 2`);
    const rows = await odoo.call<Record<string, unknown>[]>('res.partner', 'read', [[b, 99999999, a]], { fields: ['ref', 'name'] });
    expect(rows.map((r) => r.id)).toEqual([b, a]);
    expect(Object.keys(rows[0]!)).toEqual(['id', 'ref', 'name']);
    expect(await odoo.call('res.partner', 'read', [[99999998]], { fields: ['name'] })).toEqual([]);
  });

  it('writes values as Odoo does: false for empty, [id, name] pairs, id lists, numbers and dates', async () => {
    const [order] = await odoo.call<Record<string, any>[]>('sale.order', 'read', [[1]], {});
    expect(order).toMatchObject({ id: 1, name: 'S00001', currency_id: [1, 'EUR'], opportunity_id: false });
    expect(order!.partner_id).toEqual([expect.any(Number), expect.any(String)]);
    expect(order!.order_line).toEqual(ids(`SELECT id FROM sale_order_line WHERE order_id = 1 ORDER BY sequence, id`));
    expect(order!.date_order).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    expect(Object.values(order!)).not.toContain(null);
    const [product] = await odoo.call<Record<string, any>[]>('product.product', 'search_read', [[['default_code', '=', 'CMP-IMP-01']]], {
      fields: ['display_name', 'barcode', 'qty_available', 'product_tmpl_id'],
    });
    expect(product!.display_name).toMatch(/^\[CMP-IMP-01\] /);
    expect(product!.barcode).toBe(false);
    const stock = sql(
      `SELECT SUM(q.quantity) AS n FROM stock_quant q JOIN stock_location l ON l.id = q.location_id WHERE l.usage = 'internal' AND q.product_id = ?`,
      product!.id,
    )[0].n;
    expect(product!.qty_available).toBe(stock);
    expect(product!.product_tmpl_id[1]).toBe(product!.display_name);
  });

  it('returns every field when no field list is given', async () => {
    const [partner] = await odoo.call<Record<string, unknown>[]>('res.partner', 'read', [[1]]);
    const fields = await odoo.call<Record<string, unknown>>('res.partner', 'fields_get', [], { attributes: ['type'] });
    expect(Object.keys(partner!).sort()).toEqual(Object.keys(fields).sort());
  });

  it('describes fields with fields_get', async () => {
    const fields = await odoo.call<Record<string, any>>('sale.order', 'fields_get', [['state', 'partner_id', 'order_line']]);
    expect(fields.state).toMatchObject({ type: 'selection', string: 'Status', selection: expect.arrayContaining([['sale', 'Sales Order']]) });
    expect(fields.partner_id).toMatchObject({ type: 'many2one', relation: 'res.partner', required: true });
    expect(fields.order_line).toMatchObject({ type: 'one2many', relation: 'sale.order.line', relation_field: 'order_id' });
  });
});

describe('writing', () => {
  it('creates, writes and unlinks, keeping write_date current', async () => {
    const id = await odoo.call<number>('res.partner', 'create', [{ name: 'Protocol Test Co', is_company: true, ref: 'PT-1', country_id: 1 }]);
    const [created] = await odoo.call<Record<string, any>[]>('res.partner', 'read', [[id]], {
      fields: ['name', 'ref', 'is_company', 'country_id', 'write_date', 'create_date'],
    });
    expect(created).toMatchObject({ name: 'Protocol Test Co', ref: 'PT-1', is_company: true, country_id: [1, expect.any(String)] });
    const before = created!.write_date as string;
    expect(before >= sql(`SELECT MAX(write_date) AS d FROM sale_order`)[0].d).toBe(true);

    expect(await odoo.call('res.partner', 'write', [[id], { phone: '+1 555 0100', ref: false }])).toBe(true);
    const [written] = await odoo.call<Record<string, any>[]>('res.partner', 'read', [[id]], { fields: ['phone', 'ref', 'write_date'] });
    expect(written).toMatchObject({ phone: '+1 555 0100', ref: false });
    expect(written!.write_date >= before).toBe(true);
    expect(
      await odoo.call('res.partner', 'search', [
        [
          ['write_date', '>=', before],
          ['id', '=', id],
        ],
      ]),
    ).toEqual([id]);

    expect(await odoo.call('res.partner', 'create', [[{ name: 'Batch A' }, { name: 'Batch B' }]])).toEqual([id + 1, id + 2]);
    expect(await odoo.call('res.partner', 'unlink', [[id]])).toBe(true);
    expect(await odoo.call('res.partner', 'read', [[id]], { fields: ['name'] })).toEqual([]);
    const missing = await odoo.fail('res.partner', 'write', [[id], { name: 'x' }]);
    expect(missing.data).toMatchObject({
      name: 'odoo.exceptions.MissingError',
      message: `Record does not exist or has been deleted.\n(Record: res.partner(${id},), User: 2)`,
    });
    expect((await odoo.fail('res.partner', 'unlink', [[id, 99999999]])).data.message).toContain(`res.partner(${id}, 99999999)`);
  });

  it('validates values and required fields like Odoo', async () => {
    expect((await odoo.fail('res.partner', 'create', [{ name: 'x', nope: 1 }])).data.message).toBe("Invalid field 'nope' on model 'res.partner'");
    expect((await odoo.fail('sale.order', 'write', [[1], { state: 'shipped' }])).data.message).toBe("Wrong value for sale.order.state: 'shipped'");
    const required = await odoo.fail('sale.order', 'create', [{}]);
    expect(required.data.name).toBe('odoo.exceptions.ValidationError');
    expect(required.data.message).toContain('Field: Customer (partner_id)');
    const dangling = await odoo.fail('sale.order', 'create', [{ partner_id: 99999999 }]);
    expect(dangling.data.message).toContain('Constraint: sale_order_partner_id_fkey');
    const referenced = await odoo.fail('res.partner', 'unlink', [[sql(`SELECT partner_id AS id FROM sale_order LIMIT 1`)[0].id]]);
    expect(referenced.data.name).toBe('odoo.exceptions.ValidationError');
  });

  it('creates an order with lines, computes 15% tax, recomputes on line changes and confirms it', async () => {
    const products = ids(`SELECT p.id FROM product_product p JOIN product_template t ON t.id = p.product_tmpl_id WHERE t.sale_ok = 1 ORDER BY p.id LIMIT 2`);
    const partner = ids(`SELECT id FROM res_partner WHERE ref = 'C00005'`)[0]!;
    const orderId = await odoo.call<number>('sale.order', 'create', [
      {
        partner_id: partner,
        client_order_ref: 'Q-PROTOCOL-1',
        order_line: [
          [0, 0, { product_id: products[0], product_uom_qty: 2 }],
          [0, 0, { product_id: products[1], product_uom_qty: 1, price_unit: 100, discount: 10 }],
        ],
      },
    ]);
    const [order] = await odoo.call<Record<string, any>[]>('sale.order', 'read', [[orderId]], {
      fields: ['name', 'state', 'amount_untaxed', 'amount_tax', 'amount_total', 'order_line', 'user_id', 'payment_term_id'],
    });
    const listPrice = sql(`SELECT t.list_price AS p FROM product_template t JOIN product_product p ON p.product_tmpl_id = t.id WHERE p.id = ?`, products[0])[0]
      .p;
    const untaxed = Math.round((2 * listPrice + 90) * 100) / 100;
    expect(order).toMatchObject({ state: 'draft', amount_untaxed: untaxed, amount_tax: Math.round(untaxed * 15) / 100 });
    expect(order!.amount_total).toBeCloseTo(untaxed * 1.15, 2);
    expect(order!.name).toBe(`S${String(sql(`SELECT COUNT(*) AS n FROM sale_order`)[0].n).padStart(5, '0')}`);
    expect(order!.user_id[0]).toBe(sql(`SELECT user_id AS u FROM res_partner WHERE id = ?`, partner)[0].u);
    const [line] = await odoo.call<Record<string, any>[]>('sale.order.line', 'read', [[order!.order_line[1]]], {
      fields: ['name', 'price_subtotal', 'price_total'],
    });
    expect(line).toMatchObject({ price_subtotal: 90, price_total: 103.5 });
    expect(line!.name).toMatch(/^\[/);

    await odoo.call('sale.order.line', 'write', [[order!.order_line[1]], { product_uom_qty: 3 }]);
    const [after] = await odoo.call<Record<string, any>[]>('sale.order', 'read', [[orderId]], { fields: ['amount_untaxed'] });
    expect(after!.amount_untaxed).toBeCloseTo(untaxed + 180, 2);
    await odoo.call('sale.order', 'write', [[orderId], { order_line: [[2, order!.order_line[0]]] }]);
    const [removed] = await odoo.call<Record<string, any>[]>('sale.order', 'read', [[orderId]], { fields: ['amount_untaxed', 'order_line'] });
    expect(removed).toMatchObject({ amount_untaxed: 270, order_line: [order!.order_line[1]] });

    expect(await odoo.call('sale.order', 'action_confirm', [[orderId]])).toBe(true);
    const [confirmed] = await odoo.call<Record<string, any>[]>('sale.order', 'read', [[orderId]], { fields: ['state', 'invoice_status'] });
    expect(confirmed).toEqual({ id: orderId, state: 'sale', invoice_status: 'to invoice' });
    const again = await odoo.fail('sale.order', 'action_confirm', [[orderId]]);
    expect(again.data).toMatchObject({ name: 'odoo.exceptions.UserError', message: 'Some orders are not in a state requiring confirmation.' });
    expect((await odoo.fail('sale.order', 'unlink', [[orderId]])).data.name).toBe('odoo.exceptions.UserError');
    expect((await odoo.fail('sale.order.line', 'unlink', [order!.order_line.slice(1)])).data.message).toMatch(
      /^You can not remove an order line once the sales order is confirmed/,
    );
    expect((await odoo.fail('res.partner', 'action_confirm', [[1]])).data.name).toBe('builtins.AttributeError');
  });

  it('keeps product variants and templates together', async () => {
    const productId = await odoo.call<number>('product.product', 'create', [{ name: 'Spare Seal Kit', default_code: 'KIT-001', list_price: 12.5 }]);
    const [product] = await odoo.call<Record<string, any>[]>('product.product', 'read', [[productId]], {
      fields: ['display_name', 'list_price', 'product_tmpl_id', 'uom_id'],
    });
    expect(product).toMatchObject({ display_name: '[KIT-001] Spare Seal Kit', list_price: 12.5, uom_id: [1, 'Units'] });
    await odoo.call('product.product', 'write', [[productId], { list_price: 14 }]);
    const [template] = await odoo.call<Record<string, any>[]>('product.template', 'read', [[product!.product_tmpl_id[0]]], {
      fields: ['list_price', 'default_code', 'product_variant_ids'],
    });
    expect(template).toMatchObject({ list_price: 14, default_code: 'KIT-001', product_variant_ids: [productId] });
    const templateId = await odoo.call<number>('product.template', 'create', [{ name: 'Gasket Set', default_code: 'GS-1' }]);
    expect(await odoo.call('product.product', 'search', [[['product_tmpl_id', '=', templateId]]])).toHaveLength(1);
    expect(await odoo.call('product.product', 'search', [[['default_code', '=', 'GS-1']]])).toHaveLength(1);
  });
});

describe('read_group', () => {
  it('sums by partner like SQL, in partner order, with each group domain selecting its records', async () => {
    const groups = await odoo.call<Record<string, any>[]>('sale.order', 'read_group', [[['state', '=', 'sale']], ['amount_total:sum'], ['partner_id']], {
      lazy: false,
      orderby: 'partner_id',
    });
    const expected = sql<{ id: number; n: number; total: number }>(
      `SELECT partner_id AS id, COUNT(*) AS n, SUM(amount_total) AS total FROM sale_order WHERE state = 'sale' GROUP BY partner_id`,
    );
    expect(groups).toHaveLength(expected.length);
    const byId = new Map(expected.map((e) => [e.id, e]));
    for (const g of groups) {
      const e = byId.get(g.partner_id[0])!;
      expect(g.__count).toBe(e.n);
      expect(g.amount_total).toBeCloseTo(e.total, 2);
      expect(g.__domain).toEqual(['&', ['state', '=', 'sale'], ['partner_id', '=', g.partner_id[0]]]);
    }
    const names = groups.map((g) => g.partner_id[1].toLowerCase());
    expect(names).toEqual([...names].sort());
    const first = groups[0]!;
    expect(await odoo.call('sale.order', 'search_count', [first.__domain])).toBe(first.__count);
  });

  it('groups by month with labels, ranges and domains, and sums match SQL', async () => {
    const groups = await odoo.call<Record<string, any>[]>('sale.order', 'read_group', [[], ['amount_total:sum'], ['date_order:month']], { lazy: false });
    const expected = sql<{ month: string; n: number; total: number }>(
      `SELECT strftime('%Y-%m', date_order) AS month, COUNT(*) AS n, SUM(amount_total) AS total FROM sale_order GROUP BY month ORDER BY month`,
    );
    expect(groups.map((g) => g.__range['date_order:month'].from.slice(0, 7))).toEqual(expected.map((e) => e.month));
    for (const [i, g] of groups.entries()) {
      expect(g.__count).toBe(expected[i]!.n);
      expect(g.amount_total).toBeCloseTo(expected[i]!.total, 2);
    }
    const november = groups.find((g) => g.__range['date_order:month'].from === '2026-11-01 00:00:00')!;
    expect(november).toMatchObject({
      'date_order:month': 'November 2026',
      __domain: ['&', ['date_order', '>=', '2026-11-01 00:00:00'], ['date_order', '<', '2026-12-01 00:00:00']],
      __range: { 'date_order:month': { from: '2026-11-01 00:00:00', to: '2026-12-01 00:00:00' } },
    });
  });

  it('labels other granularities like Odoo and names the count after the field when lazy', async () => {
    const lazy = await odoo.call<Record<string, any>[]>('sale.order', 'read_group', [[], ['amount_total'], ['state', 'partner_id']]);
    expect(Object.keys(lazy[0]!)).toEqual(['state', 'state_count', 'amount_total', '__domain', '__context']);
    expect(lazy[0]!.__context).toEqual({ group_by: ['partner_id'] });
    const invoice = await odoo.call<number>('account.move', 'create', [
      { move_type: 'out_invoice', partner_id: 1, invoice_date: '2026-10-05', amount_total: 10 },
    ]);
    const label = async (g: string) =>
      (
        await odoo.call<Record<string, any>[]>('account.move', 'read_group', [[['id', '=', invoice]], ['amount_total:sum'], [`invoice_date:${g}`]], {
          lazy: false,
        })
      )[0]!;
    expect((await label('day'))['invoice_date:day']).toBe('05 Oct 2026');
    expect((await label('quarter'))['invoice_date:quarter']).toBe('Q4 2026');
    expect((await label('year'))['invoice_date:year']).toBe('2026');
    const week = await label('week');
    expect(week['invoice_date:week']).toBe('W41 2026');
    expect(week.__range['invoice_date:week']).toEqual({ from: '2026-10-05', to: '2026-10-12' });
  });

  it("groups invoices by the customer's commercial entity, counting invoices sent to its contacts", async () => {
    const [customer] = ids(`SELECT id FROM res_partner WHERE ref = 'C00002'`);
    const contact = await odoo.call<number>('res.partner', 'create', [{ name: 'Accounts Payable', parent_id: customer, type: 'invoice' }]);
    await odoo.call('account.move', 'create', [
      { move_type: 'out_invoice', partner_id: contact, invoice_date: '2026-11-01', amount_total: 50, amount_residual: 50 },
    ]);
    const [group] = await odoo.call<Record<string, any>[]>(
      'account.move',
      'read_group',
      [[['commercial_partner_id', '=', customer]], ['amount_residual:sum'], ['commercial_partner_id']],
      { lazy: false },
    );
    const seeded = sql(`SELECT COUNT(*) AS n, SUM(amount_residual) AS due FROM account_move WHERE partner_id = ?`, customer)[0];
    expect(group).toMatchObject({ commercial_partner_id: [customer, expect.any(String)], __count: seeded.n + 1 });
    expect(group!.amount_residual).toBeCloseTo(seeded.due + 50, 2);
  });

  it('signs amounts like Odoo: credit notes and bills negative, invoices positive, summable by read_group', async () => {
    const groups = await odoo.call<Record<string, any>[]>(
      'account.move',
      'read_group',
      [
        [['move_type', 'in', ['out_invoice', 'out_refund']]],
        ['amount_untaxed_signed:sum', 'amount_total_signed:sum', 'amount_residual_signed:sum'],
        ['move_type'],
      ],
      { lazy: false },
    );
    const expected = sql(
      `SELECT move_type, SUM(amount_untaxed) AS untaxed, SUM(amount_total) AS total, SUM(amount_residual) AS residual FROM account_move
       WHERE move_type IN ('out_invoice', 'out_refund') GROUP BY move_type`,
    );
    expect(groups.map((g) => g.move_type).sort()).toEqual(['out_invoice', 'out_refund']);
    for (const e of expected) {
      const g = groups.find((x) => x.move_type === e.move_type)!;
      const sign = e.move_type === 'out_refund' ? -1 : 1;
      expect(g.amount_untaxed_signed).toBeCloseTo(sign * e.untaxed, 2);
      expect(g.amount_total_signed).toBeCloseTo(sign * e.total, 2);
      expect(g.amount_residual_signed).toBeCloseTo(sign * e.residual, 2);
    }
    const [note] = await odoo.call<Record<string, any>[]>('account.move', 'search_read', [[['move_type', '=', 'out_refund']]], {
      fields: ['amount_untaxed', 'amount_untaxed_signed', 'reversed_entry_id'],
      limit: 1,
    });
    expect(note!.amount_untaxed_signed).toBe(-note!.amount_untaxed);
    const reversed = sql(`SELECT i.id, i.name FROM account_move r JOIN account_move i ON i.id = r.reversed_entry_id WHERE r.id = ?`, note!.id)[0];
    expect(note!.reversed_entry_id).toEqual([reversed.id, reversed.name]);
    const bill = await odoo.call<number>('account.move', 'create', [
      { move_type: 'in_invoice', partner_id: 1, invoice_date: '2026-10-05', amount_untaxed: 80 },
    ]);
    const [read] = await odoo.call<Record<string, any>[]>('account.move', 'read', [[bill], ['amount_untaxed_signed', 'reversal_move_id']]);
    expect(read).toMatchObject({ amount_untaxed_signed: -80, reversal_move_id: [] });
  });

  it('orders groups by an aggregate and pages them', async () => {
    const top = await odoo.call<Record<string, any>[]>('account.move', 'read_group', [[['state', '=', 'posted']], ['amount_residual:sum'], ['partner_id']], {
      lazy: false,
      orderby: 'amount_residual desc',
      limit: 3,
      offset: 1,
    });
    const expected = sql(
      `SELECT partner_id AS id FROM account_move WHERE state = 'posted' GROUP BY partner_id ORDER BY SUM(amount_residual) DESC, partner_id LIMIT 3 OFFSET 1`,
    );
    expect(top.map((g) => g.partner_id[0])).toEqual(expected.map((e) => e.id));
    const bad = await odoo.fail('sale.order', 'read_group', [[], ['amount_total:median'], ['partner_id']]);
    expect(bad.data.name).toBe('builtins.ValueError');
  });
});

describe('authentication and services', () => {
  it('answers login and authenticate with the uid, or false for a wrong key', async () => {
    expect((await odoo.rpc('common', 'login', [DB, 'admin', KEY])).body.result).toBe(UID);
    expect((await odoo.rpc('common', 'authenticate', [DB, 'admin', KEY, {}])).body.result).toBe(UID);
    expect((await odoo.rpc('common', 'authenticate', [DB, 'admin', 'nope', {}])).body.result).toBe(false);
    expect((await odoo.rpc('common', 'login', [DB, 'someone', KEY])).body.result).toBe(false);
  });

  it('denies execute_kw with a wrong key or uid, and knows no other database', async () => {
    for (const [uid, key] of [
      [UID, 'wrong'],
      [7, KEY],
    ] as const) {
      const { body } = await odoo.rpc('object', 'execute_kw', [DB, uid, key, 'res.partner', 'search', [[]], {}]);
      expect(body.error).toMatchObject({ code: 200, message: 'Odoo Server Error', data: { name: 'odoo.exceptions.AccessDenied', message: 'Access Denied' } });
    }
    const { body } = await odoo.rpc('object', 'execute_kw', ['other', UID, KEY, 'res.partner', 'search', [[]], {}]);
    expect(body.error!.data.name).toBe('psycopg2.OperationalError');
  });

  it('reports unknown models, methods, services and private methods as Odoo does', async () => {
    expect((await odoo.fail('no.such.model', 'search', [[]])).data).toMatchObject({
      name: 'odoo.exceptions.UserError',
      message: "Object no.such.model doesn't exist",
    });
    expect((await odoo.fail('res.partner', 'copy_data', [[1]])).data.message).toBe("The method 'copy_data' does not exist on the model 'res.partner'");
    expect((await odoo.fail('res.partner', '_search', [[]])).data.name).toBe('odoo.exceptions.AccessError');
    expect((await odoo.rpc('nope', 'version', [])).body.error!.data).toMatchObject({ name: 'builtins.KeyError', message: "'nope'" });
    expect((await odoo.rpc('object', 'execute_foo', [])).body.error!.data.name).toBe('builtins.NameError');
  });

  it('serves the web client routes behind a session, answering code 100 without one', async () => {
    const body = (params: object) => JSON.stringify({ jsonrpc: '2.0', method: 'call', params, id: 9 });
    const expired = await odoo.post('/web/dataset/call_kw', body({ model: 'res.partner', method: 'search_count', args: [[]], kwargs: {} }));
    expect(expired.body.error).toMatchObject({ code: 100, message: 'Odoo Session Expired', data: { name: 'odoo.http.SessionExpiredException' } });
    const login = await odoo.post('/web/session/authenticate', body({ db: DB, login: 'admin', password: KEY }));
    expect(login.body.result).toMatchObject({ uid: UID, db: DB });
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    const counted = await odoo.post(
      '/web/dataset/call_kw/res.partner/search_count',
      body({ model: 'res.partner', method: 'search_count', args: [[]], kwargs: {} }),
      { cookie },
    );
    expect(counted.body.result).toBeGreaterThan(0);
    const denied = await odoo.post('/web/session/authenticate', body({ db: DB, login: 'admin', password: 'nope' }));
    expect(denied.body.error!.data.name).toBe('odoo.exceptions.AccessDenied');
  });
});

describe('the wire protocol', () => {
  it('answers malformed JSON and non-object bodies with an error envelope, never a server error', async () => {
    for (const raw of ['{"jsonrpc": "2.0", "params": ', 'not json', '[1, 2]', '"text"', '']) {
      const { status, body } = await odoo.post('/jsonrpc', raw);
      expect(status).toBe(200);
      expect(body).toMatchObject({
        jsonrpc: '2.0',
        id: null,
        error: { code: 200, message: 'Odoo Server Error', data: { name: 'werkzeug.exceptions.BadRequest' } },
      });
    }
    const missing = await odoo.post('/jsonrpc', JSON.stringify({ jsonrpc: '2.0', method: 'call', params: { service: 'common' }, id: 4 }));
    expect(missing.body).toMatchObject({
      id: 4,
      error: { data: { name: 'builtins.TypeError', message: "jsonrpc() missing 2 required positional arguments: 'method' and 'args'" } },
    });
    const notList = await odoo.rpc('object', 'execute_kw', [DB, UID, KEY, 'res.partner', 'search', 'oops', {}]);
    expect(notList.body.error!.data.name).toBe('builtins.TypeError');
  });

  it('answers other paths and methods with plain HTTP errors', async () => {
    expect((await fetch(`${odoo.emulator.url}/jsonrpc`)).status).toBe(405);
    expect((await fetch(`${odoo.emulator.url}/xmlrpc/2/common`, { method: 'POST' })).status).toBe(404);
  });
});
