/**
 * Odoo's RPC services as `/jsonrpc` dispatches them: `common` (version,
 * login, authenticate), `db` (list, server_version) and `object`
 * (`execute_kw`, `execute`). Model methods take their arguments the way
 * Python binds them, so a client that passes `fields` both positionally and
 * by name gets Python's own TypeError, as from a real server.
 */
import { actionConfirm } from './business.js';
import { accessDenied, accessError, attributeError, keyError, OdooError, pyRepr, typeError, valueError } from './errors.js';
import { Orm, StatementCache, toIdList, type ModelHooks } from './orm.js';
import { readGroup } from './readGroup.js';
import type { Database } from 'better-sqlite3';
import type { ModelDef } from './registry.js';

export interface Credentials {
  database: string;
  login: string;
  apiKey: string;
  uid: number;
}

export interface RpcEnv {
  db: Database;
  models: ReadonlyMap<string, ModelDef>;
  hooks: ReadonlyMap<string, ModelHooks>;
  statements: StatementCache;
  credentials: Credentials;
  /** The request's clock, `YYYY-MM-DD HH:MM:SS` in UTC. */
  now(): string;
}

export const SERVER_VERSION = {
  server_version: '17.0-20240709',
  server_version_info: [17, 0, 0, 'final', 0, ''],
  server_serie: '17.0',
  protocol_version: 1,
};

/** Name of the native call for the call counter: `<model>.<method>`, `common.<method>`, `db.<method>`. */
export function callKey(service: unknown, method: unknown, args: unknown): string {
  if (service === 'object' && (method === 'execute_kw' || method === 'execute') && Array.isArray(args)) {
    return `${String(args[3])}.${String(args[4])}`;
  }
  return `${String(service)}.${String(method)}`;
}

export function dispatch(env: RpcEnv, service: unknown, method: unknown, args: unknown): unknown {
  if (!Array.isArray(args)) throw typeError(`Expected params.args to be a list, but got ${pyRepr(args)}.`);
  switch (service) {
    case 'common':
      return dispatchCommon(env, String(method), args);
    case 'db':
      return dispatchDb(env, String(method), args);
    case 'object':
      return dispatchObject(env, String(method), args);
    default:
      throw keyError(String(service));
  }
}

function checkDatabase(env: RpcEnv, db: unknown): void {
  if (db !== env.credentials.database) {
    throw new OdooError('psycopg2.OperationalError', `connection to server failed: FATAL:  database ${JSON.stringify(String(db))} does not exist\n`);
  }
}

/** A user id for a login and key, or false: Odoo answers a wrong login with `false`, not an error. */
function authenticate(env: RpcEnv, db: unknown, login: unknown, key: unknown): number | false {
  checkDatabase(env, db);
  const { credentials } = env;
  return login === credentials.login && key === credentials.apiKey ? credentials.uid : false;
}

function dispatchCommon(env: RpcEnv, method: string, args: unknown[]): unknown {
  switch (method) {
    case 'version':
      return SERVER_VERSION;
    case 'about':
      return args[0] ? ['See http://openerp.com', SERVER_VERSION.server_version] : 'See http://openerp.com';
    case 'login':
      bind('exp_login', ['db', 'login', 'password'], args, {});
      return authenticate(env, args[0], args[1], args[2]);
    case 'authenticate':
      bind('exp_authenticate', ['db', 'login', 'password', 'user_agent_env'], args, {});
      return authenticate(env, args[0], args[1], args[2]);
    default:
      throw keyError(`exp_${method}`);
  }
}

function dispatchDb(env: RpcEnv, method: string, args: unknown[]): unknown {
  switch (method) {
    case 'list':
      return [env.credentials.database];
    case 'server_version':
      return SERVER_VERSION.server_version;
    case 'db_exist':
      return args[0] === env.credentials.database;
    default:
      throw keyError(`exp_${method}`);
  }
}

function dispatchObject(env: RpcEnv, method: string, args: unknown[]): unknown {
  if (method !== 'execute_kw' && method !== 'execute') throw new OdooError('builtins.NameError', `Method not available ${method}`);
  const [db, uidRaw, key, model, modelMethod, ...rest] = args;
  checkDatabase(env, db);
  const uid = typeof uidRaw === 'string' && /^\d+$/.test(uidRaw) ? Number(uidRaw) : uidRaw;
  if (typeof uid !== 'number' || !Number.isInteger(uid)) throw valueError(`invalid literal for int() with base 10: ${pyRepr(uidRaw)}`);
  if (uid !== env.credentials.uid || key !== env.credentials.apiKey) throw accessDenied();
  if (typeof model !== 'string' || typeof modelMethod !== 'string') {
    throw typeError(
      `Expected execute_kw(db, uid, key, model, method, args, kwargs) with a model and a method name, but got model ${pyRepr(model)} and method ${pyRepr(modelMethod)}.`,
    );
  }
  let callArgs: unknown[];
  let kwargs: Record<string, unknown>;
  if (method === 'execute_kw') {
    const [a = [], k = {}] = rest;
    if (!Array.isArray(a)) throw typeError(`odoo.service.model.execute_kw() argument after * must be an iterable, not ${pyType(a)}`);
    if (k !== null && (typeof k !== 'object' || Array.isArray(k)))
      throw typeError(`odoo.service.model.execute_kw() argument after ** must be a mapping, not ${pyType(k)}`);
    callArgs = a;
    kwargs = { ...((k ?? {}) as Record<string, unknown>) };
  } else {
    callArgs = rest;
    kwargs = {};
  }
  return callModelMethod(env, uid, model, modelMethod, callArgs, kwargs);
}

function pyType(v: unknown): string {
  if (v === null) return 'NoneType';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float';
  if (typeof v === 'string') return 'str';
  if (typeof v === 'boolean') return 'bool';
  return Array.isArray(v) ? 'list' : 'dict';
}

type Params = (string | [string, unknown])[];

/** Methods that work on records take the ids as their first argument (Odoo's `call_kw_multi`). */
const METHODS: Record<string, { multi: boolean; qualname: string; params: Params; varkw?: boolean }> = {
  search: { multi: false, qualname: 'BaseModel.search', params: ['domain', ['offset', 0], ['limit', null], ['order', null]] },
  search_count: { multi: false, qualname: 'BaseModel.search_count', params: ['domain', ['limit', null]] },
  search_read: {
    multi: false,
    qualname: 'BaseModel.search_read',
    params: [
      ['domain', null],
      ['fields', null],
      ['offset', 0],
      ['limit', null],
      ['order', null],
    ],
    varkw: true,
  },
  read: {
    multi: true,
    qualname: 'BaseModel.read',
    params: [
      ['fields', null],
      ['load', '_classic_read'],
    ],
  },
  create: { multi: false, qualname: 'BaseModel.create', params: ['vals_list'] },
  write: { multi: true, qualname: 'BaseModel.write', params: ['vals'] },
  unlink: { multi: true, qualname: 'BaseModel.unlink', params: [] },
  read_group: {
    multi: false,
    qualname: 'BaseModel.read_group',
    params: ['domain', 'fields', 'groupby', ['offset', 0], ['limit', null], ['orderby', false], ['lazy', true]],
  },
  fields_get: {
    multi: false,
    qualname: 'BaseModel.fields_get',
    params: [
      ['allfields', null],
      ['attributes', null],
    ],
  },
  name_search: {
    multi: false,
    qualname: 'BaseModel.name_search',
    params: [
      ['name', ''],
      ['args', null],
      ['operator', 'ilike'],
      ['limit', 100],
    ],
  },
  action_confirm: { multi: true, qualname: 'SaleOrder.action_confirm', params: [] },
};

export function callModelMethod(env: RpcEnv, uid: number, modelName: string, method: string, args: unknown[], kwargs: Record<string, unknown>): unknown {
  const context = kwargs.context;
  delete kwargs.context;
  if (!env.models.has(modelName)) throw new OdooError('odoo.exceptions.UserError', `Object ${modelName} doesn't exist`);
  if (method.startsWith('_')) throw accessError(`Private methods (such as ${method}) cannot be called remotely.`);
  const spec = METHODS[method];
  if (!spec || (method === 'action_confirm' && modelName !== 'sale.order')) {
    throw attributeError(`The method '${method}' does not exist on the model '${modelName}'`);
  }
  let ids: number[] = [];
  let rest = args;
  if (spec.multi) {
    if (args.length === 0) throw new OdooError('builtins.IndexError', 'list index out of range');
    ids = toIdList(args[0]);
    rest = args.slice(1);
  }
  const a = bind(spec.qualname, spec.params, rest, kwargs, spec.varkw);
  const orm = new Orm({
    db: env.db,
    models: env.models,
    hooks: env.hooks,
    statements: env.statements,
    uid,
    now: env.now(),
    context: typeof context === 'object' && context !== null && !Array.isArray(context) ? (context as Record<string, unknown>) : {},
  });
  switch (method) {
    case 'search':
      return orm.search(modelName, a.domain, a);
    case 'search_count':
      return orm.searchCount(modelName, a.domain, a.limit);
    case 'search_read': {
      // Extra keywords go on to `read`, which knows only `load`.
      const extra = Object.keys(a).find((k) => !['domain', 'fields', 'offset', 'limit', 'order', 'load'].includes(k));
      if (extra) throw typeError(`BaseModel.read() got an unexpected keyword argument '${extra}'`);
      return orm.searchRead(modelName, a.domain, a.fields, { ...a, load: 'load' in a ? a.load : '_classic_read' });
    }
    case 'read':
      return orm.read(modelName, ids, a.fields, a.load);
    case 'create': {
      const single = typeof a.vals_list === 'object' && a.vals_list !== null && !Array.isArray(a.vals_list);
      const created = orm.create(modelName, single ? [a.vals_list as Record<string, unknown>] : toValsList(a.vals_list));
      return single ? created[0] : created;
    }
    case 'write':
      return orm.write(modelName, ids, a.vals);
    case 'unlink':
      return orm.unlink(modelName, ids);
    case 'read_group':
      return readGroup(orm, modelName, {
        domain: a.domain,
        fields: a.fields,
        groupby: a.groupby,
        offset: a.offset,
        limit: a.limit,
        orderby: a.orderby,
        lazy: a.lazy,
      });
    case 'fields_get':
      return orm.fieldsGet(modelName, a.allfields, a.attributes);
    case 'name_search':
      return orm.nameSearch(modelName, a.name, a.args, a.operator, a.limit);
    case 'action_confirm':
      return actionConfirm(orm, ids);
    default:
      throw attributeError(`The method '${method}' does not exist on the model '${modelName}'`);
  }
}

function toValsList(value: unknown): Record<string, unknown>[] {
  if (!Array.isArray(value)) throw valueError(`Expected create() to get a dictionary of values or a list of them, but got ${pyRepr(value)}.`);
  return value as Record<string, unknown>[];
}

/**
 * Binds positional and keyword arguments to a Python signature, raising the
 * TypeError Python would. Counts include `self`, as Python's messages do.
 */
export function bind(qualname: string, params: Params, args: unknown[], kwargs: Record<string, unknown>, varkw = false): Record<string, unknown> {
  const names = params.map((p) => (typeof p === 'string' ? p : p[0]));
  const required = params.filter((p) => typeof p === 'string').length;
  const selfOffset = qualname.startsWith('exp_') ? 0 : 1;
  if (args.length > names.length) {
    const min = required + selfOffset;
    const max = names.length + selfOffset;
    const takes = min === max ? `${max} positional argument${max === 1 ? '' : 's'}` : `from ${min} to ${max} positional arguments`;
    throw typeError(`${qualname}() takes ${takes} but ${args.length + selfOffset} ${args.length + selfOffset === 1 ? 'was' : 'were'} given`);
  }
  const out: Record<string, unknown> = {};
  names.forEach((name, i) => {
    if (i < args.length) out[name] = args[i];
  });
  for (const [key, value] of Object.entries(kwargs)) {
    if (names.includes(key)) {
      if (key in out) throw typeError(`${qualname}() got multiple values for argument '${key}'`);
      out[key] = value;
    } else if (varkw) {
      out[key] = value;
    } else {
      throw typeError(`${qualname}() got an unexpected keyword argument '${key}'`);
    }
  }
  const missing = names.filter((name, i) => typeof params[i] === 'string' && !(name in out));
  if (missing.length > 0) {
    const list = missing.map((m) => `'${m}'`);
    const joined = list.length === 1 ? list[0] : list.length === 2 ? `${list[0]} and ${list[1]}` : `${list.slice(0, -1).join(', ')}, and ${list.at(-1)}`;
    throw typeError(`${qualname}() missing ${missing.length} required positional argument${missing.length === 1 ? '' : 's'}: ${joined}`);
  }
  for (const p of params) {
    if (typeof p !== 'string' && !(p[0] in out)) out[p[0]] = p[1];
  }
  return out;
}
