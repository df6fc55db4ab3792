/**
 * The embedded default: entries in this process only, bounded in number. With
 * one replica this is all the cache there is; with several, use Redis, or each
 * replica would hold (and invalidate) its own copy.
 */
import type { CacheGetOptions, CacheHit, EntityCache, Invalidation, InvalidationBus } from './types.js';

interface Entry {
  value: unknown;
  storedAt: number;
  freshUntil: number;
  keepUntil: number;
}

export class MemoryCache implements EntityCache {
  readonly kind = 'memory' as const;
  // A Map keeps insertion order: the first key is the oldest write, the one evicted at the bound.
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly options: { staleSeconds?: number; maxEntries?: number; now?: () => number } = {}) {}

  private now(): number {
    return this.options.now?.() ?? Date.now();
  }

  async getMany<T>(type: string, keys: readonly string[], options: CacheGetOptions = {}): Promise<(CacheHit<T> | undefined)[]> {
    const now = this.now();
    return keys.map((key) => {
      const id = `${type}\u0000${key}`;
      const entry = this.entries.get(id);
      if (!entry) return undefined;
      if (now >= entry.keepUntil) {
        this.entries.delete(id);
        return undefined;
      }
      const stale = now >= entry.freshUntil;
      if (stale && !options.includeStale) return undefined;
      return { value: entry.value as T, stale, storedAt: entry.storedAt };
    });
  }

  async setMany<T>(type: string, entries: readonly (readonly [string, T])[], ttlSeconds: number): Promise<void> {
    if (ttlSeconds <= 0) return;
    const now = this.now();
    const freshUntil = now + ttlSeconds * 1000;
    const keepUntil = freshUntil + (this.options.staleSeconds ?? 0) * 1000;
    const max = this.options.maxEntries ?? 50_000;
    for (const [key, value] of entries) {
      const id = `${type}\u0000${key}`;
      this.entries.delete(id);
      this.entries.set(id, { value, storedAt: now, freshUntil, keepUntil });
    }
    while (this.entries.size > max) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
  }

  async delete(type: string, keys: readonly string[] | '*'): Promise<void> {
    if (keys === '*') {
      const prefix = `${type}\u0000`;
      for (const id of [...this.entries.keys()]) if (id.startsWith(prefix)) this.entries.delete(id);
      return;
    }
    for (const key of keys) this.entries.delete(`${type}\u0000${key}`);
  }

  /** Entries held now, for tests and diagnostics. */
  get size(): number {
    return this.entries.size;
  }

  async close(): Promise<void> {
    this.entries.clear();
  }
}

/** In-process bus for the memory cache: one replica, so "every replica" is this one. */
export class LocalInvalidationBus implements InvalidationBus {
  private readonly listeners = new Set<(event: Invalidation) => void>();

  constructor(private readonly cache: EntityCache) {}

  async publish(events: readonly Invalidation[]): Promise<void> {
    for (const event of events) await this.cache.delete(event.type, event.keys);
    for (const event of events) for (const listener of this.listeners) listener(event);
  }

  // In one process nothing is ever lost on the way: `onHearing` is never called.
  subscribe(listener: (event: Invalidation) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    this.listeners.clear();
  }
}
