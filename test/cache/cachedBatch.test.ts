/** The cache layer on its own: the memory store, and a batch function put behind it. */
import { describe, expect, it } from 'vitest';
import { cachedBatch } from '../../lib/cache/cachedBatch.js';
import { LocalInvalidationBus, MemoryCache } from '../../lib/cache/memoryCache.js';
import type { Invalidation } from '../../lib/cache/types.js';

/** A batch function that records each call's keys, like the dataloader tests' `[loader, loadCalls]`. */
function recordingBatch() {
  const calls: number[][] = [];
  const batch = async (keys: readonly number[]) => {
    calls.push([...keys]);
    return keys.map((k) => (k < 0 ? new Error(`No record ${k}`) : { id: k, name: `record ${k}` }));
  };
  return [batch, calls] as const;
}

describe('cachedBatch', () => {
  it('fetches only the keys it has not cached, in one call, and answers in key order', async () => {
    const cache = new MemoryCache();
    const [batch, calls] = recordingBatch();
    const load = cachedBatch({ cache, ttls: { defaultSeconds: 60, byType: {} } }, 't', batch);
    expect(await load([1, 2])).toEqual([
      { id: 1, name: 'record 1' },
      { id: 2, name: 'record 2' },
    ]);
    expect(await load([3, 2, 1])).toEqual([
      { id: 3, name: 'record 3' },
      { id: 2, name: 'record 2' },
      { id: 1, name: 'record 1' },
    ]);
    expect(calls).toEqual([[1, 2], [3]]);
    expect(await load([1, 2, 3])).toHaveLength(3);
    expect(calls).toHaveLength(2);
  });

  it('never caches an Error, so a record created later is found', async () => {
    const cache = new MemoryCache();
    const [batch, calls] = recordingBatch();
    const load = cachedBatch({ cache, ttls: { defaultSeconds: 60, byType: {} } }, 't', batch);
    const [missing] = await load([-1]);
    expect(missing).toBeInstanceOf(Error);
    await load([-1]);
    expect(calls).toEqual([[-1], [-1]]);
  });

  it('is the batch function itself without a cache or with a TTL of 0 for the type', async () => {
    const [batch] = recordingBatch();
    expect(cachedBatch(undefined, 't', batch)).toBe(batch);
    expect(cachedBatch({ cache: new MemoryCache(), ttls: { defaultSeconds: 60, byType: { t: 0 } } }, 't', batch)).toBe(batch);
  });

  it('stores what toCached makes of a value, and the key the loader uses', async () => {
    const cache = new MemoryCache();
    const load = cachedBatch(
      { cache, ttls: { defaultSeconds: 60, byType: {} } },
      't',
      async (keys: readonly string[]) => keys.map((k) => ({ k, secret: 'x' })),
      {
        key: (k) => k.toLowerCase(),
        toCached: ({ k }) => ({ k, secret: '' }),
      },
    );
    await load(['A']);
    const [hit] = await cache.getMany<{ k: string; secret: string }>('t', ['a']);
    expect(hit?.value).toEqual({ k: 'A', secret: '' });
  });
});

describe('MemoryCache', () => {
  it('expires entries after their TTL and keeps them for the stale window only when asked', async () => {
    let now = 1_000_000;
    const cache = new MemoryCache({ staleSeconds: 30, now: () => now });
    await cache.setMany('t', [['k', 1]], 10);
    expect((await cache.getMany('t', ['k']))[0]).toMatchObject({ value: 1, stale: false });
    now += 11_000;
    expect((await cache.getMany('t', ['k']))[0]).toBeUndefined();
    expect((await cache.getMany('t', ['k'], { includeStale: true }))[0]).toMatchObject({ value: 1, stale: true });
    now += 30_000;
    expect((await cache.getMany('t', ['k'], { includeStale: true }))[0]).toBeUndefined();
  });

  it('drops one key, or a whole type with "*", and no other type', async () => {
    const cache = new MemoryCache();
    await cache.setMany(
      'a',
      [
        ['1', 1],
        ['2', 2],
      ],
      60,
    );
    await cache.setMany('b', [['1', 1]], 60);
    await cache.delete('a', ['1']);
    expect((await cache.getMany('a', ['1', '2'])).map((h) => h?.value)).toEqual([undefined, 2]);
    await cache.delete('a', '*');
    expect((await cache.getMany('a', ['2']))[0]).toBeUndefined();
    expect((await cache.getMany('b', ['1']))[0]?.value).toBe(1);
  });

  it('holds at most maxEntries, dropping the oldest writes first', async () => {
    const cache = new MemoryCache({ maxEntries: 100 });
    await cache.setMany(
      't',
      Array.from({ length: 150 }, (_, i) => [String(i), i] as const),
      60,
    );
    expect(cache.size).toBe(100);
    expect((await cache.getMany('t', ['0', '149'])).map((h) => h?.value)).toEqual([undefined, 149]);
  });
});

describe('LocalInvalidationBus', () => {
  it('drops the entries, then tells every listener', async () => {
    const cache = new MemoryCache();
    const bus = new LocalInvalidationBus(cache);
    const heard: Invalidation[] = [];
    bus.subscribe((e) => heard.push(e));
    await cache.setMany('erp.partner', [['id:1', { id: 1 }]], 60);
    const event: Invalidation = { system: 'erp', type: 'erp.partner', keys: ['id:1'], reason: 'test' };
    await bus.publish([event]);
    expect((await cache.getMany('erp.partner', ['id:1']))[0]).toBeUndefined();
    expect(heard).toEqual([event]);
  });
});
