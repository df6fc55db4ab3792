/**
 * The graph map: every type and field of the supergraph, grouped by integration
 * area, each field with the subgraph that resolves it and its native source
 * (Odoo model and field, Salesforce object and field), and the entity keys that
 * link the systems. `npm run compose` generates it from the subgraph schemas'
 * `@area`, `@odoo`, `@salesforce` and `@synthetic` directives
 * (scripts/graphMap.ts) into schema/graph-map.json; the gateway only reads that
 * file, so it never depends on subgraph code.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

export const GRAPH_MAP_FILE = 'graph-map.json';

/** The ten integration areas of the source document, in its order, and the shared value types. */
export const AREAS = [
  { id: 'customers', number: 1, title: 'Customers' },
  { id: 'products', number: 2, title: 'Products (BOM, configuration, quotation)' },
  { id: 'workflow', number: 3, title: 'Workflow' },
  { id: 'staff', number: 4, title: 'Staff' },
  { id: 'marketing', number: 5, title: 'Marketing' },
  { id: 'sales', number: 6, title: 'Sales' },
  { id: 'service', number: 7, title: 'Service and support' },
  { id: 'orders', number: 8, title: 'Orders' },
  { id: 'information', number: 9, title: 'Information exchange' },
  { id: 'decisions', number: 10, title: 'Decision support' },
  { id: 'shared', number: null, title: 'Shared value types' },
] as const;

export type AreaId = (typeof AREAS)[number]['id'];

export const NATIVE_KINDS = ['field', 'derived', 'aggregate', 'link', 'write'] as const;
export const SYNTHETIC_KINDS = ['paging', 'echo', 'value', 'computed'] as const;

export type NativeKind = (typeof NATIVE_KINDS)[number];
export type SyntheticKind = (typeof SYNTHETIC_KINDS)[number];

/** One declared source of a field in one subgraph. */
export type FieldSource =
  | { system: 'odoo'; model: string; fields: string[]; kind: NativeKind; note?: string }
  | { system: 'salesforce'; object: string; fields: string[]; kind: NativeKind; note?: string }
  | { system: 'none'; kind: SyntheticKind; note?: string };

/** A subgraph that resolves a field, with what it reads for it. */
export interface FieldOwner {
  subgraph: string;
  /** The schema file that declares it (no line: the map changes only when the declarations do). */
  declaredIn: string;
  sources: FieldSource[];
  /** Fields of other subgraphs this one needs first (`@requires`). */
  requires?: string;
  /** Scopes that allow the field (`@requiresScopes`): any one inner list, all of its scopes. */
  scopes?: string[][];
}

export interface FieldEntry {
  name: string;
  /** The GraphQL type, e.g. `Money` or `[SalesOrder!]!`. */
  type: string;
  /** Arguments as written, e.g. `first: Int = 10`. */
  args: string[];
  description: string | null;
  area: AreaId;
  /** Part of an entity key in some subgraph. */
  key: boolean;
  owners: FieldOwner[];
  /** Subgraphs that declare the field `@external`: they receive it from an owner. */
  external: string[];
}

export interface EnumValueEntry {
  name: string;
  description: string | null;
}

export interface EntityKey {
  subgraph: string;
  fields: string;
  resolvable: boolean;
}

/** A model or sObject that backs a type in one subgraph (`@odoo(model:)` / `@salesforce(object:)` on the type). */
export interface TypeBacking {
  subgraph: string;
  system: 'odoo' | 'salesforce';
  name: string;
}

export interface TypeEntry {
  name: string;
  kind: 'object' | 'interface' | 'enum' | 'input' | 'scalar' | 'union';
  description: string | null;
  /** The type's own area: that of most of its fields (of its definition for types without fields). */
  area: AreaId;
  /** Every area one of its fields belongs to, the type's own first. */
  areas: AreaId[];
  subgraphs: string[];
  backedBy: TypeBacking[];
  keys: EntityKey[];
  fields: FieldEntry[];
  values: EnumValueEntry[];
}

/** One entity and how each subgraph knows it: the key, and the native field each key field is. */
export interface EntityLink {
  type: string;
  keys: (EntityKey & { native: { field: string; sources: FieldSource[] }[] })[];
}

export interface GraphMap {
  /** How to regenerate it. */
  generatedBy: string;
  subgraphs: { name: string; schemaFiles: string[] }[];
  areas: { id: AreaId; number: number | null; title: string }[];
  entities: EntityLink[];
  types: TypeEntry[];
}

/** Where the map lives: beside the supergraph it was generated with. */
export function graphMapPath(supergraphPath: string): string {
  return resolve(dirname(supergraphPath), GRAPH_MAP_FILE);
}

/** The generated map beside the supergraph, or null when none was generated there (a supergraph from elsewhere). */
export function readGraphMap(supergraphPath: string): { json: string; map: GraphMap } | null {
  const path = graphMapPath(supergraphPath);
  if (!existsSync(path)) return null;
  const json = readFileSync(path, 'utf8');
  const map = JSON.parse(json) as GraphMap;
  if (!Array.isArray(map.types) || !Array.isArray(map.areas)) {
    throw new Error(
      `Expected ${path} to be a graph map written by \`npm run compose\` (with "types" and "areas"), but it is not; run \`npm run compose\` again.`,
    );
  }
  return { json, map };
}
