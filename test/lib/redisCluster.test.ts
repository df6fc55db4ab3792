/**
 * The shared cache, its invalidation bus, persisted queries, leases and the
 * workflow lock on a real three-master Redis Cluster. A cluster refuses a
 * command whose keys sit in different hash slots, so every batch here is big
 * enough to span all three masters.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { connectRedis, requireShardedPubSub, type RedisConnection } from '../../lib/cache/redisConnection.js';
import { RedisCache, RedisInvalidationBus } from '../../lib/cache/redisCache.js';
import { RedisKeyValueCache } from '../../lib/cache/redisKeyValueCache.js';
import { startCache, type Invalidation } from '../../lib/cache/index.js';
import { readRedisTarget } from '../../lib/cache/settings.js';
import { answerCatchUpRequests, startCatchUpRequester } from '../../lib/cache/catchUpRequests.js';
import { ConfigError } from '../../lib/settings.js';
import { createRedisLock, LockUnavailableError } from '../../subgraphs/workflow/src/workflows/guard.js';
import { countKeys, cutSubscribedConnections, startTestRedisCluster, type TestRedis } from '../helpers/redis.js';

let redis: TestRedis & { nodes: string[] };
let connection: RedisConnection;

beforeAll(async () => {
  redis = await startTestRedisCluster();
  connection = await connectRedis({ url: redis.url, cluster: true }, 'cluster-test');
}, 30_000);
afterAll(async () => {
  await connection?.close();
  await redis?.stop();
});

/** How many keys with `prefix` each master holds, asked of each node directly. */
function keysPerNode(prefix: string): Promise<number[]> {
  return Promise.all(redis.nodes.map((url) => countKeys({ ...redis, url }, `${prefix}*`)));
}

describe('the entity cache on a Redis Cluster', () => {
  it('writes and reads a batch spread over every master, in key order, with misses where nothing is stored', async () => {
    const cache = new RedisCache(connection, { prefix: `${redis.prefix}-a` });
    const keys = Array.from({ length: 200 }, (_, i) => `id:${i}`);
    await cache.setMany(
      'erp.partner',
      keys.map((k) => [k, { key: k }] as const),
      60,
    );
    const perNode = await keysPerNode(`${redis.prefix}-a:c:erp.partner:`);
    expect(perNode.every((n) => n > 0)).toBe(true);
    expect(perNode.reduce((a, b) => a + b, 0)).toBe(200);

    const hits = await cache.getMany<{ key: string }>('erp.partner', ['id:7', 'missing', ...keys.slice(100, 150)]);
    expect(hits.map((h) => h?.value.key)).toEqual(['id:7', undefined, ...keys.slice(100, 150)]);
  });

  it('deletes named keys across slots, and a whole type on every master without touching another type', async () => {
    const prefix = `${redis.prefix}-b`;
    const cache = new RedisCache(connection, { prefix });
    const keys = Array.from({ length: 120 }, (_, i) => `ref:C${i}`);
    await cache.setMany(
      'erp.partner',
      keys.map((k) => [k, 1] as const),
      60,
    );
    await cache.setMany(
      'crm.account',
      keys.map((k) => [k, 2] as const),
      60,
    );

    await cache.delete('erp.partner', keys.slice(0, 60));
    expect((await cache.getMany('erp.partner', keys)).filter(Boolean)).toHaveLength(60);

    await cache.delete('erp.partner', '*');
    expect(await keysPerNode(`${prefix}:c:erp.partner:`)).toEqual([0, 0, 0]);
    expect((await cache.getMany('crm.account', keys)).every((hit) => hit?.value === 2)).toBe(true);
  });

  it('publishes an invalidation that a replica on another connection hears, after deleting the entries for everyone', async () => {
    const prefix = `${redis.prefix}-c`;
    const other = await connectRedis({ url: redis.nodes[2]!, cluster: true }, 'cluster-test-b');
    const busA = await RedisInvalidationBus.start(new RedisCache(connection, { prefix }), connection, prefix);
    const cacheB = new RedisCache(other, { prefix });
    const busB = await RedisInvalidationBus.start(cacheB, other, prefix);
    try {
      const keys = Array.from({ length: 60 }, (_, i) => `id:${i}`);
      await cacheB.setMany(
        'crm.contact',
        keys.map((k) => [k, k] as const),
        60,
      );
      const heard = new Promise<Invalidation>((resolve) => busB.subscribe(resolve));
      await busA.publish([{ system: 'crm', type: 'crm.contact', keys: keys.slice(0, 30), reason: 'ContactChangeEvent UPDATE' }]);
      expect((await heard).keys).toEqual(keys.slice(0, 30));
      expect((await cacheB.getMany('crm.contact', keys)).filter(Boolean)).toHaveLength(30);
    } finally {
      await busA.close();
      await busB.close();
      await other.close();
    }
  });
});

describe('the invalidation bus on a Redis Cluster when its shard connection is cut', () => {
  it('says invalidations may go unheard, then that they are heard again, and hears the next one; the outage is logged with its end', async () => {
    const logged = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const prefix = `${redis.prefix}-cut`;
    const listening = await connectRedis({ url: redis.url, cluster: true }, 'cluster-test-cut');
    const bus = await RedisInvalidationBus.start(new RedisCache(listening, { prefix }), listening, prefix);
    const publisher = await RedisInvalidationBus.start(new RedisCache(connection, { prefix }), connection, prefix);
    const heard: Invalidation[] = [];
    const hearing: boolean[] = [];
    bus.subscribe(
      (event) => heard.push(event),
      (now) => hearing.push(now),
    );
    try {
      // Every node's subscribed connections, whichever one carries the channel's shard.
      await cutSubscribedConnections(redis.nodes);
      await vi.waitFor(() => expect(hearing).toEqual([false, true]), { timeout: 10_000, interval: 20 });
      const change: Invalidation = { system: 'erp', type: 'erp.partner', keys: ['7'], reason: 'res.partner write_date' };
      await publisher.publish([change]);
      await vi.waitFor(() => expect(heard).toEqual([change]), { timeout: 10_000, interval: 20 });
      // A node connection that comes back emits nothing: the end of the outage is found by pinging.
      const lines = () => logged.mock.calls.map(([line]) => String(line)).filter((line) => line.startsWith('Redis at'));
      await vi.waitFor(() => expect(lines().some((line) => line.endsWith('is reachable again.'))).toBe(true), { timeout: 10_000, interval: 50 });
      expect(lines().findIndex((line) => line.includes('is unreachable'))).toBeLessThan(lines().findIndex((line) => line.endsWith('is reachable again.')));
    } finally {
      logged.mockRestore();
      await bus.close();
      await publisher.close();
      await listening.close();
    }
  });
});

describe('signals between components on a Redis Cluster', () => {
  it('counts every listener of a channel, whichever node each one connected through', async () => {
    // Twelve channels fall in slots of more than one master: a plain PUBLISH, which counts only the
    // subscribers of the node that ran it, would miss some listeners of some channel.
    const names = Array.from({ length: 12 }, (_, i) => `${redis.prefix}:signal:${i}`);
    const listeners = await Promise.all(redis.nodes.map((url, i) => connectRedis({ url, cluster: true }, `cluster-test-listener-${i}`)));
    try {
      const heard: string[] = [];
      for (const listener of listeners) for (const name of names) await listener.subscribe(name, (message) => heard.push(message));
      const counts = await Promise.all(names.map((name) => connection.publish(name, name)));
      expect(counts).toEqual(names.map(() => 3));
      await vi.waitFor(() => expect(heard).toHaveLength(36));
      expect(await connection.publish(`${redis.prefix}:signal:nobody`, 'x')).toBe(0);
    } finally {
      await Promise.all(listeners.map((listener) => listener.close()));
    }
  });

  it('asks for an ERP poll without waiting when no replica listens, and is answered by one that does', async () => {
    const prefix = `${redis.prefix}-poll`;
    const requester = await startCatchUpRequester(connection, prefix, 'erp');
    const other = await connectRedis({ url: redis.nodes[1]!, cluster: true }, 'cluster-test-poller');
    try {
      expect(await requester.catchUp('', 5_000)).toBe('no-follower');
      const stop = await answerCatchUpRequests(other, prefix, 'erp', async () => true);
      expect(await requester.catchUp('', 5_000)).toBe('caught-up');
      await stop();
    } finally {
      await requester.close();
      await other.close();
    }
  });
});

describe('persisted queries, leases and the workflow lock on a Redis Cluster', () => {
  it('keeps Apollo key-value entries with their time to live', async () => {
    const kv = new RedisKeyValueCache(connection, { prefix: `${redis.prefix}-kv` });
    await kv.set('apq:abc', '{ a }', { ttl: 60 });
    await kv.set('apq:short', '{ b }', { ttl: 1 });
    expect(await kv.get('apq:abc')).toBe('{ a }');
    expect(await kv.delete('apq:abc')).toBe(true);
    expect(await kv.get('apq:abc')).toBeUndefined();
    await new Promise((r) => setTimeout(r, 1100));
    expect(await kv.get('apq:short')).toBeUndefined();
  });

  it('gives a change-feed lease to one replica at a time', async () => {
    const settings = {
      mode: 'redis' as const,
      redis: { url: redis.url, cluster: true },
      prefix: `${redis.prefix}-lease`,
      ttls: { defaultSeconds: 60, byType: {} },
      staleSeconds: 0,
      memoryMaxEntries: 10,
    };
    const [a, b] = [await startCache(settings, 'lease-a'), await startCache(settings, 'lease-b')];
    try {
      expect(await a!.state.claim('erp-change-poll', 5000)).toBe(true);
      expect(await b!.state.claim('erp-change-poll', 5000)).toBe(false);
      expect(await a!.state.claim('erp-change-poll', 5000)).toBe(true);
      await a!.state.set('watermark', '2026-11-27 10:00:00');
      expect(await b!.state.get('watermark')).toBe('2026-11-27 10:00:00');
    } finally {
      await a!.close();
      await b!.close();
    }
  });

  it('holds the workflow lock for one process, and frees it only for its holder', async () => {
    const other = await connectRedis({ url: redis.nodes[1]!, cluster: true }, 'cluster-test-lock');
    const [one, two] = [createRedisLock(connection, `${redis.prefix}:lock:`), createRedisLock(other, `${redis.prefix}:lock:`)];
    try {
      const release = await one.acquire('quote-17', 5000, 100);
      await expect(two.acquire('quote-17', 5000, 100)).rejects.toBeInstanceOf(LockUnavailableError);
      await release();
      const again = await two.acquire('quote-17', 5000, 100);
      await again();
    } finally {
      await other.close();
    }
  });
});

describe('REDIS_URL and REDIS_CLUSTER', () => {
  it('takes a list of seed nodes only for a cluster, and names the setting otherwise', async () => {
    const list = 'redis://127.0.0.1:7000,redis://127.0.0.1:7001';
    expect(readRedisTarget({ REDIS_URL: list, REDIS_CLUSTER: 'true' })).toEqual({ url: list, cluster: true });
    expect(readRedisTarget({ REDIS_URL: 'redis://127.0.0.1:6379' })).toEqual({ url: 'redis://127.0.0.1:6379', cluster: false });
    expect(readRedisTarget({})).toBeUndefined();
    expect(() => readRedisTarget({ REDIS_URL: list })).toThrow(ConfigError);
    expect(() => readRedisTarget({ REDIS_URL: list })).toThrow(/REDIS_URL.*REDIS_CLUSTER=true/);
    expect(() => readRedisTarget({ REDIS_URL: 'redis://127.0.0.1:7000,http://x', REDIS_CLUSTER: 'true' })).toThrow(/REDIS_URL/);
    await expect(connectRedis({ url: list, cluster: false }, 'x')).rejects.toThrow(/Expected REDIS_URL to name one Redis server/);
  });

  it('refuses a cluster older than Redis 7, which has no sharded pub/sub', () => {
    expect(() => requireShardedPubSub('# Server\r\nredis_version:6.2.14\r\n', 'redis://a:7000 (REDIS_URL)')).toThrow(
      'Expected a Redis Cluster of version 7 or later at redis://a:7000 (REDIS_URL), for sharded pub/sub, but it runs 6.2.14.',
    );
    expect(() => requireShardedPubSub('# Server\r\nredis_version:7.0.15\r\n', 'x')).not.toThrow();
  });

  it('says which cluster it could not reach', async () => {
    await expect(connectRedis({ url: 'redis://127.0.0.1:1', cluster: true }, 'x')).rejects.toThrow(
      /Expected a Redis Cluster at redis:\/\/127\.0\.0\.1:1.*REDIS_URL, with REDIS_CLUSTER=true.*could not connect/,
    );
  });
});
