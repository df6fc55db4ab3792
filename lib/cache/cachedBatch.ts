/**
 * Puts the cross-request cache in front of a DataLoader batch function: each
 * key is looked up in the cache, only the missing keys go to the native
 * system — in one call, as before — and what comes back is written to the
 * cache. Errors (a key with no record, a conflict) are never cached, so a
 * record created later is seen at once.
 */
import { ttlFor, type CacheTtls, type EntityCache } from './types.js';
import type { StaleServing } from '../staleServing.js';
import { asCacheFill, noteCacheRead } from './responseCacheability.js';

export interface CacheUse {
  cache: EntityCache;
  ttls: CacheTtls;
  /**
   * Per request: when the native batch fails with an outage, answer the missing keys from
   * entries past their TTL (kept for CACHE_STALE_SECONDS) and report each one (lib/staleServing.ts).
   * Defaults to none: the failure propagates.
   */
  stale?: StaleServing;
}

export interface CachedBatchOptions<K, V> {
  /** The cache key of a loader key; must agree with the loader's own cacheKeyFn. Defaults to String(key). */
  key?: (key: K) => string;
  /** What is stored for a value, e.g. without records embedded from another type. Defaults to the value. */
  toCached?: (value: V) => V;
  /**
   * Records of other types that arrived inside a fetched value (an account's owner), to cache under
   * their own type and key, so the next request finds them there. Defaults to none.
   */
  alsoCache?: (value: V) => readonly (readonly [type: string, key: string, value: unknown])[];
}

export type BatchFunction<K, V> = (keys: readonly K[]) => Promise<(V | Error)[]>;

/** With no cache (`use` undefined, or a type whose TTL is 0) the batch function is returned unchanged. */
export function cachedBatch<K, V>(
  use: CacheUse | undefined,
  type: string,
  batch: BatchFunction<K, V>,
  options: CachedBatchOptions<K, V> = {},
): BatchFunction<K, V> {
  if (!use) return batch;
  const ttl = ttlFor(use.ttls, type);
  if (ttl <= 0) return batch;
  const keyOf = options.key ?? ((key: K) => String(key));
  const toCached = options.toCached ?? ((value: V) => value);

  return async (keys) => {
    // What this request shows from here is covered by this type's invalidations (lib/cache/responseCacheability.ts).
    noteCacheRead(type, ttl);
    const cacheKeys = keys.map(keyOf);
    const hits = await use.cache.getMany<V>(type, cacheKeys);
    const missing: K[] = [];
    const missingAt: number[] = [];
    hits.forEach((hit, i) => {
      if (hit === undefined) {
        missing.push(keys[i]!);
        missingAt.push(i);
      }
    });
    const results: (V | Error)[] = hits.map((hit) => hit?.value as V);
    if (missing.length === 0) return results;

    let fetched: (V | Error)[];
    try {
      fetched = await asCacheFill(() => batch(missing));
    } catch (error) {
      if (!use.stale?.when(error)) throw error;
      // The system is down: an old value, marked as such, serves the caller better than none.
      const old = await use.cache.getMany<V>(
        type,
        missingAt.map((i) => cacheKeys[i]!),
        { includeStale: true },
      );
      if (old.every((hit) => hit === undefined)) throw error;
      old.forEach((hit, j) => {
        const i = missingAt[j]!;
        if (hit === undefined) {
          results[i] = error instanceof Error ? error : new Error(String(error));
          return;
        }
        results[i] = hit.value;
        use.stale!.served(type, cacheKeys[i]!, hit.value, hit.storedAt);
      });
      return results;
    }
    if (fetched.length !== missing.length) {
      throw new Error(`Expected the batch function for ${type} to return ${missing.length} results, one per key, but it returned ${fetched.length}.`);
    }
    const toStore: [string, V][] = [];
    fetched.forEach((value, j) => {
      const i = missingAt[j]!;
      results[i] = value;
      if (!(value instanceof Error)) toStore.push([cacheKeys[i]!, toCached(value)]);
    });
    await use.cache.setMany(type, toStore, ttl);
    if (options.alsoCache) {
      const byType = new Map<string, [string, unknown][]>();
      for (const value of fetched) {
        if (value instanceof Error) continue;
        for (const [otherType, key, other] of options.alsoCache(value)) {
          // The request may show these (an account's owner) without reading their type through the cache.
          noteCacheRead(otherType, ttlFor(use.ttls, otherType));
          const list = byType.get(otherType) ?? [];
          list.push([key, other]);
          byType.set(otherType, list);
        }
      }
      for (const [otherType, entries] of byType) await use.cache.setMany(otherType, entries, ttlFor(use.ttls, otherType));
    }
    return results;
  };
}
