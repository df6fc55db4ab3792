/**
 * The boundary between the connector's plain errors and GraphQL errors: Odoo
 * that cannot be reached becomes NATIVE_SYSTEM_UNAVAILABLE, Odoo that refuses a
 * call becomes NATIVE_SYSTEM_ERROR, both naming the ERP. Per-key errors inside
 * batch results (not found, ambiguous) are left to the resolvers.
 */
import { GraphQLError } from 'graphql';
import { NativeSystemCircuitOpenError, NativeSystemError, NativeSystemUnavailableError } from '../../../lib/errors.js';
import { CircuitOpenError } from '../../../lib/resilience.js';
import { ErpAmbiguousKeyError } from './connectors/erpConnector.js';
import { OdooError, OdooUnavailableError } from '../../../lib/native/odooClient.js';

export function toGraphQLError(error: unknown): unknown {
  if (error instanceof GraphQLError) return error;
  if (error instanceof CircuitOpenError) return new NativeSystemCircuitOpenError('erp', error.message, error.retryInSeconds, { cause: error });
  if (error instanceof OdooUnavailableError) return new NativeSystemUnavailableError('erp', error.message, { cause: error });
  if (error instanceof OdooError) return new NativeSystemError('erp', error.odooName, error.message);
  if (error instanceof ErpAmbiguousKeyError) {
    return new GraphQLError(error.message, { extensions: { code: 'NATIVE_DATA_CONFLICT', system: 'erp' }, originalError: error });
  }
  return error;
}

/**
 * Wraps every method of a connector so that what it throws (a whole batch
 * failing) reaches GraphQL as a named ERP error. Results, including the
 * per-key Errors inside them, pass through untouched.
 */
export function withGraphQLErrors<T extends object>(connector: T): T {
  const wrapped: Record<string, unknown> = {};
  for (const [name, member] of Object.entries(connector)) {
    wrapped[name] =
      typeof member === 'function'
        ? async (...args: unknown[]) => {
            try {
              return await (member as (...a: unknown[]) => Promise<unknown>).apply(connector, args);
            } catch (error) {
              throw toGraphQLError(error);
            }
          }
        : member;
  }
  return wrapped as T;
}
