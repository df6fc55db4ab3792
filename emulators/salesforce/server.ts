/**
 * A Salesforce-compatible REST server over SQLite: OAuth 2.0 tokens, SOQL
 * query/queryAll with paging, Bulk API 2.0 query jobs (bulkQuery.ts), sObject
 * CRUD and upsert by external id, sObject Collections (batch read and write),
 * describe, limits, and the daily API
 * allocation reported in `Sforce-Limit-Info` on every response.
 *
 * Every REST call is counted as `<SObject>.<operation>` (see README.md) and
 * delayed by the configured latency, through emulators/common/diagnostics.ts.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import type Database from 'better-sqlite3';
import { handleDiagnostics, Latency, NativeCallCounter } from '../common/diagnostics.js';
import { FaultInjector, handleFaultDiagnostics, InjectedFault, type FaultRule } from '../common/faults.js';
import { BodyTooLargeError, readBody } from '../common/http.js';
import { normalizeSalesforceId } from '../seed/salesforceId.js';
import type { SeedSize } from '../seed/world.js';
import { ORG_ID, Sessions } from './auth.js';
import { ensureSchema, getMeta, openDatabase, quoteIdent } from './db.js';
import { describeBasic, describeGlobal, describeObject } from './describe.js';
import { jsonParserError, malformedQuery, notFound, SalesforceError } from './errors.js';
import { registry, type ObjectDef } from './metadata.js';
import { QueryEngine } from './query.js';
import { MultipleMatchesError, recordUrl, RecordStore, type WriteContext } from './records.js';
import { salesforceFaultTarget } from './faultTarget.js';
import { seedDatabase } from './seed.js';
import { ChangeEventLog, StreamingEndpoint } from './changeEvents.js';
import { Approvals, listApprovalProcesses, type ApprovalRequest } from './approvals.js';
import { BulkQueryJobs } from './bulkQuery.js';
import { parseDateTime } from './values.js';

export interface SalesforceEmulatorOptions {
  /** SQLite file; created (and seeded) when missing, reused as is otherwise. */
  dbPath: string;
  /** Seed size for a new database. Defaults to 'small'. */
  seedSize?: SeedSize;
  /** Defaults to 'erp-crm-graph'. */
  clientId?: string;
  /** Defaults to 'dev-secret'. */
  clientSecret?: string;
  /** The integration user's login. Defaults to 'integration@example.com'. */
  username?: string;
  /** Defaults to 'dev-password'. */
  password?: string;
  /** Delay before serving each API call. Defaults to 0. */
  latencyMs?: number;
  /** Faults injected from the start (see emulators/common/faults.ts). Defaults to none. */
  faults?: FaultRule[];
  /** API requests allowed per UTC day before 403 REQUEST_LIMIT_EXCEEDED. Defaults to 100000. */
  dailyApiLimit?: number;
  onSeedProgress?: (done: number, total: number, label: string) => void;
  /** The clock for TODAY-style date literals and record timestamps. Defaults to the real clock. */
  now?: () => Date;
  /** How long a Bulk API 2.0 query job stays InProgress after it is created. Defaults to 0 (complete on the first look). */
  bulkQueryProcessingMs?: number;
  /** Records per Bulk API 2.0 result set when the client sends no maxRecords. Defaults to 100 000. */
  bulkQueryResultSetRecords?: number;
  /** How long after a write its change event reaches subscribers, as the platform publishes them after the commit. Defaults to 0. */
  changeEventDelayMs?: number;
}

export interface SalesforceEmulator {
  url: string;
  port: number;
  db: Database.Database;
  calls: NativeCallCounter;
  latency: Latency;
  /** Injected faults, also set at runtime through `/__emulator/faults`. */
  faults: FaultInjector;
  /** Bulk API 2.0 query jobs; `bulkQueries.processingMs` can be changed at runtime. */
  bulkQueries: BulkQueryJobs;
  /** Change Data Capture; `changeEvents.publishDelayMs` can be changed at runtime. */
  changeEvents: ChangeEventLog;
  /** The seed size the database was created with (an existing file keeps its own). */
  seedSize: SeedSize;
  close(): Promise<void>;
}

export const DEFAULT_CREDENTIALS = {
  clientId: 'erp-crm-graph',
  clientSecret: 'dev-secret',
  username: 'integration@example.com',
  password: 'dev-password',
} as const;

/** Beyond this many characters the platform's front end answers 414 (about 800 ids in a composite GET). */
export const MAX_URL_LENGTH = 16384;
const MAX_RETRIEVE_IDS = 2000;
const MAX_COLLECTION_RECORDS = 200;
const LATEST_VERSION = 62;

/** Daily API allocation, reset at midnight UTC like the rolling 24-hour count it stands in for. */
class ApiUsage {
  private day = '';
  private used = 0;

  constructor(
    readonly max: number,
    private readonly clock: () => Date,
  ) {}

  private roll(): void {
    const day = this.clock().toISOString().slice(0, 10);
    if (day !== this.day) {
      this.day = day;
      this.used = 0;
    }
  }

  /** Takes one request from the allocation; false when it is used up. */
  take(): boolean {
    this.roll();
    if (this.used >= this.max) return false;
    this.used++;
    return true;
  }

  header(): string {
    this.roll();
    return `api-usage=${this.used}/${this.max}`;
  }

  remaining(): number {
    this.roll();
    return this.max - this.used;
  }
}

function releaseLabel(v: number): string {
  const k = v - 59;
  const season = ['Winter', 'Spring', 'Summer'][((k % 3) + 3) % 3];
  return `${season} '${String(24 + Math.floor(k / 3)).padStart(2, '0')}`;
}

interface CallContext extends WriteContext {
  version: string;
  /** The `client` of the `Sforce-Call-Options` header, which change events carry in `changeOrigin`. */
  callOptionsClient?: string;
}

/** `com/salesforce/api/rest/60.0`, with `;client=<name>` when the call named its client in `Sforce-Call-Options`. */
function changeOrigin(ctx: Partial<CallContext>): string {
  const origin = `com/salesforce/api/rest/${ctx.version ?? `${LATEST_VERSION}.0`}`;
  return ctx.callOptionsClient ? `${origin};client=${ctx.callOptionsClient}` : origin;
}

/** The `client` option of a `Sforce-Call-Options` header such as `client=SampleApp/1.0, defaultNamespace=ns`. */
function callOptionsClient(header: string | string[] | undefined): string | undefined {
  const value = Array.isArray(header) ? header.join(',') : header;
  for (const option of value?.split(',') ?? []) {
    const [name, ...rest] = option.split('=');
    if (name?.trim() === 'client' && rest.length > 0) return rest.join('=').trim() || undefined;
  }
  return undefined;
}

interface SaveResult {
  id?: string;
  success: boolean;
  errors: { statusCode: string; message: string; fields: string[] }[];
  created?: boolean;
}

const ROLLBACK = Symbol('rollback');

export async function startSalesforceEmulator(options: SalesforceEmulatorOptions & { port?: number; host?: string }): Promise<SalesforceEmulator> {
  const clock = options.now ?? (() => new Date());
  const credentials = {
    clientId: options.clientId ?? DEFAULT_CREDENTIALS.clientId,
    clientSecret: options.clientSecret ?? DEFAULT_CREDENTIALS.clientSecret,
    username: options.username ?? DEFAULT_CREDENTIALS.username,
    password: options.password ?? DEFAULT_CREDENTIALS.password,
  };
  const db = openDatabase(options.dbPath);
  try {
    ensureSchema(db, registry);
  } catch (e) {
    db.close();
    throw e;
  }
  const store = new RecordStore(db, registry);
  // Change Data Capture: every API write becomes a change event (changeEvents.ts), streamed over Bayeux at /cometd/NN.0.
  const changeEvents = new ChangeEventLog();
  changeEvents.publishDelayMs = options.changeEventDelayMs ?? 0;
  const streaming = new StreamingEndpoint(changeEvents, (name) => registry.object(name) !== undefined);
  store.onChange = (change) =>
    changeEvents.append({
      entityName: change.object,
      recordId: change.id,
      changeType: change.type,
      fields: change.fields,
      userId: change.ctx.userId,
      origin: changeOrigin(change.ctx as Partial<CallContext>),
      at: change.ctx.now,
    });
  const approvals = new Approvals(store);
  let seedSize = getMeta(db, 'seed_size') as SeedSize | undefined;
  if (seedSize === undefined) {
    const hasRows = db.prepare(`SELECT 1 FROM ${quoteIdent('User')} LIMIT 1`).get();
    if (hasRows) {
      db.close();
      throw new Error(
        `The database ${options.dbPath} holds records but no seed marker, so it was not created by this emulator; delete it or point SALESFORCE_EMULATOR_DB elsewhere.`,
      );
    }
    seedSize = options.seedSize ?? 'small';
    seedDatabase(store, { size: seedSize, integrationUsername: credentials.username, onProgress: options.onSeedProgress });
  }
  const integrationUserId = getMeta(db, 'integration_user_id')!;
  const sessions = new Sessions(db, credentials, integrationUserId);
  const engine = new QueryEngine(db, registry, clock);
  const bulkQueries = new BulkQueryJobs(engine, registry, clock, {
    processingMs: options.bulkQueryProcessingMs,
    resultSetRecords: options.bulkQueryResultSetRecords,
  });
  const calls = new NativeCallCounter();
  const latency = new Latency(options.latencyMs ?? 0);
  const faults = new FaultInjector(options.faults ?? []);
  const usage = new ApiUsage(options.dailyApiLimit ?? 100000, clock);

  // --- plumbing ----------------------------------------------------------------------------

  const send = (res: http.ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}) => {
    const base = { 'Sforce-Limit-Info': usage.header(), ...headers };
    if (body === undefined) {
      res.writeHead(status, base);
      res.end();
      return;
    }
    const payload = JSON.stringify(body);
    res.writeHead(status, { 'Content-Type': 'application/json;charset=UTF-8', 'Content-Length': Buffer.byteLength(payload), ...base });
    res.end(payload);
  };

  /** Bulk API 2.0 results: CSV, gzip-compressed when the client accepts it (the platform always compresses then). */
  const sendCsv = (req: http.IncomingMessage, res: http.ServerResponse, csv: string, headers: Record<string, string>) => {
    const gzip = /\bgzip\b/i.test(String(req.headers['accept-encoding'] ?? ''));
    const payload = gzip ? gzipSync(csv) : Buffer.from(csv, 'utf8');
    res.writeHead(200, {
      'Content-Type': 'text/csv',
      'Content-Length': payload.length,
      ...(gzip ? { 'Content-Encoding': 'gzip' } : {}),
      'Sforce-Limit-Info': usage.header(),
      ...headers,
    });
    res.end(payload);
  };

  const readJson = async (req: http.IncomingMessage): Promise<unknown> => {
    const text = (await readBody(req)).toString('utf8');
    if (text.trim() === '') throw jsonParserError('The request body is empty, but this resource needs a JSON body.');
    try {
      return JSON.parse(text);
    } catch (e) {
      throw jsonParserError(`The request body is not valid JSON: ${(e as Error).message}`);
    }
  };

  const methodNotAllowed = (method: string | undefined, allowed: string[]) =>
    new SalesforceError(405, 'METHOD_NOT_ALLOWED', `HTTP Method '${method ?? ''}' not allowed. Allowed are ${allowed.join(',')}`);

  const objectOrNotFound = (name: string, operation: string): ObjectDef => {
    const o = registry.object(name);
    calls.record(`${o?.name ?? name}.${operation}`);
    if (!o) throw notFound();
    return o;
  };

  /** An id in a record URL; anything else is read as an external id field name, as the platform does. */
  const recordId = (o: ObjectDef, raw: string): string => {
    const id = normalizeSalesforceId(raw);
    if (!id || !id.startsWith(o.keyPrefix)) {
      throw new SalesforceError(404, 'NOT_FOUND', `Provided external ID field does not exist or is not accessible: ${raw}`);
    }
    return id;
  };

  const lookupField = (o: ObjectDef, name: string) => {
    const f = o.field(name);
    if (!f || !(f.externalId || f.idLookup)) {
      throw new SalesforceError(404, 'NOT_FOUND', `Provided external ID field does not exist or is not accessible: ${name}`);
    }
    return f;
  };

  const multipleChoices = (res: http.ServerResponse, o: ObjectDef, ids: string[], version: string) =>
    send(
      res,
      300,
      ids.map((id) => recordUrl(version, o.name, id)),
    );

  const errorsOf = (e: SalesforceError) => [{ statusCode: e.errorCode, message: e.message, fields: e.fields ?? [] }];

  /** Applies `op` to each record of an sObject Collections request, honouring allOrNone with one transaction. */
  const collection = <T>(items: T[], allOrNone: boolean, op: (item: T) => SaveResult): SaveResult[] => {
    const results: SaveResult[] = [];
    try {
      db.transaction(() => {
        for (const item of items) {
          try {
            results.push(op(item));
          } catch (e) {
            if (!(e instanceof SalesforceError)) throw e;
            const id = (item as { id?: unknown }).id;
            results.push({ ...(typeof id === 'string' ? { id } : {}), success: false, errors: errorsOf(e) });
          }
        }
        if (allOrNone && results.some((r) => !r.success)) throw ROLLBACK;
      })();
    } catch (e) {
      if (e !== ROLLBACK) throw e;
      return results.map((r) =>
        r.success
          ? {
              ...(r.id ? { id: r.id } : {}),
              success: false,
              errors: [
                {
                  statusCode: 'ALL_OR_NONE_OPERATION_ROLLED_BACK',
                  message: 'Record rolled back because not all records were valid and the request was using AllOrNone header',
                  fields: [],
                },
              ],
            }
          : r,
      );
    }
    return results;
  };

  const collectionBody = async (req: http.IncomingMessage, limit: number) => {
    const body = (await readJson(req)) as { allOrNone?: unknown; records?: unknown };
    if (!body || typeof body !== 'object' || !Array.isArray(body.records)) {
      throw jsonParserError('Expected a JSON body {"allOrNone": boolean, "records": [...]}.');
    }
    if (body.records.length > limit) {
      throw new SalesforceError(400, 'EXCEEDED_ID_LIMIT', `record limit reached. cannot submit more than ${limit} records into this call`);
    }
    return { allOrNone: body.allOrNone === true, records: body.records as Record<string, unknown>[] };
  };

  const typeOf = (record: Record<string, unknown>): ObjectDef => {
    const type = (record.attributes as { type?: unknown } | undefined)?.type;
    const o = typeof type === 'string' ? registry.object(type) : undefined;
    if (!o) throw new SalesforceError(400, 'INVALID_TYPE', `Each record needs attributes.type naming a known sObject; got ${JSON.stringify(type ?? null)}.`);
    return o;
  };

  const countTypes = (records: Record<string, unknown>[], operation: string) => {
    const names = new Set(records.map((r) => registry.object(String((r.attributes as { type?: unknown } | undefined)?.type ?? ''))?.name ?? 'unknown'));
    for (const name of names) calls.record(`${name}.${operation}`);
  };

  const retrieveMany = (res: http.ServerResponse, o: ObjectDef, ids: unknown, fields: unknown, version: string) => {
    if (!Array.isArray(ids) || ids.length === 0 || !Array.isArray(fields) || fields.length === 0) {
      throw new SalesforceError(400, 'MISSING_ARGUMENT', 'Both ids and fields are required: give a non-empty list of record ids and of field names.');
    }
    if (ids.length > MAX_RETRIEVE_IDS) {
      throw new SalesforceError(400, 'EXCEEDED_ID_LIMIT', `record limit reached. cannot submit more than ${MAX_RETRIEVE_IDS} records into this call`);
    }
    const resolved = store.resolveFields(o, fields.map(String));
    send(res, 200, store.retrieveMany(o, ids, resolved, version));
  };

  /**
   * `sobjects/{SObject}/updated` and `/deleted`: the replication resources that
   * let a poller find records changed (by SystemModstamp) or deleted in a window.
   */
  const replication = (o: ObjectDef, which: 'updated' | 'deleted', params: URLSearchParams) => {
    const [start, end] = ['start', 'end'].map((name) => {
      const raw = params.get(name);
      if (raw === null) throw new SalesforceError(400, 'MISSING_ARGUMENT', `The ${name} parameter is required, as an ISO-8601 date and time.`);
      const value = parseDateTime(raw);
      if (!value) throw new SalesforceError(400, 'INVALID_REPLICATION_DATE', `The ${name} parameter ${raw} is not an ISO-8601 date and time.`);
      return value;
    }) as [string, string];
    if (end <= start) throw new SalesforceError(400, 'INVALID_REPLICATION_DATE', 'The end of the window must come after its start.');
    const table = quoteIdent(o.name);
    if (which === 'updated') {
      const ids = db
        .prepare(`SELECT Id FROM ${table} WHERE SystemModstamp >= ? AND SystemModstamp < ? AND IsDeleted = 0 ORDER BY SystemModstamp, rowid`)
        .pluck()
        .all(start, end);
      return { ids, latestDateCovered: end };
    }
    const deleted = db
      .prepare(
        `SELECT Id AS id, LastModifiedDate AS deletedDate FROM ${table} WHERE IsDeleted = 1 AND LastModifiedDate >= ? AND LastModifiedDate < ? ORDER BY LastModifiedDate, rowid`,
      )
      .all(start, end);
    const earliest = db.prepare(`SELECT MIN(LastModifiedDate) FROM ${table} WHERE IsDeleted = 1`).pluck().get() as string | null;
    return { deletedRecords: deleted, earliestDateAvailable: earliest ?? start, latestDateCovered: end };
  };

  // --- routes ----------------------------------------------------------------------------------

  const dataApi = async (req: http.IncomingMessage, res: http.ServerResponse, url: URL, segments: string[], ctx: CallContext) => {
    const method = req.method ?? 'GET';
    const v = ctx.version;
    const [a, b, c, d] = segments;
    const n = segments.length;

    if (n === 0) {
      if (method !== 'GET') throw methodNotAllowed(method, ['GET', 'HEAD']);
      calls.record('resources.list');
      const base = `/services/data/v${v}`;
      return send(res, 200, {
        sobjects: `${base}/sobjects`,
        query: `${base}/query`,
        queryAll: `${base}/queryAll`,
        composite: `${base}/composite`,
        limits: `${base}/limits`,
        identity: `${url.origin}/id/${ORG_ID}/${ctx.userId}`,
      });
    }
    if (a === 'limits' && n === 1) {
      calls.record('limits.read');
      return send(res, 200, { DailyApiRequests: { Max: usage.max, Remaining: usage.remaining() } });
    }
    if (a === 'sobjects') {
      if (n === 1) {
        if (method !== 'GET') throw methodNotAllowed(method, ['GET', 'HEAD']);
        calls.record('global.describe');
        return send(res, 200, describeGlobal(registry, v));
      }
      if (n === 2) {
        if (method === 'GET') return send(res, 200, describeBasic(objectOrNotFound(b!, 'describe'), v));
        if (method === 'POST') {
          const o = objectOrNotFound(b!, 'create');
          const id = store.create(o, await readJson(req), ctx);
          return send(res, 201, { id, success: true, errors: [] });
        }
        throw methodNotAllowed(method, ['GET', 'HEAD', 'POST']);
      }
      if (n === 3 && c!.toLowerCase() === 'describe') {
        if (method !== 'GET') throw methodNotAllowed(method, ['GET', 'HEAD']);
        return send(res, 200, describeObject(objectOrNotFound(b!, 'describe'), v));
      }
      if (n === 3 && (c === 'updated' || c === 'deleted')) {
        if (method !== 'GET') throw methodNotAllowed(method, ['GET', 'HEAD']);
        const o = objectOrNotFound(b!, c);
        return send(res, 200, replication(o, c, url.searchParams));
      }
      if (n === 3) {
        const op = { GET: 'retrieve', PATCH: 'update', DELETE: 'delete' }[method];
        if (!op) throw methodNotAllowed(method, ['GET', 'PATCH', 'HEAD', 'DELETE']);
        const o = objectOrNotFound(b!, op);
        const id = recordId(o, c!);
        if (method === 'GET') {
          const row = store.requireLive(o, id);
          const names = url.searchParams.get('fields');
          const fields = names ? store.resolveFields(o, names.split(',').filter(Boolean)) : o.fields;
          const record = store.serialize(o, row, fields, v);
          if (!('Id' in record)) record.Id = row.Id;
          return send(res, 200, record);
        }
        if (method === 'PATCH') {
          store.update(o, id, await readJson(req), ctx);
          return send(res, 204);
        }
        store.remove(o, id, ctx);
        return send(res, 204);
      }
      if (n === 4) {
        const op = { GET: 'retrieve', PATCH: 'upsert', DELETE: 'delete' }[method];
        if (!op) throw methodNotAllowed(method, ['GET', 'PATCH', 'HEAD', 'DELETE']);
        const o = objectOrNotFound(b!, op);
        if (method === 'PATCH') {
          try {
            const { id, created } = store.upsert(o, c!, d!, await readJson(req), ctx);
            return send(res, created ? 201 : 200, { id, success: true, errors: [], created });
          } catch (e) {
            if (e instanceof MultipleMatchesError) return multipleChoices(res, o, e.ids, v);
            throw e;
          }
        }
        const f = lookupField(o, c!);
        const value = f.type === 'id' ? normalizeSalesforceId(d!) : store.coerce(f, d!);
        const ids = value === null ? [] : store.findIdsBy(o, f.name, value);
        if (ids.length > 1) return multipleChoices(res, o, ids, v);
        if (ids.length === 0) throw notFound();
        if (method === 'DELETE') {
          store.remove(o, ids[0]!, ctx);
          return send(res, 204);
        }
        return send(res, 200, store.serialize(o, store.requireLive(o, ids[0]!), o.fields, v));
      }
    }
    if ((a === 'query' || a === 'queryAll') && n <= 2) {
      if (method !== 'GET') throw methodNotAllowed(method, ['GET', 'HEAD']);
      if (n === 2) {
        let object = 'unknown';
        try {
          const result = engine.more(b!, v);
          object = result.object;
          return send(res, 200, result.response);
        } finally {
          calls.record(`${object}.queryMore`);
        }
      }
      const q = url.searchParams.get('q');
      if (q === null) throw malformedQuery('A query string has to be specified');
      const batch = /batchSize=(\d+)/i.exec(String(req.headers['sforce-query-options'] ?? ''));
      let object = registry.object(/\bfrom\s+([A-Za-z0-9_]+)/i.exec(q)?.[1] ?? '')?.name ?? 'unknown';
      try {
        const result = engine.run(q, { includeDeleted: a === 'queryAll', version: v, batchSize: batch ? Number(batch[1]) : undefined });
        object = result.object;
        return send(res, 200, result.response);
      } finally {
        calls.record(`${object}.query`);
      }
    }
    if (a === 'composite' && b === 'sobjects') {
      if (n === 2) {
        if (method === 'DELETE') {
          const ids = (url.searchParams.get('ids') ?? '').split(',').filter(Boolean);
          if (ids.length > MAX_COLLECTION_RECORDS) {
            throw new SalesforceError(
              400,
              'EXCEEDED_ID_LIMIT',
              `record limit reached. cannot submit more than ${MAX_COLLECTION_RECORDS} records into this call`,
            );
          }
          const names = new Set(ids.map((id) => registry.objectForId(id)?.name ?? 'unknown'));
          for (const name of names) calls.record(`${name}.delete`);
          return send(
            res,
            200,
            collection(
              ids.map((id) => ({ id })),
              url.searchParams.get('allOrNone') === 'true',
              ({ id }) => {
                const normalized = normalizeSalesforceId(id);
                const o = normalized ? registry.objectForId(normalized) : undefined;
                if (!normalized || !o) throw new SalesforceError(400, 'MALFORMED_ID', `malformed id ${id}`);
                store.remove(o, normalized, ctx);
                return { id: normalized, success: true, errors: [] };
              },
            ),
          );
        }
        if (method === 'POST' || method === 'PATCH') {
          const { allOrNone, records } = await collectionBody(req, MAX_COLLECTION_RECORDS);
          countTypes(records, method === 'POST' ? 'create' : 'update');
          return send(
            res,
            200,
            collection(records, allOrNone, (record) => {
              const o = typeOf(record);
              const { attributes: _attributes, id: rawId, Id: rawId2, ...fields } = record;
              if (method === 'POST') {
                if (rawId !== undefined || rawId2 !== undefined) {
                  throw new SalesforceError(400, 'INVALID_FIELD', 'cannot specify Id in an insert call', ['Id']);
                }
                return { id: store.create(o, fields, ctx), success: true, errors: [] };
              }
              const id = normalizeSalesforceId(String(rawId ?? rawId2 ?? ''));
              if (!id)
                throw new SalesforceError(
                  400,
                  'MALFORMED_ID',
                  `Each record needs the id of the record to update; got ${JSON.stringify(rawId ?? rawId2 ?? null)}.`,
                );
              store.update(o, id, fields, ctx);
              return { id, success: true, errors: [] };
            }),
          );
        }
        throw methodNotAllowed(method, ['POST', 'PATCH', 'DELETE']);
      }
      if (n === 3) {
        const o = objectOrNotFound(c!, 'composite_read');
        if (method === 'GET') {
          const split = (name: string) => (url.searchParams.get(name) ?? '').split(',').filter(Boolean);
          return retrieveMany(res, o, split('ids'), split('fields'), v);
        }
        if (method === 'POST') {
          const body = (await readJson(req)) as { ids?: unknown; fields?: unknown };
          return retrieveMany(res, o, body?.ids, body?.fields, v);
        }
        throw methodNotAllowed(method, ['GET', 'POST']);
      }
      if (n === 4) {
        if (method !== 'PATCH') throw methodNotAllowed(method, ['PATCH']);
        const o = objectOrNotFound(c!, 'upsert');
        const extField = d!;
        const { allOrNone, records } = await collectionBody(req, MAX_COLLECTION_RECORDS);
        return send(
          res,
          200,
          collection(records, allOrNone, (record) => {
            if (typeOf(record).name !== o.name) throw new SalesforceError(400, 'INVALID_TYPE', `Every record must be of type ${o.name}.`);
            const key = Object.keys(record).find((k) => k.toLowerCase() === extField.toLowerCase());
            const value = key === undefined ? undefined : record[key];
            if (value === undefined || value === null || value === '') {
              throw new SalesforceError(400, 'MISSING_ARGUMENT', `${extField} not specified`, [extField]);
            }
            const { attributes: _attributes, ...fields } = record;
            try {
              const { id, created } = store.upsert(o, extField, String(value), fields, ctx);
              return { id, success: true, errors: [], created };
            } catch (e) {
              if (!(e instanceof MultipleMatchesError)) throw e;
              throw new SalesforceError(
                300,
                'DUPLICATE_EXTERNAL_ID',
                `The external ID ${String(value)} matches more than one ${o.name} record: ${e.ids.join(', ')}`,
                [extField],
              );
            }
          }),
        );
      }
    }
    if (a === 'jobs' && b === 'query' && n <= 4) {
      return bulkQueryApi(req, res, url, segments, ctx);
    }
    if (a === 'process' && b === 'approvals' && n === 2) {
      calls.record(method === 'POST' ? 'process.approvals' : 'process.approvals.list');
      if (method === 'GET') return send(res, 200, listApprovalProcesses());
      if (method !== 'POST') throw methodNotAllowed(method, ['GET', 'HEAD', 'POST']);
      const body = (await readJson(req)) as { requests?: unknown };
      if (!body || typeof body !== 'object' || !Array.isArray(body.requests) || body.requests.length === 0) {
        throw jsonParserError('Expected a JSON body {"requests": [{"actionType": "Submit" | "Approve" | "Reject", "contextId": "...", "comments": "..."}]}.');
      }
      const results = approvals.process(body.requests as ApprovalRequest[], ctx);
      // One request that fails alone is answered as the platform's error array; bulk answers carry per-request errors.
      if (results.length === 1 && !results[0]!.success) {
        const error = results[0]!.errors![0]!;
        return send(res, 400, [{ message: error.message, errorCode: error.statusCode, fields: error.fields }]);
      }
      return send(res, 200, results);
    }
    throw notFound();
  };

  /**
   * Bulk API 2.0 query jobs (bulkQuery.ts). Counted under the queried sObject:
   * `bulkQuery` (create), `bulkQueryStatus`, `bulkQueryResults`, `bulkQueryAbort`,
   * `bulkQueryDelete`; the list of jobs as `jobs.list`.
   */
  const bulkQueryApi = async (req: http.IncomingMessage, res: http.ServerResponse, url: URL, segments: string[], ctx: CallContext) => {
    const method = req.method ?? 'GET';
    const [, , id, tail] = segments;
    if (id === undefined) {
      if (method === 'POST') {
        let object = 'unknown';
        try {
          const body = await readJson(req);
          return send(
            res,
            200,
            bulkQueries.create(body, { userId: ctx.userId, version: ctx.version }, (name) => (object = name)),
          );
        } finally {
          calls.record(`${object}.bulkQuery`);
        }
      }
      if (method !== 'GET') throw methodNotAllowed(method, ['GET', 'POST']);
      calls.record('jobs.list');
      return send(res, 200, bulkQueries.list());
    }
    const counted = (operation: string) => calls.record(`${bulkQueries.objectOf(id) ?? 'unknown'}.${operation}`);
    if (tail === 'results') {
      if (method !== 'GET') throw methodNotAllowed(method, ['GET']);
      counted('bulkQueryResults');
      const set = bulkQueries.results(id, ctx.version, url.searchParams);
      return sendCsv(req, res, set.csv, { 'Sforce-Locator': set.locator, 'Sforce-NumberOfRecords': String(set.count) });
    }
    if (tail !== undefined) throw notFound();
    if (method === 'GET') {
      counted('bulkQueryStatus');
      return send(res, 200, bulkQueries.info(id));
    }
    if (method === 'PATCH') {
      counted('bulkQueryAbort');
      return send(res, 200, bulkQueries.abort(id, await readJson(req)));
    }
    if (method === 'DELETE') {
      counted('bulkQueryDelete');
      bulkQueries.delete(id);
      return send(res, 204);
    }
    throw methodNotAllowed(method, ['GET', 'PATCH', 'DELETE']);
  };

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    // A call's latency counts from its arrival, not from when this single-threaded emulator gets to it.
    const arrived = performance.now();
    if (await handleFaultDiagnostics(req, res, faults)) return;
    if (await handleDiagnostics(req, res, { calls, latency })) return;
    const rawUrl = req.url ?? '/';
    if (rawUrl.length > MAX_URL_LENGTH) {
      req.resume();
      return send(res, 414, [
        {
          errorCode: 'URI_TOO_LONG',
          message: `The request URI is ${rawUrl.length} characters long; the limit is ${MAX_URL_LENGTH}. Send long id lists in a POST body.`,
        },
      ]);
    }
    const url = new URL(rawUrl, `http://${req.headers.host ?? '127.0.0.1'}`);
    const path = url.pathname;
    const method = req.method ?? 'GET';

    if (path === '/services/oauth2/token') {
      if (method !== 'POST') throw methodNotAllowed(method, ['POST']);
      calls.record('oauth.token');
      latency.hold(res, arrived);
      await latency.turn();
      const params = new URLSearchParams((await readBody(req)).toString('utf8'));
      for (const [k, value] of url.searchParams) if (!params.has(k)) params.set(k, value);
      const auth = req.headers.authorization;
      let basic: { user: string; pass: string } | null = null;
      if (auth?.startsWith('Basic ')) {
        const [user = '', ...pass] = Buffer.from(auth.slice(6), 'base64').toString('utf8').split(':');
        basic = { user: decodeURIComponent(user), pass: decodeURIComponent(pass.join(':')) };
      }
      const result = sessions.token(params, basic, url.origin);
      return send(res, result.ok ? 200 : result.status, result.body);
    }
    if (path === '/services/data' || path === '/services/data/') {
      const versions = [];
      for (let v = 20; v <= LATEST_VERSION; v++) versions.push({ label: releaseLabel(v), url: `/services/data/v${v}.0`, version: `${v}.0` });
      return send(res, 200, versions);
    }

    const bearer = /^(?:Bearer|OAuth)\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1] ?? url.searchParams.get('oauth_token');
    const userId = bearer ? sessions.userFor(bearer.trim()) : undefined;

    if (path === '/services/oauth2/revoke') {
      const token = new URLSearchParams((await readBody(req)).toString('utf8')).get('token') ?? url.searchParams.get('token');
      if (token) sessions.revoke(token);
      calls.record('oauth.revoke');
      return send(res, 200);
    }
    const identity = /^\/id\/([A-Za-z0-9]{15,18})\/([A-Za-z0-9]{15,18})$/.exec(path);
    const data = /^\/services\/data\/v(\d{2,3}\.0)(\/.*)?$/.exec(path);
    // CometD clients may append the meta channel's last segment to the URL (`/cometd/60.0/connect`).
    const cometd = /^\/cometd\/(\d{2,3})\.0(?:\/(?:handshake|connect|subscribe|unsubscribe|disconnect))?\/?$/.exec(path);
    if (cometd && Number(cometd[1]) >= 37 && Number(cometd[1]) <= LATEST_VERSION) {
      if (method !== 'POST') throw methodNotAllowed(method, ['POST']);
      const aborted = new AbortController();
      res.on('close', () => aborted.abort());
      const answer = await streaming.handle(await readJson(req), userId, aborted.signal);
      if (res.destroyed) return;
      return send(res, answer.status, answer.body, answer.headers);
    }
    if (!identity && !data) throw notFound();
    if (!userId) return send(res, 401, [{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }]);
    if (!usage.take()) return send(res, 403, [{ message: 'TotalRequests Limit exceeded.', errorCode: 'REQUEST_LIMIT_EXCEEDED' }]);
    if (data && faults.active) {
      // A fault replacing the answer is counted here, as the call never reaches the code that counts it.
      const target = salesforceFaultTarget(method, (data[2] ?? '').split('/').filter(Boolean), url, (id) => bulkQueries.objectOf(id));
      await faults.before(target, () => calls.record(`${target.model ?? 'unknown'}.${target.method}`));
    }
    latency.hold(res, arrived);
    await latency.turn();

    if (identity) {
      calls.record('oauth.identity');
      const user = store.requireLive(registry.object('User')!, normalizeSalesforceId(identity[2]!) ?? '');
      return send(res, 200, {
        id: `${url.origin}${path}`,
        asserted_user: true,
        user_id: user.Id,
        organization_id: ORG_ID,
        username: user.Username,
        nick_name: user.Alias,
        display_name: user.Name,
        email: user.Email,
        first_name: user.FirstName,
        last_name: user.LastName,
        active: Boolean(user.IsActive),
        user_type: 'STANDARD',
        language: 'en_US',
        locale: 'en_US',
        utcOffset: 0,
        last_modified_date: user.LastModifiedDate,
        urls: {
          rest: `${url.origin}/services/data/v{version}/`,
          sobjects: `${url.origin}/services/data/v{version}/sobjects/`,
          query: `${url.origin}/services/data/v{version}/query/`,
        },
      });
    }
    let segments: string[];
    try {
      segments = (data![2] ?? '').split('/').filter(Boolean).map(decodeURIComponent);
    } catch {
      throw new SalesforceError(400, 'MALFORMED_URL', `The path ${path} is not validly percent-encoded.`);
    }
    await dataApi(req, res, url, segments, {
      version: data![1]!,
      userId,
      now: clock(),
      callOptionsClient: callOptionsClient(req.headers['sforce-call-options']),
    });
  };

  const server = http.createServer({ maxHeaderSize: 1 << 20 }, (req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (e instanceof InjectedFault) return e.answer(res, 'salesforce', { 'Sforce-Limit-Info': usage.header() });
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (e instanceof SalesforceError) {
        send(res, e.status, e.toBody());
      } else if (e instanceof BodyTooLargeError) {
        send(res, 413, [{ errorCode: 'REQUEST_ENTITY_TOO_LARGE', message: e.message }]);
      } else {
        console.error('Salesforce emulator: unexpected error', e);
        send(res, 500, [{ errorCode: 'UNKNOWN_EXCEPTION', message: `An unexpected error occurred in the emulator: ${(e as Error).message ?? String(e)}` }]);
      }
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const host = options.host ?? '127.0.0.1';
  const urlHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;

  return {
    url: `http://${urlHost}:${port}`,
    port,
    db,
    calls,
    latency,
    faults,
    bulkQueries,
    changeEvents,
    seedSize,
    close: async () => {
      changeEvents.wakeAll();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      if (db.open) db.close();
    },
  };
}
