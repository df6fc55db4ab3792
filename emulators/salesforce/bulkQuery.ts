/**
 * Bulk API 2.0 query jobs (`/services/data/vNN.0/jobs/query`), as documented in
 * the Bulk API 2.0 Developer Guide ("Query Jobs"):
 *
 *   POST   /jobs/query                 {operation, query, columnDelimiter?, lineEnding?} -> job info, state UploadComplete
 *   GET    /jobs/query                 all query jobs: {done, records, nextRecordsUrl}
 *   GET    /jobs/query/{id}            job info; state UploadComplete -> InProgress -> JobComplete (or Aborted)
 *   PATCH  /jobs/query/{id}            {"state": "Aborted"} aborts a job that has not finished
 *   DELETE /jobs/query/{id}            204
 *   GET    /jobs/query/{id}/results    CSV, ?locator=&maxRecords=; headers Sforce-Locator (`null` on the
 *                                      last set) and Sforce-NumberOfRecords
 *
 * The SOQL is checked when the job is created, with the same errors as the REST
 * query resource (MALFORMED_QUERY, INVALID_FIELD, INVALID_TYPE). Constructs Bulk
 * API 2.0 does not run (GROUP BY, aggregates, OFFSET, TYPEOF, parent-to-child
 * subqueries) are refused then too. The matching records are read once, when the
 * job is created, as the platform snapshots a query when it runs it. A job stays
 * InProgress for `processingMs` after it was created (0: complete on the first look).
 *
 * CSV as the platform writes it: a header of field names with relationship
 * fields as dotted paths (`Account.ERP_Customer_Number__c`), every value in
 * double quotes, null as an empty value, checkboxes as `true`/`false`,
 * datetimes as `2026-01-02T17:38:59.000Z`.
 *
 * Jobs live in memory (the platform keeps them for seven days); the newest 200 are kept.
 */
import { randomBytes } from 'node:crypto';
import { caseSafeSuffix } from '../seed/salesforceId.js';
import { SalesforceError } from './errors.js';
import type { Registry } from './metadata.js';
import type { QueryEngine } from './query.js';
import type { ShapeNode } from './soql.js';
import { formatDateTime } from './values.js';

export type BulkQueryState = 'UploadComplete' | 'InProgress' | 'JobComplete' | 'Failed' | 'Aborted';

const DELIMITERS = { COMMA: ',', TAB: '\t', PIPE: '|', SEMICOLON: ';', CARET: '^', BACKQUOTE: '`' } as const;
type ColumnDelimiter = keyof typeof DELIMITERS;
type LineEnding = 'LF' | 'CRLF';

const MAX_JOBS = 200;

interface Job {
  id: string;
  operation: 'query' | 'queryAll';
  object: string;
  createdById: string;
  createdAt: number;
  createdDate: string;
  apiVersion: string;
  lineEnding: LineEnding;
  columnDelimiter: ColumnDelimiter;
  aborted: boolean;
  abortedAt: number | null;
  /** When the job counts as done; until then it is InProgress. */
  completesAt: number;
  processingMs: number;
  columns: string[];
  /** Every record's values as CSV text, in query order. */
  rows: string[][];
}

export interface BulkQueryJobsOptions {
  /** How long a job stays InProgress after it is created. Defaults to 0. */
  processingMs?: number;
  /** Records per result set when the client gives no maxRecords. Defaults to 100 000. */
  resultSetRecords?: number;
}

/** The JSON a job resource answers. */
export type JobInfo = Record<string, unknown>;

export class BulkQueryJobs {
  private readonly jobs = new Map<string, Job>();
  processingMs: number;
  private readonly resultSetRecords: number;

  constructor(
    private readonly engine: QueryEngine,
    private readonly registry: Registry,
    private readonly clock: () => Date,
    options: BulkQueryJobsOptions = {},
  ) {
    this.processingMs = options.processingMs ?? 0;
    this.resultSetRecords = options.resultSetRecords ?? 100_000;
  }

  /** The sObject a job queries, for call accounting; undefined for an unknown job id. */
  objectOf(id: string): string | undefined {
    return this.jobs.get(id)?.object;
  }

  /**
   * Creates a job from the request body. `onObject` learns the queried sObject
   * as soon as it is known (before the SOQL is checked), so even a refused job
   * is counted under its object.
   */
  create(body: unknown, ctx: { userId: string; version: string }, onObject: (name: string) => void): JobInfo {
    if (!body || typeof body !== 'object' || Array.isArray(body)) throw invalidJob('Expected a JSON body {"operation": "query", "query": "SELECT ..."}.');
    const b = body as Record<string, unknown>;
    if (b.operation !== 'query' && b.operation !== 'queryAll') {
      throw invalidJob(`Invalid operation ${JSON.stringify(b.operation ?? null)}: a query job's operation is query or queryAll.`);
    }
    if (typeof b.query !== 'string' || b.query.trim() === '') throw invalidJob('The query field is required and must hold the SOQL to run.');
    if (b.contentType !== undefined && b.contentType !== 'CSV')
      throw invalidJob(`Invalid contentType ${JSON.stringify(b.contentType)}: only CSV is supported.`);
    const columnDelimiter = (b.columnDelimiter ?? 'COMMA') as ColumnDelimiter;
    if (typeof columnDelimiter !== 'string' || !(columnDelimiter in DELIMITERS)) {
      throw invalidJob(`Invalid columnDelimiter ${JSON.stringify(b.columnDelimiter)}: use one of ${Object.keys(DELIMITERS).join(', ')}.`);
    }
    const lineEnding = (b.lineEnding ?? 'LF') as LineEnding;
    if (lineEnding !== 'LF' && lineEnding !== 'CRLF') throw invalidJob(`Invalid lineEnding ${JSON.stringify(b.lineEnding)}: use LF or CRLF.`);

    const soql = b.query;
    const from = /\bfrom\s+([A-Za-z0-9_]+)/i.exec(soql)?.[1];
    if (from) onObject(this.registry.object(from)?.name ?? from);
    const started = Date.now();
    const { plan, rows } = this.engine.extract(soql, { includeDeleted: b.operation === 'queryAll' }, (plan) => {
      onObject(plan.object.name);
      if (plan.kind !== 'records')
        throw invalidJob('Bulk API 2.0 does not run aggregate queries: COUNT(), SUM() and other aggregate functions, and GROUP BY, are not supported.');
      if (plan.offset > 0) throw invalidJob('Bulk API 2.0 does not support OFFSET in a query job.');
      if (plan.children.length > 0) throw invalidJob('Bulk API 2.0 does not support parent-to-child relationship queries; query the child object instead.');
    });
    const columns = csvColumns(plan.shape);
    const now = this.clock();
    const job: Job = {
      id: newJobId(),
      operation: b.operation,
      object: plan.object.name,
      createdById: ctx.userId,
      createdAt: Date.now(),
      createdDate: formatDateTime(now),
      apiVersion: ctx.version,
      lineEnding,
      columnDelimiter,
      aborted: false,
      abortedAt: null,
      completesAt: Date.now() + this.processingMs,
      processingMs: Date.now() - started,
      columns: columns.map((c) => c.name),
      rows: rows.map((row) => columns.map((c) => c.text(row))),
    };
    this.jobs.set(job.id, job);
    while (this.jobs.size > MAX_JOBS) this.jobs.delete(this.jobs.keys().next().value!);
    return { ...this.baseInfo(job), state: 'UploadComplete' };
  }

  info(id: string): JobInfo {
    const job = this.require(id);
    const state = this.state(job);
    return {
      ...this.baseInfo(job),
      state,
      jobType: 'V2Query',
      numberRecordsProcessed: state === 'JobComplete' ? job.rows.length : 0,
      retries: 0,
      totalProcessingTime: state === 'JobComplete' ? job.processingMs : 0,
      isPkChunkingSupported: true,
    };
  }

  list(): { done: boolean; records: JobInfo[]; nextRecordsUrl: null } {
    return { done: true, records: [...this.jobs.keys()].map((id) => this.info(id)), nextRecordsUrl: null };
  }

  /** PATCH {"state": "Aborted"}: only a job still running can be aborted. */
  abort(id: string, body: unknown): JobInfo {
    const job = this.require(id);
    if ((body as { state?: unknown } | null)?.state !== 'Aborted') {
      throw invalidJob(`Expected a JSON body {"state": "Aborted"}: a query job can only be aborted, but got ${JSON.stringify(body)}.`);
    }
    const state = this.state(job);
    if (state !== 'UploadComplete' && state !== 'InProgress') {
      throw new SalesforceError(400, 'INVALIDJOBSTATE', `Job ${id} cannot be aborted: its state is ${state}.`);
    }
    job.aborted = true;
    job.abortedAt = Date.now();
    return this.info(id);
  }

  delete(id: string): void {
    const job = this.require(id);
    const state = this.state(job);
    if (state === 'UploadComplete' || state === 'InProgress') {
      throw new SalesforceError(400, 'INVALIDJOBSTATE', `Job ${id} is still running (${state}); abort it before deleting it.`);
    }
    this.jobs.delete(id);
  }

  /**
   * One set of results: `locator` (from the previous set's Sforce-Locator)
   * picks where it starts, `maxRecords` how many it may hold.
   */
  results(id: string, version: string, params: URLSearchParams): { csv: string; count: number; locator: string } {
    const job = this.require(id);
    if (job.apiVersion !== version) {
      throw new SalesforceError(
        409,
        'INVALIDJOB',
        `Job ${id} was created with API version ${job.apiVersion}; get its results with the same version, not ${version}.`,
      );
    }
    const state = this.state(job);
    if (state !== 'JobComplete') {
      throw new SalesforceError(
        412,
        'JOB_NOT_COMPLETE',
        `can only download query results of successfully completed bulk job with status: JOB_COMPLETE. Current status: ${state.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase()}`,
      );
    }
    const rawMax = params.get('maxRecords');
    const max = rawMax === null ? this.resultSetRecords : Number(rawMax);
    if (!Number.isInteger(max) || max < 1)
      throw new SalesforceError(400, 'INVALIDURL', `maxRecords must be a positive whole number, but got ${JSON.stringify(rawMax)}.`);
    const rawLocator = params.get('locator');
    const start = rawLocator === null ? 0 : decodeLocator(rawLocator);
    if (start === null || start > job.rows.length)
      throw new SalesforceError(400, 'INVALID_QUERY_LOCATOR', `The locator ${JSON.stringify(rawLocator)} does not belong to job ${id}.`);
    const rows = job.rows.slice(start, start + max);
    const end = start + rows.length;
    const delimiter = DELIMITERS[job.columnDelimiter];
    const eol = job.lineEnding === 'CRLF' ? '\r\n' : '\n';
    const line = (values: string[]) => values.map(quote).join(delimiter) + eol;
    const csv = line(job.columns) + rows.map(line).join('');
    return { csv, count: rows.length, locator: end < job.rows.length ? encodeLocator(end) : 'null' };
  }

  private state(job: Job): BulkQueryState {
    if (job.aborted) return 'Aborted';
    return Date.now() >= job.completesAt ? 'JobComplete' : 'InProgress';
  }

  private require(id: string): Job {
    const job = this.jobs.get(id);
    if (!job) throw new SalesforceError(404, 'NOT_FOUND', 'The requested resource does not exist');
    return job;
  }

  private baseInfo(job: Job): JobInfo {
    const modified = job.abortedAt ?? Math.min(Date.now(), job.completesAt);
    return {
      id: job.id,
      operation: job.operation,
      object: job.object,
      createdById: job.createdById,
      createdDate: job.createdDate,
      systemModstamp: formatDateTime(new Date(this.clock().getTime() - (Date.now() - modified))),
      concurrencyMode: 'Parallel',
      contentType: 'CSV',
      apiVersion: Number(job.apiVersion),
      lineEnding: job.lineEnding,
      columnDelimiter: job.columnDelimiter,
    };
  }
}

// --- Private: CSV --------------------------------------------------------------------------

/** The CSV columns of a query, in SELECT order: a parent's fields as dotted paths. */
function csvColumns(shape: ShapeNode): { name: string; text: (row: unknown[]) => string }[] {
  const out: { name: string; text: (row: unknown[]) => string }[] = [];
  const walk = (node: ShapeNode, prefix: string, present: (row: unknown[]) => boolean) => {
    for (const e of node.entries) {
      if (e.kind === 'field') {
        const col = e.col;
        const type = e.type;
        out.push({ name: prefix + e.key, text: (row) => (present(row) ? csvValue(type, row[col]) : '') });
      } else if (e.kind === 'parent') {
        const idCol = e.node.idCol;
        // A missing parent leaves each of its fields empty, however deep.
        walk(e.node, `${prefix}${e.key}.`, (row) => present(row) && row[idCol] !== null && row[idCol] !== undefined);
      }
    }
  };
  walk(shape, '', () => true);
  return out;
}

function csvValue(type: string, v: unknown): string {
  if (type === 'boolean') return v ? 'true' : 'false';
  if (v === null || v === undefined) return '';
  if (type === 'datetime' && typeof v === 'string') return v.replace(/\+0000$/, 'Z');
  return String(v);
}

function quote(value: string): string {
  return `"${value.replace(/"/g, '""')}"`;
}

/** Locators are opaque to clients; the platform's look like base64 of a row offset (`MTAwMDA` is 10000). */
function encodeLocator(offset: number): string {
  return Buffer.from(String(offset)).toString('base64').replace(/=+$/, '');
}

function decodeLocator(locator: string): number | null {
  const text = Buffer.from(locator, 'base64').toString('utf8');
  return /^\d+$/.test(text) ? Number(text) : null;
}

function newJobId(): string {
  const alphabet = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
  const id15 = `750${[...randomBytes(12)].map((b) => alphabet[b % 62]).join('')}`;
  return id15 + caseSafeSuffix(id15);
}

function invalidJob(message: string): SalesforceError {
  return new SalesforceError(400, 'INVALIDJOB', message);
}
