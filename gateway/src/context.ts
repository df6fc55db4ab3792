import type { Caller } from './auth/authenticate.js';

/** What every gateway request carries through Apollo: who is calling, with which scopes. */
export interface GatewayContext {
  caller: Caller;
}
