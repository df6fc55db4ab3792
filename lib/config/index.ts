/**
 * The product's settings in one place: the catalog of every environment
 * variable (catalog.ts), typed readers over it (read.ts), and the generated
 * documentation (docs.ts; `npm run config:docs` writes `.env.example` and the
 * README table). Each component's config module reads through `readSettings`.
 */
export { ConfigError } from './ConfigError.js';
export {
  SETTINGS,
  SETTING_GROUPS,
  SETTING_PREFIXES,
  DEVELOPMENT_ODOO_API_KEY,
  DEVELOPMENT_SALESFORCE,
  isSettingName,
  type SettingName,
  type SettingValue,
} from './catalog.js';
export {
  readSettings,
  checkSettings,
  assertValidSettings,
  unknownSettings,
  InvalidSettingsError,
  type Env,
  type SettingsReader,
  type SettingsCheck,
} from './read.js';
export type { Component, Setting, SettingDoc } from './setting.js';
