/**
 * The workflow subgraph's configuration: the only place it reads the
 * environment. It writes to both native systems, so it needs both sets of
 * credentials; each is validated at start-up and a bad value stops the process
 * with a message naming the variable.
 */
import { readResilienceSettings, type ResilienceSettings } from '../../../lib/resilience.js';
import { ConfigError, envSettings, internalSharedSecret } from '../../../lib/settings.js';

export interface WorkflowOdooSettings {
  /** Base URL of the Odoo server (`ODOO_URL`). Defaults to http://127.0.0.1:8069. */
  url: string;
  /** Database name (`ODOO_DB`). Defaults to odoo. */
  db: string;
  /** Login of the integration user (`ODOO_LOGIN`). Defaults to admin. */
  login: string;
  /** That user's API key (`ODOO_API_KEY`). Never logged. Defaults to the emulator's development key. */
  apiKey: string;
  /** Time allowed for one Odoo HTTP exchange, in ms (`ODOO_TIMEOUT_MS`). Defaults to 30000. */
  timeoutMs: number;
  /** Retries of reads and the ERP circuit breaker: the ERP subgraph's `ODOO_RETRY_*` / `ODOO_BREAKER_*` settings and defaults. */
  resilience: ResilienceSettings;
}

export interface WorkflowSalesforceSettings {
  /** Where OAuth tokens are requested (`SALESFORCE_LOGIN_URL`). Defaults to http://127.0.0.1:8070, the emulator. */
  loginUrl: string;
  /** REST API version (`SALESFORCE_API_VERSION`). Defaults to 60.0. */
  apiVersion: string;
  /** Connected app consumer key (`SALESFORCE_CLIENT_ID`). Defaults to erp-crm-graph. */
  clientId: string;
  /** Connected app secret (`SALESFORCE_CLIENT_SECRET`). Never logged. Defaults to dev-secret. */
  clientSecret: string;
  /** Integration user (`SALESFORCE_USERNAME`). Defaults to integration@example.com. */
  username: string;
  /** Its password (`SALESFORCE_PASSWORD`). Never logged. Defaults to dev-password. */
  password: string;
  /** Time allowed for one Salesforce HTTP exchange, in ms (`SALESFORCE_TIMEOUT_MS`). Defaults to 30000. */
  timeoutMs: number;
  /** Retries of GETs and the CRM circuit breaker: the CRM subgraph's `SALESFORCE_RETRY_*` / `SALESFORCE_BREAKER_*` settings and defaults. */
  resilience: ResilienceSettings;
}

export interface WorkflowSubgraphConfig {
  /** Port to listen on (`WORKFLOW_SUBGRAPH_PORT`); 0 picks a free one. Defaults to 4003. */
  port: number;
  /** Interface to listen on (`WORKFLOW_SUBGRAPH_HOST`). Defaults to 127.0.0.1. */
  host: string;
  odoo: WorkflowOdooSettings;
  salesforce: WorkflowSalesforceSettings;
  /** The currency of every Money the workflows report (`WORKFLOW_CURRENCY`). Defaults to EUR, the ERP's company currency. */
  currencyCode: string;
  /**
   * Redis for the cross-process idempotency guard (`REDIS_URL`). Without it the
   * guard is the ERP search by `client_order_ref` inside an in-process lock,
   * which is exact for one replica only. Defaults to none.
   */
  redisUrl: string | undefined;
  /** Prefix of the lock keys in Redis (`WORKFLOW_LOCK_PREFIX`), so several deployments can share one Redis. Defaults to workflow:lock:. */
  lockPrefix: string;
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
}

const DEVELOPMENT_API_KEY = '0123456789abcdef0123456789abcdef01234567';

/** Reads and validates the configuration; throws a ConfigError naming the first bad setting. */
export function loadWorkflowConfig(env: NodeJS.ProcessEnv = process.env): WorkflowSubgraphConfig {
  const s = envSettings(env);
  const apiKey = s.string('ODOO_API_KEY', DEVELOPMENT_API_KEY);
  if (/\s/.test(apiKey)) throw new ConfigError('ODOO_API_KEY', 'an API key without whitespace', '(hidden)');
  let apiVersion = s.string('SALESFORCE_API_VERSION', '60.0').replace(/^v/i, '');
  if (/^\d+$/.test(apiVersion)) apiVersion = `${apiVersion}.0`;
  if (!/^\d{2,3}\.0$/.test(apiVersion)) throw new ConfigError('SALESFORCE_API_VERSION', 'a REST API version such as 60.0', apiVersion);
  const currencyCode = s.string('WORKFLOW_CURRENCY', 'EUR').toUpperCase();
  if (!/^[A-Z]{3}$/.test(currencyCode)) throw new ConfigError('WORKFLOW_CURRENCY', 'a three-letter ISO 4217 code such as EUR', currencyCode);
  const redisUrl = s.string('REDIS_URL', '');
  if (redisUrl !== '' && !/^rediss?:\/\//.test(redisUrl)) throw new ConfigError('REDIS_URL', 'a redis:// or rediss:// URL', redisUrl);
  return {
    port: s.port('WORKFLOW_SUBGRAPH_PORT', 4003),
    host: s.string('WORKFLOW_SUBGRAPH_HOST', '127.0.0.1'),
    odoo: {
      url: s.url('ODOO_URL', 'http://127.0.0.1:8069'),
      db: s.string('ODOO_DB', 'odoo'),
      login: s.string('ODOO_LOGIN', 'admin'),
      apiKey,
      timeoutMs: s.integer('ODOO_TIMEOUT_MS', 30_000, { min: 1, max: 600_000 }),
      resilience: readResilienceSettings(s, 'ODOO', { retryAttempts: 3, retryBaseDelayMs: 100, retryMaxDelayMs: 2_000, breakerFailures: 5, breakerHalfOpenAfterMs: 10_000 }),
    },
    salesforce: {
      loginUrl: s.url('SALESFORCE_LOGIN_URL', 'http://127.0.0.1:8070'),
      apiVersion,
      clientId: s.string('SALESFORCE_CLIENT_ID', 'erp-crm-graph'),
      clientSecret: s.string('SALESFORCE_CLIENT_SECRET', 'dev-secret'),
      username: s.string('SALESFORCE_USERNAME', 'integration@example.com'),
      password: s.string('SALESFORCE_PASSWORD', 'dev-password'),
      timeoutMs: s.integer('SALESFORCE_TIMEOUT_MS', 30_000, { min: 1, max: 600_000 }),
      resilience: readResilienceSettings(s, 'SALESFORCE', { retryAttempts: 3, retryBaseDelayMs: 200, retryMaxDelayMs: 5_000, breakerFailures: 5, breakerHalfOpenAfterMs: 30_000 }),
    },
    currencyCode,
    redisUrl: redisUrl === '' ? undefined : redisUrl,
    lockPrefix: s.string('WORKFLOW_LOCK_PREFIX', 'workflow:lock:'),
    lockTtlMs: s.integer('WORKFLOW_LOCK_TTL_MS', 60_000, { min: 1_000, max: 3_600_000 }),
    resultTtlMs: s.integer('WORKFLOW_RESULT_TTL_MS', 86_400_000, { min: 0 }),
    logLevel: s.oneOf('WORKFLOW_LOG', ['info', 'warn', 'off'] as const, 'info'),
    development: (env.NODE_ENV ?? '').trim() !== 'production',
    internalSecret: internalSharedSecret(env),
  };
}

/** The configuration without secrets, for start-up logs. */
export function describeWorkflowConfig(config: WorkflowSubgraphConfig): string {
  return `Odoo ${config.odoo.url} (db ${config.odoo.db}, user ${config.odoo.login}), Salesforce ${config.salesforce.loginUrl} (API v${config.salesforce.apiVersion}, user ${config.salesforce.username}), cross-process guard ${config.redisUrl ? 'Redis' : 'none (single replica)'}`;
}
