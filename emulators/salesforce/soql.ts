/**
 * Compiles SOQL to parameterised SQLite SQL. Parsing is soql-parser-js's job;
 * this module resolves names against the metadata registry (case-insensitively,
 * as Salesforce does), turns parent relationships into LEFT JOINs, and binds
 * every literal as a parameter. Literals never become SQL text, so a quoted
 * value such as `' OR Name != '` can only ever be compared, never executed.
 *
 * Semantics follow SOQL rather than SQL where they differ:
 * - `=`, `IN`, `LIKE` and ORDER BY on text are case-insensitive (NOCASE columns);
 * - `!=` matches nulls (SOQL treats null as a value), `NOT (...)` is two-valued;
 *   `NOT IN` leaves out nulls;
 * - `field = null` on a checkbox means false;
 * - AND and OR may not be mixed without parentheses;
 * - date literals (TODAY, LAST_N_DAYS:n, THIS_QUARTER, ...) are UTC day ranges.
 */
import soqlParser from 'soql-parser-js';
import type {
  Condition,
  FieldType as SoqlFieldSpec,
  FunctionExp,
  GroupByClause,
  HavingClause,
  OrderByClause,
  Query,
  Subquery,
  ValueQueryCondition,
  WhereClause,
} from 'soql-parser-js';
import { normalizeSalesforceId } from '../seed/salesforceId.js';
import { quoteIdent } from './db.js';
import { malformedQuery, SalesforceError } from './errors.js';
import { isIdType, isNumericType, isTextType, type FieldDef, type FieldType, type ObjectDef, type Registry } from './metadata.js';
import { addDays, addMonths, formatDate, isValidDate, parseDateTime } from './values.js';

const { parseQuery } = soqlParser;

export interface Frag {
  sql: string;
  params: unknown[];
}

export type ShapeEntry =
  | { kind: 'field'; key: string; col: number; type: FieldType }
  | { kind: 'parent'; key: string; node: ShapeNode }
  | { kind: 'children'; key: string; child: number };

/** How one SQL row becomes nested JSON: an sObject (or polymorphic parent) and its entries in SELECT order. */
export interface ShapeNode {
  objectName: string | null;
  idCol: number;
  /** For polymorphic parents (What, Who): the column holding the sObject type. */
  typeCol?: number;
  entries: ShapeEntry[];
}

export interface ChildPlan {
  key: string;
  objectName: string;
  /** `?` placeholders: first the JSON array of parent ids, then `params`. */
  sql: string;
  params: unknown[];
  fkCol: number;
  shape: ShapeNode;
  limit: number | null;
}

export interface RecordsQuery {
  kind: 'records';
  object: ObjectDef;
  rootAlias: string;
  from: string;
  filter: Frag;
  orderBy: string;
  limit: number | null;
  offset: number;
  columns: string[];
  shape: ShapeNode;
  children: ChildPlan[];
}

export interface CountQuery {
  kind: 'count';
  object: ObjectDef;
  sql: Frag;
}

export interface AggregateQuery {
  kind: 'aggregate';
  object: ObjectDef;
  sql: Frag;
  outputs: { key: string; type: FieldType }[];
}

export type CompiledQuery = RecordsQuery | CountQuery | AggregateQuery;

export interface CompileOptions {
  includeDeleted: boolean;
  now: Date;
}

export const MAX_OFFSET = 2000;

const AGGREGATES = new Set(['COUNT', 'COUNT_DISTINCT', 'SUM', 'AVG', 'MIN', 'MAX']);
const DATE_FUNCTIONS = new Set([
  'CALENDAR_YEAR',
  'CALENDAR_QUARTER',
  'CALENDAR_MONTH',
  'DAY_IN_MONTH',
  'DAY_IN_WEEK',
  'DAY_IN_YEAR',
  'DAY_ONLY',
  'FISCAL_YEAR',
  'FISCAL_QUARTER',
  'FISCAL_MONTH',
  'HOUR_IN_DAY',
  'WEEK_IN_MONTH',
  'WEEK_IN_YEAR',
]);

/** The SOQL name of a field type in filter error messages. */
function soqlTypeName(type: FieldType): string {
  if (isTextType(type)) return 'string';
  if (type === 'reference') return 'id';
  if (type === 'datetime') return 'dateTime';
  if (type === 'int') return 'int';
  if (type === 'currency' || type === 'percent') return 'double';
  return type;
}

interface Resolved {
  sql: string;
  type: FieldType;
  /** The relationship chain, outermost first, for nesting parent objects in results. */
  parents: ({ key: string; alias: string; objectName: string } | { key: string; poly: { idSql: string; typeSql: string } })[];
  leafKey: string;
  /** Lower-cased canonical path, to detect duplicates and match GROUP BY fields. */
  path: string;
}

class Scope {
  readonly joins = new Map<string, { alias: string; object: ObjectDef }>();
  readonly joinSql: string[] = [];

  constructor(
    readonly compiler: Compiler,
    readonly object: ObjectDef,
    readonly alias: string,
    readonly objectAlias: string | undefined,
  ) {}

  from(): string {
    return [`${quoteIdent(this.object.name)} ${this.alias}`, ...this.joinSql].join(' ');
  }

  join(pathKey: string, fromAlias: string, fk: string, target: ObjectDef): string {
    const existing = this.joins.get(pathKey);
    if (existing) return existing.alias;
    const alias = this.compiler.newAlias();
    this.joins.set(pathKey, { alias, object: target });
    this.joinSql.push(`LEFT JOIN ${quoteIdent(target.name)} ${alias} ON ${alias}."Id" = ${fromAlias}.${quoteIdent(fk)}`);
    return alias;
  }
}

type Token = { t: '(' } | { t: ')' } | { t: 'NOT' } | { t: 'AND' } | { t: 'OR' } | { t: 'COND'; c: Condition };
type Expr = { k: 'cond'; c: Condition } | { k: 'not'; e: Expr } | { k: 'and' | 'or'; items: Expr[] };

/** A row of SELECT-list columns and how they nest, shared by root and child queries. */
class ColumnSet {
  readonly columns: string[] = [];
  private readonly index = new Map<string, number>();

  add(sql: string): number {
    let i = this.index.get(sql);
    if (i === undefined) {
      i = this.columns.length;
      this.columns.push(sql);
      this.index.set(sql, i);
    }
    return i;
  }
}

export class Compiler {
  private aliasN = 0;
  private readonly today: string;

  constructor(
    private readonly registry: Registry,
    private readonly text: string,
    private readonly options: CompileOptions,
  ) {
    this.today = formatDate(options.now);
  }

  newAlias(): string {
    return `t${this.aliasN++}`;
  }

  /** An error whose message points at `token` in the query, the way Salesforce formats query errors. */
  private err(status: number, code: string, message: string, token?: string): SalesforceError {
    if (token) {
      const at = this.text.toLowerCase().indexOf(token.toLowerCase());
      if (at >= 0) {
        const before = this.text.slice(0, at).split('\n');
        const row = before.length;
        const col = before[before.length - 1]!.length + 1;
        const line = this.text.split('\n')[row - 1] ?? '';
        message = `\n${line}\n${' '.repeat(col - 1)}^\nERROR at Row:${row}:Column:${col}\n${message}`;
      }
    }
    return new SalesforceError(status, code, message);
  }

  private noSuchColumn(name: string, object: string, token = name): SalesforceError {
    return this.err(
      400,
      'INVALID_FIELD',
      `No such column '${name}' on entity '${object}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.`,
      token,
    );
  }

  objectFor(name: string | undefined): ObjectDef {
    const o = name ? this.registry.object(name) : undefined;
    if (!o) {
      throw this.err(
        400,
        'INVALID_TYPE',
        `sObject type '${name ?? ''}' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names.`,
        name,
      );
    }
    return o;
  }

  compile(query: Query): CompiledQuery {
    const object = this.objectFor(query.sObject);
    const scope = new Scope(this, object, this.newAlias(), query.sObjectAlias);
    if (query.offset !== undefined && query.offset > MAX_OFFSET) {
      throw new SalesforceError(400, 'NUMBER_OUTSIDE_VALID_RANGE', `Maximum SOQL offset allowed is ${MAX_OFFSET}`);
    }
    const fields = query.fields ?? [];
    const first = fields[0];
    const isCountOnly =
      fields.length === 1 && first?.type === 'FieldFunctionExpression' && first.functionName.toUpperCase() === 'COUNT' && first.parameters.length === 0;
    const hasAggregate = fields.some((f) => f.type === 'FieldFunctionExpression' && AGGREGATES.has(f.functionName.toUpperCase()));
    if (isCountOnly) return this.compileCount(scope, query);
    if (hasAggregate || query.groupBy) return this.compileAggregate(scope, query);
    if (query.having) throw malformedQuery('HAVING can only be used together with GROUP BY or aggregate functions.');
    return this.compileRecords(scope, query);
  }

  // --- field paths ----------------------------------------------------------------

  /** Resolves `Name`, `Owner.Name`, `a.Account.Owner.Email`, `What.Type` against a scope, adding joins. */
  resolve(scope: Scope, raw: string): Resolved {
    let segments = raw.split('.');
    if (segments.length > 1) {
      const first = segments[0]!.toLowerCase();
      if (first === scope.objectAlias?.toLowerCase() || (first === scope.object.name.toLowerCase() && !scope.object.relationship(first))) {
        segments = segments.slice(1);
      }
    }
    let alias = scope.alias;
    let object = scope.object;
    const parents: Resolved['parents'] = [];
    const path: string[] = [];
    for (let i = 0; i < segments.length - 1; i++) {
      const seg = segments[i]!;
      const rel = object.relationship(seg);
      if (!rel) {
        throw this.err(
          400,
          'INVALID_FIELD',
          `Didn't understand relationship '${seg}' in field path. If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name. Please reference your WSDL or the describe call for the appropriate names.`,
          raw,
        );
      }
      path.push(rel.relationshipName!);
      if (rel.referenceTo.length > 1) return this.resolvePolymorphic(raw, alias, rel, segments.slice(i + 1), parents, path);
      const target = this.registry.object(rel.referenceTo[0]!)!;
      alias = scope.join(path.join('.').toLowerCase(), alias, rel.name, target);
      parents.push({ key: rel.relationshipName!, alias, objectName: target.name });
      object = target;
    }
    const leaf = segments[segments.length - 1]!;
    const f = object.field(leaf);
    if (!f) throw this.noSuchColumn(leaf, object.name, raw);
    return { sql: `${alias}.${quoteIdent(f.name)}`, type: f.type, parents, leafKey: f.name, path: [...path, f.name].join('.').toLowerCase() };
  }

  /**
   * Polymorphic lookups (Task.What, Task.Who) point at several sObjects. As with
   * SOQL's own restrictions on them, only Id, Name and Type can be read through
   * them; Name comes from each target's name field.
   */
  private resolvePolymorphic(raw: string, fromAlias: string, rel: FieldDef, rest: string[], parents: Resolved['parents'], path: string[]): Resolved {
    const leaf = rest.length === 1 ? rest[0]!.toLowerCase() : '';
    if (!['id', 'name', 'type'].includes(leaf)) {
      throw this.err(
        400,
        'INVALID_FIELD',
        `Only Id, Name and Type can be selected through the polymorphic relationship '${rel.relationshipName}' in this emulator; found '${rest.join('.')}'.`,
        raw,
      );
    }
    const fk = `${fromAlias}.${quoteIdent(rel.name)}`;
    const targets = rel.referenceTo.map((name) => this.registry.object(name)!);
    // Key prefixes and object names come from the registry, never from the query.
    const typeSql = `CASE substr(${fk}, 1, 3) ${targets.map((t) => `WHEN '${t.keyPrefix}' THEN '${t.name}'`).join(' ')} END`;
    const nameSql = `CASE substr(${fk}, 1, 3) ${targets
      .map((t) => `WHEN '${t.keyPrefix}' THEN (SELECT ${quoteIdent(t.nameField.name)} FROM ${quoteIdent(t.name)} WHERE "Id" = ${fk})`)
      .join(' ')} END`;
    parents.push({ key: rel.relationshipName!, poly: { idSql: fk, typeSql } });
    const byLeaf = {
      id: { sql: fk, type: 'reference' as FieldType, key: 'Id' },
      name: { sql: nameSql, type: 'string' as FieldType, key: 'Name' },
      type: { sql: typeSql, type: 'picklist' as FieldType, key: 'Type' },
    }[leaf as 'id' | 'name' | 'type'];
    return { sql: byLeaf.sql, type: byLeaf.type, parents, leafKey: byLeaf.key, path: [...path, byLeaf.key].join('.').toLowerCase() };
  }

  private fieldSpecPath(f: SoqlFieldSpec): string {
    if (f.type === 'Field') return 'objectPrefix' in f && f.objectPrefix ? `${f.objectPrefix}.${f.field}` : f.field;
    if (f.type === 'FieldRelationship') return f.rawValue ?? [...f.relationships, f.field].join('.');
    throw new Error(`Not a field path: ${f.type}.`);
  }

  // --- SELECT for plain record queries ---------------------------------------------------

  private buildSelect(
    scope: Scope,
    fields: SoqlFieldSpec[],
    cols: ColumnSet,
    root: ShapeNode,
    limit: number | undefined,
    onSubquery: ((sub: Subquery) => ShapeEntry) | null,
  ): void {
    const seen = new Set<string>();
    const add = (raw: string, allowDuplicate = false) => {
      const r = this.resolve(scope, raw);
      if (seen.has(r.path)) {
        if (allowDuplicate) return;
        throw malformedQuery(`duplicate field selected: ${raw}`);
      }
      seen.add(r.path);
      let node = root;
      for (const p of r.parents) {
        const existing = node.entries.find((e): e is Extract<ShapeEntry, { kind: 'parent' }> => e.kind === 'parent' && e.key === p.key);
        if (existing) {
          node = existing.node;
          continue;
        }
        const child: ShapeNode =
          'poly' in p
            ? { objectName: null, idCol: cols.add(p.poly.idSql), typeCol: cols.add(p.poly.typeSql), entries: [] }
            : { objectName: p.objectName, idCol: cols.add(`${p.alias}."Id"`), entries: [] };
        node.entries.push({ kind: 'parent', key: p.key, node: child });
        node = child;
      }
      node.entries.push({ kind: 'field', key: r.leafKey, col: cols.add(r.sql), type: r.type });
    };
    for (const f of fields) {
      if (f.type === 'Field' || f.type === 'FieldRelationship') {
        add(this.fieldSpecPath(f));
      } else if (f.type === 'FieldSubquery') {
        if (!onSubquery) throw malformedQuery('Subqueries can only be nested one level deep, inside the outer SELECT list.');
        root.entries.push(onSubquery(f.subquery));
      } else if (f.type === 'FieldFunctionExpression') {
        const name = f.functionName.toUpperCase();
        if (name === 'FIELDS') {
          const which = String(f.parameters[0] ?? '').toUpperCase();
          if (!['ALL', 'STANDARD', 'CUSTOM'].includes(which))
            throw malformedQuery(`FIELDS(${which}) is not valid; use FIELDS(ALL), FIELDS(STANDARD) or FIELDS(CUSTOM).`);
          if (which !== 'STANDARD' && (limit === undefined || limit > 200)) {
            throw malformedQuery('The SOQL FIELDS function must have a LIMIT of at most 200');
          }
          for (const field of scope.object.fields) {
            if (which === 'ALL' || (which === 'CUSTOM') === field.custom) add(field.name, true);
          }
        } else if (name === 'TOLABEL') {
          add(String(f.parameters[0]));
        } else if (DATE_FUNCTIONS.has(name) || AGGREGATES.has(name)) {
          throw malformedQuery(`${f.rawValue ?? name} can only be selected in an aggregate query, together with GROUP BY.`);
        } else {
          throw malformedQuery(`The SOQL function ${f.functionName}() is not supported by this emulator.`);
        }
      } else {
        throw malformedQuery('TYPEOF is not supported by this emulator; select What.Type and What.Name (or Who.*) instead.');
      }
    }
  }

  private orderBy(scope: Scope, clauses: OrderByClause | OrderByClause[] | undefined, exprFor: (c: OrderByClause) => string): string[] {
    const list = clauses === undefined ? [] : Array.isArray(clauses) ? clauses : [clauses];
    return list.map((c) => {
      const dir = c.order === 'DESC' ? 'DESC' : 'ASC';
      const nulls = c.nulls ? ` NULLS ${c.nulls}` : dir === 'ASC' ? ' NULLS FIRST' : ' NULLS LAST';
      return `${exprFor(c)} ${dir}${nulls}`;
    });
  }

  private plainOrderExpr(scope: Scope) {
    return (c: OrderByClause): string => {
      if ('field' in c) return this.resolve(scope, c.field).sql;
      throw malformedQuery(`Ordering by ${c.fn.rawValue ?? c.fn.functionName} is only possible in aggregate queries.`);
    };
  }

  private deletedFilter(scope: Scope): string {
    return this.options.includeDeleted ? '1' : `${scope.alias}."IsDeleted" = 0`;
  }

  private compileRecords(scope: Scope, query: Query): RecordsQuery {
    const cols = new ColumnSet();
    cols.add(`${scope.alias}.rowid`);
    const shape: ShapeNode = { objectName: scope.object.name, idCol: cols.add(`${scope.alias}."Id"`), entries: [] };
    const children: ChildPlan[] = [];
    this.buildSelect(scope, query.fields ?? [], cols, shape, query.limit, (sub) => {
      const plan = this.compileChild(scope.object, sub);
      children.push(plan);
      return { kind: 'children', key: plan.key, child: children.length - 1 };
    });
    const where = this.where(scope, query.where, 'where');
    const filter: Frag = {
      sql: `${this.deletedFilter(scope)}${where ? ` AND (${where.sql})` : ''}`,
      params: where?.params ?? [],
    };
    const order = [...this.orderBy(scope, query.orderBy, this.plainOrderExpr(scope)), `${scope.alias}.rowid ASC`];
    return {
      kind: 'records',
      object: scope.object,
      rootAlias: scope.alias,
      from: scope.from(),
      filter,
      orderBy: order.join(', '),
      limit: query.limit ?? null,
      offset: query.offset ?? 0,
      columns: cols.columns,
      shape,
      children,
    };
  }

  private compileChild(parent: ObjectDef, sub: Subquery): ChildPlan {
    const rel = parent.childRelationship(sub.relationshipName);
    if (!rel) {
      throw this.err(
        400,
        'INVALID_TYPE',
        `Didn't understand relationship '${sub.relationshipName}' in FROM part of query call. If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name. Please reference your WSDL or the describe call for the appropriate names.`,
        sub.relationshipName,
      );
    }
    if (sub.groupBy || sub.having || (sub.fields ?? []).some((f) => f.type === 'FieldFunctionExpression' && AGGREGATES.has(f.functionName.toUpperCase()))) {
      throw malformedQuery('Aggregate functions and GROUP BY are not allowed in a relationship subquery.');
    }
    const object = this.registry.object(rel.childSObject)!;
    const scope = new Scope(this, object, this.newAlias(), sub.sObjectAlias);
    const cols = new ColumnSet();
    cols.add(`${scope.alias}.rowid`);
    const shape: ShapeNode = { objectName: object.name, idCol: cols.add(`${scope.alias}."Id"`), entries: [] };
    this.buildSelect(scope, sub.fields ?? [], cols, shape, sub.limit, null);
    const fkCol = cols.add(`${scope.alias}.${quoteIdent(rel.field)}`);
    const where = this.where(scope, sub.where, 'where');
    const order = [...this.orderBy(scope, sub.orderBy, this.plainOrderExpr(scope)), `${scope.alias}.rowid ASC`];
    const sql =
      `SELECT ${cols.columns.join(', ')} FROM ${scope.from()} ` +
      `WHERE ${scope.alias}.${quoteIdent(rel.field)} IN (SELECT value FROM json_each(?)) AND ${this.deletedFilter(scope)}` +
      `${where ? ` AND (${where.sql})` : ''} ORDER BY ${order.join(', ')}`;
    return { key: rel.relationshipName!, objectName: object.name, sql, params: where?.params ?? [], fkCol, shape, limit: sub.limit ?? null };
  }

  // --- COUNT() and aggregates ------------------------------------------------------------

  private compileCount(scope: Scope, query: Query): CountQuery {
    const where = this.where(scope, query.where, 'where');
    const groups = this.groupExprs(scope, query.groupBy);
    const having = groups.length > 0 ? this.where(scope, query.having, 'having', groups) : null;
    const inner =
      `SELECT 1 FROM ${scope.from()} WHERE ${this.deletedFilter(scope)}${where ? ` AND (${where.sql})` : ''}` +
      `${groups.length ? ` GROUP BY ${groups.map((g) => g.sql).join(', ')}` : ''}${having ? ` HAVING ${having.sql}` : ''} LIMIT ? OFFSET ?`;
    return {
      kind: 'count',
      object: scope.object,
      sql: { sql: `SELECT COUNT(*) FROM (${inner})`, params: [...(where?.params ?? []), ...(having?.params ?? []), query.limit ?? -1, query.offset ?? 0] },
    };
  }

  private groupExprs(scope: Scope, groupBy: GroupByClause | GroupByClause[] | undefined): { sql: string; type: FieldType; path?: string }[] {
    const list = groupBy === undefined ? [] : Array.isArray(groupBy) ? groupBy : [groupBy];
    return list.map((g) => {
      if ('field' in g) {
        const r = this.resolve(scope, g.field);
        return { sql: r.sql, type: r.type, path: r.path };
      }
      const name = (g.fn.functionName ?? '').toUpperCase();
      if (name === 'ROLLUP' || name === 'CUBE') throw malformedQuery(`GROUP BY ${name} is not supported by this emulator.`);
      return this.dateFunction(scope, g.fn);
    });
  }

  private compileAggregate(scope: Scope, query: Query): AggregateQuery {
    const groups = this.groupExprs(scope, query.groupBy);
    const groupSql = new Set(groups.map((g) => g.sql));
    const outputs: { key: string; type: FieldType }[] = [];
    const selectSql: string[] = [];
    let exprN = 0;
    for (const f of query.fields ?? []) {
      if (f.type === 'Field' || f.type === 'FieldRelationship') {
        const raw = this.fieldSpecPath(f);
        const r = this.resolve(scope, raw);
        if (!groupSql.has(r.sql)) throw malformedQuery(`Field must be grouped or aggregated: ${raw}`);
        selectSql.push(r.sql);
        // Aggregate results are flat: a grouped parent field comes back under its own name.
        outputs.push({ key: ('alias' in f && f.alias) || r.leafKey, type: r.type });
      } else if (f.type === 'FieldFunctionExpression') {
        const name = f.functionName.toUpperCase();
        let expr: { sql: string; type: FieldType };
        if (AGGREGATES.has(name)) {
          expr = this.aggregate(scope, f);
        } else if (DATE_FUNCTIONS.has(name)) {
          expr = this.dateFunction(scope, f);
          if (!groupSql.has(expr.sql)) throw malformedQuery(`Field must be grouped or aggregated: ${f.rawValue ?? name}`);
        } else {
          throw malformedQuery(`The SOQL function ${f.functionName}() cannot be used in an aggregate query in this emulator.`);
        }
        selectSql.push(expr.sql);
        outputs.push({ key: f.alias ?? `expr${exprN++}`, type: expr.type });
      } else {
        throw malformedQuery('Relationship subqueries and TYPEOF cannot be combined with aggregate functions or GROUP BY.');
      }
    }
    const where = this.where(scope, query.where, 'where');
    const having = this.where(scope, query.having, 'having', groups);
    const order = this.orderBy(scope, query.orderBy, (c) => {
      if ('field' in c) {
        const r = this.resolve(scope, c.field);
        if (!groupSql.has(r.sql)) throw malformedQuery(`Ordered field must be grouped or aggregated: ${c.field}`);
        return r.sql;
      }
      return this.functionExpr(scope, c.fn, 'having', groups).sql;
    });
    const sql =
      `SELECT ${selectSql.join(', ')} FROM ${scope.from()} WHERE ${this.deletedFilter(scope)}${where ? ` AND (${where.sql})` : ''}` +
      `${groups.length ? ` GROUP BY ${groups.map((g) => g.sql).join(', ')}` : ''}` +
      `${having ? ` HAVING ${having.sql}` : ''}${order.length ? ` ORDER BY ${order.join(', ')}` : ''} LIMIT ? OFFSET ?`;
    return {
      kind: 'aggregate',
      object: scope.object,
      sql: { sql, params: [...(where?.params ?? []), ...(having?.params ?? []), query.limit ?? -1, query.offset ?? 0] },
      outputs,
    };
  }

  private aggregate(scope: Scope, fn: FunctionExp): { sql: string; type: FieldType } {
    const name = (fn.functionName ?? '').toUpperCase();
    const params = fn.parameters ?? [];
    if (params.length === 0) {
      if (name === 'COUNT') throw malformedQuery('COUNT() must be the only element in the SELECT list; use COUNT(Id) together with other fields.');
      throw malformedQuery(`${name}() needs a field to aggregate.`);
    }
    if (typeof params[0] !== 'string') throw malformedQuery(`${name}() takes a field name, not a function.`);
    const r = this.resolve(scope, params[0]);
    switch (name) {
      case 'COUNT':
        return { sql: `COUNT(${r.sql})`, type: 'int' };
      case 'COUNT_DISTINCT':
        return { sql: `COUNT(DISTINCT ${r.sql})`, type: 'int' };
      case 'SUM':
      case 'AVG':
        if (!isNumericType(r.type)) throw malformedQuery(`field ${params[0]} does not support aggregate operator ${name}`);
        return { sql: `${name}(${r.sql})`, type: 'double' };
      default:
        if (r.type === 'boolean' || r.type === 'textarea') throw malformedQuery(`field ${params[0]} does not support aggregate operator ${name}`);
        return { sql: `${name}(${r.sql})`, type: r.type };
    }
  }

  private dateFunction(scope: Scope, fn: FunctionExp): { sql: string; type: FieldType } {
    const name = (fn.functionName ?? '').toUpperCase();
    const param = (fn.parameters ?? [])[0];
    if (!DATE_FUNCTIONS.has(name)) throw malformedQuery(`The SOQL function ${fn.functionName ?? ''}() is not supported by this emulator.`);
    if (typeof param !== 'string') throw malformedQuery(`${name}() takes a date or datetime field.`);
    const r = this.resolve(scope, param);
    const datetimeOnly = name === 'DAY_ONLY' || name === 'HOUR_IN_DAY';
    if (!(r.type === 'datetime' || (r.type === 'date' && !datetimeOnly))) {
      throw malformedQuery(`${name}() cannot be applied to field ${param} of type ${soqlTypeName(r.type)}.`);
    }
    const x = r.sql;
    const int = (expr: string) => `CAST(${expr} AS INTEGER)`;
    const month = int(`substr(${x}, 6, 2)`);
    const dayOfYear = int(`strftime('%j', substr(${x}, 1, 10))`);
    const sql: Record<string, string> = {
      CALENDAR_YEAR: int(`substr(${x}, 1, 4)`),
      FISCAL_YEAR: int(`substr(${x}, 1, 4)`),
      CALENDAR_MONTH: month,
      FISCAL_MONTH: month,
      CALENDAR_QUARTER: `((${month} + 2) / 3)`,
      FISCAL_QUARTER: `((${month} + 2) / 3)`,
      DAY_IN_MONTH: int(`substr(${x}, 9, 2)`),
      DAY_IN_WEEK: `(${int(`strftime('%w', substr(${x}, 1, 10))`)} + 1)`,
      DAY_IN_YEAR: dayOfYear,
      WEEK_IN_YEAR: `((${dayOfYear} - 1) / 7 + 1)`,
      WEEK_IN_MONTH: `((${int(`substr(${x}, 9, 2)`)} - 1) / 7 + 1)`,
      HOUR_IN_DAY: int(`substr(${x}, 12, 2)`),
      DAY_ONLY: `substr(${x}, 1, 10)`,
    };
    return { sql: sql[name]!, type: name === 'DAY_ONLY' ? 'date' : 'int' };
  }

  /** A function on the left of a comparison or in ORDER BY. */
  private functionExpr(
    scope: Scope,
    fn: FunctionExp,
    mode: 'where' | 'having',
    groups: { sql: string }[] = [],
  ): { sql: string; type: FieldType; name: string } {
    const name = (fn.functionName ?? '').toUpperCase();
    if (AGGREGATES.has(name)) {
      if (mode === 'where') throw malformedQuery(`Aggregate functions such as ${name}() are not allowed in the WHERE clause; use HAVING instead.`);
      return { ...this.aggregate(scope, fn), name: fn.rawValue ?? name };
    }
    const expr = this.dateFunction(scope, fn);
    if (mode === 'having' && !groups.some((g) => g.sql === expr.sql)) {
      throw malformedQuery(`Field must be grouped or aggregated: ${fn.rawValue ?? name}`);
    }
    return { ...expr, name: fn.rawValue ?? name };
  }

  // --- WHERE / HAVING ---------------------------------------------------------------------

  private where(scope: Scope, clause: WhereClause | HavingClause | undefined, mode: 'where' | 'having', groups: { sql: string }[] = []): Frag | null {
    if (!clause) return null;
    const tokens = this.tokens(clause);
    let pos = 0;
    const peek = () => tokens[pos];
    const parseSeq = (): Expr => {
      const items = [parseUnary()];
      let op: 'AND' | 'OR' | null = null;
      for (let t = peek(); t && (t.t === 'AND' || t.t === 'OR'); t = peek()) {
        if (op && t.t !== op) throw malformedQuery(`unexpected token: '${t.t}'. Use parentheses when combining AND and OR.`);
        op = t.t;
        pos++;
        items.push(parseUnary());
      }
      return items.length === 1 ? items[0]! : { k: op === 'AND' ? 'and' : 'or', items };
    };
    const parseUnary = (): Expr => {
      const t = tokens[pos++];
      if (!t) throw malformedQuery("unexpected token: '<EOF>'");
      if (t.t === 'NOT') return { k: 'not', e: parseUnary() };
      if (t.t === '(') {
        const e = parseSeq();
        if (tokens[pos++]?.t !== ')') throw malformedQuery("unexpected token: expecting ')'");
        return e;
      }
      if (t.t === 'COND') return { k: 'cond', c: t.c };
      throw malformedQuery(`unexpected token: '${t.t}'`);
    };
    const expr = parseSeq();
    if (pos !== tokens.length) throw malformedQuery(`unexpected token: '${tokens[pos]!.t}'`);
    const emit = (e: Expr): Frag => {
      if (e.k === 'cond') return this.condition(scope, e.c, mode, groups);
      if (e.k === 'not') {
        const inner = emit(e.e);
        return { sql: `NOT coalesce((${inner.sql}), 0)`, params: inner.params };
      }
      const parts = e.items.map(emit);
      return { sql: parts.map((p) => `(${p.sql})`).join(e.k === 'and' ? ' AND ' : ' OR '), params: parts.flatMap((p) => p.params) };
    };
    return emit(expr);
  }

  /** Flattens soql-parser-js's right-leaning clause list (with paren counts) into tokens. */
  private tokens(clause: WhereClause | HavingClause): Token[] {
    const out: Token[] = [];
    let node: (WhereClause | HavingClause) | undefined = clause;
    while (node) {
      const left = node.left as (Condition & { openParen?: number; closeParen?: number }) | null;
      const op = 'operator' in node ? node.operator : undefined;
      const isCondition = left !== null && ('field' in left || 'fn' in left);
      if (!isCondition) {
        for (let i = 0; i < (left?.openParen ?? 0); i++) out.push({ t: '(' });
        out.push({ t: 'NOT' });
      } else {
        for (let i = 0; i < (left.openParen ?? 0); i++) out.push({ t: '(' });
        out.push({ t: 'COND', c: left });
        for (let i = 0; i < (left.closeParen ?? 0); i++) out.push({ t: ')' });
        if (op === 'AND' || op === 'OR') out.push({ t: op });
      }
      node = 'right' in node ? (node.right as WhereClause | HavingClause | undefined) : undefined;
    }
    return out;
  }

  private condition(scope: Scope, c: Condition, mode: 'where' | 'having', groups: { sql: string }[]): Frag {
    const cond = c as Condition & { field?: string; fn?: FunctionExp; operator: string; value?: string | string[]; literalType?: string | string[] };
    if (cond.literalType === 'SUBQUERY' || 'valueQuery' in cond) return this.semiJoin(scope, cond as unknown as ValueQueryCondition);
    let lhs: { sql: string; type: FieldType; name: string };
    if (cond.fn) {
      lhs = this.functionExpr(scope, cond.fn, mode, groups);
    } else {
      const r = this.resolve(scope, cond.field!);
      if (mode === 'having' && !groups.some((g) => g.sql === r.sql)) throw malformedQuery(`Field must be grouped or aggregated: ${cond.field}`);
      lhs = { sql: r.sql, type: r.type, name: cond.field! };
    }
    const op = cond.operator === '<>' ? '!=' : cond.operator.toUpperCase();
    const value = cond.value;
    const rawValues: string[] = Array.isArray(value) ? value : [value ?? ''];
    const literalType = cond.literalType;
    const litTypes: string[] = Array.isArray(literalType) ? literalType : rawValues.map(() => literalType ?? 'STRING');

    if (op === 'INCLUDES' || op === 'EXCLUDES') {
      throw new SalesforceError(
        400,
        'INVALID_QUERY_FILTER_OPERATOR',
        `${op.toLowerCase()} operator only valid on multipicklist field; ${lhs.name} is not one.`,
      );
    }
    if (op === 'IN' || op === 'NOT IN') {
      const values: unknown[] = [];
      let hasNull = false;
      rawValues.forEach((raw, i) => {
        const lit = this.literal(lhs, litTypes[i] ?? 'STRING', raw, op);
        if (lit.kind === 'range') throw malformedQuery(`Date literals such as ${raw} cannot be used in an ${op} list in this emulator.`);
        if (lit.kind === 'null') hasNull = true;
        else values.push(lit.value);
      });
      const list = `(${values.map(() => '?').join(', ')})`;
      if (op === 'IN') {
        const nullPart = hasNull ? (lhs.type === 'boolean' ? `${lhs.sql} = 0` : `${lhs.sql} IS NULL`) : '';
        if (values.length === 0) return { sql: nullPart || '0', params: [] };
        return { sql: `${lhs.sql} IN ${list}${nullPart ? ` OR ${nullPart}` : ''}`, params: values };
      }
      if (values.length === 0) return { sql: `${lhs.sql} IS NOT NULL`, params: [] };
      return { sql: `${lhs.sql} IS NOT NULL AND ${lhs.sql} NOT IN ${list}`, params: values };
    }
    if (Array.isArray(cond.value)) throw malformedQuery(`The ${op} operator takes a single value, not a list.`);
    if (op === 'LIKE') {
      if (!isTextType(lhs.type)) {
        throw new SalesforceError(
          400,
          'INVALID_QUERY_FILTER_OPERATOR',
          `invalid operator on ${isIdType(lhs.type) ? 'id ' : ''}field ${lhs.name}: LIKE only applies to text fields.`,
        );
      }
      if (litTypes[0] !== 'STRING') throw this.typeMismatch(lhs);
      return { sql: `${lhs.sql} LIKE ? ESCAPE '\\'`, params: [this.unescape(rawValues[0]!, true)] };
    }
    const lit = this.literal(lhs, litTypes[0] ?? 'STRING', rawValues[0]!, op);
    if (lit.kind === 'null') {
      if (op !== '=' && op !== '!=') throw malformedQuery(`The ${op} operator cannot compare with null; only = and != can.`);
      if (lhs.type === 'boolean') return { sql: `${lhs.sql} = ${op === '=' ? 0 : 1}`, params: [] };
      return { sql: `${lhs.sql} IS ${op === '=' ? '' : 'NOT '}NULL`, params: [] };
    }
    if (lhs.type === 'boolean' && op !== '=' && op !== '!=') {
      throw new SalesforceError(400, 'INVALID_QUERY_FILTER_OPERATOR', `invalid operator on boolean field ${lhs.name}: only = and != are allowed.`);
    }
    if (lit.kind === 'range') {
      const [s, e] = [lit.start, lit.end];
      switch (op) {
        case '=':
          return { sql: `${lhs.sql} >= ? AND ${lhs.sql} < ?`, params: [s, e] };
        case '!=':
          return { sql: `${lhs.sql} IS NULL OR ${lhs.sql} < ? OR ${lhs.sql} >= ?`, params: [s, e] };
        case '<':
          return { sql: `${lhs.sql} < ?`, params: [s] };
        case '<=':
          return { sql: `${lhs.sql} < ?`, params: [e] };
        case '>':
          return { sql: `${lhs.sql} >= ?`, params: [e] };
        case '>=':
          return { sql: `${lhs.sql} >= ?`, params: [s] };
        default:
          throw malformedQuery(`The ${op} operator cannot be used with a date literal.`);
      }
    }
    const sqlOp = { '=': '=', '!=': 'IS NOT', '<': '<', '<=': '<=', '>': '>', '>=': '>=' }[op];
    if (!sqlOp) throw malformedQuery(`unexpected token: '${cond.operator}'`);
    return { sql: `${lhs.sql} ${sqlOp} ?`, params: [lit.value] };
  }

  /** `Id IN (SELECT AccountId FROM Contact WHERE ...)`: a semi-join (or anti-join with NOT IN). */
  private semiJoin(scope: Scope, c: ValueQueryCondition): Frag {
    const op = c.operator.toUpperCase();
    if (op !== 'IN' && op !== 'NOT IN') throw malformedQuery(`A subquery can only follow IN or NOT IN, not ${c.operator}.`);
    const lhs = this.resolve(scope, c.field);
    if (!isIdType(lhs.type)) throw malformedQuery(`Semi-join subqueries can only filter id or reference fields; ${c.field} is neither.`);
    const q = c.valueQuery;
    const object = this.objectFor(q.sObject);
    const inner = new Scope(this, object, this.newAlias(), q.sObjectAlias);
    const fields = q.fields ?? [];
    if (fields.length !== 1 || (fields[0]!.type !== 'Field' && fields[0]!.type !== 'FieldRelationship')) {
      throw malformedQuery('A semi-join subquery must select exactly one id or reference field.');
    }
    const selected = this.resolve(inner, this.fieldSpecPath(fields[0]!));
    if (!isIdType(selected.type)) throw malformedQuery('A semi-join subquery must select exactly one id or reference field.');
    const where = this.where(inner, q.where, 'where');
    const sub =
      `SELECT ${selected.sql} FROM ${inner.from()} WHERE ${inner.alias}."IsDeleted" = 0 AND ${selected.sql} IS NOT NULL` +
      `${where ? ` AND (${where.sql})` : ''}`;
    return { sql: `${lhs.sql} ${op === 'IN' ? 'IN' : 'NOT IN'} (${sub})`, params: where?.params ?? [] };
  }

  private typeMismatch(lhs: { name: string; type: FieldType }): SalesforceError {
    const wantsQuotes = isTextType(lhs.type) || isIdType(lhs.type);
    return new SalesforceError(
      400,
      'INVALID_FIELD',
      `value of filter criterion for field '${lhs.name}' must be of type ${soqlTypeName(lhs.type)} and should ${wantsQuotes ? '' : 'not '}be enclosed in quotes`,
    );
  }

  /** Converts a literal to a bound value for a comparison with `lhs`, checking types as SOQL does. */
  private literal(
    lhs: { name: string; type: FieldType },
    litType: string,
    raw: string,
    op: string,
  ): { kind: 'null' } | { kind: 'value'; value: unknown } | { kind: 'range'; start: string; end: string } {
    const t = lhs.type;
    switch (litType) {
      case 'NULL':
        return { kind: 'null' };
      case 'STRING': {
        const s = this.unescape(raw, false);
        if (isTextType(t)) return { kind: 'value', value: s };
        if (isIdType(t)) {
          if (s === '') return { kind: 'null' };
          const id = normalizeSalesforceId(s);
          if (!id) throw new SalesforceError(400, 'INVALID_QUERY_FILTER_OPERATOR', `invalid ID field: ${s}`);
          return { kind: 'value', value: id };
        }
        throw this.typeMismatch(lhs);
      }
      case 'INTEGER':
      case 'DECIMAL':
        if (isNumericType(t)) return { kind: 'value', value: Number(raw) };
        throw this.typeMismatch(lhs);
      case 'BOOLEAN':
        if (t === 'boolean') return { kind: 'value', value: raw.toUpperCase() === 'TRUE' ? 1 : 0 };
        throw this.typeMismatch(lhs);
      case 'DATE':
        if (t === 'date' && isValidDate(raw)) return { kind: 'value', value: raw };
        throw this.typeMismatch(lhs);
      case 'DATETIME': {
        const d = t === 'datetime' ? parseDateTime(raw) : null;
        if (d) return { kind: 'value', value: d };
        throw this.typeMismatch(lhs);
      }
      case 'DATE_LITERAL':
      case 'DATE_N_LITERAL': {
        if (t !== 'date' && t !== 'datetime') throw this.typeMismatch(lhs);
        const [start, end] = this.dateRange(raw);
        const asType = (d: string) => (t === 'date' ? d : `${d}T00:00:00.000+0000`);
        return { kind: 'range', start: asType(start), end: asType(end) };
      }
      default:
        throw malformedQuery(`Literals of type ${litType} (in ${lhs.name} ${op} ${raw}) are not supported by this emulator.`);
    }
  }

  /** Removes the quotes and SOQL escapes from a string literal; for LIKE, keeps `\%` and `\_` as escaped pattern characters. */
  private unescape(raw: string, forLike: boolean): string {
    const body = raw.startsWith("'") && raw.endsWith("'") && raw.length >= 2 ? raw.slice(1, -1) : raw;
    let out = '';
    for (let i = 0; i < body.length; i++) {
      const ch = body[i]!;
      if (ch !== '\\') {
        out += ch;
        continue;
      }
      const next = body[++i];
      const simple: Record<string, string> = { n: '\n', N: '\n', r: '\r', R: '\r', t: '\t', T: '\t', b: '\b', B: '\b', f: '\f', F: '\f', '"': '"', "'": "'" };
      if (next === undefined) throw malformedQuery(`Invalid string literal ${raw}: it ends with a lone backslash.`);
      if (next in simple) out += simple[next];
      else if (next === '\\') out += forLike ? '\\\\' : '\\';
      else if (next === '%' || next === '_') out += forLike ? `\\${next}` : next;
      else if (next === 'u' && /^[0-9a-fA-F]{4}$/.test(body.slice(i + 1, i + 5))) {
        out += String.fromCharCode(parseInt(body.slice(i + 1, i + 5), 16));
        i += 4;
      } else {
        throw malformedQuery(`Invalid string literal ${raw}. Illegal character sequence '\\${next}' in string literal.`);
      }
    }
    return out;
  }

  /** The UTC day range [start, end) a date literal denotes, relative to the emulator's clock. */
  private dateRange(literal: string): [string, string] {
    const [name = '', nRaw] = literal.toUpperCase().split(':');
    const n = nRaw === undefined ? 0 : Number(nRaw);
    const today = this.today;
    const dow = new Date(`${today}T00:00:00Z`).getUTCDay();
    const week = addDays(today, -dow);
    const month = `${today.slice(0, 7)}-01`;
    const quarterMonth = Math.floor((Number(today.slice(5, 7)) - 1) / 3) * 3 + 1;
    const quarter = `${today.slice(0, 4)}-${String(quarterMonth).padStart(2, '0')}-01`;
    const year = `${today.slice(0, 4)}-01-01`;
    const fiscal = name.replace('_FISCAL_', '_');
    const ranges: Record<string, () => [string, string]> = {
      TODAY: () => [today, addDays(today, 1)],
      YESTERDAY: () => [addDays(today, -1), today],
      TOMORROW: () => [addDays(today, 1), addDays(today, 2)],
      THIS_WEEK: () => [week, addDays(week, 7)],
      LAST_WEEK: () => [addDays(week, -7), week],
      NEXT_WEEK: () => [addDays(week, 7), addDays(week, 14)],
      THIS_MONTH: () => [month, addMonths(month, 1)],
      LAST_MONTH: () => [addMonths(month, -1), month],
      NEXT_MONTH: () => [addMonths(month, 1), addMonths(month, 2)],
      THIS_QUARTER: () => [quarter, addMonths(quarter, 3)],
      LAST_QUARTER: () => [addMonths(quarter, -3), quarter],
      NEXT_QUARTER: () => [addMonths(quarter, 3), addMonths(quarter, 6)],
      THIS_YEAR: () => [year, addMonths(year, 12)],
      LAST_YEAR: () => [addMonths(year, -12), year],
      NEXT_YEAR: () => [addMonths(year, 12), addMonths(year, 24)],
      LAST_90_DAYS: () => [addDays(today, -90), addDays(today, 1)],
      NEXT_90_DAYS: () => [addDays(today, 1), addDays(today, 91)],
      LAST_N_DAYS: () => [addDays(today, -n), addDays(today, 1)],
      NEXT_N_DAYS: () => [addDays(today, 1), addDays(today, n + 1)],
      N_DAYS_AGO: () => [addDays(today, -n), addDays(today, -n + 1)],
      LAST_N_WEEKS: () => [addDays(week, -7 * n), week],
      NEXT_N_WEEKS: () => [addDays(week, 7), addDays(week, 7 * (n + 1))],
      N_WEEKS_AGO: () => [addDays(week, -7 * n), addDays(week, -7 * n + 7)],
      LAST_N_MONTHS: () => [addMonths(month, -n), month],
      NEXT_N_MONTHS: () => [addMonths(month, 1), addMonths(month, n + 1)],
      N_MONTHS_AGO: () => [addMonths(month, -n), addMonths(month, -n + 1)],
      LAST_N_QUARTERS: () => [addMonths(quarter, -3 * n), quarter],
      NEXT_N_QUARTERS: () => [addMonths(quarter, 3), addMonths(quarter, 3 * (n + 1))],
      N_QUARTERS_AGO: () => [addMonths(quarter, -3 * n), addMonths(quarter, -3 * n + 3)],
      LAST_N_YEARS: () => [addMonths(year, -12 * n), year],
      NEXT_N_YEARS: () => [addMonths(year, 12), addMonths(year, 12 * (n + 1))],
      N_YEARS_AGO: () => [addMonths(year, -12 * n), addMonths(year, -12 * n + 12)],
    };
    const range = ranges[name] ?? ranges[fiscal];
    if (!range || !Number.isInteger(n) || n < 0) throw malformedQuery(`The date literal ${literal} is not supported by this emulator.`);
    return range();
  }
}

/** Parses SOQL with soql-parser-js, mapping its syntax errors to MALFORMED_QUERY as Salesforce reports them. */
export function parseSoql(text: string): Query {
  if (text.trim() === '') throw malformedQuery('The query string is empty; pass SOQL in the q parameter.');
  try {
    return parseQuery(text);
  } catch (e) {
    const message = (e as Error).message;
    const found = /but found: '([^']*)'/.exec(message)?.[1] ?? /unexpected character: ->(.)<-/.exec(message)?.[1];
    throw malformedQuery(found !== undefined ? `unexpected token: '${found === '' ? '<EOF>' : found}'` : `Invalid SOQL: ${message.split('\n')[0]}`);
  }
}

export function compileSoql(registry: Registry, text: string, options: CompileOptions): CompiledQuery {
  return new Compiler(registry, text, options).compile(parseSoql(text));
}
