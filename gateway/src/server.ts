/**
 * Builds the gateway: Apollo Server running @apollo/gateway over the composed
 * supergraph, served by a small node:http front that also serves the explorer
 * and health checks. `main.ts` is what listens on the configured port.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer, HeaderMap } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginCacheControl } from '@apollo/server/plugin/cacheControl';
import { ApolloGateway } from '@apollo/gateway';
import { parse } from 'graphql';
import type { GatewayConfig } from './config.js';
import type { GatewayContext } from './context.js';
import { AuthenticationError, AuthenticationUnavailableError, createAuthenticator } from './auth/authenticate.js';
import { ScopedSubgraphDataSource } from './subgraphDataSource.js';
import { declaredScopes, readScopeRequirements } from '../../lib/requiresScopes.js';
import { useDepthLimit } from './plugins/useDepthLimit.js';
import { useAliasLimit } from './plugins/useAliasLimit.js';
import { useCostLimit } from './plugins/useCostLimit.js';
import { loadTrustedDocuments, useTrustedDocuments } from './plugins/useTrustedDocuments.js';
import { useFieldAuthorization } from './plugins/useFieldAuthorization.js';
import { checkRequestShape } from './requestShape.js';
import { useKnownOperation } from './plugins/useKnownOperation.js';
import { composedSubgraphs, readSupergraph, withRequiresScopesEnforcedHere } from './supergraph.js';
import { createReadinessCheck } from './health.js';
import { explorerHtml } from './explorer.js';
import { createGraphMapRoutes } from './graphMapPage.js';
import { maskUnexpectedErrors } from '../../lib/errors.js';
import { useArgumentNamesInErrors } from './plugins/useArgumentNamesInErrors.js';
import { createKeepAliveFetch } from '../../lib/keepAliveFetch.js';
import { CALLER_SCOPES_HEADER, signForwardedRequest } from '../../lib/internalAuth.js';
import { RedisCache, RedisInvalidationBus } from '../../lib/cache/redisCache.js';
import { connectRedis } from '../../lib/cache/redisConnection.js';
import { createResponseCache, type ResponseCache } from './responseCache.js';
import type { ResponseCacheCounts } from '../../lib/observability/metrics.js';
import { RedisKeyValueCache } from '../../lib/cache/redisKeyValueCache.js';
import { createQueryPlanCache, type QueryPlanCacheStats } from './queryPlanCache.js';
import { developmentToken } from './auth/banner.js';
import { keepIdleConnections, readBody, sendGraphQLError as graphqlError, sendJson } from '../../lib/http.js';
import { createObservability, type ObservabilityOptions } from '../../lib/observability/index.js';
import { createGatewayObservation } from '../../lib/observability/gateway.js';
import { METRICS_PATH, serveMetrics } from '../../lib/observability/http.js';

export const GRAPHQL_PATH = '/graphql';

export interface RunningGateway {
  url: string;
  port: number;
  /** How the query-plan store answered so far (this replica's memory, Redis, or planned anew). */
  queryPlanStats(): QueryPlanCacheStats;
  /** What the response cache did so far; undefined when it is off (no REDIS_URL, or RESPONSE_CACHE_MAX_ENTRIES=0). */
  responseCacheStats(): ResponseCacheCounts | undefined;
  stop(): Promise<void>;
}

/** `observation` is the host's part: where logs go (tests read them back), whether process metrics are exported. */
export async function startGateway(config: GatewayConfig, observation: ObservabilityOptions = {}): Promise<RunningGateway> {
  const supergraphSdl = readSupergraph(config.supergraphPath);
  const known = composedSubgraphs(supergraphSdl).map((s) => s.name);
  for (const name of Object.keys(config.subgraphUrls)) {
    if (!known.includes(name)) {
      throw new Error(`A URL was configured for subgraph "${name}", but the supergraph only composes: ${known.join(', ')}.`);
    }
  }

  // @requiresScopes as composed into the supergraph: what each field needs, and every scope there is.
  const scopeRequirements = readScopeRequirements(parse(supergraphSdl));
  const trustedDocuments = config.trustedDocuments.enabled ? loadTrustedDocuments(config.trustedDocuments.dir) : undefined;

  // This gateway's logger, metrics registry (served at /metrics) and tracer; the request id starts here.
  const observability = createObservability('gateway', config.observability, observation);
  const authenticate = createAuthenticator(config.auth, declaredScopes(scopeRequirements), (message, cause) =>
    cause ? observability.logger.error({ err: cause }, message) : observability.logger.info(message),
  );
  const observed = createGatewayObservation(observability);

  // Warm connections to every subgraph; one pool for all of them.
  const secret = config.internalSecret;
  const subgraphHttp = createKeepAliveFetch({
    connections: config.performance.subgraphConnections,
    keepAliveMs: config.performance.subgraphKeepAliveMs,
    // The caller's scopes are part of the match, so a shared answer is never one shaped for other permissions.
    ...(config.performance.dedupeInflight ? { dedupe: { scopesHeader: CALLER_SCOPES_HEADER } } : {}),
    batch: config.performance.batchSubgraphFetches,
    // Every subgraph request is signed with the caller's scopes over the bytes that go out, a batch whole (lib/internalAuth.ts).
    ...(secret !== undefined ? { sign: (body: string, headers: Readonly<Record<string, string>>) => signForwardedRequest(secret, body, headers) } : {}),
  });
  // With Redis, persisted queries registered at one replica are known to all; without it, each keeps its own LRU.
  const redis = config.performance.redis ? await connectRedis(config.performance.redis, 'gateway') : undefined;
  const sharedCache = redis ? new RedisKeyValueCache(redis, { prefix: config.performance.cachePrefix }) : undefined;
  // Whole answers need the subgraphs' invalidations, which reach a gateway only over Redis pub/sub.
  let invalidations: RedisInvalidationBus | undefined;
  let responseCache: ResponseCache | undefined;
  if (redis && config.performance.responseCacheEntries > 0) {
    const prefix = config.performance.cachePrefix;
    invalidations = await RedisInvalidationBus.start(new RedisCache(redis, { prefix }), redis, prefix);
    responseCache = createResponseCache({
      maxEntries: config.performance.responseCacheEntries,
      maxChars: config.performance.responseCacheMiB * 1024 * 1024,
      subscribe: (listener, onHearing) => invalidations!.subscribe(listener, onHearing),
    });
    observed.metrics.trackResponseCache(observability.registry, () => responseCache!.stats());
  }

  const dataSources = new Map<string, ScopedSubgraphDataSource>();
  const gatewaySdl = withRequiresScopesEnforcedHere(supergraphSdl);
  const queryPlans = createQueryPlanCache({
    supergraphSdl: gatewaySdl,
    shared: sharedCache,
    ttlSeconds: config.performance.queryPlanTtlSeconds,
    localEntries: config.performance.queryPlanLocalEntries,
  });
  observed.metrics.trackQueryPlans(observability.registry, () => queryPlans.stats());
  // @apollo/gateway reads this variable in its constructor, and it is its only switch: unless the operator
  // opted in, a company's integration gateway sends no usage data out and probes no cloud metadata endpoint.
  if (!config.apolloTelemetry) process.env.APOLLO_TELEMETRY_DISABLED = 'true';
  const gateway = new ApolloGateway({
    supergraphSdl: gatewaySdl,
    // Plans made by any replica serve all of them (Redis), with the hottest kept in memory.
    queryPlannerConfig: { cache: queryPlans },
    // Every subgraph request carries the caller's scopes, and is signed on its way out (above).
    buildService: ({ name, url }) => {
      const dataSource = new ScopedSubgraphDataSource({
        url: config.subgraphUrls[name] ?? url!,
        fetcher: observed.subgraphFetcher(name, subgraphHttp.fetcher),
      });
      // Kept for /health/ready, which asks each subgraph exactly as queries do (signed).
      dataSources.set(name, dataSource);
      return dataSource;
    },
  });

  const apollo = new ApolloServer<GatewayContext>({
    // Shutdown is ours (stop() below, called by main.ts or npm start): Apollo's own signal handlers would race it.
    stopOnTerminationSignals: false,
    logger: observability.logger,
    gateway,
    introspection: config.introspection,
    includeStacktraceInErrorResponses: config.development,
    formatError: maskUnexpectedErrors(config.development),
    // Apollo's default, stated because the node:http front relies on it: no simple-request (CSRF-able) GETs or form posts.
    csrfPrevention: true,
    // Automatic persisted queries, shared across replicas when Redis is configured (query plans: above).
    ...(sharedCache ? { cache: sharedCache, persistedQueries: { cache: sharedCache, ttl: config.performance.apqTtlSeconds } } : {}),
    // Batches are allowed up to limits.maxBatch operations (checked in handleGraphQL); 1 turns them off.
    allowBatchedHttpRequests: config.limits.maxBatch > 1,
    // Bounds the work of parsing and validating before any other limit can look at the document.
    parseOptions: { maxTokens: config.limits.maxTokens },
    // The explorer is served at `/` by the HTTP front below, from local files.
    plugins: [
      ApolloServerPluginLandingPageDisabled(),
      // Which operation each request ran, and whether it answered errors, for its log line and metrics.
      observed.plugin<GatewayContext>(),
      useArgumentNamesInErrors(),
      useKnownOperation(),
      ...(trustedDocuments ? [useTrustedDocuments({ documents: trustedDocuments })] : []),
      useDepthLimit({ maxDepth: config.limits.maxDepth }),
      useAliasLimit({ maxAliases: config.limits.maxAliases }),
      useCostLimit({ maxCost: config.limits.maxCost, defaultListSize: config.limits.defaultListSize }),
      useFieldAuthorization({ requirements: scopeRequirements, policy: config.authorizationPolicy }),
      // The overall cache policy, from the subgraphs' Cache-Control, decides what the response cache may keep. It is
      // not passed on to clients: a browser or CDN keeping an answer would never hear of the invalidations that drop it.
      ApolloServerPluginCacheControl({ calculateHttpHeaders: false }),
      // Last: its willSendResponse must see the answer after field authorization.
      ...(responseCache ? [responseCache.plugin()] : []),
    ],
  });
  await apollo.start();

  const handleGraphQL = async (req: IncomingMessage, res: ServerResponse, search: string): Promise<void> => {
    const raw = await readBody(req, config.maxBodyBytes);
    if (raw === null) return graphqlError(res, 413, `The request body exceeds the limit of ${config.maxBodyBytes} bytes.`, 'PAYLOAD_TOO_LARGE');
    const headers = new HeaderMap();
    for (const [key, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
    }
    let body: unknown = raw;
    const contentType = headers.get('content-type') ?? '';
    if (req.method === 'POST' && contentType.includes('application/json')) {
      if (raw.trim() === '') return graphqlError(res, 400, 'Expected a JSON body with a "query", but the POST body is empty.', 'BAD_REQUEST');
      try {
        body = JSON.parse(raw);
      } catch (error) {
        return graphqlError(res, 400, `Expected a JSON body, but it could not be parsed: ${(error as Error).message}.`, 'BAD_REQUEST');
      }
    }
    const shapeProblem = checkRequestShape(body, { maxBatch: config.limits.maxBatch, search });
    if (shapeProblem) return graphqlError(res, shapeProblem.status, shapeProblem.message, shapeProblem.code);
    let caller: GatewayContext['caller'];
    try {
      caller = await authenticate(headers.get('authorization'));
    } catch (error) {
      if (error instanceof AuthenticationUnavailableError) {
        // The authenticator logged the outage when it began; where the keys live is the operator's business, not the client's.
        res.setHeader('retry-after', '5');
        return graphqlError(
          res,
          503,
          'The bearer token cannot be checked right now: the key set it is checked against is unavailable. Try again shortly.',
          'AUTHENTICATION_UNAVAILABLE',
        );
      }
      if (!(error instanceof AuthenticationError)) throw error;
      res.setHeader('www-authenticate', 'Bearer');
      return graphqlError(res, 401, error.message, 'UNAUTHENTICATED');
    }
    const response = await apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: req.method ?? 'GET', headers, search, body },
      context: async () => ({ caller, cacheTags: new Set<string>() }),
    });
    for (const [key, value] of response.headers) res.setHeader(key, value);
    res.statusCode = response.status ?? 200;
    if (response.body.kind === 'complete') {
      res.end(response.body.string);
    } else {
      for await (const chunk of response.body.asyncIterator) res.write(chunk);
      res.end();
    }
  };

  let stopping = false;
  let stopped: Promise<void> | undefined;
  const ready = createReadinessCheck({
    subgraphs: () =>
      composedSubgraphs(supergraphSdl).map(({ name, url }) => ({ name, url: config.subgraphUrls[name] ?? url, dataSource: dataSources.get(name) })),
    redis: redis ? { ping: () => redis.ping() } : undefined,
    timeoutMs: config.healthTimeoutMs,
    stopping: () => stopping,
  });

  const token = config.explorer ? await developmentToken(config) : null;
  const explorerHeaders: Record<string, string> = token ? { Authorization: `Bearer ${token}` } : {};
  // The graph map documents the schema's native sources: served, like the explorer, only where the explorer is.
  const graphMap = config.explorer ? createGraphMapRoutes(config.supergraphPath) : null;

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://gateway');
    const route = async () => {
      if (url.pathname === GRAPHQL_PATH) return observed.handle(req, res, () => handleGraphQL(req, res, url.search));
      if (url.pathname === METRICS_PATH) return serveMetrics(observability, req, res);
      if (url.pathname === '/' && req.method === 'GET' && config.explorer) {
        const html = await explorerHtml(GRAPHQL_PATH, explorerHeaders, config.trustedDocuments.dir);
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-cache' });
        return void res.end(html);
      }
      if (graphMap?.serves(url.pathname) && req.method === 'GET') return graphMap.serve(url.pathname, res);
      if (url.pathname === '/health/live') return sendJson(res, 200, { status: 'ok' });
      if (url.pathname === '/health/ready') {
        const { status, body } = await ready();
        return sendJson(res, status, body);
      }
      sendJson(res, 404, { error: `Nothing is served at ${url.pathname}; GraphQL is at ${GRAPHQL_PATH}.` });
    };
    route().catch((error: unknown) => {
      observability.logger.error({ err: error, requestId: res.getHeader('x-request-id') }, 'Gateway request failed.');
      if (!res.headersSent) graphqlError(res, 500, 'Unexpected error while handling the request.', 'INTERNAL_SERVER_ERROR');
      else res.destroy();
    });
  });

  keepIdleConnections(server, config.keepAliveTimeoutMs);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;

  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}${GRAPHQL_PATH}`,
    port,
    queryPlanStats: () => queryPlans.stats(),
    responseCacheStats: () => responseCache?.stats(),
    stop() {
      // Stop accepting (and report not ready), let in-flight requests finish, then stop Apollo and the gateway.
      // Requests still running after the grace period have their connections cut, so stop() always ends.
      // A second call (a signal during a test's teardown) waits for the first instead of stopping twice.
      stopped ??= (async () => {
        stopping = true;
        await new Promise<void>((resolve) => {
          const grace = setTimeout(() => server.closeAllConnections(), config.shutdownGraceMs);
          // Kept-alive connections go idle as their last request finishes; close them then, not at keepAliveTimeout.
          const sweep = setInterval(() => server.closeIdleConnections(), 50);
          server.close(() => {
            clearTimeout(grace);
            clearInterval(sweep);
            resolve();
          });
          server.closeIdleConnections();
        });
        await apollo.stop();
        await subgraphHttp.close();
        responseCache?.close();
        await invalidations?.close();
        await redis?.close();
        await observability.close();
      })();
      return stopped;
    },
  };
}
