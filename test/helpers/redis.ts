/** A real Redis for a test suite (scripts/redisServer.ts): REDIS_URL when CI gives one, else a private redis-server. */
import { startLocalRedis, type LocalRedis } from '../../scripts/redisServer.js';

export type TestRedis = LocalRedis;

export function startTestRedis(): Promise<TestRedis> {
  return startLocalRedis();
}
