/**
 * Enforces Federation's `@requiresScopes` at the gateway, which @apollo/gateway
 * composes into the supergraph but does not check. After execution, each field
 * the caller lacks a scope for is set to null (as the spec's null propagation
 * would for an error there) and gets one FORBIDDEN error naming the field and
 * the missing scope — or no error with policy `mask`. The subgraphs check the
 * same directive on their resolvers; their FORBIDDEN errors for these fields
 * are replaced by the gateway's, so the caller sees each one once.
 *
 * Working on the response rather than the plan keeps the query plan cache
 * shared by all callers, and means data from any cache obeys the same rule.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import {
  getNamedType,
  isAbstractType,
  isListType,
  isNonNullType,
  isObjectType,
  Kind,
  OperationTypeNode,
  type FragmentDefinitionNode,
  type GraphQLFormattedError,
  type GraphQLObjectType,
  type GraphQLOutputType,
  type GraphQLSchema,
  type SelectionSetNode,
  type FieldNode,
} from 'graphql';
import { forbiddenFieldError, missingScopes, type ScopeRequirement } from '../../../lib/requiresScopes.js';
import type { GatewayContext } from '../context.js';
import { rejectRequest } from './rejectRequest.js';

type Path = (string | number)[];

interface Denial {
  path: Path;
  coordinate: string;
  missing: string[];
}

export interface FieldAuthorizationOptions {
  /** `Type.field` → required scopes, read from the supergraph. */
  requirements: ReadonlyMap<string, ScopeRequirement>;
  /** `error` (null + FORBIDDEN) or `mask` (null only). Defaults to error. */
  policy?: 'error' | 'mask';
}

/**
 * Nulls every field of `data` that `granted` does not cover; returns what was
 * denied. `data` is changed in place.
 */
export function redactUnauthorizedFields(
  schema: GraphQLSchema,
  rootType: GraphQLObjectType,
  selectionSet: SelectionSetNode,
  fragments: ReadonlyMap<string, FragmentDefinitionNode>,
  data: Record<string, unknown>,
  requirements: ReadonlyMap<string, ScopeRequirement>,
  granted: ReadonlySet<string>,
): { denials: Denial[]; nullRoot: boolean } {
  const denials: Denial[] = [];

  // The fields of `set` that apply to an object of `type`, grouped by response key.
  const collect = (type: GraphQLObjectType, set: SelectionSetNode, into: Map<string, FieldNode[]>, seen = new Set<string>()) => {
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        const key = selection.alias?.value ?? selection.name.value;
        into.set(key, [...(into.get(key) ?? []), selection]);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        if (applies(type, selection.typeCondition?.name.value)) collect(type, selection.selectionSet, into, seen);
      } else if (!seen.has(selection.name.value)) {
        seen.add(selection.name.value);
        const fragment = fragments.get(selection.name.value);
        if (fragment && applies(type, fragment.typeCondition.name.value)) collect(type, fragment.selectionSet, into, seen);
      }
    }
    return into;
  };
  const applies = (type: GraphQLObjectType, condition: string | undefined): boolean => {
    if (!condition || condition === type.name) return true;
    const conditionType = schema.getType(condition);
    return !!conditionType && isAbstractType(conditionType) && schema.isSubType(conditionType, type);
  };

  // Returns true when the object must itself become null (a non-null field in it was denied).
  const visitObject = (type: GraphQLObjectType, sets: readonly SelectionSetNode[], object: Record<string, unknown>, path: Path): boolean => {
    const fields = new Map<string, FieldNode[]>();
    for (const set of sets) collect(type, set, fields);
    let nullify = false;
    for (const [key, nodes] of fields) {
      if (!(key in object)) continue;
      const name = nodes[0]!.name.value;
      const field = type.getFields()[name];
      if (!field) continue;
      const coordinate = `${type.name}.${name}`;
      const requirement = requirements.get(coordinate);
      const missing = requirement && missingScopes(requirement, granted);
      if (missing) {
        object[key] = null;
        denials.push({ path: [...path, key], coordinate, missing });
        if (isNonNullType(field.type)) nullify = true;
        continue;
      }
      const childSets = nodes.flatMap((n) => (n.selectionSet ? [n.selectionSet] : []));
      if (childSets.length === 0 || object[key] === null) continue;
      if (visitValue(field.type, childSets, object[key], [...path, key])) {
        object[key] = null;
        if (isNonNullType(field.type)) nullify = true;
      }
    }
    return nullify;
  };

  // Returns true when `value` must become null.
  const visitValue = (type: GraphQLOutputType, sets: readonly SelectionSetNode[], value: unknown, path: Path): boolean => {
    if (value === null || value === undefined) return false;
    const nullable = isNonNullType(type) ? type.ofType : type;
    if (isListType(nullable)) {
      if (!Array.isArray(value)) return false;
      let nullify = false;
      value.forEach((item, i) => {
        if (visitValue(nullable.ofType, sets, item, [...path, i])) {
          value[i] = null;
          if (isNonNullType(nullable.ofType)) nullify = true;
        }
      });
      return nullify;
    }
    const named = getNamedType(nullable);
    if (typeof value !== 'object') return false;
    const record = value as Record<string, unknown>;
    let objectType: GraphQLObjectType | undefined;
    if (isObjectType(named)) objectType = named;
    else if (isAbstractType(named) && typeof record.__typename === 'string') {
      const runtime = schema.getType(record.__typename);
      if (isObjectType(runtime)) objectType = runtime;
    }
    if (!objectType) {
      // An abstract type without __typename: check against every possible type, the strictest reading.
      if (!isAbstractType(named)) return false;
      return schema.getPossibleTypes(named).some((t) => visitObject(t, sets, record, path));
    }
    return visitObject(objectType, sets, record, path);
  };

  const nullRoot = visitObject(rootType, [selectionSet], data, []);
  return { denials, nullRoot };
}

/**
 * Whether any field the operation can select (on any type a fragment or an abstract type can
 * reach) needs a scope `granted` lacks. When none does — the common case — the response cannot
 * hold anything to redact, and walking it (every field of every entity in a page) is skipped.
 */
export function selectsUnauthorizedField(
  schema: GraphQLSchema,
  rootType: GraphQLObjectType,
  selectionSet: SelectionSetNode,
  fragments: ReadonlyMap<string, FragmentDefinitionNode>,
  requirements: ReadonlyMap<string, ScopeRequirement>,
  granted: ReadonlySet<string>,
): boolean {
  const denied = (coordinate: string) => {
    const requirement = requirements.get(coordinate);
    return !!requirement && !!missingScopes(requirement, granted);
  };
  const visit = (types: readonly GraphQLObjectType[], set: SelectionSetNode, seen: ReadonlySet<string>): boolean =>
    set.selections.some((selection) => {
      if (selection.kind === Kind.INLINE_FRAGMENT) {
        return visit(narrow(types, selection.typeCondition?.name.value), selection.selectionSet, seen);
      }
      if (selection.kind === Kind.FRAGMENT_SPREAD) {
        const fragment = fragments.get(selection.name.value);
        if (!fragment || seen.has(fragment.name.value)) return false;
        return visit(narrow(types, fragment.typeCondition.name.value), fragment.selectionSet, new Set([...seen, fragment.name.value]));
      }
      return types.some((type) => {
        const field = type.getFields()[selection.name.value];
        if (!field) return false;
        if (denied(`${type.name}.${field.name}`)) return true;
        if (!selection.selectionSet) return false;
        const named = getNamedType(field.type);
        const next = isObjectType(named) ? [named] : isAbstractType(named) ? schema.getPossibleTypes(named) : [];
        return visit(next, selection.selectionSet, seen);
      });
    });
  const narrow = (types: readonly GraphQLObjectType[], condition: string | undefined): readonly GraphQLObjectType[] => {
    if (!condition) return types;
    const conditionType = schema.getType(condition);
    if (!conditionType) return [];
    return types.filter((t) => t === conditionType || (isAbstractType(conditionType) && schema.isSubType(conditionType, t)));
  };
  return visit([rootType], selectionSet, new Set());
}

// Private: the root fields an operation selects, through fragments (on the root type, the only type they can have).
function rootFieldNames(set: SelectionSetNode, fragments: ReadonlyMap<string, FragmentDefinitionNode>, seen = new Set<string>()): string[] {
  return set.selections.flatMap((selection) => {
    if (selection.kind === Kind.FIELD) return [selection.name.value];
    if (selection.kind === Kind.INLINE_FRAGMENT) return rootFieldNames(selection.selectionSet, fragments, seen);
    const fragment = fragments.get(selection.name.value);
    if (!fragment || seen.has(fragment.name.value)) return [];
    seen.add(fragment.name.value);
    return rootFieldNames(fragment.selectionSet, fragments, seen);
  });
}

export function useFieldAuthorization({ requirements, policy = 'error' }: FieldAuthorizationOptions): ApolloServerPlugin<GatewayContext> {
  // Apollo Server reuses one parsed document per distinct query, so the answer for a document and a set
  // of scopes is worked out once. Keyed weakly: documents Apollo drops from its own cache go from here too.
  const mayDenyByDocument = new WeakMap<object, Map<string, boolean>>();
  return {
    async requestDidStart() {
      return {
        // A mutation's root field changes something when it runs, so nulling its result afterwards is too late:
        // an operation with a root mutation field the caller lacks scopes for is refused before anything runs.
        async didResolveOperation({ operation, document, contextValue }) {
          if (!operation || operation.operation !== OperationTypeNode.MUTATION) return;
          const fragments = new Map(
            document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((f) => [f.name.value, f]),
          );
          const granted = contextValue.caller?.scopes ?? new Set<string>();
          for (const name of rootFieldNames(operation.selectionSet, fragments)) {
            const requirement = requirements.get(`Mutation.${name}`);
            const missing = requirement && missingScopes(requirement, granted);
            if (missing) {
              const error = forbiddenFieldError(`Mutation.${name}`, missing);
              throw rejectRequest(
                `${error.message} Nothing in this operation was run.`,
                'FORBIDDEN',
                { field: `Mutation.${name}`, missingScopes: missing },
                403,
              );
            }
          }
        },
        async willSendResponse({ response, operation, document, schema, contextValue }) {
          if (response.body.kind !== 'single' || !operation || !document) return;
          const result = response.body.singleResult;
          if (!result.data) return;
          const rootType = schema.getRootType(operation.operation);
          if (!rootType) return;
          const fragments = new Map(
            document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((f) => [f.name.value, f]),
          );
          const granted = contextValue.caller?.scopes ?? new Set<string>();
          const scopesKey = [...granted].sort().join(' ');
          let byScopes = mayDenyByDocument.get(operation);
          if (!byScopes) mayDenyByDocument.set(operation, (byScopes = new Map()));
          let mayDeny = byScopes.get(scopesKey);
          if (mayDeny === undefined) {
            mayDeny = selectsUnauthorizedField(schema, rootType, operation.selectionSet, fragments, requirements, granted);
            byScopes.set(scopesKey, mayDeny);
          }
          if (!mayDeny) return;
          const { denials, nullRoot } = redactUnauthorizedFields(schema, rootType, operation.selectionSet, fragments, result.data, requirements, granted);
          if (denials.length === 0) return;
          if (nullRoot) (result as { data?: unknown }).data = null;
          const denied = new Set(denials.map((d) => d.coordinate));
          const under = (path: readonly (string | number)[] | undefined) =>
            !!path && denials.some((d) => d.path.length <= path.length && d.path.every((p, i) => p === path[i]));
          // Errors the subgraphs raised for the same fields (or below them) give way to the gateway's.
          const kept = (result.errors ?? []).filter(
            (e: GraphQLFormattedError) => !under(e.path) && !(e.extensions?.code === 'FORBIDDEN' && denied.has(String(e.extensions?.field))),
          );
          const added: GraphQLFormattedError[] = policy === 'mask' ? [] : denials.map((d) => forbiddenFieldError(d.coordinate, d.missing, d.path).toJSON());
          const errors = [...kept, ...added];
          (result as { errors?: readonly GraphQLFormattedError[] }).errors = errors.length > 0 ? errors : undefined;
        },
      };
    },
  };
}
