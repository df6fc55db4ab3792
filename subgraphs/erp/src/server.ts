/**
 * Builds the ERP subgraph and starts it listening. The schema served is the
 * exact SDL that composition used (lib/subgraphSchemas.ts), so the supergraph
 * never disagrees with what this subgraph answers.
 */
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { startStandaloneServer } from '@apollo/server/standalone';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse, type DocumentNode } from 'graphql';
import { maskUnexpectedErrors } from '../../../lib/errors.js';
import { subgraphSdl } from '../../../lib/subgraphSchemas.js';
import type { ErpSubgraphConfig } from './config.js';
import { createErpConnector, type ErpConnector } from './connectors/erpConnector.js';
import { createOdooClient } from './connectors/odooClient.js';
import { createErpContext, type ErpContext } from './context.js';
import { withGraphQLErrors } from './nativeErrors.js';
import { resolvers } from './resolvers/index.js';

// Apollo types resolvers with an `unknown` context; codegen's map is typed with ErpContext, the stricter truth.
type SubgraphResolverMap = Exclude<Parameters<typeof buildSubgraphSchema>[0], DocumentNode | readonly unknown[]>['resolvers'];

export interface RunningErpSubgraph {
  /** Where the subgraph answers GraphQL over HTTP POST. */
  url: string;
  stop(): Promise<void>;
}

/** The Apollo server for a connector, not yet listening: tests and other hosts can mount it as they like. */
export function createErpServer(connector: ErpConnector, options: { development: boolean }): ApolloServer<ErpContext> {
  return new ApolloServer<ErpContext>({
    schema: buildSubgraphSchema({ typeDefs: parse(subgraphSdl('erp')), resolvers: resolvers as unknown as SubgraphResolverMap }),
    formatError: maskUnexpectedErrors(options.development),
    // No usage reporting to Apollo Studio is configured, so per-field traces would be built for nobody.
    plugins: [ApolloServerPluginInlineTraceDisabled()],
  });
}

export async function startErpSubgraph(config: ErpSubgraphConfig): Promise<RunningErpSubgraph> {
  const client = createOdooClient(config.odoo);
  // Batch failures (Odoo down, Odoo refusing) become errors naming the ERP here, at the GraphQL boundary.
  const connector = withGraphQLErrors(createErpConnector(client));
  const server = createErpServer(connector, { development: config.development });
  let url: string;
  try {
    ({ url } = await startStandaloneServer(server, {
      listen: { port: config.port, host: config.host },
      // Fresh loaders per request: nothing cached outlives the request it was read for.
      context: async () => createErpContext(connector),
    }));
  } catch (error) {
    await client.close();
    throw error;
  }
  let stopped: Promise<void> | undefined;
  return {
    url: new URL('graphql', url).href,
    stop() {
      stopped ??= server.stop().finally(() => client.close());
      return stopped;
    },
  };
}
