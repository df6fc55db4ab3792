/**
 * Refuses a request whose `operationName` picks no operation of its document
 * (or that leaves the choice open among several) with a 400 that lists the
 * operations there are. Apollo Server and @apollo/gateway otherwise disagree
 * about such a request and answer it with a 500.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import { Kind } from 'graphql';
import { rejectRequest } from './rejectRequest.js';

export function useKnownOperation(): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, document, request }) {
          if (operation) return;
          const names = document.definitions.flatMap((d) => (d.kind === Kind.OPERATION_DEFINITION ? [d.name ? `"${d.name.value}"` : '(anonymous)'] : []));
          const name = request.operationName;
          throw rejectRequest(
            name === undefined || name === null
              ? `Expected an "operationName", because the document has several operations: ${names.join(', ')}.`
              : `Expected an operation named ${JSON.stringify(name)} in the document, but it has only: ${names.join(', ') || 'none'}.`,
            'OPERATION_RESOLUTION_FAILURE',
          );
        },
      };
    },
  };
}
