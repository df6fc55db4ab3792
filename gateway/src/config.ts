/**
 * The gateway's settings: read once from the environment, validated, and passed
 * down as one typed object. Nothing else in the gateway reads `process.env`.
 */
import { resolve } from 'node:path';
import { repoRoot } from '../../lib/subgraphSchemas.js';
import { ConfigError, envSettings, internalSharedSecret } from '../../lib/settings.js';

export interface GatewayConfig {
  /** Port to listen on; 0 picks a free one. Defaults to 4000. */
  port: number;
  /** Interface to bind. Defaults to 127.0.0.1. */
  host: string;
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
}

export interface GatewayPerformanceConfig {
  /**
   * Redis for automatic persisted queries shared by every replica (`REDIS_URL`). Defaults to unset:
   * Apollo's in-memory LRU per replica. Query plans always stay in memory: @apollo/gateway's plan
   * store cannot be replaced by an external cache.
   */
  redisUrl?: string;
  /** Prefix of the gateway's Redis keys (`CACHE_PREFIX`). Defaults to ecg. */
  cachePrefix: string;
  /** How long a persisted query is kept, in seconds (`APQ_TTL_SECONDS`). Defaults to 86400. */
  apqTtlSeconds: number;
  /** Most kept-alive connections per subgraph (`SUBGRAPH_CONNECTIONS`). Defaults to 64. */
  subgraphConnections: number;
  /** How long an idle subgraph connection is kept, in ms (`SUBGRAPH_KEEPALIVE_MS`). Defaults to 30000. */
  subgraphKeepAliveMs: number;
  /** Identical subgraph queries in flight at once (same body, same caller scopes) share one request (`SUBGRAPH_DEDUPE_INFLIGHT`). Defaults to true. */
  dedupeInflight: boolean;
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
}

/** `AUTH_MODE`: off (development only), hs256 (a shared secret) or jwks (public keys from a URL or a file). Defaults to off in development; production requires hs256 or jwks. */
export type AuthConfig =
  | { mode: 'off' }
  | ({ mode: 'hs256'; /** `AUTH_JWT_SECRET`, at least 32 characters; never logged. Defaults to a public development secret outside production. */ secret: string; developmentSecret: boolean } & TokenChecks)
  | ({ mode: 'jwks'; /** `AUTH_JWKS_URL` */ jwksUrl?: string; /** `AUTH_JWKS_FILE` */ jwksFile?: string } & TokenChecks);

/**
 * The secret `AUTH_MODE=hs256` uses when AUTH_JWT_SECRET is unset, in
 * development only: public, so tokens signed with it prove nothing.
 */
export const DEVELOPMENT_JWT_SECRET = 'development-only-secret-do-not-use-in-production-0123456789';

function loadAuthConfig(s: ReturnType<typeof envSettings>, env: NodeJS.ProcessEnv, development: boolean): AuthConfig {
  const mode = s.oneOf('AUTH_MODE', ['off', 'hs256', 'jwks'] as const, 'off');
  if (mode === 'off') {
    if (!development) throw new ConfigError('AUTH_MODE', 'hs256 or jwks when NODE_ENV=production (the gateway does not run without authentication in production)', env.AUTH_MODE ?? '');
    return { mode };
  }
  const issuer = s.string('AUTH_ISSUER', development ? 'erp-crm-graph-dev' : '');
  if (!issuer) throw new ConfigError('AUTH_ISSUER', 'the issuer (`iss`) tokens must carry, required when NODE_ENV=production', '');
  const checks: TokenChecks = {
    issuer,
    audience: s.string('AUTH_AUDIENCE', 'erp-crm-graph'),
    clockToleranceSeconds: s.integer('AUTH_CLOCK_TOLERANCE_S', 30, { min: 0, max: 600 }),
    scopeClaim: s.string('AUTH_SCOPE_CLAIM', 'scope'),
  };
  if (mode === 'hs256') {
    const configured = env.AUTH_JWT_SECRET?.trim() || undefined;
    // The secret itself never goes into a message: only what is wrong with it.
    if (!configured && !development) throw new ConfigError('AUTH_JWT_SECRET', 'a secret of at least 32 characters when AUTH_MODE=hs256 and NODE_ENV=production', '');
    if (configured && configured.length < 32) throw new ConfigError('AUTH_JWT_SECRET', 'at least 32 characters', `(hidden, ${configured.length} characters)`);
    if (configured === DEVELOPMENT_JWT_SECRET && !development) throw new ConfigError('AUTH_JWT_SECRET', 'a secret of your own in production, not the public development secret', '(hidden)');
    return { mode, secret: configured ?? DEVELOPMENT_JWT_SECRET, developmentSecret: !configured, ...checks };
  }
  const jwksUrl = s.optionalUrl('AUTH_JWKS_URL');
  const jwksFile = env.AUTH_JWKS_FILE?.trim() ? resolve(repoRoot, env.AUTH_JWKS_FILE.trim()) : undefined;
  if (!jwksUrl === !jwksFile) {
    throw new ConfigError('AUTH_JWKS_URL', 'exactly one of AUTH_JWKS_URL or AUTH_JWKS_FILE when AUTH_MODE=jwks', jwksUrl && jwksFile ? 'both set' : 'neither set');
  }
  return { mode, jwksUrl, jwksFile, ...checks };
}

// Private: REDIS_URL as lib/cache/settings.ts reads it for the subgraphs.
function redisUrl(env: NodeJS.ProcessEnv): string | undefined {
  const value = env.REDIS_URL?.trim() || undefined;
  if (value !== undefined && !/^rediss?:\/\//.test(value)) throw new ConfigError('REDIS_URL', 'a redis:// or rediss:// URL', value);
  return value;
}

export function loadGatewayConfig(env: NodeJS.ProcessEnv = process.env): GatewayConfig {
  const s = envSettings(env);
  const development = env.NODE_ENV !== 'production';
  const subgraphUrls: Record<string, string> = {};
  const erp = s.optionalUrl('ERP_SUBGRAPH_URL');
  const crm = s.optionalUrl('CRM_SUBGRAPH_URL');
  const workflow = s.optionalUrl('WORKFLOW_SUBGRAPH_URL');
  if (erp) subgraphUrls.erp = erp;
  if (crm) subgraphUrls.crm = crm;
  if (workflow) subgraphUrls.workflow = workflow;
  return {
    port: s.port('GATEWAY_PORT', 4000),
    host: s.string('GATEWAY_HOST', '127.0.0.1'),
    supergraphPath: resolve(repoRoot, s.string('SUPERGRAPH_PATH', 'schema/supergraph.graphql')),
    subgraphUrls,
    development,
    // Production exposes neither the schema nor a playground unless asked to.
    explorer: s.boolean('GATEWAY_EXPLORER', development),
    introspection: s.boolean('GATEWAY_INTROSPECTION', development),
    maxBodyBytes: s.integer('GATEWAY_MAX_BODY_BYTES', 1024 * 1024, { min: 1024 }),
    healthTimeoutMs: s.integer('GATEWAY_HEALTH_TIMEOUT_MS', 2_000, { min: 1, max: 60_000 }),
    shutdownGraceMs: s.integer('GATEWAY_SHUTDOWN_GRACE_MS', 10_000, { min: 0, max: 600_000 }),
    limits: {
      maxDepth: s.integer('GATEWAY_MAX_DEPTH', 12, { min: 1, max: 1000 }),
      maxAliases: s.integer('GATEWAY_MAX_ALIASES', 15, { min: 0, max: 10_000 }),
      maxCost: s.integer('GATEWAY_MAX_COST', 25_000, { min: 1 }),
      defaultListSize: s.integer('GATEWAY_DEFAULT_LIST_SIZE', 20, { min: 1, max: 100_000 }),
      maxBatch: s.integer('GATEWAY_MAX_BATCH', 10, { min: 1, max: 1000 }),
      maxTokens: s.integer('GATEWAY_MAX_TOKENS', 5000, { min: 100 }),
    },
    auth: loadAuthConfig(s, env, development),
    authorizationPolicy: s.oneOf('AUTHZ_POLICY', ['error', 'mask'] as const, 'error'),
    internalSecret: internalSharedSecret(env),
    trustedDocuments: {
      enabled: s.boolean('GATEWAY_TRUSTED_DOCUMENTS', false),
      dir: resolve(repoRoot, s.string('GATEWAY_TRUSTED_DOCUMENTS_DIR', 'schema/operations')),
    },
    performance: {
      redisUrl: redisUrl(env),
      cachePrefix: s.string('CACHE_PREFIX', 'ecg'),
      apqTtlSeconds: s.integer('APQ_TTL_SECONDS', 86_400, { min: 1 }),
      subgraphConnections: s.integer('SUBGRAPH_CONNECTIONS', 64, { min: 1, max: 10_000 }),
      subgraphKeepAliveMs: s.integer('SUBGRAPH_KEEPALIVE_MS', 30_000, { min: 1000 }),
      dedupeInflight: s.boolean('SUBGRAPH_DEDUPE_INFLIGHT', true),
    },
  };
}
