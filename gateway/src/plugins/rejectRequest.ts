/**
 * The error a gateway plugin throws to turn a whole request away before it is
 * executed: a client error with its own code and an HTTP status (400 unless
 * said otherwise), so it is never mistaken for a server fault.
 */
import { GraphQLError } from 'graphql';

export function rejectRequest(message: string, code: string, extra: Record<string, unknown> = {}, status = 400): GraphQLError {
  return new GraphQLError(message, { extensions: { code, ...extra, http: { status } } });
}
