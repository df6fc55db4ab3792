/**
 * Federation's `@requiresScopes(scopes: [["a", "b"], ["c"]])`: the caller needs
 * every scope of at least one inner list (an OR of ANDs). Read here from SDL (a
 * subgraph's or the composed supergraph's) and enforced in two places: the
 * gateway, on the response, and each subgraph, on its resolvers, so a request
 * that skips the gateway's check still meets the subgraph's.
 */
import {
  defaultFieldResolver,
  GraphQLError,
  isObjectType,
  Kind,
  parse,
  type ConstDirectiveNode,
  type DocumentNode,
  type GraphQLFieldResolver,
  type GraphQLSchema,
} from 'graphql';
import { callerScopesOf } from './internalAuth.js';

/** Alternatives, each a set of scopes that must all be held. */
export type ScopeRequirement = readonly (readonly string[])[];

// The directive as imported (`@requiresScopes`) or, when not imported, by its namespaced name.
const DIRECTIVE_NAMES = new Set(['requiresScopes', 'federation__requiresScopes']);

export function requirementOf(directives: readonly ConstDirectiveNode[] | undefined): ScopeRequirement | undefined {
  const directive = directives?.find((d) => DIRECTIVE_NAMES.has(d.name.value));
  const arg = directive?.arguments?.find((a) => a.name.value === 'scopes');
  if (!arg || arg.value.kind !== Kind.LIST) return undefined;
  return arg.value.values.map((inner) =>
    inner.kind === Kind.LIST ? inner.values.flatMap((v) => (v.kind === Kind.STRING ? [v.value] : [])) : inner.kind === Kind.STRING ? [inner.value] : [],
  );
}

/**
 * Every `Type.field` with a requirement, from SDL. A requirement on a type
 * applies to each field of that type, combined with the field's own.
 */
export function readScopeRequirements(document: DocumentNode): Map<string, ScopeRequirement> {
  const byField = new Map<string, ScopeRequirement>();
  for (const definition of document.definitions) {
    if (
      definition.kind !== Kind.OBJECT_TYPE_DEFINITION &&
      definition.kind !== Kind.OBJECT_TYPE_EXTENSION &&
      definition.kind !== Kind.INTERFACE_TYPE_DEFINITION &&
      definition.kind !== Kind.INTERFACE_TYPE_EXTENSION
    ) {
      continue;
    }
    const onType = requirementOf(definition.directives);
    for (const field of definition.fields ?? []) {
      const onField = requirementOf(field.directives);
      const combined = combine(onType, onField);
      if (combined) byField.set(`${definition.name.value}.${field.name.value}`, combined);
    }
  }
  return byField;
}

// Private: both requirements must hold, so each pair of alternatives is joined.
function combine(a: ScopeRequirement | undefined, b: ScopeRequirement | undefined): ScopeRequirement | undefined {
  if (!a) return b;
  if (!b) return a;
  return a.flatMap((x) => b.map((y) => [...new Set([...x, ...y])]));
}

/** Every scope named anywhere in the requirements, sorted. */
export function declaredScopes(requirements: Map<string, ScopeRequirement>): string[] {
  return [...new Set([...requirements.values()].flat(2))].sort();
}

/**
 * Null when `granted` satisfies the requirement; otherwise the scopes still
 * missing from the alternative that is closest to being met, for the message.
 */
export function missingScopes(requirement: ScopeRequirement, granted: ReadonlySet<string>): string[] | null {
  let best: string[] | null = null;
  for (const alternative of requirement) {
    const missing = alternative.filter((s) => !granted.has(s));
    if (missing.length === 0) return null;
    if (!best || missing.length < best.length) best = missing;
  }
  // An empty list of alternatives can never be met; say so rather than allow it.
  return best ?? ['(none can satisfy an empty @requiresScopes)'];
}

export function forbiddenFieldError(coordinate: string, missing: readonly string[], path?: readonly (string | number)[]): GraphQLError {
  const list = missing.map((s) => `"${s}"`).join(' and ');
  return new GraphQLError(`Field "${coordinate}" requires the scope ${list}, which the caller's token does not grant.`, {
    path,
    extensions: { code: 'FORBIDDEN', field: coordinate, missingScopes: [...missing] },
  });
}

/**
 * Wraps the resolvers of every field that carries `@requiresScopes` in a
 * subgraph schema so that it throws FORBIDDEN (and so resolves to null) for a
 * caller without the scopes. `scopesOf` reads the caller's scopes from the
 * request context. The schema is changed in place and returned.
 */
export function enforceRequiresScopes(schema: GraphQLSchema, scopesOf: (context: unknown) => ReadonlySet<string>): GraphQLSchema {
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    const onType = [type.astNode, ...type.extensionASTNodes].map((n) => requirementOf(n?.directives)).find(Boolean);
    for (const field of Object.values(type.getFields())) {
      const requirement = combine(onType, requirementOf(field.astNode?.directives));
      if (!requirement) continue;
      const coordinate = `${type.name}.${field.name}`;
      const resolve: GraphQLFieldResolver<unknown, unknown> = field.resolve ?? defaultFieldResolver;
      field.resolve = (source, args, context, info) => {
        const missing = missingScopes(requirement, scopesOf(context));
        if (missing) throw forbiddenFieldError(coordinate, missing);
        return resolve(source, args, context, info);
      };
    }
  }
  return schema;
}

/** Wraps the subgraph's scoped resolvers to check the scopes the gateway signed for the caller (lib/subgraphHttp.ts). */
export function protectSubgraphSchema(schema: GraphQLSchema): GraphQLSchema {
  return enforceRequiresScopes(schema, callerScopesOf);
}

/** Every scope an SDL document declares: what an unsigned caller holds when no internal secret is set (development only). */
export function scopesDeclaredIn(sdl: string): string[] {
  return declaredScopes(readScopeRequirements(parse(sdl)));
}
