/**
 * The ERP subgraph's configuration: the only place it reads the environment.
 * Every setting is validated at start-up, so a mistake stops the process with
 * a message naming the variable and what it should hold, rather than failing
 * on the first request.
 */
import { ConfigError, envSettings, internalSharedSecret } from '../../../lib/settings.js';
import { readCacheSettings } from '../../../lib/cache/settings.js';
import type { CacheSettings } from '../../../lib/cache/types.js';
import { readResilienceSettings, type ResilienceSettings } from '../../../lib/resilience.js';

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
  /**
   * Retries of reads and the ERP's circuit breaker (lib/resilience.ts):
   * `ODOO_RETRY_ATTEMPTS` tries per read, the first included (defaults to 3; 1 turns retries off),
   * `ODOO_RETRY_BASE_MS` first backoff (defaults to 100), `ODOO_RETRY_MAX_MS` longest wait before
   * a retry, Retry-After included (defaults to 2000), `ODOO_BREAKER_FAILURES` consecutive failures
   * that open the circuit (defaults to 5), `ODOO_BREAKER_HALF_OPEN_MS` how long it stays open
   * before a trial call (defaults to 10000).
   */
  resilience?: ResilienceSettings;
}

export interface ErpSubgraphConfig {
  /** Port to listen on (`ERP_SUBGRAPH_PORT`); 0 picks a free one. Defaults to 4001. */
  port: number;
  /** Interface to listen on (`ERP_SUBGRAPH_HOST`). Defaults to 127.0.0.1. */
  host: string;
  odoo: OdooSettings;
  /** Unexpected errors keep their message outside production. True unless NODE_ENV is production. */
  development: boolean;
  /**
   * Secret shared with the gateway (`INTERNAL_SHARED_SECRET`): requests must be
   * signed with it (lib/internalAuth.ts). Required in production; unset in
   * development means the subgraph answers anyone. Never logged. Defaults to unset.
   */
  internalSecret?: string;
  /**
   * The cross-request cache of ERP records (lib/cache): `REDIS_URL` (shared by every replica),
   * `CACHE_MODE` (off | memory | redis), `CACHE_TTL_SECONDS`, `CACHE_TTLS`, `CACHE_STALE_SECONDS`,
   * `CACHE_PREFIX`. Defaults to redis when REDIS_URL is set, else memory; a config built by hand
   * without it (tests) has no cache.
   */
  cache?: CacheSettings;
  /** How often the ERP is polled for `write_date` changes, in ms (`ERP_CHANGE_POLL_MS`); 0 turns polling off. Defaults to 2000. */
  changePollMs?: number;
  /** Whether loads are batched into one native call per batch (`NATIVE_BATCHING`); false only for the benchmark's baseline. Defaults to true. */
  nativeBatching?: boolean;
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
      resilience: readResilienceSettings(s, 'ODOO', { retryAttempts: 3, retryBaseDelayMs: 100, retryMaxDelayMs: 2_000, breakerFailures: 5, breakerHalfOpenAfterMs: 10_000 }),
    },
    development: (env.NODE_ENV ?? '').trim() !== 'production',
    internalSecret: internalSharedSecret(env),
    cache: readCacheSettings(env),
    changePollMs: s.integer('ERP_CHANGE_POLL_MS', 2000, { min: 0, max: 3_600_000 }),
    nativeBatching: s.boolean('NATIVE_BATCHING', true),
  };
}
