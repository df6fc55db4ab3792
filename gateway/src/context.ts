import type { Caller } from './auth/authenticate.js';

/** What every gateway request carries through Apollo: who is calling, with which scopes. */
export interface GatewayContext {
  caller: Caller;
  /**
   * The entity-cache types the subgraphs' answers were made from (their `X-Cache-Tags`), collected
   * as they arrive: the tags a whole answer is stored under (responseCache.ts).
   */
  cacheTags?: Set<string>;
}
