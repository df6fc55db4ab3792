/**
 * `read_group`, the aggregation pushdown of Odoo's RPC API, in the shape
 * Odoo 17 answers it:
 *
 * - one row per group: the grouped values (many2one as `[id, name]`, dates
 *   as labels such as "October 2026"), the count (`__count`, or
 *   `<field>_count` when lazy), the aggregates, `__domain` selecting the
 *   group's records, `__context` with the remaining groupbys when lazy, and
 *   `__range` for date groups;
 * - date granularities `hour`, `day`, `week`, `month` (the default),
 *   `quarter` and `year`, labelled like Babel's en_US formats Odoo uses;
 * - groups in groupby order unless `orderby` says otherwise.
 */
import { normalizeDomain, orderItems, parseOrder, Query } from './domain.js';
import { pyRepr, userError, valueError } from './errors.js';
import { floatRound } from './money.js';
import { paging, type Orm } from './orm.js';
import { fieldSql, type FieldDef, type ModelDef } from './registry.js';

const GRANULARITIES = ['hour', 'day', 'week', 'month', 'quarter', 'year'] as const;
type Granularity = (typeof GRANULARITIES)[number];
const AGGREGATES = new Set(['sum', 'avg', 'max', 'min', 'count', 'count_distinct', 'bool_and', 'bool_or', 'array_agg']);

interface GroupSpec {
  key: string;
  field: FieldDef;
  granularity?: Granularity;
  sql: string;
}

interface AggregateSpec {
  key: string;
  field: FieldDef | null;
  func: string;
  sql: string;
}

export interface ReadGroupArgs {
  domain: unknown;
  fields: unknown;
  groupby: unknown;
  offset?: unknown;
  limit?: unknown;
  orderby?: unknown;
  lazy?: unknown;
}

export function readGroup(orm: Orm, modelName: string, args: ReadGroupArgs): Record<string, unknown>[] {
  const model = orm.model(modelName);
  const lazy = args.lazy === undefined ? true : Boolean(args.lazy);
  const groupby = toStringList(args.groupby, 'groupby');
  const lazyGroupby = lazy ? groupby.slice(0, 1) : groupby;
  const domain = args.domain === null || args.domain === undefined || args.domain === false ? [] : args.domain;

  const query = new Query(model, orm.nextAlias());
  const where = orm.where(model, domain, query);
  const groups = lazyGroupby.map((spec) => groupSpec(model, query.alias, spec));
  const countKey = lazy && lazyGroupby.length === 1 ? `${lazyGroupby[0]!.split(':')[0]}_count` : '__count';
  const aggregates = aggregateSpecs(model, query.alias, toStringList(args.fields ?? [], 'fields'), groups);

  const select = [...groups.map((g, i) => `${g.sql} AS g${i}`), 'COUNT(*) AS n', ...aggregates.map((a, i) => `${a.sql} AS v${i}`)];
  const order = groupOrder(orm, model, query, groups, aggregates, countKey, args.orderby);
  const groupClause = groups.length > 0 ? ` GROUP BY ${groups.map((_, i) => `g${i}`).join(', ')}` : '';
  const { sql: page, params: pageParams } = paging(args.offset, args.limit);
  const rows = orm.raw(`SELECT ${select.join(', ')} FROM ${query.from()} WHERE ${where.sql}${groupClause}${order ? ` ORDER BY ${order}` : ''}${page}`, [
    ...where.params,
    ...pageParams,
  ]);
  // Without groupby an empty model still yields one row, as SQL's aggregate over nothing does.

  const names = new Map<GroupSpec, Map<number, string>>();
  for (const [i, g] of groups.entries()) {
    if (g.field.type !== 'many2one' || g.field.unservedRelation) continue;
    names.set(g, orm.displayNames(g.field.relation!, [...new Set(rows.map((r) => r[i]).filter((v): v is number => typeof v === 'number'))]));
  }

  return rows.map((row) => {
    const out: Record<string, unknown> = {};
    const extraDomains: unknown[][] = [];
    const ranges: Record<string, unknown> = {};
    for (const [i, g] of groups.entries()) {
      const value = row[i];
      if (g.field.type === 'many2one') {
        out[g.key] = value === null ? false : [value, names.get(g)?.get(value as number) ?? ''];
        extraDomains.push([[g.field.name, '=', value ?? false]]);
      } else if (g.granularity) {
        if (value === null) {
          out[g.key] = false;
          ranges[g.key] = false;
          extraDomains.push([[g.field.name, '=', false]]);
        } else {
          const period = datePeriod(String(value), g.granularity, g.field.type === 'datetime');
          out[g.key] = period.label;
          ranges[g.key] = { from: period.from, to: period.to };
          extraDomains.push(['&', [g.field.name, '>=', period.from], [g.field.name, '<', period.to]]);
        }
      } else if (g.field.type === 'boolean') {
        out[g.key] = value === 1;
        extraDomains.push([[g.field.name, '=', value === 1]]);
      } else {
        out[g.key] = value ?? false;
        extraDomains.push([[g.field.name, '=', value ?? false]]);
      }
    }
    out[countKey] = row[groups.length];
    for (const [i, a] of aggregates.entries()) out[a.key] = aggregateValue(a, row[groups.length + 1 + i]);
    let groupDomain = Array.isArray(domain) ? domain : [];
    for (const extra of extraDomains) groupDomain = andDomains([groupDomain, extra]);
    out.__domain = groupDomain;
    if (lazy && lazyGroupby.length < groupby.length) out.__context = { group_by: groupby.slice(lazyGroupby.length) };
    if (Object.keys(ranges).length > 0) out.__range = ranges;
    return out;
  });
}

function toStringList(value: unknown, what: string): string[] {
  if (value === null || value === undefined || value === false) return [];
  const list = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(list) || !list.every((v) => typeof v === 'string')) {
    throw valueError(`Expected ${what} to be a list of strings, but got ${pyRepr(value)}.`);
  }
  return list;
}

function groupSpec(model: ModelDef, alias: string, spec: string): GroupSpec {
  const [name, granularityRaw] = spec.split(':') as [string, string | undefined];
  const field = model.fields.get(name);
  if (!field) throw valueError(`Invalid field ${pyRepr(name)} on model ${pyRepr(model.name)}`);
  if (field.type === 'one2many' || field.type === 'many2many') {
    throw valueError(
      `Grouping by the ${field.type} field ${model.name}.${name} is not supported by this emulator; group by a many2one, selection, char, boolean or date field instead.`,
    );
  }
  const expr = fieldSql(field, alias);
  if (field.type === 'date' || field.type === 'datetime') {
    const granularity = (granularityRaw ?? 'month') as Granularity;
    if (!GRANULARITIES.includes(granularity)) {
      throw valueError(`Invalid granularity ${pyRepr(granularityRaw)} in groupby ${pyRepr(spec)}: expected one of ${GRANULARITIES.join(', ')}.`);
    }
    return { key: spec, field, granularity, sql: periodStartSql(expr, granularity) };
  }
  if (granularityRaw !== undefined) {
    throw valueError(`Granularity set on a field that is not a date or datetime: ${pyRepr(spec)}.`);
  }
  return { key: spec, field, sql: field.type === 'boolean' ? `COALESCE(${expr}, 0)` : expr };
}

/** The first day (or hour) of the period holding `expr`, as text; weeks start on Monday like PostgreSQL's `date_trunc`. */
function periodStartSql(expr: string, g: Granularity): string {
  switch (g) {
    case 'hour':
      return `strftime('%Y-%m-%d %H:00:00', ${expr})`;
    case 'day':
      return `date(${expr})`;
    case 'week':
      return `date(${expr}, '-' || ((CAST(strftime('%w', ${expr}) AS INTEGER) + 6) % 7) || ' days')`;
    case 'month':
      return `strftime('%Y-%m-01', ${expr})`;
    case 'quarter':
      return `printf('%s-%02d-01', strftime('%Y', ${expr}), ((CAST(strftime('%m', ${expr}) AS INTEGER) - 1) / 3) * 3 + 1)`;
    case 'year':
      return `strftime('%Y-01-01', ${expr})`;
  }
}

function aggregateSpecs(model: ModelDef, alias: string, fields: string[], groups: GroupSpec[]): AggregateSpec[] {
  const out: AggregateSpec[] = [];
  const seen = new Set<string>();
  for (const spec of fields) {
    if (spec === '__count') continue;
    const m = /^(\w+)(?::(\w+)(?:\((\w+)\))?)?$/.exec(spec);
    if (!m) throw valueError(`Invalid field specification ${pyRepr(spec)}.`);
    const [, name, func, fname] = m as unknown as [string, string, string | undefined, string | undefined];
    const fieldName = fname ?? name;
    const field = model.fields.get(fieldName);
    if (!field) throw valueError(`Invalid field ${pyRepr(fieldName)} on model ${pyRepr(model.name)}`);
    let aggregate = func;
    if (!aggregate) {
      // Odoo aggregates a bare field only when it is stored, has a default aggregate and is not a groupby.
      if (!field.store || field.sql || !field.groupOperator || groups.some((g) => g.key === spec)) continue;
      aggregate = field.groupOperator;
    }
    if (!AGGREGATES.has(aggregate))
      throw valueError(`Invalid aggregate function ${pyRepr(aggregate)} in ${pyRepr(spec)}: expected one of ${[...AGGREGATES].join(', ')}.`);
    if (field.type === 'one2many' || field.type === 'many2many') continue;
    if (seen.has(name)) continue;
    seen.add(name);
    out.push({ key: name, field, func: aggregate, sql: aggregateSql(aggregate, fieldSql(field, alias)) });
  }
  return out;
}

function aggregateSql(func: string, expr: string): string {
  switch (func) {
    case 'count':
      return `COUNT(${expr})`;
    case 'count_distinct':
      return `COUNT(DISTINCT ${expr})`;
    case 'bool_and':
      return `MIN(${expr})`;
    case 'bool_or':
      return `MAX(${expr})`;
    case 'array_agg':
      return `json_group_array(${expr})`;
    default:
      return `${func.toUpperCase()}(${expr})`;
  }
}

function aggregateValue(a: AggregateSpec, value: unknown): unknown {
  if (a.func === 'array_agg') return JSON.parse(String(value ?? '[]'));
  if (a.func === 'bool_and' || a.func === 'bool_or') return value === null ? false : value !== 0;
  if (a.func === 'count' || a.func === 'count_distinct') return value;
  if (typeof value === 'number' && a.field && (a.field.type === 'float' || a.field.type === 'monetary')) {
    // PostgreSQL sums numeric columns exactly; SQLite's doubles would show binary noise.
    return floatRound(value, a.field.digits ?? 6);
  }
  return value;
}

/** ORDER BY for groups: `orderby` terms name groupbys, aggregates or the count. */
function groupOrder(orm: Orm, model: ModelDef, query: Query, groups: GroupSpec[], aggregates: AggregateSpec[], countKey: string, orderby: unknown): string {
  const items: string[] = [];
  const terms =
    orderby === null || orderby === undefined || orderby === false || orderby === ''
      ? groups.map((g) => ({ name: g.key.split(':')[0]!, desc: false, nulls: undefined as string | undefined }))
      : parseGroupOrder(orderby);
  for (const term of terms) {
    const gi = groups.findIndex((g) => g.field.name === term.name);
    const ai = aggregates.findIndex((a) => a.key === term.name);
    const nulls = term.nulls ?? (term.desc ? 'first' : 'last');
    const dir = `${term.desc ? 'DESC' : 'ASC'} NULLS ${nulls.toUpperCase()}`;
    if (gi >= 0) {
      const g = groups[gi]!;
      if (g.field.type === 'many2one' && orm.models.has(g.field.relation!)) {
        // Like Odoo, many2one groups sort by the comodel's own order (e.g. the partner's name).
        items.push(
          ...orderItems(orm, query, query.alias, model, [{ field: g.field.name, desc: term.desc, nulls: term.nulls as 'first' | 'last' | undefined }]),
        );
        items.push(`g${gi} ${dir}`);
      } else items.push(`g${gi}${g.granularity ? '' : ' COLLATE NOCASE'} ${dir}`);
    } else if (ai >= 0) {
      items.push(`v${ai} ${dir}`);
    } else if (term.name === '__count' || term.name === countKey) {
      items.push(`n ${dir}`);
    } else {
      throw valueError(`Invalid orderby term ${pyRepr(term.name)} for read_group on ${model.name}: expected a groupby field, an aggregated field or __count.`);
    }
  }
  // Group keys last, so that ties between groups come out in a stable order.
  for (let i = 0; i < groups.length; i++) items.push(`g${i} ASC NULLS LAST`);
  return items.join(', ');
}

function parseGroupOrder(orderby: unknown): { name: string; desc: boolean; nulls?: string }[] {
  if (typeof orderby !== 'string') throw valueError(`Expected orderby to be a string such as "amount_total desc", but got ${pyRepr(orderby)}.`);
  const terms = parseOrder(orderby);
  if (!terms) {
    throw userError(
      `Invalid "order" specified (${orderby}). A valid "order" specification is a comma-separated list of valid field names (optionally followed by asc/desc for the direction)`,
    );
  }
  return terms.map((t) => ({ name: t.field, desc: t.desc, nulls: t.nulls }));
}

// --- domains ----------------------------------------------------------------

const TRUE_DOMAIN = [[1, '=', 1]];
const FALSE_DOMAIN = [[0, '=', 1]];
const sameDomain = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** Odoo's `expression.AND`, so that `__domain` has exactly Odoo's form. */
export function andDomains(domains: unknown[][]): unknown[] {
  if (domains.length === 1 && sameDomain(domains[0], TRUE_DOMAIN)) return TRUE_DOMAIN;
  const result: unknown[] = [];
  let count = 0;
  for (const d of domains) {
    if (sameDomain(d, TRUE_DOMAIN)) continue;
    if (sameDomain(d, FALSE_DOMAIN)) return FALSE_DOMAIN;
    if (d.length > 0) {
      result.push(...normalizeDomain(d));
      count++;
    }
  }
  return result.length > 0 ? [...Array(Math.max(count - 1, 0)).fill('&'), ...result] : TRUE_DOMAIN;
}

// --- date periods -------------------------------------------------------------

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const pad = (n: number, w = 2) => String(n).padStart(w, '0');

function datePeriod(start: string, g: Granularity, datetime: boolean): { label: string; from: string; to: string } {
  const d = new Date(`${start.slice(0, 10)}T${g === 'hour' ? start.slice(11, 19) : '00:00:00'}Z`);
  const end = new Date(d);
  switch (g) {
    case 'hour':
      end.setUTCHours(end.getUTCHours() + 1);
      break;
    case 'day':
      end.setUTCDate(end.getUTCDate() + 1);
      break;
    case 'week':
      end.setUTCDate(end.getUTCDate() + 7);
      break;
    case 'month':
      end.setUTCMonth(end.getUTCMonth() + 1);
      break;
    case 'quarter':
      end.setUTCMonth(end.getUTCMonth() + 3);
      break;
    case 'year':
      end.setUTCFullYear(end.getUTCFullYear() + 1);
      break;
  }
  const fmt = (x: Date) => {
    const day = `${x.getUTCFullYear()}-${pad(x.getUTCMonth() + 1)}-${pad(x.getUTCDate())}`;
    return datetime ? `${day} ${pad(x.getUTCHours())}:00:00` : day;
  };
  return { label: periodLabel(d, g), from: fmt(d), to: fmt(end) };
}

/** Odoo's READ_GROUP_DISPLAY_FORMAT rendered the way Babel does for en_US. */
function periodLabel(d: Date, g: Granularity): string {
  const year = d.getUTCFullYear();
  const month = MONTHS[d.getUTCMonth()]!;
  switch (g) {
    case 'hour': {
      const h = d.getUTCHours() % 12 || 12;
      return `${pad(h)}:00 ${pad(d.getUTCDate())} ${month.slice(0, 3)}`;
    }
    case 'day':
      return `${pad(d.getUTCDate())} ${month.slice(0, 3)} ${year}`;
    case 'week':
      return `W${babelWeekNumber(d)} ${isoWeekYear(d)}`;
    case 'month':
      return `${month} ${year}`;
    case 'quarter':
      return `Q${Math.floor(d.getUTCMonth() / 3) + 1} ${year}`;
    case 'year':
      return String(year);
  }
}

/** Babel's `w` for en_US: weeks start on Sunday and week 1 holds January 1st. */
function babelWeekNumber(d: Date): number {
  const weekNumber = (date: Date) => {
    const dayOfYear = Math.floor((date.getTime() - Date.UTC(date.getUTCFullYear(), 0, 1)) / 86_400_000) + 1;
    const weekday = (date.getUTCDay() + 6) % 7; // Python: Monday is 0
    const firstDay = (((weekday - 6 - dayOfYear + 1) % 7) + 7) % 7;
    let week = Math.floor((dayOfYear + firstDay - 1) / 7);
    if (7 - firstDay >= 1) week += 1;
    return week;
  };
  const week = weekNumber(d);
  if (week !== 0) return week;
  return weekNumber(new Date(Date.UTC(d.getUTCFullYear() - 1, 11, 31)));
}

/** Babel's `YYYY`: the ISO 8601 week-numbering year. */
function isoWeekYear(d: Date): number {
  const t = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
  t.setUTCDate(t.getUTCDate() + 3 - ((t.getUTCDay() + 6) % 7));
  return t.getUTCFullYear();
}
