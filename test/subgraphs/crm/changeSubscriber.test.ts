/** The CRM subgraph's change-stream follower (cacheInvalidation.ts): positions, and what a gap in the stream drops. */
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { processSignals, startCatchUpRequester } from '../../../lib/cache/catchUpRequests.js';
import type { CacheRuntime, Invalidation } from '../../../lib/cache/index.js';
import { ChangeStreamGapError, type ChangeEventBatch } from '../../../lib/native/salesforceClient.js';
import { startCrmChangeSubscriber, type CrmChangeSubscriber } from '../../../subgraphs/crm/src/cacheInvalidation.js';
import { CRM_CACHE } from '../../../subgraphs/crm/src/loaders.js';

let subscriber: CrmChangeSubscriber | undefined;
afterEach(async () => {
  await subscriber?.stop();
  vi.restoreAllMocks();
});

/** A runtime whose bus records what is published; this replica holds the lease unless `follows` says otherwise. */
function runtime(follows: boolean | (() => boolean) = true) {
  const published: Invalidation[] = [];
  const state = new Map<string, string>();
  const cache = {
    signals: processSignals,
    prefix: `t-${randomUUID()}`,
    bus: { publish: async (events: readonly Invalidation[]) => void published.push(...events), subscribe: () => () => {}, close: async () => {} },
    state: {
      claim: async () => (typeof follows === 'function' ? follows() : follows),
      get: async (name: string) => state.get(name),
      set: async (name: string, value: string) => void state.set(name, value),
    },
  } as unknown as CacheRuntime;
  return { cache, published, state };
}

const accountUpdate = (replayId: number, id: string, changeOrigin = ''): ChangeEventBatch['events'][number] => ({
  channel: '/data/ChangeEvents',
  data: {
    event: { replayId },
    payload: {
      ChangeEventHeader: { entityName: 'Account', recordIds: [id], changeType: 'UPDATE', changedFields: ['Name'], changeOrigin, commitTimestamp: 0 },
    },
  },
});

/** Resolves when `predicate` holds, polling the subscriber's loop. */
async function until(predicate: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !predicate(); i++) await new Promise((r) => setTimeout(r, 5));
  expect(predicate()).toBe(true);
}

describe('startCrmChangeSubscriber', () => {
  it('subscribes "from now on" without waiting, then follows from each answer\'s position', async () => {
    const { cache, published, state } = runtime();
    const asked: [number, number][] = [];
    const answers: ChangeEventBatch[] = [
      { events: [], latestReplayId: -1 },
      { events: [accountUpdate(7, '001000000000001AAA')], latestReplayId: 7 },
    ];
    const changeEvents = async (replayId: number, waitMs: number) => {
      asked.push([replayId, waitMs]);
      return answers.shift() ?? new Promise<never>(() => {});
    };
    subscriber = startCrmChangeSubscriber({ changeEvents }, cache, { waitMs: 10_000 });
    await subscriber.ready;
    await until(() => state.get('crm.replayId') === '7');
    expect(asked).toEqual([
      [-1, 0],
      [-1, 10_000],
      [7, 10_000],
    ]);
    // Subscribed from now on, it cannot vouch for what was cached before: everything is dropped, once.
    const fromNow = published.filter((e) => e.reason === 'change stream followed from now on');
    expect(new Set(fromNow.map((e) => e.type))).toEqual(new Set(Object.values(CRM_CACHE)));
    expect(fromNow).toHaveLength(Object.values(CRM_CACHE).length);
    expect(published.filter((e) => e.type === CRM_CACHE.account).map((e) => e.keys)).toEqual(['*', ['001000000000001AAA']]);
  });

  it('drops every cached CRM entry when it takes over a stream followed from now on, not when it takes over a position', async () => {
    // Replica A followed from now on and stopped before any event: no position to pass on. What changed
    // between A's last connect and B's subscription is unknown, so B drops everything once subscribed.
    let follows = false;
    const { cache, published } = runtime(() => follows);
    const asked: number[] = [];
    const changeEvents = async (replayId: number) => {
      asked.push(replayId);
      await new Promise((r) => setTimeout(r, 5));
      return { events: [], latestReplayId: replayId };
    };
    const drops = () => published.filter((e) => e.type === CRM_CACHE.account && e.keys === '*' && e.reason === 'change stream followed from now on').length;
    subscriber = startCrmChangeSubscriber({ changeEvents }, cache, { waitMs: 20 });
    await subscriber.ready;
    expect(published).toEqual([]);
    follows = true;
    await until(() => asked.length >= 3);
    // Dropped on taking over, not again while it goes on following.
    expect(drops()).toBe(1);
    // The lease went elsewhere and came back: whoever followed meanwhile left no position either.
    follows = false;
    await new Promise((r) => setTimeout(r, 60));
    const before = asked.length;
    follows = true;
    await until(() => asked.length >= before + 3);
    expect(drops()).toBe(2);
    expect(new Set(asked)).toEqual(new Set([-1]));

    await subscriber.stop();
    const second = runtime();
    second.state.set('crm.replayId', '12');
    const continued: number[] = [];
    subscriber = startCrmChangeSubscriber(
      {
        changeEvents: async (replayId) => (
          continued.push(replayId),
          continued.length === 1 ? { events: [], latestReplayId: 12 } : new Promise<never>(() => {})
        ),
      },
      second.cache,
      { waitMs: 20 },
    );
    await subscriber.ready;
    await until(() => continued.length === 2);
    expect(continued).toEqual([12, 12]);
    expect(second.published).toEqual([]);
  });

  it('drops every cached CRM entry on a gap, and follows the stream from now on', async () => {
    const { cache, published, state } = runtime();
    state.set('crm.replayId', '41');
    const asked: number[] = [];
    const changeEvents = async (replayId: number) => {
      asked.push(replayId);
      if (replayId === 41) throw new ChangeStreamGapError('Salesforce cannot replay /data/ChangeEvents from replay id 41.');
      return replayId === -1 && asked.length === 2 ? { events: [], latestReplayId: -1 } : new Promise<never>(() => {});
    };
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {});
    const rounds: string[] = [];
    subscriber = startCrmChangeSubscriber({ changeEvents }, cache, {
      waitMs: 10_000,
      report: { round: (outcome, changes = 0) => void rounds.push(`${outcome} ${changes}`) },
    });
    await subscriber.ready;
    expect(asked.slice(0, 2)).toEqual([41, -1]);
    // The gap, then the subscription from now on: what /metrics counts (change_follow_rounds_total).
    expect(rounds).toEqual(['gap 0', 'ok 0']);
    // Dropped at the gap, and again once subscribed from now on (changes between the two are unknown too).
    expect(published.every((e) => e.keys === '*')).toBe(true);
    expect(published.map((e) => e.reason)).toEqual([
      ...Object.values(CRM_CACHE).map(() => 'change stream gap'),
      ...Object.values(CRM_CACHE).map(() => 'change stream followed from now on'),
    ]);
    expect(logged).toHaveBeenCalledWith(expect.stringMatching(/replay id 41\. Every cached CRM entry is dropped\./));
  });

  it("tells a writer when its writes' events are published as invalidations, at once if they already were", async () => {
    const { cache, published } = runtime();
    const batches: ((batch: ChangeEventBatch) => void)[] = [];
    let calls = 0;
    // The first call subscribes; each later one waits for the batch the test hands it.
    const changeEvents = () => (calls++ === 0 ? Promise.resolve({ events: [], latestReplayId: -1 }) : new Promise<ChangeEventBatch>((r) => batches.push(r)));
    subscriber = startCrmChangeSubscriber({ changeEvents }, cache, { waitMs: 10_000 });
    await subscriber.ready;
    const requester = await startCatchUpRequester(processSignals, cache.prefix, 'crm');
    try {
      const order: string[] = [];
      const answered = requester.catchUp('erp-crm-graph/w1', 5_000).then((outcome) => (order.push(`answered ${outcome}`), outcome));
      await until(() => batches.length === 1);
      // Someone else's write, then ours: the answer comes once ours is published.
      batches[0]!({ events: [accountUpdate(8, '001000000000001AAA', 'com/salesforce/api/rest/60.0;client=other')], latestReplayId: 8 });
      await until(() => batches.length === 2);
      expect(order).toEqual([]);
      const publishes = published.length;
      batches[1]!({ events: [accountUpdate(9, '001000000000002AAA', 'com/salesforce/api/rest/60.0;client=erp-crm-graph/w1')], latestReplayId: 9 });
      expect(await answered).toBe('caught-up');
      // By then the account it wrote was dropped.
      expect(published.slice(publishes)).toContainEqual(expect.objectContaining({ type: CRM_CACHE.account, keys: ['001000000000002AAA'] }));
      // Asked again after the event was handled: answered at once.
      expect(await requester.catchUp('erp-crm-graph/w1', 1_000)).toBe('caught-up');
    } finally {
      await requester.close();
    }
  });

  it('keeps its lease while Salesforce holds a connect longer than the wait it asked for', async () => {
    vi.useFakeTimers();
    try {
      const claims: number[] = [];
      const { cache } = runtime(() => (claims.push(Date.now()), true));
      let calls = 0;
      // The first call subscribes; the second is held, as a server ignoring `advice.timeout` would (110 s).
      const changeEvents = () => (calls++ === 0 ? Promise.resolve({ events: [], latestReplayId: -1 }) : new Promise<never>(() => {}));
      subscriber = startCrmChangeSubscriber({ changeEvents }, cache, { waitMs: 1_000 });
      await subscriber.ready;
      await vi.advanceTimersByTimeAsync(0);
      expect(calls).toBe(2);
      const held = claims.length;
      // The lease lasts 3 × 1 s + 5 s = 8 s; over 110 s it must be renewed at least every 8 s.
      await vi.advanceTimersByTimeAsync(110_000);
      const times = [Date.now() - 110_000, ...claims.slice(held)];
      expect(times.length).toBeGreaterThan(110 / 8);
      expect(Math.max(...times.slice(1).map((t, i) => t - times[i]!))).toBeLessThan(8_000);
    } finally {
      vi.useRealTimers();
    }
  });

  it('leaves catch-up requests to the replica that follows the stream', async () => {
    const { cache } = runtime(false);
    subscriber = startCrmChangeSubscriber({ changeEvents: () => new Promise<never>(() => {}) }, cache, { waitMs: 10_000 });
    await subscriber.ready;
    const requester = await startCatchUpRequester(processSignals, cache.prefix, 'crm');
    try {
      expect(await requester.catchUp('erp-crm-graph/w2', 100)).toBe('timeout');
    } finally {
      await requester.close();
    }
  });
});
