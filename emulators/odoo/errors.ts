/**
 * Odoo's error envelope and the exceptions the emulator raises through it.
 *
 * Real Odoo answers every failed JSON-RPC call with HTTP 200 and
 * `{"error": {"code": 200, "message": "Odoo Server Error", "data": {name, debug, message, arguments, context}}}`,
 * where `name` is the Python exception's qualified class name. Clients switch
 * on `data.name` and show `data.message`, so both are reproduced exactly; the
 * traceback in `debug` is only a plausible stand-in.
 */

export class OdooError extends Error {
  constructor(
    /** Python class, e.g. `odoo.exceptions.MissingError` or `builtins.ValueError`. */
    readonly odooName: string,
    message: string,
    /** JSON-RPC error code: 200 for server errors, 100 for an expired session. */
    readonly code = 200,
    /** Overrides the generic "Odoo Server Error" (the session-expired envelope uses its own). */
    readonly envelopeMessage = 'Odoo Server Error',
    readonly args: unknown[] = [message],
  ) {
    super(message);
    this.name = 'OdooError';
  }
}

export const userError = (message: string) => new OdooError('odoo.exceptions.UserError', message);
export const valueError = (message: string) => new OdooError('builtins.ValueError', message);
export const typeError = (message: string) => new OdooError('builtins.TypeError', message);
export const attributeError = (message: string) => new OdooError('builtins.AttributeError', message);
export const validationError = (message: string) => new OdooError('odoo.exceptions.ValidationError', message);
export const accessError = (message: string) => new OdooError('odoo.exceptions.AccessError', message);
export const accessDenied = () => new OdooError('odoo.exceptions.AccessDenied', 'Access Denied');
export const keyError = (key: string) => new OdooError('builtins.KeyError', pyRepr(key), 200, 'Odoo Server Error', [key]);
export const sessionExpired = () => new OdooError('odoo.http.SessionExpiredException', 'Session expired', 100, 'Odoo Session Expired');

/** Odoo names the missing records as a recordset, `res.partner(7,)` or `res.partner(7, 8)`. */
export function missingError(model: string, ids: number[], uid: number): OdooError {
  return new OdooError('odoo.exceptions.MissingError', `Record does not exist or has been deleted.\n(Record: ${model}${pyRepr(ids, true)}, User: ${uid})`);
}

/** The body Odoo sends for a failed call, minus `jsonrpc`/`id`. */
export function errorEnvelope(error: OdooError): { code: number; message: string; data: Record<string, unknown> } {
  const shortName = error.odooName.startsWith('builtins.') ? error.odooName.slice('builtins.'.length) : error.odooName;
  return {
    code: error.code,
    message: error.envelopeMessage,
    data: {
      name: error.odooName,
      debug: `Traceback (most recent call last):\n  File "odoo-emulator", in execute\n${shortName}: ${error.message}\n`,
      message: error.message,
      arguments: error.args,
      context: {},
    },
  };
}

/**
 * Python's `repr`, because Odoo's messages embed domain leaves and values the
 * way Python prints them: `('name', 'contains', 'x')`, `[1, 2]`, `False`.
 * Arrays print as lists unless `asTuple`.
 */
export function pyRepr(value: unknown, asTuple = false): string {
  if (value === null || value === undefined) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value === 'number') {
    if (Number.isInteger(value)) return String(value);
    if (Number.isNaN(value)) return 'nan';
    if (!Number.isFinite(value)) return value > 0 ? 'inf' : '-inf';
    return String(value).replace(/e\+?/, 'e+').replace('e+-', 'e-');
  }
  if (typeof value === 'string') return pyStr(value);
  if (Array.isArray(value)) {
    const items = value.map((v) => pyRepr(v));
    if (!asTuple) return `[${items.join(', ')}]`;
    return items.length === 1 ? `(${items[0]},)` : `(${items.join(', ')})`;
  }
  if (typeof value === 'object') {
    return `{${Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => `${pyStr(k)}: ${pyRepr(v)}`)
      .join(', ')}}`;
  }
  return String(value);
}

function pyStr(s: string): string {
  // Python prefers single quotes and switches to double ones only to avoid escaping.
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of s) {
    if (ch === '\\') out += '\\\\';
    else if (ch === quote) out += `\\${quote}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (ch.charCodeAt(0) < 0x20 || ch.charCodeAt(0) === 0x7f) out += `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return out + quote;
}
