/**
 * The gateway's readiness: `GET /health/ready` answers 200 when every part the
 * graph needs is up, 503 otherwise, always with per-component detail:
 *
 *   { status: 'up' | 'down',
 *     subgraphs: { erp: { status, latencyMs, error? }, ... },          <- `{ __typename }` through the gateway's own data source
 *     nativeSystems: { erp: { status, name, breaker, version?, ... } },  <- each subgraph's GET /health (it pings its system)
 *     redis: { status } | null }
 *
 * Subgraphs are asked through the data sources the gateway queries them with,
 * so a health check is signed like any subgraph request (lib/internalAuth.ts)
 * and fails when signing would. `/health/live` stays a plain "the process
 * answers HTTP" check.
 */
import type { GraphQLDataSource, GraphQLDataSourceProcessOptions } from '@apollo/gateway';

// Private: @apollo/gateway does not export its request-kind enum; this is its HEALTH_CHECK member, which
// tells data sources (ours included) that no caller is behind the request.
const HEALTH_CHECK_KIND = 'health check' as Extract<GraphQLDataSourceProcessOptions['kind'], 'health check'>;

export const HEALTH_CHECK_QUERY = 'query __ApolloServiceHealthCheck__ { __typename }';

export interface ReadinessTargets {
  /** Every composed subgraph: its URL and the data source the gateway calls it with. */
  subgraphs: () => { name: string; url: string; dataSource?: GraphQLDataSource }[];
  /** Redis, when the gateway uses one. */
  redis?: { ping(): Promise<unknown> };
  /** Longest a single check may take. */
  timeoutMs: number;
  /** True once shutdown began: not ready, so load balancers stop sending traffic. */
  stopping: () => boolean;
}

type Status = 'up' | 'down';

export function createReadinessCheck(targets: ReadinessTargets): () => Promise<{ status: number; body: unknown }> {
  const { timeoutMs } = targets;
  return async () => {
    const subgraphs = targets.subgraphs();
    const [graphs, natives, redis] = await Promise.all([
      Promise.all(subgraphs.map((s) => checkSubgraph(s.name, s.dataSource, timeoutMs))),
      Promise.all(subgraphs.map((s) => checkNativeSystem(s.name, s.url, timeoutMs))),
      targets.redis ? timed(() => targets.redis!.ping(), timeoutMs, `Redis did not answer PING within ${timeoutMs} ms.`) : Promise.resolve(null),
    ]);
    const stopping = targets.stopping();
    const redisStatus = redis && {
      status: redis.error ? ('down' as Status) : ('up' as Status),
      latencyMs: redis.latencyMs,
      ...(redis.error ? { error: redis.error } : {}),
    };
    const up =
      !stopping && graphs.every((g) => g.status === 'up') && natives.every((n) => n.status !== 'down') && (!redisStatus || redisStatus.status === 'up');
    return {
      status: up ? 200 : 503,
      body: {
        status: up ? 'up' : 'down',
        ...(stopping ? { stopping: true } : {}),
        subgraphs: Object.fromEntries(graphs.map(({ name, ...rest }) => [name, rest])),
        nativeSystems: Object.fromEntries(natives.map(({ subgraph, ...rest }) => [subgraph, rest])),
        redis: redisStatus,
      },
    };
  };
}

async function checkSubgraph(name: string, dataSource: GraphQLDataSource | undefined, timeoutMs: number) {
  if (!dataSource) return { name, status: 'down' as Status, latencyMs: 0, error: `The gateway has not built a data source for subgraph "${name}" yet.` };
  const outcome = await timed(
    async () => {
      const response = await dataSource.process({ kind: HEALTH_CHECK_KIND, request: { query: HEALTH_CHECK_QUERY }, context: {} });
      if (response.errors?.length || !response.data) {
        throw new Error(
          `Expected subgraph "${name}" to answer { __typename } with data, but it answered: ${JSON.stringify(response.errors ?? response).slice(0, 300)}`,
        );
      }
    },
    timeoutMs,
    `Subgraph "${name}" did not answer { __typename } within ${timeoutMs} ms.`,
  );
  return { name, status: (outcome.error ? 'down' : 'up') as Status, latencyMs: outcome.latencyMs, ...(outcome.error ? { error: outcome.error } : {}) };
}

/**
 * What a subgraph says of its native system (GET /health). A subgraph without
 * such a route (one with no native system of its own) is reported as `none`.
 */
async function checkNativeSystem(name: string, subgraphUrl: string, timeoutMs: number) {
  const url = new URL('/health', subgraphUrl);
  const started = Date.now();
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), headers: { accept: 'application/json' } });
    const body = (response.status === 200 || response.status === 503 ? await response.json().catch(() => ({})) : {}) as {
      nativeSystem?: Record<string, unknown>;
      cache?: unknown;
      stopping?: boolean;
    };
    if (!body.nativeSystem) return { subgraph: name, status: 'none' as const };
    const native = body.nativeSystem ?? {};
    const status: Status = response.status === 200 ? 'up' : 'down';
    return { ...native, subgraph: name, status, ...(body.cache ? { cache: body.cache } : {}), ...(body.stopping ? { stopping: true } : {}) };
  } catch (error) {
    const detail =
      error instanceof Error && error.name === 'TimeoutError'
        ? `did not answer within ${timeoutMs} ms`
        : error instanceof Error
          ? error.message
          : String(error);
    return {
      subgraph: name,
      status: 'down' as Status,
      latencyMs: Date.now() - started,
      error: `Could not ask subgraph "${name}" at ${url.href} about its native system: ${detail}.`,
    };
  }
}

async function timed(fn: () => Promise<unknown>, ms: number, timeoutMessage: string): Promise<{ latencyMs: number; error?: string }> {
  const started = Date.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([fn(), new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(timeoutMessage)), ms)))]);
    return { latencyMs: Date.now() - started };
  } catch (error) {
    return { latencyMs: Date.now() - started, error: error instanceof Error ? error.message : String(error) };
  } finally {
    clearTimeout(timer);
  }
}
