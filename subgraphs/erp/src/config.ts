/**
 * The ERP subgraph's configuration: the only place it reads the environment.
 * Every setting is validated at start-up, so a mistake stops the process with
 * a message naming the variable and what it should hold, rather than failing
 * on the first request.
 */
import { ConfigError, envSettings } from '../../../lib/settings.js';

export interface OdooSettings {
  /** Base URL of the Odoo server (`ODOO_URL`). Defaults to http://127.0.0.1:8069. */
  url: string;
  /** Database name (`ODOO_DB`). Defaults to odoo. */
  db: string;
  /** Login of the integration user (`ODOO_LOGIN`). Defaults to admin. */
  login: string;
  /** That user's API key (`ODOO_API_KEY`). Never logged. Defaults to the emulator's development key. */
  apiKey: string;
  /** Time allowed for one Odoo HTTP exchange, in milliseconds (`ODOO_TIMEOUT_MS`). Defaults to 30000. */
  timeoutMs?: number;
}

export interface ErpSubgraphConfig {
  /** Port to listen on (`ERP_SUBGRAPH_PORT`); 0 picks a free one. Defaults to 4001. */
  port: number;
  /** Interface to listen on (`ERP_SUBGRAPH_HOST`). Defaults to 127.0.0.1. */
  host: string;
  odoo: OdooSettings;
  /** Unexpected errors keep their message outside production. True unless NODE_ENV is production. */
  development: boolean;
}

const DEVELOPMENT_API_KEY = '0123456789abcdef0123456789abcdef01234567';

/** Reads and validates the configuration; throws a ConfigError naming the first bad setting. */
export function loadErpConfig(env: NodeJS.ProcessEnv = process.env): ErpSubgraphConfig {
  const s = envSettings(env);
  const apiKey = s.string('ODOO_API_KEY', DEVELOPMENT_API_KEY);
  // The key itself never goes into a message: only what is wrong with it.
  if (/\s/.test(apiKey)) throw new ConfigError('ODOO_API_KEY', 'an API key without whitespace', '(hidden)');
  return {
    port: s.port('ERP_SUBGRAPH_PORT', 4001),
    host: s.string('ERP_SUBGRAPH_HOST', '127.0.0.1'),
    odoo: {
      url: s.url('ODOO_URL', 'http://127.0.0.1:8069'),
      db: s.string('ODOO_DB', 'odoo'),
      login: s.string('ODOO_LOGIN', 'admin'),
      apiKey,
      timeoutMs: s.integer('ODOO_TIMEOUT_MS', 30_000, { min: 1, max: 600_000 }),
    },
    development: (env.NODE_ENV ?? '').trim() !== 'production',
  };
}
