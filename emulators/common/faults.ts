/**
 * Fault injection for the emulators: the ways a real Odoo or Salesforce (or the
 * network in front of it) fails, switched on per system, per model or object,
 * and per method, so connectors, subgraphs and the gateway can be tested
 * against them.
 *
 *   GET    /__emulator/faults   -> { rules: [...] }  (with how often each fired)
 *   PUT    /__emulator/faults   <- [rule, ...] or { rules: [...] }  replaces all rules
 *   DELETE /__emulator/faults   -> clears them and releases hung requests
 *
 * A rule: `{ match: { model?, object?, method? }, fault, ms?, status?, retryAfterSeconds?, times?, probability? }`
 * - `model` (Odoo) and `object` (Salesforce) are the same thing and match
 *   either; `method` is the Odoo method (`search_read`) or the Salesforce
 *   operation (`query`, `composite_read`, `retrieve`, `create`, `update`, ...),
 *   exactly as the native-call counter names them. Omitted parts match anything.
 * - `fault`: `latency` (wait `ms`, then serve normally), `http5xx` (`status`,
 *   default 503), `requestLimitExceeded` (Salesforce's 403 REQUEST_LIMIT_EXCEEDED),
 *   `tooManyRequests` (429 with `Retry-After: retryAfterSeconds`, default 1),
 *   `connectionReset` (the socket is destroyed without an answer),
 *   `malformedJson` (200 with a truncated JSON body), `hang` (headers are never
 *   sent and the connection stays open until the client gives up),
 *   `accessDenied` (the object or model cannot be read by the integration user:
 *   Salesforce's 400 INVALID_TYPE, which it answers for a query that reads an
 *   object the user cannot see, even in a relationship subquery; Odoo's
 *   JSON-RPC AccessError, with a null id as the fault does not read the request).
 * - `times` limits how many calls the rule hits (then it stops matching);
 *   `probability` (0–1) hits only that share of matching calls. The first
 *   matching rule wins.
 *
 * Faulted calls are counted in the native-call counter like served ones, so a
 * test can assert that a connector retried (or did not).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody, sendJson } from './http.js';

export const FAULT_KINDS = [
  'latency',
  'http5xx',
  'requestLimitExceeded',
  'tooManyRequests',
  'connectionReset',
  'malformedJson',
  'hang',
  'accessDenied',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface FaultRule {
  match?: { model?: string; object?: string; method?: string };
  fault: FaultKind;
  /** Delay for `latency`, in ms. */
  ms?: number;
  /** HTTP status for `http5xx`. Defaults to 503. */
  status?: number;
  /** `Retry-After` for `tooManyRequests` (and `http5xx` when given), in seconds. Defaults to 1 for 429. */
  retryAfterSeconds?: number;
  /** How many matching calls this rule faults before it stops matching. Defaults to every call. */
  times?: number;
  /** Share of matching calls that are faulted, from 0 to 1. Defaults to 1. */
  probability?: number;
}

/** What one native call is, for matching: the model or object, and the method or operation. */
export interface FaultTarget {
  model?: string;
  method?: string;
  /** Further objects the call reads (a query's relationship subqueries): a rule naming one of them matches too. */
  reads?: readonly string[];
}

export type FaultDialect = 'odoo' | 'salesforce';

/**
 * Thrown by `FaultInjector.before` for a fault that replaces the answer; the
 * emulator's request handler catches it and lets it answer (or not answer).
 */
export class InjectedFault extends Error {
  override readonly name = 'InjectedFault';
  constructor(
    readonly rule: FaultRule,
    readonly target: FaultTarget,
  ) {
    super(`Injected ${rule.fault} fault for ${target.model ?? '*'}.${target.method ?? '*'}.`);
  }

  /** Answers the request the way the fault says; `headers` are added to HTTP answers (e.g. Sforce-Limit-Info). */
  answer(res: ServerResponse, dialect: FaultDialect, headers: Record<string, string> = {}): void {
    const { rule } = this;
    const what = `${this.target.model ?? ''}${this.target.method ? `.${this.target.method}` : ''}`;
    switch (rule.fault) {
      case 'http5xx': {
        const status = rule.status ?? 503;
        const extra: Record<string, string> = rule.retryAfterSeconds !== undefined ? { 'retry-after': String(rule.retryAfterSeconds) } : {};
        if (dialect === 'salesforce') {
          sendJson(res, status, [{ errorCode: 'SERVER_UNAVAILABLE', message: `Injected fault: the server is temporarily unable to serve ${what}.` }], {
            ...headers,
            ...extra,
          });
        } else {
          // What a reverse proxy in front of a stopped Odoo worker answers: HTML, not JSON-RPC.
          const body = `<html><head><title>${status} Service Unavailable</title></head><body><h1>${status}</h1><p>Injected fault while serving ${what}.</p></body></html>`;
          res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(body), ...headers, ...extra });
          res.end(body);
        }
        return;
      }
      case 'requestLimitExceeded':
        // Salesforce's exact answer once the org's daily allocation or the concurrent cap is used up.
        sendJson(res, 403, [{ message: 'TotalRequests Limit exceeded.', errorCode: 'REQUEST_LIMIT_EXCEEDED' }], headers);
        return;
      case 'tooManyRequests': {
        const retryAfter = String(rule.retryAfterSeconds ?? 1);
        const body =
          dialect === 'salesforce'
            ? [{ errorCode: 'TOO_MANY_REQUESTS', message: `Injected fault: too many requests; retry after ${retryAfter} s.` }]
            : { error: `Too many requests; retry after ${retryAfter} s.` };
        sendJson(res, 429, body, { ...headers, 'retry-after': retryAfter });
        return;
      }
      case 'connectionReset':
        res.socket?.destroy();
        return;
      case 'malformedJson': {
        const body = dialect === 'salesforce' ? '{"totalSize": 1, "done": true, "records": [{"attributes": ' : '{"jsonrpc": "2.0", "id": 1, "result": [{"id": ';
        res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body), ...headers });
        res.end(body);
        return;
      }
      case 'accessDenied': {
        const object = rule.match?.object ?? rule.match?.model ?? this.target.model ?? 'unknown';
        if (dialect === 'salesforce') {
          sendJson(
            res,
            400,
            [
              {
                message: `sObject type '${object}' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names.`,
                errorCode: 'INVALID_TYPE',
              },
            ],
            headers,
          );
        } else {
          const message = `You are not allowed to access '${object}' (${object}) records. (Injected fault.)`;
          sendJson(
            res,
            200,
            {
              jsonrpc: '2.0',
              id: null,
              error: { code: 200, message: 'Odoo Server Error', data: { name: 'odoo.exceptions.AccessError', message, arguments: [message], context: {} } },
            },
            headers,
          );
        }
        return;
      }
      case 'hang':
        // Nothing is written; the emulator's close() (closeAllConnections) or the client ends it.
        return;
      case 'latency':
        throw new TypeError('A latency fault delays the call and never replaces its answer.');
    }
  }
}

export class FaultInjector {
  private rules: { rule: FaultRule; hits: number }[] = [];

  constructor(rules: readonly FaultRule[] = []) {
    this.set(rules);
  }

  /** Replaces every rule; throws a TypeError naming the first invalid one. */
  set(rules: readonly unknown[]): void {
    this.rules = rules.map((rule, i) => ({ rule: validateRule(rule, i), hits: 0 }));
  }

  clear(): void {
    this.rules = [];
  }

  /** Whether any rule is set: naming a call for the rules can cost more than serving it needs. */
  get active(): boolean {
    return this.rules.length > 0;
  }

  list(): (FaultRule & { hits: number })[] {
    return this.rules.map(({ rule, hits }) => ({ ...rule, hits }));
  }

  /** The rule that faults this call, if any; counts the hit. */
  pick(target: FaultTarget): FaultRule | undefined {
    for (const entry of this.rules) {
      const { rule } = entry;
      if (!matches(rule, target)) continue;
      if (rule.times !== undefined && entry.hits >= rule.times) continue;
      if (rule.probability !== undefined && Math.random() >= rule.probability) continue;
      entry.hits++;
      return rule;
    }
    return undefined;
  }

  /**
   * Call before serving a native call: waits out a latency fault, throws an
   * InjectedFault for a fault that replaces the answer, and otherwise returns.
   * `count` is called for replacing faults when the emulator has not counted
   * the call yet, so that faulted calls show in the native-call counter.
   */
  async before(target: FaultTarget, count?: () => void): Promise<void> {
    if (!this.active) return;
    const rule = this.pick(target);
    if (!rule) return;
    if (rule.fault === 'latency') {
      if ((rule.ms ?? 0) > 0) await new Promise((resolve) => setTimeout(resolve, rule.ms));
      return;
    }
    count?.();
    throw new InjectedFault(rule, target);
  }
}

/**
 * Parses `EMULATOR_FAULTS`-style JSON (a list of rules); throws an error that
 * says what was expected when it is not one.
 */
export function parseFaultRules(json: string, source = 'the fault rules'): FaultRule[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (error) {
    throw new TypeError(`Expected ${source} to be a JSON list of fault rules, but it is not JSON: ${(error as Error).message}.`, { cause: error });
  }
  const list = Array.isArray(parsed) ? parsed : (parsed as { rules?: unknown } | null)?.rules;
  if (!Array.isArray(list))
    throw new TypeError(`Expected ${source} to be a JSON list of fault rules (or {"rules": [...]}), but got ${JSON.stringify(parsed)?.slice(0, 200)}.`);
  return list.map((rule, i) => validateRule(rule, i));
}

/** Serves `/__emulator/faults`; returns false for any other path. */
export async function handleFaultDiagnostics(req: IncomingMessage, res: ServerResponse, faults: FaultInjector): Promise<boolean> {
  const path = (req.url ?? '').split('?')[0];
  if (path !== '/__emulator/faults') return false;
  if (req.method === 'GET') {
    sendJson(res, 200, { rules: faults.list() });
  } else if (req.method === 'DELETE') {
    faults.clear();
    sendJson(res, 200, { rules: [] });
  } else if (req.method === 'PUT' || req.method === 'POST') {
    try {
      faults.set(parseFaultRules((await readBody(req)).toString('utf8'), 'the request body'));
      sendJson(res, 200, { rules: faults.list() });
    } catch (error) {
      sendJson(res, 400, { error: (error as Error).message });
    }
  } else {
    sendJson(res, 405, { error: `/__emulator/faults takes GET, PUT or DELETE, not ${req.method}.` }, { allow: 'GET, PUT, DELETE' });
  }
  return true;
}

// Private: names compare case-insensitively, because Salesforce object names do
// (`account` and `Account` are one object) and Odoo's are lower case anyway.
function matches(rule: FaultRule, target: FaultTarget): boolean {
  const model = rule.match?.model ?? rule.match?.object;
  const same = (a: string | undefined, b: string | undefined) => a === undefined || (b !== undefined && a.toLowerCase() === b.toLowerCase());
  const readsModel = same(model, target.model) || (target.reads ?? []).some((read) => same(model, read));
  return readsModel && same(rule.match?.method, target.method);
}

function validateRule(value: unknown, index: number): FaultRule {
  const where = `fault rule ${index + 1}`;
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new TypeError(`Expected ${where} to be an object such as {"match": {"model": "res.partner"}, "fault": "http5xx"}, but got ${JSON.stringify(value)}.`);
  const rule = value as Record<string, unknown>;
  if (!FAULT_KINDS.includes(rule.fault as FaultKind))
    throw new TypeError(`Expected ${where} to have "fault" set to one of ${FAULT_KINDS.join(', ')}, but got ${JSON.stringify(rule.fault)}.`);
  const match = rule.match ?? {};
  if (typeof match !== 'object' || match === null || Array.isArray(match))
    throw new TypeError(`Expected "match" in ${where} to be an object with model, object or method, but got ${JSON.stringify(match)}.`);
  for (const [key, part] of Object.entries(match)) {
    if (!['model', 'object', 'method'].includes(key) || typeof part !== 'string') {
      throw new TypeError(
        `Expected "match" in ${where} to hold only string "model", "object" or "method", but got ${JSON.stringify(key)}: ${JSON.stringify(part)}.`,
      );
    }
  }
  const number = (name: string, min: number, max: number) => {
    const n = rule[name];
    if (n === undefined) return;
    if (typeof n !== 'number' || !Number.isFinite(n) || n < min || n > max)
      throw new TypeError(`Expected "${name}" in ${where} to be a number from ${min} to ${max}, but got ${JSON.stringify(n)}.`);
  };
  number('ms', 0, 600_000);
  number('status', 500, 599);
  number('retryAfterSeconds', 0, 86_400);
  number('times', 0, Number.MAX_SAFE_INTEGER);
  number('probability', 0, 1);
  return { ...(rule as unknown as FaultRule), match: match as FaultRule['match'] };
}
