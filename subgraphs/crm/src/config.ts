/**
 * The CRM subgraph's configuration: the only place it reads the environment.
 * Every setting is validated here, so a mistake stops start-up with a message
 * naming the variable and what it should hold, instead of failing later on
 * the first request.
 */
import { envSettings, internalSharedSecret } from '../../../lib/settings.js';
import { readCacheSettings } from '../../../lib/cache/settings.js';
import type { CacheSettings } from '../../../lib/cache/types.js';
import type { ResilienceSettings } from '../../../lib/resilience.js';

export interface SalesforceConfig {
  /** Where OAuth tokens are requested (a real org uses https://login.salesforce.com or its My Domain). Defaults to http://127.0.0.1:8070, the emulator. */
  loginUrl: string;
  /** REST API version, e.g. `60.0`. Defaults to 60.0. */
  apiVersion: string;
  /** Connected app consumer key. Defaults to erp-crm-graph. */
  clientId: string;
  /** Connected app consumer secret. Defaults to dev-secret. Never logged. */
  clientSecret: string;
  /** Integration user. Defaults to integration@example.com. */
  username: string;
  /** Integration user's password (with security token appended for a real org). Defaults to dev-password. Never logged. */
  password: string;
  /** Time allowed for one Salesforce HTTP exchange, in milliseconds. Defaults to 30000. */
  timeoutMs: number;
  /**
   * Retries of reads and the CRM's circuit breaker (lib/resilience.ts):
   * `SALESFORCE_RETRY_ATTEMPTS` tries per read, the first included (defaults to 3; 1 turns retries off),
   * `SALESFORCE_RETRY_BASE_MS` first backoff (defaults to 200), `SALESFORCE_RETRY_MAX_MS` longest wait
   * before a retry, Retry-After included (defaults to 5000), `SALESFORCE_BREAKER_FAILURES` consecutive
   * failures that open the circuit (defaults to 5), `SALESFORCE_BREAKER_HALF_OPEN_MS` how long it stays
   * open before a trial call (defaults to 30000).
   */
  resilience: ResilienceSettings;
}

export interface CrmSubgraphConfig {
  /** Port to listen on; 0 picks a free one. Defaults to 4002. */
  port: number;
  /** Interface to listen on. Defaults to 127.0.0.1. */
  host: string;
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
}

type Env = Record<string, string | undefined>;

export class CrmConfigError extends Error {
  override readonly name = 'CrmConfigError';
}

/** Reads and validates the configuration; throws a CrmConfigError naming the first bad setting. */
export function loadCrmConfig(env: Env = process.env): CrmSubgraphConfig {
  // An empty variable counts as unset, as in most shells' `VAR= cmd`.
  const read = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value === undefined || value === '' ? undefined : value;
  };
  const text = (name: string, fallback: string) => read(name) ?? fallback;
  const integer = (name: string, fallback: number, min: number, max: number, expected: string): number => {
    const raw = read(name);
    if (raw === undefined) return fallback;
    const n = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
    if (!Number.isInteger(n) || n < min || n > max) {
      throw new CrmConfigError(`Expected ${name} to be ${expected}, but got ${JSON.stringify(raw)}.`);
    }
    return n;
  };

  const loginUrl = text('SALESFORCE_LOGIN_URL', 'http://127.0.0.1:8070');
  let parsed: URL | null = null;
  try {
    parsed = new URL(loginUrl);
  } catch {
    parsed = null;
  }
  if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) {
    throw new CrmConfigError(`Expected SALESFORCE_LOGIN_URL to be an http(s) URL such as https://login.salesforce.com, but got ${JSON.stringify(loginUrl)}.`);
  }

  let apiVersion = text('SALESFORCE_API_VERSION', '60.0').replace(/^v/i, '');
  if (/^\d+$/.test(apiVersion)) apiVersion = `${apiVersion}.0`;
  if (!/^\d{2,3}\.0$/.test(apiVersion)) {
    throw new CrmConfigError(`Expected SALESFORCE_API_VERSION to be a REST API version such as 60.0, but got ${JSON.stringify(read('SALESFORCE_API_VERSION'))}.`);
  }

  const currencyCode = text('CRM_CURRENCY', 'EUR').toUpperCase();
  if (!/^[A-Z]{3}$/.test(currencyCode)) {
    throw new CrmConfigError(`Expected CRM_CURRENCY to be a three-letter ISO 4217 code such as EUR, but got ${JSON.stringify(read('CRM_CURRENCY'))}.`);
  }

  return {
    port: integer('CRM_SUBGRAPH_PORT', 4002, 0, 65535, 'a port number from 0 to 65535 (0 picks a free port)'),
    host: text('CRM_SUBGRAPH_HOST', '127.0.0.1'),
    salesforce: {
      loginUrl: parsed.toString().replace(/\/$/, ''),
      apiVersion,
      clientId: text('SALESFORCE_CLIENT_ID', 'erp-crm-graph'),
      clientSecret: text('SALESFORCE_CLIENT_SECRET', 'dev-secret'),
      username: text('SALESFORCE_USERNAME', 'integration@example.com'),
      password: text('SALESFORCE_PASSWORD', 'dev-password'),
      timeoutMs: integer('SALESFORCE_TIMEOUT_MS', 30_000, 1, 600_000, 'a whole number of milliseconds from 1 to 600000'),
      resilience: {
        retryAttempts: integer('SALESFORCE_RETRY_ATTEMPTS', 3, 1, 10, 'a number of tries from 1 to 10 (1 turns retries off)'),
        retryBaseDelayMs: integer('SALESFORCE_RETRY_BASE_MS', 200, 0, 60_000, 'a whole number of milliseconds from 0 to 60000'),
        retryMaxDelayMs: integer('SALESFORCE_RETRY_MAX_MS', 5_000, 0, 300_000, 'a whole number of milliseconds from 0 to 300000'),
        breakerFailures: integer('SALESFORCE_BREAKER_FAILURES', 5, 1, 1_000, 'a number of consecutive failures from 1 to 1000'),
        breakerHalfOpenAfterMs: integer('SALESFORCE_BREAKER_HALF_OPEN_MS', 30_000, 1, 3_600_000, 'a whole number of milliseconds from 1 to 3600000'),
      },
    },
    currencyCode,
    development: env.NODE_ENV !== 'production',
    internalSecret: internalSecret(env),
    ...cacheConfig(env),
  };
}

// Private: the shared cache settings (lib/cache/settings.ts), errors restated in this config's own error type.
function cacheConfig(env: Env): Pick<CrmSubgraphConfig, 'cache' | 'changeWaitMs' | 'nativeBatching'> {
  try {
    const s = envSettings(env);
    return {
      cache: readCacheSettings(env),
      changeWaitMs: s.integer('CRM_CHANGE_WAIT_MS', 10_000, { min: 100, max: 60_000 }),
      nativeBatching: s.boolean('NATIVE_BATCHING', true),
    };
  } catch (error) {
    throw new CrmConfigError((error as Error).message);
  }
}

// Private: the shared rule (lib/settings.ts), its error restated in this config's own error type.
function internalSecret(env: Env): string | undefined {
  try {
    return internalSharedSecret(env);
  } catch (error) {
    throw new CrmConfigError((error as Error).message);
  }
}

/** The configuration with secrets replaced, for start-up logs. */
export function describeCrmConfig(config: CrmSubgraphConfig): string {
  const sf = config.salesforce;
  return `Salesforce ${sf.loginUrl} (API v${sf.apiVersion}, user ${sf.username}, client ${sf.clientId}), currency ${config.currencyCode}${config.development ? ', development mode' : ''}`;
}
