/**
 * The cross-request cache of native records, shared by every replica when it
 * lives in Redis. What it holds is what a connector's batch function returned
 * for one key — a native-side record before any field-level authorization —
 * so a hit is exactly as safe to shape for a caller as a fresh read.
 */
import type { RedisTarget } from './redisConnection.js';

/** Which native system a cache type belongs to; invalidations name it so logs say where a change came from. */
export type CacheSystem = 'erp' | 'crm';

export interface CacheHit<T> {
  value: T;
  /** True only for entries past their TTL but still inside the stale window (asked for with `includeStale`). */
  stale: boolean;
  /** When the value was read from the native system (ms since the epoch). */
  storedAt: number;
}

export interface CacheGetOptions {
  /** Also answer entries past their TTL that are still kept for the stale window. Defaults to false. */
  includeStale?: boolean;
}

export interface EntityCache {
  /** Which store answers: `memory` (this process only) or `redis` (shared by every replica). */
  readonly kind: 'memory' | 'redis';
  /** One slot per key, in key order: the hit, or undefined. */
  getMany<T>(type: string, keys: readonly string[], options?: CacheGetOptions): Promise<(CacheHit<T> | undefined)[]>;
  setMany<T>(type: string, entries: readonly (readonly [string, T])[], ttlSeconds: number): Promise<void>;
  /** Drops keys of one type; `'*'` drops every entry of the type. */
  delete(type: string, keys: readonly string[] | '*'): Promise<void>;
  close(): Promise<void>;
}

/** A change seen in a native system, as the cache entries it makes stale. */
export interface Invalidation {
  system: CacheSystem;
  type: string;
  /** Keys of `type` to drop, or `'*'` when the change cannot be narrowed to keys (the whole type goes). */
  keys: readonly string[] | '*';
  /** What was seen, for logs: e.g. `AccountChangeEvent UPDATE` or `res.partner write_date`. */
  reason: string;
}

/**
 * Carries invalidations to every replica. `publish` drops the entries from the
 * shared store first, then tells every subscriber (this replica included), so
 * a replica that hears of a change never reads the stale entry again.
 */
export interface InvalidationBus {
  publish(events: readonly Invalidation[]): Promise<void>;
  /**
   * `onHearing(false)` says invalidations may be going unheard (the connection they come over was
   * lost: what is published meanwhile never arrives); `onHearing(true)` says they are heard again. A
   * listener that keeps anything in memory drops it all at both, and keeps nothing in between.
   */
  subscribe(listener: (event: Invalidation) => void, onHearing?: (hearing: boolean) => void): () => void;
  close(): Promise<void>;
}

/** Per-type time to live, with a default for types not named. */
export interface CacheTtls {
  defaultSeconds: number;
  byType: Readonly<Record<string, number>>;
}

export function ttlFor(ttls: CacheTtls, type: string): number {
  return ttls.byType[type] ?? ttls.defaultSeconds;
}

/** How a component caches, as its config.ts read it (see `readCacheSettings`). */
export interface CacheSettings {
  /** `off`, `memory` (this process) or `redis` (shared). Defaults to redis with REDIS_URL, else memory. */
  mode: 'off' | 'memory' | 'redis';
  /** Where Redis is (`REDIS_URL`, `REDIS_CLUSTER`); required for mode redis. */
  redis?: RedisTarget;
  /** Prefix of every Redis key and channel (`CACHE_PREFIX`), so deployments can share one Redis. Defaults to ecg. */
  prefix: string;
  ttls: CacheTtls;
  /** How long entries are kept past their TTL for serving while a native system is down (`CACHE_STALE_SECONDS`). Defaults to 3600. */
  staleSeconds: number;
  /** Largest number of entries the memory store holds before dropping the oldest (`CACHE_MEMORY_MAX_ENTRIES`). Defaults to 50000. */
  memoryMaxEntries: number;
}
