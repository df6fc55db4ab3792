/**
 * Serves a subgraph's Apollo server over node:http, in place of Apollo's
 * standalone server: the request must be checked against the gateway's
 * signature (lib/internalAuth.ts) over its exact bytes before it is parsed, and
 * a batch the gateway sends (a JSON array, lib/keepAliveFetch.ts) runs each of
 * its operations with a context of its own, which Apollo's batching does not.
 * Every subgraph (erp, crm, workflow) listens through this.
 */
import { keepIdleConnections, readBody, sendGraphQLError, sendJson } from './http.js';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HeaderMap, type ApolloServer, type BaseContext } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { setCallerScopes, verifyInternalRequest } from './internalAuth.js';
import type { Observability } from './observability/index.js';
import { METRICS_PATH, observeRequest, serveMetrics } from './observability/http.js';
import { currentRequest } from './observability/requestContext.js';
import { cacheabilityHeaders, trackCacheReads } from './cache/responseCacheability.js';

/**
 * Apollo plugins every subgraph's server starts with. Apollo turns on two by default that wrap
 * every field resolver: federated tracing (only the Apollo Studio reporting we do not use reads it)
 * and cache-control hints (nothing here sets or reads them). Left on they cost a measurable
 * share of the CPU of a page of 50 entities.
 */
export function subgraphServerPlugins() {
  return [ApolloServerPluginInlineTraceDisabled(), ApolloServerPluginCacheControlDisabled()];
}

export interface SubgraphListenOptions<TContext extends BaseContext> {
  listen: { port: number; host: string };
  /** Builds a fresh context for each request. */
  context: () => Promise<TContext>;
  /**
   * The secret the gateway signs with (`INTERNAL_SHARED_SECRET`). Unset means
   * anyone may call and every caller holds `openScopes` — development only;
   * each subgraph's config refuses that in production.
   */
  internalSecret: string | undefined;
  /** The scopes an unsigned caller holds when no secret is set. Defaults to none. */
  openScopes?: readonly string[];
  /** Largest request body accepted, in bytes. Defaults to 4 MiB. */
  maxBodyBytes?: number;
  /** How long an idle client connection is kept open, in ms (`HTTP_KEEPALIVE_TIMEOUT_MS`). */
  keepAliveTimeoutMs: number;
  /** Most operations in one batched request (a JSON array of requests, as the gateway batches them). Defaults to 64. */
  maxBatch?: number;
  /**
   * Plain HTTP GET routes served before GraphQL and without the gateway's
   * signature, by exact path: health checks (`/health/live`, `/health/ready`),
   * which carry no data and must answer even when signing is misconfigured.
   * Defaults to none.
   */
  routes?: Record<string, () => Promise<{ status: number; body: unknown }>>;
  /**
   * The subgraph's logger, metrics and tracer (lib/observability). With it,
   * each request adopts the gateway's `x-request-id` (and `traceparent`) and
   * `/metrics` is served, like the health routes without the gateway's
   * signature (behind METRICS_TOKEN when one is set). Defaults to none.
   */
  observability?: Observability;
}

/** Starts listening; the Apollo server's `stop()` also closes the HTTP server. Resolves to the base URL. */
export async function startSubgraphServer<TContext extends BaseContext>(
  server: ApolloServer<TContext>,
  options: SubgraphListenOptions<TContext>,
): Promise<{ url: string }> {
  const limit = options.maxBodyBytes ?? 4 * 1024 * 1024;
  const maxBatch = options.maxBatch ?? 64;
  const openScopes = new Set(options.openScopes ?? []);
  const { observability } = options;
  const httpServer = createServer((req, res) => {
    const reply = (status: number, message: string, code: string) => sendGraphQLError(res, status, message, code);
    const path = new URL(req.url ?? '/', 'http://subgraph').pathname;
    const handle = async () => {
      if (observability && path === METRICS_PATH) return serveMetrics(observability, req, res);
      const route = req.method === 'GET' ? options.routes?.[path] : undefined;
      if (route) {
        const { status, body } = await route();
        return sendJson(res, status, body, { 'cache-control': 'no-store' });
      }
      const raw = await readBody(req, limit);
      if (raw === null) return reply(413, `The request body exceeds the limit of ${limit} bytes.`, 'PAYLOAD_TOO_LARGE');
      let scopes = openScopes;
      if (options.internalSecret !== undefined) {
        const verdict = verifyInternalRequest(options.internalSecret, (name) => [req.headers[name]].flat()[0], raw);
        if (!verdict.ok) return reply(401, verdict.reason, 'UNAUTHENTICATED');
        scopes = verdict.scopes;
      }
      const headers = new HeaderMap();
      for (const [key, value] of Object.entries(req.headers)) {
        if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
      }
      let body: unknown = raw;
      if ((headers.get('content-type') ?? '').includes('application/json') && raw.trim() !== '') {
        try {
          body = JSON.parse(raw);
        } catch (error) {
          return reply(400, `Expected a JSON body, but it could not be parsed: ${(error as Error).message}.`, 'BAD_REQUEST');
        }
      }
      if (Array.isArray(body) && (body.length === 0 || body.length > maxBatch)) {
        return reply(400, `Expected a batch of 1 to ${maxBatch} operations, but the array holds ${body.length}.`, 'BAD_REQUEST');
      }
      const url = new URL(req.url ?? '/', 'http://subgraph');
      const execute = (operation: unknown) =>
        server.executeHTTPGraphQLRequest({
          httpGraphQLRequest: { method: req.method ?? 'GET', headers, search: url.search, body: operation },
          context: async () => {
            const context = await options.context();
            setCallerScopes(context, scopes);
            return context;
          },
        });
      // What the request read decides whether the gateway may cache the answer whole (lib/cache/responseCacheability.ts);
      // a batch is answered under what all of its operations read together.
      const { result: response, reads } = await trackCacheReads(() => (Array.isArray(body) ? executeBatch(body, execute) : execute(body)));
      for (const [key, value] of response.headers) res.setHeader(key, value);
      for (const [key, value] of Object.entries(cacheabilityHeaders(reads))) res.setHeader(key, value);
      res.statusCode = response.status ?? 200;
      if (response.body.kind === 'complete') return void res.end(response.body.string);
      for await (const chunk of response.body.asyncIterator) res.write(chunk);
      res.end();
    };
    // GraphQL requests (not health checks or scrapes) run as a request scope: the gateway's request id
    // is on every line they write and every native call they cause.
    const guarded = () =>
      handle().catch((error: unknown) => {
        const logger = currentRequest()?.logger ?? observability?.logger;
        if (logger) logger.error({ err: error }, 'Subgraph request failed.');
        else console.error('Subgraph request failed:', error);
        if (!res.headersSent) reply(500, 'Unexpected error while handling the request.', 'INTERNAL_SERVER_ERROR');
        else res.destroy();
      });
    const plain = path === METRICS_PATH || (req.method === 'GET' && options.routes?.[path] !== undefined);
    void (observability && !plain
      ? observeRequest(observability, req, res, guarded, (scope, { status, durationMs }) => scope.logger.debug({ status, durationMs }, 'subgraph request'))
      : guarded());
  });
  keepIdleConnections(httpServer, options.keepAliveTimeoutMs);
  server.addPlugin(ApolloServerPluginDrainHttpServer({ httpServer }));
  await server.start();
  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(options.listen.port, options.listen.host, () => resolve());
  });
  const { port } = httpServer.address() as AddressInfo;
  const host = options.listen.host === '0.0.0.0' || options.listen.host === '::' ? 'localhost' : options.listen.host;
  return { url: `http://${host.includes(':') ? `[${host}]` : host}:${port}/` };
}

type HTTPGraphQLResponse = Awaited<ReturnType<ApolloServer['executeHTTPGraphQLRequest']>>;

/**
 * Runs the operations of a batch side by side, each as a request of its own (its own context, so its own
 * loaders and stale-data marks), and answers the JSON array of their results in order, as Apollo Server's
 * batching does. Side by side, their native calls leave together.
 */
async function executeBatch(operations: unknown[], execute: (operation: unknown) => Promise<HTTPGraphQLResponse>): Promise<HTTPGraphQLResponse> {
  const responses = await Promise.all(operations.map(execute));
  const bodies = responses.map(({ body }) => {
    // Only @defer or @stream answer in chunks, and a gateway's fetch never carries them.
    if (body.kind !== 'complete') throw new Error('Expected every operation of a batch to answer whole, but one answered in chunks (@defer or @stream).');
    return body.string;
  });
  return { status: 200, headers: responses[0]!.headers, body: { kind: 'complete', string: `[${bodies.join(',')}]` } };
}
