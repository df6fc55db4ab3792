/**
 * Replays every recorded Odoo 17 exchange in test/fixtures/odoo-17 (copied from shared/fixtures/odoo-17) against
 * the emulator and compares shapes: the kind of result, the keys of each
 * record and group in Odoo's order, every value against its field's type as
 * Odoo writes it (many2one pair or false, never null; id lists; dates), the
 * read_group domains leaf by leaf, and errors by envelope, exception class
 * and message. Data values differ (demo data vs. the seed world); where a
 * request names demo records, it is pointed at the emulator's own.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURES_DIR, startTestOdoo, type TestOdoo } from './helpers.js';

interface Fixture {
  note: string;
  http_status: number;
  request: { jsonrpc: string; method: string; params: { service: string; method: string; args: any[] }; id: number };
  response: { jsonrpc: string; id: number; result?: any; error?: any };
}

type FieldTypes = Record<string, { type: string; selection?: [string, string][] }>;

const files = readdirSync(FIXTURES_DIR)
  .filter((f) => f.endsWith('.json'))
  .sort();
const fixtures = new Map(files.map((f) => [f, JSON.parse(readFileSync(join(FIXTURES_DIR, f), 'utf8')) as Fixture]));

let odoo: TestOdoo;
/** Partners the write/unlink fixtures act on, and two existing customers for the read fixture. */
let writable: number;
let deletable: number;
let customers: number[];

beforeAll(async () => {
  odoo = await startTestOdoo();
  [writable, deletable] = await odoo.call('res.partner', 'create', [[{ name: 'Contract Write Co' }, { name: 'Contract Unlink Co' }]]);
  customers = await odoo.call('res.partner', 'search', [[['customer_rank', '>', 0]]], { limit: 2, order: 'id' });
});

afterAll(async () => {
  await odoo?.stop();
});

/** Points a recorded request at the emulator's records where it names demo data. */
function adapt(file: string, request: Fixture['request']): Fixture['request'] {
  const r = structuredClone(request);
  const args = r.params.args;
  switch (file) {
    case 'res.partner-write.json':
      args[5][0] = [writable];
      break;
    case 'res.partner-unlink.json':
      args[5][0] = [deletable];
      break;
    case 'res.partner-read-with-missing-id.json':
      // Demo partners 10 and 14 around a missing id: two seeded customers instead.
      args[5][0] = [customers[0], 99999999, customers[1]];
      break;
    case 'res.partner-search_read-or-ilike.json':
      // "Deco Addict" is demo data; the seed world has its own names.
      args[5][0] = ['|', ['name', 'ilike', 'acme'], ['email', 'ilike', 'globex']];
      break;
  }
  return r;
}

async function fieldTypes(model: string): Promise<FieldTypes> {
  return odoo.call(model, 'fields_get', [], { attributes: ['type', 'selection'] });
}

/** Why `value` is not how Odoo writes a `type` field, or null when it is. */
function shapeError(type: string, value: unknown, selection?: [string, string][]): string | null {
  const ok = (() => {
    switch (type) {
      case 'many2one':
        return value === false || (Array.isArray(value) && value.length === 2 && Number.isInteger(value[0]) && typeof value[1] === 'string');
      case 'one2many':
      case 'many2many':
        return Array.isArray(value) && value.every((v) => Number.isInteger(v));
      case 'integer':
        return Number.isInteger(value);
      case 'float':
      case 'monetary':
        return typeof value === 'number' && Number.isFinite(value);
      case 'boolean':
        return typeof value === 'boolean';
      case 'date':
        return value === false || (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value));
      case 'datetime':
        return value === false || (typeof value === 'string' && /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/.test(value));
      case 'selection':
        return value === false || (typeof value === 'string' && (selection ?? []).some(([key]) => key === value));
      default:
        return value === false || typeof value === 'string';
    }
  })();
  return ok ? null : `expected a ${type} value as Odoo writes it, got ${JSON.stringify(value)}`;
}

/** Mismatches between records and the recorded ones: keys in order, then each value against its field type. */
function compareRecords(model: string, types: FieldTypes, recorded: Record<string, unknown>[], actual: Record<string, unknown>[]): string[] {
  const problems: string[] = [];
  if (recorded.length > 0 && actual.length === 0) problems.push(`${model}: Odoo answered ${recorded.length} records, the emulator none`);
  const keys = recorded[0] ? Object.keys(recorded[0]) : [];
  for (const [where, rows] of [
    ['recorded', recorded],
    ['emulator', actual],
  ] as const) {
    for (const row of rows) {
      if (JSON.stringify(Object.keys(row)) !== JSON.stringify(keys))
        problems.push(`${where} ${model} record keys ${JSON.stringify(Object.keys(row))} != ${JSON.stringify(keys)}`);
      for (const [key, value] of Object.entries(row)) {
        const field = types[key];
        if (!field) {
          problems.push(`${where}: ${model}.${key} is not a field of the emulator`);
          continue;
        }
        const error = shapeError(field.type, value, field.selection);
        if (error) problems.push(`${where} ${model}.${key}: ${error}`);
      }
    }
  }
  return problems;
}

/** A domain with values replaced by their JSON type, so that group domains compare by structure. */
function domainShape(domain: unknown): unknown {
  if (!Array.isArray(domain)) return `not a domain: ${JSON.stringify(domain)}`;
  return domain.map((t) => (Array.isArray(t) ? [t[0], t[1], Array.isArray(t[2]) ? 'list' : t[2] === false ? false : typeof t[2]] : t));
}

function compareGroups(model: string, types: FieldTypes, recorded: Record<string, any>[], actual: Record<string, any>[]): string[] {
  const problems: string[] = [];
  if (actual.length === 0) return [`${model}: the emulator answered no groups`];
  const keys = Object.keys(recorded[0]!);
  for (const group of actual) {
    if (JSON.stringify(Object.keys(group)) !== JSON.stringify(keys))
      problems.push(`group keys ${JSON.stringify(Object.keys(group))} != ${JSON.stringify(keys)}`);
    for (const key of keys) {
      const value = group[key];
      const sample = recorded[0]![key];
      if (key === '__domain') {
        if (JSON.stringify(domainShape(value)) !== JSON.stringify(domainShape(sample)))
          problems.push(`__domain ${JSON.stringify(value)} has not the shape of ${JSON.stringify(sample)}`);
      } else if (key === '__range') {
        for (const [rangeKey, range] of Object.entries(value as Record<string, { from: string; to: string }>)) {
          if (!(rangeKey in sample)) problems.push(`__range key ${rangeKey} not in ${JSON.stringify(sample)}`);
          if (!/^\d{4}-\d{2}-\d{2} 00:00:00$/.test(range.from) || !/^\d{4}-\d{2}-\d{2} 00:00:00$/.test(range.to))
            problems.push(`__range ${JSON.stringify(range)}`);
        }
      } else if (key === '__count' || key.endsWith('_count')) {
        if (!Number.isInteger(value) || value < 1) problems.push(`${key} ${JSON.stringify(value)} is not a positive count`);
      } else if (key.includes(':')) {
        // A date group label such as "October 2026".
        if (typeof value !== 'string' || !/^[A-Z][a-z]+ \d{4}$/.test(value)) problems.push(`${key} label ${JSON.stringify(value)}`);
      } else {
        const error = shapeError(types[key]!.type, value);
        if (error) problems.push(`${key}: ${error}`);
      }
    }
  }
  return problems;
}

/** Everything that differs in shape between what Odoo answered and what the emulator answered. */
async function compare(file: string, fixture: Fixture, response: { status: number; body: any }): Promise<string[]> {
  const problems: string[] = [];
  const { request } = fixture;
  const recorded = fixture.response;
  const actual = response.body;
  if (response.status !== fixture.http_status) problems.push(`HTTP ${response.status} != ${fixture.http_status}`);
  if (actual.jsonrpc !== '2.0' || actual.id !== request.id) problems.push(`envelope jsonrpc/id ${actual.jsonrpc}/${actual.id}`);
  if ('error' in recorded) {
    if (!actual.error) return [...problems, `expected an error, got result ${JSON.stringify(actual.result)}`];
    const [r, a] = [recorded.error, actual.error];
    if (a.code !== r.code || a.message !== r.message) problems.push(`error code/message ${a.code}/${a.message}`);
    if (JSON.stringify(Object.keys(a.data)) !== JSON.stringify(Object.keys(r.data))) problems.push(`error data keys ${Object.keys(a.data)}`);
    if (a.data.name !== r.data.name) problems.push(`error name ${a.data.name} != ${r.data.name}`);
    if (a.data.message !== r.data.message) problems.push(`error message ${JSON.stringify(a.data.message)} != ${JSON.stringify(r.data.message)}`);
    if (JSON.stringify(a.data.arguments) !== JSON.stringify(r.data.arguments)) problems.push(`error arguments ${JSON.stringify(a.data.arguments)}`);
    if (typeof a.data.debug !== 'string' || !a.data.debug.trimEnd().endsWith(r.data.debug.trimEnd().split('\n').at(-1)!))
      problems.push(`debug does not end like Odoo's: ${a.data.debug}`);
    if (JSON.stringify(a.data.context) !== JSON.stringify(r.data.context)) problems.push(`error context ${JSON.stringify(a.data.context)}`);
    return problems;
  }
  if ('error' in actual) return [...problems, `expected a result, got ${actual.error.data.name}: ${actual.error.data.message}`];
  const result = actual.result;
  const expected = recorded.result;
  const { service, method, args } = request.params;
  if (service === 'common' && method === 'version') {
    if (JSON.stringify(result) !== JSON.stringify(expected)) problems.push(`version ${JSON.stringify(result)}`);
    return problems;
  }
  if (service === 'common') {
    if (result !== expected) problems.push(`${method} answered ${JSON.stringify(result)}, Odoo ${JSON.stringify(expected)}`);
    return problems;
  }
  const [model, modelMethod] = [args[3] as string, args[4] as string];
  const types = await fieldTypes(model);
  switch (modelMethod) {
    case 'search_read':
    case 'read':
      if (!Array.isArray(result)) return [...problems, `expected a list of records, got ${JSON.stringify(result)}`];
      if (modelMethod === 'read' && result.length !== expected.length) problems.push(`read answered ${result.length} records, Odoo ${expected.length}`);
      return [...problems, ...compareRecords(model, types, expected, result)];
    case 'search':
      if (!Array.isArray(result) || result.length !== expected.length || !result.every((v: unknown) => Number.isInteger(v)))
        problems.push(`search answered ${JSON.stringify(result)}`);
      return problems;
    case 'search_count':
    case 'create':
      if (!Number.isInteger(result) || result <= 0) problems.push(`${modelMethod} answered ${JSON.stringify(result)}`);
      return problems;
    case 'write':
    case 'unlink':
      if (result !== true) problems.push(`${modelMethod} answered ${JSON.stringify(result)}`);
      return problems;
    case 'fields_get':
      if (JSON.stringify(Object.keys(result).sort()) !== JSON.stringify(Object.keys(expected).sort())) problems.push(`fields ${Object.keys(result)}`);
      for (const [name, description] of Object.entries(expected as Record<string, Record<string, unknown>>)) {
        if (JSON.stringify(result[name]) !== JSON.stringify(description))
          problems.push(`${name}: ${JSON.stringify(result[name])} != ${JSON.stringify(description)}`);
      }
      return problems;
    case 'read_group':
      if (!Array.isArray(result)) return [...problems, `expected groups, got ${JSON.stringify(result)}`];
      return [...problems, ...compareGroups(model, types, expected, result)];
    default:
      return [...problems, `no comparison for ${modelMethod}`];
  }
}

describe('recorded Odoo 17 exchanges', () => {
  it('finds the fixtures', () => {
    expect(files.length).toBeGreaterThanOrEqual(30);
  });

  for (const file of files) {
    const fixture = fixtures.get(file)!;
    it(`${file}: ${fixture.note}`, async () => {
      const request = adapt(file, fixture.request);
      const response = await odoo.post('/jsonrpc', JSON.stringify(request));
      expect(await compare(file, fixture, response)).toEqual([]);
    });
  }
});

describe('the comparison itself', () => {
  // A contract test that cannot fail proves nothing: feed it Odoo's own answers, then broken copies.
  const partners = fixtures.get('res.partner-search_read.json')!;

  it('accepts the recorded answer as its own', async () => {
    expect(await compare('res.partner-search_read.json', partners, { status: 200, body: partners.response })).toEqual([]);
  });

  it('rejects null where Odoo writes false, a bare id for a many2one, and a missing key', async () => {
    for (const mutate of [
      (r: any) => (r.result[0].ref = null),
      (r: any) => (r.result[0].property_payment_term_id = 4),
      (r: any) => delete r.result[1].vat,
      (r: any) => (r.result[0].credit_limit = '0'),
      (r: any) => (r.result[0].write_date = '2026-11-27T13:48:22Z'),
    ]) {
      const broken = structuredClone(partners.response);
      mutate(broken);
      expect(await compare('res.partner-search_read.json', partners, { status: 200, body: broken })).not.toEqual([]);
    }
  });

  it('rejects a read_group answer whose count key or domain differs', async () => {
    const byMonth = fixtures.get('sale.order-read_group-by-month.json')!;
    const renamed = structuredClone(byMonth.response);
    renamed.result[0].date_order_count = renamed.result[0].__count;
    delete renamed.result[0].__count;
    expect(await compare('sale.order-read_group-by-month.json', byMonth, { status: 200, body: renamed })).not.toEqual([]);
    const flat = structuredClone(byMonth.response);
    flat.result[0].__domain = flat.result[0].__domain.slice(1);
    expect(await compare('sale.order-read_group-by-month.json', byMonth, { status: 200, body: flat })).not.toEqual([]);
  });
});
