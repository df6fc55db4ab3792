/**
 * The graph map's declarations: every field of every subgraph says where its
 * value comes from (`@odoo`, `@salesforce` or `@synthetic`) and which area it
 * belongs to, and the committed map is the one those declarations give.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Kind, parse, type DefinitionNode } from 'graphql';
import { buildGraphMap, graphMapJson, readSubgraphSchemaFiles, type SubgraphSchemaFiles } from '../scripts/graphMap.js';
import { repoRoot } from '../lib/subgraphSchemas.js';
import type { GraphMap } from '../gateway/src/graphMap.js';

const supergraphSdl = readFileSync(resolve(repoRoot, 'schema/supergraph.graphql'), 'utf8');
const subgraphs = readSubgraphSchemaFiles();
const SOURCE_DIRECTIVES = new Set(['odoo', 'salesforce', 'synthetic']);

const FIELD_HOLDERS = new Set<string>([
  Kind.OBJECT_TYPE_DEFINITION,
  Kind.OBJECT_TYPE_EXTENSION,
  Kind.INTERFACE_TYPE_DEFINITION,
  Kind.INTERFACE_TYPE_EXTENSION,
  Kind.INPUT_OBJECT_TYPE_DEFINITION,
  Kind.INPUT_OBJECT_TYPE_EXTENSION,
]);

describe('native source declarations', () => {
  it('leave no field of any subgraph object, interface or input type without a declared source', () => {
    // Read straight from the SDL, independently of the generator: a field is either @external or declares a source.
    const undeclared: string[] = [];
    for (const subgraph of subgraphs) {
      for (const file of subgraph.files) {
        for (const node of parse(file.sdl).definitions as DefinitionNode[]) {
          if (!FIELD_HOLDERS.has(node.kind) || !('fields' in node) || !node.fields) continue;
          for (const field of node.fields) {
            const names = (field.directives ?? []).map((d) => d.name.value);
            if (names.includes('external') || names.some((n) => SOURCE_DIRECTIVES.has(n))) continue;
            undeclared.push(`${node.name.value}.${field.name.value} (subgraph ${subgraph.name}, ${file.path}:${field.loc?.startToken.line})`);
          }
        }
      }
    }
    expect(undeclared, `Fields without @odoo, @salesforce or @synthetic:\n  ${undeclared.join('\n  ')}`).toEqual([]);
  });

  it('have no problems by the generator: areas, kinds, models and objects are all given', () => {
    const { problems } = buildGraphMap(subgraphs, supergraphSdl);
    expect(problems, problems.join('\n')).toEqual([]);
  });

  it('give the committed schema/graph-map.json (run `npm run compose` when this fails)', () => {
    const { map } = buildGraphMap(subgraphs, supergraphSdl);
    expect(readFileSync(resolve(repoRoot, 'schema/graph-map.json'), 'utf8')).toBe(graphMapJson(map));
  });
});

describe('the graph map', () => {
  const { map } = buildGraphMap(subgraphs, supergraphSdl);
  const field = (type: string, name: string) => map.types.find((t) => t.name === type)?.fields.find((f) => f.name === name);

  it('lists every type and field of the supergraph', () => {
    const supergraph = parse(supergraphSdl);
    const expected: string[] = [];
    for (const node of supergraph.definitions) {
      if (!('name' in node) || !node.name || node.name.value.includes('__') || !('fields' in node) || !node.fields) continue;
      if (node.kind === Kind.OBJECT_TYPE_DEFINITION || node.kind === Kind.INPUT_OBJECT_TYPE_DEFINITION) {
        for (const f of node.fields) expected.push(`${node.name.value}.${f.name.value}`);
      }
    }
    const listed = map.types.flatMap((t) => t.fields.map((f) => `${t.name}.${f.name}`));
    expect(listed.sort()).toEqual(expected.sort());
    expect(map.types.every((t) => t.fields.every((f) => f.owners.length > 0 && f.owners.every((o) => o.sources.length > 0)))).toBe(true);
  });

  it('groups by the ten integration areas', () => {
    expect(map.areas.filter((a) => a.number !== null).map((a) => a.title)).toEqual([
      'Customers',
      'Products (BOM, configuration, quotation)',
      'Workflow',
      'Staff',
      'Marketing',
      'Sales',
      'Service and support',
      'Orders',
      'Information exchange',
      'Decision support',
    ]);
    for (const area of map.areas.filter((a) => a.number !== null)) {
      expect(
        map.types.some((t) => t.fields.some((f) => f.area === area.id)),
        `no field in area ${area.id}`,
      ).toBe(true);
    }
  });

  it('marks each field with its subgraph and native source', () => {
    expect(field('Customer', 'creditLimit')?.owners).toEqual([
      expect.objectContaining({ subgraph: 'erp', sources: [{ system: 'odoo', model: 'res.partner', fields: ['credit_limit', 'currency_id'], kind: 'field' }] }),
    ]);
    expect(field('Account', 'erpCustomerNumber')?.owners).toEqual([
      expect.objectContaining({ subgraph: 'crm', sources: [{ system: 'salesforce', object: 'Account', fields: ['ERP_Customer_Number__c'], kind: 'field' }] }),
    ]);
    expect(field('Customer', 'balanceDue')?.owners[0]?.sources[0]).toMatchObject({
      system: 'odoo',
      model: 'res.partner',
      fields: ['credit'],
      kind: 'aggregate',
    });
    expect(field('CustomerConnection', 'pageInfo')?.owners[0]?.sources).toEqual([{ system: 'none', kind: 'paging' }]);
  });

  it('names the entity keys that link the systems, with their native fields', () => {
    const customer = map.entities.find((e) => e.type === 'Customer')!;
    const native = Object.fromEntries(customer.keys.map((k) => [k.subgraph, k.native.flatMap((n) => n.sources)]));
    expect(native.erp).toEqual([{ system: 'odoo', model: 'res.partner', fields: ['ref'], kind: 'field' }]);
    expect(native.crm).toEqual([{ system: 'salesforce', object: 'Account', fields: ['ERP_Customer_Number__c'], kind: 'field' }]);
    const product = map.entities.find((e) => e.type === 'Product')!;
    expect(product.keys.map((k) => k.native[0]!.sources[0])).toEqual([
      expect.objectContaining({ model: 'product.product', fields: ['default_code'] }),
      expect.objectContaining({ object: 'Product2', fields: ['ProductCode'] }),
    ]);
  });
});

describe('the generator', () => {
  // A small subgraph of its own, with the real directive definitions, to break on purpose.
  const common = subgraphs[0]!.files.find((f) => f.path === 'schema/common.graphql')!;
  const withSdl = (sdl: string): SubgraphSchemaFiles[] => [{ name: 'erp', files: [common, { path: 'subgraphs/erp/schema/test.graphql', sdl }] }];
  // The API part of a supergraph composed from it: the shared types and the test's own.
  const supergraphOf = (types: string) =>
    `type Money { amount: Float!, currencyCode: String! }\ntype PageInfo { hasNextPage: Boolean!, endCursor: String }\nscalar Date\nscalar DateTime\n${types}`;
  const problemsOf = (sdl: string, types = 'type Query { thing: Thing }\ntype Thing { orphan: String, named: String }') =>
    buildGraphMap(withSdl(sdl), supergraphOf(types)).problems;

  it('names a field that declares no source, with its file and line', () => {
    const problems = problemsOf(`type Query { thing: Thing @area(name: "customers") @synthetic(kind: "computed") }
type Thing @area(name: "customers") @odoo(model: "res.partner") {
  orphan: String
  named: String @odoo(fields: ["name"])
}`);
    expect(problems).toEqual([expect.stringMatching(/^Thing\.orphan in subgraph "erp" \(subgraphs\/erp\/schema\/test\.graphql:3\) declares no native source/)]);
  });

  it('refuses unknown areas and kinds, and @odoo without a model anywhere', () => {
    const problems = problemsOf(`type Query { thing: Thing @area(name: "everything") @synthetic(kind: "magic") }
type Thing @area(name: "customers") {
  orphan: String @odoo(fields: ["name"])
  named: String @salesforce(object: "Account", fields: ["Name"], kind: "guess")
}`);
    expect(problems.join('\n')).toMatch(/names the area "everything", but the areas are: customers, products/);
    expect(problems.join('\n')).toMatch(/@synthetic\(kind: "magic"\), but the kinds are: paging, echo, value, computed/);
    expect(problems.join('\n')).toMatch(/Thing\.orphan .* has @odoo without a `model`, and neither its block nor its type names one/);
    expect(problems.join('\n')).toMatch(/@salesforce\(kind: "guess"\), but the kinds are: field, derived, aggregate, link, write/);
  });

  it('asks for an area on every field, from the field, its block or its type', () => {
    const problems = problemsOf(`type Query { thing: Thing @synthetic(kind: "computed") }
type Thing {
  orphan: String @synthetic(kind: "computed")
  named: String @area(name: "sales") @synthetic(kind: "computed")
}`);
    expect(problems).toEqual([
      expect.stringMatching(/^Query\.thing in subgraph "erp" .* belongs to no area/),
      expect.stringMatching(/^Thing\.orphan in subgraph "erp" .* belongs to no area/),
    ]);
  });

  it('writes the map it was given, for the gateway to serve', () => {
    const { map, problems } = buildGraphMap(
      withSdl(`type Query { thing: Thing @area(name: "customers") @odoo(model: "res.partner", fields: ["ref"], kind: "link") }
type Thing @key(fields: "orphan") @area(name: "customers") @odoo(model: "res.partner") {
  orphan: String @odoo(fields: ["ref"])
  named: String @odoo(fields: ["name"])
}`),
      supergraphOf('type Query { thing: Thing }\ntype Thing { orphan: String, named: String }'),
    );
    expect(problems).toEqual([]);
    const parsed = JSON.parse(graphMapJson(map)) as GraphMap;
    expect(parsed.entities).toEqual([
      {
        type: 'Thing',
        keys: [
          {
            subgraph: 'erp',
            fields: 'orphan',
            resolvable: true,
            native: [{ field: 'orphan', sources: [{ system: 'odoo', model: 'res.partner', fields: ['ref'], kind: 'field' }] }],
          },
        ],
      },
    ]);
    expect(parsed.types.find((t) => t.name === 'Thing')).toMatchObject({
      area: 'customers',
      backedBy: [{ subgraph: 'erp', system: 'odoo', name: 'res.partner' }],
    });
  });
});
