/**
 * The shared cache: every replica reads and writes the same Redis (or Redis
 * Cluster: lib/cache/redisConnection.ts), and
 * invalidations travel over Redis pub/sub so that all of them hear of every
 * change. A Redis outage never fails a request: reads count as misses and
 * writes are skipped, and the outage is logged once, not per call.
 */
import type { RedisConnection } from './redisConnection.js';
import type { CacheGetOptions, CacheHit, EntityCache, Invalidation, InvalidationBus } from './types.js';

interface Envelope {
  v: unknown;
  /** storedAt, ms */
  t: number;
  /** fresh until, ms */
  f: number;
}

export class RedisCache implements EntityCache {
  readonly kind = 'redis' as const;
  private failing = false;

  constructor(
    private readonly client: RedisConnection,
    private readonly options: { prefix: string; staleSeconds?: number },
  ) {}

  /** The Redis key of one entry; also used by the bus to delete, so the two always agree. */
  keyOf(type: string, key: string): string {
    return `${this.options.prefix}:c:${type}:${key}`;
  }

  private patternOf(type: string): string {
    // Glob metacharacters in a type name must match literally.
    return `${this.options.prefix}:c:${type.replace(/[*?[\]\\]/g, '\\$&')}:*`;
  }

  private fail(operation: string, error: unknown): void {
    if (this.failing) return;
    this.failing = true;
    console.error(`The Redis cache could not ${operation} (${(error as Error).message}); treating it as a miss.`);
  }

  async getMany<T>(type: string, keys: readonly string[], options: CacheGetOptions = {}): Promise<(CacheHit<T> | undefined)[]> {
    if (keys.length === 0) return [];
    let raw: (string | null)[];
    try {
      raw = await this.client.getMany(keys.map((k) => this.keyOf(type, k)));
      this.failing = false;
    } catch (error) {
      this.fail('read', error);
      return keys.map(() => undefined);
    }
    const now = Date.now();
    return raw.map((text) => {
      if (text === null) return undefined;
      let envelope: Envelope;
      try {
        envelope = JSON.parse(text) as Envelope;
      } catch {
        return undefined;
      }
      const stale = now >= envelope.f;
      if (stale && !options.includeStale) return undefined;
      return { value: envelope.v as T, stale, storedAt: envelope.t };
    });
  }

  async setMany<T>(type: string, entries: readonly (readonly [string, T])[], ttlSeconds: number): Promise<void> {
    if (entries.length === 0 || ttlSeconds <= 0) return;
    const now = Date.now();
    const keepMs = (ttlSeconds + (this.options.staleSeconds ?? 0)) * 1000;
    const serialized = entries.map(([key, value]) => {
      const envelope: Envelope = { v: value, t: now, f: now + ttlSeconds * 1000 };
      return [this.keyOf(type, key), JSON.stringify(envelope)] as const;
    });
    try {
      await this.client.setMany(serialized, keepMs);
      this.failing = false;
    } catch (error) {
      this.fail('write', error);
    }
  }

  async delete(type: string, keys: readonly string[] | '*'): Promise<void> {
    try {
      if (keys === '*') await this.client.deleteMatching(this.patternOf(type));
      else await this.client.del(keys.map((k) => this.keyOf(type, k)));
    } catch (error) {
      this.fail('delete', error);
      throw error;
    }
  }

  async close(): Promise<void> {
    await this.client.close();
  }
}

/**
 * Invalidations over Redis pub/sub. A publisher deletes the entries in Redis
 * (so no replica can read them again), then publishes; every subscribed
 * replica, this one included, hears the message and tells its listeners.
 */
export class RedisInvalidationBus implements InvalidationBus {
  private readonly listeners = new Set<(event: Invalidation) => void>();

  private stopListening: () => Promise<void> = async () => {};

  private constructor(
    private readonly cache: RedisCache,
    private readonly connection: RedisConnection,
    private readonly channel: string,
  ) {}

  static async start(cache: RedisCache, connection: RedisConnection, prefix: string): Promise<RedisInvalidationBus> {
    const bus = new RedisInvalidationBus(cache, connection, `${prefix}:invalidate`);
    bus.stopListening = await connection.subscribe(bus.channel, (message: string) => bus.deliver(message));
    return bus;
  }

  private deliver(message: string): void {
    let events: Invalidation[];
    try {
      events = JSON.parse(message) as Invalidation[];
    } catch {
      console.error(`Ignored an invalidation message that is not JSON: ${message.slice(0, 200)}`);
      return;
    }
    for (const event of events) for (const listener of this.listeners) listener(event);
  }

  async publish(events: readonly Invalidation[]): Promise<void> {
    if (events.length === 0) return;
    for (const event of events) await this.cache.delete(event.type, event.keys);
    await this.connection.publish(this.channel, JSON.stringify(events));
  }

  subscribe(listener: (event: Invalidation) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    this.listeners.clear();
    await this.stopListening();
  }
}
