/**
 * One pino logger per running component (`component: gateway | erp | crm |
 * workflow`), writing one JSON object per line. Per-request lines come from a
 * child bound to the request id (requestContext.ts), so a request can be
 * followed with one `grep` across every component's output.
 *
 * What is logged is chosen field by field at each call site: never headers,
 * tokens, secrets or GraphQL variables.
 */
import { pino, type DestinationStream, type Logger as PinoLogger } from 'pino';
import type { LogLevel } from './settings.js';

export type Logger = PinoLogger;
export type LogDestination = DestinationStream;

export type Component = 'gateway' | 'erp' | 'crm' | 'workflow';

/** `destination` defaults to standard output; tests pass a stream to read the lines back. */
export function createLogger(component: Component, level: LogLevel, destination?: LogDestination): Logger {
  const options = {
    level,
    base: { component },
    // Readable in a terminal and parseable everywhere: "level":"info", "time":"2025-…Z".
    formatters: { level: (label: string) => ({ level: label }) },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  return destination ? pino(options, destination) : pino(options);
}
