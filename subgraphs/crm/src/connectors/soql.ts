/**
 * SOQL literals. Every value that reaches a SOQL statement goes through
 * `soqlString` (or `soqlLike` inside LIKE), or is an id that passed
 * `normalizeSalesforceId`; nothing is ever concatenated raw, so a value such
 * as `' OR Name != '` stays one string literal.
 *
 * Escape sequences are those the SOQL reference allows in string literals:
 * \n \r \t \b \f \" \' \\, plus \_ and \% inside LIKE. SOQL rejects a backslash
 * before any other character, so other control characters cannot be written
 * at all and are refused here rather than sent.
 */
import { normalizeSalesforceId } from '../../../../lib/native/salesforceId.js';

const ESCAPES: Record<string, string> = {
  '\\': '\\\\',
  "'": "\\'",
  '"': '\\"',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\b': '\\b',
  '\f': '\\f',
};

// Control characters without a SOQL escape sequence (everything below U+0020 and DEL except the five above).
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNWRITABLE = /[\u0000-\u0007\u000b\u000e-\u001f\u007f]/;

/** A value the caller sent that SOQL cannot express: the caller's to fix (the loaders report it as BAD_USER_INPUT), not a server fault. */
export class SoqlValueError extends Error {
  override readonly name = 'SoqlValueError';
}

/** True when `value` can be written as a SOQL string literal. */
export function isSoqlWritable(value: string): boolean {
  return !UNWRITABLE.test(value);
}

function escapeBody(value: string): string {
  const bad = UNWRITABLE.exec(value);
  if (bad) {
    const code = bad[0].charCodeAt(0).toString(16).padStart(4, '0');
    throw new SoqlValueError(
      `Expected a value that SOQL can express, but ${JSON.stringify(value)} contains the control character U+${code.toUpperCase()}, for which SOQL has no escape sequence.`,
    );
  }
  return value.replace(/[\\'"\n\r\t\b\f]/g, (c) => ESCAPES[c]!);
}

/** A quoted SOQL string literal: `soqlString("O'Brien")` is `'O\'Brien'`. */
export function soqlString(value: string): string {
  return `'${escapeBody(value)}'`;
}

/**
 * A quoted LIKE pattern that matches `value` as literal text: `%` and `_` are
 * escaped too. Wildcards the caller does mean go in `prefix`/`suffix`, e.g.
 * `soqlLike(name, { suffix: '%' })` for "starts with".
 */
export function soqlLike(value: string, wildcards: { prefix?: '%' | ''; suffix?: '%' | '' } = {}): string {
  const body = escapeBody(value).replace(/[%_]/g, (c) => `\\${c}`);
  return `'${wildcards.prefix ?? ''}${body}${wildcards.suffix ?? ''}'`;
}

/** An id literal; throws unless `value` is a 15- or 18-character Salesforce id. */
export function soqlId(value: string): string {
  const id = normalizeSalesforceId(value);
  if (id === null) {
    throw new SoqlValueError(`Expected a 15- or 18-character Salesforce id, but got ${JSON.stringify(value)}.`);
  }
  return `'${id}'`;
}

/** `(lit1,lit2,...)` for an IN clause; the literals must come from the functions above. */
export function soqlList(literals: readonly string[]): string {
  if (literals.length === 0) throw new SoqlValueError('Expected at least one value for a SOQL IN list, but got none.');
  return `(${literals.join(',')})`;
}
