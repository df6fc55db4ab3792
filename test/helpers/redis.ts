/** A real Redis for a test suite (scripts/redisServer.ts): REDIS_URL when CI gives one, else a private redis-server. */
import { createClient } from 'redis';
import { startLocalRedis, startLocalRedisCluster, type LocalRedis } from '../../scripts/redisServer.js';

export type TestRedis = LocalRedis;

export function startTestRedis(): Promise<TestRedis> {
  return startLocalRedis();
}

/** A private three-master Redis Cluster (its `url` lists the seed nodes). */
export function startTestRedisCluster(): Promise<TestRedis & { nodes: string[] }> {
  return startLocalRedisCluster();
}

/** The settings that point a component at `redis`: REDIS_URL, CACHE_PREFIX and, for a cluster, REDIS_CLUSTER. */
export function redisEnv(redis: TestRedis): Record<string, string> {
  return { REDIS_URL: redis.url, CACHE_PREFIX: redis.prefix, ...(redis.cluster ? { REDIS_CLUSTER: 'true' } : {}) };
}

/** How many keys match `pattern`, on every node of a cluster. */
export async function countKeys(redis: TestRedis, pattern: string): Promise<number> {
  let count = 0;
  for (const url of redis.url.split(',')) {
    const client = await createClient({ url }).connect();
    try {
      for await (const batch of client.scanIterator({ MATCH: pattern, COUNT: 1000 })) count += batch.length;
    } finally {
      await client.close();
    }
  }
  return count;
}

/** Cuts every subscribed (pub/sub) connection to these servers, as a network fault or a proxy would: Redis's CLIENT KILL. */
export async function cutSubscribedConnections(urls: readonly string[]): Promise<void> {
  for (const url of urls) {
    const admin = await createClient({ url }).connect();
    try {
      await admin.sendCommand(['CLIENT', 'KILL', 'TYPE', 'pubsub']);
    } finally {
      await admin.close();
    }
  }
}
