import type { Crm } from './connectors/crm.js';
import type { Erp } from './connectors/erp.js';
import type { CreateCustomerResult, QuoteConversionResult } from './__generated__/resolvers-types.js';
import type { WorkflowGuard } from './workflows/guard.js';
import type { WorkflowLog } from './workflows/log.js';

/**
 * What resolvers get. The workflows keep no per-request caches (every run
 * reads the systems afresh, since stale data is exactly what idempotency must
 * not trust), so the context is the same for every request: the connectors,
 * the process-wide guards and the request for fresh caches after a write.
 */
export interface WorkflowContext {
  erp: Erp;
  crm: Crm;
  currencyCode: string;
  log: WorkflowLog;
  quoteGuard: WorkflowGuard<QuoteConversionResult>;
  customerGuard: WorkflowGuard<CreateCustomerResult>;
  /**
   * Runs a mutation's work, then returns once the ERP and CRM subgraphs have dropped the cache entries
   * its writes made stale (or their waits ran out), so the caller's next read through the graph sees
   * what it wrote (readYourWrites.ts).
   */
  writing<T>(work: () => Promise<T>): Promise<T>;
}
