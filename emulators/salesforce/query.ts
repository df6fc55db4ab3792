/**
 * Runs compiled SOQL and pages the results the way the REST API does: at most
 * one batch (2,000 rows unless `Sforce-Query-Options: batchSize=n` asks for
 * fewer) per response, with `nextRecordsUrl` pointing at a server-side cursor.
 *
 * A cursor holds only the ordered rowids of the matching root records, taken
 * when the query first runs, so later batches are stable snapshots of which
 * records matched (as Salesforce's are) while each batch reads current field
 * values. Cursors expire after 15 idle minutes, like the platform's.
 */
import { randomBytes } from 'node:crypto';
import type Database from 'better-sqlite3';
import { caseSafeSuffix } from '../seed/salesforceId.js';
import { malformedQuery, SalesforceError } from './errors.js';
import type { Registry } from './metadata.js';
import { apiValue, recordUrl } from './records.js';
import { compileSoql, type ChildPlan, type CompiledQuery, type RecordsQuery, type ShapeNode } from './soql.js';

export const MAX_BATCH = 2000;
const MIN_BATCH = 200;
const CURSOR_IDLE_MS = 15 * 60 * 1000;
const MAX_CURSORS = 500;
const STATEMENT_CACHE = 500;

export interface QueryResponse {
  totalSize: number;
  done: boolean;
  nextRecordsUrl?: string;
  records: unknown[];
}

interface Cursor {
  plan: RecordsQuery;
  rowids: number[];
  batchSize: number;
  lastUsed: number;
}

type SqlRow = unknown[];

export class QueryEngine {
  private readonly cursors = new Map<string, Cursor>();
  private readonly statements = new Map<string, Database.Statement>();

  constructor(
    private readonly db: Database.Database,
    private readonly registry: Registry,
    private readonly clock: () => Date,
  ) {}

  /** Runs SOQL; `object` is the sObject it reads, for call accounting. */
  run(soql: string, opts: { includeDeleted: boolean; version: string; batchSize?: number }): { object: string; response: QueryResponse } {
    const plan = compileSoql(this.registry, soql, { includeDeleted: opts.includeDeleted, now: this.clock() });
    const object = plan.object.name;
    if (plan.kind === 'count') {
      const n = this.stmt(plan.sql.sql, 'pluck').get(...plan.sql.params) as number;
      return { object, response: { totalSize: n, done: true, records: [] } };
    }
    if (plan.kind === 'aggregate') {
      const rows = this.stmt(plan.sql.sql, 'raw').all(...plan.sql.params) as SqlRow[];
      if (rows.length > MAX_BATCH) {
        throw malformedQuery('Aggregate query does not support queryMore(), use LIMIT to restrict the results to a single batch');
      }
      const records = rows.map((row) => {
        const rec: Record<string, unknown> = { attributes: { type: 'AggregateResult' } };
        plan.outputs.forEach((o, i) => (rec[o.key] = apiValue(o, row[i])));
        return rec;
      });
      return { object, response: { totalSize: records.length, done: true, records } };
    }
    const rowids = this.stmt(
      `SELECT ${plan.rootAlias}.rowid FROM ${plan.from} WHERE ${plan.filter.sql} ORDER BY ${plan.orderBy} LIMIT ? OFFSET ?`,
      'pluck',
    ).all(...plan.filter.params, plan.limit ?? -1, plan.offset) as number[];
    const batchSize = Math.min(MAX_BATCH, Math.max(MIN_BATCH, opts.batchSize ?? MAX_BATCH));
    return { object, response: this.page({ plan, rowids, batchSize, lastUsed: Date.now() }, 0, opts.version) };
  }

  /**
   * Every matching record of a plain query at once, as raw SQL rows in the
   * plan's column order, for Bulk API 2.0 query jobs. `check` sees the compiled
   * plan first and throws for what the caller does not run.
   */
  extract(soql: string, opts: { includeDeleted: boolean }, check: (plan: CompiledQuery) => void): { plan: RecordsQuery; rows: SqlRow[] } {
    const plan = compileSoql(this.registry, soql, { includeDeleted: opts.includeDeleted, now: this.clock() });
    check(plan);
    if (plan.kind !== 'records') throw malformedQuery('Only plain record queries can be extracted.');
    const rows = this.stmt(`SELECT ${plan.columns.join(', ')} FROM ${plan.from} WHERE ${plan.filter.sql} ORDER BY ${plan.orderBy} LIMIT ? OFFSET ?`, 'raw').all(
      ...plan.filter.params,
      plan.limit ?? -1,
      plan.offset,
    ) as SqlRow[];
    return { plan, rows };
  }

  /** Serves `/query/<locator>-<n>`: the batch of the cursor starting at row n. */
  more(locatorAndOffset: string, version: string): { object: string; response: QueryResponse } {
    this.expireCursors();
    const m = /^([A-Za-z0-9]{15,18})-(\d+)$/.exec(locatorAndOffset);
    const cursor = m ? this.cursors.get(m[1]!) : undefined;
    const start = m ? Number(m[2]) : NaN;
    if (!m || !cursor || start > cursor.rowids.length) {
      throw new SalesforceError(400, 'INVALID_QUERY_LOCATOR', 'invalid query locator');
    }
    cursor.lastUsed = Date.now();
    const response = this.page(cursor, start, version, m[1]);
    if (response.done) this.cursors.delete(m[1]!);
    return { object: cursor.plan.object.name, response };
  }

  private page(cursor: Cursor, start: number, version: string, locator?: string): QueryResponse {
    const ids = cursor.rowids.slice(start, start + cursor.batchSize);
    const records = this.fetch(cursor.plan, ids, version);
    const next = start + ids.length;
    const response: QueryResponse = { totalSize: cursor.rowids.length, done: next >= cursor.rowids.length, records };
    if (!response.done) {
      const id = locator ?? this.openCursor(cursor);
      // queryAll cursors are followed through /query/ too, as on the platform.
      response.nextRecordsUrl = `/services/data/v${version}/query/${id}-${next}`;
    }
    return response;
  }

  private openCursor(cursor: Cursor): string {
    this.expireCursors();
    while (this.cursors.size >= MAX_CURSORS) this.cursors.delete(this.cursors.keys().next().value!);
    // Query locators look like record ids with the 01g key prefix.
    const alphabet = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
    const id15 = `01g${[...randomBytes(12)].map((b) => alphabet[b % 62]).join('')}`;
    const id = id15 + caseSafeSuffix(id15);
    this.cursors.set(id, cursor);
    return id;
  }

  private expireCursors(): void {
    const cutoff = Date.now() - CURSOR_IDLE_MS;
    for (const [id, c] of this.cursors) if (c.lastUsed < cutoff) this.cursors.delete(id);
  }

  private stmt(sql: string, mode: 'raw' | 'pluck'): Database.Statement {
    const key = `${mode}:${sql}`;
    let s = this.statements.get(key);
    if (!s) {
      if (this.statements.size >= STATEMENT_CACHE) this.statements.clear();
      s = this.db.prepare(sql);
      if (mode === 'raw') s.raw(true);
      else s.pluck(true);
      this.statements.set(key, s);
    }
    return s;
  }

  /** Reads full rows for a batch of root rowids, keeping the cursor's order, then nests parents and children. */
  private fetch(plan: RecordsQuery, rowids: number[], version: string): unknown[] {
    if (rowids.length === 0) return [];
    const rows = this.stmt(`SELECT ${plan.columns.join(', ')} FROM ${plan.from} WHERE ${plan.rootAlias}.rowid IN (SELECT value FROM json_each(?))`, 'raw').all(
      JSON.stringify(rowids),
    ) as SqlRow[];
    const byRowid = new Map(rows.map((r) => [r[0] as number, r]));
    const ordered = rowids.map((id) => byRowid.get(id)).filter((r): r is SqlRow => r !== undefined);
    const parentIds = ordered.map((r) => r[plan.shape.idCol] as string);
    const childResults = plan.children.map((child) => this.fetchChildren(child, parentIds, version));
    return ordered.map((row) => build(plan.shape, row, version, (childIndex, id) => childResults[childIndex]!.get(id) ?? null));
  }

  private fetchChildren(child: ChildPlan, parentIds: string[], version: string): Map<string, QueryResponse> {
    const rows = this.stmt(child.sql, 'raw').all(JSON.stringify(parentIds), ...child.params) as SqlRow[];
    const grouped = new Map<string, unknown[]>();
    for (const row of rows) {
      const parent = row[child.fkCol] as string;
      const list = grouped.get(parent) ?? [];
      if (child.limit === null || list.length < child.limit) list.push(build(child.shape, row, version, () => null));
      grouped.set(parent, list);
    }
    return new Map([...grouped].map(([id, records]) => [id, { totalSize: records.length, done: true, records }]));
  }
}

function build(
  node: ShapeNode,
  row: SqlRow,
  version: string,
  children: (index: number, parentId: string) => QueryResponse | null,
): Record<string, unknown> | null {
  const id = row[node.idCol] as string | null;
  if (id === null || id === undefined) return null;
  const type = node.typeCol !== undefined ? ((row[node.typeCol] as string | null) ?? 'Name') : node.objectName!;
  const rec: Record<string, unknown> = { attributes: { type, url: recordUrl(version, type, id) } };
  for (const e of node.entries) {
    if (e.kind === 'field') rec[e.key] = apiValue(e, row[e.col]);
    else if (e.kind === 'parent') rec[e.key] = build(e.node, row, version, children);
    else rec[e.key] = children(e.child, id);
  }
  return rec;
}
