/**
 * What every ERP resolver receives: loaders built fresh for the request (so no
 * cached record outlives it) and the connector, for the reads that are not
 * batched by key (pages and counts).
 */
import type { ErpConnector } from './connectors/erpConnector.js';
import { createErpLoaders, type ErpLoaders } from './loaders.js';

export interface ErpContext {
  loaders: ErpLoaders;
  connector: ErpConnector;
}

export function createErpContext(connector: ErpConnector): ErpContext {
  return { loaders: createErpLoaders(connector), connector };
}
