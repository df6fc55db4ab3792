/**
 * Error conventions shared by the subgraphs and the gateway: client errors carry
 * `extensions.code`; a native system that fails is named; anything unexpected is
 * masked outside development.
 */
import { GraphQLError, type GraphQLFormattedError } from 'graphql';

export type NativeSystem = 'erp' | 'crm';

const SYSTEM_LABEL: Record<NativeSystem, string> = { erp: 'ERP (Odoo)', crm: 'CRM (Salesforce)' };

/**
 * A native system could not answer: unreachable, timed out, or it answered with
 * something other than its protocol. Never a client mistake.
 */
export class NativeSystemUnavailableError extends GraphQLError {
  constructor(system: NativeSystem, detail: string, options: { cause?: unknown } = {}) {
    super(`The ${SYSTEM_LABEL[system]} is unavailable: ${detail}`, {
      extensions: { code: 'NATIVE_SYSTEM_UNAVAILABLE', system },
      originalError: options.cause instanceof Error ? options.cause : undefined,
    });
  }
}

/**
 * The connector's circuit breaker for this system is open, so no call was made
 * (lib/resilience.ts). Same code as an unavailable system; `circuit` and
 * `retryInSeconds` say why and for how long.
 */
export class NativeSystemCircuitOpenError extends GraphQLError {
  constructor(system: NativeSystem, message: string, retryInSeconds: number, options: { cause?: unknown } = {}) {
    super(message, {
      extensions: { code: 'NATIVE_SYSTEM_UNAVAILABLE', system, circuit: 'open', retryInSeconds },
      originalError: options.cause instanceof Error ? options.cause : undefined,
    });
  }
}

/** The native system answered with an error of its own (a fault, an access rule, a limit). */
export class NativeSystemError extends GraphQLError {
  constructor(system: NativeSystem, nativeName: string, message: string) {
    super(`The ${SYSTEM_LABEL[system]} rejected the call with ${nativeName}: ${message}`, {
      extensions: { code: 'NATIVE_SYSTEM_ERROR', system, nativeError: nativeName },
    });
  }
}

export function badUserInput(message: string, argumentName?: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT', ...(argumentName ? { argumentName } : {}) } });
}

/**
 * `formatError` for Apollo Server: errors that carry a code pass through;
 * anything else becomes INTERNAL_SERVER_ERROR with a generic message unless
 * `development` is set, so stack traces and internals never reach clients.
 */
export function maskUnexpectedErrors(development: boolean) {
  return (formatted: GraphQLFormattedError): GraphQLFormattedError => {
    const code = formatted.extensions?.code;
    if ((typeof code === 'string' && code !== 'INTERNAL_SERVER_ERROR') || development) return formatted;
    return {
      message: 'Unexpected error while resolving this field.',
      locations: formatted.locations,
      path: formatted.path,
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    };
  };
}
