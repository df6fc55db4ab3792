/**
 * The only code that speaks Odoo's wire protocol, shared by the ERP subgraph's
 * connector and the workflow subgraph's.
 *
 * Callers see `OdooClient`: one model method call at a time. The JSON-RPC
 * transport below (`POST /jsonrpc`, `common.authenticate` once, then
 * `object.execute_kw`) is what Odoo 14–18 serve; Odoo 19's JSON-2 API
 * (`POST /json/2/<model>/<method>` with a bearer key) can replace it by
 * implementing the same interface, without touching the connector.
 *
 * Errors are plain classes, never GraphQL ones: each subgraph maps them at its
 * boundary. Reads are retried; a write is sent once (a write whose answer was
 * lost may well have happened); an open circuit throws CircuitOpenError
 * (lib/resilience.ts) without calling.
 */
import http from 'node:http';
import https from 'node:https';
import {
  createNativeCallPolicy,
  retryAfterMs,
  type BreakerSnapshot,
  type FailureClass,
  type NativeCallPolicy,
  type ResilienceSettings,
  readResilienceSettings,
} from '../resilience.js';
import { readSettings } from '../config/index.js';
import { UNOBSERVED, type NativeCallObserver, type NativeExchange, type NativeOutcome } from '../observability/nativeCalls.js';

export interface OdooConnection {
  /** Base URL of the Odoo server, e.g. `http://127.0.0.1:8069`. */
  url: string;
  /** Database name. */
  db: string;
  /** Login of the integration user. */
  login: string;
  /** API key of that user (used where Odoo expects a password). */
  apiKey: string;
}

export interface OdooClientOptions extends OdooConnection {
  /** How long one HTTP exchange may take before it counts as unavailable. Defaults to 30 000 ms. */
  timeoutMs?: number;
  /** Concurrent connections kept to Odoo. Defaults to 16. */
  maxSockets?: number;
  /** Retries of reads and the circuit breaker. Defaults to DEFAULT_ODOO_RESILIENCE. */
  resilience?: ResilienceSettings;
  /** Counts, times and logs each HTTP exchange, and sends the request id (lib/observability). Defaults to none. */
  observer?: NativeCallObserver;
}

/** How messages and the circuit breaker name Odoo. */
export const ODOO_SYSTEM_LABEL = 'ERP (Odoo)';

// The catalog's defaults (lib/config/catalog.ts), for clients built without settings (scripts, tests).
export const DEFAULT_ODOO_RESILIENCE: ResilienceSettings = readResilienceSettings(readSettings({}), 'ODOO');

/**
 * Odoo methods that only read, so a failed call may be sent again. Everything
 * else (create, write, unlink, action_confirm, ...) is sent once: a write whose
 * answer was lost may well have happened.
 */
export const ODOO_READ_METHODS: ReadonlySet<string> = new Set([
  'search_read',
  'read',
  'search',
  'search_count',
  'read_group',
  'fields_get',
  'name_search',
  'name_get',
  'default_get',
]);

/** One call of a model method, whatever the transport. */
export interface OdooClient {
  executeKw<T = unknown>(model: string, method: string, args: unknown[], kwargs?: Record<string, unknown>): Promise<T>;
  /** Closes kept-alive connections; later calls open new ones. */
  close(): Promise<void>;
  /**
   * Asks Odoo for its version (`common.version`, no login), bypassing the
   * circuit breaker, for health checks; resolves to the server version.
   */
  ping?(timeoutMs?: number): Promise<string>;
  /** The circuit breaker's state, for health checks. */
  breaker?(): BreakerSnapshot;
  /** `execute_kw` calls sent (each retry counts), by `model.method`, for tests that count native calls. */
  callCounts?(): Record<string, number>;
}

/** `search_read`: the records matching `domain`, with `fields` (and `id`). */
export function searchRead<T>(
  odoo: OdooClient,
  model: string,
  domain: unknown[],
  fields: string[],
  options: { limit?: number; order?: string } = {},
): Promise<T[]> {
  return odoo.executeKw<T[]>(model, 'search_read', [domain], { fields, ...options });
}

/**
 * Odoo answered with its error envelope (HTTP 200, `{"error": {...}}`).
 * `odooName` is Odoo's exception class, e.g. `odoo.exceptions.AccessError`
 * or `builtins.ValueError`.
 */
export class OdooError extends Error {
  override readonly name = 'OdooError';

  constructor(
    readonly odooName: string,
    message: string,
    /** The JSON-RPC error code: 200 for server errors, 100 for an expired session. */
    readonly code: number,
  ) {
    super(message);
  }
}

/** Odoo could not be reached, or did not answer in time. */
export class OdooUnavailableError extends Error {
  override readonly name: string = 'OdooUnavailableError';
  /** How long Odoo (or the proxy in front of it) asked us to wait, from `Retry-After`. */
  readonly retryAfterMs: number | undefined;

  constructor(message: string, options: { cause?: unknown; retryAfterMs?: number } = {}) {
    super(message, options);
    this.retryAfterMs = options.retryAfterMs;
  }
}

/** Something answered, but not with Odoo's protocol (wrong status, not JSON, unexpected shape). */
export class OdooProtocolError extends OdooUnavailableError {
  override readonly name: string = 'OdooProtocolError';
}

export function createOdooClient(options: OdooClientOptions): OdooClient {
  return new JsonRpcOdooClient(options);
}

const SESSION_EXPIRED = 100;
const RETRYABLE_SOCKET_ERRORS = new Set(['ECONNRESET', 'EPIPE']);

interface HttpAnswer {
  status: number;
  contentType: string;
  body: string;
  retryAfterMs: number | undefined;
}

// Private: Odoo's own errors (access rules, validation) are answers, not failures
// of the system; only an Odoo that cannot answer counts toward the breaker.
function classifyOdooFailure(error: unknown): FailureClass {
  if (error instanceof OdooUnavailableError) return { systemFailure: true, retryable: true, retryAfterMs: error.retryAfterMs };
  return { systemFailure: false, retryable: false };
}

class JsonRpcOdooClient implements OdooClient {
  private readonly endpoint: URL;
  /** Where Odoo is, for messages: never the credentials. */
  private readonly where: string;
  private readonly timeoutMs: number;
  private readonly agent: http.Agent;
  private readonly policy: NativeCallPolicy;
  private uid: Promise<number> | undefined;
  private nextRequestId = 1;
  private readonly counts = new Map<string, number>();

  constructor(private readonly options: OdooClientOptions) {
    let base: URL;
    try {
      base = new URL(options.url);
    } catch {
      throw new TypeError(`Expected the Odoo URL to be an absolute http(s) URL, but got "${options.url}".`);
    }
    if (base.protocol !== 'http:' && base.protocol !== 'https:') {
      throw new TypeError(`Expected the Odoo URL to use http or https, but got "${base.protocol}" in "${options.url}".`);
    }
    this.endpoint = new URL('jsonrpc', base.href.endsWith('/') ? base.href : `${base.href}/`);
    this.where = `Odoo at ${base.origin}`;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    const agentOptions = { keepAlive: true, maxSockets: options.maxSockets ?? 16 };
    this.agent = base.protocol === 'https:' ? new https.Agent(agentOptions) : new http.Agent(agentOptions);
    this.policy = createNativeCallPolicy({
      systemLabel: ODOO_SYSTEM_LABEL,
      settings: options.resilience ?? DEFAULT_ODOO_RESILIENCE,
      classify: classifyOdooFailure,
    });
  }

  async executeKw<T>(model: string, method: string, args: unknown[], kwargs: Record<string, unknown> = {}): Promise<T> {
    const what = `${model}.${method}`;
    const call = async () => {
      const uid = await this.authenticate();
      this.counts.set(what, (this.counts.get(what) ?? 0) + 1);
      const { db, apiKey } = this.options;
      return (await this.rpc('object', 'execute_kw', [db, uid, apiKey, model, method, args, kwargs], what)) as T;
    };
    const once = async () => {
      try {
        return await call();
      } catch (error) {
        // API keys do not expire, but a proxy or an Odoo restart may still drop
        // the user's session: authenticate again once rather than fail the batch.
        if (error instanceof OdooError && error.code === SESSION_EXPIRED) {
          this.uid = undefined;
          return call();
        }
        throw error;
      }
    };
    return this.policy.run(once, { idempotent: ODOO_READ_METHODS.has(method) });
  }

  async ping(timeoutMs = this.timeoutMs): Promise<string> {
    const answer = await this.rpc('common', 'version', [], 'common.version', timeoutMs);
    const version = isObject(answer) && typeof answer.server_version === 'string' ? answer.server_version : undefined;
    if (!version) throw new OdooProtocolError(`${this.where} answered common.version without a server_version: ${preview(JSON.stringify(answer) ?? '')}`);
    return version;
  }

  breaker(): BreakerSnapshot {
    return this.policy.snapshot();
  }

  callCounts(): Record<string, number> {
    return Object.fromEntries(this.counts);
  }

  async close(): Promise<void> {
    this.agent.destroy();
  }

  private authenticate(): Promise<number> {
    if (this.uid) return this.uid;
    const { db, login, apiKey } = this.options;
    const pending = this.rpc('common', 'authenticate', [db, login, apiKey, {}], 'common.authenticate').then((uid) => {
      // Odoo answers `false` (not an error) when the login or key is wrong.
      if (typeof uid !== 'number' || !Number.isInteger(uid)) {
        throw new OdooError(
          'odoo.exceptions.AccessDenied',
          `${this.where} refused login "${login}" on database "${db}": authenticate answered ${JSON.stringify(uid)} instead of a user id. Expected a valid login and API key.`,
          200,
        );
      }
      return uid;
    });
    this.uid = pending;
    // Do not cache a failure: the next call should try again.
    pending.catch(() => {
      if (this.uid === pending) this.uid = undefined;
    });
    return pending;
  }

  private rpc(service: string, method: string, args: unknown[], what: string, timeoutMs = this.timeoutMs): Promise<unknown> {
    // Labelled by model and method for execute_kw (`res.partner` `search_read`), else by service (`common` `authenticate`).
    const label = service === 'object' && method === 'execute_kw' ? { object: String(args[3]), method: String(args[4]) } : { object: service, method };
    const observer = this.options.observer ?? UNOBSERVED;
    return observer.call(label, (exchange) => this.rpcOnce(service, method, args, what, timeoutMs, exchange), outcomeOf);
  }

  private async rpcOnce(service: string, method: string, args: unknown[], what: string, timeoutMs: number, exchange: NativeExchange): Promise<unknown> {
    const id = this.nextRequestId++;
    const payload = JSON.stringify({ jsonrpc: '2.0', method: 'call', params: { service, method, args }, id });
    // Only a read (or a `common` call) may be sent again on a fresh socket: see `post`.
    const resendable = service !== 'object' || ODOO_READ_METHODS.has(String(args[4]));
    const answer = await this.post(payload, what, timeoutMs, exchange.headers, resendable);
    exchange.status = answer.status;
    if (answer.status !== 200) {
      throw new OdooProtocolError(
        `${this.where} answered ${what} with HTTP ${answer.status}; expected 200 with a JSON-RPC body. It began: ${preview(answer.body)}`,
        { retryAfterMs: answer.retryAfterMs },
      );
    }
    let envelope: unknown;
    try {
      envelope = JSON.parse(answer.body);
    } catch (cause) {
      throw new OdooProtocolError(
        `${this.where} answered ${what} with ${answer.contentType || 'no content type'} that is not JSON; expected a JSON-RPC body. It began: ${preview(answer.body)}`,
        { cause },
      );
    }
    if (isObject(envelope) && 'error' in envelope && envelope.error !== undefined) {
      throw toOdooError(envelope.error, what);
    }
    if (isObject(envelope) && 'result' in envelope) return envelope.result;
    throw new OdooProtocolError(`${this.where} answered ${what} with JSON that has neither "result" nor "error": ${preview(answer.body)}`);
  }

  private post(payload: string, what: string, timeoutMs: number, extraHeaders: Record<string, string>, resendable: boolean): Promise<HttpAnswer> {
    const transport = this.endpoint.protocol === 'https:' ? https : http;
    return new Promise<HttpAnswer>((resolve, reject) => {
      let settled = false;
      const settle = (fn: () => void) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        fn();
      };
      const req = transport.request(
        this.endpoint,
        {
          method: 'POST',
          agent: this.agent,
          headers: {
            ...extraHeaders,
            'content-type': 'application/json',
            accept: 'application/json',
            'content-length': Buffer.byteLength(payload),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('error', (cause) => settle(() => reject(this.unreachable(what, cause))));
          res.on('end', () =>
            settle(() =>
              resolve({
                status: res.statusCode ?? 0,
                contentType: String(res.headers['content-type'] ?? ''),
                body: Buffer.concat(chunks).toString('utf8'),
                retryAfterMs: retryAfterMs(res.headers['retry-after']),
              }),
            ),
          );
        },
      );
      const timer = setTimeout(() => {
        settle(() => reject(new OdooUnavailableError(`${this.where} did not answer ${what} within ${timeoutMs} ms.`)));
        req.destroy();
      }, timeoutMs);
      req.on('error', (cause: NodeJS.ErrnoException) => {
        // A kept-alive socket may have been closed by the server while idle, so a
        // read is sent once more on a fresh socket. A write is not: a reset can
        // equally come after Odoo received the request (a proxy dropping the
        // answer), and then the write may well have happened.
        if (resendable && req.reusedSocket && cause.code && RETRYABLE_SOCKET_ERRORS.has(cause.code)) {
          settle(() => resolve(this.post(payload, what, timeoutMs, extraHeaders, false)));
          return;
        }
        settle(() => reject(this.unreachable(what, cause)));
      });
      req.end(payload);
    });
  }

  private unreachable(what: string, cause: unknown): OdooUnavailableError {
    const detail = cause instanceof Error ? cause.message : String(cause);
    return new OdooUnavailableError(`Could not reach ${this.where} for ${what}: ${detail}.`, { cause });
  }
}

// Private: for metrics and logs, Odoo's own errors are refusals; everything else is an Odoo that did not answer.
function outcomeOf(error: unknown): NativeOutcome {
  return error instanceof OdooUnavailableError ? 'unavailable' : 'refused';
}

// Private: Odoo's envelope is `{code, message: "Odoo Server Error", data: {name, message, ...}}`;
// the useful text is in `data`, the generic one in `message`.
function toOdooError(error: unknown, what: string): OdooError {
  if (!isObject(error)) return new OdooError('unknown', `Odoo answered ${what} with an error it did not describe: ${JSON.stringify(error)}.`, 0);
  const code = typeof error.code === 'number' ? error.code : 0;
  const data = isObject(error.data) ? error.data : {};
  const name = typeof data.name === 'string' ? data.name : 'unknown';
  const message =
    typeof data.message === 'string' && data.message !== ''
      ? data.message
      : typeof error.message === 'string'
        ? error.message
        : `Odoo answered ${what} with error code ${code}.`;
  return new OdooError(name, message, code);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function preview(body: string): string {
  const text = body.replace(/\s+/g, ' ').trim();
  return text === '' ? '(an empty body)' : JSON.stringify(text.length > 120 ? `${text.slice(0, 120)}…` : text);
}
