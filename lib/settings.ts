/**
 * Parsers for environment settings. Each config module uses these so that every
 * bad value gets the same kind of error: the setting's name, what was expected,
 * and what arrived.
 */
export class ConfigError extends Error {
  constructor(setting: string, expected: string, actual: string) {
    super(`Invalid setting ${setting}: expected ${expected}, but got ${JSON.stringify(actual)}.`);
    this.name = 'ConfigError';
  }
}

export function envSettings(env: NodeJS.ProcessEnv) {
  const raw = (name: string): string | undefined => {
    const value = env[name];
    return value === undefined || value.trim() === '' ? undefined : value.trim();
  };
  const integer = (name: string, fallback: number, range: { min?: number; max?: number } = {}): number => {
    const value = raw(name);
    if (value === undefined) return fallback;
    const n = Number(value);
    const min = range.min ?? Number.MIN_SAFE_INTEGER;
    const max = range.max ?? Number.MAX_SAFE_INTEGER;
    if (!/^-?\d+$/.test(value) || n < min || n > max) {
      throw new ConfigError(name, `an integer${range.min !== undefined ? ` from ${min}` : ''}${range.max !== undefined ? ` to ${max}` : ''}`, value);
    }
    return n;
  };
  const url = (name: string, fallback: string): string => {
    const value = raw(name) ?? fallback;
    try {
      const parsed = new URL(value);
      if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error('not http');
    } catch {
      throw new ConfigError(name, 'an http(s) URL', value);
    }
    return value.replace(/\/+$/, '');
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
      if (/^(1|true|yes|on)$/i.test(value)) return true;
      if (/^(0|false|no|off)$/i.test(value)) return false;
      throw new ConfigError(name, 'true or false', value);
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
  const value = env.INTERNAL_SHARED_SECRET?.trim() || undefined;
  const production = (env.NODE_ENV ?? '').trim() === 'production';
  // The value itself never goes into a message: only what is wrong with it.
  if (value === undefined && production) {
    throw new ConfigError('INTERNAL_SHARED_SECRET', 'a secret shared by the gateway and the subgraphs (required when NODE_ENV=production)', '');
  }
  if (value !== undefined && value.length < 32) {
    throw new ConfigError('INTERNAL_SHARED_SECRET', 'at least 32 characters', `(hidden, ${value.length} characters)`);
  }
  return value;
}
