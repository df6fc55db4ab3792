/**
 * The ORM methods Odoo exposes over RPC (`search`, `read`, `create`, `write`,
 * `unlink`, `fields_get`, `name_search`), with Odoo's value conventions:
 * many2one as `[id, "display name"]`, empty as `false`, x2many as id lists,
 * `read` dropping ids that do not exist, and Odoo's error types and texts.
 *
 * One `Orm` serves one request: it carries the user, the request's clock and
 * context, and runs inside the request's transaction.
 */
import type { Database, Statement } from 'better-sqlite3';
import { compileDomain, needsActiveFilter, normalizeDomain, orderItems, parseOrder, Query, truthy, type CompileEnv, type Frag } from './domain.js';
import { missingError, pyRepr, userError, validationError, valueError } from './errors.js';
import { fieldSql, isColumn, type DefaultEnv, type FieldDef, type ModelDef } from './registry.js';
import { floatRound } from './money.js';

export interface ModelHooks {
  /** Fills values that depend on other values or on the database (sequences, product defaults). */
  prepareCreate?(orm: Orm, vals: Record<string, unknown>, given: ReadonlySet<string>): void;
  afterCreate?(orm: Orm, ids: number[]): void;
  afterWrite?(orm: Orm, ids: number[], vals: Record<string, unknown>): void;
  /** Refuses or prepares an unlink; the returned function runs after the rows are gone. */
  beforeUnlink?(orm: Orm, ids: number[]): (() => void) | void;
}

export interface OrmOptions {
  db: Database;
  models: ReadonlyMap<string, ModelDef>;
  hooks: ReadonlyMap<string, ModelHooks>;
  statements: StatementCache;
  uid: number;
  now: string;
  context?: Record<string, unknown>;
}

export type OdooRecord = Record<string, unknown>;

/** Prepared statements keyed by SQL text; queries repeat a lot, preparing them does not come free. */
export class StatementCache {
  private readonly cache = new Map<string, Statement>();

  constructor(
    private readonly db: Database,
    private readonly size = 500,
  ) {}

  get(sql: string): Statement {
    let stmt = this.cache.get(sql);
    if (stmt) {
      this.cache.delete(sql);
    } else {
      stmt = this.db.prepare(sql);
      if (this.cache.size >= this.size) this.cache.delete(this.cache.keys().next().value!);
    }
    this.cache.set(sql, stmt);
    return stmt;
  }
}

const MAGIC_FIELDS = new Set(['id', 'display_name', 'create_uid', 'create_date', 'write_uid', 'write_date']);

export class Orm implements CompileEnv {
  readonly db: Database;
  readonly models: ReadonlyMap<string, ModelDef>;
  readonly uid: number;
  readonly now: string;
  readonly context: Record<string, unknown>;
  readonly activeTest: boolean;
  /** Request-scoped switches the business rules use to coordinate nested creates. */
  readonly flags = new Set<string>();
  private readonly hooks: ReadonlyMap<string, ModelHooks>;
  private readonly statements: StatementCache;
  private aliasCount = 0;

  constructor(options: OrmOptions) {
    this.db = options.db;
    this.models = options.models;
    this.hooks = options.hooks;
    this.statements = options.statements;
    this.uid = options.uid;
    this.now = options.now;
    this.context = options.context ?? {};
    this.activeTest = this.context.active_test !== false;
  }

  nextAlias(): string {
    return `a${++this.aliasCount}`;
  }

  get defaultEnv(): DefaultEnv {
    return { now: this.now, today: this.now.slice(0, 10), uid: this.uid };
  }

  model(name: string): ModelDef {
    const model = this.models.get(name);
    if (!model) throw userError(`Object ${name} doesn't exist`);
    return model;
  }

  all(sql: string, params: unknown[] = []): unknown[] {
    return this.statements.get(sql).all(...params);
  }

  raw(sql: string, params: unknown[] = []): unknown[][] {
    return this.statements
      .get(sql)
      .raw(true)
      .all(...params) as unknown[][];
  }

  run(sql: string, params: unknown[] = []) {
    return this.statements.get(sql).run(...params);
  }

  // --- search --------------------------------------------------------------

  /** The WHERE clause of a search, with Odoo's implicit `active = True`. */
  where(model: ModelDef, domain: unknown, query: Query): Frag {
    const list = domain === null || domain === undefined || domain === false ? [] : domain;
    // The caller's domain is checked on its own, so that messages quote it without the implicit `active` leaf.
    if (Array.isArray(list)) normalizeDomain(list);
    const effective = Array.isArray(list) && needsActiveFilter(this, model, list) ? [['active', '=', true], ...list] : list;
    return compileDomain(this, query, effective);
  }

  orderBy(model: ModelDef, query: Query, order: unknown): string {
    const spec = order === null || order === undefined || order === false || order === '' ? model.order : order;
    if (typeof spec !== 'string') throw valueError(`Expected order to be a string such as "name desc, id", but got ${pyRepr(spec)}.`);
    const terms = parseOrder(spec);
    if (!terms) {
      throw userError(
        `Invalid "order" specified (${spec}). A valid "order" specification is a comma-separated list of valid field names (optionally followed by asc/desc for the direction)`,
      );
    }
    const items = orderItems(this, query, query.alias, model, terms);
    // A final id makes paging stable where PostgreSQL would leave ties in any order.
    if (!terms.some((t) => t.field === 'id')) items.push(`${query.alias}.id ASC`);
    return items.join(', ');
  }

  search(modelName: string, domain: unknown, options: { offset?: unknown; limit?: unknown; order?: unknown } = {}): number[] {
    const model = this.model(modelName);
    const query = new Query(model, this.nextAlias());
    const where = this.where(model, domain, query);
    const order = this.orderBy(model, query, options.order);
    const { sql: page, params: pageParams } = paging(options.offset, options.limit);
    const rows = this.raw(`SELECT ${query.alias}.id FROM ${query.from()} WHERE ${where.sql} ORDER BY ${order}${page}`, [...where.params, ...pageParams]);
    return rows.map((r) => r[0] as number);
  }

  searchCount(modelName: string, domain: unknown, limit?: unknown): number {
    const model = this.model(modelName);
    const query = new Query(model, this.nextAlias());
    const where = this.where(model, domain, query);
    const inner = `SELECT 1 FROM ${query.from()} WHERE ${where.sql}`;
    const { sql: page, params: pageParams } = paging(0, limit);
    const rows = this.raw(`SELECT COUNT(*) FROM (${inner}${page})`, [...where.params, ...pageParams]);
    return rows[0]![0] as number;
  }

  searchRead(
    modelName: string,
    domain: unknown,
    fields: unknown,
    options: { offset?: unknown; limit?: unknown; order?: unknown; load?: unknown } = {},
  ): OdooRecord[] {
    const model = this.model(modelName);
    const wanted = this.fieldList(model, fields);
    const query = new Query(model, this.nextAlias());
    const where = this.where(model, domain, query);
    const order = this.orderBy(model, query, options.order);
    const { sql: page, params: pageParams } = paging(options.offset, options.limit);
    return this.readRows(model, wanted, query, where, ` ORDER BY ${order}${page}`, pageParams, options.load);
  }

  // --- read ----------------------------------------------------------------

  /** `read`: records in the order of `ids`, silently without the ids that do not exist. */
  read(modelName: string, ids: unknown, fields: unknown, load?: unknown): OdooRecord[] {
    const model = this.model(modelName);
    const wanted = this.fieldList(model, fields);
    const idList = toIdList(ids);
    if (idList.length === 0) return [];
    const query = new Query(model, this.nextAlias());
    const where = { sql: `${query.alias}.id IN (SELECT value FROM json_each(?))`, params: [JSON.stringify([...new Set(idList)])] };
    const byId = new Map(this.readRows(model, wanted, query, where, '', [], load).map((r) => [r.id as number, r]));
    return idList.filter((id) => byId.has(id)).map((id) => byId.get(id)!);
  }

  /** Checks a `fields` argument; none or empty means every field, like Odoo. */
  fieldList(model: ModelDef, fields: unknown): FieldDef[] {
    if (fields === null || fields === undefined || fields === false || (Array.isArray(fields) && fields.length === 0)) {
      return [...model.fields.values()];
    }
    const names = typeof fields === 'string' ? [fields] : fields;
    if (!Array.isArray(names)) throw valueError(`Expected fields to be a list of field names, but got ${pyRepr(fields)}.`);
    const out: FieldDef[] = [];
    for (const name of names) {
      const field = typeof name === 'string' ? model.fields.get(name) : undefined;
      if (!field) throw valueError(`Invalid field ${pyRepr(name)} on model ${pyRepr(model.name)}`);
      if (!out.includes(field)) out.push(field);
    }
    return out;
  }

  private readRows(model: ModelDef, fields: FieldDef[], query: Query, where: Frag, tail: string, tailParams: unknown[], load?: unknown): OdooRecord[] {
    const columns = fields.filter((f) => f.name !== 'id' && f.type !== 'one2many' && f.type !== 'many2many');
    const select = [`${query.alias}.id`, ...columns.map((f) => fieldSql(f, query.alias))];
    const rows = this.raw(`SELECT ${select.join(', ')} FROM ${query.from()} WHERE ${where.sql}${tail}`, [...where.params, ...tailParams]);
    if (rows.length === 0) return [];
    const ids = rows.map((r) => r[0] as number);
    const withNames = load !== null && load !== false && load !== '';

    const names = new Map<FieldDef, Map<number, string>>();
    if (withNames) {
      for (const [i, f] of columns.entries()) {
        if (f.type !== 'many2one' || f.unservedRelation) continue;
        const targets = [...new Set(rows.map((r) => r[i + 1]).filter((v): v is number => typeof v === 'number'))];
        names.set(f, this.displayNames(f.relation!, targets));
      }
    }
    const links = new Map<FieldDef, Map<number, number[]>>();
    for (const f of fields) if (f.type === 'one2many' || f.type === 'many2many') links.set(f, this.linkedIds(f, ids));

    return rows.map((row) => {
      const record: OdooRecord = { id: row[0] };
      let col = 1;
      for (const f of fields) {
        if (f.name === 'id') continue;
        if (f.type === 'one2many' || f.type === 'many2many') {
          record[f.name] = links.get(f)!.get(row[0] as number) ?? [];
          continue;
        }
        const value = row[col++];
        if (f.type === 'many2one') {
          if (value === null || value === undefined) record[f.name] = false;
          else if (!withNames) record[f.name] = value;
          else record[f.name] = [value, names.get(f)?.get(value as number) ?? false];
        } else {
          record[f.name] = fromColumn(f, value);
        }
      }
      return record;
    });
  }

  displayNames(modelName: string, ids: number[]): Map<number, string> {
    const model = this.models.get(modelName);
    if (!model || ids.length === 0) return new Map();
    const rows = this.raw(`SELECT x.id, ${model.displayName('x')} FROM ${model.table} x WHERE x.id IN (SELECT value FROM json_each(?))`, [JSON.stringify(ids)]);
    return new Map(rows.map((r) => [r[0] as number, (r[1] as string | null) ?? '']));
  }

  /** Child ids per parent for an x2many field, in the comodel's order, without archived children. */
  linkedIds(field: FieldDef, parentIds: number[]): Map<number, number[]> {
    const comodel = this.models.get(field.relation!);
    const out = new Map<number, number[]>();
    if (!comodel || parentIds.length === 0) return out;
    const query = new Query(comodel, this.nextAlias());
    const order = orderItems(this, query, query.alias, comodel, parseOrder(comodel.order) ?? []);
    const active = this.activeTest && comodel.fields.has('active') ? ` AND ${query.alias}.active = 1` : '';
    const rows = this.raw(
      `SELECT l.parent, ${query.alias}.id FROM ${query.from()} JOIN (${field.link}) l ON l.child = ${query.alias}.id ` +
        `WHERE l.parent IN (SELECT value FROM json_each(?))${active} ORDER BY ${[...order, `${query.alias}.id`].join(', ')}`,
      [JSON.stringify(parentIds)],
    );
    for (const [parent, child] of rows) {
      const list = out.get(parent as number);
      if (list) list.push(child as number);
      else out.set(parent as number, [child as number]);
    }
    return out;
  }

  existingIds(model: ModelDef, ids: number[]): Set<number> {
    if (ids.length === 0) return new Set();
    const rows = this.raw(`SELECT id FROM ${model.table} WHERE id IN (SELECT value FROM json_each(?))`, [JSON.stringify(ids)]);
    return new Set(rows.map((r) => r[0] as number));
  }

  /** Odoo raises MissingError before writing to or deleting records that are gone. */
  ensureExist(model: ModelDef, ids: number[]): void {
    const existing = this.existingIds(model, ids);
    const missing = [...new Set(ids.filter((id) => !existing.has(id)))];
    if (missing.length > 0) throw missingError(model.name, missing, this.uid);
  }

  // --- create / write --------------------------------------------------------

  create(modelName: string, valsList: Record<string, unknown>[]): number[] {
    const model = this.model(modelName);
    const hooks = this.hooks.get(model.name);
    const ids: number[] = [];
    for (const input of valsList) {
      if (typeof input !== 'object' || input === null || Array.isArray(input)) {
        throw valueError(`Expected the values of a new ${model.name} to be a dictionary of field values, but got ${pyRepr(input)}.`);
      }
      const vals: Record<string, unknown> = { ...input };
      this.checkFieldNames(model, vals);
      for (const f of model.fields.values()) {
        if (f.default === undefined || f.name in vals || MAGIC_FIELDS.has(f.name)) continue;
        vals[f.name] = typeof f.default === 'function' ? (f.default as (env: DefaultEnv) => unknown)(this.defaultEnv) : f.default;
      }
      hooks?.prepareCreate?.(this, vals, new Set(Object.keys(input)));
      const split = this.splitValues(model, vals);

      // `_inherits`: values of the parent model create (or update) the parent record first.
      for (const [viaField, parentVals] of split.delegated) {
        const via = model.fields.get(viaField)!;
        if (via.type !== 'many2one') continue;
        const parentId = split.columns[viaField];
        if (parentId === undefined || parentId === null || parentId === false) {
          split.columns[viaField] = this.create(via.relation!, [parentVals])[0]!;
        } else if (Object.keys(parentVals).length > 0) {
          this.write(via.relation!, [parentId as number], parentVals);
        }
      }
      const row = this.toColumns(model, split.columns, true);
      row.create_uid = this.uid;
      row.write_uid = this.uid;
      row.create_date = this.now;
      row.write_date = this.now;
      const names = Object.keys(row);
      const info = this.run(
        `INSERT INTO ${model.table} (${names.map((n) => `"${n}"`).join(', ')}) VALUES (${names.map(() => '?').join(', ')})`,
        names.map((n) => row[n]),
      );
      const id = Number(info.lastInsertRowid);
      ids.push(id);
      for (const [field, commands] of split.x2many) this.applyX2many(model, field, id, commands);
      // Variant-owned values given to a template land on its variants once those exist.
      hooks?.afterCreate?.(this, [id]);
      for (const [viaField, childVals] of split.delegated) {
        const via = model.fields.get(viaField)!;
        if (via.type === 'one2many' && Object.keys(childVals).length > 0) {
          const children = this.linkedIds(via, [id]).get(id) ?? [];
          if (children.length > 0) this.write(via.relation!, children, childVals);
        }
      }
    }
    return ids;
  }

  write(modelName: string, idsInput: unknown, input: unknown): true {
    const model = this.model(modelName);
    const ids = toIdList(idsInput);
    if (typeof input !== 'object' || input === null || Array.isArray(input)) {
      throw valueError(`Expected the values to write on ${model.name} to be a dictionary of field values, but got ${pyRepr(input)}.`);
    }
    if (ids.length === 0) return true;
    const vals: Record<string, unknown> = { ...(input as Record<string, unknown>) };
    this.checkFieldNames(model, vals);
    this.ensureExist(model, ids);
    const split = this.splitValues(model, vals);
    const row = this.toColumns(model, split.columns, false);
    row.write_uid = this.uid;
    row.write_date = this.now;
    const names = Object.keys(row);
    this.run(`UPDATE ${model.table} SET ${names.map((n) => `"${n}" = ?`).join(', ')} WHERE id IN (SELECT value FROM json_each(?))`, [
      ...names.map((n) => row[n]),
      JSON.stringify(ids),
    ]);
    for (const [viaField, targetVals] of split.delegated) {
      if (Object.keys(targetVals).length === 0) continue;
      const via = model.fields.get(viaField)!;
      const targets =
        via.type === 'many2one'
          ? this.raw(`SELECT DISTINCT "${viaField}" FROM ${model.table} WHERE id IN (SELECT value FROM json_each(?)) AND "${viaField}" IS NOT NULL`, [
              JSON.stringify(ids),
            ]).map((r) => r[0] as number)
          : [...this.linkedIds(via, ids).values()].flat();
      if (targets.length > 0) this.write(via.relation!, targets, targetVals);
    }
    for (const [field, commands] of split.x2many) for (const id of ids) this.applyX2many(model, field, id, commands);
    this.hooks.get(model.name)?.afterWrite?.(this, ids, vals);
    return true;
  }

  private checkFieldNames(model: ModelDef, vals: Record<string, unknown>): void {
    for (const name of Object.keys(vals)) {
      if (!model.fields.has(name)) throw valueError(`Invalid field ${pyRepr(name)} on model ${pyRepr(model.name)}`);
    }
  }

  /** Sorts values into own columns, x2many commands and values owned by a delegated record; drops what Odoo would not store. */
  private splitValues(model: ModelDef, vals: Record<string, unknown>) {
    const columns: Record<string, unknown> = {};
    const x2many = new Map<FieldDef, unknown>();
    const delegated = new Map<string, Record<string, unknown>>();
    for (const [name, value] of Object.entries(vals)) {
      const f = model.fields.get(name)!;
      if (MAGIC_FIELDS.has(name) || f.managed) continue;
      if (f.delegate) {
        const target = delegated.get(f.delegate.viaField) ?? {};
        target[name === 'lst_price' ? 'list_price' : name] = value;
        delegated.set(f.delegate.viaField, target);
      } else if (f.type === 'one2many' || f.type === 'many2many') {
        if (f.link && (f.relationField || f.m2mTable)) x2many.set(f, value);
      } else if (f.unservedRelation) {
        if (value !== false && value !== null) {
          throw validationError(`The emulator serves no ${f.relation} records, so ${model.name}.${name} can only be empty (false), not ${pyRepr(value)}.`);
        }
      } else if (f.sql) {
        if (f.inverse) Object.assign(columns, inverseValues(model, name, value));
        // Other computed fields have no inverse: Odoo ignores writes to them.
      } else {
        columns[name] = value;
      }
    }
    // Parents of delegated values must be created even when the caller gave none of their fields.
    for (const f of model.fields.values()) {
      if (f.delegate && f.delegate.viaField && model.fields.get(f.delegate.viaField)?.type === 'many2one' && !delegated.has(f.delegate.viaField)) {
        delegated.set(f.delegate.viaField, {});
      }
    }
    return { columns, x2many, delegated };
  }

  /** Converts RPC values to column values, checking types, selections, required fields and many2one targets. */
  private toColumns(model: ModelDef, vals: Record<string, unknown>, creating: boolean): Record<string, unknown> {
    const row: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(vals)) {
      const f = model.fields.get(name)!;
      row[name] = toColumn(model, f, value);
      if (f.type === 'many2one' && row[name] !== null) this.checkTarget(model, f, row[name] as number);
    }
    for (const f of model.fields.values()) {
      if (!f.required || !isColumn(f) || f.name === 'id') continue;
      const value = row[f.name];
      if ((creating && (value === undefined || value === null)) || (!creating && f.name in row && value === null)) {
        throw validationError(
          `The operation cannot be completed:\n- Create/update: a mandatory field is not set.\n- Delete: another model requires the record being deleted. If possible, archive it instead.\n\n` +
            `Model: ${model.description} (${model.name})\nField: ${f.string} (${f.name})\n`,
        );
      }
    }
    return row;
  }

  private checkTarget(model: ModelDef, f: FieldDef, id: number): void {
    const target = this.models.get(f.relation!);
    if (!target) return;
    if (this.existingIds(target, [id]).size === 0) {
      throw validationError(
        `The operation cannot be completed: another model requires the record being deleted. If possible, archive it instead.\n\n` +
          `Model: ${model.description} (${model.name})\nConstraint: ${model.table}_${f.name}_fkey\n`,
      );
    }
  }

  /** Odoo's x2many commands: (0, 0, vals) create, (1, id, vals) update, (2, id) delete, (3, id) unlink, (4, id) link, (5,) clear, (6, 0, ids) replace. */
  private applyX2many(model: ModelDef, field: FieldDef, parentId: number, value: unknown): void {
    if (value === false || value === null) value = [[5]];
    if (!Array.isArray(value)) throw valueError(`Expected a list of commands for ${model.name}.${field.name}, but got ${pyRepr(value)}.`);
    // A bare list of ids replaces the links, as Odoo accepts for convenience.
    const commands = value.length > 0 && value.every((v) => typeof v === 'number') ? [[6, 0, value]] : value;
    const comodel = this.model(field.relation!);
    const current = () => this.linkedIds(field, [parentId]).get(parentId) ?? [];
    const link = (ids: number[]) => {
      if (ids.length === 0) return;
      this.ensureExist(comodel, ids);
      if (field.type === 'one2many') this.write(comodel.name, ids, { [field.relationField!]: parentId });
      else {
        const { table, column1, column2 } = field.m2mTable!;
        for (const id of ids) this.run(`INSERT OR IGNORE INTO ${table} ("${column1}", "${column2}") VALUES (?, ?)`, [parentId, id]);
      }
    };
    const unlinkIds = (ids: number[]) => {
      if (ids.length === 0) return;
      if (field.type === 'one2many') {
        // A child that cannot exist without its parent is deleted rather than orphaned.
        const inverse = comodel.fields.get(field.relationField!)!;
        if (inverse.required || inverse.ondelete === 'cascade') this.unlink(comodel.name, ids);
        else this.write(comodel.name, ids, { [field.relationField!]: false });
      } else {
        const { table, column1, column2 } = field.m2mTable!;
        this.run(`DELETE FROM ${table} WHERE "${column1}" = ? AND "${column2}" IN (SELECT value FROM json_each(?))`, [parentId, JSON.stringify(ids)]);
      }
    };
    for (const command of commands) {
      if (!Array.isArray(command) || typeof command[0] !== 'number') {
        throw valueError(
          `Invalid command ${pyRepr(command)} for ${model.name}.${field.name}: expected a list such as [0, 0, {values}], [4, id] or [6, 0, [ids]].`,
        );
      }
      const [code, id, arg] = command as [number, unknown, unknown];
      switch (code) {
        case 0: {
          const vals = { ...((arg as Record<string, unknown>) ?? {}) };
          if (field.type === 'one2many') {
            vals[field.relationField!] = parentId;
            this.create(comodel.name, [vals]);
          } else link(this.create(comodel.name, [vals]));
          break;
        }
        case 1:
          this.write(comodel.name, [id as number], arg ?? {});
          break;
        case 2:
          this.unlink(comodel.name, [id as number]);
          break;
        case 3:
          unlinkIds([id as number]);
          break;
        case 4:
          link([id as number]);
          break;
        case 5:
          unlinkIds(current());
          break;
        case 6: {
          const wanted = toIdList(arg);
          unlinkIds(current().filter((c) => !wanted.includes(c)));
          link(wanted.filter((w) => !current().includes(w)));
          break;
        }
        default:
          throw valueError(`Unknown command ${pyRepr(command)} for ${model.name}.${field.name}: the first element must be 0 to 6.`);
      }
    }
  }

  // --- unlink ----------------------------------------------------------------

  unlink(modelName: string, idsInput: unknown): true {
    const model = this.model(modelName);
    const ids = [...new Set(toIdList(idsInput))];
    if (ids.length === 0) return true;
    this.ensureExist(model, ids);
    const after = this.hooks.get(model.name)?.beforeUnlink?.(this, ids);
    const idsJson = JSON.stringify(ids);
    for (const other of this.models.values()) {
      for (const f of other.fields.values()) {
        if (f.type !== 'many2one' || f.relation !== model.name || !isColumn(f)) continue;
        const self = other === model ? ' AND id NOT IN (SELECT value FROM json_each(?))' : '';
        const params = other === model ? [idsJson, idsJson] : [idsJson];
        const referencing = this.raw(`SELECT id FROM ${other.table} WHERE "${f.name}" IN (SELECT value FROM json_each(?))${self}`, params).map(
          (r) => r[0] as number,
        );
        if (referencing.length === 0) continue;
        if (f.ondelete === 'cascade') this.unlink(other.name, referencing);
        else if (f.ondelete === 'restrict') {
          throw validationError(
            `The operation cannot be completed: another model requires the record being deleted. If possible, archive it instead.\n\n` +
              `Model: ${other.description} (${other.name})\nConstraint: ${other.table}_${f.name}_fkey\n`,
          );
        } else this.run(`UPDATE ${other.table} SET "${f.name}" = NULL WHERE id IN (SELECT value FROM json_each(?))`, [JSON.stringify(referencing)]);
      }
      for (const f of other.fields.values()) {
        if (!f.m2mTable) continue;
        const { table, column1, column2 } = f.m2mTable;
        if (other === model) this.run(`DELETE FROM ${table} WHERE "${column1}" IN (SELECT value FROM json_each(?))`, [idsJson]);
        if (f.relation === model.name) this.run(`DELETE FROM ${table} WHERE "${column2}" IN (SELECT value FROM json_each(?))`, [idsJson]);
      }
    }
    this.run(`DELETE FROM ${model.table} WHERE id IN (SELECT value FROM json_each(?))`, [idsJson]);
    after?.();
    return true;
  }

  // --- metadata --------------------------------------------------------------

  fieldsGet(modelName: string, allfields: unknown, attributes: unknown): Record<string, Record<string, unknown>> {
    const model = this.model(modelName);
    const only = Array.isArray(allfields) && allfields.length > 0 ? new Set(allfields) : null;
    const attrs = Array.isArray(attributes) && attributes.length > 0 ? new Set(attributes) : null;
    const out: Record<string, Record<string, unknown>> = {};
    for (const f of model.fields.values()) {
      if (only && !only.has(f.name)) continue;
      const description = describeField(f);
      const picked = Object.keys(description)
        .filter((k) => !attrs || attrs.has(k))
        .sort()
        .map((k) => [k, description[k]] as const);
      out[f.name] = Object.fromEntries(picked);
    }
    return out;
  }

  nameSearch(modelName: string, name: unknown, args: unknown, operator: unknown, limit: unknown): [number, string][] {
    const model = this.model(modelName);
    const op = typeof operator === 'string' ? operator : 'ilike';
    const text = typeof name === 'string' ? name : '';
    const base = Array.isArray(args) ? args : [];
    let domain: unknown[] = base;
    if (!(text === '' && (op === 'like' || op === 'ilike')) && model.nameSearch.length > 0) {
      const negative = op.startsWith('not') || op === '!=';
      const leaves = model.nameSearch.map((f) => [f, op, text]);
      const combined = [...Array(leaves.length - 1).fill(negative ? '&' : '|'), ...leaves];
      domain = base.length > 0 ? ['&', ...normalizeForAnd(base), ...combined] : combined;
    }
    const ids = this.search(model.name, domain, { limit: limit ?? 100 });
    const names = this.displayNames(model.name, ids);
    return ids.map((id) => [id, names.get(id) ?? '']);
  }
}

function normalizeForAnd(domain: unknown[]): unknown[] {
  // A multi-term domain needs its implicit '&'s made explicit before being nested.
  const out: unknown[] = [];
  let expected = 1;
  for (const token of domain) {
    if (expected === 0) {
      out.unshift('&');
      expected = 1;
    }
    if (Array.isArray(token)) expected -= 1;
    else expected += (token === '!' ? 1 : token === '&' || token === '|' ? 2 : 0) - 1;
    out.push(token);
  }
  return out;
}

/** LIMIT/OFFSET as Odoo builds them: a falsy limit (none, false, 0) means no limit. */
export function paging(offset: unknown, limit: unknown): Frag {
  const o = offset === null || offset === undefined || offset === false ? 0 : offset;
  const l = limit === null || limit === undefined || limit === false || limit === 0 ? null : limit;
  if (typeof o !== 'number' || !Number.isInteger(o) || o < 0) throw valueError(`Expected offset to be a non-negative integer, but got ${pyRepr(offset)}.`);
  if (l !== null && (typeof l !== 'number' || !Number.isInteger(l) || l < 0))
    throw valueError(`Expected limit to be a non-negative integer or false, but got ${pyRepr(limit)}.`);
  if (l === null && o === 0) return { sql: '', params: [] };
  return { sql: ' LIMIT ? OFFSET ?', params: [l ?? -1, o] };
}

/** Odoo accepts one id or a list of ids wherever it expects records. */
export function toIdList(ids: unknown): number[] {
  const list = Array.isArray(ids) ? ids : ids === false || ids === null || ids === undefined ? [] : [ids];
  for (const id of list) {
    if (typeof id !== 'number' || !Number.isInteger(id)) throw valueError(`Expected record ids to be integers, but got ${pyRepr(id)}.`);
  }
  return list as number[];
}

function inverseValues(model: ModelDef, name: string, value: unknown): Record<string, unknown> {
  if (model.name === 'res.partner' && name === 'company_type') return { is_company: value === 'company' };
  return {};
}

const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;
const DATETIME_RE = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;

function validDate(s: string): boolean {
  const d = new Date(`${s.slice(0, 10)}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s.slice(0, 10);
}

/** An RPC value as stored in the column, with Odoo's conversions and its errors for values it cannot take. */
export function toColumn(model: ModelDef, f: FieldDef, value: unknown): unknown {
  if (f.type === 'boolean') return truthy(value) ? 1 : 0;
  if (f.type === 'integer') {
    if (value === false || value === null) return 0;
    const n = typeof value === 'string' ? Number(value.trim()) : value === true ? 1 : value;
    if (typeof n !== 'number' || !Number.isFinite(n)) throw valueError(`invalid literal for int() with base 10: ${pyRepr(value)}`);
    return Math.trunc(n);
  }
  if (f.type === 'float' || f.type === 'monetary') {
    if (value === false || value === null) return 0;
    const n = typeof value === 'string' ? Number(value.trim()) : value === true ? 1 : value;
    if (typeof n !== 'number' || !Number.isFinite(n)) throw valueError(`could not convert string to float: ${pyRepr(value)}`);
    return f.digits === undefined ? n : floatRound(n, f.digits);
  }
  if (value === false || value === null || value === undefined) return null;
  switch (f.type) {
    case 'many2one':
      if (typeof value !== 'number' || !Number.isInteger(value))
        throw valueError(`Expected ${model.name}.${f.name} to be a record id or false, but got ${pyRepr(value)}.`);
      return value;
    case 'selection':
      if (!f.selection!.some(([key]) => key === value)) throw valueError(`Wrong value for ${model.name}.${f.name}: ${pyRepr(value)}`);
      return value;
    case 'date': {
      const s = String(value).slice(0, 10);
      if (!DATE_RE.test(s) || !validDate(s)) throw valueError(`time data ${pyRepr(String(value))} does not match format '%Y-%m-%d'`);
      return s;
    }
    case 'datetime': {
      let s = String(value).slice(0, 19);
      if (s.length === 10) s += ' 00:00:00';
      if (!DATETIME_RE.test(s) || !validDate(s)) throw valueError(`time data ${pyRepr(s)} does not match format '%Y-%m-%d %H:%M:%S'`);
      return s;
    }
    default:
      return typeof value === 'string' ? value : pyRepr(value);
  }
}

/** A column value as Odoo's RPC returns it. */
export function fromColumn(f: FieldDef, value: unknown): unknown {
  switch (f.type) {
    case 'boolean':
      return value !== null && value !== undefined && value !== 0;
    case 'integer':
      return value ?? 0;
    case 'float':
    case 'monetary':
      return value === null || value === undefined ? 0 : f.digits === undefined ? value : floatRound(value as number, f.digits);
    default:
      return value === null || value === undefined ? false : value;
  }
}

function describeField(f: FieldDef): Record<string, unknown> {
  const relational = f.type === 'many2one' || f.type === 'one2many' || f.type === 'many2many';
  const d: Record<string, unknown> = {
    change_default: false,
    company_dependent: f.name.startsWith('property_') || (f.name === 'standard_price' && f.sql === undefined),
    depends: [],
    exportable: true,
    groupable: f.store && f.type !== 'one2many',
    manual: false,
    name: f.name,
    readonly: f.readonly,
    required: f.required,
    searchable: true,
    sortable: f.store && f.type !== 'one2many' && f.type !== 'many2many',
    store: f.store,
    string: f.string,
    type: f.type,
  };
  if (f.help) d.help = f.help;
  if (relational) {
    d.relation = f.relation;
    d.context = {};
    d.domain = [];
  }
  if (f.type === 'one2many') d.relation_field = f.relationField;
  if (f.type === 'selection') d.selection = f.selection;
  if (f.type === 'char' || f.type === 'text') d.translate = false;
  if (f.type === 'char') d.trim = true;
  if (f.groupOperator) d.group_operator = f.groupOperator;
  return d;
}
