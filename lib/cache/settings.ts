/**
 * Reads the cache settings every component shares, from the environment its
 * config.ts was given. Only config.ts files call this (the project's rule:
 * configuration is read in one place per component). Names, defaults and
 * accepted values are declared in lib/config/catalog.ts.
 */
import { ConfigError } from '../settings.js';
import { readSettings } from '../config/index.js';
import type { CacheSettings } from './types.js';
import { redactUrl, type RedisTarget } from './redisConnection.js';

/** REDIS_URL and REDIS_CLUSTER, checked together; undefined when REDIS_URL is unset. */
export function readRedisTarget(env: NodeJS.ProcessEnv): RedisTarget | undefined {
  const s = readSettings(env);
  const url = s.get('REDIS_URL');
  if (url === undefined) return undefined;
  const cluster = s.get('REDIS_CLUSTER');
  if (!cluster && url.includes(',')) throw new ConfigError('REDIS_URL', 'one redis:// URL (a list of seed nodes needs REDIS_CLUSTER=true)', redactUrl(url));
  return { url, cluster };
}

export function readCacheSettings(env: NodeJS.ProcessEnv): CacheSettings {
  const s = readSettings(env);
  const redis = readRedisTarget(env);
  const mode = s.get('CACHE_MODE', { default: redis ? 'redis' : 'memory' });
  if (mode === 'redis' && !redis) throw new ConfigError('REDIS_URL', 'a redis:// URL because CACHE_MODE is redis', '');
  const byType: Record<string, number> = {};
  // The reader has checked the shape: comma-separated type=seconds pairs.
  for (const part of (s.get('CACHE_TTLS') ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const [type, seconds] = part.split('=');
    byType[type!] = Number(seconds);
  }
  return {
    mode,
    redis,
    prefix: s.get('CACHE_PREFIX'),
    ttls: { defaultSeconds: s.get('CACHE_TTL_SECONDS'), byType },
    staleSeconds: s.get('CACHE_STALE_SECONDS'),
    memoryMaxEntries: s.get('CACHE_MEMORY_MAX_ENTRIES'),
  };
}
