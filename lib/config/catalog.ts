/**
 * Every setting the product reads, declared once: its environment variable,
 * kind, default, accepted values, meaning, which components read it, and
 * whether it is a secret. Components read settings only through
 * `readSettings(env).get(NAME)` (read.ts), so a name that is not declared here
 * does not compile. `.env.example` and the README's configuration table are
 * generated from this file (`npm run config:docs`), and a test fails when they
 * drift from it.
 *
 * An empty variable counts as unset, as in most shells' `VAR= cmd`.
 */
import {
  choice,
  flag,
  httpUrl,
  integer,
  optionalHttpUrl,
  optionalJson,
  optionalPath,
  optionalRedisUrl,
  optionalSecret,
  optionalText,
  path,
  port,
  secret,
  text,
  type Setting,
} from './setting.js';

/** The development credentials the emulators accept and the connectors use by default. Public: production refuses nothing here, so never use them for a real system. */
export const DEVELOPMENT_ODOO_API_KEY = '0123456789abcdef0123456789abcdef01234567';
export const DEVELOPMENT_SALESFORCE = {
  clientId: 'erp-crm-graph',
  clientSecret: 'dev-secret',
  username: 'integration@example.com',
  password: 'dev-password',
} as const;

// Private: the group headings, in the order the documentation lists them.
const PRODUCT = 'Whole product (`npm start`, `npm run seed`, tests)';
const OBSERVABILITY = 'Logs, traces and metrics (gateway and subgraphs)';
const GATEWAY = 'Gateway';
const AUTH = 'Gateway: authentication and authorization';
const LIMITS = 'Gateway: request limits';
const CACHE = 'Shared cache and native calls (gateway and subgraphs)';
const ERP = 'ERP subgraph and its Odoo';
const CRM = 'CRM subgraph and its Salesforce';
const WORKFLOW = 'Workflow subgraph';
const ODOO_EMULATOR = 'Odoo emulator';
const SALESFORCE_EMULATOR = 'Salesforce emulator';
const TESTS = 'Test suite';

/** The headings of `.env.example` and the README table, in order. */
export const SETTING_GROUPS = [PRODUCT, OBSERVABILITY, GATEWAY, AUTH, LIMITS, CACHE, ERP, CRM, WORKFLOW, ODOO_EMULATOR, SALESFORCE_EMULATOR, TESTS] as const;

const SUBGRAPHS = ['erp', 'crm', 'workflow'] as const;
const SERVERS = ['gateway', ...SUBGRAPHS] as const;

// Private: "a REST API version such as 60.0"; v61 and 61 mean 61.0.
function apiVersion(value: string): string | undefined {
  let v = value.replace(/^v/i, '');
  if (/^\d+$/.test(v)) v = `${v}.0`;
  return /^\d{2,3}\.0$/.test(v) ? v : undefined;
}

// Private: an ISO 4217 code, any case.
function currency(value: string): string | undefined {
  const v = value.toUpperCase();
  return /^[A-Z]{3}$/.test(v) ? v : undefined;
}

// Private: the retry and circuit-breaker settings of one native system (lib/resilience.ts).
function resilience(
  system: string,
  group: string,
  components: Setting<unknown>['components'],
  defaults: { attempts: number; baseMs: number; maxMs: number; failures: number; halfOpenMs: number },
  note = '',
) {
  return {
    attempts: integer(
      defaults.attempts,
      { min: 1, max: 10 },
      { group, components, description: `Tries per ${system} read, the first included; 1 turns retries off. Writes are never retried${note}.` },
    ),
    baseMs: integer(
      defaults.baseMs,
      { min: 0, max: 60_000 },
      { group, components, description: `First retry backoff for ${system} reads, in ms (doubled per try, with jitter).` },
    ),
    maxMs: integer(
      defaults.maxMs,
      { min: 0, max: 300_000 },
      { group, components, description: `Longest wait before a ${system} retry, in ms, Retry-After included; a longer Retry-After fails at once.` },
    ),
    failures: integer(
      defaults.failures,
      { min: 1, max: 1_000 },
      { group, components, description: `Consecutive ${system} failures that open its circuit breaker.` },
    ),
    halfOpenMs: integer(
      defaults.halfOpenMs,
      { min: 1, max: 3_600_000 },
      { group, components, description: `How long the ${system} circuit stays open before a trial call, in ms.` },
    ),
  };
}

const odooResilience = resilience('Odoo', ERP, ['erp', 'workflow'], { attempts: 3, baseMs: 100, maxMs: 2_000, failures: 5, halfOpenMs: 10_000 });
const salesforceResilience = resilience(
  'Salesforce',
  CRM,
  ['crm', 'workflow'],
  { attempts: 3, baseMs: 200, maxMs: 5_000, failures: 5, halfOpenMs: 30_000 },
  ', nor is REQUEST_LIMIT_EXCEEDED',
);

export const SETTINGS = {
  // --- Whole product -------------------------------------------------------------------------
  NODE_ENV: optionalText(
    {
      group: PRODUCT,
      components: [...SERVERS, 'stack'],
      description:
        '`production` masks unexpected errors, turns off introspection and the explorer, and requires authentication and real secrets; anything else is development.',
      defaultText: 'development',
      example: 'production',
    },
    { expected: 'production, or any other value for development' },
  ),
  INTERNAL_SHARED_SECRET: optionalSecret(
    {
      group: PRODUCT,
      components: [...SERVERS, 'stack'],
      description:
        'HMAC key the gateway signs subgraph requests with; subgraphs refuse unsigned ones. Required in production; `npm start` generates one per process when unset.',
      defaultText: 'unset (development: subgraphs accept unsigned requests)',
    },
    { minLength: 32 },
  ),
  HTTP_KEEPALIVE_TIMEOUT_MS: integer(
    65_000,
    { min: 1_000, max: 240_000 },
    {
      group: PRODUCT,
      components: SERVERS,
      description:
        'How long the gateway and each subgraph keep an idle client connection open, in ms. Keep it above the idle timeout of whatever sits in front and reuses connections (nginx `keepalive_timeout` in an upstream block and most cloud load balancers: 60 s), or the balancer may send a request on a connection the server is closing and answer it with a 502.',
    },
  ),
  DATA_DIR: path('data', {
    group: PRODUCT,
    components: ['stack'],
    description: "Where `npm start` and `npm run seed` keep the emulators' SQLite files (git-ignored).",
  }),
  SEED_SIZE: choice(['small', 'large'], 'small', {
    group: PRODUCT,
    components: ['stack', 'odoo-emulator', 'salesforce-emulator'],
    description: 'Seed data of a new emulator database: `small`, or `large` (30,000 customers, 120,000 orders). An existing database keeps its seed.',
  }),
  SEED_PROGRESS: choice(['auto', 'always', 'never'], 'auto', {
    group: PRODUCT,
    components: ['stack', 'odoo-emulator', 'salesforce-emulator'],
    description: 'Seeding progress (`npm start`, an emulator run on its own): `auto` (a bar on a terminal), `always` (also lines in a log), `never`.',
  }),
  EMULATOR_LATENCY_MS: integer(
    0,
    { min: 0, max: 600_000 },
    {
      group: PRODUCT,
      components: ['stack', 'odoo-emulator', 'salesforce-emulator'],
      description: 'How long each native call takes at the emulators, in ms, their own work included (the benchmark uses 10).',
    },
  ),

  // --- Observability -------------------------------------------------------------------------
  LOG_LEVEL: choice(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], 'info', {
    group: OBSERVABILITY,
    components: SERVERS,
    description: 'Lowest level of structured log line written.',
  }),
  TRACING: choice(['off', 'otlp'], 'off', {
    group: OBSERVABILITY,
    components: SERVERS,
    description: '`otlp` exports OpenTelemetry traces to OTEL_EXPORTER_OTLP_ENDPOINT; `off` exports none.',
  }),
  OTEL_EXPORTER_OTLP_ENDPOINT: httpUrl('http://127.0.0.1:4318', {
    group: OBSERVABILITY,
    components: SERVERS,
    description: 'OTLP/HTTP collector that traces go to when TRACING=otlp.',
  }),

  METRICS_TOKEN: optionalSecret(
    {
      group: OBSERVABILITY,
      components: SERVERS,
      description: 'When set, `/metrics` answers only `Authorization: Bearer <token>`.',
      defaultText: 'unset: /metrics is open, as usual on a private network',
    },
    { minLength: 16, noWhitespace: true },
  ),

  // --- Gateway -------------------------------------------------------------------------------
  GATEWAY_PORT: port(4000, { group: GATEWAY, components: ['gateway'], description: 'Port the gateway listens on; 0 picks a free one.' }),
  GATEWAY_HOST: text('127.0.0.1', { group: GATEWAY, components: ['gateway'], description: 'Interface the gateway binds.' }),
  SUPERGRAPH_PATH: path('schema/supergraph.graphql', {
    group: GATEWAY,
    components: ['gateway'],
    description: 'The composed supergraph the gateway serves (`npm run compose`).',
  }),
  ERP_SUBGRAPH_URL: optionalHttpUrl({
    group: GATEWAY,
    components: ['gateway'],
    description: 'Replaces the ERP subgraph URL composed into the supergraph.',
    defaultText: 'from the supergraph',
    example: 'http://127.0.0.1:4001/graphql',
  }),
  CRM_SUBGRAPH_URL: optionalHttpUrl({
    group: GATEWAY,
    components: ['gateway'],
    description: 'Replaces the CRM subgraph URL composed into the supergraph.',
    defaultText: 'from the supergraph',
    example: 'http://127.0.0.1:4002/graphql',
  }),
  WORKFLOW_SUBGRAPH_URL: optionalHttpUrl({
    group: GATEWAY,
    components: ['gateway'],
    description: 'Replaces the workflow subgraph URL composed into the supergraph.',
    defaultText: 'from the supergraph',
    example: 'http://127.0.0.1:4003/graphql',
  }),
  GATEWAY_EXPLORER: flag(true, {
    group: GATEWAY,
    components: ['gateway'],
    description: 'Serve the schema explorer (GraphiQL) at `/`.',
    defaultText: 'true; false when NODE_ENV=production',
  }),
  GATEWAY_INTROSPECTION: flag(true, {
    group: GATEWAY,
    components: ['gateway'],
    description: 'Answer introspection queries.',
    defaultText: 'true; false when NODE_ENV=production',
  }),
  GATEWAY_APOLLO_TELEMETRY: flag(false, {
    group: GATEWAY,
    components: ['gateway'],
    description:
      'Let `@apollo/gateway` send Apollo its anonymous usage metrics (hourly) and, to label them, probe the AWS, GCP, Azure and Alibaba Cloud metadata endpoints at start. Off, nothing leaves the gateway but its subgraph requests.',
  }),
  GATEWAY_HEALTH_TIMEOUT_MS: integer(
    2_000,
    { min: 1, max: 60_000 },
    { group: GATEWAY, components: ['gateway'], description: 'Longest each `/health/ready` check (a subgraph, a native system, Redis) may take, in ms.' },
  ),
  GATEWAY_SHUTDOWN_GRACE_MS: integer(
    10_000,
    { min: 0, max: 600_000 },
    { group: GATEWAY, components: ['gateway'], description: 'On stop, how long in-flight requests may run before their connections are cut, in ms.' },
  ),
  APQ_TTL_SECONDS: integer(
    86_400,
    { min: 1 },
    { group: GATEWAY, components: ['gateway'], description: 'How long an automatic persisted query is kept, in seconds.' },
  ),
  QUERY_PLAN_TTL_SECONDS: integer(
    86_400,
    { min: 1 },
    { group: GATEWAY, components: ['gateway'], description: 'How long a query plan is kept in Redis (with REDIS_URL), in seconds.' },
  ),
  QUERY_PLAN_LOCAL_ENTRIES: integer(
    500,
    { min: 1 },
    { group: GATEWAY, components: ['gateway'], description: 'Most query plans each replica keeps in memory in front of Redis.' },
  ),
  RESPONSE_CACHE_MAX_ENTRIES: integer(
    2000,
    { min: 0, max: 1_000_000 },
    {
      group: GATEWAY,
      components: ['gateway'],
      description:
        'Most whole query answers each replica keeps in memory (with REDIS_URL, whose pub/sub carries the invalidations that drop them); 0 turns the response cache off.',
    },
  ),
  RESPONSE_CACHE_MAX_MB: integer(
    32,
    { min: 1, max: 65_536 },
    {
      group: GATEWAY,
      components: ['gateway'],
      description: "Most MiB of answers each replica's response cache holds (counted as JSON); the least recently used go first.",
    },
  ),
  SUBGRAPH_CONNECTIONS: integer(
    64,
    { min: 1, max: 10_000 },
    { group: GATEWAY, components: ['gateway'], description: 'Most kept-alive connections per subgraph.' },
  ),
  SUBGRAPH_KEEPALIVE_MS: integer(
    30_000,
    { min: 1000 },
    { group: GATEWAY, components: ['gateway'], description: 'How long an idle subgraph connection is kept, in ms.' },
  ),
  SUBGRAPH_DEDUPE_INFLIGHT: flag(true, {
    group: GATEWAY,
    components: ['gateway'],
    description: 'Identical subgraph queries in flight at once (same body, same caller scopes) share one request.',
  }),
  SUBGRAPH_BATCHING: flag(true, {
    group: GATEWAY,
    components: ['gateway'],
    description:
      "Queries a query plan sends to one subgraph at once go out as one batched request (a JSON array, Apollo Server's batch format). A subgraph that refuses batches gets its queries one by one.",
  }),

  // --- Gateway: authentication -----------------------------------------------------------------
  AUTH_MODE: choice(['off', 'hs256', 'jwks'], 'off', {
    group: AUTH,
    components: ['gateway'],
    description: 'How bearer tokens are checked: `off` (development only), `hs256` (a shared secret) or `jwks` (public keys from a URL or a file).',
    defaultText: 'off (`npm start`: hs256); production requires hs256 or jwks',
  }),
  AUTH_JWT_SECRET: optionalSecret(
    {
      group: AUTH,
      components: ['gateway'],
      description: 'HS256 key for AUTH_MODE=hs256. Required in production; development falls back to a public development secret.',
      defaultText: 'the public development secret (development only)',
    },
    { minLength: 32 },
  ),
  AUTH_JWKS_URL: optionalHttpUrl({
    group: AUTH,
    components: ['gateway'],
    description: 'JWKS endpoint for AUTH_MODE=jwks (exactly one of AUTH_JWKS_URL and AUTH_JWKS_FILE).',
    example: 'https://id.example.com/.well-known/jwks.json',
  }),
  AUTH_JWKS_CACHE_SECONDS: integer(
    600,
    { min: 1, max: 86_400 },
    {
      group: AUTH,
      components: ['gateway'],
      description:
        'With AUTH_JWKS_URL: how long a fetched key set is used before it is fetched again (a token whose key id it lacks makes it fetch sooner, at most every 30 s). A key removed from the set stops vouching for tokens after at most this long (plus AUTH_TOKEN_CACHE_SECONDS for a token already checked). While it cannot be fetched again, the keys fetched last keep checking tokens (tried again every 30 s); a token they cannot judge, or any token before a first fetch succeeded, gets 503 AUTHENTICATION_UNAVAILABLE, not 401.',
    },
  ),
  AUTH_JWKS_FILE: optionalPath({
    group: AUTH,
    components: ['gateway'],
    description: 'JWKS file for AUTH_MODE=jwks (exactly one of AUTH_JWKS_URL and AUTH_JWKS_FILE).',
    example: 'keys/jwks.json',
  }),
  AUTH_ISSUER: optionalText({
    group: AUTH,
    components: ['gateway'],
    description: 'The `iss` claim tokens must carry. Required in production.',
    defaultText: 'erp-crm-graph-dev (development only)',
    example: 'https://id.example.com',
  }),
  AUTH_AUDIENCE: text('erp-crm-graph', { group: AUTH, components: ['gateway'], description: 'The `aud` claim tokens must carry.' }),
  AUTH_CLOCK_TOLERANCE_S: integer(30, { min: 0, max: 600 }, { group: AUTH, components: ['gateway'], description: 'Leeway for `exp` and `nbf`, in seconds.' }),
  AUTH_SCOPE_CLAIM: text('scope', { group: AUTH, components: ['gateway'], description: 'Claim holding the scopes, a space-separated string or an array.' }),
  AUTH_TOKEN_CACHE_SECONDS: integer(
    60,
    { min: 0, max: 3600 },
    {
      group: AUTH,
      components: ['gateway'],
      description:
        "How long a verified token is remembered, so a client's repeated requests skip its signature check (never past the token's own expiry, checked on every request). A token already checked stays accepted for at most this long after its key leaves the key set. 0 checks every request.",
    },
  ),
  AUTHZ_POLICY: choice(['error', 'mask'], 'error', {
    group: AUTH,
    components: ['gateway'],
    description: 'A field the caller lacks the `@requiresScopes` scopes for: `error` returns null and a FORBIDDEN error; `mask` returns null silently.',
  }),
  GATEWAY_TRUSTED_DOCUMENTS: flag(false, { group: AUTH, components: ['gateway'], description: 'Serve only allowlisted operations (trusted documents).' }),
  GATEWAY_TRUSTED_DOCUMENTS_DIR: path('schema/operations', {
    group: AUTH,
    components: ['gateway'],
    description: 'Folder of `.graphql` files that form the allowlist.',
  }),

  // --- Gateway: limits -----------------------------------------------------------------------
  GATEWAY_MAX_BODY_BYTES: integer(
    1024 * 1024,
    { min: 1024 },
    { group: LIMITS, components: ['gateway'], description: 'Largest request body accepted, in bytes.' },
  ),
  GATEWAY_MAX_DEPTH: integer(
    12,
    { min: 1, max: 1000 },
    { group: LIMITS, components: ['gateway'], description: 'Deepest field nesting an operation may have.' },
  ),
  GATEWAY_MAX_ALIASES: integer(15, { min: 0, max: 10_000 }, { group: LIMITS, components: ['gateway'], description: 'Most aliased fields in one operation.' }),
  GATEWAY_MAX_COST: integer(
    25_000,
    { min: 1 },
    { group: LIMITS, components: ['gateway'], description: 'Highest estimated cost: each field 1, list fields times their `first` or the default list size.' },
  ),
  GATEWAY_DEFAULT_LIST_SIZE: integer(
    20,
    { min: 1, max: 100_000 },
    { group: LIMITS, components: ['gateway'], description: 'List size the cost estimate assumes for list fields without a `first` argument.' },
  ),
  GATEWAY_MAX_BATCH: integer(
    10,
    { min: 1, max: 1000 },
    { group: LIMITS, components: ['gateway'], description: 'Most operations in one batched HTTP request; 1 turns batching off.' },
  ),
  GATEWAY_MAX_TOKENS: integer(
    5000,
    { min: 100 },
    { group: LIMITS, components: ['gateway'], description: 'Most lexical tokens in one document, checked while parsing.' },
  ),

  // --- Shared cache ------------------------------------------------------------------------------
  REDIS_URL: optionalRedisUrl({
    group: CACHE,
    components: [...SERVERS, 'tests'],
    description:
      "Shared Redis: persisted queries (gateway), the entity cache (subgraphs), the workflow's cross-process guard. Unset: each process keeps its own in memory. With REDIS_CLUSTER=true, one or more comma-separated seed nodes of a Redis Cluster.",
    example: 'redis://127.0.0.1:6379',
  }),
  REDIS_CLUSTER: flag(false, {
    group: CACHE,
    components: [...SERVERS, 'tests'],
    description:
      'REDIS_URL names seed nodes of a Redis Cluster: the rest of the cluster is discovered from them, batches are spread over its masters by hash slot, pub/sub is sharded (Redis 7 or later).',
  }),
  CACHE_MODE: choice(['off', 'memory', 'redis'], 'memory', {
    group: CACHE,
    components: ['erp', 'crm'],
    description: "The subgraphs' entity cache: `off`, `memory` (this process) or `redis` (shared; needs REDIS_URL).",
    defaultText: 'redis with REDIS_URL, else memory',
  }),
  CACHE_PREFIX: text('ecg', {
    group: CACHE,
    components: SERVERS,
    description: 'Prefix of every Redis key and channel, so deployments can share one Redis.',
  }),
  CACHE_TTL_SECONDS: integer(
    300,
    { min: 0, max: 86_400 * 30 },
    { group: CACHE, components: ['erp', 'crm'], description: 'Default time to live of a cached record, in seconds.' },
  ),
  CACHE_TTLS: optionalText(
    {
      group: CACHE,
      components: ['erp', 'crm'],
      description: 'Per-type times to live that replace CACHE_TTL_SECONDS.',
      example: 'erp.partner=600,crm.account=120',
    },
    {
      expected: 'comma-separated type=seconds pairs such as "erp.partner=600,crm.account=120"',
      parse: (v) =>
        v
          .split(',')
          .map((p) => p.trim())
          .filter(Boolean)
          .every((p) => /^[a-z][\w.-]*=\d+$/i.test(p))
          ? v
          : undefined,
    },
  ),
  CACHE_STALE_SECONDS: integer(
    3600,
    { min: 0, max: 86_400 * 30 },
    {
      group: CACHE,
      components: ['erp', 'crm'],
      description: 'How long expired entries are kept to serve (marked stale) while a native system is down, in seconds.',
    },
  ),
  CACHE_MEMORY_MAX_ENTRIES: integer(
    50_000,
    { min: 100 },
    { group: CACHE, components: ['erp', 'crm'], description: 'Most entries the in-memory cache holds before dropping the oldest.' },
  ),
  NATIVE_BATCHING: flag(true, {
    group: CACHE,
    components: ['erp', 'crm'],
    description: "One native call per batch of loads; `false` makes one call per item (only the benchmark's baseline).",
  }),

  // --- ERP subgraph and Odoo -----------------------------------------------------------------
  ERP_SUBGRAPH_PORT: port(4001, { group: ERP, components: ['erp'], description: 'Port the ERP subgraph listens on; 0 picks a free one.' }),
  ERP_SUBGRAPH_HOST: text('127.0.0.1', { group: ERP, components: ['erp'], description: 'Interface the ERP subgraph binds.' }),
  ODOO_URL: httpUrl('http://127.0.0.1:8069', {
    group: ERP,
    components: ['erp', 'workflow', 'stack'],
    description: 'Odoo base URL. Setting it means a real Odoo: `npm start` then starts no Odoo emulator.',
    defaultText: 'the emulator (http://127.0.0.1:8069)',
  }),
  ODOO_DB: text('odoo', { group: ERP, components: ['erp', 'workflow', 'odoo-emulator'], description: 'Odoo database name.' }),
  ODOO_LOGIN: text('admin', { group: ERP, components: ['erp', 'workflow', 'odoo-emulator'], description: 'Login of the integration user.' }),
  ODOO_API_KEY: secret(
    DEVELOPMENT_ODOO_API_KEY,
    {
      group: ERP,
      components: ['erp', 'workflow', 'odoo-emulator'],
      description: "That user's API key (Preferences → Account Security).",
      defaultText: "the emulator's development key",
    },
    { noWhitespace: true, expected: 'an API key without whitespace' },
  ),
  ODOO_TIMEOUT_MS: integer(
    30_000,
    { min: 1, max: 600_000 },
    { group: ERP, components: ['erp', 'workflow'], description: 'Time allowed for one Odoo HTTP exchange, in ms.' },
  ),
  ODOO_RETRY_ATTEMPTS: odooResilience.attempts,
  ODOO_RETRY_BASE_MS: odooResilience.baseMs,
  ODOO_RETRY_MAX_MS: odooResilience.maxMs,
  ODOO_BREAKER_FAILURES: odooResilience.failures,
  ODOO_BREAKER_HALF_OPEN_MS: odooResilience.halfOpenMs,
  ERP_CHANGE_POLL_MS: integer(
    2000,
    { min: 0, max: 3_600_000 },
    { group: ERP, components: ['erp'], description: 'How often Odoo is polled for `write_date` changes (cache invalidation), in ms; 0 turns polling off.' },
  ),

  // --- CRM subgraph and Salesforce -------------------------------------------------------------
  CRM_SUBGRAPH_PORT: port(4002, { group: CRM, components: ['crm'], description: 'Port the CRM subgraph listens on; 0 picks a free one.' }),
  CRM_SUBGRAPH_HOST: text('127.0.0.1', { group: CRM, components: ['crm'], description: 'Interface the CRM subgraph binds.' }),
  SALESFORCE_LOGIN_URL: httpUrl('http://127.0.0.1:8070', {
    group: CRM,
    components: ['crm', 'workflow', 'stack'],
    description:
      "Where OAuth tokens are requested (https://login.salesforce.com or the org's My Domain). Setting it means a real org: `npm start` then starts no Salesforce emulator.",
    defaultText: 'the emulator (http://127.0.0.1:8070)',
  }),
  SALESFORCE_API_VERSION: text(
    '60.0',
    { group: CRM, components: ['crm', 'workflow'], description: 'REST API version (`v61` and `61` mean 61.0).' },
    { expected: 'a REST API version such as 60.0', parse: apiVersion },
  ),
  SALESFORCE_CLIENT_ID: text(DEVELOPMENT_SALESFORCE.clientId, { group: CRM, components: ['crm', 'workflow'], description: 'Connected app consumer key.' }),
  SALESFORCE_CLIENT_SECRET: secret(DEVELOPMENT_SALESFORCE.clientSecret, {
    group: CRM,
    components: ['crm', 'workflow'],
    description: 'Connected app consumer secret.',
    defaultText: "the emulator's development secret",
  }),
  SALESFORCE_USERNAME: text(DEVELOPMENT_SALESFORCE.username, { group: CRM, components: ['crm', 'workflow'], description: 'Integration user.' }),
  SALESFORCE_PASSWORD: secret(DEVELOPMENT_SALESFORCE.password, {
    group: CRM,
    components: ['crm', 'workflow'],
    description: "Integration user's password (with the security token appended, for a real org).",
    defaultText: "the emulator's development password",
  }),
  SALESFORCE_TIMEOUT_MS: integer(
    30_000,
    { min: 1, max: 600_000 },
    { group: CRM, components: ['crm', 'workflow'], description: 'Time allowed for one Salesforce HTTP exchange, in ms.' },
  ),
  SALESFORCE_RETRY_ATTEMPTS: salesforceResilience.attempts,
  SALESFORCE_RETRY_BASE_MS: salesforceResilience.baseMs,
  SALESFORCE_RETRY_MAX_MS: salesforceResilience.maxMs,
  SALESFORCE_BREAKER_FAILURES: salesforceResilience.failures,
  SALESFORCE_BREAKER_HALF_OPEN_MS: salesforceResilience.halfOpenMs,
  CRM_CURRENCY: text(
    'EUR',
    { group: CRM, components: ['crm'], description: "The org's currency, for every Money the CRM returns." },
    { expected: 'a three-letter ISO 4217 code such as EUR', parse: currency },
  ),
  CRM_CHANGE_WAIT_MS: integer(
    10_000,
    { min: 100, max: 60_000 },
    {
      group: CRM,
      components: ['crm'],
      description: 'How long one `/meta/connect` of the Change Data Capture stream (Streaming API long polling) is held open waiting for events, in ms.',
    },
  ),

  // --- Workflow subgraph ---------------------------------------------------------------------
  WORKFLOW_SUBGRAPH_PORT: port(4003, {
    group: WORKFLOW,
    components: ['workflow'],
    description: 'Port the workflow subgraph listens on; 0 picks a free one. It also reads the ODOO_*, SALESFORCE_* and REDIS_URL settings.',
  }),
  WORKFLOW_SUBGRAPH_HOST: text('127.0.0.1', { group: WORKFLOW, components: ['workflow'], description: 'Interface the workflow subgraph binds.' }),
  WORKFLOW_CURRENCY: text(
    'EUR',
    { group: WORKFLOW, components: ['workflow'], description: "Currency of every Money the workflows report (the ERP's company currency)." },
    { expected: 'a three-letter ISO 4217 code such as EUR', parse: currency },
  ),
  WORKFLOW_LOCK_PREFIX: text('workflow:lock:', {
    group: WORKFLOW,
    components: ['workflow'],
    description: 'Prefix of the lock keys in Redis, so deployments can share one Redis.',
  }),
  WORKFLOW_LOCK_TTL_MS: integer(
    60_000,
    { min: 1_000, max: 3_600_000 },
    { group: WORKFLOW, components: ['workflow'], description: 'Longest a cross-process lock is held before it expires, in ms.' },
  ),
  WORKFLOW_ERP_REFRESH_WAIT_MS: integer(
    2_000,
    { min: 0, max: 60_000 },
    {
      group: WORKFLOW,
      components: ['workflow'],
      description:
        "After a mutation that may have written to the ERP, longest wait for the ERP subgraph's change poll to drop what the caches hold of the write, so the next read sees it; 0 neither asks nor waits.",
    },
  ),
  WORKFLOW_CRM_REFRESH_WAIT_MS: integer(
    2_000,
    { min: 0, max: 60_000 },
    {
      group: WORKFLOW,
      components: ['workflow'],
      description:
        'After a mutation that wrote to Salesforce, longest wait for the CRM subgraph to publish the change events of those writes as cache drops, so the next read sees them; 0 neither asks nor waits.',
    },
  ),
  WORKFLOW_RESULT_TTL_MS: integer(
    86_400_000,
    { min: 0 },
    { group: WORKFLOW, components: ['workflow'], description: 'How long a finished result is replayed to a retry with the same key, in ms.' },
  ),
  WORKFLOW_LOG: choice(['info', 'warn', 'off'], 'info', {
    group: WORKFLOW,
    components: ['workflow'],
    description: 'Which workflow outcomes are logged: `info` every one, `warn` only INCOMPLETE and FAILED ones, `off` none.',
  }),

  // --- Emulators -----------------------------------------------------------------------------
  ODOO_EMULATOR_PORT: port(8069, {
    group: ODOO_EMULATOR,
    components: ['odoo-emulator', 'stack'],
    description: "Port of the Odoo emulator (Odoo's own); 0 picks a free one.",
  }),
  ODOO_EMULATOR_HOST: text('127.0.0.1', {
    group: ODOO_EMULATOR,
    components: ['odoo-emulator'],
    description: 'Interface the Odoo emulator binds when run on its own.',
  }),
  ODOO_EMULATOR_DB: path('data/odoo.sqlite', {
    group: ODOO_EMULATOR,
    components: ['odoo-emulator'],
    description: 'SQLite file of the Odoo emulator run on its own (`npm start` uses DATA_DIR).',
  }),
  ODOO_EMULATOR_FAULTS: optionalJson(
    {
      group: ODOO_EMULATOR,
      components: ['odoo-emulator', 'stack'],
      description:
        'Fault rules active from the start (emulators/common/faults.ts; docs/reliability.md); also settable at run time with PUT /__emulator/faults.',
      example: '[{"match":{"model":"sale.order"},"fault":"http5xx","times":2}]',
    },
    'a JSON list of fault rules',
  ),
  SALESFORCE_EMULATOR_PORT: port(8070, {
    group: SALESFORCE_EMULATOR,
    components: ['salesforce-emulator', 'stack'],
    description: 'Port of the Salesforce emulator; 0 picks a free one.',
  }),
  SALESFORCE_EMULATOR_HOST: text('127.0.0.1', {
    group: SALESFORCE_EMULATOR,
    components: ['salesforce-emulator'],
    description: 'Interface the Salesforce emulator binds when run on its own.',
  }),
  SALESFORCE_EMULATOR_DB: path('data/salesforce.sqlite', {
    group: SALESFORCE_EMULATOR,
    components: ['salesforce-emulator'],
    description: 'SQLite file of the Salesforce emulator run on its own (`npm start` uses DATA_DIR).',
  }),
  SALESFORCE_EMULATOR_FAULTS: optionalJson(
    {
      group: SALESFORCE_EMULATOR,
      components: ['salesforce-emulator', 'stack'],
      description: 'Fault rules active from the start (emulators/common/faults.ts); also settable at run time with PUT /__emulator/faults.',
      example: '[{"fault":"requestLimitExceeded"}]',
    },
    'a JSON list of fault rules',
  ),
  SALESFORCE_EMULATOR_DAILY_API_LIMIT: integer(
    100_000,
    { min: 1 },
    {
      group: SALESFORCE_EMULATOR,
      components: ['salesforce-emulator'],
      description: 'API requests per day before the emulator answers REQUEST_LIMIT_EXCEEDED.',
    },
  ),
  SALESFORCE_EMULATOR_CLIENT_ID: text(DEVELOPMENT_SALESFORCE.clientId, {
    group: SALESFORCE_EMULATOR,
    components: ['salesforce-emulator'],
    description: 'Consumer key the emulator accepts.',
  }),
  SALESFORCE_EMULATOR_CLIENT_SECRET: secret(DEVELOPMENT_SALESFORCE.clientSecret, {
    group: SALESFORCE_EMULATOR,
    components: ['salesforce-emulator'],
    description: 'Consumer secret the emulator accepts.',
    defaultText: 'the development secret',
  }),
  SALESFORCE_EMULATOR_USERNAME: text(DEVELOPMENT_SALESFORCE.username, {
    group: SALESFORCE_EMULATOR,
    components: ['salesforce-emulator'],
    description: 'Integration user the emulator accepts.',
  }),
  SALESFORCE_EMULATOR_PASSWORD: secret(DEVELOPMENT_SALESFORCE.password, {
    group: SALESFORCE_EMULATOR,
    components: ['salesforce-emulator'],
    description: "That user's password.",
    defaultText: 'the development password',
  }),

  // --- Tests ---------------------------------------------------------------------------------
  FUZZ_SEED: integer(
    20261127,
    { min: 0 },
    {
      group: TESTS,
      components: ['tests'],
      description: "Seed of the HTTP fuzz test's generator (test/integration/fuzz.test.ts); a failure names the seed that reproduces it.",
    },
  ),
  FUZZ_CASES: integer(400, { min: 1, max: 100_000 }, { group: TESTS, components: ['tests'], description: 'Cases the HTTP fuzz test generates.' }),
} satisfies Record<string, Setting<any>>;

export type SettingName = keyof typeof SETTINGS;

/** What `get(name)` returns for a setting: its value type, with undefined when it has no default. */
export type SettingValue<N extends SettingName> = (typeof SETTINGS)[N] extends Setting<infer T> ? T : never;

export function isSettingName(name: string): name is SettingName {
  return Object.prototype.hasOwnProperty.call(SETTINGS, name);
}

/** Environment prefixes that belong to this product: an unknown variable with one of them is probably a misspelling. */
export const SETTING_PREFIXES = [
  'APQ_',
  'AUTH_',
  'AUTHZ_',
  'CACHE_',
  'CRM_',
  'EMULATOR_',
  'ERP_',
  'GATEWAY_',
  'INTERNAL_',
  'NATIVE_',
  'ODOO_',
  'QUERY_PLAN_',
  'SALESFORCE_',
  'SEED_',
  'SUBGRAPH_',
  'SUPERGRAPH_',
  'WORKFLOW_',
] as const;
