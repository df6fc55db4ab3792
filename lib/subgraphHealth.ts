/**
 * A subgraph's health routes (served by lib/subgraphHttp.ts, unsigned):
 *
 *   GET /health/live  -> 200 while the process serves HTTP
 *   GET /health       -> 200 when its native system answers a cheap ping and its
 *                        circuit is not open (and the cache, when it can be
 *                        pinged, answers); 503 otherwise. Both with detail:
 *
 *   { status: 'up' | 'down', subgraph: 'erp',
 *     nativeSystem: { system, name, status, version?, latencyMs, error?, breaker, limitInfo? },
 *     cache: { status, kind } | null }
 *
 * The ping bypasses the circuit breaker on purpose: it is how an operator sees
 * whether the system is back while the breaker still refuses calls.
 */
import type { NativeSystem } from './errors.js';
import type { BreakerSnapshot } from './resilience.js';

export interface NativeSystemProbe {
  system: NativeSystem;
  /** e.g. `ERP (Odoo)`. */
  name: string;
  /** A call that costs the system (and its API allocation) nothing, resolving to its version. */
  ping(timeoutMs: number): Promise<string>;
  breaker(): BreakerSnapshot | undefined;
  /** More to report, e.g. Salesforce's last `Sforce-Limit-Info`. */
  extra?(): Record<string, unknown>;
}

/** The cache as health sees it; `ping` is optional until every store has one. */
export interface CacheProbe {
  kind: string;
  ping?(): Promise<unknown>;
}

export interface SubgraphHealthOptions {
  subgraph: string;
  native: NativeSystemProbe;
  cache?: CacheProbe;
  /** Longest a ping may take before the system counts as down. Defaults to 2000 ms. */
  timeoutMs?: number;
  /** True once shutdown began: health then answers 503 so no new traffic is sent here. */
  stopping?: () => boolean;
}

export type HealthRoutes = Record<string, () => Promise<{ status: number; body: unknown }>>;

export function subgraphHealthRoutes(options: SubgraphHealthOptions): HealthRoutes {
  const timeoutMs = options.timeoutMs ?? 2_000;
  return {
    '/health/live': async () => ({ status: 200, body: { status: 'up', subgraph: options.subgraph } }),
    '/health': async () => {
      const [nativeSystem, cache] = await Promise.all([probeNative(options.native, timeoutMs), probeCache(options.cache, timeoutMs)]);
      const stopping = options.stopping?.() ?? false;
      const up = !stopping && nativeSystem.status === 'up' && (cache === null || cache.status !== 'down');
      return {
        status: up ? 200 : 503,
        body: { status: up ? 'up' : 'down', subgraph: options.subgraph, ...(stopping ? { stopping: true } : {}), nativeSystem, cache },
      };
    },
  };
}

async function probeNative(native: NativeSystemProbe, timeoutMs: number) {
  const started = Date.now();
  const breaker = native.breaker() ?? null;
  const base = { system: native.system, name: native.name, breaker, ...(native.extra?.() ?? {}) };
  try {
    const version = await withTimeout(native.ping(timeoutMs), timeoutMs, `${native.name} did not answer a ping within ${timeoutMs} ms.`);
    const open = breaker?.state === 'open';
    return {
      ...base,
      status: open ? ('down' as const) : ('up' as const),
      version,
      latencyMs: Date.now() - started,
      ...(open ? { error: `${native.name} answers again, but its circuit is still open; the next call in ${breaker!.retryInSeconds ?? 0}s is a trial.` } : {}),
    };
  } catch (error) {
    return { ...base, status: 'down' as const, latencyMs: Date.now() - started, error: error instanceof Error ? error.message : String(error) };
  }
}

async function probeCache(cache: CacheProbe | undefined, timeoutMs: number) {
  if (!cache) return null;
  if (!cache.ping) return { kind: cache.kind, status: 'unchecked' as const };
  try {
    await withTimeout(cache.ping(), timeoutMs, `The ${cache.kind} cache did not answer a ping within ${timeoutMs} ms.`);
    return { kind: cache.kind, status: 'up' as const };
  } catch (error) {
    return { kind: cache.kind, status: 'down' as const, error: error instanceof Error ? error.message : String(error) };
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([promise, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(message)), ms)))]).finally(() =>
    clearTimeout(timer),
  );
}
