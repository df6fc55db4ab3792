/**
 * The gateway's part of observability, in one object its server builds once:
 *
 * - `handle` runs a `/graphql` request as a request scope, then counts it
 *   (`graphql_requests_total`, `graphql_request_duration_seconds` by operation)
 *   and writes its line: `{requestId, operationName, status, outcome, durationMs}`
 *   at info, the one line per request the default log level shows;
 * - `plugin` tells the scope which operations Apollo resolved and whether the
 *   answer carried errors (only names of parsed, validated operations are kept);
 * - `subgraphFetcher` wraps the fetch to one subgraph: sends the request id
 *   and `traceparent`, times it (`subgraph_fetch_duration_seconds`).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import type { Fetcher } from '@apollo/utils.fetcher';
import { observeRequest } from './http.js';
import type { Observability } from './index.js';
import { GatewayMetrics } from './metrics.js';
import { currentRequest, REQUEST_ID_HEADER } from './requestContext.js';
import { SpanKind, SpanStatusCode } from './tracing.js';

export interface GatewayObservation {
  metrics: GatewayMetrics;
  handle(req: IncomingMessage, res: ServerResponse, handler: () => Promise<void>): Promise<void>;
  plugin<TContext extends BaseContext>(): ApolloServerPlugin<TContext>;
  subgraphFetcher(subgraph: string, fetcher: Fetcher): Fetcher;
}

export function createGatewayObservation(observability: Observability): GatewayObservation {
  const metrics = new GatewayMetrics(observability.registry);
  const { tracing } = observability;
  return {
    metrics,
    handle(req, res, handler) {
      return observeRequest(observability, req, res, handler, (scope, { status, durationMs, completed }) => {
        const operation = metrics.operations.of(scope.operationNames);
        const outcome = status < 400 && completed && !scope.hadErrors ? 'ok' : 'error';
        metrics.requests.inc({ operation, status: outcome });
        metrics.requestDuration.observe({ operation }, durationMs / 1000);
        const names = scope.operationNames.join(',');
        scope.logger.info(
          { ...(names ? { operationName: names } : {}), status, outcome, durationMs, ...(completed ? {} : { aborted: true }) },
          'graphql request',
        );
      });
    },
    plugin<TContext extends BaseContext>(): ApolloServerPlugin<TContext> {
      return {
        async requestDidStart() {
          return {
            async didResolveOperation({ operation }) {
              const scope = currentRequest();
              if (!scope || !operation) return;
              const name = operation.name?.value ?? 'anonymous';
              scope.operationNames.push(name);
              scope.span?.setAttributes({ 'graphql.operation.name': name, 'graphql.operation.type': operation.operation });
            },
            async didEncounterErrors() {
              const scope = currentRequest();
              if (scope) scope.hadErrors = true;
            },
          };
        },
      };
    },
    subgraphFetcher(subgraph, fetcher) {
      return (async (url: string, init?: Record<string, unknown>) => {
        const scope = currentRequest();
        const headers: Record<string, string> = { ...(init?.headers as Record<string, string> | undefined) };
        // Health checks run outside any request: they carry no id.
        if (scope) headers[REQUEST_ID_HEADER] = scope.requestId;
        const span = tracing?.startSpan(`subgraph ${subgraph}`, {
          kind: SpanKind.CLIENT,
          parent: scope?.span,
          attributes: { 'graphql.subgraph.name': subgraph },
        });
        if (span) tracing!.inject(span, headers);
        const started = performance.now();
        let status = 'failed';
        try {
          const response = await fetcher(url, { ...init, headers } as Parameters<Fetcher>[1]);
          status = String(response.status);
          return response;
        } finally {
          // Until the answer's headers: a subgraph sends them once its execution is done.
          const seconds = (performance.now() - started) / 1000;
          metrics.subgraphFetchDuration.observe({ subgraph, status }, seconds);
          (scope?.logger ?? observability.logger).debug({ subgraph, status, durationMs: Math.round(seconds * 10_000) / 10 }, 'subgraph fetch');
          if (span) {
            if (status !== 'failed') span.setAttribute('http.response.status_code', Number(status));
            if (status === 'failed' || Number(status) >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
            span.end();
          }
        }
      }) as unknown as Fetcher;
    },
  };
}
