/**
 * Read your writes (lib/cache/catchUpRequests.ts): a writer asks the
 * follower of a system's changes to catch up with its write and waits; the
 * replica holding the follower's lease answers. The ERP's answers once a poll
 * that started after the request has published.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { answerCatchUpRequests, processSignals, startCatchUpRequester } from '../../lib/cache/catchUpRequests.js';
import { startCache } from '../../lib/cache/index.js';
import { startErpChangeWatcher } from '../../subgraphs/erp/src/cacheInvalidation.js';
import type { ErpChangeFeed } from '../../subgraphs/erp/src/connectors/erpChanges.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('asking a follower to catch up', () => {
  it('does not wait when nobody listens', async () => {
    const requester = await startCatchUpRequester(processSignals, `t-${randomUUID()}`, 'erp');
    cleanups.push(() => requester.close());
    expect(await requester.catchUp('', 5_000)).toBe('no-follower');
  });

  it('waits for the replica that caught up with the write it names, and stops waiting at the deadline when none did', async () => {
    const prefix = `t-${randomUUID()}`;
    let holdsLease = true;
    const asked: string[] = [];
    const stop = await answerCatchUpRequests(processSignals, prefix, 'crm', async (write) => (asked.push(write), holdsLease));
    const requester = await startCatchUpRequester(processSignals, prefix, 'crm');
    // The other system's follower is not listening here.
    const erp = await startCatchUpRequester(processSignals, prefix, 'erp');
    cleanups.push(
      stop,
      () => requester.close(),
      () => erp.close(),
    );
    expect(await requester.catchUp('erp-crm-graph/w1', 5_000)).toBe('caught-up');
    expect(asked).toEqual(['erp-crm-graph/w1']);
    expect(await erp.catchUp('', 5_000)).toBe('no-follower');
    holdsLease = false;
    const started = performance.now();
    expect(await requester.catchUp('erp-crm-graph/w2', 100)).toBe('timeout');
    expect(performance.now() - started).toBeGreaterThanOrEqual(90);
  });
});

describe('the ERP change watcher answering', () => {
  it('answers with a poll that started after the request, not with one already under way', async () => {
    const reads: string[] = [];
    let releaseFirst!: () => void;
    const feed: ErpChangeFeed = {
      latestWriteDate: async () => '2026-11-27 10:00:00',
      changedSince: async () => {
        const n = reads.push(`read ${reads.length + 1}`);
        // The first poll's read is held until the test lets it go.
        if (n === 1) await new Promise<void>((resolve) => (releaseFirst = resolve));
        return { changes: [], skuByProductId: new Map() };
      },
    };
    const prefix = `t-${randomUUID()}`;
    const runtime = (await startCache({ mode: 'memory', prefix, ttls: { defaultSeconds: 60, byType: {} }, staleSeconds: 0, memoryMaxEntries: 100 }, 'test'))!;
    // A watermark already set: a poll reads the changes since it.
    await runtime.state.set('erp.watermark', '2026-11-27 10:00:00');
    const changes = startErpChangeWatcher(feed, runtime, { pollMs: 0 });
    const requester = await startCatchUpRequester(processSignals, prefix, 'erp');
    cleanups.push(
      () => runtime.close(),
      () => changes.stop(),
      () => requester.close(),
    );

    const underWay = changes.pollNow();
    while (reads.length === 0) await new Promise((resolve) => setImmediate(resolve));
    const answered = requester.catchUp('', 5_000);
    await new Promise((resolve) => setTimeout(resolve, 20));
    // The poll under way may have read before the write: the request waits for it, then for one of its own.
    expect(reads).toEqual(['read 1']);
    releaseFirst();
    await underWay;
    expect(await answered).toBe('caught-up');
    expect(reads).toEqual(['read 1', 'read 2']);
  });
});
