/**
 * A setting with a value that cannot be used. The message names the setting,
 * what it accepts and what arrived: `Invalid setting GATEWAY_PORT: expected an
 * integer from 0 to 65535, but got "http".` Secrets arrive already hidden.
 */
export class ConfigError extends Error {
  /** The environment variable at fault. */
  readonly setting: string;

  constructor(setting: string, expected: string, actual: string) {
    super(`Invalid setting ${setting}: expected ${expected}, but got ${JSON.stringify(actual)}.`);
    this.name = 'ConfigError';
    this.setting = setting;
  }
}
