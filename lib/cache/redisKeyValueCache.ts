/**
 * Apollo's KeyValueCache over Redis, so automatic persisted queries (and
 * anything else Apollo Server caches by key) are shared by every gateway
 * replica: a client that registered a query hash with one replica can send
 * only the hash to any other. Failures count as misses, as in RedisCache.
 */
import type { KeyValueCache, KeyValueCacheSetOptions } from '@apollo/utils.keyvaluecache';
import type { RedisConnection } from './redisConnection.js';

export class RedisKeyValueCache implements KeyValueCache<string> {
  private failing = false;

  constructor(
    private readonly client: RedisConnection,
    private readonly options: { prefix: string; defaultTtlSeconds?: number },
  ) {}

  private key(key: string): string {
    return `${this.options.prefix}:kv:${key}`;
  }

  private fail(error: unknown): void {
    if (!this.failing) console.error(`The shared Apollo cache in Redis failed (${(error as Error).message}); treating it as a miss.`);
    this.failing = true;
  }

  async get(key: string): Promise<string | undefined> {
    try {
      const value = await this.client.get(this.key(key));
      this.failing = false;
      return value ?? undefined;
    } catch (error) {
      this.fail(error);
      return undefined;
    }
  }

  async set(key: string, value: string, options?: KeyValueCacheSetOptions): Promise<void> {
    // Apollo passes ttl null for "never expires"; undefined means the default.
    const ttl = options?.ttl === undefined ? this.options.defaultTtlSeconds : (options.ttl ?? undefined);
    try {
      await this.client.set(this.key(key), value, ttl !== undefined && ttl > 0 ? { pxMs: Math.ceil(ttl) * 1000 } : {});
      this.failing = false;
    } catch (error) {
      this.fail(error);
    }
  }

  async delete(key: string): Promise<boolean> {
    try {
      return (await this.client.del([this.key(key)])) > 0;
    } catch (error) {
      this.fail(error);
      return false;
    }
  }
}
