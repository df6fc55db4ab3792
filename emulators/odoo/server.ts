/**
 * An Odoo 17-compatible ERP server: Odoo's JSON-RPC protocol (`POST /jsonrpc`,
 * plus the web client's session routes) over an embedded SQLite database that
 * is created and seeded from the shared seed world on first start and kept
 * across restarts.
 *
 * Every call is counted (`<model>.<method>`, `common.<method>`) and delayed
 * by the configured latency; both are visible under `/__emulator/`.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { handleDiagnostics, Latency, NativeCallCounter } from '../common/diagnostics.js';
import { FaultInjector, handleFaultDiagnostics, InjectedFault, type FaultRule } from '../common/faults.js';
import { BodyTooLargeError, readBody, sendJson } from '../common/http.js';
import { SEED_TODAY, type SeedSize } from '../seed/world.js';
import { HOOKS } from './business.js';
import { accessDenied, errorEnvelope, OdooError, sessionExpired, typeError } from './errors.js';
import { odooLike } from './like.js';
import { MODELS } from './models.js';
import { StatementCache } from './orm.js';
import { bind, callKey, callModelMethod, dispatch, SERVER_VERSION, type RpcEnv } from './rpc.js';
import { createIndexes, createSchema, getMeta, setMeta } from './schema.js';
import { seedDatabase } from './seed.js';

export interface OdooEmulatorOptions {
  /** SQLite file; created (with its folder) and seeded when missing. */
  dbPath: string;
  /** Seed size for a new database. Defaults to small. An existing database keeps its data. */
  seedSize?: SeedSize;
  /** Database name clients must use. Defaults to odoo. */
  database?: string;
  /** Login of the API user (uid 2). Defaults to admin. */
  login?: string;
  /** That user's API key. Defaults to the development key used by the fixtures. */
  apiKey?: string;
  /** Delay added to every native call, in ms. Defaults to 0. */
  latencyMs?: number;
  /** Faults injected from the start (see emulators/common/faults.ts). Defaults to none. */
  faults?: FaultRule[];
  /** Called while a new database is seeded, per phase: rows done, rows in the phase, phase label. */
  onSeedProgress?: (done: number, total: number, label: string) => void;
}

export interface OdooEmulator {
  url: string;
  port: number;
  db: import('better-sqlite3').Database;
  calls: NativeCallCounter;
  latency: Latency;
  /** Injected faults, also set at runtime through `/__emulator/faults`. */
  faults: FaultInjector;
  /** The size the database was seeded with; an existing database keeps its own whatever `seedSize` asked. */
  seedSize: SeedSize;
  close(): Promise<void>;
}

export const DEFAULT_DATABASE = 'odoo';
export const DEFAULT_LOGIN = 'admin';
export const DEFAULT_API_KEY = '0123456789abcdef0123456789abcdef01234567';
const ADMIN_UID = 2;

/** Seeded write dates end on the seed's "today"; later writes must sort after them for change polling. */
const CLOCK_FLOOR = `${SEED_TODAY} 23:59:59`;

export function odooNow(): string {
  const now = new Date().toISOString().slice(0, 19).replace('T', ' ');
  return now > CLOCK_FLOOR ? now : CLOCK_FLOOR;
}

/** Bumped whenever a model gains or loses a stored field (2: signed amounts and reversals on account.move). */
export const ODOO_SCHEMA_VERSION = '2';

/** Opens (creating and seeding when new) the emulator's database. */
export function openOdooDatabase(options: Pick<OdooEmulatorOptions, 'dbPath' | 'seedSize' | 'login' | 'onSeedProgress'>): BetterSqlite3.Database {
  if (options.dbPath !== ':memory:') mkdirSync(dirname(options.dbPath), { recursive: true });
  const db = new BetterSqlite3(options.dbPath);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('busy_timeout = 5000');
    db.function('odoo_like', { deterministic: true }, odooLike);
    createSchema(db, MODELS.values());
    const seeded = getMeta(db, 'seed_size') !== undefined;
    const version = getMeta(db, 'schema_version');
    // Tables are created only when missing, so a file made by an older emulator lacks newer fields.
    if (seeded && version !== ODOO_SCHEMA_VERSION) {
      throw new Error(
        `The Odoo emulator database ${options.dbPath} has schema version ${version ?? '1'}, but this emulator needs version ${ODOO_SCHEMA_VERSION}; run \`npm run seed -- --force\` (or delete the file) to have it re-created and re-seeded.`,
      );
    }
    if (!seeded) {
      const used = [...MODELS.values()].find((m) => db.prepare(`SELECT 1 FROM ${m.table} LIMIT 1`).get() !== undefined);
      if (used) {
        throw new Error(
          `The database ${options.dbPath} holds ${used.name} records but no seed marker, so it was not created by this emulator or its seeding was interrupted; delete the file to have it seeded afresh.`,
        );
      }
      seedDatabase(db, MODELS, { size: options.seedSize ?? 'small', adminLogin: options.login ?? DEFAULT_LOGIN, onProgress: options.onSeedProgress });
      setMeta(db, 'schema_version', ODOO_SCHEMA_VERSION);
    }
    createIndexes(db, MODELS.values());
    db.pragma('optimize');
  } catch (error) {
    db.close();
    throw error;
  }
  return db;
}

export async function startOdooEmulator(options: OdooEmulatorOptions & { port?: number; host?: string }): Promise<OdooEmulator> {
  const db = openOdooDatabase(options);
  const calls = new NativeCallCounter();
  const latency = new Latency(options.latencyMs ?? 0);
  const faults = new FaultInjector(options.faults ?? []);
  const env: RpcEnv = {
    db,
    models: MODELS,
    hooks: HOOKS,
    statements: new StatementCache(db),
    credentials: {
      database: options.database ?? DEFAULT_DATABASE,
      login: options.login ?? DEFAULT_LOGIN,
      apiKey: options.apiKey ?? DEFAULT_API_KEY,
      uid: ADMIN_UID,
    },
    now: odooNow,
  };
  const sessions = new Map<string, number>();

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      // Only a broken connection gets here; the protocol paths answer their own errors.
      console.error('Odoo emulator: unexpected failure while answering a request:', error);
      if (!res.headersSent) sendJson(res, 200, { jsonrpc: '2.0', id: null, error: errorEnvelope(internalError(error)) });
      else res.destroy();
    });
  });

  // When each call arrived: its latency counts from there, not from when this single-threaded emulator got to it.
  const arrivals = new WeakMap<IncomingMessage, number>();

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    arrivals.set(req, performance.now());
    if (await handleFaultDiagnostics(req, res, faults)) return;
    if (await handleDiagnostics(req, res, { calls, latency })) return;
    const path = (req.url ?? '/').split('?')[0]!;
    const route = ROUTES.find((r) => r.match(path));
    if (!route) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end(`No Odoo route at ${path}; JSON-RPC calls go to POST /jsonrpc.\n`);
      return;
    }
    if (req.method !== 'POST') {
      res
        .writeHead(405, { 'content-type': 'text/plain; charset=utf-8', allow: 'POST' })
        .end(`${path} takes POST requests with a JSON-RPC body, not ${req.method}.\n`);
      return;
    }
    let id: unknown = null;
    const reply = (body: { result: unknown } | { error: OdooError }, headers: Record<string, string> = {}) =>
      sendJson(res, 200, 'error' in body ? { jsonrpc: '2.0', id, error: errorEnvelope(body.error) } : { jsonrpc: '2.0', id, result: body.result }, headers);

    let request: unknown;
    try {
      const raw = (await readBody(req)).toString('utf8');
      request = JSON.parse(raw);
    } catch (error) {
      const detail = error instanceof BodyTooLargeError ? error.message : `Invalid JSON data: ${(error as Error).message}.`;
      reply({
        error: new OdooError(
          'werkzeug.exceptions.BadRequest',
          `${detail} Expected a JSON-RPC 2.0 request such as {"jsonrpc": "2.0", "method": "call", "params": {...}, "id": 1}.`,
        ),
      });
      return;
    }
    if (typeof request !== 'object' || request === null || Array.isArray(request)) {
      reply({
        error: new OdooError(
          'werkzeug.exceptions.BadRequest',
          `Invalid JSON-RPC data: expected a JSON object with "params", but got ${Array.isArray(request) ? 'an array' : typeof request}.`,
        ),
      });
      return;
    }
    id = (request as { id?: unknown }).id ?? null;
    const params = (request as { params?: unknown }).params ?? {};
    try {
      if (typeof params !== 'object' || params === null || Array.isArray(params))
        throw typeError(`Expected "params" to be a JSON object, but got ${JSON.stringify(params)}.`);
      const outcome = await route.serve(params as Record<string, unknown>, req);
      reply({ result: outcome.result ?? null }, outcome.headers);
    } catch (error) {
      if (error instanceof InjectedFault) return error.answer(res, 'odoo');
      reply({ error: error instanceof OdooError ? error : internalError(error) });
    }
  }

  /** Counts the call, runs it in one transaction, as Odoo runs each RPC, and answers once the configured latency is up. */
  async function serveCall<T>(req: IncomingMessage, key: string, fn: () => T): Promise<T> {
    calls.record(key);
    // `res.partner.search_read` -> model res.partner, method search_read; a fault may replace the answer.
    const dot = key.lastIndexOf('.');
    await faults.before({ model: key.slice(0, dot), method: key.slice(dot + 1) });
    const answered = latency.start(arrivals.get(req));
    try {
      await latency.turn();
      return db.transaction(fn)();
    } finally {
      await answered();
    }
  }

  const sessionUid = (req: IncomingMessage): number => {
    const sid = /(?:^|;\s*)session_id=([^;]+)/.exec(req.headers.cookie ?? '')?.[1];
    const uid = sid ? sessions.get(sid) : undefined;
    if (uid === undefined) throw sessionExpired();
    return uid;
  };

  const sessionInfo = (uid: number) => {
    const user = db.prepare(`SELECT u.name, u.login, u.partner_id FROM res_users u WHERE u.id = ?`).get(uid) as {
      name: string;
      login: string;
      partner_id: number;
    };
    return {
      uid,
      is_system: true,
      is_admin: true,
      user_context: { lang: 'en_US', tz: 'UTC', uid },
      db: env.credentials.database,
      server_version: SERVER_VERSION.server_version,
      server_version_info: SERVER_VERSION.server_version_info,
      name: user.name,
      username: user.login,
      partner_id: user.partner_id,
      company_id: 1,
    };
  };

  interface Route {
    match(path: string): boolean;
    serve(params: Record<string, unknown>, req: IncomingMessage): Promise<{ result: unknown; headers?: Record<string, string> }>;
  }
  const ROUTES: Route[] = [
    {
      match: (p) => p === '/jsonrpc',
      async serve(params, req) {
        const a = bind('jsonrpc', ['service', 'method', 'args'], [], params);
        return { result: await serveCall(req, callKey(a.service, a.method, a.args), () => dispatch(env, a.service, a.method, a.args)) };
      },
    },
    {
      match: (p) => p === '/web/webclient/version_info',
      async serve(_params, req) {
        return { result: await serveCall(req, 'common.version', () => SERVER_VERSION) };
      },
    },
    {
      match: (p) => p === '/web/session/authenticate',
      async serve(params, req) {
        const a = bind('authenticate', ['db', 'login', 'password', ['base_location', null]], [], params);
        const uid = await serveCall(req, 'common.authenticate', () => {
          const { credentials } = env;
          if (a.db !== credentials.database || a.login !== credentials.login || a.password !== credentials.apiKey) throw accessDenied();
          return credentials.uid;
        });
        const sid = randomUUID().replace(/-/g, '');
        sessions.set(sid, uid);
        return { result: sessionInfo(uid), headers: { 'set-cookie': `session_id=${sid}; HttpOnly; Path=/; SameSite=Lax` } };
      },
    },
    {
      match: (p) => p === '/web/session/get_session_info',
      async serve(_params, req) {
        const uid = sessionUid(req);
        return { result: sessionInfo(uid) };
      },
    },
    {
      match: (p) => p === '/web/session/destroy',
      async serve(_params, req) {
        const sid = /(?:^|;\s*)session_id=([^;]+)/.exec(req.headers.cookie ?? '')?.[1];
        if (sid) sessions.delete(sid);
        return { result: null };
      },
    },
    {
      match: (p) => p === '/web/dataset/call_kw' || p.startsWith('/web/dataset/call_kw/'),
      async serve(params, req) {
        const uid = sessionUid(req);
        const a = bind('call_kw', ['model', 'method', 'args', 'kwargs', ['path', null]], [], params);
        if (!Array.isArray(a.args)) throw typeError(`Expected "args" to be a list, but got ${JSON.stringify(a.args)}.`);
        const kwargs = { ...((a.kwargs ?? {}) as Record<string, unknown>) };
        return {
          result: await serveCall(req, `${String(a.model)}.${String(a.method)}`, () =>
            callModelMethod(env, uid, String(a.model), String(a.method), a.args as unknown[], kwargs),
          ),
        };
      },
    },
  ];

  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  }).catch((error: unknown) => {
    db.close();
    throw error;
  });
  const port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host;

  let closed: Promise<void> | undefined;
  return {
    url: `http://${urlHost}:${port}`,
    port,
    db,
    calls,
    latency,
    faults,
    seedSize: getMeta(db, 'seed_size') as SeedSize,
    close() {
      closed ??= new Promise<void>((resolve) => {
        server.close(() => {
          db.close();
          resolve();
        });
        server.closeAllConnections();
      });
      return closed;
    },
  };
}

function internalError(error: unknown): OdooError {
  if (!(error instanceof OdooError)) console.error('Odoo emulator: internal error while serving a call:', error);
  const detail = error instanceof Error ? error.message : String(error);
  return new OdooError('builtins.RuntimeError', `The Odoo emulator failed to serve this call: ${detail}. This is a bug in the emulator, not in the request.`);
}
