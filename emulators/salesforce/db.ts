/**
 * The emulator's SQLite file: one table per sObject (named after it, one column
 * per field), plus bookkeeping tables that start with an underscore, a name no
 * sObject can have.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { isIdType, isTextType, type FieldDef, type ObjectDef, type Registry } from './metadata.js';

/** Bumped whenever the table layout changes, so an old file is refused rather than misread. */
export const SCHEMA_VERSION = '1';

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

function columnType(f: FieldDef): string {
  if (f.type === 'id') return 'TEXT PRIMARY KEY';
  if (f.type === 'boolean') return 'INTEGER NOT NULL DEFAULT 0';
  if (f.type === 'int') return 'INTEGER';
  if (f.type === 'double' || f.type === 'currency' || f.type === 'percent') return 'REAL';
  // SOQL compares and sorts text case-insensitively; ids stay case-sensitive.
  if (isTextType(f.type)) return 'TEXT COLLATE NOCASE';
  return 'TEXT';
}

function indexedFields(o: ObjectDef): FieldDef[] {
  return o.fields.filter(
    (f) =>
      (isIdType(f.type) && f.type !== 'id') ||
      f.externalId ||
      f.unique ||
      f.nameField ||
      ['Email', 'ProductCode', 'StageName', 'CloseDate', 'Status', 'CreatedDate', 'SystemModstamp'].includes(f.name),
  );
}

export function openDatabase(path: string): Database.Database {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  return db;
}

export function ensureSchema(db: Database.Database, registry: Registry): void {
  db.exec(`
    CREATE TABLE IF NOT EXISTS _meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE IF NOT EXISTS _sequence (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
    CREATE TABLE IF NOT EXISTS _session (token TEXT PRIMARY KEY, user_id TEXT NOT NULL, client_id TEXT NOT NULL, issued_at INTEGER NOT NULL);
  `);
  const version = getMeta(db, 'schema_version');
  if (version !== undefined && version !== SCHEMA_VERSION) {
    throw new Error(
      `The Salesforce emulator database has schema version ${version}, but this emulator needs version ${SCHEMA_VERSION}; delete the file to have it re-created and re-seeded.`,
    );
  }
  const create = db.transaction(() => {
    for (const o of registry.objects) {
      const cols = o.fields.map((f) => `${quoteIdent(f.name)} ${columnType(f)}`).join(', ');
      db.exec(`CREATE TABLE IF NOT EXISTS ${quoteIdent(o.name)} (${cols})`);
      for (const f of indexedFields(o)) {
        if (f.type === 'id') continue;
        db.exec(`CREATE INDEX IF NOT EXISTS ${quoteIdent(`ix_${o.name}_${f.name}`)} ON ${quoteIdent(o.name)} (${quoteIdent(f.name)})`);
      }
    }
    setMeta(db, 'schema_version', SCHEMA_VERSION);
  });
  create();
}

export function getMeta(db: Database.Database, key: string): string | undefined {
  const row = db.prepare('SELECT value FROM _meta WHERE key = ?').get(key) as { value: string } | undefined;
  return row?.value;
}

export function setMeta(db: Database.Database, key: string, value: string): void {
  db.prepare('INSERT INTO _meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(key, value);
}

/** Named counters: record numbers per sObject and auto-number fields. */
export class Sequences {
  private readonly get: Database.Statement;
  private readonly put: Database.Statement;

  constructor(db: Database.Database) {
    this.get = db.prepare('SELECT value FROM _sequence WHERE name = ?');
    this.put = db.prepare('INSERT INTO _sequence (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value');
  }

  current(name: string): number {
    return (this.get.get(name) as { value: number } | undefined)?.value ?? 0;
  }

  next(name: string, start = 1): number {
    const n = Math.max(this.current(name) + 1, start);
    this.put.run(name, n);
    return n;
  }

  /** Raises the counter to at least `n`, for ids minted outside `next` (the seed). */
  atLeast(name: string, n: number): void {
    if (this.current(name) < n) this.put.run(name, n);
  }
}
