/**
 * The invalidation bus on a real Redis, when its subscribed connection is cut: messages published until it
 * is back never arrive, so the bus says it may be missing some, and says when it hears again.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
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
      // The bus loses and regains its subscription.
      await vi.waitFor(() => expect(hearing).toEqual([false, true]), { timeout: 10_000, interval: 20 });
      expect(heard).toEqual([]);

      const change: Invalidation = { system: 'crm', type: 'crm.account', keys: ['001A'], reason: 'AccountChangeEvent UPDATE' };
      await publisher.publish([change]);
      await vi.waitFor(() => expect(heard).toEqual([change]), { timeout: 10_000, interval: 20 });
    } finally {
      await bus.close();
      await publisher.close();
      await publisherConnection.close();
    }
  });
});
