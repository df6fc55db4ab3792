/**
 * Reads the cache settings every component shares, from the environment its
 * config.ts was given. Only config.ts files call this (the project's rule:
 * configuration is read in one place per component). Names, defaults and
 * accepted values are declared in lib/config/catalog.ts.
 */
import { ConfigError } from '../settings.js';
import { readSettings } from '../config/index.js';
import type { CacheSettings } from './types.js';

export function readCacheSettings(env: NodeJS.ProcessEnv): CacheSettings {
  const s = readSettings(env);
  const redisUrl = s.get('REDIS_URL');
  const mode = s.get('CACHE_MODE', { default: redisUrl ? 'redis' : 'memory' });
  if (mode === 'redis' && !redisUrl) throw new ConfigError('REDIS_URL', 'a redis:// URL because CACHE_MODE is redis', '');
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
    redisUrl,
    prefix: s.get('CACHE_PREFIX'),
    ttls: { defaultSeconds: s.get('CACHE_TTL_SECONDS'), byType },
    staleSeconds: s.get('CACHE_STALE_SECONDS'),
    memoryMaxEntries: s.get('CACHE_MEMORY_MAX_ENTRIES'),
  };
}
