/**
 * Shared setting rules. The catalog of every setting and its typed readers live
 * in lib/config/; this module keeps `ConfigError`, the low-level `envSettings`
 * parsers (for code that has not moved to `readSettings`), and the one rule
 * that spans settings: `INTERNAL_SHARED_SECRET`.
 */
import { ConfigError } from './config/ConfigError.js';
import { readSettings } from './config/read.js';
import { integerExpected, parseBoolean, parseHttpUrl, parseInteger } from './config/setting.js';

export { ConfigError };

/**
 * Parsers for environment settings by name and fallback, with the same errors
 * as the catalog's readers. Prefer `readSettings(env).get(NAME)` from
 * lib/config, which takes the default and the accepted range from the
 * catalog; every name read here must still be declared there (a test scans
 * the source for it).
 */
export function envSettings(env: NodeJS.ProcessEnv) {
  const raw = (name: string): string | undefined => {
    const value = env[name];
    return value === undefined || value.trim() === '' ? undefined : value.trim();
  };
  const integer = (name: string, fallback: number, range: { min?: number; max?: number } = {}): number => {
    const value = raw(name);
    if (value === undefined) return fallback;
    const n = parseInteger(value, range.min ?? Number.MIN_SAFE_INTEGER, range.max ?? Number.MAX_SAFE_INTEGER);
    if (n === undefined) throw new ConfigError(name, integerExpected(range.min, range.max), value);
    return n;
  };
  const url = (name: string, fallback: string): string => {
    const value = raw(name) ?? fallback;
    const parsed = parseHttpUrl(value);
    if (parsed === undefined) throw new ConfigError(name, 'an http(s) URL', value);
    return parsed;
  };
  return {
    string: (name: string, fallback: string): string => raw(name) ?? fallback,
    integer,
    port: (name: string, fallback: number) => integer(name, fallback, { min: 0, max: 65535 }),
    url,
    optionalUrl: (name: string): string | undefined => (raw(name) === undefined ? undefined : url(name, '')),
    boolean: (name: string, fallback: boolean): boolean => {
      const value = raw(name);
      if (value === undefined) return fallback;
      const parsed = parseBoolean(value);
      if (parsed === undefined) throw new ConfigError(name, 'true or false', value);
      return parsed;
    },
    oneOf: <T extends string>(name: string, allowed: readonly T[], fallback: T): T => {
      const value = raw(name) ?? fallback;
      if (!(allowed as readonly string[]).includes(value)) throw new ConfigError(name, `one of ${allowed.join(', ')}`, value);
      return value as T;
    },
  };
}

/**
 * `INTERNAL_SHARED_SECRET`, the key the gateway signs subgraph requests with
 * (lib/internalAuth.ts), read the same way by the gateway and every subgraph.
 * Required in production, at least 32 characters; unset in development.
 */
export function internalSharedSecret(env: NodeJS.ProcessEnv): string | undefined {
  const s = readSettings(env);
  // The value itself never goes into a message: only what is wrong with it (the reader hides it too).
  const value = s.get('INTERNAL_SHARED_SECRET');
  if (value === undefined && s.production) {
    throw new ConfigError('INTERNAL_SHARED_SECRET', 'a secret shared by the gateway and the subgraphs (required when NODE_ENV=production)', '');
  }
  return value;
}
