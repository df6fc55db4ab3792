/**
 * What every ERP resolver receives: loaders built fresh for the request (so no
 * cached record outlives it) and the connector, for the reads that are not
 * batched by key (pages and counts).
 */
import type { ErpConnector } from './connectors/erpConnector.js';
import { createErpLoaders, type ErpLoaders } from './loaders.js';
import { createAreaLoaders, type AreaLoaders } from './areaLoaders.js';
import type { CacheUse } from '../../../lib/cache/index.js';
import { withCachedPages } from './pageCache.js';
import { StaleMarks } from '../../../lib/staleServing.js';

export interface ErpContext {
  loaders: ErpLoaders;
  /** Loaders for the integration areas and reports, mostly aggregates; never cached across requests. */
  areas: AreaLoaders;
  connector: ErpConnector;
  /** Values this request served from stale cache entries while Odoo was down (lib/staleServing.ts). */
  stale?: StaleMarks;
  /**
   * Whether resolvers that see what the query selects below them (an order's lines, a BOM's lines and
   * components) start those reads beside their own. Off with NATIVE_BATCHING=false, the benchmark's
   * baseline of plain resolvers, which read each level after the one above, one call per item.
   */
  readAhead: boolean;
}

/** `cache`, when given, is the cross-request cache the loaders read through (native records only). */
export function createErpContext(connector: ErpConnector, cache?: CacheUse, readAhead = true): ErpContext {
  // While Odoo is down, loaders answer from stale cache entries and mark them here, for useStaleDataErrors.
  const stale = new StaleMarks('erp');
  return {
    loaders: createErpLoaders(connector, cache && { ...cache, stale }),
    areas: createAreaLoaders(connector),
    connector: withCachedPages(connector, cache),
    stale,
    readAhead,
  };
}
