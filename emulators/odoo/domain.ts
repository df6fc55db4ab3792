/**
 * Odoo domains compiled to SQLite, following Odoo 17's `odoo/osv/expression.py`:
 *
 * - prefix notation with `&`, `|`, `!` and an implicit `&` (`normalize_domain`);
 * - `!` pushed into the leaves where an operator has a negation
 *   (`distribute_not`), which matters because Odoo's negative operators
 *   (`!=`, `not in`, `not ilike`) also match NULL, unlike SQL's `NOT`;
 * - dotted paths through relational fields become `any` subqueries;
 * - a string on a many2one is a name search on the comodel;
 * - `like`/`ilike` wrap the value in `%…%` and, as in PostgreSQL, `%` and `_`
 *   inside it stay wildcards and `\` escapes;
 * - `child_of`/`parent_of` walk the model's parent field.
 *
 * Every value is bound as a parameter. Identifiers in the SQL come only from
 * the model registry, after the names in the domain were checked against it.
 */
import { fieldSql, type FieldDef, type ModelDef } from './registry.js';
import { pyRepr, valueError } from './errors.js';

export interface Frag {
  sql: string;
  params: unknown[];
}

export interface CompileEnv {
  models: ReadonlyMap<string, ModelDef>;
  /** Odoo's `active_test` context flag: hide archived records unless the domain mentions `active`. */
  activeTest: boolean;
  /** Source of fresh table aliases, shared by every query of one request. */
  nextAlias(): string;
}

/** A `FROM` clause under construction: the model's table plus any joins paths needed. */
export class Query {
  private readonly joins = new Map<string, string>();

  constructor(
    readonly model: ModelDef,
    readonly alias: string,
  ) {}

  /** LEFT JOINs the comodel of a many2one once per path, like Odoo's `query.left_join`. */
  leftJoin(fromAlias: string, field: FieldDef, comodel: ModelDef): string {
    const alias = `${fromAlias}__${field.name}`;
    if (!this.joins.has(alias)) this.joins.set(alias, `LEFT JOIN ${comodel.table} ${alias} ON ${alias}.id = ${fieldSql(field, fromAlias)}`);
    return alias;
  }

  from(): string {
    return [`${this.model.table} ${this.alias}`, ...this.joins.values()].join(' ');
  }
}

export const TRUE_SQL: Frag = { sql: '1 = 1', params: [] };
export const FALSE_SQL: Frag = { sql: '0 = 1', params: [] };

const TERM_OPERATORS = new Set([
  '=',
  '!=',
  '<=',
  '<',
  '>',
  '>=',
  '=?',
  '=like',
  '=ilike',
  'like',
  'not like',
  'ilike',
  'not ilike',
  'in',
  'not in',
  'child_of',
  'parent_of',
  'any',
  'not any',
]);
const NEGATIVE_OPERATORS = new Set(['!=', 'not like', 'not ilike', 'not in']);
const NEGATION: Record<string, string> = {
  '<': '>=',
  '>': '<=',
  '<=': '>',
  '>=': '<',
  '=': '!=',
  '!=': '=',
  in: 'not in',
  'not in': 'in',
  like: 'not like',
  'not like': 'like',
  ilike: 'not ilike',
  'not ilike': 'ilike',
  any: 'not any',
  'not any': 'any',
};
const SQL_COMPARATORS: Record<string, string> = { '=': '=', '!=': '!=', '<': '<', '>': '>', '<=': '<=', '>=': '>=' };
const ARITY: Record<string, number> = { '!': 1, '&': 2, '|': 2 };

type Leaf = [unknown, unknown, unknown];

const isTrueLeaf = (t: unknown[]) => t.length === 3 && t[0] === 1 && t[1] === '=' && t[2] === 1;
const isFalseLeaf = (t: unknown[]) => t.length === 3 && t[0] === 0 && t[1] === '=' && t[2] === 1;

function isLeaf(token: unknown): token is Leaf {
  return (
    Array.isArray(token) &&
    token.length === 3 &&
    typeof token[1] === 'string' &&
    (TERM_OPERATORS.has(token[1]) || token[1] === '<>') &&
    ((typeof token[0] === 'string' && token[0] !== '') || isTrueLeaf(token) || isFalseLeaf(token))
  );
}

/** Python's `str()` of a domain element, as Odoo's "Invalid leaf" message prints it. */
function pyStrOf(x: unknown): string {
  if (typeof x === 'string') return x;
  return Array.isArray(x) ? pyRepr(x, true) : pyRepr(x);
}

/** Python truthiness, which decides several of Odoo's NULL rules. */
export function truthy(v: unknown): boolean {
  if (v === null || v === undefined || v === false || v === 0 || v === '') return false;
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === 'object') return Object.keys(v as object).length > 0;
  return true;
}

function asDomain(value: unknown, what: string): unknown[] {
  if (value === null || value === undefined || value === false) return [];
  if (!Array.isArray(value)) throw valueError(`Expected ${what} to be a domain (a list of conditions), but got ${pyRepr(value)}.`);
  return value;
}

/** Odoo's `normalize_domain`: explicit `&` operators, leaves as tuples. */
export function normalizeDomain(domain: unknown[]): unknown[] {
  if (domain.length === 0) return [[1, '=', 1]];
  const result: unknown[] = [];
  let expected = 1;
  for (let token of domain) {
    if (expected === 0) {
      result.unshift('&');
      expected = 1;
    }
    if (Array.isArray(token)) {
      expected -= 1;
      if (token.length === 3 && (token[1] === 'any' || token[1] === 'not any')) {
        token = [token[0], token[1], normalizeDomain(asDomain(token[2], `the value of ${pyRepr(token, true)}`))];
      }
    } else {
      expected += (typeof token === 'string' ? (ARITY[token] ?? 0) : 0) - 1;
    }
    result.push(token);
  }
  if (expected !== 0) throw valueError(`Domain ${pyRepr(domain)} is syntactically not correct.`);
  return result;
}

/** Odoo's `distribute_not`: pushes `!` into the leaves whose operator has a negation. */
function distributeNot(domain: unknown[]): unknown[] {
  const result: unknown[] = [];
  const stack: boolean[] = [false];
  for (const token of domain) {
    const negate = stack.pop() ?? false;
    if (isLeaf(token)) {
      if (negate) {
        const [left, op, right] = token;
        if (isTrueLeaf(token)) result.push([0, '=', 1]);
        else if (isFalseLeaf(token)) result.push([1, '=', 1]);
        else if (NEGATION[op as string]) result.push([left, NEGATION[op as string], right]);
        else result.push('!', token);
      } else result.push(token);
    } else if (token === '!') {
      stack.push(!negate);
    } else if (token === '&' || token === '|') {
      result.push(negate ? (token === '&' ? '|' : '&') : token);
      stack.push(negate, negate);
    } else {
      result.push(token);
    }
  }
  return result;
}

/** Odoo's `normalize_leaf`: `<>` is `!=`, a list with `=` means `in`, a boolean with `in` means `=`. */
function normalizeLeaf(leaf: Leaf): Leaf {
  const [left, rawOp, right] = leaf;
  let op = (rawOp as string).toLowerCase();
  if (op === '<>') op = '!=';
  if (typeof right === 'boolean' && (op === 'in' || op === 'not in')) op = op === 'in' ? '=' : '!=';
  if (Array.isArray(right) && (op === '=' || op === '!=')) op = op === '=' ? 'in' : 'not in';
  return [left, op, right];
}

type Node = { kind: 'and' | 'or'; a: Node; b: Node } | { kind: 'not'; a: Node } | { kind: 'leaf'; token: unknown };

function toTree(tokens: unknown[]): Node {
  let i = 0;
  const next = (): Node => {
    const token = tokens[i++];
    if (token === '&' || token === '|') {
      const a = next();
      const b = next();
      return { kind: token === '&' ? 'and' : 'or', a, b };
    }
    if (token === '!') return { kind: 'not', a: next() };
    return { kind: 'leaf', token };
  };
  return next();
}

/** Compiles `domain` into a WHERE condition over `query`'s root alias. */
export function compileDomain(env: CompileEnv, query: Query, domain: unknown): Frag {
  const normalized = normalizeDomain(asDomain(domain, 'the domain'));
  checkFields(env, query.model, normalized);
  return compileNode(env, query, query.alias, query.model, toTree(distributeNot(normalized)));
}

/**
 * Odoo 17 resolves every field path (`_anyfy_leaves`) before it looks at
 * operators, so an unknown field is reported as such, in the leaf as written.
 */
function checkFields(env: CompileEnv, model: ModelDef, tokens: unknown[]): void {
  for (const token of tokens) {
    if (!Array.isArray(token) || token.length !== 3 || typeof token[0] !== 'string' || isTrueLeaf(token) || isFalseLeaf(token)) continue;
    const [left, op, right] = token as [string, unknown, unknown];
    const dot = left.indexOf('.');
    const head = dot < 0 ? left : left.slice(0, dot);
    const field = model.fields.get(head);
    if (!field) throw valueError(`Invalid field ${model.name}.${head} in leaf ${pyRepr(token, true)}`);
    const comodel = isRelational(field) ? env.models.get(field.relation ?? '') : undefined;
    if (!comodel) continue;
    if (dot >= 0) checkFields(env, comodel, [[left.slice(dot + 1), op, right]]);
    else if ((op === 'any' || op === 'not any') && Array.isArray(right)) checkFields(env, comodel, right);
  }
}

function compileNode(env: CompileEnv, query: Query, alias: string, model: ModelDef, node: Node): Frag {
  switch (node.kind) {
    case 'and':
    case 'or': {
      const a = compileNode(env, query, alias, model, node.a);
      const b = compileNode(env, query, alias, model, node.b);
      return { sql: `(${a.sql} ${node.kind === 'and' ? 'AND' : 'OR'} ${b.sql})`, params: [...a.params, ...b.params] };
    }
    case 'not': {
      const a = compileNode(env, query, alias, model, node.a);
      return { sql: `(NOT (${a.sql}))`, params: a.params };
    }
    case 'leaf':
      if (!isLeaf(node.token)) throw valueError(`Invalid leaf ${pyStrOf(node.token)}`);
      return compileLeaf(env, query, alias, model, node.token);
  }
}

/** A condition on one model, compiled as its own subquery: `SELECT alias.id FROM … WHERE …`. */
function subSelect(env: CompileEnv, model: ModelDef, domain: unknown[], activeTest: boolean): Frag {
  const query = new Query(model, env.nextAlias());
  const effective = activeTest && model.fields.has('active') ? [['active', '=', true], ...domain] : domain;
  const where = compileNode(env, query, query.alias, model, toTree(distributeNot(normalizeDomain(effective))));
  return { sql: `SELECT ${query.alias}.id FROM ${query.from()} WHERE ${where.sql}`, params: where.params };
}

/** Whether the search should hide archived records: Odoo skips that when the domain mentions `active`. */
export function needsActiveFilter(env: CompileEnv, model: ModelDef, domain: unknown[]): boolean {
  return env.activeTest && model.fields.has('active') && !domain.some((item) => Array.isArray(item) && item[0] === 'active');
}

function compileLeaf(env: CompileEnv, query: Query, alias: string, model: ModelDef, raw: Leaf): Frag {
  if (isTrueLeaf(raw)) return TRUE_SQL;
  if (isFalseLeaf(raw)) return FALSE_SQL;
  const leaf = normalizeLeaf(raw);
  const [left, op, right] = leaf as [string, string, unknown];
  const dot = left.indexOf('.');
  const head = dot < 0 ? left : left.slice(0, dot);
  const field = model.fields.get(head);
  if (!field) throw valueError(`Invalid field ${model.name}.${head} in leaf ${pyRepr(raw, true)}`);

  if (dot >= 0) {
    const rest = left.slice(dot + 1);
    if (!isRelational(field)) throw valueError(`Invalid field ${model.name}.${left} in leaf ${pyRepr(raw, true)}: ${head} is not a relational field.`);
    // Odoo 17 turns a path into `(head, 'any', [(rest, op, right)])`.
    return compileAny(env, query, alias, model, field, 'any', [[rest, op, right]]);
  }
  if (op === 'any' || op === 'not any') {
    if (!isRelational(field))
      throw valueError(`Invalid leaf ${pyRepr(raw, true)}: operator ${pyRepr(op)} needs a relational field, and ${model.name}.${head} is a ${field.type}.`);
    return compileAny(env, query, alias, model, field, op, asDomain(right, `the value of ${pyRepr(raw, true)}`));
  }
  if (field.type === 'one2many' || field.type === 'many2many') return compileX2many(env, alias, model, field, leaf as [string, string, unknown]);
  if (field.type === 'many2one') return compileMany2one(env, query, alias, model, field, leaf as [string, string, unknown]);
  if (left === 'id' && (op === 'child_of' || op === 'parent_of')) {
    const ids = toIds(env, model, right);
    return ids.sql === null ? FALSE_SQL : inFrag(`${alias}.id`, hierarchy(env, model, model.parentField, op, ids));
  }
  if (op === 'child_of' || op === 'parent_of')
    throw valueError(`Invalid leaf ${pyRepr(raw, true)}: ${op} needs the id or a relational field, and ${model.name}.${head} is a ${field.type}.`);
  return compileScalar(field, fieldSql(field, alias), op, right, leaf);
}

const isRelational = (f: FieldDef) => f.type === 'many2one' || f.type === 'one2many' || f.type === 'many2many';

function comodelOf(env: CompileEnv, model: ModelDef, field: FieldDef): ModelDef {
  const comodel = env.models.get(field.relation ?? '');
  if (!comodel)
    throw valueError(
      `The field ${model.name}.${field.name} points to ${field.relation}, which this emulator does not serve, so it cannot be searched through.`,
    );
  return comodel;
}

function compileAny(env: CompileEnv, query: Query, alias: string, model: ModelDef, field: FieldDef, op: 'any' | 'not any', subdomain: unknown[]): Frag {
  const comodel = comodelOf(env, model, field);
  if (field.type === 'many2one') {
    // Odoo searches the comodel without hiding archived records for many2one paths.
    const sub = subSelect(env, comodel, subdomain, false);
    const col = fieldSql(field, alias);
    if (op === 'any') return { sql: `(${col} IN (${sub.sql}))`, params: sub.params };
    return { sql: `((${col} NOT IN (${sub.sql})) OR ${col} IS NULL)`, params: sub.params };
  }
  const sub = subSelect(env, comodel, subdomain, env.activeTest);
  return linkCondition(alias, field, op === 'any' ? 'IN' : 'NOT IN', sub);
}

/** `alias.id [NOT] IN (parents linked to any child in sub)`, or to any child at all when `sub` is null. */
function linkCondition(alias: string, field: FieldDef, inOp: 'IN' | 'NOT IN', sub: Frag | null): Frag {
  const where = sub ? ` WHERE l.child IN (${sub.sql})` : '';
  return { sql: `(${alias}.id ${inOp} (SELECT l.parent FROM (${field.link}) l${where}))`, params: sub?.params ?? [] };
}

function compileX2many(env: CompileEnv, alias: string, model: ModelDef, field: FieldDef, leaf: [string, string, unknown]): Frag {
  const [, op, right] = leaf;
  const comodel = comodelOf(env, model, field);
  if (op === 'child_of' || op === 'parent_of') {
    const ids = toIds(env, comodel, right);
    if (ids.sql === null) return FALSE_SQL;
    return linkCondition(alias, field, 'IN', hierarchy(env, comodel, comodel.parentField, op, ids));
  }
  const negative = NEGATIVE_OPERATORS.has(op);
  if (right === false || right === null) {
    // Records without any linked record, or with at least one.
    return linkCondition(alias, field, negative ? 'IN' : 'NOT IN', null);
  }
  let sub: Frag;
  if (typeof right === 'string') {
    sub = nameSearch(env, comodel, negative ? NEGATION[op]! : op, right);
  } else {
    const ids = (Array.isArray(right) ? right : [right]).filter(truthy);
    sub = { sql: 'SELECT value FROM json_each(?)', params: [JSON.stringify(ids)] };
  }
  return linkCondition(alias, field, negative ? 'NOT IN' : 'IN', sub);
}

function compileMany2one(env: CompileEnv, query: Query, alias: string, model: ModelDef, field: FieldDef, leaf: [string, string, unknown]): Frag {
  const right = leaf[2];
  let op = leaf[1];
  const col = fieldSql(field, alias);
  if (op === 'child_of' || op === 'parent_of') {
    const comodel = comodelOf(env, model, field);
    const ids = toIds(env, comodel, right);
    if (ids.sql === null) return FALSE_SQL;
    // On a self-referencing many2one, Odoo walks the hierarchy through that very field.
    if (comodel === model) return inFrag(`${alias}.id`, hierarchy(env, model, field.name, op, ids));
    return inFrag(col, hierarchy(env, comodel, comodel.parentField, op, ids));
  }
  const allStrings = Array.isArray(right) && right.length > 0 && right.every((v) => typeof v === 'string');
  if (typeof right === 'string' || allStrings) {
    // A name instead of an id: Odoo resolves it with a name search on the comodel.
    const comodel = comodelOf(env, model, field);
    if (op === '<' || op === '>' || op === '<=' || op === '>=') op = 'in';
    if (!Array.isArray(right) && (op === 'in' || op === 'not in')) op = op === 'in' ? '=' : '!=';
    else if (Array.isArray(right) && (op === '=' || op === '!=')) op = op === '=' ? 'in' : 'not in';
    const sub = nameSearch(env, comodel, op, right);
    if (NEGATIVE_OPERATORS.has(op)) return { sql: `((${col} IN (${sub.sql})) OR ${col} IS NULL)`, params: sub.params };
    return { sql: `(${col} IN (${sub.sql}))`, params: sub.params };
  }
  return compileScalar(field, col, op, right, leaf);
}

/** Ids of `comodel` whose searchable names match: Odoo's `_name_search`. */
function nameSearch(env: CompileEnv, comodel: ModelDef, op: string, value: unknown): Frag {
  const fields = comodel.nameSearch.length > 0 ? comodel.nameSearch : ['id'];
  const negative = op.startsWith('not') || op === '!=';
  const query = new Query(comodel, env.nextAlias());
  let where: Frag;
  if ((op === 'like' || op === 'ilike') && value === '') {
    where = TRUE_SQL;
  } else {
    const parts = fields.map((name) => {
      const f = comodel.fields.get(name)!;
      return compileScalar(f, fieldSql(f, query.alias), op, value, [name, op, value]);
    });
    where = { sql: `(${parts.map((p) => p.sql).join(negative ? ' AND ' : ' OR ')})`, params: parts.flatMap((p) => p.params) };
  }
  return { sql: `SELECT ${query.alias}.id FROM ${query.from()} WHERE ${where.sql}`, params: where.params };
}

/** Odoo's `to_ids`: an id, a list of ids, or names resolved by `ilike` name search. `sql: null` means no ids at all. */
function toIds(env: CompileEnv, model: ModelDef, value: unknown): { sql: string | null; params: unknown[] } {
  const names =
    typeof value === 'string' ? [value] : Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === 'string') ? (value as string[]) : null;
  if (names) {
    const parts = names.map((n) => nameSearch(env, model, 'ilike', n));
    return { sql: parts.map((p) => p.sql).join(' UNION '), params: parts.flatMap((p) => p.params) };
  }
  if (typeof value === 'number' || typeof value === 'boolean') {
    return truthy(value) ? { sql: 'SELECT value FROM json_each(?)', params: [JSON.stringify([Number(value)])] } : { sql: null, params: [] };
  }
  const ids = (Array.isArray(value) ? value : []).filter((v) => typeof v === 'number');
  return ids.length === 0 ? { sql: null, params: [] } : { sql: 'SELECT value FROM json_each(?)', params: [JSON.stringify(ids)] };
}

/** Ids reachable from `start` through the parent field: descendants (`child_of`) or ancestors (`parent_of`), the start included. */
function hierarchy(env: CompileEnv, model: ModelDef, parentField: string | undefined, op: string, start: { sql: string | null; params: unknown[] }): Frag {
  if (!parentField || !model.fields.has(parentField)) {
    // Without a hierarchy Odoo's child_of degenerates to the ids themselves.
    return { sql: start.sql!, params: start.params };
  }
  const cte = `h${env.nextAlias()}`;
  const t = `${cte}_t`;
  const step =
    op === 'child_of'
      ? `SELECT ${t}.id FROM ${model.table} ${t} JOIN ${cte} ON ${t}."${parentField}" = ${cte}.id`
      : `SELECT ${t}."${parentField}" FROM ${model.table} ${t} JOIN ${cte} ON ${t}.id = ${cte}.id WHERE ${t}."${parentField}" IS NOT NULL`;
  return { sql: `WITH RECURSIVE ${cte}(id) AS (${start.sql} UNION ${step}) SELECT id FROM ${cte}`, params: start.params };
}

function inFrag(expr: string, sub: Frag): Frag {
  return { sql: `(${expr} IN (${sub.sql}))`, params: sub.params };
}

/** Odoo's `__leaf_to_sql` for a column-like expression. */
function compileScalar(field: FieldDef, col: string, op: string, right: unknown, leaf: unknown[]): Frag {
  if (op === 'child_of' || op === 'parent_of') {
    throw valueError(`Invalid leaf ${pyRepr(leaf, true)}: ${op} needs the id or a relational field.`);
  }
  if (op === '=?') {
    if (right === false || right === null) return TRUE_SQL;
    op = '=';
  }
  if (op === 'in' || op === 'not in') {
    if (!Array.isArray(right)) throw valueError(`Invalid domain term ${pyRepr(leaf, true)}`);
    const list: unknown[] = right;
    let params: unknown[];
    let checkNull: boolean;
    if (field.type === 'boolean') {
      params = [true, false].filter((b) => list.includes(b)).map((b) => (b ? 1 : 0));
      checkNull = list.includes(false);
    } else {
      params = list.filter((v) => v !== false && v !== null).map((v) => toColumnValue(field, v, leaf));
      checkNull = params.length < list.length;
    }
    let sql: string;
    const values: unknown[] = [];
    if (params.length > 0) {
      sql = `(${col} ${op === 'in' ? 'IN' : 'NOT IN'} (SELECT value FROM json_each(?)))`;
      values.push(JSON.stringify(params));
    } else {
      sql = op === 'in' ? '0 = 1' : '1 = 1';
    }
    if ((op === 'in' && checkNull) || (op === 'not in' && !checkNull)) sql = `(${sql} OR ${col} IS NULL)`;
    else if (op === 'not in' && checkNull) sql = `(${sql} AND ${col} IS NOT NULL)`;
    return { sql, params: values };
  }
  if (field.type === 'boolean' && (op === '=' || op === '!=') && typeof right === 'boolean') {
    const value = op === '!=' ? !right : right;
    return { sql: value ? `(${col} = 1)` : `(${col} IS NULL OR ${col} = 0)`, params: [] };
  }
  if (op === '=' && (right === false || right === null)) return { sql: `(${col} IS NULL)`, params: [] };
  if (op === '!=' && (right === false || right === null)) return { sql: `(${col} IS NOT NULL)`, params: [] };

  if (field.type === 'datetime' && typeof right === 'string' && right.length === 10) {
    right = `${right} ${op === '>' || op === '<=' ? '23:59:59' : '00:00:00'}`;
  }
  const wildcard = op === 'like' || op === 'ilike' || op === 'not like' || op === 'not ilike';
  let sql: string;
  const params: unknown[] = [];
  if (op.endsWith('like')) {
    const pattern = wildcard ? `%${pyText(right)}%` : pyText(right);
    const ci = op.endsWith('ilike') ? 1 : 0;
    sql = `(${op.startsWith('not') ? 'NOT ' : ''}odoo_like(${col}, ?, ${ci}))`;
    params.push(pattern);
  } else {
    const comparator = SQL_COMPARATORS[op];
    if (!comparator) throw valueError(`Invalid leaf ${pyRepr(leaf, true)}`);
    if (right === false || right === null) {
      // PostgreSQL compares with NULL as unknown: no row matches.
      return FALSE_SQL;
    }
    sql = `(${col} ${comparator} ?)`;
    params.push(toColumnValue(field, right, leaf));
  }
  if ((wildcard && !truthy(right)) || (truthy(right) && NEGATIVE_OPERATORS.has(op))) sql = `(${sql} OR ${col} IS NULL)`;
  return { sql, params };
}

/** Python's `str()` of a value, as `pycompat.to_text` builds the `%…%` pattern. */
function pyText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (v === null || v === undefined) return 'None';
  return pyRepr(v);
}

function toColumnValue(field: FieldDef, v: unknown, leaf: unknown[]): unknown {
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'number' || typeof v === 'string') {
    if (field.type === 'boolean') return truthy(v) ? 1 : 0;
    return v;
  }
  throw valueError(`Invalid value ${pyRepr(v)} in domain term ${pyRepr(leaf, true)}`);
}

// --- ordering --------------------------------------------------------------

const ORDER_SPEC = /^(\s*([a-z0-9_]+|"[a-z0-9_]+")(\.[a-z0-9_]+)?(:[a-z_]+)?\s*(asc|desc)?\s*(nulls\s+(first|last))?\s*(,|$))+(?<!,)$/i;

export interface OrderTerm {
  field: string;
  desc: boolean;
  nulls?: 'first' | 'last';
}

/** Parses an `order` string like Odoo's `_check_qorder`; returns null when it is malformed. */
export function parseOrder(spec: string): (OrderTerm & { func?: string })[] | null {
  if (!ORDER_SPEC.test(spec)) return null;
  return spec
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '')
    .map((part) => {
      const m = /^"?([a-z0-9_]+)"?(?:\.[a-z0-9_]+)?(?::([a-z_]+))?\s*(asc|desc)?\s*(?:nulls\s+(first|last))?$/i.exec(part)!;
      return {
        field: m[1]!,
        func: m[2]?.toLowerCase(),
        desc: (m[3] ?? 'asc').toLowerCase() === 'desc',
        nulls: m[4]?.toLowerCase() as 'first' | 'last' | undefined,
      };
    });
}

const TEXT_TYPES = new Set(['char', 'text', 'html', 'selection']);

/**
 * ORDER BY items for `terms`. A many2one sorts by its comodel's own order, as
 * in Odoo; NULLs sort like PostgreSQL (last ascending, first descending).
 */
export function orderItems(env: CompileEnv, query: Query, alias: string, model: ModelDef, terms: OrderTerm[], depth = 0): string[] {
  const items: string[] = [];
  for (const term of terms) {
    const field = model.fields.get(term.field);
    if (!field) throw valueError(`Invalid field ${pyRepr(term.field)} on model ${pyRepr(model.name)}`);
    if (field.type === 'one2many' || field.type === 'many2many') continue; // Odoo ignores them too.
    if (field.type === 'many2one' && depth < 2 && env.models.has(field.relation!)) {
      const comodel = env.models.get(field.relation!)!;
      const joined = query.leftJoin(alias, field, comodel);
      const inner = parseOrder(comodel.order) ?? [];
      items.push(
        ...orderItems(
          env,
          query,
          joined,
          comodel,
          inner.map((t) => ({ ...t, desc: t.desc !== term.desc })),
          depth + 1,
        ),
      );
      continue;
    }
    const expr = fieldSql(field, alias) + (TEXT_TYPES.has(field.type) ? ' COLLATE NOCASE' : '');
    // Required fields hold no NULLs; leaving NULLS out lets SQLite walk an index instead of sorting.
    const nulls = term.nulls ?? (field.required || field.name === 'id' ? undefined : term.desc ? 'first' : 'last');
    items.push(`${expr} ${term.desc ? 'DESC' : 'ASC'}${nulls ? ` NULLS ${nulls.toUpperCase()}` : ''}`);
  }
  return items;
}
