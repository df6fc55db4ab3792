/**
 * Read your writes (lib/cache/erpPollRequests.ts): a writer asks the ERP
 * change poll to run and waits for it; the replica holding the poll lease
 * answers once a poll that started after the request has published.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { answerErpPollRequests, processSignals, startErpPollRequester } from '../../lib/cache/erpPollRequests.js';
import { startCache } from '../../lib/cache/index.js';
import { startErpChangeWatcher } from '../../subgraphs/erp/src/cacheInvalidation.js';
import type { ErpChangeFeed } from '../../subgraphs/erp/src/connectors/erpChanges.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('asking for an ERP poll', () => {
  it('does not wait when nobody listens', async () => {
    const requester = await startErpPollRequester(processSignals, `t-${randomUUID()}`);
    cleanups.push(() => requester.close());
    expect(await requester.pollAndWait(5_000)).toBe('no-poller');
  });

  it('waits for the replica that polled, and stops waiting at the deadline when none did', async () => {
    const prefix = `t-${randomUUID()}`;
    let holdsLease = true;
    const stop = await answerErpPollRequests(processSignals, prefix, async () => holdsLease);
    const requester = await startErpPollRequester(processSignals, prefix);
    cleanups.push(stop, () => requester.close());
    expect(await requester.pollAndWait(5_000)).toBe('polled');
    holdsLease = false;
    const started = performance.now();
    expect(await requester.pollAndWait(100)).toBe('timeout');
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
    const requester = await startErpPollRequester(processSignals, prefix);
    cleanups.push(
      () => runtime.close(),
      () => changes.stop(),
      () => requester.close(),
    );

    const underWay = changes.pollNow();
    while (reads.length === 0) await new Promise((resolve) => setImmediate(resolve));
    const answered = requester.pollAndWait(5_000);
    await new Promise((resolve) => setTimeout(resolve, 20));
    // The poll under way may have read before the write: the request waits for it, then for one of its own.
    expect(reads).toEqual(['read 1']);
    releaseFirst();
    await underWay;
    expect(await answered).toBe('polled');
    expect(reads).toEqual(['read 1', 'read 2']);
  });
});
