/**
 * The CRM subgraph's configuration: the only place it reads the environment.
 * Every setting is validated here, so a mistake stops start-up with a message
 * naming the variable and what it should hold, instead of failing later on
 * the first request.
 */
import { internalSharedSecret } from '../../../lib/settings.js';
import { readSettings } from '../../../lib/config/index.js';
import { readCacheSettings } from '../../../lib/cache/settings.js';
import { readObservabilitySettings, type ObservabilitySettings } from '../../../lib/observability/settings.js';
import type { CacheSettings } from '../../../lib/cache/types.js';
import { readSalesforceConnection, type SalesforceConnectionSettings } from '../../../lib/native/settings.js';

/** How the CRM subgraph reaches Salesforce (`SALESFORCE_*`). */
export type SalesforceConfig = SalesforceConnectionSettings;

export interface CrmSubgraphConfig {
  /** Port to listen on; 0 picks a free one. Defaults to 4002. */
  port: number;
  /** Interface to listen on. Defaults to 127.0.0.1. */
  host: string;
  /** How long an idle client connection is kept open, in ms (`HTTP_KEEPALIVE_TIMEOUT_MS`). */
  keepAliveTimeoutMs: number;
  salesforce: SalesforceConfig;
  /** The org's currency (ISO 4217) for every Money the CRM returns. Defaults to EUR. */
  currencyCode: string;
  /** Unexpected errors keep their message and stack outside production. True unless NODE_ENV is production. */
  development: boolean;
  /**
   * Secret shared with the gateway (`INTERNAL_SHARED_SECRET`): requests must be
   * signed with it (lib/internalAuth.ts). Required in production; unset in
   * development means the subgraph answers anyone. Never logged. Defaults to unset.
   */
  internalSecret?: string;
  /**
   * The cross-request cache of CRM records (lib/cache): `REDIS_URL` (shared by every replica),
   * `CACHE_MODE` (off | memory | redis), `CACHE_TTL_SECONDS`, `CACHE_TTLS`, `CACHE_STALE_SECONDS`,
   * `CACHE_PREFIX`. Defaults to redis when REDIS_URL is set, else memory; a config built by hand
   * without it (tests) has no cache.
   */
  cache?: CacheSettings;
  /** How long one long poll of the Change Data Capture stream waits for events, in ms (`CRM_CHANGE_WAIT_MS`). Defaults to 10000. */
  changeWaitMs?: number;
  /** Whether loads are batched into one native call per batch (`NATIVE_BATCHING`); false only for the benchmark's baseline. Defaults to true. */
  nativeBatching?: boolean;
  /** Logs, metrics and traces (`LOG_LEVEL`, `TRACING`, `OTEL_EXPORTER_OTLP_ENDPOINT`, `METRICS_TOKEN`; lib/observability/settings.ts). Defaults to info logs, no tracing, open /metrics. */
  observability?: ObservabilitySettings;
}

type Env = Record<string, string | undefined>;

/** Reads and validates the configuration; throws a ConfigError naming the first bad setting. */
export function loadCrmConfig(env: Env = process.env): CrmSubgraphConfig {
  // Names, defaults and accepted values are declared in lib/config/catalog.ts; an empty variable counts as unset.
  const s = readSettings(env);
  return {
    port: s.get('CRM_SUBGRAPH_PORT'),
    host: s.get('CRM_SUBGRAPH_HOST'),
    keepAliveTimeoutMs: s.get('HTTP_KEEPALIVE_TIMEOUT_MS'),
    salesforce: readSalesforceConnection(s),
    currencyCode: s.get('CRM_CURRENCY'),
    development: !s.production,
    internalSecret: internalSharedSecret(env),
    observability: readObservabilitySettings(env),
    cache: readCacheSettings(env),
    changeWaitMs: s.get('CRM_CHANGE_WAIT_MS'),
    nativeBatching: s.get('NATIVE_BATCHING'),
  };
}

/** The configuration with secrets replaced, for start-up logs. */
export function describeCrmConfig(config: CrmSubgraphConfig): string {
  const sf = config.salesforce;
  return `Salesforce ${sf.loginUrl} (API v${sf.apiVersion}, user ${sf.username}, client ${sf.clientId}), currency ${config.currencyCode}${config.development ? ', development mode' : ''}`;
}
