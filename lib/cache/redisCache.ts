/**
 * The shared cache: every replica reads and writes the same Redis (or Redis
 * Cluster: lib/cache/redisConnection.ts), and
 * invalidations travel over Redis pub/sub so that all of them hear of every
 * change. A Redis outage never fails a request: reads count as misses and
 * writes are skipped, and the outage is logged once, not per call.
 */
import { randomUUID } from 'node:crypto';
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
 * The type of the bus's own probes. A probe drops nothing (no keys) and no cache holds entries of this
 * type, so a replica that does not know probes treats one as an invalidation with no effect.
 */
const PROBE_TYPE = 'invalidation-bus.probe';
/** How often a bus that lost its connection sends a probe, to learn that it hears the channel again. */
const PROBE_EVERY_MS = 500;

/**
 * Invalidations over Redis pub/sub. A publisher deletes the entries in Redis
 * (so no replica can read them again), then publishes; every subscribed
 * replica, this one included, hears the message and tells its listeners.
 */
export class RedisInvalidationBus implements InvalidationBus {
  private readonly listeners = new Set<(event: Invalidation) => void>();
  private readonly hearingListeners = new Set<(hearing: boolean) => void>();
  /** While invalidations may be going unheard: the probe this replica waits to hear, sent again until it is. */
  private probe: { id: string; timer: NodeJS.Timeout } | null = null;

  private stopListening: () => Promise<void> = async () => {};

  private constructor(
    private readonly cache: RedisCache,
    private readonly connection: RedisConnection,
    private readonly channel: string,
  ) {}

  static async start(cache: RedisCache, connection: RedisConnection, prefix: string): Promise<RedisInvalidationBus> {
    const bus = new RedisInvalidationBus(cache, connection, `${prefix}:invalidate`);
    bus.stopListening = await connection.subscribe(
      bus.channel,
      (message: string) => bus.deliver(message),
      () => bus.lost(),
    );
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
    for (const event of events) {
      if (event.type === PROBE_TYPE) {
        if (event.reason === this.probe?.id) this.heard();
        continue;
      }
      for (const listener of this.listeners) listener(event);
    }
  }

  /**
   * The subscribed connection failed: what is published until it is back never arrives, and nothing says
   * when it is back and subscribed again but hearing a message. So listeners drop what they keep now,
   * and this replica sends itself probes until one comes back.
   */
  private lost(): void {
    if (this.probe) return;
    const id = randomUUID();
    const probe: Invalidation[] = [{ system: 'erp', type: PROBE_TYPE, keys: [], reason: id }];
    // While Redis is away the publish fails at once; the next probe tries again.
    const send = () => void this.connection.publish(this.channel, JSON.stringify(probe)).catch(() => undefined);
    this.probe = { id, timer: setInterval(send, PROBE_EVERY_MS) };
    this.probe.timer.unref();
    for (const listener of this.hearingListeners) listener(false);
    send();
  }

  private heard(): void {
    clearInterval(this.probe!.timer);
    this.probe = null;
    for (const listener of this.hearingListeners) listener(true);
  }

  async publish(events: readonly Invalidation[]): Promise<void> {
    if (events.length === 0) return;
    for (const event of events) await this.cache.delete(event.type, event.keys);
    await this.connection.publish(this.channel, JSON.stringify(events));
  }

  subscribe(listener: (event: Invalidation) => void, onHearing?: (hearing: boolean) => void): () => void {
    this.listeners.add(listener);
    if (onHearing) this.hearingListeners.add(onHearing);
    return () => {
      this.listeners.delete(listener);
      if (onHearing) this.hearingListeners.delete(onHearing);
    };
  }

  async close(): Promise<void> {
    if (this.probe) clearInterval(this.probe.timer);
    this.probe = null;
    this.listeners.clear();
    this.hearingListeners.clear();
    await this.stopListening();
  }
}
