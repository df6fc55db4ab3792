/**
 * What one setting is: its kind, default, accepted values and documentation,
 * and how a raw environment value becomes a typed one. The catalog
 * (catalog.ts) declares every setting once with the builders below; the
 * readers (read.ts) and the generated documentation (docs.ts) both use it.
 */

/** A part of the product that reads settings: each has one config module (or, for the stack, scripts/stack.ts). */
export type Component = 'gateway' | 'erp' | 'crm' | 'workflow' | 'odoo-emulator' | 'salesforce-emulator' | 'stack' | 'tests';

export type SettingKind = 'integer' | 'text' | 'url' | 'boolean' | 'choice' | 'path' | 'json';

export interface SettingDoc {
  /** Heading the setting is listed under in `.env.example` and the README. */
  group: string;
  /** One or two sentences: what it does, in the words an operator needs. */
  description: string;
  /** The components whose configuration reads it. */
  components: readonly Component[];
  /** Never logged, never quoted in an error, empty in `.env.example`. Defaults to false. */
  secret?: boolean;
  /** The default as documentation states it, when it is not a fixed value (e.g. "true; false when NODE_ENV=production"). Defaults to the `default` value. */
  defaultText?: string;
  /** A value shown in `.env.example` for a setting without a default. Defaults to none. */
  example?: string;
}

/**
 * One declared setting. `T` is what its reader returns: `undefined` is part
 * of it exactly when the setting has no default.
 */
export interface Setting<T> extends SettingDoc {
  readonly kind: SettingKind;
  /** Used when the variable is unset or empty. */
  readonly default: T;
  /** What the setting accepts, as errors and documentation phrase it ("an integer from 0 to 65535"). */
  readonly expected: string;
  /** For `choice` settings, the accepted values. */
  readonly values?: readonly string[];
  /** Turns a trimmed, non-empty value into the typed one; undefined when the value is not accepted. */
  parse(value: string): Exclude<T, undefined> | undefined;
}

// Private: the common part every builder fills in.
function setting<T>(
  kind: SettingKind,
  defaultValue: T,
  expected: string,
  parse: (value: string) => Exclude<T, undefined> | undefined,
  doc: SettingDoc,
  values?: readonly string[],
): Setting<T> {
  return { kind, default: defaultValue, expected, parse, values, ...doc };
}

export function parseInteger(value: string, min: number, max: number): number | undefined {
  if (!/^-?\d+$/.test(value)) return undefined;
  const n = Number(value);
  return n >= min && n <= max ? n : undefined;
}

export function integerExpected(min?: number, max?: number): string {
  if (min !== undefined && max !== undefined) return `an integer from ${min} to ${max}`;
  if (min !== undefined) return `an integer of at least ${min}`;
  if (max !== undefined) return `an integer of at most ${max}`;
  return 'an integer';
}

/** An http(s) URL without trailing slashes, or undefined. */
export function parseHttpUrl(value: string): string | undefined {
  try {
    const parsed = new URL(value);
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return undefined;
  } catch {
    return undefined;
  }
  return value.replace(/\/+$/, '');
}

export function parseBoolean(value: string): boolean | undefined {
  if (/^(1|true|yes|on)$/i.test(value)) return true;
  if (/^(0|false|no|off)$/i.test(value)) return false;
  return undefined;
}

/** An integer from `min` to `max` (inclusive). Omitted bounds are the safe-integer limits. */
export function integer(defaultValue: number, range: { min?: number; max?: number }, doc: SettingDoc): Setting<number> {
  const min = range.min ?? Number.MIN_SAFE_INTEGER;
  const max = range.max ?? Number.MAX_SAFE_INTEGER;
  return setting('integer', defaultValue, integerExpected(range.min, range.max), (v) => parseInteger(v, min, max), doc);
}

/** A TCP port; 0 picks a free one. */
export function port(defaultValue: number, doc: SettingDoc): Setting<number> {
  return integer(defaultValue, { min: 0, max: 65535 }, doc);
}

export interface TextRule {
  /** What an accepted value looks like, for messages and docs. Defaults to "any text". */
  expected?: string;
  /** Normalizes the value and says whether it is accepted (undefined: not accepted). Defaults to accepting any value as it is. */
  parse?: (value: string) => string | undefined;
}

export function text(defaultValue: string, doc: SettingDoc, rule: TextRule = {}): Setting<string> {
  return setting('text', defaultValue, rule.expected ?? 'any text', rule.parse ?? ((v) => v), doc);
}

/** Text with no default: the reader returns undefined when it is unset. */
export function optionalText(doc: SettingDoc, rule: TextRule = {}): Setting<string | undefined> {
  return setting<string | undefined>('text', undefined, rule.expected ?? 'any text', rule.parse ?? ((v) => v), doc);
}

/** A file or folder path, relative to the repository root unless absolute. The component resolves it. */
export function path(defaultValue: string, doc: SettingDoc): Setting<string> {
  return setting('path', defaultValue, 'a path (relative to the repository root unless absolute)', (v) => v, doc);
}

export function optionalPath(doc: SettingDoc): Setting<string | undefined> {
  return setting<string | undefined>('path', undefined, 'a path (relative to the repository root unless absolute)', (v) => v, doc);
}

/** An http(s) URL; trailing slashes are removed. */
export function httpUrl(defaultValue: string, doc: SettingDoc): Setting<string> {
  return setting('url', defaultValue, 'an http(s) URL', parseHttpUrl, doc);
}

export function optionalHttpUrl(doc: SettingDoc): Setting<string | undefined> {
  return setting<string | undefined>('url', undefined, 'an http(s) URL', parseHttpUrl, doc);
}

/** One redis:// or rediss:// URL, or several comma-separated (the seed nodes of a Redis Cluster). */
export function optionalRedisUrl(doc: SettingDoc): Setting<string | undefined> {
  return setting<string | undefined>(
    'url',
    undefined,
    'a redis:// or rediss:// URL (comma-separated seed nodes for a Redis Cluster)',
    (v) => (v.split(',').every((one) => /^rediss?:\/\/\S/.test(one.trim())) ? v : undefined),
    doc,
  );
}

/** true/false (also 1/0, yes/no, on/off, any case). */
export function flag(defaultValue: boolean, doc: SettingDoc): Setting<boolean> {
  return setting('boolean', defaultValue, 'true or false', parseBoolean, doc);
}

export function choice<const V extends string>(values: readonly V[], defaultValue: V, doc: SettingDoc): Setting<V> {
  return setting('choice', defaultValue, `one of ${values.join(', ')}`, (v) => ((values as readonly string[]).includes(v) ? (v as V) : undefined), doc, values);
}

/** JSON text, checked for syntax here; its structure is checked by the component that reads it. */
export function optionalJson(doc: SettingDoc, expected: string): Setting<string | undefined> {
  return setting<string | undefined>(
    'json',
    undefined,
    expected,
    (v) => {
      try {
        JSON.parse(v);
        return v;
      } catch {
        return undefined;
      }
    },
    doc,
  );
}

export interface SecretRule {
  /** Shortest accepted value. Defaults to 1. */
  minLength?: number;
  /** Whether whitespace is refused. Defaults to false. */
  noWhitespace?: boolean;
  /** What an accepted value looks like. Defaults to a phrase built from the two rules above. */
  expected?: string;
}

// Private: a secret's check and its wording; the value itself never appears in either.
function secretRule(rule: SecretRule): { expected: string; parse: (v: string) => string | undefined } {
  const min = rule.minLength ?? 1;
  const expected =
    rule.expected ?? [min > 1 ? `at least ${min} characters` : 'a value', rule.noWhitespace ? 'without whitespace' : ''].filter(Boolean).join(' ');
  return { expected, parse: (v) => (v.length >= min && !(rule.noWhitespace && /\s/.test(v)) ? v : undefined) };
}

/** A secret with a (development) default; never quoted in errors, empty in `.env.example`. */
export function secret(defaultValue: string, doc: Omit<SettingDoc, 'secret'>, rule: SecretRule = {}): Setting<string> {
  const { expected, parse } = secretRule(rule);
  return setting('text', defaultValue, expected, parse, { ...doc, secret: true });
}

/** A secret without a default: the reader returns undefined when it is unset. */
export function optionalSecret(doc: Omit<SettingDoc, 'secret'>, rule: SecretRule = {}): Setting<string | undefined> {
  const { expected, parse } = secretRule(rule);
  return setting<string | undefined>('text', undefined, expected, parse, { ...doc, secret: true });
}
