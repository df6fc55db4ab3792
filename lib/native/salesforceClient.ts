/**
 * The only code that speaks Salesforce REST, shared by the CRM subgraph's
 * connectors and the workflow subgraph's. It knows the protocol (OAuth2
 * password grant, SOQL with queryMore, Bulk API 2.0 query jobs, SObject
 * Collections, sObject writes, Approval Processes, Change Data Capture over
 * the Streaming API in salesforceStreaming.ts) and
 * nothing of GraphQL, so the same client runs against a real org or the
 * emulator: only the login URL and credentials differ.
 *
 * Failures come out as two kinds:
 * - `SalesforceError`: Salesforce answered with its error array
 *   (`[{message, errorCode, fields}]`) or an OAuth error; the call was refused.
 * - `SalesforceUnavailableError`: no usable answer at all (connection refused,
 *   timeout, a 5xx, or a body that is not Salesforce JSON).
 */
import http from 'node:http';
import https from 'node:https';
import { gunzipSync } from 'node:zlib';
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
import { UNOBSERVED, type NativeCallLabel, type NativeCallObserver } from '../observability/nativeCalls.js';
import { salesforceObjectOf } from '../observability/salesforceLabels.js';
import { parseCsv } from './csv.js';
import { SalesforceError, SalesforceUnavailableError } from './salesforceErrors.js';
import { ChangeStream, type ChangeEventBatch } from './salesforceStreaming.js';

export { SalesforceError, SalesforceUnavailableError } from './salesforceErrors.js';
export { ChangeStreamGapError, type ChangeEventBatch, type ChangeEventHeader } from './salesforceStreaming.js';

export interface SalesforceClientOptions {
  /** Where OAuth tokens are requested, e.g. https://login.salesforce.com. */
  loginUrl: string;
  /** REST API version without the `v`, e.g. `60.0`. */
  apiVersion: string;
  clientId: string;
  clientSecret: string;
  username: string;
  password: string;
  /** Time allowed for one HTTP exchange, in milliseconds. Defaults to 30 000. */
  timeoutMs?: number;
  /** Sockets kept per origin; keep-alive spares a TLS handshake per call. Defaults to 16. */
  maxSockets?: number;
  /** Retries of reads and the circuit breaker. Defaults to DEFAULT_SALESFORCE_RESILIENCE. */
  resilience?: ResilienceSettings;
  /** Bulk API 2.0 query jobs: the wait after the first poll that finds a job still running; it doubles each time. Defaults to 250. */
  bulkPollDelayMs?: number;
  /** The longest wait between two polls of a Bulk API 2.0 query job. Defaults to 4 000. */
  bulkPollMaxDelayMs?: number;
  /** How long a Bulk API 2.0 query job may run before it is aborted and the read fails. Defaults to 300 000. */
  bulkQueryTimeoutMs?: number;
  /** Counts, times and logs each HTTP exchange, and sends the request id (lib/observability). Defaults to none. */
  observer?: NativeCallObserver;
  /**
   * The client name each call gives in `Sforce-Call-Options`, which the change events of its writes carry
   * in `changeOrigin`: a writer that names its writes can wait for their events. Defaults to CALL_OPTIONS_CLIENT.
   */
  callOptionsClient?: () => string;
}

/** How messages and the circuit breaker name Salesforce. */
export const SALESFORCE_SYSTEM_LABEL = 'CRM (Salesforce)';

// The catalog's defaults (lib/config/catalog.ts), for clients built without settings (scripts, tests).
export const DEFAULT_SALESFORCE_RESILIENCE: ResilienceSettings = readResilienceSettings(readSettings({}), 'SALESFORCE');

/**
 * Calls that only read (SOQL pages, SObject Collections retrieve, sObject GET),
 * so a failed one may be sent again. Creates, updates and upserts are sent once:
 * a write whose answer was lost may well have happened.
 */
export const SALESFORCE_READ_KINDS: ReadonlySet<string> = new Set([
  'query',
  'queryMore',
  'composite_read',
  'retrieve',
  'describe',
  'limits',
  // A Bulk API 2.0 query job only reads; creating it twice costs a job, never a duplicate record.
  'bulkQuery.create',
  'bulkQuery.status',
  'bulkQuery.results',
]);

// Private: a refusal (bad field, missing record) says nothing about Salesforce's
// health; the daily API limit does, but waiting seconds will not lift it, so it
// opens the breaker sooner and is never retried.
function classifySalesforceFailure(error: unknown): FailureClass {
  if (error instanceof SalesforceUnavailableError) return { systemFailure: true, retryable: true, retryAfterMs: error.retryAfterMs };
  if (error instanceof SalesforceError && error.errorCode === 'REQUEST_LIMIT_EXCEEDED') return { systemFailure: true, retryable: false };
  return { systemFailure: false, retryable: false };
}

/** The last `Sforce-Limit-Info` header seen, e.g. `api-usage=25/15000`. */
export interface SalesforceLimitInfo {
  raw: string;
  /** API calls used in the last 24 hours, when the header reported them. */
  used: number | null;
  max: number | null;
  receivedAt: Date;
}

/** Native calls this client made, by kind (`oauth.token`, `query`, `queryMore`, `composite_read`, …). */
export interface SalesforceCallStats {
  total: number;
  calls: Record<string, number>;
}

export interface QueryResult<T> {
  totalSize: number;
  done: boolean;
  nextRecordsUrl?: string;
  records: T[];
}

/**
 * One row of a Bulk API 2.0 query result, by CSV column: fields named as in the
 * SOQL (`CampaignId`, `Contact.Account.ERP_Customer_Number__c`), values as text,
 * null for an empty value (Bulk CSV writes null and '' alike; Salesforce stores '' as null).
 */
export type BulkQueryRow = Record<string, string | null>;

/** The fields of a Bulk API 2.0 query job's info that the client reads. */
interface BulkQueryJobInfo {
  id?: unknown;
  state?: unknown;
  errorMessage?: unknown;
}

interface CsvAnswer {
  text: string;
  headers: http.IncomingHttpHeaders;
}

/** A record as Salesforce returns it: `attributes` plus the selected fields. */
export type SObjectRecord = { attributes?: { type: string; url: string } } & Record<string, unknown>;

/** One request to the Approval Processes resource. */
export interface ApprovalAction {
  actionType: 'Approve' | 'Reject' | 'Removed';
  /** The work item (`ProcessInstanceWorkitem`) to decide. */
  contextId: string;
  comments?: string;
}

export interface SaveResult {
  id: string;
  success: boolean;
  created?: boolean;
}

interface Session {
  accessToken: string;
  instanceUrl: string;
}

interface HttpAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** The client name this product's calls give Salesforce in `Sforce-Call-Options`. */
export const CALL_OPTIONS_CLIENT = 'erp-crm-graph';

/** SObject Collections retrieve takes at most this many ids per call. */
export const COMPOSITE_READ_MAX_IDS = 2000;

const NAME = /^[A-Za-z][A-Za-z0-9_]*$/;

function assertName(kind: string, value: string): void {
  if (!NAME.test(value)) {
    throw new TypeError(`Expected ${kind} to be a Salesforce API name such as Account or ERP_Customer_Number__c, but got ${JSON.stringify(value)}.`);
  }
}

export class SalesforceClient {
  private readonly loginUrl: URL;
  private readonly dataPath: string;
  private readonly timeoutMs: number;
  private readonly httpAgent: http.Agent;
  private readonly httpsAgent: https.Agent;
  private readonly policy: NativeCallPolicy;
  private session: Promise<Session> | null = null;
  private limitInfo: SalesforceLimitInfo | null = null;
  private readonly counts = new Map<string, number>();
  /** The sObject of each `nextRecordsUrl` being followed: a locator does not name it, and metrics and logs do. */
  private readonly pagedObjects = new Map<string, string>();
  // The sObject of each Bulk API job in flight, by job id: its URLs name only the job.
  private readonly bulkJobObjects = new Map<string, string>();
  private closed = false;
  private changeStream: ChangeStream | null = null;

  constructor(private readonly options: SalesforceClientOptions) {
    this.loginUrl = new URL(options.loginUrl);
    if (!/^\d+\.\d$/.test(options.apiVersion)) {
      throw new TypeError(`Expected apiVersion such as "60.0", but got ${JSON.stringify(options.apiVersion)}.`);
    }
    this.dataPath = `/services/data/v${options.apiVersion}`;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    const maxSockets = options.maxSockets ?? 16;
    this.httpAgent = new http.Agent({ keepAlive: true, maxSockets });
    this.httpsAgent = new https.Agent({ keepAlive: true, maxSockets });
    this.policy = createNativeCallPolicy({
      systemLabel: SALESFORCE_SYSTEM_LABEL,
      settings: options.resilience ?? DEFAULT_SALESFORCE_RESILIENCE,
      classify: classifySalesforceFailure,
    });
  }

  /** The circuit breaker's state, for health checks. */
  breaker(): BreakerSnapshot {
    return this.policy.snapshot();
  }

  /**
   * Lists the REST API versions (`GET /services/data/`: no login, and not
   * counted against the daily API allocation), bypassing the circuit breaker,
   * for health checks. Resolves to the newest version served.
   */
  async ping(timeoutMs = this.timeoutMs): Promise<string> {
    const url = new URL('/services/data/', this.loginUrl);
    const answer = await this.sendObserved({ object: 'versions', method: 'list' }, 'GET', url, { accept: 'application/json' }, undefined, timeoutMs);
    const versions = this.interpret<{ version?: unknown }[]>(answer, 'GET /services/data/');
    const newest = Array.isArray(versions) ? versions.at(-1)?.version : undefined;
    if (typeof newest !== 'string')
      throw new SalesforceUnavailableError(`Expected Salesforce to list its API versions at ${url.href}, but got ${JSON.stringify(versions)?.slice(0, 200)}.`);
    return newest;
  }

  /** The last `Sforce-Limit-Info` Salesforce reported; null until the first API answer. */
  get lastLimitInfo(): SalesforceLimitInfo | null {
    return this.limitInfo;
  }

  callStats(): SalesforceCallStats {
    const calls = Object.fromEntries([...this.counts.entries()].sort(([a], [b]) => a.localeCompare(b)));
    return { total: [...this.counts.values()].reduce((s, n) => s + n, 0), calls };
  }

  resetCallStats(): void {
    this.counts.clear();
  }

  /** Runs a SOQL query and follows `nextRecordsUrl` until Salesforce says `done`. */
  async query<T extends SObjectRecord = SObjectRecord>(soql: string): Promise<T[]> {
    const page = this.checkPage(await this.api<QueryResult<T>>('query', 'GET', `${this.dataPath}/query?q=${encodeURIComponent(soql)}`));
    if (page.done) return page.records;
    return [...page.records, ...(await this.remainingRecords(page, salesforceObjectOf(`?q=${encodeURIComponent(soql)}`)))];
  }

  /**
   * The records after `page` of a query result, following `nextRecordsUrl` until Salesforce says `done`:
   * the pages of a query, or of a parent-to-child subquery's result nested in a record, which Salesforce
   * also cuts into pages when it is long. `object` names the records' sObject for metrics and logs.
   */
  async remainingRecords<T extends SObjectRecord = SObjectRecord>(page: QueryResult<T>, object: string): Promise<T[]> {
    const records: T[] = [];
    while (!page.done) {
      if (!page.nextRecordsUrl) {
        throw new SalesforceUnavailableError(
          'Salesforce answered a query page with done=false but no nextRecordsUrl, so the rest of the result cannot be fetched.',
        );
      }
      const next = page.nextRecordsUrl;
      this.pagedObjects.set(next, object);
      page = this.checkPage(await this.api<QueryResult<T>>('queryMore', 'GET', next).finally(() => this.pagedObjects.delete(next)));
      records.push(...page.records);
    }
    return records;
  }

  /**
   * Runs SOQL as a Bulk API 2.0 query job and reads every record, for
   * extractions that outgrow REST: a REST query answers at most 2,000 rows per
   * call and an aggregate at most 2,000 groups in all, while a job answers any
   * number of rows in a fixed number of calls:
   *
   * 1. `POST /jobs/query` creates the job;
   * 2. `GET /jobs/query/{id}` polls its state, at once and then after
   *    `bulkPollDelayMs`, doubling up to `bulkPollMaxDelayMs`, until JobComplete
   *    (a job still running after `bulkQueryTimeoutMs` is aborted and the read fails);
   * 3. `GET /jobs/query/{id}/results` reads the CSV, following `Sforce-Locator`
   *    only when Salesforce splits the results into several sets.
   *
   * So three calls when the job is complete at the first poll, plus one per
   * further poll and per further result set. Bulk API 2.0 runs no aggregates,
   * GROUP BY, OFFSET or parent-to-child subqueries; child-to-parent paths are fine.
   */
  async bulkQuery(soql: string): Promise<BulkQueryRow[]> {
    const jobs = `${this.dataPath}/jobs/query`;
    const job = await this.api<BulkQueryJobInfo>('bulkQuery.create', 'POST', jobs, {
      operation: 'query',
      query: soql,
      contentType: 'CSV',
      columnDelimiter: 'COMMA',
      lineEnding: 'LF',
    });
    if (typeof job?.id !== 'string' || !/^[A-Za-z0-9]{15,18}$/.test(job.id)) {
      throw new SalesforceUnavailableError(
        `Expected Salesforce to answer a new Bulk API 2.0 query job with its id, but got ${JSON.stringify(job)?.slice(0, 200)}.`,
      );
    }
    this.bulkJobObjects.set(job.id, salesforceObjectOf(`?q=${encodeURIComponent(soql)}`));
    try {
      return await this.bulkQueryResults(jobs, job.id);
    } finally {
      this.bulkJobObjects.delete(job.id);
    }
  }

  // Private: the metric label's object: a followed page's or a Bulk API job's sObject, `process` for Approval Processes, else from the path.
  private labelObject(pathAndQuery: string, body: unknown): string {
    if (pathAndQuery.includes('/process/approvals')) return 'process';
    return this.pagedObjects.get(pathAndQuery) ?? this.bulkJobObject(pathAndQuery, body) ?? salesforceObjectOf(pathAndQuery);
  }

  // Private: the metric label's sObject for a Bulk API call: the query's, from the job's body or id.
  private bulkJobObject(pathAndQuery: string, body: unknown): string | undefined {
    const query = (body as { query?: unknown } | undefined)?.query;
    if (typeof query === 'string' && /\/jobs\/query$/.test(pathAndQuery)) return salesforceObjectOf(`?q=${encodeURIComponent(query)}`);
    const id = /\/jobs\/query\/([A-Za-z0-9]+)/.exec(pathAndQuery)?.[1];
    return id === undefined ? undefined : this.bulkJobObjects.get(id);
  }

  // Private: waits for the job, then reads every result set.
  private async bulkQueryResults(jobs: string, jobId: string): Promise<BulkQueryRow[]> {
    await this.awaitBulkQueryJob(jobId);
    const rows: BulkQueryRow[] = [];
    let locator: string | null = null;
    do {
      const answer: CsvAnswer = await this.api<CsvAnswer>(
        'bulkQuery.results',
        'GET',
        `${jobs}/${jobId}/results${locator ? `?locator=${encodeURIComponent(locator)}` : ''}`,
        undefined,
        'csv',
      );
      rows.push(...csvRecords(answer.text, `the results of Bulk API 2.0 query job ${jobId}`));
      const next = answer.headers['sforce-locator'];
      // The last set says so with the string "null".
      locator = typeof next === 'string' && next !== '' && next !== 'null' ? next : null;
    } while (locator !== null);
    return rows;
  }

  /**
   * Reads records by id through SObject Collections (POST, so no URL-length
   * limit). Results are in input order with null for ids Salesforce does not
   * return; more than 2 000 ids are split into several calls.
   */
  async retrieve<T extends SObjectRecord = SObjectRecord>(sobject: string, ids: readonly string[], fields: readonly string[]): Promise<(T | null)[]> {
    assertName('an sObject name', sobject);
    for (const f of fields) assertName('a field name', f);
    if (ids.length === 0) return [];
    const chunks: string[][] = [];
    for (let i = 0; i < ids.length; i += COMPOSITE_READ_MAX_IDS) chunks.push(ids.slice(i, i + COMPOSITE_READ_MAX_IDS));
    const answers = await Promise.all(
      chunks.map(async (chunk) => {
        const rows = await this.api<(T | null)[]>('composite_read', 'POST', `${this.dataPath}/composite/sobjects/${sobject}`, { ids: chunk, fields });
        if (!Array.isArray(rows) || rows.length !== chunk.length) {
          throw new SalesforceUnavailableError(
            `Expected Salesforce to answer a batch read of ${chunk.length} ${sobject} ids with an array of ${chunk.length} entries, but got ${Array.isArray(rows) ? `${rows.length} entries` : typeof rows}.`,
          );
        }
        return rows;
      }),
    );
    return answers.flat();
  }

  async create(sobject: string, fields: Record<string, unknown>): Promise<SaveResult> {
    assertName('an sObject name', sobject);
    return this.api<SaveResult>('create', 'POST', `${this.dataPath}/sobjects/${sobject}`, fields);
  }

  async update(sobject: string, id: string, fields: Record<string, unknown>): Promise<void> {
    assertName('an sObject name', sobject);
    if (!/^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$/.test(id)) {
      throw new TypeError(`Expected a 15- or 18-character Salesforce id to update, but got ${JSON.stringify(id)}.`);
    }
    await this.api<unknown>('update', 'PATCH', `${this.dataPath}/sobjects/${sobject}/${id}`, fields);
  }

  /**
   * Creates or updates the record whose external id field holds `value`.
   * Salesforce answers 300 when several records hold it; that arrives as a
   * SalesforceError with errorCode MULTIPLE_CHOICES.
   */
  async upsert(sobject: string, externalIdField: string, value: string, fields: Record<string, unknown>): Promise<SaveResult> {
    assertName('an sObject name', sobject);
    assertName('an external id field', externalIdField);
    const answer = await this.api<SaveResult | undefined>(
      'upsert',
      'PATCH',
      `${this.dataPath}/sobjects/${sobject}/${externalIdField}/${encodeURIComponent(value)}`,
      fields,
    );
    // Before API v46 an update answered 204 without a body.
    return answer ?? { id: '', success: true, created: false };
  }

  /**
   * `POST /process/approvals/`: approves or rejects work items (or removes
   * them); Salesforce answers one result per request. A write: sent once.
   */
  async processApprovals(requests: ApprovalAction[]): Promise<Record<string, unknown>[]> {
    return this.api<Record<string, unknown>[]>('approvals', 'POST', `${this.dataPath}/process/approvals/`, { requests });
  }

  /** Disconnects the change stream's client and frees the keep-alive sockets; the client must not be used afterwards. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.changeStream?.disconnect();
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }

  // --- Private -------------------------------------------------------------

  /**
   * The Change Data Capture events after `replayId` (-1: only new ones; -2: every retained one), waiting
   * up to `waitMs` for one, over the Streaming API (Bayeux long polling at /cometd/NN.0; see
   * salesforceStreaming.ts). Streaming is not a REST call, so it bypasses the circuit breaker and the
   * call counts. Throws ChangeStreamGapError when Salesforce cannot continue from `replayId`.
   */
  changeEvents(replayId: number, waitMs: number): Promise<ChangeEventBatch> {
    if (this.closed) return Promise.reject(new SalesforceUnavailableError('The Salesforce client was closed; no further calls can be made.'));
    this.changeStream ??= new ChangeStream({
      apiVersion: this.options.apiVersion,
      timeoutMs: this.timeoutMs,
      session: () => this.authenticate(),
      forgetSession: (refused) => this.forgetSession(refused),
      post: (url, headers, payload, timeoutMs) => this.send('POST', url, headers, payload, timeoutMs),
    });
    return this.changeStream.changeEvents(replayId, waitMs);
  }

  private checkPage<T>(page: QueryResult<T>): QueryResult<T> {
    if (page === null || typeof page !== 'object' || !Array.isArray(page.records) || typeof page.done !== 'boolean') {
      throw new SalesforceUnavailableError(`Expected a Salesforce query result {totalSize, done, records}, but got ${JSON.stringify(page)?.slice(0, 200)}.`);
    }
    return page;
  }

  /** Polls a Bulk API 2.0 query job until it is JobComplete; fails for Failed, Aborted or a job that runs too long. */
  private async awaitBulkQueryJob(id: string): Promise<void> {
    const path = `${this.dataPath}/jobs/query/${id}`;
    const timeoutMs = this.options.bulkQueryTimeoutMs ?? 300_000;
    const deadline = Date.now() + timeoutMs;
    let delay = this.options.bulkPollDelayMs ?? 250;
    for (;;) {
      const info = await this.api<BulkQueryJobInfo>('bulkQuery.status', 'GET', path);
      const state = info?.state;
      if (state === 'JobComplete') return;
      if (state === 'Failed' || state === 'Aborted') {
        const reason = typeof info.errorMessage === 'string' && info.errorMessage !== '' ? info.errorMessage : 'Salesforce gave no reason';
        throw new SalesforceError(
          400,
          state === 'Failed' ? 'BULK_QUERY_FAILED' : 'BULK_QUERY_ABORTED',
          `Bulk API 2.0 query job ${id} ended ${state} instead of JobComplete: ${reason}.`,
        );
      }
      if (state !== 'UploadComplete' && state !== 'InProgress') {
        throw new SalesforceUnavailableError(
          `Expected a Bulk API 2.0 query job state (UploadComplete, InProgress, JobComplete, Failed or Aborted) for job ${id}, but got ${JSON.stringify(state)}.`,
        );
      }
      if (Date.now() + delay > deadline) {
        // Best effort: nobody will read this job, so it should not keep using the org's resources.
        await this.api('bulkQuery.abort', 'PATCH', path, { state: 'Aborted' }).catch(() => undefined);
        throw new SalesforceUnavailableError(`Bulk API 2.0 query job ${id} was still ${state} after ${timeoutMs} ms, so it was aborted.`);
      }
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, this.options.bulkPollMaxDelayMs ?? 4_000);
    }
  }

  private count(kind: string): void {
    this.counts.set(kind, (this.counts.get(kind) ?? 0) + 1);
  }

  /** An authenticated REST call; on a stale session it logs in again once and retries. */
  private async api<T>(kind: string, method: string, pathAndQuery: string, body?: unknown, as: 'json' | 'csv' = 'json'): Promise<T> {
    if (this.closed) throw new SalesforceUnavailableError('The Salesforce client was closed; no further calls can be made.');
    return this.policy.run(() => this.apiOnce<T>(kind, method, pathAndQuery, body, as), { idempotent: method === 'GET' || SALESFORCE_READ_KINDS.has(kind) });
  }

  private async apiOnce<T>(kind: string, method: string, pathAndQuery: string, body?: unknown, as: 'json' | 'csv' = 'json'): Promise<T> {
    const session = await this.authenticate();
    try {
      return await this.apiWith<T>(session, kind, method, pathAndQuery, body, as);
    } catch (error) {
      if (!(error instanceof SalesforceError && error.status === 401 && error.errorCode === 'INVALID_SESSION_ID')) throw error;
      await this.forgetSession(session);
      return this.apiWith<T>(await this.authenticate(), kind, method, pathAndQuery, body, as);
    }
  }

  /** One authenticated call; `as: 'csv'` asks for (gzip-compressed) CSV and answers `{text, headers}` on success. */
  private async apiWith<T>(session: Session, kind: string, method: string, pathAndQuery: string, body?: unknown, as: 'json' | 'csv' = 'json'): Promise<T> {
    const url = new URL(pathAndQuery, session.instanceUrl);
    const headers: Record<string, string> = {
      authorization: `Bearer ${session.accessToken}`,
      // Change events of our writes carry it in `changeOrigin` (`…;client=erp-crm-graph`), so they can be told apart.
      'sforce-call-options': `client=${this.options.callOptionsClient?.() ?? CALL_OPTIONS_CLIENT}`,
      ...(as === 'csv' ? { accept: 'text/csv', 'accept-encoding': 'gzip' } : { accept: 'application/json' }),
    };
    let payload: string | undefined;
    if (body !== undefined) {
      payload = JSON.stringify(body);
      headers['content-type'] = 'application/json';
    }
    this.count(kind);
    const answer = await this.sendObserved({ object: this.labelObject(pathAndQuery, body), method: kind }, method, url, headers, payload);
    const limit = answer.headers['sforce-limit-info'];
    if (typeof limit === 'string') this.limitInfo = parseLimitInfo(limit);
    if (as === 'csv' && answer.status === 200) return { text: answer.body, headers: answer.headers } as T;
    return this.interpret<T>(answer, `${method} ${url.pathname}`);
  }

  /** Drops a session Salesforce refused. Only the first caller to see the stale token drops it, so concurrent failures share one new login. */
  private async forgetSession(refused: Session): Promise<void> {
    if (this.session && (await this.session.catch(() => null)) === refused) this.session = null;
  }

  private authenticate(): Promise<Session> {
    if (!this.session) {
      const attempt = this.login();
      this.session = attempt;
      // A failed login must not be cached, or the client could never recover once Salesforce is back.
      attempt.catch(() => {
        if (this.session === attempt) this.session = null;
      });
    }
    return this.session;
  }

  private async login(): Promise<Session> {
    const url = new URL('/services/oauth2/token', this.loginUrl);
    const form = new URLSearchParams({
      grant_type: 'password',
      client_id: this.options.clientId,
      client_secret: this.options.clientSecret,
      username: this.options.username,
      password: this.options.password,
    }).toString();
    this.count('oauth.token');
    const answer = await this.sendObserved(
      { object: 'oauth', method: 'token' },
      'POST',
      url,
      { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      form,
    );
    const token = this.interpret<{ access_token?: unknown; instance_url?: unknown }>(answer, 'POST /services/oauth2/token');
    if (typeof token?.access_token !== 'string' || token.access_token === '') {
      throw new SalesforceUnavailableError(
        `Expected the Salesforce token endpoint to answer with an access_token, but got ${JSON.stringify(token)?.slice(0, 200)}.`,
      );
    }
    const instanceUrl = typeof token.instance_url === 'string' && token.instance_url !== '' ? token.instance_url : this.loginUrl.origin;
    return { accessToken: token.access_token, instanceUrl };
  }

  /** Turns an HTTP answer into a value or the matching error. */
  private interpret<T>(answer: HttpAnswer, what: string): T {
    const { status } = answer;
    if (status === 204 || (status >= 200 && status < 300 && answer.body === '')) return undefined as T;
    let parsed: unknown;
    try {
      parsed = JSON.parse(answer.body);
    } catch {
      const type = answer.headers['content-type'] ?? 'no content type';
      throw new SalesforceUnavailableError(
        `Salesforce answered ${what} with HTTP ${status} and a body that is not JSON (${type}): ${JSON.stringify(answer.body.slice(0, 200))}.`,
      );
    }
    if (status >= 200 && status < 300) return parsed as T;
    const error = salesforceErrorFrom(status, parsed);
    // 429 comes from a proxy or Salesforce's concurrency guard, not from the org's daily allocation (that is a 403): wait and try again.
    if (status >= 500 || status === 429) {
      throw new SalesforceUnavailableError(`Salesforce failed ${what} with HTTP ${status}${error ? ` ${error.errorCode}: ${error.message}` : ''}.`, {
        cause: error,
        retryAfterMs: retryAfterMs(answer.headers['retry-after']),
      });
    }
    if (error) throw error;
    if (status === 300) {
      throw new SalesforceError(300, 'MULTIPLE_CHOICES', `Several records match ${what}: ${JSON.stringify(parsed).slice(0, 300)}.`);
    }
    throw new SalesforceUnavailableError(`Salesforce answered ${what} with HTTP ${status} and no error description: ${JSON.stringify(parsed).slice(0, 200)}.`);
  }

  /** `send`, counted, timed and logged as `label`, with the request id (and traceparent) added to the headers. */
  private sendObserved(
    label: NativeCallLabel,
    method: string,
    url: URL,
    headers: Record<string, string>,
    payload?: string,
    timeoutMs = this.timeoutMs,
  ): Promise<HttpAnswer> {
    return (this.options.observer ?? UNOBSERVED).call(label, async (exchange) => {
      const answer = await this.send(method, url, { ...headers, ...exchange.headers }, payload, timeoutMs);
      exchange.status = answer.status;
      return answer;
    });
  }

  private send(method: string, url: URL, headers: Record<string, string>, payload?: string, timeoutMs = this.timeoutMs): Promise<HttpAnswer> {
    const secure = url.protocol === 'https:';
    const transport = secure ? https : http;
    const agent = secure ? this.httpsAgent : this.httpAgent;
    const allHeaders = payload === undefined ? headers : { ...headers, 'content-length': String(Buffer.byteLength(payload)) };
    return new Promise<HttpAnswer>((resolve, reject) => {
      const fail = (detail: string, cause?: unknown) =>
        reject(new SalesforceUnavailableError(`Salesforce at ${url.origin} did not answer ${method} ${url.pathname}: ${detail}.`, { cause }));
      const req = transport.request(url, { method, headers: allHeaders, agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          clearTimeout(timer);
          let raw = Buffer.concat(chunks);
          if (res.headers['content-encoding'] === 'gzip') {
            try {
              raw = gunzipSync(raw);
            } catch (error) {
              fail(`the gzip-compressed answer could not be inflated (${(error as Error).message})`, error);
              return;
            }
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: raw.toString('utf8') });
        });
        res.on('error', (error) => {
          clearTimeout(timer);
          fail(`the answer broke off (${error.message})`, error);
        });
      });
      const timer = setTimeout(() => {
        req.destroy(new Error(`timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      req.on('error', (error: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        fail(error.code ? `${error.code} (${error.message})` : error.message, error);
      });
      req.end(payload);
    });
  }
}

/** Bulk API 2.0 CSV results as rows keyed by the header's column names. */
function csvRecords(text: string, what: string): BulkQueryRow[] {
  const [header, ...lines] = parseCsv(text);
  if (!header) return [];
  return lines.map((values, i) => {
    if (values.length !== header.length) {
      throw new SalesforceUnavailableError(`Expected ${header.length} values on line ${i + 2} of ${what}, as its header has, but got ${values.length}.`);
    }
    const row: BulkQueryRow = {};
    header.forEach((name, j) => (row[name] = values[j] === '' ? null : values[j]!));
    return row;
  });
}

/** Salesforce's error array, or an OAuth `{error, error_description}`, as one SalesforceError. */
function salesforceErrorFrom(status: number, body: unknown): SalesforceError | null {
  const first = Array.isArray(body) ? body[0] : body;
  if (first && typeof first === 'object') {
    const e = first as { errorCode?: unknown; message?: unknown; fields?: unknown; error?: unknown; error_description?: unknown };
    if (typeof e.errorCode === 'string') {
      const fields = Array.isArray(e.fields) ? e.fields.filter((f): f is string => typeof f === 'string') : [];
      const others = Array.isArray(body) && body.length > 1 ? ` (and ${body.length - 1} more error(s))` : '';
      return new SalesforceError(status, e.errorCode, `${typeof e.message === 'string' ? e.message : 'no message'}${others}`, fields);
    }
    if (typeof e.error === 'string') {
      return new SalesforceError(status, e.error, typeof e.error_description === 'string' ? e.error_description : 'no description');
    }
  }
  return null;
}

export function parseLimitInfo(raw: string): SalesforceLimitInfo {
  const match = /api-usage=(\d+)\/(\d+)/.exec(raw);
  return { raw, used: match ? Number(match[1]) : null, max: match ? Number(match[2]) : null, receivedAt: new Date() };
}
