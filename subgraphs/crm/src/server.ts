/**
 * Builds the CRM subgraph (schema + resolvers + per-request context) and
 * serves it. `buildCrmSubgraph` is separate from listening so that tests and
 * other hosts can mount the same server.
 */
import { ApolloServer } from '@apollo/server';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse, type DocumentNode } from 'graphql';
import { maskUnexpectedErrors } from '../../../lib/errors.js';
import { StaleMarks, useStaleDataErrors } from '../../../lib/staleServing.js';
import { subgraphHealthRoutes } from '../../../lib/subgraphHealth.js';
import { subgraphSdl } from '../../../lib/subgraphSchemas.js';
import { protectSubgraphSchema, scopesDeclaredIn } from '../../../lib/requiresScopes.js';
import { startSubgraphServer, subgraphServerPlugins } from '../../../lib/subgraphHttp.js';
import type { CrmSubgraphConfig } from './config.js';
import { createCrmConnector, type CrmConnector } from './connectors/crmConnector.js';
import { SalesforceClient, type SalesforceLimitInfo } from '../../../lib/native/salesforceClient.js';
import type { CrmContext } from './context.js';
import { createCrmLoaders } from './loaders.js';
import { createAreaLoaders } from './areaLoaders.js';
import { createCrmAreasConnector } from './connectors/areasConnector.js';
import { resolvers } from './resolvers/index.js';
import { startCache, type CacheRuntime } from '../../../lib/cache/index.js';
import { withoutBatching } from '../../../lib/unbatched.js';
import { startCrmChangeSubscriber, type CrmChangeSubscriber } from './cacheInvalidation.js';
import { createObservability, type ObservabilityOptions } from '../../../lib/observability/index.js';
import { SubgraphMetrics } from '../../../lib/observability/metrics.js';
import { createNativeCallObserver, type NativeCallObserver } from '../../../lib/observability/nativeCalls.js';
import { withCountedCache } from '../../../lib/observability/cacheMetrics.js';

// Apollo types resolvers with an `unknown` context; codegen's map is typed with CrmContext, which is the stricter truth.
type SubgraphResolverMap = Exclude<Parameters<typeof buildSubgraphSchema>[0], DocumentNode | readonly unknown[]>['resolvers'];

export interface CrmSubgraph {
  server: ApolloServer<CrmContext>;
  /** A fresh context (and fresh DataLoaders) for one request. */
  context(): Promise<CrmContext>;
  salesforce: SalesforceClient;
}

/**
 * `cache`, when given, is the cross-request cache the loaders read through (native records only);
 * `observer`, when given, counts, times and logs every Salesforce call (lib/observability).
 */
export function buildCrmSubgraph(config: CrmSubgraphConfig, cache?: CacheRuntime, observer?: NativeCallObserver): CrmSubgraph {
  const salesforce = new SalesforceClient({ ...config.salesforce, observer });
  const native = createCrmConnector(salesforce);
  const connector: CrmConnector = config.nativeBatching === false ? withoutBatching(native) : native;
  // The ten ERP–CRM areas (identity, quotes, staff, marketing, sales, service): aggregates and batch reads.
  const areas = createCrmAreasConnector(salesforce);
  // Fields with @requiresScopes check the caller's scopes here too, not only at the gateway.
  const schema = protectSubgraphSchema(buildSubgraphSchema({ typeDefs: parse(subgraphSdl('crm')), resolvers: resolvers as unknown as SubgraphResolverMap }));
  // useStaleDataErrors: a STALE_DATA error names each path answered from the cache while Salesforce was down.
  const server = new ApolloServer<CrmContext>({
    schema,
    stopOnTerminationSignals: false,
    formatError: maskUnexpectedErrors(config.development),
    plugins: [...subgraphServerPlugins(), ...(cache ? [useStaleDataErrors<CrmContext>()] : [])],
  });
  return {
    server,
    salesforce,
    context: async () => {
      // While Salesforce is down, loaders answer from stale cache entries and mark them here.
      const stale = new StaleMarks('crm');
      const loaders = createCrmLoaders(connector, cache && { ...cache, stale }, { combineCustomerReads: config.nativeBatching !== false });
      return { loaders, areas: createAreaLoaders(areas), currencyCode: config.currencyCode, stale };
    },
  };
}

export interface RunningCrmSubgraph {
  url: string;
  stop(): Promise<void>;
  /** The last `Sforce-Limit-Info` seen, for health checks; null before the first Salesforce call. */
  salesforceLimitInfo(): SalesforceLimitInfo | null;
  /** The cross-request cache, when one is configured (tests inspect it). */
  cache?: CacheRuntime;
  /** Follows the Change Data Capture stream and publishes invalidations; present when the cache is. */
  changes?: CrmChangeSubscriber;
}

/** `observation` is the host's part: where logs go (tests read them back), whether process metrics are exported. */
export async function startCrmSubgraph(config: CrmSubgraphConfig, observation: ObservabilityOptions = {}): Promise<RunningCrmSubgraph> {
  // This subgraph's logger, metrics (served at /metrics) and tracer: every Salesforce call is counted, timed and logged.
  const observability = createObservability('crm', config.observability, observation);
  const metrics = new SubgraphMetrics(observability.registry);
  const cache = withCountedCache(config.cache ? await startCache(config.cache, 'crm-subgraph') : undefined, metrics);
  const { server, context, salesforce } = buildCrmSubgraph(config, cache, createNativeCallObserver('salesforce', observability, metrics));
  metrics.watchBreaker('salesforce', () => salesforce.breaker());
  // Sforce-Limit-Info as Salesforce last reported it: API calls used and allowed in the last 24 hours.
  metrics.watchQuota('salesforce', () => salesforce.lastLimitInfo);
  const changes = cache
    ? startCrmChangeSubscriber(salesforce, cache, { waitMs: config.changeWaitMs ?? 10_000, report: metrics.changeFollower('salesforce') })
    : undefined;
  let url: string;
  let stopping: Promise<void> | null = null;
  try {
    // Only requests signed by the gateway are answered (lib/internalAuth.ts).
    ({ url } = await startSubgraphServer(server, {
      listen: { port: config.port, host: config.host },
      keepAliveTimeoutMs: config.keepAliveTimeoutMs,
      context,
      // GET /health pings Salesforce (GET /services/data/: no login, no API allocation) and reports the breaker and Sforce-Limit-Info.
      routes: subgraphHealthRoutes({
        subgraph: 'crm',
        native: {
          system: 'crm',
          name: 'CRM (Salesforce)',
          ping: (ms) => salesforce.ping(ms),
          breaker: () => salesforce.breaker(),
          extra: () => ({ limitInfo: salesforce.lastLimitInfo }),
        },
        cache: cache?.cache,
        stopping: () => stopping !== null,
      }),
      internalSecret: config.internalSecret,
      observability,
      openScopes: scopesDeclaredIn(subgraphSdl('crm')),
    }));
  } catch (error) {
    await changes?.stop();
    await cache?.close();
    await salesforce.close();
    await observability.close();
    throw error;
  }
  return {
    // The subgraph answers on any path; name the conventional one, as the others do.
    url: new URL('graphql', url).href,
    cache,
    changes,
    salesforceLimitInfo: () => salesforce.lastLimitInfo,
    stop: () => {
      // Stopping twice (a signal during a test teardown) must not stop the server twice.
      // The change follower stops first: it unsubscribes through the cache's connection.
      stopping ??= Promise.resolve(changes?.stop())
        .then(() => server.stop())
        .finally(() => cache?.close())
        .finally(() => salesforce.close())
        .finally(() => observability.close());
      return stopping;
    },
  };
}
