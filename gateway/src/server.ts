/**
 * Builds the gateway: Apollo Server running @apollo/gateway over the composed
 * supergraph, served by a small node:http front that also serves the explorer
 * and health checks. `main.ts` is what listens on the configured port.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer, HeaderMap } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';
import type { GatewayConfig } from './config.js';
import { composedSubgraphs, readSupergraph } from './supergraph.js';
import { explorerHtml } from './explorer.js';
import { maskUnexpectedErrors } from '../../lib/errors.js';
import { useArgumentNamesInErrors } from './plugins/useArgumentNamesInErrors.js';

export const GRAPHQL_PATH = '/graphql';

export interface RunningGateway {
  url: string;
  port: number;
  stop(): Promise<void>;
}

class RequestBodyTooLarge extends Error {}

function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > limit) return reject(new RequestBodyTooLarge());
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data');
        reject(new RequestBodyTooLarge());
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const payload = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(payload) });
  res.end(payload);
}

function graphqlError(res: ServerResponse, status: number, message: string, code: string): void {
  sendJson(res, status, { errors: [{ message, extensions: { code } }] });
}

export async function startGateway(config: GatewayConfig): Promise<RunningGateway> {
  const supergraphSdl = readSupergraph(config.supergraphPath);
  const known = composedSubgraphs(supergraphSdl).map((s) => s.name);
  for (const name of Object.keys(config.subgraphUrls)) {
    if (!known.includes(name)) {
      throw new Error(`A URL was configured for subgraph "${name}", but the supergraph only composes: ${known.join(', ')}.`);
    }
  }

  const gateway = new ApolloGateway({
    supergraphSdl,
    buildService: ({ name, url }) => new RemoteGraphQLDataSource({ url: config.subgraphUrls[name] ?? url }),
  });

  const apollo = new ApolloServer({
    gateway,
    introspection: config.introspection,
    includeStacktraceInErrorResponses: config.development,
    formatError: maskUnexpectedErrors(config.development),
    // The explorer is served at `/` by the HTTP front below, from local files.
    plugins: [ApolloServerPluginLandingPageDisabled(), useArgumentNamesInErrors()],
  });
  await apollo.start();

  const handleGraphQL = async (req: IncomingMessage, res: ServerResponse, search: string): Promise<void> => {
    let raw = '';
    try {
      raw = await readBody(req, config.maxBodyBytes);
    } catch (error) {
      if (error instanceof RequestBodyTooLarge) {
        return graphqlError(res, 413, `The request body exceeds the limit of ${config.maxBodyBytes} bytes.`, 'PAYLOAD_TOO_LARGE');
      }
      throw error;
    }
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
    const response = await apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: req.method ?? 'GET', headers, search, body },
      context: async () => ({}),
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

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://gateway');
    const route = async () => {
      if (url.pathname === GRAPHQL_PATH) return handleGraphQL(req, res, url.search);
      if (url.pathname === '/' && req.method === 'GET' && config.explorer) {
        const html = explorerHtml(GRAPHQL_PATH);
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-cache' });
        return void res.end(html);
      }
      if (url.pathname === '/health/live') return sendJson(res, 200, { status: 'ok' });
      sendJson(res, 404, { error: `Nothing is served at ${url.pathname}; GraphQL is at ${GRAPHQL_PATH}.` });
    };
    route().catch((error: unknown) => {
      console.error('Gateway request failed:', error);
      if (!res.headersSent) graphqlError(res, 500, 'Unexpected error while handling the request.', 'INTERNAL_SERVER_ERROR');
      else res.destroy();
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;

  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}${GRAPHQL_PATH}`,
    port,
    async stop() {
      // Stop accepting, let in-flight requests finish, then stop Apollo and the gateway.
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      await apollo.stop();
    },
  };
}
