/**
 * Reading Odoo field values into plain TypeScript values. Odoo writes an empty
 * field as `false` (never `null`), a many2one as `[id, "display name"]`, and
 * datetimes as UTC `YYYY-MM-DD HH:MM:SS` without a zone. A value of the wrong
 * shape is a protocol fault, reported with the model and field it came from.
 */
import { OdooProtocolError } from '../../../../lib/native/odooClient.js';

export type OdooRow = Record<string, unknown>;

export interface Many2one {
  id: number;
  name: string;
}

/** Reads one row's fields; every accessor names the model and field when the value is not what Odoo promises. */
export class RowReader {
  constructor(
    private readonly model: string,
    private readonly row: OdooRow,
  ) {}

  id(): number {
    const value = this.row.id;
    if (typeof value !== 'number' || !Number.isInteger(value)) this.fail('id', value, 'an integer id');
    return value;
  }

  /** A char/text/selection field; `false` becomes null. */
  string(field: string): string | null {
    const value = this.get(field);
    if (value === false || value === null) return null;
    if (typeof value !== 'string') this.fail(field, value, 'a string or false');
    return value;
  }

  requiredString(field: string): string {
    const value = this.string(field);
    if (value === null) this.fail(field, this.get(field), 'a string');
    return value;
  }

  /** A selection field that must hold one of the values this code knows. */
  oneOf<T extends string>(field: string, allowed: readonly T[]): T {
    const value = this.string(field);
    if (value === null || !(allowed as readonly string[]).includes(value))
      this.fail(field, value ?? false, `one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}`);
    return value as T;
  }

  /** A float/integer/monetary field; Odoo writes 0 rather than false for those, but tolerate false. */
  number(field: string): number {
    const value = this.get(field);
    if (value === false) return 0;
    if (typeof value !== 'number' || !Number.isFinite(value)) this.fail(field, value, 'a number');
    return value;
  }

  boolean(field: string): boolean {
    const value = this.get(field);
    if (typeof value !== 'boolean') this.fail(field, value, 'true or false');
    return value;
  }

  /** A many2one field; `false` becomes null. */
  many2one(field: string): Many2one | null {
    const value = this.get(field);
    if (value === false || value === null) return null;
    if (!Array.isArray(value) || value.length !== 2 || typeof value[0] !== 'number' || typeof value[1] !== 'string') {
      this.fail(field, value, 'a pair [id, "display name"] or false');
    }
    return { id: value[0], name: value[1] };
  }

  requiredMany2one(field: string): Many2one {
    const value = this.many2one(field);
    if (value === null) this.fail(field, false, 'a pair [id, "display name"]');
    return value;
  }

  /** A one2many or many2many field, which reads as a list of ids. */
  ids(field: string): number[] {
    const value = this.get(field);
    if (!Array.isArray(value) || !value.every((v) => typeof v === 'number' && Number.isInteger(v))) this.fail(field, value, 'a list of ids');
    return value as number[];
  }

  /**
   * The first day of a `read_group` date group, from `__range` (Odoo 17), e.g.
   * `rangeStart('invoice_date:month')` → `2026-10-01`; null for the group of records without a date.
   */
  rangeStart(groupby: string): string | null {
    const ranges = this.get('__range');
    if (typeof ranges !== 'object' || ranges === null || Array.isArray(ranges)) this.fail('__range', ranges, 'an object of date ranges');
    const range = (ranges as Record<string, unknown>)[groupby];
    if (range === false || range === undefined) return null;
    const from = typeof range === 'object' && range !== null ? (range as Record<string, unknown>).from : undefined;
    if (typeof from !== 'string' || !/^\d{4}-\d{2}-\d{2}/.test(from)) this.fail('__range', ranges, `a range with a "from" date for ${groupby}`);
    return from.slice(0, 10);
  }

  /** A datetime field, UTC without a zone in Odoo; returned as ISO 8601 with `Z`. */
  dateTime(field: string): string | null {
    const value = this.string(field);
    if (value === null) return null;
    const match = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})$/.exec(value);
    if (!match) this.fail(field, value, 'a UTC datetime "YYYY-MM-DD HH:MM:SS"');
    return `${match[1]}T${match[2]}Z`;
  }

  requiredDateTime(field: string): string {
    const value = this.dateTime(field);
    if (value === null) this.fail(field, false, 'a UTC datetime "YYYY-MM-DD HH:MM:SS"');
    return value;
  }

  /** A date field, `YYYY-MM-DD` in Odoo and in GraphQL alike. */
  date(field: string): string | null {
    const value = this.string(field);
    if (value === null) return null;
    if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) this.fail(field, value, 'a date "YYYY-MM-DD"');
    return value;
  }

  private get(field: string): unknown {
    if (!(field in this.row)) this.fail(field, undefined, 'the field to be present, as it was requested');
    return this.row[field];
  }

  private fail(field: string, value: unknown, expected: string): never {
    const got = value === undefined ? 'nothing' : JSON.stringify(value);
    throw new OdooProtocolError(`Expected ${this.model}.${field} to be ${expected}, but Odoo answered ${got} (record ${JSON.stringify(this.row.id)}).`);
  }
}

/** Reads the list of rows that search_read and read answer with. */
export function rowsOf(model: string, method: string, result: unknown): RowReader[] {
  if (!Array.isArray(result) || !result.every((r) => typeof r === 'object' && r !== null && !Array.isArray(r))) {
    throw new OdooProtocolError(`Expected ${model}.${method} to answer a list of records, but Odoo answered ${preview(result)}.`);
  }
  return (result as OdooRow[]).map((row) => new RowReader(model, row));
}

export function integerOf(model: string, method: string, result: unknown): number {
  if (typeof result !== 'number' || !Number.isInteger(result) || result < 0) {
    throw new OdooProtocolError(`Expected ${model}.${method} to answer a non-negative integer, but Odoo answered ${preview(result)}.`);
  }
  return result;
}

/**
 * The last segment of a hierarchical display name: Odoo shows categories and
 * departments by their full path ("All / Pumps", "Management / Sales"), while
 * the graph exposes the record's own name.
 */
export function leafName(displayName: string): string {
  const parts = displayName.split(' / ');
  return parts[parts.length - 1] ?? displayName;
}

function preview(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 120 ? `${text.slice(0, 120)}…` : text;
}
