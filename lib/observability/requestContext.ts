/**
 * The request a piece of code runs for, without passing it down: the gateway
 * and each subgraph run their request handler inside `runWithRequest`, and
 * everything that handler causes — resolvers, DataLoader batch functions,
 * native clients — reads the request id, the request's logger and its span
 * with `currentRequest()`. Connectors stay free of GraphQL types and of extra
 * parameters; code running outside any request (a change-feed poll, a health
 * check) simply gets `undefined`.
 */
import { randomUUID } from 'node:crypto';
import type { Span } from '@opentelemetry/api';
import type { Logger } from './logger.js';
import { AsyncLocal } from '../asyncLocal.js';

/** The header that carries the request id: from the client to the gateway, the gateway to subgraphs, subgraphs to native systems. */
export const REQUEST_ID_HEADER = 'x-request-id';

export interface RequestScope {
  /** Taken from a valid incoming `x-request-id`, or made here (a UUID). */
  readonly requestId: string;
  /** The component's logger with `requestId` bound: every line it writes can be followed across components. */
  readonly logger: Logger;
  /** The span of the request in this component, when tracing is on: native calls and subgraph fetches become its children. */
  readonly span?: Span;
  /** Names of the operations the gateway resolved for this request (a batch has several); filled in by its Apollo plugin. */
  readonly operationNames: string[];
  /** Whether the response carried GraphQL errors; set by the gateway's Apollo plugin. */
  hadErrors: boolean;
}

const storage = new AsyncLocal<RequestScope>('request');

/** Runs `fn` (and everything it starts) as part of the request `scope`. */
export function runWithRequest<T>(scope: RequestScope, fn: () => T): T {
  return storage.run(scope, fn);
}

/** The request the calling code runs for; undefined outside any request. */
export function currentRequest(): RequestScope | undefined {
  return storage.getStore();
}

// Private: what a request id may look like. Bounded, so a client cannot put a kilobyte or a line
// break into every log line; plain characters, so it is safe in headers, logs and URLs.
const VALID_REQUEST_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

/** The incoming request id when it is acceptable (1–128 of A–Z a–z 0–9 . _ : -, starting alphanumeric), else a new UUID. */
export function adoptRequestId(header: string | string[] | undefined): string {
  const value = Array.isArray(header) ? header[0] : header;
  return value !== undefined && VALID_REQUEST_ID.test(value) ? value : randomUUID();
}
