/**
 * The gateway's settings: read once from the environment through the settings
 * catalog (lib/config; every name, default and accepted value is declared
 * there), validated, and passed down as one typed object. Nothing else in the
 * gateway reads `process.env`.
 */
import { resolve } from 'node:path';
import { repoRoot } from '../../lib/subgraphSchemas.js';
import { ConfigError, internalSharedSecret } from '../../lib/settings.js';
import { readSettings, type SettingsReader } from '../../lib/config/index.js';
import { readObservabilitySettings, type ObservabilitySettings } from '../../lib/observability/settings.js';
import { readRedisTarget } from '../../lib/cache/settings.js';
import type { RedisTarget } from '../../lib/cache/redisConnection.js';

export interface GatewayConfig {
  /** Port to listen on; 0 picks a free one. Defaults to 4000. */
  port: number;
  /** Interface to bind. Defaults to 127.0.0.1. */
  host: string;
  /** How long an idle client connection is kept open, in ms (`HTTP_KEEPALIVE_TIMEOUT_MS`). */
  keepAliveTimeoutMs: number;
  /** The composed supergraph file. Defaults to schema/supergraph.graphql. */
  supergraphPath: string;
  /** Subgraph URLs that replace the ones composed into the supergraph, by subgraph name. Defaults to none. */
  subgraphUrls: Record<string, string>;
  /** Development mode shows unmasked errors. Defaults to true unless NODE_ENV=production. */
  development: boolean;
  /** Whether the schema explorer is served at `/` (`GATEWAY_EXPLORER`). Defaults to true, false when NODE_ENV=production. */
  explorer: boolean;
  /** Whether introspection queries are answered (`GATEWAY_INTROSPECTION`). Defaults to true, false when NODE_ENV=production. */
  introspection: boolean;
  /** Whether @apollo/gateway may send Apollo its usage metrics (`GATEWAY_APOLLO_TELEMETRY`). Defaults to false. */
  apolloTelemetry: boolean;
  /** Largest request body accepted, in bytes. Defaults to 1 MiB. */
  maxBodyBytes: number;
  /** Longest each `/health/ready` check (a subgraph, a native system, Redis) may take, in ms (`GATEWAY_HEALTH_TIMEOUT_MS`). Defaults to 2000. */
  healthTimeoutMs: number;
  /** On stop, how long in-flight requests may run before their connections are cut, in ms (`GATEWAY_SHUTDOWN_GRACE_MS`). Defaults to 10000. */
  shutdownGraceMs: number;
  /** Limits on what one request may ask for (gateway/src/plugins/). */
  limits: LimitsConfig;
  /** Who may call, and how their bearer tokens are checked. */
  auth: AuthConfig;
  /**
   * For a field the caller lacks the `@requiresScopes` scopes for: `error`
   * returns null and a FORBIDDEN error naming the field and scope; `mask`
   * returns null silently (`AUTHZ_POLICY`). Defaults to error.
   */
  authorizationPolicy: 'error' | 'mask';
  /** Secret the gateway signs subgraph requests with (`INTERNAL_SHARED_SECRET`); required in production. Defaults to unset (unsigned, development). */
  internalSecret: string | undefined;
  /** Serve only allowlisted operations (trusted documents). */
  trustedDocuments: TrustedDocumentsConfig;
  /** What the gateway keeps in the shared cache, and how it reaches subgraphs. */
  performance: GatewayPerformanceConfig;
  /** Logs, metrics and traces (`LOG_LEVEL`, `TRACING`, `OTEL_EXPORTER_OTLP_ENDPOINT`, `METRICS_TOKEN`; lib/observability/settings.ts). */
  observability: ObservabilitySettings;
}

export interface GatewayPerformanceConfig {
  /**
   * Redis for automatic persisted queries and query plans shared by every replica (`REDIS_URL`,
   * `REDIS_CLUSTER`). Defaults to unset: each replica keeps its own, in memory.
   */
  redis?: RedisTarget;
  /** Prefix of the gateway's Redis keys (`CACHE_PREFIX`). Defaults to ecg. */
  cachePrefix: string;
  /** How long a persisted query is kept, in seconds (`APQ_TTL_SECONDS`). Defaults to 86400. */
  apqTtlSeconds: number;
  /** How long a query plan is kept in Redis, in seconds (`QUERY_PLAN_TTL_SECONDS`). Defaults to 86400. */
  queryPlanTtlSeconds: number;
  /** Most query plans each replica keeps in memory in front of Redis (`QUERY_PLAN_LOCAL_ENTRIES`). Defaults to 500. */
  queryPlanLocalEntries: number;
  /**
   * Most whole query answers each replica keeps (`RESPONSE_CACHE_MAX_ENTRIES`); 0 turns the response cache off.
   * It needs `redis`: invalidations reach the gateway over Redis pub/sub. Defaults to 2000.
   */
  responseCacheEntries: number;
  /** Most MiB of answers the response cache holds (`RESPONSE_CACHE_MAX_MB`). Defaults to 32. */
  responseCacheMiB: number;
  /** Most kept-alive connections per subgraph (`SUBGRAPH_CONNECTIONS`). Defaults to 64. */
  subgraphConnections: number;
  /** How long an idle subgraph connection is kept, in ms (`SUBGRAPH_KEEPALIVE_MS`). Defaults to 30000. */
  subgraphKeepAliveMs: number;
  /** Identical subgraph queries in flight at once (same body, same caller scopes) share one request (`SUBGRAPH_DEDUPE_INFLIGHT`). Defaults to true. */
  dedupeInflight: boolean;
  /** Queries a plan sends to one subgraph at once go out as one batched request (`SUBGRAPH_BATCHING`). Defaults to true. */
  batchSubgraphFetches: boolean;
}

export interface LimitsConfig {
  /** Deepest field nesting an operation may have (`GATEWAY_MAX_DEPTH`). Defaults to 12. */
  maxDepth: number;
  /** Most aliased fields in one operation (`GATEWAY_MAX_ALIASES`). Defaults to 15. */
  maxAliases: number;
  /** Highest estimated cost: each field 1, list fields times their `first` or the default list size (`GATEWAY_MAX_COST`). Defaults to 25000. */
  maxCost: number;
  /** List size assumed for list fields without a `first` argument (`GATEWAY_DEFAULT_LIST_SIZE`). Defaults to 20. */
  defaultListSize: number;
  /** Most operations in one batched HTTP request; 1 turns batching off (`GATEWAY_MAX_BATCH`). Defaults to 10. */
  maxBatch: number;
  /** Most lexical tokens in one document, checked while parsing (`GATEWAY_MAX_TOKENS`). Defaults to 5000. */
  maxTokens: number;
}

export interface TrustedDocumentsConfig {
  /** Whether only allowlisted operations are served (`GATEWAY_TRUSTED_DOCUMENTS`). Defaults to false. */
  enabled: boolean;
  /** Folder of `.graphql` files that form the allowlist (`GATEWAY_TRUSTED_DOCUMENTS_DIR`). Defaults to schema/operations. */
  dir: string;
}

interface TokenChecks {
  /** Required `iss` claim (`AUTH_ISSUER`). Defaults to erp-crm-graph-dev in development; required in production. */
  issuer: string;
  /** Required `aud` claim (`AUTH_AUDIENCE`). Defaults to erp-crm-graph. */
  audience: string;
  /** Leeway for `exp` and `nbf`, in seconds (`AUTH_CLOCK_TOLERANCE_S`). Defaults to 30. */
  clockToleranceSeconds: number;
  /** Claim holding the scopes, a space-separated string or an array (`AUTH_SCOPE_CLAIM`). Defaults to scope. */
  scopeClaim: string;
  /** How long a verified token is remembered, in seconds, never past its expiry; 0 checks every request (`AUTH_TOKEN_CACHE_SECONDS`). Defaults to 60. */
  tokenCacheSeconds: number;
}

/** `AUTH_MODE`: off (development only), hs256 (a shared secret) or jwks (public keys from a URL or a file). Defaults to off in development; production requires hs256 or jwks. */
export type AuthConfig =
  | { mode: 'off' }
  | ({
      mode: 'hs256';
      /** `AUTH_JWT_SECRET`, at least 32 characters; never logged. Defaults to a public development secret outside production. */ secret: string;
      developmentSecret: boolean;
    } & TokenChecks)
  | ({
      mode: 'jwks';
      /** `AUTH_JWKS_URL` */ jwksUrl?: string;
      /** `AUTH_JWKS_FILE` */ jwksFile?: string;
      /** How long a key set fetched from `jwksUrl` is used before it is fetched again (`AUTH_JWKS_CACHE_SECONDS`). Defaults to 600. */
      jwksCacheSeconds: number;
    } & TokenChecks);

/**
 * The secret `AUTH_MODE=hs256` uses when AUTH_JWT_SECRET is unset, in
 * development only: public, so tokens signed with it prove nothing.
 */
export const DEVELOPMENT_JWT_SECRET = 'development-only-secret-do-not-use-in-production-0123456789';

function loadAuthConfig(s: SettingsReader, development: boolean): AuthConfig {
  const mode = s.get('AUTH_MODE');
  if (mode === 'off') {
    if (!development)
      throw new ConfigError(
        'AUTH_MODE',
        'hs256 or jwks when NODE_ENV=production (the gateway does not run without authentication in production)',
        s.raw('AUTH_MODE') ?? '',
      );
    return { mode };
  }
  const issuer = s.get('AUTH_ISSUER', { default: development ? 'erp-crm-graph-dev' : '' });
  if (!issuer) throw new ConfigError('AUTH_ISSUER', 'the issuer (`iss`) tokens must carry, required when NODE_ENV=production', '');
  const checks: TokenChecks = {
    issuer,
    audience: s.get('AUTH_AUDIENCE'),
    clockToleranceSeconds: s.get('AUTH_CLOCK_TOLERANCE_S'),
    scopeClaim: s.get('AUTH_SCOPE_CLAIM'),
    tokenCacheSeconds: s.get('AUTH_TOKEN_CACHE_SECONDS'),
  };
  if (mode === 'hs256') {
    // The secret itself never goes into a message: only what is wrong with it (the reader checks its length).
    const configured = s.get('AUTH_JWT_SECRET');
    if (!configured && !development)
      throw new ConfigError('AUTH_JWT_SECRET', 'a secret of at least 32 characters when AUTH_MODE=hs256 and NODE_ENV=production', '');
    if (configured === DEVELOPMENT_JWT_SECRET && !development)
      throw new ConfigError('AUTH_JWT_SECRET', 'a secret of your own in production, not the public development secret', '(hidden)');
    return { mode, secret: configured ?? DEVELOPMENT_JWT_SECRET, developmentSecret: !configured, ...checks };
  }
  const jwksUrl = s.get('AUTH_JWKS_URL');
  const jwksFileSetting = s.get('AUTH_JWKS_FILE');
  const jwksFile = jwksFileSetting ? resolve(repoRoot, jwksFileSetting) : undefined;
  if (!jwksUrl === !jwksFile) {
    throw new ConfigError(
      'AUTH_JWKS_URL',
      'exactly one of AUTH_JWKS_URL or AUTH_JWKS_FILE when AUTH_MODE=jwks',
      jwksUrl && jwksFile ? 'both set' : 'neither set',
    );
  }
  return { mode, jwksUrl, jwksFile, jwksCacheSeconds: s.get('AUTH_JWKS_CACHE_SECONDS'), ...checks };
}

export function loadGatewayConfig(env: NodeJS.ProcessEnv = process.env): GatewayConfig {
  const s = readSettings(env);
  const development = !s.production;
  const subgraphUrls: Record<string, string> = {};
  const erp = s.get('ERP_SUBGRAPH_URL');
  const crm = s.get('CRM_SUBGRAPH_URL');
  const workflow = s.get('WORKFLOW_SUBGRAPH_URL');
  if (erp) subgraphUrls.erp = erp;
  if (crm) subgraphUrls.crm = crm;
  if (workflow) subgraphUrls.workflow = workflow;
  return {
    port: s.get('GATEWAY_PORT'),
    host: s.get('GATEWAY_HOST'),
    keepAliveTimeoutMs: s.get('HTTP_KEEPALIVE_TIMEOUT_MS'),
    supergraphPath: resolve(repoRoot, s.get('SUPERGRAPH_PATH')),
    subgraphUrls,
    development,
    // Production exposes neither the schema nor a playground unless asked to.
    explorer: s.get('GATEWAY_EXPLORER', { default: development }),
    introspection: s.get('GATEWAY_INTROSPECTION', { default: development }),
    apolloTelemetry: s.get('GATEWAY_APOLLO_TELEMETRY'),
    maxBodyBytes: s.get('GATEWAY_MAX_BODY_BYTES'),
    healthTimeoutMs: s.get('GATEWAY_HEALTH_TIMEOUT_MS'),
    shutdownGraceMs: s.get('GATEWAY_SHUTDOWN_GRACE_MS'),
    limits: {
      maxDepth: s.get('GATEWAY_MAX_DEPTH'),
      maxAliases: s.get('GATEWAY_MAX_ALIASES'),
      maxCost: s.get('GATEWAY_MAX_COST'),
      defaultListSize: s.get('GATEWAY_DEFAULT_LIST_SIZE'),
      maxBatch: s.get('GATEWAY_MAX_BATCH'),
      maxTokens: s.get('GATEWAY_MAX_TOKENS'),
    },
    auth: loadAuthConfig(s, development),
    authorizationPolicy: s.get('AUTHZ_POLICY'),
    internalSecret: internalSharedSecret(env),
    observability: readObservabilitySettings(env),
    trustedDocuments: {
      enabled: s.get('GATEWAY_TRUSTED_DOCUMENTS'),
      dir: resolve(repoRoot, s.get('GATEWAY_TRUSTED_DOCUMENTS_DIR')),
    },
    performance: {
      redis: readRedisTarget(env),
      cachePrefix: s.get('CACHE_PREFIX'),
      apqTtlSeconds: s.get('APQ_TTL_SECONDS'),
      queryPlanTtlSeconds: s.get('QUERY_PLAN_TTL_SECONDS'),
      queryPlanLocalEntries: s.get('QUERY_PLAN_LOCAL_ENTRIES'),
      responseCacheEntries: s.get('RESPONSE_CACHE_MAX_ENTRIES'),
      responseCacheMiB: s.get('RESPONSE_CACHE_MAX_MB'),
      subgraphConnections: s.get('SUBGRAPH_CONNECTIONS'),
      subgraphKeepAliveMs: s.get('SUBGRAPH_KEEPALIVE_MS'),
      dedupeInflight: s.get('SUBGRAPH_DEDUPE_INFLIGHT'),
      batchSubgraphFetches: s.get('SUBGRAPH_BATCHING'),
    },
  };
}
