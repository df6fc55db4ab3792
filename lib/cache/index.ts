/**
 * One call builds what a component needs for caching from its settings: the
 * store, the invalidation bus, and a little shared state for change feeds (a
 * lock so one replica polls at a time, and the watermark it reached).
 */
import { LocalInvalidationBus, MemoryCache } from './memoryCache.js';
import { RedisCache, RedisInvalidationBus } from './redisCache.js';
import { connectRedis, type RedisConnection } from './redisConnection.js';
import { processSignals, type Signals } from './catchUpRequests.js';
import type { CacheSettings, CacheTtls, EntityCache, InvalidationBus } from './types.js';

export * from './types.js';
export { cachedBatch, type CacheUse } from './cachedBatch.js';

/** State the replicas of one deployment share, so only one of them polls a native system at a time. */
export interface SharedState {
  /** Takes (or renews) the named lease for `ms`; true when this replica holds it. */
  claim(name: string, ms: number): Promise<boolean>;
  get(name: string): Promise<string | undefined>;
  set(name: string, value: string): Promise<void>;
}

export interface CacheRuntime {
  cache: EntityCache;
  bus: InvalidationBus;
  state: SharedState;
  ttls: CacheTtls;
  /** Requests between components (a poll asked for after a write): over Redis, or within this process. */
  signals: Signals;
  /** CACHE_PREFIX: every key and channel of this deployment starts with it. */
  prefix: string;
  /** Closes the connections (Redis) or drops the entries (memory). */
  close(): Promise<void>;
}

class MemoryState implements SharedState {
  private readonly values = new Map<string, string>();
  async claim(): Promise<boolean> {
    return true;
  }
  async get(name: string) {
    return this.values.get(name);
  }
  async set(name: string, value: string) {
    this.values.set(name, value);
  }
}

class RedisState implements SharedState {
  // A random id per process: the lease is renewed only by the replica that holds it.
  private readonly holder = `${process.pid}-${Math.random().toString(36).slice(2)}`;
  constructor(
    private readonly client: RedisConnection,
    private readonly prefix: string,
  ) {}
  async claim(name: string, ms: number): Promise<boolean> {
    const key = `${this.prefix}:lease:${name}`;
    try {
      if (await this.client.set(key, this.holder, { onlyIfAbsent: true, pxMs: ms })) return true;
      if ((await this.client.get(key)) !== this.holder) return false;
      await this.client.pExpire(key, ms);
      return true;
    } catch {
      return false;
    }
  }
  async get(name: string) {
    return (await this.client.get(`${this.prefix}:state:${name}`)) ?? undefined;
  }
  async set(name: string, value: string) {
    await this.client.set(`${this.prefix}:state:${name}`, value);
  }
}

/** Undefined when caching is off. `name` labels the Redis connection (CLIENT LIST shows it). */
export async function startCache(settings: CacheSettings, name: string): Promise<CacheRuntime | undefined> {
  if (settings.mode === 'off') return undefined;
  if (settings.mode === 'memory') {
    const cache = new MemoryCache({ staleSeconds: settings.staleSeconds, maxEntries: settings.memoryMaxEntries });
    const bus = new LocalInvalidationBus(cache);
    return {
      cache,
      bus,
      state: new MemoryState(),
      ttls: settings.ttls,
      signals: processSignals,
      prefix: settings.prefix,
      close: async () => (await bus.close(), await cache.close()),
    };
  }
  const client = await connectRedis(settings.redis!, name);
  const cache = new RedisCache(client, { prefix: settings.prefix, staleSeconds: settings.staleSeconds });
  let bus: RedisInvalidationBus;
  try {
    bus = await RedisInvalidationBus.start(cache, client, settings.prefix);
  } catch (error) {
    await cache.close();
    throw error;
  }
  return {
    cache,
    bus,
    state: new RedisState(client, settings.prefix),
    ttls: settings.ttls,
    signals: client,
    prefix: settings.prefix,
    async close() {
      await bus.close();
      await cache.close();
    },
  };
}
