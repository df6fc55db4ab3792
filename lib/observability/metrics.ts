/**
 * The Prometheus metrics, each set on a registry of its own per running server
 * (never prom-client's global one), so two gateways or two stacks in one test
 * process never count into each other. `/metrics` on a server shows what that
 * server did: the gateway its requests and subgraph fetches, each subgraph its
 * native calls, cache lookups, breakers and API quota.
 *
 * Label values are bounded: operation names are capped (OperationLabels),
 * systems, objects and methods come from a fixed protocol vocabulary and
 * fall back to `unknown`.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { BreakerSnapshot } from '../resilience.js';

export type NativeSystem = 'odoo' | 'salesforce';

/** Seconds; from a fast cache-backed answer to a slow report. */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export function createRegistry(options: { processMetrics?: boolean } = {}): Registry {
  const registry = new Registry();
  // Process metrics (memory, event loop lag, GC) describe the process, not a component: the host that
  // owns the process asks for them once (main.ts, npm start), not every server of a shared process.
  if (options.processMetrics) collectDefaultMetrics({ register: registry });
  return registry;
}

/**
 * Operation names as metric labels, bounded: the first `cap` distinct names
 * keep their own series, later ones count as `other`. Names come only from
 * parsed, validated operations (GraphQL names, so no odd characters).
 */
export class OperationLabels {
  private readonly seen = new Set<string>();
  constructor(private readonly cap = 100) {}

  /** One label for a request's resolved operations: the name, `anonymous`, `batch` for several, `unknown` when none resolved. */
  of(names: readonly string[]): string {
    if (names.length === 0) return 'unknown';
    if (names.length > 1) return 'batch';
    const name = names[0]!;
    if (this.seen.has(name)) return name;
    if (this.seen.size >= this.cap) return 'other';
    this.seen.add(name);
    return name;
  }
}

export class GatewayMetrics {
  readonly requests: Counter<'operation' | 'status'>;
  readonly requestDuration: Histogram<'operation'>;
  readonly subgraphFetchDuration: Histogram<'subgraph' | 'status'>;
  readonly operations = new OperationLabels();

  constructor(registry: Registry) {
    this.requests = new Counter({
      name: 'graphql_requests_total',
      help: 'GraphQL requests the gateway answered, by operation name and status (ok, or error: rejected or answered with GraphQL errors).',
      labelNames: ['operation', 'status'],
      registers: [registry],
    });
    this.requestDuration = new Histogram({
      name: 'graphql_request_duration_seconds',
      help: 'Time from receiving a GraphQL request to the end of its answer, by operation name.',
      labelNames: ['operation'],
      buckets: LATENCY_BUCKETS,
      registers: [registry],
    });
    this.subgraphFetchDuration = new Histogram({
      name: 'subgraph_fetch_duration_seconds',
      help: 'Time of one gateway-to-subgraph HTTP fetch, by subgraph and HTTP status (`failed` when no answer came).',
      labelNames: ['subgraph', 'status'],
      buckets: LATENCY_BUCKETS,
      registers: [registry],
    });
  }

  /**
   * Counts how the query-plan store answered (this replica's memory, Redis, or a miss that was planned
   * anew), read from the store's own counters at each scrape.
   */
  trackQueryPlans(registry: Registry, stats: () => { localHits: number; sharedHits: number; misses: number }): void {
    new Counter({
      name: 'query_plan_cache_lookups_total',
      help: "Query-plan lookups at the gateway: `local` (this replica's memory), `shared` (Redis, planned by another replica or an earlier run) or `miss` (planned here).",
      labelNames: ['result'],
      registers: [registry],
      collect() {
        const { localHits, sharedHits, misses } = stats();
        this.reset();
        this.inc({ result: 'local' }, localHits);
        this.inc({ result: 'shared' }, sharedHits);
        this.inc({ result: 'miss' }, misses);
      },
    });
  }

  /** The response cache's counts, read at each scrape (gateway/src/responseCache.ts). */
  trackResponseCache(registry: Registry, stats: () => ResponseCacheCounts): void {
    new Counter({
      name: 'response_cache_lookups_total',
      help: "Whole-answer lookups at the gateway: `hit` (answered from this replica's response cache) or `miss` (executed).",
      labelNames: ['result'],
      registers: [registry],
      collect() {
        const { hits, misses } = stats();
        this.reset();
        this.inc({ result: 'hit' }, hits);
        this.inc({ result: 'miss' }, misses);
      },
    });
    new Counter({
      name: 'response_cache_invalidated_total',
      help: 'Cached answers dropped because an invalidation named one of the entity types they were made from.',
      registers: [registry],
      collect() {
        this.reset();
        this.inc(stats().invalidated);
      },
    });
    new Gauge({
      name: 'response_cache_entries',
      help: "Answers in this replica's response cache.",
      registers: [registry],
      collect() {
        this.set(stats().entries);
      },
    });
  }
}

/** What the gateway's response cache did so far (gateway/src/responseCache.ts). */
export interface ResponseCacheCounts {
  hits: number;
  misses: number;
  stored: number;
  invalidated: number;
  entries: number;
}

export interface QuotaReading {
  used: number | null;
  max: number | null;
}

/** What a subgraph counts: native calls, cache lookups, breaker states and API quota. */
/**
 * What a follower of a native system's changes reports (the ERP's `write_date` poll, the CRM's change
 * stream): each round it made, and how many changes a successful one handled. Only the replica holding
 * the follower's lease makes rounds.
 */
export interface ChangeFollowReport {
  /** `gap`: the follower could not tell what changed (a lost change stream position) and dropped everything. */
  round(outcome: 'ok' | 'failed' | 'gap', changes?: number): void;
}

export class SubgraphMetrics {
  readonly nativeCalls: Counter<'system' | 'object' | 'method' | 'outcome'>;
  private readonly changeRounds: Counter<'system' | 'outcome'>;
  private readonly changesHandled: Counter<'system'>;
  private readonly changeLastOk: Gauge<'system'>;
  readonly nativeCallDuration: Histogram<'system' | 'object' | 'method'>;
  readonly cacheRequests: Counter<'type' | 'result'>;
  private readonly breakers = new Map<NativeSystem, () => BreakerSnapshot | undefined>();
  private readonly quotas = new Map<NativeSystem, () => QuotaReading | null>();

  constructor(registry: Registry) {
    this.nativeCalls = new Counter({
      name: 'native_calls_total',
      help: 'HTTP exchanges with a native system, by system, model or sObject, method and outcome (ok, refused: the system said no, unavailable: no usable answer).',
      labelNames: ['system', 'object', 'method', 'outcome'],
      registers: [registry],
    });
    this.nativeCallDuration = new Histogram({
      name: 'native_call_duration_seconds',
      help: 'Time of one HTTP exchange with a native system, by system, model or sObject and method.',
      labelNames: ['system', 'object', 'method'],
      buckets: LATENCY_BUCKETS,
      registers: [registry],
    });
    this.cacheRequests = new Counter({
      name: 'cache_requests_total',
      help: 'Cross-request cache lookups, one per key, by cached type and result (hit, miss, or stale: an expired entry served while the native system was down).',
      labelNames: ['type', 'result'],
      registers: [registry],
    });
    this.changeRounds = new Counter({
      name: 'change_follow_rounds_total',
      help: "Rounds of following a native system's changes (ERP: write_date polls; CRM: change stream connects), by outcome: ok, failed, or gap (what changed could not be told, so every cached entry of that system was dropped).",
      labelNames: ['system', 'outcome'],
      registers: [registry],
    });
    this.changesHandled = new Counter({
      name: 'native_changes_total',
      help: 'Native changes turned into cache invalidations (ERP: changed records the poll saw; CRM: change events).',
      labelNames: ['system'],
      registers: [registry],
    });
    this.changeLastOk = new Gauge({
      name: 'change_follow_last_ok_timestamp_seconds',
      help: "When this replica last followed a native system's changes successfully (Unix time); alert on time() minus it. Absent on replicas that do not hold the follower's lease.",
      labelNames: ['system'],
      registers: [registry],
    });
    const breakers = this.breakers;
    new Gauge({
      name: 'circuit_breaker_state',
      help: 'State of the circuit breaker in front of a native system: 0 closed, 1 half-open (one trial call allowed), 2 open (calls refused).',
      labelNames: ['system'],
      registers: [registry],
      // Read at scrape time from the breaker itself, so the gauge can never disagree with it.
      collect() {
        this.reset();
        for (const [system, snapshot] of breakers) {
          const state = snapshot()?.state;
          if (state !== undefined) this.set({ system }, state === 'closed' ? 0 : state === 'halfOpen' ? 1 : 2);
        }
      },
    });
    const quotas = this.quotas;
    new Gauge({
      name: 'native_api_quota',
      help: 'API calls the native system reports as used and allowed in its current window (Salesforce: Sforce-Limit-Info api-usage, last 24 hours).',
      labelNames: ['system', 'kind'],
      registers: [registry],
      collect() {
        this.reset();
        for (const [system, read] of quotas) {
          const reading = read();
          if (reading?.used != null) this.set({ system, kind: 'used' }, reading.used);
          if (reading?.max != null) this.set({ system, kind: 'max' }, reading.max);
        }
      },
    });
  }

  /** The report of the follower of `system`'s changes. */
  changeFollower(system: NativeSystem): ChangeFollowReport {
    return {
      round: (outcome, changes = 0) => {
        this.changeRounds.inc({ system, outcome });
        if (outcome !== 'ok') return;
        this.changesHandled.inc({ system }, changes);
        this.changeLastOk.set({ system }, Date.now() / 1000);
      },
    };
  }

  /** Reports `system`'s breaker in `circuit_breaker_state`. */
  watchBreaker(system: NativeSystem, snapshot: () => BreakerSnapshot | undefined): void {
    this.breakers.set(system, snapshot);
  }

  /** Reports what `system` last said of its API quota in `native_api_quota`; `read` answers null until it said anything. */
  watchQuota(system: NativeSystem, read: () => QuotaReading | null): void {
    this.quotas.set(system, read);
  }
}
