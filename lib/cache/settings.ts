/**
 * Reads the cache settings every component shares, from the environment its
 * config.ts was given. Only config.ts files call this (the project's rule:
 * configuration is read in one place per component).
 */
import { ConfigError, envSettings } from '../settings.js';
import type { CacheSettings } from './types.js';

export function readCacheSettings(env: NodeJS.ProcessEnv): CacheSettings {
  const s = envSettings(env);
  const redisUrl = env.REDIS_URL?.trim() || undefined;
  if (redisUrl !== undefined && !/^rediss?:\/\//.test(redisUrl)) {
    throw new ConfigError('REDIS_URL', 'a redis:// or rediss:// URL', redisUrl);
  }
  const mode = s.oneOf('CACHE_MODE', ['off', 'memory', 'redis'] as const, redisUrl ? 'redis' : 'memory');
  if (mode === 'redis' && !redisUrl) throw new ConfigError('REDIS_URL', 'a redis:// URL because CACHE_MODE is redis', '');
  const byType: Record<string, number> = {};
  const spec = env.CACHE_TTLS?.trim() ?? '';
  for (const part of spec.split(',').map((p) => p.trim()).filter(Boolean)) {
    const m = /^([a-z][\w.-]*)=(\d+)$/i.exec(part);
    if (!m) throw new ConfigError('CACHE_TTLS', 'comma-separated type=seconds pairs such as "erp.partner=600,crm.account=120"', spec);
    byType[m[1]!] = Number(m[2]);
  }
  return {
    mode,
    redisUrl,
    prefix: s.string('CACHE_PREFIX', 'ecg'),
    ttls: { defaultSeconds: s.integer('CACHE_TTL_SECONDS', 300, { min: 0, max: 86_400 * 30 }), byType },
    staleSeconds: s.integer('CACHE_STALE_SECONDS', 3600, { min: 0, max: 86_400 * 30 }),
    memoryMaxEntries: s.integer('CACHE_MEMORY_MAX_ENTRIES', 50_000, { min: 100 }),
  };
}
