import type { Crm } from './connectors/crm.js';
import type { Erp } from './connectors/erp.js';
import type { CreateCustomerResult, QuoteConversionResult } from './__generated__/resolvers-types.js';
import type { WorkflowGuard } from './workflows/guard.js';
import type { WorkflowLog } from './workflows/log.js';

/**
 * What resolvers get. The workflows keep no per-request caches (every run
 * reads the systems afresh, since stale data is exactly what idempotency must
 * not trust), so the context is the same for every request: the connectors and
 * the process-wide guards.
 */
export interface WorkflowContext {
  erp: Erp;
  crm: Crm;
  currencyCode: string;
  log: WorkflowLog;
  quoteGuard: WorkflowGuard<QuoteConversionResult>;
  customerGuard: WorkflowGuard<CreateCustomerResult>;
}
