/**
 * The workflow subgraph's configuration: the only place it reads the
 * environment. It writes to both native systems, so it needs both sets of
 * credentials; each is validated at start-up and a bad value stops the process
 * with a message naming the variable.
 */
import { readOdooConnection, readSalesforceConnection, type OdooConnectionSettings, type SalesforceConnectionSettings } from '../../../lib/native/settings.js';
import { internalSharedSecret } from '../../../lib/settings.js';
import { readSettings } from '../../../lib/config/index.js';
import { readObservabilitySettings, type ObservabilitySettings } from '../../../lib/observability/settings.js';
import { readRedisTarget } from '../../../lib/cache/settings.js';
import type { RedisTarget } from '../../../lib/cache/redisConnection.js';

/** Odoo, reached with the ERP subgraph's settings (`ODOO_*`). */
export type WorkflowOdooSettings = OdooConnectionSettings;

/** Salesforce, reached with the CRM subgraph's settings (`SALESFORCE_*`). */
export type WorkflowSalesforceSettings = SalesforceConnectionSettings;

export interface WorkflowSubgraphConfig {
  /** Port to listen on (`WORKFLOW_SUBGRAPH_PORT`); 0 picks a free one. Defaults to 4003. */
  port: number;
  /** Interface to listen on (`WORKFLOW_SUBGRAPH_HOST`). Defaults to 127.0.0.1. */
  host: string;
  /** How long an idle client connection is kept open, in ms (`HTTP_KEEPALIVE_TIMEOUT_MS`). */
  keepAliveTimeoutMs: number;
  odoo: WorkflowOdooSettings;
  salesforce: WorkflowSalesforceSettings;
  /** The currency of every Money the workflows report (`WORKFLOW_CURRENCY`). Defaults to EUR, the ERP's company currency. */
  currencyCode: string;
  /**
   * Redis for the cross-process idempotency guard (`REDIS_URL`, `REDIS_CLUSTER`). Without it the
   * guard is the ERP search by `client_order_ref` inside an in-process lock,
   * which is exact for one replica only. Defaults to none.
   */
  redis: RedisTarget | undefined;
  /** Prefix of the lock keys in Redis (`WORKFLOW_LOCK_PREFIX`), so several deployments can share one Redis. Defaults to workflow:lock:. */
  lockPrefix: string;
  /** The deployment's prefix of Redis keys and channels (`CACHE_PREFIX`), shared with the ERP subgraph's change poll. Defaults to ecg. */
  cachePrefix: string;
  /**
   * After a mutation, longest wait for the ERP subgraph to poll for what it wrote and drop the stale
   * cache entries (`WORKFLOW_ERP_REFRESH_WAIT_MS`); 0 does not ask. Defaults to 2000.
   */
  erpRefreshWaitMs: number;
  /**
   * After a mutation that wrote to Salesforce, longest wait for the CRM subgraph to publish those writes'
   * change events as cache drops (`WORKFLOW_CRM_REFRESH_WAIT_MS`); 0 does not ask. Defaults to 2000.
   */
  crmRefreshWaitMs: number;
  /** How long a cross-process lock is held at most before it expires, in ms (`WORKFLOW_LOCK_TTL_MS`). Defaults to 60000. */
  lockTtlMs: number;
  /** How long a completed result is replayed to a retry with the same key, in ms (`WORKFLOW_RESULT_TTL_MS`). Defaults to 86400000 (a day). */
  resultTtlMs: number;
  /** Which workflow outcomes are logged (`WORKFLOW_LOG`): `info` (every outcome), `warn` (only INCOMPLETE and FAILED ones), `off`. Defaults to info. */
  logLevel: 'info' | 'warn' | 'off';
  /** Unexpected errors keep their message outside production. True unless NODE_ENV is production. */
  development: boolean;
  /**
   * Secret shared with the gateway (`INTERNAL_SHARED_SECRET`): requests must be
   * signed with it (lib/internalAuth.ts). Required in production; unset in
   * development means the subgraph answers anyone. Never logged. Defaults to unset.
   */
  internalSecret: string | undefined;
  /** Logs, metrics and traces (`LOG_LEVEL`, `TRACING`, `OTEL_EXPORTER_OTLP_ENDPOINT`, `METRICS_TOKEN`; lib/observability/settings.ts). Defaults to info logs, no tracing, open /metrics. */
  observability?: ObservabilitySettings;
}

/** Reads and validates the configuration; throws a ConfigError naming the first bad setting. */
export function loadWorkflowConfig(env: NodeJS.ProcessEnv = process.env): WorkflowSubgraphConfig {
  // The catalog (lib/config/catalog.ts) normalizes the API version (v61 → 61.0) and the currency (eur → EUR).
  const s = readSettings(env);
  return {
    port: s.get('WORKFLOW_SUBGRAPH_PORT'),
    host: s.get('WORKFLOW_SUBGRAPH_HOST'),
    keepAliveTimeoutMs: s.get('HTTP_KEEPALIVE_TIMEOUT_MS'),
    odoo: readOdooConnection(s),
    salesforce: readSalesforceConnection(s),
    currencyCode: s.get('WORKFLOW_CURRENCY'),
    redis: readRedisTarget(env),
    lockPrefix: s.get('WORKFLOW_LOCK_PREFIX'),
    cachePrefix: s.get('CACHE_PREFIX'),
    erpRefreshWaitMs: s.get('WORKFLOW_ERP_REFRESH_WAIT_MS'),
    crmRefreshWaitMs: s.get('WORKFLOW_CRM_REFRESH_WAIT_MS'),
    lockTtlMs: s.get('WORKFLOW_LOCK_TTL_MS'),
    resultTtlMs: s.get('WORKFLOW_RESULT_TTL_MS'),
    logLevel: s.get('WORKFLOW_LOG'),
    development: !s.production,
    internalSecret: internalSharedSecret(env),
    observability: readObservabilitySettings(env),
  };
}

/** The configuration without secrets, for start-up logs. */
export function describeWorkflowConfig(config: WorkflowSubgraphConfig): string {
  return `Odoo ${config.odoo.url} (db ${config.odoo.db}, user ${config.odoo.login}), Salesforce ${config.salesforce.loginUrl} (API v${config.salesforce.apiVersion}, user ${config.salesforce.username}), cross-process guard ${config.redis ? 'Redis' : 'none (single replica)'}`;
}
