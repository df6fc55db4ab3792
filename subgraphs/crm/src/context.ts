import type { CrmLoaders } from './loaders.js';

/** Built fresh for every request, so DataLoader caches never outlive one operation. */
export interface CrmContext {
  loaders: CrmLoaders;
  /** The org currency every Money carries. */
  currencyCode: string;
}
