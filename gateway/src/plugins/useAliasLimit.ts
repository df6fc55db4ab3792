/**
 * Rejects operations with more than `maxAliases` aliased fields. Aliases let
 * one request ask for the same expensive field many times over (`a1: customer
 * … a500: customer`), which depth and batch limits do not see.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import { visit, type DocumentNode } from 'graphql';
import { rejectRequest } from './rejectRequest.js';

export function countAliases(document: DocumentNode): number {
  let aliases = 0;
  visit(document, { Field: (node) => void (node.alias && aliases++) });
  return aliases;
}

export function useAliasLimit({ maxAliases = 15 }: { maxAliases?: number } = {}): ApolloServerPlugin {
  // Apollo reuses one parsed document per distinct query: each is counted once.
  const known = new WeakMap<DocumentNode, number>();
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ document }) {
          let aliases = known.get(document);
          if (aliases === undefined) known.set(document, (aliases = countAliases(document)));
          if (aliases > maxAliases) {
            throw rejectRequest(`Expected at most ${maxAliases} aliased fields in one operation, but this one has ${aliases}.`, 'TOO_MANY_ALIASES', {
              maxAliases,
              aliases,
            });
          }
        },
      };
    },
  };
}
