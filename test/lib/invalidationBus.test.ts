/**
 * The invalidation bus on a real Redis, when its subscribed connection is cut: messages published until it
 * is back never arrive, so the bus says it may be missing some, and says when it hears again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectRedis, type RedisConnection } from '../../lib/cache/redisConnection.js';
import { RedisCache, RedisInvalidationBus } from '../../lib/cache/redisCache.js';
import type { Invalidation } from '../../lib/cache/types.js';
import { cutSubscribedConnections, startTestRedis, type TestRedis } from '../helpers/redis.js';

let redis: TestRedis;
let connection: RedisConnection;

beforeAll(async () => {
  redis = await startTestRedis();
  connection = await connectRedis({ url: redis.url, cluster: false }, 'bus-test');
}, 30_000);
afterAll(async () => {
  await connection?.close();
  await redis?.stop();
});

async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`Expected ${what} within 10 s, but it did not happen.`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('RedisInvalidationBus when its connection is cut', () => {
  it('says invalidations may go unheard, then that they are heard again once a message of its own comes back; probes reach no listener', async () => {
    const prefix = `${redis.prefix}-cut`;
    const bus = await RedisInvalidationBus.start(new RedisCache(connection, { prefix }), connection, prefix);
    const publisherConnection = await connectRedis({ url: redis.url, cluster: false }, 'bus-test-publisher');
    const publisher = await RedisInvalidationBus.start(new RedisCache(publisherConnection, { prefix }), publisherConnection, prefix);
    const heard: Invalidation[] = [];
    const hearing: boolean[] = [];
    bus.subscribe(
      (event) => heard.push(event),
      (now) => hearing.push(now),
    );
    try {
      await cutSubscribedConnections([redis.url]);
      await until(() => hearing.length >= 2, 'the bus to lose and regain its subscription');
      expect(hearing).toEqual([false, true]);
      expect(heard).toEqual([]);

      const change: Invalidation = { system: 'crm', type: 'crm.account', keys: ['001A'], reason: 'AccountChangeEvent UPDATE' };
      await publisher.publish([change]);
      await until(() => heard.length > 0, 'the invalidation after the cut');
      expect(heard).toEqual([change]);
    } finally {
      await bus.close();
      await publisher.close();
      await publisherConnection.close();
    }
  });
});
