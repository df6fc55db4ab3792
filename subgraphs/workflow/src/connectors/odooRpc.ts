/**
 * The workflow subgraph's own Odoo client: JSON-RPC `execute_kw` over
 * `POST /jsonrpc`, authenticated once with `common.authenticate`. It is small on
 * purpose: the workflows make a handful of reads and writes per request, and a
 * write is NEVER retried here — whether a timed-out `create` happened is only
 * known by reading Odoo again, which the workflows do by their idempotency key.
 *
 * Errors are plain classes, never GraphQL ones:
 * - `OdooRpcError`: Odoo answered with its error envelope (the call was refused);
 * - `OdooUnreachableError`: no Odoo answer at all (refused connection, timeout,
 *   a non-JSON body). After a write this means "unknown whether it happened".
 */

import { CircuitOpenError, createNativeCallPolicy, type BreakerSnapshot, type NativeCallPolicy, type ResilienceSettings } from '../../../../lib/resilience.js';
import { UNOBSERVED, type NativeCallObserver, type NativeExchange, type NativeOutcome } from '../../../../lib/observability/nativeCalls.js';

const READ_METHODS: ReadonlySet<string> = new Set(['search_read', 'read', 'search', 'search_count', 'read_group', 'fields_get']);
const NO_RETRIES: ResilienceSettings = { retryAttempts: 1, retryBaseDelayMs: 0, retryMaxDelayMs: 0, breakerFailures: 5, breakerHalfOpenAfterMs: 10_000 };

export interface OdooRpcOptions {
  /** Retries of reads and the circuit breaker (lib/resilience.ts). Defaults to no retries and a breaker after 5 failures. */
  resilience?: ResilienceSettings;
  url: string;
  db: string;
  login: string;
  apiKey: string;
  /** Time allowed for one HTTP exchange, in ms. Defaults to 30 000. */
  timeoutMs?: number;
  /** Counts, times and logs each HTTP exchange, and sends the request id (lib/observability). Defaults to none. */
  observer?: NativeCallObserver;
}

export class OdooRpcError extends Error {
  override readonly name = 'OdooRpcError';
  constructor(
    /** Odoo's exception class, e.g. `odoo.exceptions.UserError`. */
    readonly odooName: string,
    message: string,
  ) {
    super(message);
  }
}

export class OdooUnreachableError extends Error {
  override readonly name = 'OdooUnreachableError';
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, options);
  }
}

export class OdooRpc {
  private readonly endpoint: string;
  private uid: Promise<number> | null = null;
  private nextId = 1;
  private readonly counts = new Map<string, number>();

  private readonly policy: NativeCallPolicy;

  constructor(private readonly options: OdooRpcOptions) {
    this.endpoint = new URL('jsonrpc', options.url.endsWith('/') ? options.url : `${options.url}/`).href;
    this.policy = createNativeCallPolicy({
      systemLabel: 'ERP (Odoo)',
      settings: options.resilience ?? NO_RETRIES,
      classify: (error) => (error instanceof OdooUnreachableError ? { systemFailure: true, retryable: true } : { systemFailure: false, retryable: false }),
    });
  }

  /** The ERP circuit breaker's state, for metrics. */
  breaker(): BreakerSnapshot {
    return this.policy.snapshot();
  }

  /** Native calls made, by `model.method`, for tests that count them. */
  callCounts(): Record<string, number> {
    return Object.fromEntries(this.counts);
  }

  async executeKw<T = unknown>(model: string, method: string, args: unknown[], kwargs: Record<string, unknown> = {}): Promise<T> {
    const key = `${model}.${method}`;
    const call = async () => {
      const uid = await this.authenticate();
      this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
      return (await this.rpc('object', 'execute_kw', [this.options.db, uid, this.options.apiKey, model, method, args, kwargs], key)) as T;
    };
    try {
      // Reads are retried and every call goes through the ERP's circuit breaker; writes are sent once.
      return await this.policy.run(call, { idempotent: READ_METHODS.has(method) });
    } catch (error) {
      // An open circuit made no call; the workflows treat it like an unreachable ERP (they re-read before deciding).
      if (error instanceof CircuitOpenError) throw new OdooUnreachableError(error.message, { cause: error });
      throw error;
    }
  }

  searchRead<T>(model: string, domain: unknown[], fields: string[], options: { limit?: number; order?: string } = {}): Promise<T[]> {
    return this.executeKw<T[]>(model, 'search_read', [domain], { fields, ...options });
  }

  // --- Private --------------------------------------------------------------

  private authenticate(): Promise<number> {
    if (!this.uid) {
      const { db, login, apiKey } = this.options;
      const attempt = this.rpc('common', 'authenticate', [db, login, apiKey, {}], 'common.authenticate').then((uid) => {
        // Odoo answers `false`, not an error, for a wrong login or key.
        if (typeof uid !== 'number') {
          throw new OdooRpcError(
            'odoo.exceptions.AccessDenied',
            `Odoo refused login "${login}" on database "${db}": authenticate answered ${JSON.stringify(uid)} instead of a user id.`,
          );
        }
        return uid;
      });
      this.uid = attempt;
      // A failed login is not kept, so the next call tries again once Odoo is back.
      attempt.catch(() => {
        if (this.uid === attempt) this.uid = null;
      });
    }
    return this.uid;
  }

  private rpc(service: string, method: string, args: unknown[], what: string): Promise<unknown> {
    // Labelled by model and method for execute_kw (`sale.order` `create`), else by service (`common` `authenticate`).
    const label = service === 'object' && method === 'execute_kw' ? { object: String(args[3]), method: String(args[4]) } : { object: service, method };
    const outcomeOf = (error: unknown): NativeOutcome => (error instanceof OdooUnreachableError ? 'unavailable' : 'refused');
    return (this.options.observer ?? UNOBSERVED).call(label, (exchange) => this.rpcOnce(service, method, args, what, exchange), outcomeOf);
  }

  private async rpcOnce(service: string, method: string, args: unknown[], what: string, exchange: NativeExchange): Promise<unknown> {
    const body = JSON.stringify({ jsonrpc: '2.0', method: 'call', params: { service, method, args }, id: this.nextId++ });
    const timeoutMs = this.options.timeoutMs ?? 30_000;
    let text: string;
    let status: number;
    try {
      const response = await fetch(this.endpoint, {
        method: 'POST',
        headers: { ...exchange.headers, 'content-type': 'application/json', accept: 'application/json' },
        body,
        signal: AbortSignal.timeout(timeoutMs),
      });
      status = response.status;
      exchange.status = status;
      text = await response.text();
    } catch (cause) {
      const detail = cause instanceof Error && cause.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : describeCause(cause);
      throw new OdooUnreachableError(`Could not reach Odoo at ${new URL(this.endpoint).origin} for ${what}: ${detail}.`, { cause });
    }
    let envelope: { result?: unknown; error?: { message?: string; data?: { name?: string; message?: string } } };
    try {
      envelope = JSON.parse(text) as typeof envelope;
    } catch (cause) {
      throw new OdooUnreachableError(`Expected Odoo to answer ${what} with a JSON-RPC body, but got HTTP ${status}: ${JSON.stringify(text.slice(0, 120))}.`, {
        cause,
      });
    }
    if (envelope.error) {
      const data = envelope.error.data ?? {};
      throw new OdooRpcError(data.name ?? 'unknown', data.message || envelope.error.message || `Odoo refused ${what} without a message.`);
    }
    if (!('result' in envelope))
      throw new OdooUnreachableError(`Expected Odoo to answer ${what} with "result" or "error", but got ${JSON.stringify(text.slice(0, 120))}.`);
    return envelope.result;
  }
}

function describeCause(cause: unknown): string {
  if (!(cause instanceof Error)) return String(cause);
  const inner = (cause as Error & { cause?: { code?: string; message?: string } }).cause;
  return inner?.code ? `${inner.code} (${inner.message ?? cause.message})` : cause.message;
}
