/**
 * The model registry: every model the emulator serves, described the way Odoo
 * describes its own (`_name`, `_description`, `_order`, typed fields with
 * `string`, `relation`, `required`, `readonly`, `store`). Storage, domains,
 * ordering, reads, writes, `read_group` and `fields_get` are all driven from
 * here, so a field added to a model works everywhere at once.
 *
 * A field is one of:
 * - stored: a column of the model's table (`store` and no `sql`);
 * - computed in SQL: `sql(alias)` gives an expression over the row aliased
 *   `alias`, so it can be read, searched, ordered and grouped like a column;
 * - x2many: `link` gives the (parent, child) pairs, read as lists of ids.
 */

export type FieldType =
  'char' | 'text' | 'html' | 'integer' | 'float' | 'monetary' | 'boolean' | 'date' | 'datetime' | 'selection' | 'many2one' | 'one2many' | 'many2many';

export type Ondelete = 'set null' | 'restrict' | 'cascade';

export interface FieldDef {
  name: string;
  type: FieldType;
  /** Odoo's label, as `fields_get` shows it. */
  string: string;
  help?: string;
  relation?: string;
  /** For one2many: the many2one on the comodel that points back. */
  relationField?: string;
  required: boolean;
  readonly: boolean;
  /** What `fields_get` reports; Odoo's own value for the field. */
  store: boolean;
  selection?: [string, string][];
  /** Decimal places values are rounded to (Odoo's `digits`); monetary fields use 2. */
  digits?: number;
  ondelete?: Ondelete;
  /** A value, or a function of the request's clock and user, used when `create` omits the field. */
  default?: unknown | ((env: DefaultEnv) => unknown);
  /** SQL expression over the row aliased by the argument; makes the field computed. */
  sql?: (alias: string) => string;
  /** For x2many: SQL selecting `parent` and `child` ids for every link. */
  link?: string;
  /** For many2many stored in a relation table: table and its two columns. */
  m2mTable?: { table: string; column1: string; column2: string };
  /** Writes go to another record (Odoo's `_inherits` delegation and variant-owned template fields). */
  delegate?: { viaField: string; targetModel: string; reverse?: boolean };
  /** Accepts writes although computed (Odoo's `inverse`), handled by the model's hooks. */
  inverse?: boolean;
  /** Column affinity and relation to an unserved model (opportunity_id → crm.lead) stay honest. */
  unservedRelation?: boolean;
  /** Odoo's default aggregate for `read_group`. */
  groupOperator?: string;
  /** Kept up to date by the emulator's business rules (amounts, invoice status); RPC writes to it are ignored. */
  managed?: boolean;
  /** Worth an SQL index: many2one columns, keys clients look records up by, `write_date` for change polling. */
  index?: boolean;
}

export interface DefaultEnv {
  now: string;
  today: string;
  uid: number;
}

export interface ModelDef {
  name: string;
  description: string;
  table: string;
  /** Default `_order`. */
  order: string;
  fields: Map<string, FieldDef>;
  /** SQL giving the display name of the row aliased by the argument. */
  displayName: (alias: string) => string;
  /** Fields `name_search` and string values on many2one leaves match against (Odoo's `_rec_names_search`). */
  nameSearch: string[];
  /** Hierarchy field for `child_of`/`parent_of` (Odoo's `_parent_name`). */
  parentField?: string;
}

export interface FieldOptions {
  required?: boolean;
  readonly?: boolean;
  store?: boolean;
  help?: string;
  digits?: number;
  ondelete?: Ondelete;
  default?: unknown;
  sql?: (alias: string) => string;
  delegate?: FieldDef['delegate'];
  inverse?: boolean;
  groupOperator?: string;
  unservedRelation?: boolean;
  managed?: boolean;
  index?: boolean;
}

type Spec = Omit<FieldDef, 'name'>;

function base(type: FieldType, string: string, o: FieldOptions = {}): Spec {
  const computed = o.sql !== undefined;
  return {
    type,
    string,
    help: o.help,
    required: o.required ?? false,
    // Odoo makes computed fields readonly unless they have an inverse.
    readonly: o.readonly ?? (computed && !o.inverse && !o.delegate),
    store: o.store ?? !computed,
    digits: o.digits,
    ondelete: o.ondelete,
    default: o.default,
    sql: o.sql,
    delegate: o.delegate,
    inverse: o.inverse,
    groupOperator: o.groupOperator ?? (type === 'integer' || type === 'float' || type === 'monetary' ? 'sum' : undefined),
    unservedRelation: o.unservedRelation,
    managed: o.managed,
    index: o.index,
  };
}

/** Field constructors named after Odoo's `fields.*` classes. */
export const F = {
  char: (string: string, o?: FieldOptions) => base('char', string, o),
  text: (string: string, o?: FieldOptions) => base('text', string, o),
  integer: (string: string, o?: FieldOptions) => base('integer', string, o),
  float: (string: string, o?: FieldOptions) => base('float', string, o),
  monetary: (string: string, o?: FieldOptions) => base('monetary', string, { digits: 2, ...o }),
  boolean: (string: string, o?: FieldOptions) => base('boolean', string, o),
  date: (string: string, o?: FieldOptions) => base('date', string, o),
  datetime: (string: string, o?: FieldOptions) => base('datetime', string, o),
  selection: (selection: [string, string][], string: string, o?: FieldOptions): Spec => ({ ...base('selection', string, o), selection }),
  many2one: (relation: string, string: string, o?: FieldOptions): Spec => ({
    ...base('many2one', string, o),
    relation,
    // Like Odoo: a required many2one may not be silently emptied by deleting its target.
    ondelete: o?.ondelete ?? (o?.required ? 'restrict' : 'set null'),
    index: o?.index ?? o?.sql === undefined,
  }),
  one2many: (relation: string, relationField: string, string: string, o: FieldOptions & { link?: string } = {}): Spec => ({
    ...base('one2many', string, { ...o, store: o.store ?? true }),
    relation,
    relationField,
    readonly: o.readonly ?? false,
    link: o.link,
  }),
  many2many: (relation: string, string: string, o: FieldOptions & { link?: string; m2mTable?: FieldDef['m2mTable'] } = {}): Spec => ({
    ...base('many2many', string, { ...o, store: o.store ?? o.m2mTable !== undefined }),
    relation,
    readonly: o.readonly ?? o.m2mTable === undefined,
    link: o.link,
    m2mTable: o.m2mTable,
  }),
};

export interface ModelSpec {
  name: string;
  description: string;
  order: string;
  fields: Record<string, Spec>;
  displayName?: (alias: string) => string;
  nameSearch?: string[];
  parentField?: string;
  /** Models without `active` in Odoo (lines, quants) leave it out. */
  active?: boolean;
}

export const tableOf = (model: string) => model.replace(/\./g, '_');

/** Builds a model, adding the fields every Odoo model has (`id`, `display_name`, the log-access fields). */
export function defineModel(spec: ModelSpec): ModelDef {
  const fields = new Map<string, FieldDef>();
  const add = (name: string, f: Spec) => fields.set(name, { ...f, name });
  add('id', { ...base('integer', 'ID', { readonly: true }), groupOperator: undefined });
  for (const [name, f] of Object.entries(spec.fields)) add(name, f);
  if (spec.active !== false && !fields.has('active')) add('active', F.boolean('Active', { default: true }));
  const displayName = spec.displayName ?? ((a: string) => `${a}."name"`);
  add('display_name', F.char('Display Name', { sql: displayName }));
  add('create_uid', F.many2one('res.users', 'Created by', { readonly: true, index: false }));
  add('create_date', F.datetime('Created on', { readonly: true }));
  add('write_uid', F.many2one('res.users', 'Last Updated by', { readonly: true, index: false }));
  add('write_date', F.datetime('Last Updated on', { readonly: true, index: true }));
  const table = tableOf(spec.name);
  for (const f of fields.values()) {
    if (f.type === 'one2many' && !f.link) {
      f.link = `SELECT "${f.relationField}" AS parent, id AS child FROM ${tableOf(f.relation!)} WHERE "${f.relationField}" IS NOT NULL`;
    }
    if (f.type === 'many2many' && f.m2mTable && !f.link) {
      f.link = `SELECT "${f.m2mTable.column1}" AS parent, "${f.m2mTable.column2}" AS child FROM ${f.m2mTable.table}`;
    }
  }
  return {
    name: spec.name,
    description: spec.description,
    table,
    order: spec.order,
    fields,
    displayName,
    nameSearch: spec.nameSearch ?? ['name'],
    parentField: spec.parentField,
  };
}

/** A column exists for stored, non-x2many fields that are not computed in SQL. */
export function isColumn(f: FieldDef): boolean {
  return f.sql === undefined && f.type !== 'one2many' && f.type !== 'many2many';
}

export function columnType(f: FieldDef): string {
  switch (f.type) {
    case 'integer':
    case 'boolean':
    case 'many2one':
      return 'INTEGER';
    case 'float':
    case 'monetary':
      return 'REAL';
    default:
      return 'TEXT';
  }
}

/** The SQL expression for a field's value on the row aliased `alias`. */
export function fieldSql(f: FieldDef, alias: string): string {
  return f.sql ? f.sql(alias) : `${alias}."${f.name}"`;
}
