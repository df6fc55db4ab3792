/**
 * The HTTP side of observability, shared by the gateway's front and the
 * subgraphs' servers: running one incoming request as a request scope (its
 * id, its logger, its span) and serving `/metrics`.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { Observability } from './index.js';
import { adoptRequestId, REQUEST_ID_HEADER, runWithRequest, type RequestScope } from './requestContext.js';
import { SpanKind, SpanStatusCode } from './tracing.js';

export const METRICS_PATH = '/metrics';

export interface FinishedRequest {
  /** The HTTP status answered; for a connection cut before the answer, whatever was set by then. */
  status: number;
  durationMs: number;
  /** False when the connection closed before the whole answer was written. */
  completed: boolean;
}

/**
 * Runs `handler` as one request: adopts a valid incoming `x-request-id` or
 * makes one, answers it in the response's `x-request-id`, opens the request's
 * span (a child of an incoming `traceparent`), and calls `finished` once the
 * response is done, still inside the scope.
 */
export function observeRequest(
  observability: Observability,
  req: IncomingMessage,
  res: ServerResponse,
  handler: () => Promise<void>,
  finished: (scope: RequestScope, result: FinishedRequest) => void,
): Promise<void> {
  const requestId = adoptRequestId(req.headers[REQUEST_ID_HEADER]);
  res.setHeader(REQUEST_ID_HEADER, requestId);
  const { tracing } = observability;
  const path = new URL(req.url ?? '/', 'http://server').pathname;
  const span = tracing?.startSpan(`${req.method ?? 'GET'} ${path}`, {
    kind: SpanKind.SERVER,
    parent: tracing.extract(req.headers),
    attributes: { 'http.request.method': req.method ?? 'GET', 'url.path': path },
  });
  const scope: RequestScope = { requestId, logger: observability.logger.child({ requestId }), span, operationNames: [], hadErrors: false };
  const started = performance.now();
  res.once('close', () => {
    const result = { status: res.statusCode, durationMs: Math.round((performance.now() - started) * 10) / 10, completed: res.writableFinished };
    runWithRequest(scope, () => finished(scope, result));
    if (span) {
      span.setAttribute('http.response.status_code', result.status);
      if (result.status >= 500 || !result.completed) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    }
  });
  return runWithRequest(scope, handler);
}

/**
 * `GET /metrics` in Prometheus' text format. With a metrics token, only a
 * request bearing it is answered (401 otherwise); the comparison takes the
 * same time whatever the token sent.
 */
export async function serveMetrics(observability: Observability, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' });
    return void res.end(`Expected GET ${METRICS_PATH}, but got ${req.method}.\n`);
  }
  if (observability.metricsToken !== undefined && !bearerMatches(req.headers.authorization, observability.metricsToken)) {
    res.writeHead(401, { 'www-authenticate': 'Bearer', 'content-type': 'text/plain; charset=utf-8' });
    return void res.end(
      `Expected "Authorization: Bearer <METRICS_TOKEN>" for ${METRICS_PATH}, but the request ${req.headers.authorization ? 'bore another token' : 'had none'}.\n`,
    );
  }
  const body = await observability.registry.metrics();
  res.writeHead(200, { 'content-type': observability.registry.contentType, 'cache-control': 'no-store' });
  res.end(req.method === 'HEAD' ? undefined : body);
}

// Private: digests first, so timingSafeEqual compares equal lengths and the time says nothing of the token.
function bearerMatches(header: string | undefined, token: string): boolean {
  const sent = /^Bearer\s+(\S+)$/i.exec(header ?? '')?.[1] ?? '';
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(sent), digest(token));
}
