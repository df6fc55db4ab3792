/**
 * Builds the workflow subgraph and starts it listening. The connectors and the
 * idempotency guards live as long as the server: the guards' whole point is to
 * see every request for a key.
 */
import { ApolloServer } from '@apollo/server';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse, type DocumentNode } from 'graphql';
import { maskUnexpectedErrors } from '../../../lib/errors.js';
import { protectSubgraphSchema, scopesDeclaredIn } from '../../../lib/requiresScopes.js';
import { startSubgraphServer, subgraphServerPlugins } from '../../../lib/subgraphHttp.js';
import { subgraphSdl } from '../../../lib/subgraphSchemas.js';
import { createOdooClient, type OdooClient } from '../../../lib/native/odooClient.js';
import { SalesforceClient } from '../../../lib/native/salesforceClient.js';
import type { WorkflowSubgraphConfig } from './config.js';
import { createCrm } from './connectors/crm.js';
import { createErp } from './connectors/erp.js';
import type { WorkflowContext } from './context.js';
import { resolvers } from './resolvers/index.js';
import { createRedisLock, WorkflowGuard, type CrossProcessLock } from './workflows/guard.js';
import { connectRedis } from '../../../lib/cache/redisConnection.js';
import { processSignals, startCatchUpRequester } from '../../../lib/cache/catchUpRequests.js';
import { createReadYourWrites } from './readYourWrites.js';
import { consoleLogAt, structuredLogAt, type WorkflowLog } from './workflows/log.js';
import { createObservability, type ObservabilityOptions } from '../../../lib/observability/index.js';
import { SubgraphMetrics } from '../../../lib/observability/metrics.js';
import { createNativeCallObserver, type NativeCallObserver } from '../../../lib/observability/nativeCalls.js';

// Apollo types resolvers with an `unknown` context; codegen's map is typed with WorkflowContext, the stricter truth.
type SubgraphResolverMap = Exclude<Parameters<typeof buildSubgraphSchema>[0], DocumentNode | readonly unknown[]>['resolvers'];

export interface RunningWorkflowSubgraph {
  /** Where the subgraph answers GraphQL over HTTP POST. */
  url: string;
  /** Native calls made to the ERP, by `model.method`. */
  erpCallCounts(): Record<string, number>;
  stop(): Promise<void>;
}

/** `observers`, when given, count, time and log every Odoo and Salesforce call (lib/observability). */
export async function buildWorkflowContext(
  config: WorkflowSubgraphConfig,
  options: { log?: WorkflowLog; observers?: { odoo?: NativeCallObserver; salesforce?: NativeCallObserver } } = {},
): Promise<{ context: WorkflowContext; odoo: OdooClient; salesforce: SalesforceClient; close(): Promise<void> }> {
  const redis = config.redis
    ? await connectRedis(
        config.redis,
        'workflow',
        'workflows that need the cross-process lock fail, and mutations cannot ask for fresh ERP caches, until it is back',
      )
    : undefined;
  const crossProcess: CrossProcessLock | undefined = redis ? createRedisLock(redis, config.lockPrefix) : undefined;
  // After a mutation, the ERP subgraph is asked to poll for its writes and the CRM subgraph to publish
  // its Salesforce writes' change events (readYourWrites.ts): over Redis, or in this process.
  const signals = redis ?? processSignals;
  const [erpCatchUp, crmCatchUp] = await Promise.all([
    startCatchUpRequester(signals, config.cachePrefix, 'erp'),
    startCatchUpRequester(signals, config.cachePrefix, 'crm'),
  ]);
  const readYourWrites = createReadYourWrites({ erp: erpCatchUp, crm: crmCatchUp, erpWaitMs: config.erpRefreshWaitMs, crmWaitMs: config.crmRefreshWaitMs });
  // The same native clients as the ERP and CRM subgraphs (lib/native), with the same settings: reads retried, writes sent once.
  const odoo = createOdooClient({ ...config.odoo, observer: options.observers?.odoo });
  const salesforce = new SalesforceClient({
    ...config.salesforce,
    observer: options.observers?.salesforce,
    callOptionsClient: readYourWrites.callOptionsClient,
  });
  const guardOptions = { resultTtlMs: config.resultTtlMs, lockTtlMs: config.lockTtlMs, crossProcess };
  const context: WorkflowContext = {
    erp: createErp(odoo),
    crm: createCrm(salesforce, { written: readYourWrites.crmWritten }),
    currencyCode: config.currencyCode,
    log: options.log ?? consoleLogAt(config.logLevel),
    quoteGuard: new WorkflowGuard({ ...guardOptions, isFinal: (r) => r.outcome === 'COMPLETED' }),
    customerGuard: new WorkflowGuard({ ...guardOptions, isFinal: (r) => r.outcome === 'COMPLETED' }),
    writing: readYourWrites.writing,
  };
  return {
    context,
    odoo,
    salesforce,
    close: async () => {
      await odoo.close();
      await salesforce.close();
      await erpCatchUp.close();
      await crmCatchUp.close();
      await redis?.close();
    },
  };
}

export function createWorkflowServer(options: { development: boolean }): ApolloServer<WorkflowContext> {
  return new ApolloServer<WorkflowContext>({
    // main.ts (or npm start) owns shutdown; Apollo's own signal handlers would race it.
    stopOnTerminationSignals: false,
    // Fields with @requiresScopes check the caller's scopes here too, not only at the gateway.
    schema: protectSubgraphSchema(buildSubgraphSchema({ typeDefs: parse(subgraphSdl('workflow')), resolvers: resolvers as unknown as SubgraphResolverMap })),
    formatError: maskUnexpectedErrors(options.development),
    plugins: [...subgraphServerPlugins()],
  });
}

/** `options.log` replaces the workflow outcome lines (tests); the rest is the host's part of observability. */
export async function startWorkflowSubgraph(
  config: WorkflowSubgraphConfig,
  options: { log?: WorkflowLog } & ObservabilityOptions = {},
): Promise<RunningWorkflowSubgraph> {
  // This subgraph's logger, metrics (served at /metrics) and tracer: every call to either system is counted, timed and logged.
  const observability = createObservability('workflow', config.observability, {
    logDestination: options.logDestination,
    processMetrics: options.processMetrics,
  });
  const metrics = new SubgraphMetrics(observability.registry);
  const built = await buildWorkflowContext(config, {
    // Outcome lines go to the structured log, with the request id of the mutation that ran the workflow.
    log: options.log ?? structuredLogAt(observability.logger, config.logLevel),
    observers: { odoo: createNativeCallObserver('odoo', observability, metrics), salesforce: createNativeCallObserver('salesforce', observability, metrics) },
  });
  metrics.watchBreaker('odoo', () => built.odoo.breaker?.());
  metrics.watchBreaker('salesforce', () => built.salesforce.breaker());
  // Sforce-Limit-Info as Salesforce last reported it: API calls used and allowed in the last 24 hours.
  metrics.watchQuota('salesforce', () => built.salesforce.lastLimitInfo);
  const server = createWorkflowServer({ development: config.development });
  let url: string;
  try {
    // Only requests signed by the gateway are answered (lib/internalAuth.ts).
    ({ url } = await startSubgraphServer(server, {
      listen: { port: config.port, host: config.host },
      keepAliveTimeoutMs: config.keepAliveTimeoutMs,
      internalSecret: config.internalSecret,
      observability,
      openScopes: scopesDeclaredIn(subgraphSdl('workflow')),
      // Liveness only: it owns no native system (it writes to both), so the gateway's readiness reports it as `none`.
      routes: { '/health/live': async () => ({ status: 200, body: { status: 'up', subgraph: 'workflow' } }) },
      // A fresh object per request (the caller's scopes are set on it); the connectors and guards inside are shared on purpose.
      context: async () => ({ ...built.context }),
    }));
  } catch (error) {
    await built.close();
    await observability.close();
    throw error;
  }
  let stopped: Promise<void> | undefined;
  return {
    url: new URL('graphql', url).href,
    erpCallCounts: () => built.odoo.callCounts?.() ?? {},
    stop() {
      stopped ??= server
        .stop()
        .finally(() => built.close())
        .finally(() => observability.close());
      return stopped;
    },
  };
}
