/** The CRM subgraph's change-stream follower (cacheInvalidation.ts): positions, and what a gap in the stream drops. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { CacheRuntime, Invalidation } from '../../../lib/cache/index.js';
import { ChangeStreamGapError, type ChangeEventBatch } from '../../../lib/native/salesforceClient.js';
import { startCrmChangeSubscriber, type CrmChangeSubscriber } from '../../../subgraphs/crm/src/cacheInvalidation.js';
import { CRM_CACHE } from '../../../subgraphs/crm/src/loaders.js';

let subscriber: CrmChangeSubscriber | undefined;
afterEach(() => {
  subscriber?.stop();
  vi.restoreAllMocks();
});

/** A runtime whose bus records what is published, with this replica always holding the lease. */
function runtime() {
  const published: Invalidation[] = [];
  const state = new Map<string, string>();
  const cache = {
    bus: { publish: async (events: readonly Invalidation[]) => void published.push(...events), subscribe: () => () => {}, close: async () => {} },
    state: { claim: async () => true, get: async (name: string) => state.get(name), set: async (name: string, value: string) => void state.set(name, value) },
  } as unknown as CacheRuntime;
  return { cache, published, state };
}

const accountUpdate = (replayId: number, id: string): ChangeEventBatch['events'][number] => ({
  channel: '/data/ChangeEvents',
  data: {
    event: { replayId },
    payload: {
      ChangeEventHeader: { entityName: 'Account', recordIds: [id], changeType: 'UPDATE', changedFields: ['Name'], changeOrigin: '', commitTimestamp: 0 },
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
    expect(published.find((e) => e.type === CRM_CACHE.account)?.keys).toEqual(['001000000000001AAA']);
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
    subscriber = startCrmChangeSubscriber({ changeEvents }, cache, { waitMs: 10_000 });
    await subscriber.ready;
    expect(asked.slice(0, 2)).toEqual([41, -1]);
    expect(new Set(published.map((e) => e.type))).toEqual(new Set(Object.values(CRM_CACHE)));
    expect(published.every((e) => e.keys === '*' && e.reason === 'change stream gap')).toBe(true);
    expect(logged).toHaveBeenCalledWith(expect.stringMatching(/replay id 41\. Every cached CRM entry is dropped\./));
  });
});
