/**
 * Tables, indexes and the emulator's own bookkeeping (meta, sequences), all
 * derived from the model registry. One table per model, named like Odoo's
 * (`res.partner` → `res_partner`), with `AUTOINCREMENT` so that ids are never
 * reused after an unlink, as with PostgreSQL sequences.
 */
import type { Database } from 'better-sqlite3';
import { columnType, isColumn, type ModelDef } from './registry.js';

export function createSchema(db: Database, models: Iterable<ModelDef>): void {
  const statements: string[] = [
    `CREATE TABLE IF NOT EXISTS emulator_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)`,
    `CREATE TABLE IF NOT EXISTS emulator_sequence (code TEXT PRIMARY KEY, next INTEGER NOT NULL)`,
  ];
  for (const model of models) {
    const columns = ['id INTEGER PRIMARY KEY AUTOINCREMENT'];
    for (const f of model.fields.values()) {
      if (f.name !== 'id' && isColumn(f)) columns.push(`"${f.name}" ${columnType(f)}`);
      if (f.m2mTable) {
        const { table, column1, column2 } = f.m2mTable;
        statements.push(
          `CREATE TABLE IF NOT EXISTS ${table} ("${column1}" INTEGER NOT NULL, "${column2}" INTEGER NOT NULL, PRIMARY KEY ("${column1}", "${column2}"))`,
          `CREATE INDEX IF NOT EXISTS ${table}__${column2} ON ${table} ("${column2}")`,
        );
      }
    }
    statements.push(`CREATE TABLE IF NOT EXISTS ${model.table} (${columns.join(', ')})`);
  }
  db.exec(statements.join(';\n'));
}

/** Indexes are built after seeding: filling unindexed tables and indexing once is several times faster. */
export function createIndexes(db: Database, models: Iterable<ModelDef>): void {
  const statements: string[] = [];
  for (const model of models) {
    for (const f of model.fields.values()) {
      if (f.index && isColumn(f)) statements.push(`CREATE INDEX IF NOT EXISTS ${model.table}__${f.name} ON ${model.table} ("${f.name}")`);
    }
  }
  // Odoo's `sale.order` list and the connectors read "newest first".
  statements.push(`CREATE INDEX IF NOT EXISTS sale_order__date_order_id ON sale_order (date_order DESC, id DESC)`);
  statements.push(`CREATE INDEX IF NOT EXISTS sale_order_line__order_seq ON sale_order_line (order_id, sequence, id)`);
  db.exec(statements.join(';\n'));
}

export function getMeta(db: Database, key: string): string | undefined {
  const row = db.prepare('SELECT value FROM emulator_meta WHERE key = ?').get(key) as { value: string } | undefined;
  return row?.value;
}

export function setMeta(db: Database, key: string, value: string): void {
  db.prepare('INSERT INTO emulator_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(key, value);
}

/** Next number of an Odoo-style sequence (`ir.sequence`), e.g. sales order numbers. */
export function nextSequence(db: Database, code: string, fallbackStart: () => number): number {
  const row = db.prepare('SELECT next FROM emulator_sequence WHERE code = ?').get(code) as { next: number } | undefined;
  const value = row?.next ?? fallbackStart();
  db.prepare('INSERT INTO emulator_sequence (code, next) VALUES (?, ?) ON CONFLICT (code) DO UPDATE SET next = excluded.next').run(code, value + 1);
  return value;
}
