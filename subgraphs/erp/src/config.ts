/**
 * The ERP subgraph's configuration: the only place it reads the environment.
 * Every setting is validated at start-up, so a mistake stops the process with
 * a message naming the variable and what it should hold, rather than failing
 * on the first request.
 */
import { internalSharedSecret } from '../../../lib/settings.js';
import { readSettings } from '../../../lib/config/index.js';
import { readCacheSettings } from '../../../lib/cache/settings.js';
import { readObservabilitySettings, type ObservabilitySettings } from '../../../lib/observability/settings.js';
import type { CacheSettings } from '../../../lib/cache/types.js';
import type { ResilienceSettings } from '../../../lib/resilience.js';
import { readOdooConnection } from '../../../lib/native/settings.js';

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
  /** How long an idle client connection is kept open, in ms (`HTTP_KEEPALIVE_TIMEOUT_MS`). */
  keepAliveTimeoutMs: number;
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
  /** Logs, metrics and traces (`LOG_LEVEL`, `TRACING`, `OTEL_EXPORTER_OTLP_ENDPOINT`, `METRICS_TOKEN`; lib/observability/settings.ts). Defaults to info logs, no tracing, open /metrics. */
  observability?: ObservabilitySettings;
}

/** Reads and validates the configuration; throws a ConfigError naming the first bad setting. */
export function loadErpConfig(env: NodeJS.ProcessEnv = process.env): ErpSubgraphConfig {
  const s = readSettings(env);
  return {
    port: s.get('ERP_SUBGRAPH_PORT'),
    host: s.get('ERP_SUBGRAPH_HOST'),
    keepAliveTimeoutMs: s.get('HTTP_KEEPALIVE_TIMEOUT_MS'),
    odoo: readOdooConnection(s),
    development: !s.production,
    internalSecret: internalSharedSecret(env),
    observability: readObservabilitySettings(env),
    cache: readCacheSettings(env),
    changePollMs: s.get('ERP_CHANGE_POLL_MS'),
    nativeBatching: s.get('NATIVE_BATCHING'),
  };
}
