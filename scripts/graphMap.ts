/**
 * Builds the graph map (gateway/src/graphMap.ts describes it) from the subgraph
 * schema files and the composed supergraph. The native sources come from the
 * same SDL the subgraphs serve: `@area` on types, blocks and fields,
 * `@odoo` / `@salesforce` / `@synthetic` on fields (schema/common.graphql defines
 * them). A field that declares no source, or declares one badly, is a problem;
 * `npm run compose` refuses to write anything while there is one.
 */
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import {
  buildASTSchema,
  buildSchema,
  getDirectiveValues,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isObjectType,
  isSpecifiedScalarType,
  isUnionType,
  Kind,
  parse,
  print,
  valueFromASTUntyped,
  type DirectiveNode,
  type DefinitionNode,
  type DirectiveDefinitionNode,
  type DocumentNode,
  type FieldDefinitionNode,
  type GraphQLArgument,
  type GraphQLDirective,
  type GraphQLNamedType,
  type InputValueDefinitionNode,
} from 'graphql';
import {
  AREAS,
  NATIVE_KINDS,
  SYNTHETIC_KINDS,
  type AreaId,
  type EntityKey,
  type EntityLink,
  type FieldEntry,
  type FieldOwner,
  type FieldSource,
  type GraphMap,
  type NativeKind,
  type SyntheticKind,
  type TypeBacking,
  type TypeEntry,
} from '../gateway/src/graphMap.js';
import { repoRoot, schemaFiles, subgraphEntries } from '../lib/subgraphSchemas.js';

export interface SubgraphSchemaFiles {
  name: string;
  /** Paths relative to the repository root, with their SDL. */
  files: { path: string; sdl: string }[];
}

export interface GraphMapResult {
  map: GraphMap;
  /** Each one a sentence naming the field or type and the file and line to fix. */
  problems: string[];
}

const SOURCE_DIRECTIVES = ['area', 'odoo', 'salesforce', 'synthetic'] as const;
const AREA_IDS = new Set<string>(AREAS.map((a) => a.id));

/** The subgraphs as schema/subgraphs.json lists them, with their files read. */
export function readSubgraphSchemaFiles(): SubgraphSchemaFiles[] {
  return subgraphEntries().map((entry) => ({
    name: entry.name,
    files: schemaFiles(entry).map((file) => ({ path: relative(repoRoot, file), sdl: readFileSync(file, 'utf8') })),
  }));
}

// --- Private: what one subgraph declares ------------------------------------------------

type TypeNodeKind = 'object' | 'interface' | 'enum' | 'input' | 'scalar' | 'union';

interface Block {
  subgraph: string;
  typeName: string;
  kind: TypeNodeKind;
  extension: boolean;
  at: string;
  area: AreaId | null;
  defaultModel: string | null;
  defaultObject: string | null;
  keys: EntityKey[];
}

interface FieldDeclaration {
  subgraph: string;
  typeName: string;
  fieldName: string;
  block: Block;
  at: string;
  file: string;
  area: AreaId | null;
  external: boolean;
  sources: FieldSource[];
  requires?: string;
  scopes?: string[][];
}

interface SubgraphDeclarations {
  blocks: Block[];
  fields: FieldDeclaration[];
}

function typeNodeKind(node: DefinitionNode): { kind: TypeNodeKind; extension: boolean } | null {
  switch (node.kind) {
    case Kind.OBJECT_TYPE_DEFINITION:
      return { kind: 'object', extension: false };
    case Kind.OBJECT_TYPE_EXTENSION:
      return { kind: 'object', extension: true };
    case Kind.INTERFACE_TYPE_DEFINITION:
      return { kind: 'interface', extension: false };
    case Kind.INTERFACE_TYPE_EXTENSION:
      return { kind: 'interface', extension: true };
    case Kind.ENUM_TYPE_DEFINITION:
      return { kind: 'enum', extension: false };
    case Kind.ENUM_TYPE_EXTENSION:
      return { kind: 'enum', extension: true };
    case Kind.INPUT_OBJECT_TYPE_DEFINITION:
      return { kind: 'input', extension: false };
    case Kind.INPUT_OBJECT_TYPE_EXTENSION:
      return { kind: 'input', extension: true };
    case Kind.SCALAR_TYPE_DEFINITION:
      return { kind: 'scalar', extension: false };
    case Kind.SCALAR_TYPE_EXTENSION:
      return { kind: 'scalar', extension: true };
    case Kind.UNION_TYPE_DEFINITION:
      return { kind: 'union', extension: false };
    case Kind.UNION_TYPE_EXTENSION:
      return { kind: 'union', extension: true };
    default:
      return null;
  }
}

/** The values of each use of `directive` on a node, coerced by its definition (defaults applied). */
function uses(directive: GraphQLDirective, directives: readonly DirectiveNode[] | undefined): Record<string, unknown>[] {
  return (directives ?? []).filter((d) => d.name.value === directive.name).map((d) => getDirectiveValues(directive, { directives: [d] }) ?? {});
}

function named(directives: readonly DirectiveNode[] | undefined, name: string): DirectiveNode[] {
  return (directives ?? []).filter((d) => d.name.value === name);
}

function argument(directive: DirectiveNode, name: string): unknown {
  const arg = directive.arguments?.find((a) => a.name.value === name);
  return arg ? valueFromASTUntyped(arg.value) : undefined;
}

function declareSubgraph(subgraph: SubgraphSchemaFiles, problems: string[]): SubgraphDeclarations {
  const documents: { path: string; document: DocumentNode }[] = subgraph.files.map((f) => ({ path: f.path, document: parse(f.sdl) }));

  // The directive definitions the subgraph's own SDL carries (schema/common.graphql), so arguments are coerced as the subgraph sees them.
  const definitions = documents.flatMap(({ document }) =>
    document.definitions.filter(
      (d): d is DirectiveDefinitionNode => d.kind === Kind.DIRECTIVE_DEFINITION && (SOURCE_DIRECTIVES as readonly string[]).includes(d.name.value),
    ),
  );
  const missing = SOURCE_DIRECTIVES.filter((name) => !definitions.some((d) => d.name.value === name));
  if (missing.length > 0) {
    problems.push(
      `Expected subgraph "${subgraph.name}" to define ${missing.map((m) => `@${m}`).join(', ')} (schema/common.graphql does), but its schema files do not.`,
    );
    return { blocks: [], fields: [] };
  }
  const directiveSchema = buildASTSchema({ kind: Kind.DOCUMENT, definitions }, { assumeValidSDL: true });
  const directive = (name: (typeof SOURCE_DIRECTIVES)[number]) => directiveSchema.getDirective(name)!;

  const blocks: Block[] = [];
  const fields: FieldDeclaration[] = [];
  const where = (path: string, node: { loc?: { startToken: { line: number } } }) => `${path}:${node.loc?.startToken.line ?? '?'}`;
  const checkArea = (value: unknown, at: string, what: string): AreaId | null => {
    if (typeof value === 'string' && AREA_IDS.has(value)) return value as AreaId;
    problems.push(`${what} (${at}) names the area ${JSON.stringify(value)}, but the areas are: ${[...AREA_IDS].join(', ')}.`);
    return null;
  };
  const oneArea = (nodeDirectives: readonly DirectiveNode[] | undefined, at: string, what: string): AreaId | null => {
    const areas = uses(directive('area'), nodeDirectives);
    if (areas.length > 1)
      problems.push(`${what} (${at}) has ${areas.length} @area directives, but one place belongs to one area; split the block or move the field.`);
    return areas.length === 0 ? null : checkArea(areas[0]!.name, at, what);
  };

  for (const { path, document } of documents) {
    for (const node of document.definitions) {
      const shape = typeNodeKind(node);
      if (!shape || !('name' in node) || !node.name) continue;
      const typeName = node.name.value;
      const at = where(path, node);
      const what = `${shape.extension ? 'extend ' : ''}${shape.kind === 'object' ? 'type' : shape.kind} ${typeName} in subgraph "${subgraph.name}"`;
      const defaults = (system: 'odoo' | 'salesforce') => {
        const found = uses(directive(system), node.directives);
        const nameArg = system === 'odoo' ? 'model' : 'object';
        for (const use of found) {
          if (use.fields !== undefined)
            problems.push(`${what} (${at}) gives @${system} \`fields\` on the type; on a type it only names the ${nameArg} its fields read.`);
          if (typeof use[nameArg] !== 'string')
            problems.push(`${what} (${at}) has @${system} without a \`${nameArg}\`; on a type it names the ${nameArg} its fields read.`);
        }
        if (found.length > 1)
          problems.push(`${what} (${at}) names ${found.length} default ${nameArg}s with @${system}; a block has one, and fields name any other themselves.`);
        return typeof found[0]?.[nameArg] === 'string' ? (found[0]![nameArg] as string) : null;
      };
      const block: Block = {
        subgraph: subgraph.name,
        typeName,
        kind: shape.kind,
        extension: shape.extension,
        at,
        area: oneArea(node.directives, at, what),
        defaultModel: defaults('odoo'),
        defaultObject: defaults('salesforce'),
        keys: named(node.directives, 'key').map((d) => ({
          subgraph: subgraph.name,
          fields: String(argument(d, 'fields') ?? ''),
          resolvable: argument(d, 'resolvable') !== false,
        })),
      };
      blocks.push(block);

      const members: readonly (FieldDefinitionNode | InputValueDefinitionNode)[] = 'fields' in node && node.fields ? node.fields : [];
      for (const field of members) {
        const fieldAt = where(path, field);
        const fieldWhat = `${typeName}.${field.name.value} in subgraph "${subgraph.name}"`;
        fields.push({
          subgraph: subgraph.name,
          typeName,
          fieldName: field.name.value,
          block,
          at: fieldAt,
          file: path,
          area: oneArea(field.directives, fieldAt, fieldWhat),
          external: named(field.directives, 'external').length > 0,
          sources: fieldSources(field.directives, fieldAt, fieldWhat),
          ...(named(field.directives, 'requires').length > 0 ? { requires: String(argument(named(field.directives, 'requires')[0]!, 'fields')) } : {}),
          ...(named(field.directives, 'requiresScopes').length > 0
            ? { scopes: argument(named(field.directives, 'requiresScopes')[0]!, 'scopes') as string[][] }
            : {}),
        });
      }
    }
  }

  // Defaults and areas of a type's definition apply to its extensions in the same subgraph.
  const definitionOf = (typeName: string) => blocks.find((b) => b.typeName === typeName && !b.extension);
  for (const field of fields) {
    const definition = definitionOf(field.typeName);
    field.area ??= field.block.area ?? definition?.area ?? null;
    for (const source of field.sources) {
      if (source.system === 'odoo' && source.model === '') {
        const model = field.block.defaultModel ?? definition?.defaultModel;
        if (model) source.model = model;
        else
          problems.push(
            `${field.typeName}.${field.fieldName} in subgraph "${field.subgraph}" (${field.at}) has @odoo without a \`model\`, and neither its block nor its type names one; add model: "…".`,
          );
      }
      if (source.system === 'salesforce' && source.object === '') {
        const object = field.block.defaultObject ?? definition?.defaultObject;
        if (object) source.object = object;
        else
          problems.push(
            `${field.typeName}.${field.fieldName} in subgraph "${field.subgraph}" (${field.at}) has @salesforce without an \`object\`, and neither its block nor its type names one; add object: "…".`,
          );
      }
    }
    if (field.external) continue;
    if (field.sources.length === 0) {
      problems.push(
        `${field.typeName}.${field.fieldName} in subgraph "${field.subgraph}" (${field.at}) declares no native source: add @odoo(model, fields, kind), @salesforce(object, fields, kind) or @synthetic(kind) to say where its value comes from.`,
      );
    }
    if (field.area === null) {
      problems.push(
        `${field.typeName}.${field.fieldName} in subgraph "${field.subgraph}" (${field.at}) belongs to no area: add @area(name: "…") to the field, its block or its type.`,
      );
    }
  }
  for (const block of blocks) {
    if (block.kind !== 'object' && block.kind !== 'interface' && block.kind !== 'input' && !block.extension && block.area === null) {
      problems.push(`${block.kind} ${block.typeName} in subgraph "${block.subgraph}" (${block.at}) belongs to no area: add @area(name: "…") to it.`);
    }
  }
  return { blocks, fields };

  function fieldSources(directives: readonly DirectiveNode[] | undefined, at: string, what: string): FieldSource[] {
    const sources: FieldSource[] = [];
    for (const system of ['odoo', 'salesforce'] as const) {
      const nameArg = system === 'odoo' ? 'model' : 'object';
      for (const use of uses(directive(system), directives)) {
        const kind = String(use.kind);
        const list = Array.isArray(use.fields) ? (use.fields as string[]) : [];
        if (!(NATIVE_KINDS as readonly string[]).includes(kind))
          problems.push(`${what} (${at}) has @${system}(kind: ${JSON.stringify(kind)}), but the kinds are: ${NATIVE_KINDS.join(', ')}.`);
        if (list.length === 0)
          problems.push(
            `${what} (${at}) has @${system} without \`fields\`; name the ${system === 'odoo' ? 'Odoo fields' : 'Salesforce fields'} the value comes from.`,
          );
        const name = typeof use[nameArg] === 'string' ? (use[nameArg] as string) : '';
        const note = typeof use.note === 'string' ? { note: use.note } : {};
        sources.push(
          system === 'odoo'
            ? { system, model: name, fields: list, kind: kind as NativeKind, ...note }
            : { system, object: name, fields: list, kind: kind as NativeKind, ...note },
        );
      }
    }
    const synthetic = uses(directive('synthetic'), directives);
    for (const use of synthetic) {
      const kind = String(use.kind);
      if (!(SYNTHETIC_KINDS as readonly string[]).includes(kind))
        problems.push(`${what} (${at}) has @synthetic(kind: ${JSON.stringify(kind)}), but the kinds are: ${SYNTHETIC_KINDS.join(', ')}.`);
      sources.push({ system: 'none', kind: kind as SyntheticKind, ...(typeof use.note === 'string' ? { note: use.note } : {}) });
    }
    if (synthetic.length > 0 && sources.length > synthetic.length) {
      problems.push(`${what} (${at}) is both @synthetic and native; a field with a native source is not synthetic, so drop one.`);
    }
    return sources;
  }
}

// --- Private: merging the subgraphs along the supergraph ------------------------------------

function kindOf(type: GraphQLNamedType): TypeEntry['kind'] {
  if (isObjectType(type)) return 'object';
  if (isInterfaceType(type)) return 'interface';
  if (isEnumType(type)) return 'enum';
  if (isInputObjectType(type)) return 'input';
  if (isUnionType(type)) return 'union';
  return 'scalar';
}

/** The most frequent area, the earliest seen winning a tie. */
function mostCommon(areas: readonly AreaId[]): AreaId | null {
  const counts = new Map<AreaId, number>();
  for (const area of areas) counts.set(area, (counts.get(area) ?? 0) + 1);
  let best: AreaId | null = null;
  for (const [area, count] of counts) if (best === null || count > counts.get(best)!) best = area;
  return best;
}

/** Top-level field names of a key's field set (`customerNumber from to`, `id`). */
function keyFieldNames(fieldSet: string): string[] {
  return fieldSet
    .replace(/\{[^}]*\}/g, ' ')
    .split(/\s+/)
    .filter(Boolean);
}

/** The graph map of the subgraphs as composed into `supergraphSdl`, and every problem with their declarations. */
export function buildGraphMap(subgraphs: readonly SubgraphSchemaFiles[], supergraphSdl: string): GraphMapResult {
  const problems: string[] = [];
  const declared = subgraphs.map((s) => declareSubgraph(s, problems));
  const blocks = declared.flatMap((d) => d.blocks);
  const fieldDeclarations = declared.flatMap((d) => d.fields);

  const supergraph = buildSchema(supergraphSdl, { assumeValidSDL: true });
  const apiTypes = Object.values(supergraph.getTypeMap())
    // Introspection and the federation specs' own types (join__, link__, requiresScopes__…) are not the graph's.
    .filter((t) => !t.name.includes('__') && !isSpecifiedScalarType(t))
    .sort((a, b) => a.name.localeCompare(b.name));

  const types: TypeEntry[] = [];
  for (const type of apiTypes) {
    const typeBlocks = blocks.filter((b) => b.typeName === type.name);
    if (typeBlocks.length === 0) {
      problems.push(
        `The supergraph has a type ${type.name} that no subgraph schema file declares; run \`npm run compose\` after changing the subgraph schemas.`,
      );
      continue;
    }
    const keys = typeBlocks.flatMap((b) => b.keys);
    const keyFields = new Set(keys.flatMap((k) => keyFieldNames(k.fields)));
    const backedBy: TypeBacking[] = [];
    for (const block of typeBlocks) {
      if (block.defaultModel) backedBy.push({ subgraph: block.subgraph, system: 'odoo', name: block.defaultModel });
      if (block.defaultObject) backedBy.push({ subgraph: block.subgraph, system: 'salesforce', name: block.defaultObject });
    }

    const fields: FieldEntry[] = [];
    const apiFields = isObjectType(type) || isInterfaceType(type) || isInputObjectType(type) ? Object.values(type.getFields()) : [];
    for (const apiField of apiFields) {
      const declarations = fieldDeclarations.filter((f) => f.typeName === type.name && f.fieldName === apiField.name);
      const owners = declarations.filter((d) => !d.external);
      if (owners.length === 0) {
        problems.push(
          `The supergraph field ${type.name}.${apiField.name} is resolved by no subgraph declaration (every declaration is @external); run \`npm run compose\` after changing the subgraph schemas.`,
        );
      }
      const args =
        'args' in apiField
          ? apiField.args.map((a: GraphQLArgument) => `${a.name}: ${String(a.type)}${a.astNode?.defaultValue ? ` = ${print(a.astNode.defaultValue)}` : ''}`)
          : [];
      fields.push({
        name: apiField.name,
        type: String(apiField.type),
        args,
        description: apiField.description ?? null,
        // Settled below, once the type's own area is known.
        area: mostCommon(owners.flatMap((o) => (o.area ? [o.area] : []))) ?? 'shared',
        key: keyFields.has(apiField.name),
        owners: owners.map((o): FieldOwner => ({
          subgraph: o.subgraph,
          declaredIn: o.file,
          sources: o.sources,
          ...(o.requires ? { requires: o.requires } : {}),
          ...(o.scopes ? { scopes: o.scopes } : {}),
        })),
        external: declarations.filter((d) => d.external).map((d) => d.subgraph),
      });
    }

    // A type belongs where most of its own (non-key) fields do; key fields go with the type, as every subgraph shares them.
    const nonKey = fields.filter((f) => !f.key);
    const definitionArea = typeBlocks.find((b) => !b.extension && b.area)?.area ?? typeBlocks.find((b) => b.area)?.area ?? null;
    const area = mostCommon(nonKey.map((f) => f.area)) ?? definitionArea ?? 'shared';
    for (const field of fields) if (field.key) field.area = area;
    const areas = [area, ...AREAS.map((a) => a.id).filter((id) => id !== area && fields.some((f) => f.area === id))];

    types.push({
      name: type.name,
      kind: kindOf(type),
      description: type.description ?? null,
      area,
      areas,
      subgraphs: [...new Set(typeBlocks.map((b) => b.subgraph))],
      backedBy: backedBy.filter((b, i) => backedBy.findIndex((o) => o.subgraph === b.subgraph && o.system === b.system && o.name === b.name) === i),
      keys,
      fields,
      values: isEnumType(type) ? type.getValues().map((v) => ({ name: v.name, description: v.description ?? null })) : [],
    });
  }

  const entities: EntityLink[] = types
    .filter((t) => t.keys.length > 0)
    .map((t) => ({
      type: t.name,
      keys: t.keys.map((k) => ({
        ...k,
        native: keyFieldNames(k.fields).map((field) => ({
          field,
          sources: t.fields.find((f) => f.name === field)?.owners.find((o) => o.subgraph === k.subgraph)?.sources ?? [],
        })),
      })),
    }));

  const map: GraphMap = {
    generatedBy: 'npm run compose (scripts/compose.ts) from the subgraph schema files; do not edit.',
    subgraphs: subgraphs.map((s) => ({ name: s.name, schemaFiles: s.files.map((f) => f.path) })),
    areas: AREAS.map((a) => ({ id: a.id, number: a.number, title: a.title })),
    entities,
    types,
  };
  return { map, problems: [...new Set(problems)].sort() };
}

/**
 * The map as committed: two-space indent, but an object or array of plain
 * values on one line when it fits, so a field's source reads as one line and a
 * change to it diffs as one.
 */
export function graphMapJson(map: GraphMap): string {
  return `${compactJson(map, '')}\n`;
}

function compactJson(value: unknown, indent: string): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  const entries: [string | null, unknown][] = Array.isArray(value) ? value.map((v) => [null, v]) : Object.entries(value).filter(([, v]) => v !== undefined);
  const [open, close] = Array.isArray(value) ? ['[', ']'] : ['{', '}'];
  if (entries.length === 0) return `${open}${close}`;
  const inner = `${indent}  `;
  const item = ([key, v]: [string | null, unknown], at: string) => `${key === null ? '' : `${JSON.stringify(key)}: `}${compactJson(v, at)}`;
  if (entries.every(([, v]) => v === null || typeof v !== 'object' || (Array.isArray(v) && v.every((x) => x === null || typeof x !== 'object')))) {
    const line = `${open}${entries.map((e) => item(e, '')).join(', ')}${close}`;
    if (line.length + indent.length <= 160) return line;
  }
  return `${open}\n${entries.map((e) => `${inner}${item(e, inner)}`).join(',\n')}\n${indent}${close}`;
}
