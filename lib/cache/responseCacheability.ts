/**
 * Whether a subgraph's answer may be cached whole, and under which tags. An
 * answer may be cached only when everything in it came from the entity cache
 * (lib/cache/cachedBatch.ts) — hits, or native reads made to fill it — because
 * only those reads have an invalidation feed: a change seen in a native system
 * invalidates their cache types, and the gateway drops every answer tagged with
 * one of them. Any other native call during the request (a report's read_group,
 * a write, a login) makes the answer uncacheable.
 *
 * The subgraph's HTTP front (lib/subgraphHttp.ts) tracks each request and says
 * the verdict in standard headers: `Cache-Control: private, max-age=<shortest
 * TTL read>` with the cache types in `X-Cache-Tags`, or `Cache-Control: no-store`.
 */
import { AsyncLocal } from '../asyncLocal.js';

/** The response header that lists the cache types an answer was made from, space-separated. */
export const CACHE_TAGS_HEADER = 'x-cache-tags';

export interface CacheReads {
  /** Cache types read (hit or filled), each with the shortest TTL it was read with, in seconds. */
  readonly types: Map<string, number>;
  /** A native call was made outside any cache fill: nothing invalidates what it read. */
  uncacheable: boolean;
}

const requests = new AsyncLocal<CacheReads>('cacheReads');
const fills = new AsyncLocal<boolean>('cacheFill');

/** Runs one subgraph request, collecting what it read. */
export async function trackCacheReads<T>(run: () => Promise<T>): Promise<{ result: T; reads: CacheReads }> {
  const reads: CacheReads = { types: new Map(), uncacheable: false };
  const result = await requests.run(reads, run);
  return { result, reads };
}

/** Called by the entity cache for every type a request reads through it, hit or miss. */
export function noteCacheRead(type: string, ttlSeconds: number): void {
  const reads = requests.getStore();
  if (!reads) return;
  const known = reads.types.get(type);
  if (known === undefined || ttlSeconds < known) reads.types.set(type, ttlSeconds);
}

/** Runs a read that fills the entity cache: the native calls inside it are covered by its type's invalidations. */
export function asCacheFill<T>(read: () => Promise<T>): Promise<T> {
  return fills.run(true, read);
}

/** Whether the calling code is part of a cache fill (asCacheFill). */
export function inCacheFill(): boolean {
  return fills.getStore() === true;
}

/** Runs a read that is not a cache fill, even when it is started from inside one. */
export function outsideCacheFill<T>(read: () => Promise<T>): Promise<T> {
  return fills.run(false, read);
}

/** Called for every native exchange: one made outside a cache fill makes the request's answer uncacheable. */
export function noteNativeCall(): void {
  if (fills.getStore() === true) return;
  const reads = requests.getStore();
  if (reads) reads.uncacheable = true;
}

/** The headers a subgraph answers with: cacheable for the shortest TTL read, or not at all. */
export function cacheabilityHeaders(reads: CacheReads): Record<string, string> {
  if (reads.uncacheable || reads.types.size === 0) return { 'cache-control': 'no-store' };
  const maxAge = Math.min(...reads.types.values());
  if (maxAge <= 0) return { 'cache-control': 'no-store' };
  return { 'cache-control': `private, max-age=${maxAge}`, [CACHE_TAGS_HEADER]: [...reads.types.keys()].sort().join(' ') };
}
