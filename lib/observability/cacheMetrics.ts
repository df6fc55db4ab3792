/**
 * Counts cross-request cache lookups (`cache_requests_total{type,result}`) by
 * wrapping the store every loader reads through, so neither the loaders nor
 * lib/cache need to know about metrics. One count per key looked up.
 */
import type { CacheGetOptions, CacheRuntime, EntityCache } from '../cache/index.js';
import type { SubgraphMetrics } from './metrics.js';

export function countedCache(cache: EntityCache, metrics: SubgraphMetrics): EntityCache {
  return {
    get kind() {
      return cache.kind;
    },
    async getMany<T>(type: string, keys: readonly string[], options?: CacheGetOptions) {
      const hits = await cache.getMany<T>(type, keys, options);
      let hit = 0;
      let stale = 0;
      for (const h of hits) {
        if (h === undefined) continue;
        if (h.stale) stale++;
        else hit++;
      }
      if (hit > 0) metrics.cacheRequests.inc({ type, result: 'hit' }, hit);
      if (stale > 0) metrics.cacheRequests.inc({ type, result: 'stale' }, stale);
      // A second look that only asks for stale entries (the system is down) is not a second miss.
      const miss = options?.includeStale ? 0 : hits.length - hit - stale;
      if (miss > 0) metrics.cacheRequests.inc({ type, result: 'miss' }, miss);
      return hits;
    },
    setMany: (type, entries, ttlSeconds) => cache.setMany(type, entries, ttlSeconds),
    delete: (type, keys) => cache.delete(type, keys),
    close: () => cache.close(),
  };
}

/** The runtime with its store counted; everything else (bus, state, close) is the runtime's own. */
export function withCountedCache(runtime: CacheRuntime | undefined, metrics: SubgraphMetrics): CacheRuntime | undefined {
  return runtime && { ...runtime, cache: countedCache(runtime.cache, metrics) };
}
