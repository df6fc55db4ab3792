/**
 * Rejects operations whose estimated cost exceeds `maxCost`, before any
 * subgraph is called. Each field costs 1 plus what it selects; a field that
 * returns a list, or takes a `first` argument, multiplies what it selects by
 * `first` (or by `defaultListSize` when it has none). Lists inside a
 * `…Connection` are already counted by the connection's `first`.
 * The walk over fragments, variables and @skip/@include is
 * graphql-query-complexity's.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import { getNullableType, isListType, type GraphQLSchema, type DocumentNode } from 'graphql';
import { getComplexity, type ComplexityEstimator } from 'graphql-query-complexity';
import { rejectRequest } from './rejectRequest.js';

export function listSizeEstimator(defaultListSize: number): ComplexityEstimator {
  return ({ type, field, args, childComplexity }) => {
    // Introspection is governed by the introspection switch and the depth limit, not by cost.
    if (field.name.startsWith('__')) return 0;
    const first = typeof args.first === 'number' && args.first >= 0 ? args.first : undefined;
    const isList = isListType(getNullableType(field.type));
    const inConnection = type.name.endsWith('Connection');
    const multiplier = first ?? (isList && !inConnection ? defaultListSize : 1);
    return 1 + multiplier * childComplexity;
  };
}

export function operationCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | undefined,
  variables: Record<string, unknown> | undefined,
  defaultListSize: number,
): number {
  return getComplexity({ schema, query: document, operationName, variables, estimators: [listSizeEstimator(defaultListSize)] });
}

/** The operation name and variables as one string, or undefined for variables too deep to serialize (they are refused later). */
function variablesKey(operationName: string | null | undefined, variables: unknown): string | undefined {
  try {
    return JSON.stringify([operationName ?? null, variables ?? null]);
  } catch {
    return undefined;
  }
}

// Private: estimates remembered per document (Apollo reuses one parsed document per distinct query) and
// per operation name and variables, which the estimate reads; a few dozen variable sets per document at most.
const COSTS_PER_DOCUMENT = 64;

export function useCostLimit({ maxCost = 25_000, defaultListSize = 20 }: { maxCost?: number; defaultListSize?: number } = {}): ApolloServerPlugin {
  const known = new WeakMap<DocumentNode, Map<string, number>>();
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ schema, document, operationName, request }) {
          let costs = known.get(document);
          if (!costs) known.set(document, (costs = new Map()));
          const key = variablesKey(operationName, request.variables);
          let cost = key === undefined ? undefined : costs.get(key);
          try {
            if (cost === undefined) {
              cost = operationCost(schema, document, operationName ?? undefined, request.variables, defaultListSize);
              if (costs.size >= COSTS_PER_DOCUMENT) costs.clear();
              if (key !== undefined) costs.set(key, cost);
            }
          } catch (error) {
            // The estimate reads `first` from the variables, so it meets bad variables before execution does.
            if (error instanceof Error && 'nodes' in error) throw rejectRequest(error.message, 'BAD_USER_INPUT');
            throw error;
          }
          if (cost > maxCost) {
            throw rejectRequest(
              `Expected an operation costing at most ${maxCost}, but this one is estimated at ${cost} (each field 1, times the \`first\` of every list above it, ${defaultListSize} where none is given). Ask for fewer items or fewer fields.`,
              'QUERY_TOO_COMPLEX',
              { maxCost, cost },
            );
          }
        },
      };
    },
  };
}
