/**
 * The shared cache: every replica reads and writes the same Redis, and
 * invalidations travel over Redis pub/sub so that all of them hear of every
 * change. A Redis outage never fails a request: reads count as misses and
 * writes are skipped, and the outage is logged once, not per call.
 */
import { createClient } from 'redis';
import type { CacheGetOptions, CacheHit, EntityCache, Invalidation, InvalidationBus } from './types.js';

export type RedisConnection = ReturnType<typeof createClient>;

/** Connects with fail-fast commands: while Redis is away a command errors at once instead of queueing. */
export async function connectRedis(url: string, name: string): Promise<RedisConnection> {
  const client = createClient({
    url,
    name,
    disableOfflineQueue: true,
    socket: { connectTimeout: 2000, reconnectStrategy: (retries) => Math.min(100 * 2 ** retries, 5000) },
  });
  let reported = false;
  // node-redis emits 'error' on every failed reconnect; without a listener the process would crash.
  client.on('error', (error: Error) => {
    if (reported) return;
    reported = true;
    console.error(`Redis at ${redactUrl(url)} is unreachable (${error.message}); the cache answers misses until it is back.`);
  });
  client.on('ready', () => {
    if (reported) console.error(`Redis at ${redactUrl(url)} is reachable again.`);
    reported = false;
  });
  try {
    await client.connect();
  } catch (error) {
    client.destroy();
    throw new Error(`Expected Redis at ${redactUrl(url)} (REDIS_URL), but could not connect: ${(error as Error).message}.`, { cause: error });
  }
  return client;
}

/** A URL fit for logs: the password, if any, replaced. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparseable REDIS_URL)';
  }
}

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
      raw = (await this.client.mGet(keys.map((k) => this.keyOf(type, k)))) as (string | null)[];
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
    const multi = this.client.multi();
    for (const [key, value] of entries) {
      const envelope: Envelope = { v: value, t: now, f: now + ttlSeconds * 1000 };
      multi.set(this.keyOf(type, key), JSON.stringify(envelope), { expiration: { type: 'PX', value: keepMs } });
    }
    try {
      await multi.exec();
      this.failing = false;
    } catch (error) {
      this.fail('write', error);
    }
  }

  async delete(type: string, keys: readonly string[] | '*'): Promise<void> {
    try {
      if (keys !== '*') {
        if (keys.length > 0) await this.client.del(keys.map((k) => this.keyOf(type, k)));
        return;
      }
      for await (const batch of this.client.scanIterator({ MATCH: this.patternOf(type), COUNT: 1000 })) {
        if (batch.length > 0) await this.client.del(batch);
      }
    } catch (error) {
      this.fail('delete', error);
      throw error;
    }
  }

  async close(): Promise<void> {
    if (this.client.isOpen) await this.client.close();
  }
}

/**
 * Invalidations over Redis pub/sub. A publisher deletes the entries in Redis
 * (so no replica can read them again), then publishes; every subscribed
 * replica, this one included, hears the message and tells its listeners.
 */
export class RedisInvalidationBus implements InvalidationBus {
  private readonly listeners = new Set<(event: Invalidation) => void>();

  private constructor(
    private readonly cache: RedisCache,
    private readonly publisher: RedisConnection,
    private readonly subscriber: RedisConnection,
    private readonly channel: string,
  ) {}

  static async start(cache: RedisCache, publisher: RedisConnection, prefix: string): Promise<RedisInvalidationBus> {
    const subscriber = publisher.duplicate();
    subscriber.on('error', () => {
      // The publisher connection already reports outages; reconnects resubscribe by themselves.
    });
    await subscriber.connect();
    const bus = new RedisInvalidationBus(cache, publisher, subscriber, `${prefix}:invalidate`);
    await subscriber.subscribe(bus.channel, (message: string) => bus.deliver(message));
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
    await this.publisher.publish(this.channel, JSON.stringify(events));
  }

  subscribe(listener: (event: Invalidation) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    this.listeners.clear();
    if (this.subscriber.isOpen) await this.subscriber.close();
  }
}
