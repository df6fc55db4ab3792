/**
 * One gateway in a process of its own, so the benchmark can read that
 * process's memory alone: `node --import tsx bench/gatewayProcess.ts <kind>`.
 * Prints `READY <graphql url>` once it listens. Subgraph URLs come from
 * ERP_SUBGRAPH_URL and CRM_SUBGRAPH_URL (and the rest of the environment, for ours).
 *
 *   ours   this project's gateway (gateway/src/server.ts), configured from the environment
 *   stock  @apollo/gateway in a bare Apollo Server: no plugins, no keep-alive pool, no shared cache
 *   hive   Hive Gateway's runtime (@graphql-hive/gateway-runtime) over the same supergraph
 *   hive-nodedupe   the same, with its in-flight subgraph request deduplication turned off
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';
import { loadGatewayConfig } from '../gateway/src/config.js';
import { startGateway } from '../gateway/src/server.js';
import { readSupergraph, withRequiresScopesEnforcedHere } from '../gateway/src/supergraph.js';

const kind = process.argv[2];
// Stock and Hive take only the subgraph URLs and the supergraph's path from this project's settings: read
// without the checks production makes of this gateway's own (authentication, secrets). The process still
// runs with the NODE_ENV it was given, as do their libraries.
const config = loadGatewayConfig({ ...process.env, GATEWAY_PORT: '0', ...(kind === 'ours' ? {} : { NODE_ENV: 'development' }) });
const urls = config.subgraphUrls;

/** The supergraph with each subgraph's URL replaced by the one this run serves it at. */
function supergraphForRun(): string {
  // @apollo/gateway refuses the `for: SECURITY` link of @requiresScopes, which neither it nor Hive enforces
  // here: the baseline and Hive run without field authorization (this gateway enforces it in a plugin).
  return withRequiresScopesEnforcedHere(readSupergraph(config.supergraphPath)).replace(
    /@join__graph\(name:\s*"([^"]+)",\s*url:\s*"([^"]*)"\)/g,
    (whole, name: string) => (urls[name] ? `@join__graph(name: "${name}", url: "${urls[name]}")` : whole),
  );
}

// The benchmark stops each gateway with SIGTERM between setups; nothing here needs a graceful drain
// (Hive's runtime would otherwise hold the process for its own shutdown).
process.once('SIGTERM', () => process.exit(0));

let url: string;
if (kind === 'ours') {
  url = (await startGateway(config)).url;
} else if (kind === 'stock') {
  const gateway = new ApolloGateway({
    supergraphSdl: supergraphForRun(),
    buildService: ({ url: subgraphUrl }) => new RemoteGraphQLDataSource({ url: subgraphUrl }),
  });
  const server = new ApolloServer({ gateway });
  url = (await startStandaloneServer(server, { listen: { port: 0, host: '127.0.0.1' } })).url;
} else if (kind === 'hive' || kind === 'hive-nodedupe') {
  const { createGatewayRuntime } = await import('@graphql-hive/gateway-runtime');
  const runtime = createGatewayRuntime({
    supergraph: supergraphForRun(),
    logging: false,
    maskedErrors: false,
    // Hive's HTTP executor shares identical in-flight subgraph requests by default; Apollo's gateway (and ours) does not.
    ...(kind === 'hive-nodedupe' ? { transportEntries: { '*.http': { options: { deduplicateInflightRequests: false } } } } : {}),
  });
  const server = createServer(runtime);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
} else {
  throw new Error(`Expected a gateway kind (ours, stock, hive or hive-nodedupe), but got ${JSON.stringify(kind)}.`);
}
console.log(`READY ${url.replace(/\/$/, '')}`);
