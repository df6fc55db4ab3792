/**
 * Builds the ERP subgraph and starts it listening. The schema served is the
 * exact SDL that composition used (lib/subgraphSchemas.ts), so the supergraph
 * never disagrees with what this subgraph answers.
 */
import { ApolloServer } from '@apollo/server';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse, type DocumentNode } from 'graphql';
import { maskUnexpectedErrors } from '../../../lib/errors.js';
import { useStaleDataErrors } from '../../../lib/staleServing.js';
import { subgraphSdl } from '../../../lib/subgraphSchemas.js';
import { protectSubgraphSchema, scopesDeclaredIn } from '../../../lib/requiresScopes.js';
import { startSubgraphServer, subgraphServerPlugins } from '../../../lib/subgraphHttp.js';
import { subgraphHealthRoutes } from '../../../lib/subgraphHealth.js';
import type { ErpSubgraphConfig } from './config.js';
import { createErpConnector, type ErpConnector } from './connectors/erpConnector.js';
import { createOdooClient } from '../../../lib/native/odooClient.js';
import { createErpContext, type ErpContext } from './context.js';
import { withGraphQLErrors } from './nativeErrors.js';
import { resolvers } from './resolvers/index.js';
import { startCache, type CacheRuntime } from '../../../lib/cache/index.js';
import { withoutBatching } from '../../../lib/unbatched.js';
import { createErpChangeFeed } from './connectors/erpChanges.js';
import { startErpChangeWatcher, type ErpChangeWatcher } from './cacheInvalidation.js';
import { createObservability, type ObservabilityOptions } from '../../../lib/observability/index.js';
import { SubgraphMetrics } from '../../../lib/observability/metrics.js';
import { createNativeCallObserver } from '../../../lib/observability/nativeCalls.js';
import { withCountedCache } from '../../../lib/observability/cacheMetrics.js';

// Apollo types resolvers with an `unknown` context; codegen's map is typed with ErpContext, the stricter truth.
type SubgraphResolverMap = Exclude<Parameters<typeof buildSubgraphSchema>[0], DocumentNode | readonly unknown[]>['resolvers'];

export interface RunningErpSubgraph {
  /** Where the subgraph answers GraphQL over HTTP POST. */
  url: string;
  stop(): Promise<void>;
  /** The cross-request cache, when one is configured (tests inspect it). */
  cache?: CacheRuntime;
  /** Polls the ERP for changes and publishes invalidations; present when the cache is. */
  changes?: ErpChangeWatcher;
}

/** The Apollo server for a connector, not yet listening: tests and other hosts can mount it as they like. */
export function createErpServer(
  connector: ErpConnector,
  options: {
    development: boolean;
    /** Whether a cache may serve stale entries, so STALE_DATA markers are needed. Defaults to false. */ staleMarkers?: boolean;
  },
): ApolloServer<ErpContext> {
  return new ApolloServer<ErpContext>({
    // main.ts (or npm start) owns shutdown; Apollo's own signal handlers would race it.
    stopOnTerminationSignals: false,
    // Fields with @requiresScopes check the caller's scopes here too, not only at the gateway.
    schema: protectSubgraphSchema(buildSubgraphSchema({ typeDefs: parse(subgraphSdl('erp')), resolvers: resolvers as unknown as SubgraphResolverMap })),
    formatError: maskUnexpectedErrors(options.development),
    // No usage reporting to Apollo Studio is configured, so per-field traces would be built for nobody.
    // useStaleDataErrors: a STALE_DATA error names each path answered from the cache while Odoo was down.
    // Only with a cache: the plugin looks at every resolved field, which costs a little on large lists.
    plugins: [...subgraphServerPlugins(), ...(options.staleMarkers ? [useStaleDataErrors<ErpContext>()] : [])],
  });
}

/** `observation` is the host's part: where logs go (tests read them back), whether process metrics are exported. */
export async function startErpSubgraph(config: ErpSubgraphConfig, observation: ObservabilityOptions = {}): Promise<RunningErpSubgraph> {
  // This subgraph's logger, metrics (served at /metrics) and tracer: every Odoo call is counted, timed and logged.
  const observability = createObservability('erp', config.observability, observation);
  const metrics = new SubgraphMetrics(observability.registry);
  const client = createOdooClient({ ...config.odoo, observer: createNativeCallObserver('odoo', observability, metrics) });
  metrics.watchBreaker('odoo', () => client.breaker?.());
  // Batch failures (Odoo down, Odoo refusing) become errors naming the ERP here, at the GraphQL boundary.
  const native = createErpConnector(client);
  const connector = withGraphQLErrors(config.nativeBatching === false ? withoutBatching(native) : native);
  const cache = withCountedCache(config.cache ? await startCache(config.cache, 'erp-subgraph') : undefined, metrics);
  const changes = cache
    ? startErpChangeWatcher(createErpChangeFeed(client), cache, { pollMs: config.changePollMs ?? 2000, report: metrics.changeFollower('odoo') })
    : undefined;
  const server = createErpServer(connector, { development: config.development, staleMarkers: cache !== undefined });
  let url: string;
  let stopped: Promise<void> | undefined;
  try {
    // Only requests signed by the gateway are answered (lib/internalAuth.ts).
    ({ url } = await startSubgraphServer(server, {
      listen: { port: config.port, host: config.host },
      keepAliveTimeoutMs: config.keepAliveTimeoutMs,
      // GET /health pings Odoo (common.version, outside the breaker) and reports the breaker; the gateway's /health/ready asks it.
      routes: subgraphHealthRoutes({
        subgraph: 'erp',
        native: { system: 'erp', name: 'ERP (Odoo)', ping: (ms) => client.ping?.(ms) ?? Promise.resolve('unknown'), breaker: () => client.breaker?.() },
        cache: cache?.cache,
        stopping: () => stopped !== undefined,
      }),
      internalSecret: config.internalSecret,
      observability,
      openScopes: scopesDeclaredIn(subgraphSdl('erp')),
      // Fresh loaders per request; across requests only the shared cache (native records, invalidated on change) is reused.
      context: async () => createErpContext(connector, cache, config.nativeBatching !== false),
    }));
  } catch (error) {
    await changes?.stop();
    await cache?.close();
    await client.close();
    await observability.close();
    throw error;
  }
  return {
    url: new URL('graphql', url).href,
    cache,
    changes,
    stop() {
      stopped ??= server
        .stop()
        .finally(() => changes?.stop())
        .finally(() => cache?.close())
        .finally(() => client.close())
        .finally(() => observability.close());
      return stopped;
    },
  };
}
