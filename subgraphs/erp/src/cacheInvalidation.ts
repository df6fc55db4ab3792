/**
 * Turns ERP changes into cache invalidations: polls the ERP for records
 * written since the last watermark (connectors/erpChanges.ts), names the cache
 * entries each change makes stale (loaders.ts's ERP_CACHE types and keys), and
 * publishes them on the invalidation bus, so every replica drops them.
 *
 * Only one replica polls at a time (a lease in the shared state), and the
 * watermark is shared, so N replicas cost the ERP what one does.
 */
import type { CacheRuntime, Invalidation } from '../../../lib/cache/index.js';
import { answerCatchUpRequests } from '../../../lib/cache/catchUpRequests.js';
import type { ChangeFollowReport } from '../../../lib/observability/metrics.js';
import type { ErpChange, ErpChangeFeed } from './connectors/erpChanges.js';
import { ERP_CACHE } from './loaders.js';
import { ERP_PAGE_CACHE } from './pageCache.js';

const WATERMARK = 'erp.watermark';

/** The cache entries that a set of ERP changes makes stale, one Invalidation per type. */
export function erpInvalidations(changes: readonly ErpChange[], skuByProductId: ReadonlyMap<number, string | null> = new Map()): Invalidation[] {
  const byType = new Map<string, Set<string> | '*'>();
  const drop = (type: string, key: string | number | null | undefined) => {
    if (key === null || key === undefined || key === '') return;
    const keys = byType.get(type) ?? new Set<string>();
    if (keys === '*') return;
    keys.add(String(key));
    byType.set(type, keys);
  };
  const dropAll = (type: string) => byType.set(type, '*');
  const C = ERP_CACHE;
  for (const change of changes) {
    const k = change.keys;
    switch (change.model) {
      case 'res.partner':
        dropAll(ERP_PAGE_CACHE.partner);
        dropAll(ERP_PAGE_CACHE.partnerWithBalance);
        drop(C.partner, `id:${change.id}`);
        if (k.ref) drop(C.partner, `ref:${k.ref}`);
        break;
      case 'product.product':
        dropAll(ERP_PAGE_CACHE.product);
        drop(C.product, `id:${change.id}`);
        if (k.default_code) drop(C.product, `sku:${k.default_code}`);
        break;
      case 'product.template':
        // Price, name and category live on the template, shared by variants this change does not list.
        dropAll(C.product);
        dropAll(ERP_PAGE_CACHE.product);
        break;
      case 'stock.quant': {
        dropAll(ERP_PAGE_CACHE.product);
        const productId = k.product_id;
        if (typeof productId !== 'number') break;
        drop(C.product, `id:${productId}`);
        const sku = skuByProductId.get(productId);
        if (sku) drop(C.product, `sku:${sku}`);
        break;
      }
      case 'mrp.bom':
        drop(C.bomsByTemplate, k.product_tmpl_id);
        // Lines are cached by the template their BOM makes: a BOM moved to it brings its lines.
        drop(C.bomLinesByTemplate, k.product_tmpl_id);
        break;
      case 'mrp.bom.line':
        drop(C.bomLinesByTemplate, k.parent_product_tmpl_id);
        break;
      case 'sale.order':
        dropAll(ERP_PAGE_CACHE.order);
        drop(C.order, k.name);
        drop(C.ordersByPartner, k.partner_id);
        drop(C.ordersByRef, k.client_order_ref);
        break;
      case 'sale.order.line':
        // Lines are cached by their order's number, which Odoo shows as the order's display name.
        drop(C.orderLines, k['order_id.display_name']);
        break;
      case 'account.move':
        drop(C.invoicesByPartner, k.partner_id);
        // What a partner owes is kept on its company, whichever contact the invoice is addressed to.
        drop(C.balanceDue, k.partner_id);
        drop(C.balanceDue, k.commercial_partner_id);
        dropAll(ERP_PAGE_CACHE.partnerWithBalance);
        break;
      case 'hr.employee':
        drop(C.employee, `id:${change.id}`);
        if (k.work_email) drop(C.employee, `email:${k.work_email}`);
        if (typeof k.user_id === 'number') drop(C.employee, `user:${k.user_id}`);
        break;
    }
  }
  return [...byType].map(([type, keys]) => ({
    system: 'erp' as const,
    type,
    keys: keys === '*' ? '*' : [...keys],
    reason: 'ERP write_date poll',
  }));
}

export interface ErpChangeWatcher {
  /** Polls once now (if this replica holds the lease); resolves to what was published. */
  pollNow(): Promise<Invalidation[]>;
  stop(): Promise<void>;
}

export function startErpChangeWatcher(feed: ErpChangeFeed, runtime: CacheRuntime, options: { pollMs: number; report?: ChangeFollowReport }): ErpChangeWatcher {
  // Records already seen in the watermark's own second: `>=` re-reads that second, so skip what was handled.
  let seenAtWatermark = new Set<string>();
  let running: Promise<Invalidation[] | null> | null = null;
  let stopped = false;
  let reportedFailure = false;

  /** Null when another replica holds the lease (it polls, this one does not). */
  const poll = async (): Promise<Invalidation[] | null> => {
    // The lease outlives a few intervals so a slow poll is not taken over midway.
    if (!(await runtime.state.claim('erp-change-poll', Math.max(options.pollMs * 3, 5000)))) return null;
    try {
      const watermark = await runtime.state.get(WATERMARK);
      if (watermark === undefined) {
        // First poll of the deployment: nothing cached predates now, so start from the ERP's newest write.
        await runtime.state.set(WATERMARK, (await feed.latestWriteDate()) ?? '1970-01-01 00:00:00');
        options.report?.round('ok');
        return [];
      }
      const { changes, skuByProductId } = await feed.changedSince(watermark);
      const fresh = changes.filter((c) => !seenAtWatermark.has(`${c.model}:${c.id}:${c.writeDate}`));
      const events = erpInvalidations(fresh, skuByProductId);
      await runtime.bus.publish(events);
      const next = changes.reduce((max, c) => (c.writeDate > max ? c.writeDate : max), watermark);
      seenAtWatermark = new Set(changes.filter((c) => c.writeDate === next).map((c) => `${c.model}:${c.id}:${c.writeDate}`));
      if (next !== watermark) await runtime.state.set(WATERMARK, next);
      options.report?.round('ok', fresh.length);
      return events;
    } catch (error) {
      options.report?.round('failed');
      throw error;
    }
  };

  const pollNow = () => {
    running ??= poll().finally(() => {
      running = null;
    });
    return running;
  };

  // A write made through the graph (the workflow subgraph) asks for a poll and waits for it
  // (lib/cache/catchUpRequests.ts). A poll already under way may have read before that write: the
  // answer comes from one that starts after it.
  const answering = answerCatchUpRequests(runtime.signals, runtime.prefix, 'erp', async () => {
    await running?.catch(() => undefined);
    return (await pollNow()) !== null;
  });

  const timer =
    options.pollMs > 0
      ? setInterval(() => {
          if (stopped) return;
          pollNow().then(
            () => {
              reportedFailure = false;
            },
            (error: unknown) => {
              // An ERP outage is reported once, not every interval; entries still expire by TTL meanwhile.
              if (!reportedFailure)
                console.error(`ERP change polling failed (${(error as Error).message}); cached ERP records expire by TTL until it recovers.`);
              reportedFailure = true;
            },
          );
        }, options.pollMs)
      : null;
  timer?.unref();

  return {
    pollNow: async () => (await pollNow()) ?? [],
    async stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      const stopAnswering = await answering.catch(() => undefined);
      await stopAnswering?.();
      await running?.catch(() => undefined);
    },
  };
}
