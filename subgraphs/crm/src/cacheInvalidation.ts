/**
 * Turns Salesforce Change Data Capture events into cache invalidations: one
 * replica at a time (a lease in the shared state) follows the change stream
 * from the last replay id, names the cache entries each event makes stale
 * (loaders.ts's CRM_CACHE types and keys), and publishes them on the
 * invalidation bus, so every replica drops them.
 *
 * Echoes of our own writes (`changeOrigin`) are NOT skipped here: a write made
 * through the graph must invalidate the cache like any other.
 */
import type { CacheRuntime, Invalidation } from '../../../lib/cache/index.js';
import { answerCatchUpRequests } from '../../../lib/cache/catchUpRequests.js';
import type { ChangeFollowReport } from '../../../lib/observability/metrics.js';
import { ChangeStreamGapError, type ChangeEventBatch, type ChangeEventHeader, type SalesforceClient } from '../../../lib/native/salesforceClient.js';
import { normalizeSalesforceId } from '../../../lib/native/salesforceId.js';
import { CRM_CACHE } from './loaders.js';

const REPLAY_ID = 'crm.replayId';
const LEASE = 'crm-change-stream';
const C = CRM_CACHE;
const BY_ERP_NUMBER = [C.contactsByErpNumber, C.openOpportunitiesByErpNumber, C.openCasesByErpNumber];

type Payload = { ChangeEventHeader: ChangeEventHeader } & Record<string, unknown>;

/** The cache entries one change event makes stale. */
export function crmInvalidations(payload: Payload): Invalidation[] {
  const header = payload.ChangeEventHeader;
  const reason = `${header.entityName}ChangeEvent ${header.changeType}`;
  const ids = header.recordIds.map((id) => normalizeSalesforceId(id) ?? id);
  const out: Invalidation[] = [];
  const drop = (type: string, keys: readonly string[] | '*') => out.push({ system: 'crm', type, keys, reason });
  // A list keyed by its parent can be narrowed only when the event carries the parent (CREATE carries every field).
  const byParent = (type: string, field: string) => {
    const parent = header.changeType === 'CREATE' ? payload[field] : undefined;
    drop(type, typeof parent === 'string' ? [normalizeSalesforceId(parent) ?? parent] : '*');
  };
  if (header.changeType.startsWith('GAP')) {
    // A gap event says changes happened that cannot be described: nothing cached from the CRM can be trusted.
    for (const type of Object.values(C)) drop(type, '*');
    return out;
  }
  switch (header.entityName) {
    case 'Account': {
      drop(C.account, ids);
      const number = payload.ERP_Customer_Number__c;
      // By-number lists hold whole accounts, so any account change makes them stale unless the number says which.
      drop(C.accountsByErpNumber, header.changeType === 'CREATE' && typeof number === 'string' ? [number] : '*');
      // A number moved from one account to another moves the lists read through it; a new account has none yet.
      if (header.changeType !== 'CREATE') for (const type of BY_ERP_NUMBER) drop(type, '*');
      break;
    }
    case 'User':
      drop(C.user, ids);
      drop(C.usersByEmail, '*');
      break;
    case 'Contact':
      byParent(C.contactsByAccount, 'AccountId');
      // The event names the account, never the number on it.
      drop(C.contactsByErpNumber, '*');
      break;
    case 'Opportunity':
      drop(C.opportunity, ids);
      byParent(C.openOpportunitiesByAccount, 'AccountId');
      drop(C.openOpportunitiesByErpNumber, '*');
      break;
    case 'OpportunityLineItem':
      // Line items roll up into the opportunity's Amount without an Opportunity event.
      drop(C.opportunity, '*');
      drop(C.openOpportunitiesByAccount, '*');
      drop(C.openOpportunitiesByErpNumber, '*');
      break;
    case 'Case':
      byParent(C.openCasesByAccount, 'AccountId');
      drop(C.openCasesByErpNumber, '*');
      break;
    case 'PricebookEntry':
    case 'Pricebook2':
    case 'Product2':
      drop(C.priceBookEntriesBySku, '*');
      drop(C.openQuoteLinesBySku, '*');
      break;
    case 'Quote':
      drop(C.quote, ids);
      drop(C.openQuoteLinesBySku, '*');
      break;
    case 'QuoteLineItem':
      // Line items roll up into the quote's totals without a Quote event.
      drop(C.openQuoteLinesBySku, '*');
      drop(C.quote, '*');
      break;
  }
  return out;
}

/** Merges invalidations of one type, so a burst of events costs one delete per type. */
export function mergeInvalidations(events: readonly Invalidation[]): Invalidation[] {
  const byType = new Map<string, Invalidation>();
  for (const event of events) {
    const seen = byType.get(event.type);
    if (!seen) byType.set(event.type, { ...event, keys: event.keys === '*' ? '*' : [...event.keys] });
    else if (seen.keys !== '*') seen.keys = event.keys === '*' ? '*' : [...new Set([...seen.keys, ...event.keys])];
  }
  return [...byType.values()];
}

export interface CrmChangeSubscriber {
  /** Resolves once the subscriber has read the stream's position (tests wait for it before writing). */
  ready: Promise<void>;
  stop(): Promise<void>;
}

/** How many writers' client names are remembered, for requests that arrive after their events were handled. */
const REMEMBERED_WRITERS = 10_000;
/** The longest a catch-up request is held here; the writer gives up sooner (WORKFLOW_CRM_REFRESH_WAIT_MS). */
const CATCH_UP_HOLD_MS = 60_000;

/** The client name a write gave in `Sforce-Call-Options`, from its event's `changeOrigin` (`…;client=<name>`). */
export function writerOf(header: Pick<ChangeEventHeader, 'changeOrigin'>): string | undefined {
  return /;client=(.+)$/.exec(header.changeOrigin ?? '')?.[1];
}

export function startCrmChangeSubscriber(
  client: Pick<SalesforceClient, 'changeEvents'>,
  runtime: CacheRuntime,
  options: { waitMs: number; report?: ChangeFollowReport },
): CrmChangeSubscriber {
  let stopped = false;
  let ready = false;
  let markReady: () => void = () => {};
  const readyPromise = new Promise<void>(
    (resolve) =>
      (markReady = () => {
        ready = true;
        resolve();
      }),
  );
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms).unref());

  // Read your writes (lib/cache/catchUpRequests.ts): a writer that named its Salesforce calls
  // (`Sforce-Call-Options: client=<name>`) asks to hear once its writes' events are published as
  // invalidations. Only the replica following the stream answers.
  let following = false;
  const handledWriters = new Set<string>();
  const waiters = new Map<string, Set<(caughtUp: boolean) => void>>();
  const handled = (writers: Iterable<string>) => {
    for (const writer of writers) {
      handledWriters.delete(writer);
      handledWriters.add(writer);
      for (const wake of waiters.get(writer) ?? []) wake(true);
    }
    for (const writer of handledWriters) {
      if (handledWriters.size <= REMEMBERED_WRITERS) break;
      handledWriters.delete(writer);
    }
  };
  const wakeAll = (caughtUp: boolean) => {
    for (const wakes of waiters.values()) for (const wake of wakes) wake(caughtUp);
  };
  const answering = answerCatchUpRequests(runtime.signals, runtime.prefix, 'crm', async (writer) => {
    if (!following) return false;
    if (handledWriters.has(writer)) return true;
    return new Promise<boolean>((resolve) => {
      const wakes = waiters.get(writer) ?? new Set();
      waiters.set(writer, wakes);
      const wake = (caughtUp: boolean) => {
        clearTimeout(timer);
        wakes.delete(wake);
        if (wakes.size === 0) waiters.delete(writer);
        resolve(caughtUp);
      };
      const timer = setTimeout(() => wake(false), CATCH_UP_HOLD_MS);
      timer.unref();
      wakes.add(wake);
    });
  });

  const dropAll = (reason: string) => runtime.bus.publish(Object.values(C).map((type) => ({ system: 'crm' as const, type, keys: '*' as const, reason })));

  const leaseMs = options.waitMs * 3 + 5000;
  const loop = async () => {
    let failures = 0;
    // Whether this replica's subscription has seen every change since the stored position. A subscription
    // "from now on" (no position stored: no event yet, or a gap) vouches for nothing before it began, and a
    // replica that followed the same way before this one may have stopped without passing on a position.
    let continuous = false;
    while (!stopped) {
      try {
        following = await runtime.state.claim(LEASE, leaseMs);
        if (!following) {
          continuous = false;
          // Another replica follows the stream; be ready to take over if it goes away.
          markReady();
          await sleep(options.waitMs);
          continue;
        }
        const stored = await runtime.state.get(REPLAY_ID);
        const replayId = stored === undefined ? -1 : Number(stored);
        let batch: ChangeEventBatch;
        try {
          // A server may hold a connect longer than asked (Salesforce advises 110 s): the lease is renewed
          // meanwhile, or another replica would start following the same stream beside this one.
          const renewing = setInterval(() => void runtime.state.claim(LEASE, leaseMs).then((held) => (following = held)), leaseMs / 3);
          renewing.unref();
          try {
            // The first call only subscribes (and so marks the position writes after it will be seen from).
            batch = await client.changeEvents(replayId, ready ? options.waitMs : 0);
          } finally {
            clearInterval(renewing);
          }
        } catch (error) {
          if (!(error instanceof ChangeStreamGapError)) throw error;
          continuous = false;
          // What changed in between is unknown: nothing cached from the CRM can be trusted. Drop it all and
          // follow the stream from now on.
          console.error(`${error.message} Every cached CRM entry is dropped.`);
          options.report?.round('gap');
          await dropAll('change stream gap');
          await runtime.state.set(REPLAY_ID, '-1');
          // Everything was dropped, so every writer waiting will read fresh data.
          wakeAll(true);
          continue;
        }
        if (stopped) break;
        // Dropped once subscribed: whatever is read from now on is either current or named by a later event.
        if (!continuous && replayId === -1) await dropAll('change stream followed from now on');
        continuous = true;
        await runtime.bus.publish(mergeInvalidations(batch.events.flatMap((e) => crmInvalidations(e.data.payload))));
        handled(batch.events.flatMap((e) => writerOf(e.data.payload.ChangeEventHeader) ?? []));
        options.report?.round('ok', batch.events.length);
        await runtime.state.set(REPLAY_ID, String(batch.latestReplayId));
        markReady();
        failures = 0;
      } catch (error) {
        if (stopped) break;
        options.report?.round('failed');
        if (failures === 0)
          console.error(`Following the CRM change stream failed (${(error as Error).message}); cached CRM records expire by TTL until it recovers.`);
        failures++;
        await sleep(Math.min(500 * 2 ** failures, 10_000));
      }
    }
  };
  void loop();
  return {
    ready: readyPromise,
    async stop() {
      stopped = true;
      wakeAll(false);
      const stopAnswering = await answering.catch(() => undefined);
      await stopAnswering?.();
    },
  };
}
