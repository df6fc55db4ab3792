import type { StaleMarks } from '../../../lib/staleServing.js';
import type { CrmLoaders } from './loaders.js';
import type { AreaLoaders } from './areaLoaders.js';

/** Built fresh for every request, so DataLoader caches never outlive one operation. */
export interface CrmContext {
  loaders: CrmLoaders;
  /** Loaders of the areas connector (identity, quotes, staff, marketing, sales, service). */
  areas: AreaLoaders;
  /** The org currency every Money carries. */
  currencyCode: string;
  /** Values this request served from stale cache entries while Salesforce was down (lib/staleServing.ts). */
  stale?: StaleMarks;
}
