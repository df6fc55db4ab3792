/**
 * Rejects operations nested deeper than `maxDepth` fields, before they reach a
 * subgraph: each level can fan out into native calls, so depth is cost. The
 * introspection subtree (`__schema`, `__type`) may go as deep as the standard
 * introspection query needs, no deeper; turn introspection off to forbid it.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import {
  getIntrospectionQuery,
  Kind,
  parse,
  type DocumentNode,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { rejectRequest } from './rejectRequest.js';

/** The depth of the deepest field path in `operation`, following fragment spreads. */
export function operationDepth(operation: OperationDefinitionNode, document: DocumentNode, onIntrospection?: (depth: number) => void): number {
  const fragments = new Map(document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((f) => [f.name.value, f]));
  const measure = (set: SelectionSetNode | undefined, depth: number, seen: ReadonlySet<string>, inIntrospection: boolean): number => {
    if (!set) return depth;
    let deepest = depth;
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        const introspection = inIntrospection || selection.name.value === '__schema' || selection.name.value === '__type';
        const below = measure(selection.selectionSet, depth + 1, seen, introspection);
        if (introspection && !inIntrospection) onIntrospection?.(below);
        else if (!introspection) deepest = Math.max(deepest, below);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        deepest = Math.max(deepest, measure(selection.selectionSet, depth, seen, inIntrospection));
      } else {
        const name = selection.name.value;
        // Validation already rejects fragment cycles; `seen` keeps this safe if it runs before validation.
        if (seen.has(name)) continue;
        deepest = Math.max(deepest, measure(fragments.get(name)?.selectionSet, depth, new Set([...seen, name]), inIntrospection));
      }
    }
    return deepest;
  };
  return measure(operation.selectionSet, 0, new Set(), false);
}

const INTROSPECTION_DEPTH = (() => {
  const document = parse(
    getIntrospectionQuery({ descriptions: true, specifiedByUrl: true, directiveIsRepeatable: true, schemaDescription: true, inputValueDeprecation: true }),
  );
  let depth = 0;
  const operation = document.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  if (operation) operationDepth(operation, document, (d) => (depth = Math.max(depth, d)));
  return depth;
})();

export function useDepthLimit({ maxDepth = 12 }: { maxDepth?: number } = {}): ApolloServerPlugin {
  // Depths depend on the operation alone, and Apollo reuses one parsed document per distinct query.
  const known = new WeakMap<OperationDefinitionNode, { depth: number; introspectionDepth: number }>();
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, document }) {
          if (!operation) return;
          let depths = known.get(operation);
          if (!depths) {
            let introspectionDepth = 0;
            const depth = operationDepth(operation, document, (d) => (introspectionDepth = Math.max(introspectionDepth, d)));
            known.set(operation, (depths = { depth, introspectionDepth }));
          }
          const { depth, introspectionDepth } = depths;
          if (depth > maxDepth) {
            throw rejectRequest(
              `Expected an operation at most ${maxDepth} fields deep, but this one is ${depth} deep. Split it into smaller operations.`,
              'QUERY_TOO_DEEP',
              { maxDepth, depth },
            );
          }
          const introspectionLimit = Math.max(maxDepth, INTROSPECTION_DEPTH);
          if (introspectionDepth > introspectionLimit) {
            throw rejectRequest(
              `Expected an introspection query at most ${introspectionLimit} fields deep (as deep as the standard one), but this one is ${introspectionDepth} deep.`,
              'QUERY_TOO_DEEP',
              { maxDepth: introspectionLimit, depth: introspectionDepth },
            );
          }
        },
      };
    },
  };
}
