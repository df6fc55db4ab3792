/**
 * Typed readers over the catalog. A component's config module calls
 * `readSettings(env)` once and asks for each setting by name; the name must be
 * declared in catalog.ts (or it does not compile), and the value comes back
 * parsed, with the declared default when the variable is unset or empty.
 */
import { SETTING_PREFIXES, SETTINGS, isSettingName, type SettingName, type SettingValue } from './catalog.js';
import { ConfigError } from './ConfigError.js';
import type { Setting } from './setting.js';

export type Env = Readonly<Record<string, string | undefined>>;

export interface SettingsReader {
  /**
   * The setting's value: parsed when set, else `options.default` when given
   * (a default that depends on another setting, such as NODE_ENV), else the
   * catalog's default. Throws a ConfigError naming the setting when the value
   * is not accepted.
   */
  get<N extends SettingName>(name: N, options?: { default: SettingValue<N> }): SettingValue<N>;
  /** The trimmed value as set, or undefined when unset or empty. For messages about combinations of settings; never for secrets. */
  raw(name: SettingName): string | undefined;
  /** Whether the variable is set to something other than blanks. */
  isSet(name: SettingName): boolean;
  /** NODE_ENV=production. */
  production: boolean;
}

export function readSettings(env: Env): SettingsReader {
  const raw = (name: SettingName): string | undefined => {
    const value = env[name]?.trim();
    return value === undefined || value === '' ? undefined : value;
  };
  const get = <N extends SettingName>(name: N, options?: { default: SettingValue<N> }): SettingValue<N> => {
    const spec = SETTINGS[name] as Setting<SettingValue<N>>;
    const value = raw(name);
    if (value === undefined) return options ? options.default : spec.default;
    return parseSetting(name, spec, value) as SettingValue<N>;
  };
  return { get, raw, isSet: (name) => raw(name) !== undefined, production: raw('NODE_ENV') === 'production' };
}

// Private: one value through its declaration; a secret's value never reaches the message.
function parseSetting<T>(name: string, spec: Setting<T>, value: string): Exclude<T, undefined> {
  const parsed = spec.parse(value);
  if (parsed === undefined) throw new ConfigError(name, spec.expected, spec.secret ? `(hidden, ${value.length} characters)` : value);
  return parsed;
}

export interface SettingsCheck {
  /** One ConfigError per declared setting whose value is not accepted. */
  errors: ConfigError[];
  /** One line per variable that looks like a misspelt setting. */
  warnings: string[];
}

/**
 * Checks every declared setting in `env` at once (so a start-up reports all
 * bad values, not only the first) and looks for misspellings: a variable with
 * one of the product's prefixes that is not declared.
 */
export function checkSettings(env: Env): SettingsCheck {
  const errors: ConfigError[] = [];
  for (const [name, spec] of Object.entries(SETTINGS) as [string, Setting<unknown>][]) {
    const value = env[name]?.trim();
    if (value === undefined || value === '') continue;
    try {
      parseSetting(name, spec, value);
    } catch (error) {
      errors.push(error as ConfigError);
    }
  }
  return {
    errors,
    warnings: unknownSettings(env).map(
      ({ name, suggestion }) =>
        `Unknown setting ${name} is ignored.${suggestion ? ` Did you mean ${suggestion}?` : ''} Every setting is listed in .env.example.`,
    ),
  };
}

/** Variables with one of the product's prefixes that no component reads, each with the closest declared name when one is close. */
export function unknownSettings(env: Env): { name: string; suggestion: string | undefined }[] {
  const declared = Object.keys(SETTINGS);
  return Object.keys(env)
    .filter((name) => SETTING_PREFIXES.some((p) => name.startsWith(p)) && !isSettingName(name))
    .sort()
    .map((name) => {
      let best: string | undefined;
      let bestDistance = Math.max(2, Math.floor(name.length / 4)) + 1;
      for (const candidate of declared) {
        const d = editDistance(name, candidate);
        if (d < bestDistance) {
          best = candidate;
          bestDistance = d;
        }
      }
      return { name, suggestion: best };
    });
}

/** Throws when any declared setting has a value it does not accept; the message lists each one. */
export function assertValidSettings(env: Env): void {
  const { errors } = checkSettings(env);
  if (errors.length === 1) throw errors[0]!;
  if (errors.length > 1) throw new InvalidSettingsError(errors);
}

/** Several bad settings at once; `errors` has one ConfigError each. */
export class InvalidSettingsError extends Error {
  constructor(readonly errors: readonly ConfigError[]) {
    super(`${errors.length} settings are invalid:\n${errors.map((e) => `  ${e.message}`).join('\n')}`);
    this.name = 'InvalidSettingsError';
  }
}

// Private: Levenshtein distance, for "Did you mean …?".
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}
