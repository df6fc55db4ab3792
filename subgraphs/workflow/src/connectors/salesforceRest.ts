/**
 * The workflow subgraph's own Salesforce REST client: OAuth 2.0 password grant,
 * SOQL `query`, sObject `PATCH` by id and upsert by external id, and the
 * Approval Processes resource (`POST /process/approvals/`). Like the Odoo
 * client it never retries a write: only a later read can tell whether a write
 * that got no answer happened.
 *
 * - `SalesforceRestError`: Salesforce refused the call (its `[{message, errorCode}]` array).
 * - `SalesforceUnreachableError`: no usable answer (connection refused, timeout, 5xx, not JSON).
 */

import { CircuitOpenError, createNativeCallPolicy, type BreakerSnapshot, type NativeCallPolicy, type ResilienceSettings } from '../../../../lib/resilience.js';
import { UNOBSERVED, type NativeCallObserver } from '../../../../lib/observability/nativeCalls.js';
import { salesforceObjectOf, salesforceRestLabel } from '../../../../lib/observability/salesforceLabels.js';

export interface SalesforceRestOptions {
  /** Retries of GETs and the circuit breaker (lib/resilience.ts). Defaults to no retries and a breaker after 5 failures. */
  resilience?: ResilienceSettings;
  loginUrl: string;
  apiVersion: string;
  clientId: string;
  clientSecret: string;
  username: string;
  password: string;
  /** Time allowed for one HTTP exchange, in ms. Defaults to 30 000. */
  timeoutMs?: number;
  /** Counts, times and logs each HTTP exchange, and sends the request id (lib/observability). Defaults to none. */
  observer?: NativeCallObserver;
}

export class SalesforceRestError extends Error {
  override readonly name = 'SalesforceRestError';
  constructor(
    readonly status: number,
    readonly errorCode: string,
    message: string,
  ) {
    super(message);
  }
}

export class SalesforceUnreachableError extends Error {
  override readonly name = 'SalesforceUnreachableError';
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, options);
  }
}

export type SObject = Record<string, unknown>;

interface Session {
  accessToken: string;
  instanceUrl: string;
}

const SALESFORCE_ID = /^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$/;
const API_NAME = /^[A-Za-z][A-Za-z0-9_]*$/;

export class SalesforceRest {
  private session: Promise<Session> | null = null;
  private readonly dataPath: string;

  private readonly policy: NativeCallPolicy;
  /** The sObject of each `nextRecordsUrl` being followed: a locator does not name it, and metrics and logs do. */
  private readonly pagedObjects = new Map<string, string>();

  constructor(private readonly options: SalesforceRestOptions) {
    this.dataPath = `/services/data/v${options.apiVersion}`;
    this.policy = createNativeCallPolicy({
      systemLabel: 'CRM (Salesforce)',
      settings: options.resilience ?? { retryAttempts: 1, retryBaseDelayMs: 0, retryMaxDelayMs: 0, breakerFailures: 5, breakerHalfOpenAfterMs: 30_000 },
      classify: (error) => {
        if (error instanceof SalesforceUnreachableError) return { systemFailure: true, retryable: true };
        // The daily API limit: the system is out of calls, and retrying would only burn more.
        if (error instanceof SalesforceRestError && error.errorCode === 'REQUEST_LIMIT_EXCEEDED') return { systemFailure: true, retryable: false };
        return { systemFailure: false, retryable: false };
      },
    });
  }

  /** Runs a SOQL query and follows `nextRecordsUrl` until `done`. */
  async query<T extends SObject = SObject>(soql: string): Promise<T[]> {
    type Page = { done: boolean; nextRecordsUrl?: string; records: T[] };
    let page = await this.call<Page>('GET', `${this.dataPath}/query?q=${encodeURIComponent(soql)}`);
    const records = [...page.records];
    while (!page.done && page.nextRecordsUrl) {
      const next = page.nextRecordsUrl;
      this.pagedObjects.set(next, salesforceObjectOf(`?q=${encodeURIComponent(soql)}`));
      page = await this.call<Page>('GET', next).finally(() => this.pagedObjects.delete(next));
      records.push(...page.records);
    }
    return records;
  }

  async create(sobject: string, fields: SObject): Promise<string> {
    if (!API_NAME.test(sobject)) throw new TypeError(`Expected an sObject API name such as Quote, but got ${JSON.stringify(sobject)}.`);
    const answer = await this.call<{ id: string }>('POST', `${this.dataPath}/sobjects/${sobject}`, fields);
    return answer.id;
  }

  async update(sobject: string, id: string, fields: SObject): Promise<void> {
    if (!API_NAME.test(sobject)) throw new TypeError(`Expected an sObject API name such as Quote, but got ${JSON.stringify(sobject)}.`);
    if (!SALESFORCE_ID.test(id)) throw new TypeError(`Expected a 15- or 18-character Salesforce id to update, but got ${JSON.stringify(id)}.`);
    await this.call<unknown>('PATCH', `${this.dataPath}/sobjects/${sobject}/${id}`, fields);
  }

  /** Upsert by external id: 201 `created: true`, 200 `created: false`; several matches arrive as a SalesforceRestError MULTIPLE_CHOICES. */
  async upsert(sobject: string, externalIdField: string, value: string, fields: SObject): Promise<{ id: string; created: boolean }> {
    if (!API_NAME.test(sobject) || !API_NAME.test(externalIdField)) {
      throw new TypeError(
        `Expected API names for the sObject and its external id field, but got ${JSON.stringify(sobject)} and ${JSON.stringify(externalIdField)}.`,
      );
    }
    const answer = await this.call<{ id?: string; created?: boolean } | undefined>(
      'PATCH',
      `${this.dataPath}/sobjects/${sobject}/${externalIdField}/${encodeURIComponent(value)}`,
      fields,
    );
    return { id: answer?.id ?? '', created: answer?.created ?? false };
  }

  /** `POST /process/approvals/`: approve or reject work items; answers one result per request. */
  async processApprovals(requests: { actionType: 'Approve' | 'Reject' | 'Removed'; contextId: string; comments?: string }[]): Promise<SObject[]> {
    return this.call<SObject[]>('POST', `${this.dataPath}/process/approvals/`, { requests });
  }

  // --- Private --------------------------------------------------------------

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    try {
      // GETs (queries) are retried; every call goes through the CRM's circuit breaker; writes are sent once.
      return await this.policy.run(() => this.callOnce<T>(method, path, body), { idempotent: method === 'GET' });
    } catch (error) {
      // An open circuit made no call; the workflows treat it like an unreachable CRM.
      if (error instanceof CircuitOpenError) throw new SalesforceUnreachableError(error.message, { cause: error });
      throw error;
    }
  }

  private async callOnce<T>(method: string, path: string, body?: unknown): Promise<T> {
    const session = await this.authenticate();
    try {
      return await this.send<T>(session, method, path, body);
    } catch (error) {
      if (!(error instanceof SalesforceRestError && error.status === 401)) throw error;
      // A stale session: log in once more and repeat. Safe for writes too, since a 401 means the call was not run.
      if (this.session && (await this.session.catch(() => null)) === session) this.session = null;
      return this.send<T>(await this.authenticate(), method, path, body);
    }
  }

  private async send<T>(session: Session, method: string, path: string, body?: unknown): Promise<T> {
    const url = new URL(path, session.instanceUrl);
    const headers: Record<string, string> = { authorization: `Bearer ${session.accessToken}`, accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const answer = await this.http(method, url, headers, body === undefined ? undefined : JSON.stringify(body));
    return this.interpret<T>(answer, `${method} ${url.pathname}`);
  }

  private authenticate(): Promise<Session> {
    if (!this.session) {
      const attempt = (async () => {
        const url = new URL('/services/oauth2/token', this.options.loginUrl);
        const form = new URLSearchParams({
          grant_type: 'password',
          client_id: this.options.clientId,
          client_secret: this.options.clientSecret,
          username: this.options.username,
          password: this.options.password,
        }).toString();
        const answer = await this.http('POST', url, { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' }, form);
        const token = this.interpret<{ access_token?: string; instance_url?: string }>(answer, 'POST /services/oauth2/token');
        if (!token?.access_token)
          throw new SalesforceUnreachableError(
            `Expected the Salesforce token endpoint to answer with an access_token, but got ${JSON.stringify(token).slice(0, 200)}.`,
          );
        return { accessToken: token.access_token, instanceUrl: token.instance_url || url.origin };
      })();
      this.session = attempt;
      attempt.catch(() => {
        if (this.session === attempt) this.session = null;
      });
    }
    return this.session;
  }

  /** The CRM circuit breaker's state, for metrics. */
  breaker(): BreakerSnapshot {
    return this.policy.snapshot();
  }

  /** `httpOnce`, counted, timed and logged (labelled from the path), with the request id (and traceparent) added. */
  private http(method: string, url: URL, headers: Record<string, string>, payload?: string): Promise<{ status: number; body: string }> {
    const path = `${url.pathname}${url.search}`;
    return (this.options.observer ?? UNOBSERVED).call(salesforceRestLabel(method, path, this.pagedObjects.get(path)), async (exchange) => {
      const answer = await this.httpOnce(method, url, { ...headers, ...exchange.headers }, payload);
      exchange.status = answer.status;
      return answer;
    });
  }

  private async httpOnce(method: string, url: URL, headers: Record<string, string>, payload?: string): Promise<{ status: number; body: string }> {
    const timeoutMs = this.options.timeoutMs ?? 30_000;
    try {
      const response = await fetch(url, { method, headers, body: payload, signal: AbortSignal.timeout(timeoutMs) });
      return { status: response.status, body: await response.text() };
    } catch (cause) {
      const detail =
        cause instanceof Error && cause.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : cause instanceof Error ? cause.message : String(cause);
      throw new SalesforceUnreachableError(`Salesforce at ${url.origin} did not answer ${method} ${url.pathname}: ${detail}.`, { cause });
    }
  }

  private interpret<T>(answer: { status: number; body: string }, what: string): T {
    const { status, body } = answer;
    if (status >= 200 && status < 300 && body === '') return undefined as T;
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      throw new SalesforceUnreachableError(
        `Salesforce answered ${what} with HTTP ${status} and a body that is not JSON: ${JSON.stringify(body.slice(0, 200))}.`,
      );
    }
    if (status >= 200 && status < 300) return parsed as T;
    const first = (Array.isArray(parsed) ? parsed[0] : parsed) as
      { errorCode?: string; message?: string; error?: string; error_description?: string } | undefined;
    const code = first?.errorCode ?? first?.error ?? (status === 300 ? 'MULTIPLE_CHOICES' : `HTTP_${status}`);
    const message = first?.message ?? first?.error_description ?? JSON.stringify(parsed).slice(0, 300);
    if (status >= 500) throw new SalesforceUnreachableError(`Salesforce failed ${what} with HTTP ${status} ${code}: ${message}`);
    throw new SalesforceRestError(status, code, `Salesforce refused ${what} with HTTP ${status} ${code}: ${message}`);
  }
}

/** The 18-character form of a Salesforce id (the case-safe suffix), so one record has one idempotency key. */
export function toId18(id: string): string {
  if (id.length === 18) return id;
  if (id.length !== 15) throw new TypeError(`Expected a 15- or 18-character Salesforce id, but got ${JSON.stringify(id)}.`);
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';
  let suffix = '';
  for (let block = 0; block < 3; block++) {
    let bits = 0;
    for (let i = 0; i < 5; i++) {
      const c = id[block * 5 + i]!;
      if (c >= 'A' && c <= 'Z') bits |= 1 << i;
    }
    suffix += alphabet[bits];
  }
  return id + suffix;
}

export function isSalesforceId(value: string): boolean {
  return SALESFORCE_ID.test(value);
}
