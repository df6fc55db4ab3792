/**
 * Builds the workflow subgraph and starts it listening. The connectors and the
 * idempotency guards live as long as the server: the guards' whole point is to
 * see every request for a key.
 */
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse, type DocumentNode } from 'graphql';
import { maskUnexpectedErrors } from '../../../lib/errors.js';
import { protectSubgraphSchema, scopesDeclaredIn } from '../../../lib/requiresScopes.js';
import { startSubgraphServer } from '../../../lib/subgraphHttp.js';
import { subgraphSdl } from '../../../lib/subgraphSchemas.js';
import type { WorkflowSubgraphConfig } from './config.js';
import { createCrm } from './connectors/crm.js';
import { createErp } from './connectors/erp.js';
import { OdooRpc } from './connectors/odooRpc.js';
import { SalesforceRest } from './connectors/salesforceRest.js';
import type { WorkflowContext } from './context.js';
import { resolvers } from './resolvers/index.js';
import { createRedisLock, WorkflowGuard, type CrossProcessLock } from './workflows/guard.js';
import { consoleLogAt, type WorkflowLog } from './workflows/log.js';

// Apollo types resolvers with an `unknown` context; codegen's map is typed with WorkflowContext, the stricter truth.
type SubgraphResolverMap = Exclude<Parameters<typeof buildSubgraphSchema>[0], DocumentNode | readonly unknown[]>['resolvers'];

export interface RunningWorkflowSubgraph {
  /** Where the subgraph answers GraphQL over HTTP POST. */
  url: string;
  /** Native calls made to the ERP, by `model.method`. */
  erpCallCounts(): Record<string, number>;
  stop(): Promise<void>;
}

export async function buildWorkflowContext(config: WorkflowSubgraphConfig, options: { log?: WorkflowLog } = {}): Promise<{ context: WorkflowContext; odoo: OdooRpc; close(): Promise<void> }> {
  const odoo = new OdooRpc(config.odoo);
  const salesforce = new SalesforceRest(config.salesforce);
  const crossProcess: CrossProcessLock | undefined = config.redisUrl ? await createRedisLock(config.redisUrl, config.lockPrefix) : undefined;
  const guardOptions = { resultTtlMs: config.resultTtlMs, lockTtlMs: config.lockTtlMs, crossProcess };
  const context: WorkflowContext = {
    erp: createErp(odoo),
    crm: createCrm(salesforce),
    currencyCode: config.currencyCode,
    log: options.log ?? consoleLogAt(config.logLevel),
    quoteGuard: new WorkflowGuard({ ...guardOptions, isFinal: (r) => r.outcome === 'COMPLETED' }),
    customerGuard: new WorkflowGuard({ ...guardOptions, isFinal: (r) => r.outcome === 'COMPLETED' }),
  };
  return { context, odoo, close: async () => crossProcess?.close() };
}

export function createWorkflowServer(options: { development: boolean }): ApolloServer<WorkflowContext> {
  return new ApolloServer<WorkflowContext>({
    // main.ts (or npm start) owns shutdown; Apollo's own signal handlers would race it.
    stopOnTerminationSignals: false,
    // Fields with @requiresScopes check the caller's scopes here too, not only at the gateway.
    schema: protectSubgraphSchema(buildSubgraphSchema({ typeDefs: parse(subgraphSdl('workflow')), resolvers: resolvers as unknown as SubgraphResolverMap })),
    formatError: maskUnexpectedErrors(options.development),
    plugins: [ApolloServerPluginInlineTraceDisabled()],
  });
}

export async function startWorkflowSubgraph(config: WorkflowSubgraphConfig, options: { log?: WorkflowLog } = {}): Promise<RunningWorkflowSubgraph> {
  const built = await buildWorkflowContext(config, options);
  const server = createWorkflowServer({ development: config.development });
  let url: string;
  try {
    // Only requests signed by the gateway are answered (lib/internalAuth.ts).
    ({ url } = await startSubgraphServer(server, {
      listen: { port: config.port, host: config.host },
      internalSecret: config.internalSecret,
      openScopes: scopesDeclaredIn(subgraphSdl('workflow')),
      // Liveness only: it owns no native system (it writes to both), so the gateway's readiness reports it as `none`.
      routes: { '/health/live': async () => ({ status: 200, body: { status: 'up', subgraph: 'workflow' } }) },
      // A fresh object per request (the caller's scopes are set on it); the connectors and guards inside are shared on purpose.
      context: async () => ({ ...built.context }),
    }));
  } catch (error) {
    await built.close();
    throw error;
  }
  let stopped: Promise<void> | undefined;
  return {
    url: new URL('graphql', url).href,
    erpCallCounts: () => built.odoo.callCounts(),
    stop() {
      stopped ??= server.stop().finally(() => built.close());
      return stopped;
    },
  };
}
