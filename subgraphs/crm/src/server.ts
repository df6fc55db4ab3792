/**
 * Builds the CRM subgraph (schema + resolvers + per-request context) and
 * serves it. `buildCrmSubgraph` is separate from listening so that tests and
 * other hosts can mount the same server.
 */
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse, type DocumentNode } from 'graphql';
import { maskUnexpectedErrors } from '../../../lib/errors.js';
import { subgraphSdl } from '../../../lib/subgraphSchemas.js';
import type { CrmSubgraphConfig } from './config.js';
import { createCrmConnector, type CrmConnector } from './connectors/crmConnector.js';
import { SalesforceClient, type SalesforceLimitInfo } from './connectors/salesforceClient.js';
import type { CrmContext } from './context.js';
import { createCrmLoaders } from './loaders.js';
import { resolvers } from './resolvers/index.js';

// Apollo types resolvers with an `unknown` context; codegen's map is typed with CrmContext, which is the stricter truth.
type SubgraphResolverMap = Exclude<Parameters<typeof buildSubgraphSchema>[0], DocumentNode | readonly unknown[]>['resolvers'];

export interface CrmSubgraph {
  server: ApolloServer<CrmContext>;
  /** A fresh context (and fresh DataLoaders) for one request. */
  context(): Promise<CrmContext>;
  salesforce: SalesforceClient;
}

export function buildCrmSubgraph(config: CrmSubgraphConfig): CrmSubgraph {
  const salesforce = new SalesforceClient(config.salesforce);
  const connector: CrmConnector = createCrmConnector(salesforce);
  const schema = buildSubgraphSchema({ typeDefs: parse(subgraphSdl('crm')), resolvers: resolvers as unknown as SubgraphResolverMap });
  const server = new ApolloServer<CrmContext>({ schema, formatError: maskUnexpectedErrors(config.development) });
  return {
    server,
    salesforce,
    context: async () => ({ loaders: createCrmLoaders(connector), currencyCode: config.currencyCode }),
  };
}

export interface RunningCrmSubgraph {
  url: string;
  stop(): Promise<void>;
  /** The last `Sforce-Limit-Info` seen, for health checks; null before the first Salesforce call. */
  salesforceLimitInfo(): SalesforceLimitInfo | null;
}

export async function startCrmSubgraph(config: CrmSubgraphConfig): Promise<RunningCrmSubgraph> {
  const { server, context, salesforce } = buildCrmSubgraph(config);
  let url: string;
  try {
    ({ url } = await startStandaloneServer(server, { listen: { port: config.port, host: config.host }, context }));
  } catch (error) {
    salesforce.close();
    throw error;
  }
  let stopping: Promise<void> | null = null;
  return {
    url,
    salesforceLimitInfo: () => salesforce.lastLimitInfo,
    stop: () => {
      // Stopping twice (a signal during a test teardown) must not stop the server twice.
      stopping ??= server.stop().finally(() => salesforce.close());
      return stopping;
    },
  };
}
