/**
 * graphql-js reports a malformed literal argument as, for example,
 * `Int cannot represent non-integer value: "ten"` — true, but it does not say
 * which argument. This plugin prefixes such validation errors with the argument
 * and field they belong to, so a client can see at once what to fix.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import { visit, type ArgumentNode, type GraphQLError } from 'graphql';

interface ArgumentSpan {
  start: number;
  end: number;
  argument: string;
  field: string | undefined;
}

export function useArgumentNamesInErrors(): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async validationDidStart({ document }) {
          return async (errors?: readonly Error[]) => {
            if (!errors?.length) return;
            const spans: ArgumentSpan[] = [];
            const fieldStack: string[] = [];
            visit(document, {
              Field: { enter: (node) => void fieldStack.push(node.name.value), leave: () => void fieldStack.pop() },
              Directive: { enter: (node) => void fieldStack.push(`@${node.name.value}`), leave: () => void fieldStack.pop() },
              Argument(node: ArgumentNode) {
                if (node.value.loc) spans.push({ start: node.value.loc.start, end: node.value.loc.end, argument: node.name.value, field: fieldStack.at(-1) });
              },
            });
            for (const error of errors as readonly GraphQLError[]) {
              const at = error.nodes?.[0]?.loc?.start;
              if (at === undefined || error.message.startsWith('Argument ')) continue;
              // The innermost argument containing the bad value (input objects nest).
              const span = spans.filter((s) => s.start <= at && at < s.end).sort((a, b) => a.end - a.start - (b.end - b.start))[0];
              if (span) {
                (error as { message: string }).message =
                  `Argument "${span.argument}"${span.field ? ` of "${span.field}"` : ''} has an invalid value: ${error.message}`;
              }
            }
          };
        },
      };
    },
  };
}
