/** The gateway's response cache on its own: what it stores, for how long, and what drops it. */
import { describe, expect, it, vi } from 'vitest';
import type { Invalidation } from '../../lib/cache/types.js';
import { createResponseCache } from '../../gateway/src/responseCache.js';

type Listener = (event: Invalidation) => void;

function setup(maxEntries = 10, maxChars = 1_000_000) {
  let listener: Listener = () => undefined;
  let onHearing: (hearing: boolean) => void = () => undefined;
  const cache = createResponseCache({
    maxEntries,
    maxChars,
    subscribe: (l, h) => {
      listener = l;
      onHearing = h;
      return () => (listener = () => undefined);
    },
  });
  const invalidate = (type: string) => listener({ system: 'erp', type, keys: '*', reason: 'test' });
  return { cache, invalidate, hearing: (now: boolean) => onHearing(now) };
}

interface Answer {
  data?: unknown;
  errors?: unknown[];
}

/**
 * One request through the plugin's hooks as Apollo calls them. `execute` stands for the query plan's
 * run: it may do things (an invalidation arriving) while the request is in flight. Returns what
 * responseForOperation answered (the cached answer) or null.
 */
async function request(
  cache: ReturnType<typeof setup>['cache'],
  options: {
    query?: string;
    variables?: Record<string, unknown>;
    scopes?: string[];
    operation?: 'query' | 'mutation';
    answer?: Answer;
    maxAge?: number | null;
    tags?: string[];
    execute?: () => void;
  } = {},
): Promise<Answer | null> {
  const listeners = (await cache.plugin().requestDidStart!({} as never))!;
  const context = {
    queryHash: options.query ?? 'hash-of-query',
    operationName: null,
    request: { variables: options.variables ?? { number: 'C00001' } },
    contextValue: { caller: { subject: 'someone', scopes: new Set(options.scopes ?? []) }, cacheTags: new Set<string>() },
    operation: { operation: options.operation ?? 'query' },
  };
  const cached = (await listeners.responseForOperation!(context as never)) as { body: { singleResult: Answer } } | null;
  if (!cached) {
    options.execute?.();
    for (const tag of options.tags ?? ['erp.partner']) context.contextValue.cacheTags.add(tag);
  }
  const maxAge = options.maxAge === undefined ? 60 : options.maxAge;
  await listeners.willSendResponse!({
    ...context,
    response: { body: { kind: 'single', singleResult: cached?.body.singleResult ?? options.answer ?? { data: { customer: { number: 'C00001' } } } } },
    overallCachePolicy: { policyIfCacheable: () => (maxAge ? { maxAge } : null) },
  } as never);
  return cached?.body.singleResult ?? null;
}

describe('createResponseCache', () => {
  it('answers the same query, variables and caller from the second request on, each hit its own copy', async () => {
    const { cache } = setup();
    expect(await request(cache)).toBeNull();
    const hit = (await request(cache)) as { data: { customer: { number: string } } };
    expect(hit).toEqual({ data: { customer: { number: 'C00001' } } });
    hit.data.customer.number = 'changed by a later plugin';
    expect(await request(cache)).toEqual({ data: { customer: { number: 'C00001' } } });
    expect(cache.stats()).toMatchObject({ hits: 2, misses: 1, stored: 1, entries: 1 });
  });

  it('keeps answers apart by variables and by the caller’s scopes', async () => {
    const { cache } = setup();
    await request(cache, { scopes: ['finance:read'] });
    expect(await request(cache, { scopes: [] })).toBeNull();
    expect(await request(cache, { scopes: ['finance:read'], variables: { number: 'C00002' } })).toBeNull();
    expect(await request(cache, { scopes: ['finance:read'] })).not.toBeNull();
  });

  it('never stores an answer with errors, without data, without a cacheable policy or tags, or of a mutation', async () => {
    const { cache } = setup();
    await request(cache, { answer: { data: { customer: null }, errors: [{ message: 'FORBIDDEN' }] } });
    await request(cache, { query: 'no-data', answer: { data: undefined } });
    await request(cache, { query: 'no-store', maxAge: null });
    await request(cache, { query: 'no-tags', tags: [] });
    await request(cache, { query: 'mutation', operation: 'mutation' });
    expect(cache.stats().stored).toBe(0);
    expect(await request(cache, { operation: 'mutation', query: 'mutation' })).toBeNull();
  });

  it('drops every answer made from a type when that type is invalidated, and only those', async () => {
    const { cache, invalidate } = setup();
    await request(cache, { query: 'customers', tags: ['erp.partner', 'erp.pages.partner'] });
    await request(cache, { query: 'accounts', tags: ['crm.account'] });
    invalidate('erp.pages.partner');
    expect(await request(cache, { query: 'customers', tags: ['erp.partner', 'erp.pages.partner'] })).toBeNull();
    expect(await request(cache, { query: 'accounts', tags: ['crm.account'] })).not.toBeNull();
    expect(cache.stats().invalidated).toBe(1);
  });

  it('does not store an answer whose reads began before an invalidation of one of its types', async () => {
    const { cache, invalidate } = setup();
    await request(cache, { execute: () => invalidate('erp.partner') });
    expect(cache.stats().stored).toBe(0);
    // Made entirely after the change, the next answer is kept.
    await request(cache);
    expect(cache.stats().stored).toBe(1);
  });

  it('keeps and serves nothing while invalidations may go unheard, and drops every answer when that starts and when it ends', async () => {
    const { cache, hearing } = setup();
    await request(cache, { query: 'customers' });
    await request(cache, { query: 'accounts', tags: ['crm.account'] });
    expect(await request(cache, { query: 'customers' })).not.toBeNull();

    hearing(false);
    expect(cache.stats().invalidated).toBe(2);
    expect(await request(cache, { query: 'customers' })).toBeNull();
    expect(await request(cache, { query: 'customers' })).toBeNull();
    expect(cache.stats().stored).toBe(2);

    // An answer whose reads began before the bus was heard again may hold what an unheard change replaced.
    await request(cache, { query: 'orders', execute: () => hearing(true) });
    expect(cache.stats().stored).toBe(2);
    await request(cache, { query: 'customers' });
    expect(await request(cache, { query: 'customers' })).not.toBeNull();
    expect(cache.stats().stored).toBe(3);
  });

  it('expires an answer after the shortest max-age the subgraphs gave', async () => {
    vi.useFakeTimers();
    try {
      const { cache } = setup();
      await request(cache, { maxAge: 5 });
      vi.advanceTimersByTime(4_000);
      expect(await request(cache)).not.toBeNull();
      vi.advanceTimersByTime(1_500);
      expect(await request(cache, { maxAge: 5 })).toBeNull();
    } finally {
      vi.useRealTimers();
    }
  });

  it('keeps at most maxEntries answers, dropping the least recently used', async () => {
    const { cache } = setup(2);
    await request(cache, { query: 'one' });
    await request(cache, { query: 'two' });
    await request(cache, { query: 'one' });
    await request(cache, { query: 'three' });
    expect(cache.stats().entries).toBe(2);
    expect(await request(cache, { query: 'one' })).not.toBeNull();
    expect(await request(cache, { query: 'two' })).toBeNull();
  });

  it('keeps at most maxChars of answers in all, and never an answer larger than that', async () => {
    const answer = { data: { customer: { number: 'C00001', legalName: 'x'.repeat(100) } } };
    const size = JSON.stringify(answer).length;
    const { cache } = setup(10, size * 2);
    await request(cache, { query: 'one', answer });
    await request(cache, { query: 'two', answer });
    await request(cache, { query: 'three', answer });
    expect(cache.stats().entries).toBe(2);
    expect(await request(cache, { query: 'one', answer })).toBeNull();
    const { cache: small } = setup(10, size - 1);
    await request(small, { answer });
    expect(small.stats().entries).toBe(0);
  });

  it('never fails on variables too deep to serialize: such a request is left to execution, uncached', async () => {
    const { cache } = setup();
    const deep = JSON.parse(`${'['.repeat(100_000)}${']'.repeat(100_000)}`) as unknown;
    expect(await request(cache, { variables: { a: deep } })).toBeNull();
    expect(await request(cache, { variables: { a: deep } })).toBeNull();
    expect(cache.stats()).toMatchObject({ hits: 0, stored: 0 });
  });
});
