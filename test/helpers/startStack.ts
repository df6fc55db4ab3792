/**
 * Starts the whole product on port 0 for a test suite and gives the suite a
 * way to query the gateway and to read how many native calls each system served.
 */
import { startStack, type Stack, type StackOptions } from '../../scripts/stack.js';

export interface GraphQLResponse<T = any> {
  data?: T;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[];
}

export interface TestStack extends Stack {
  query<T = any>(query: string, variables?: Record<string, unknown>): Promise<GraphQLResponse<T>>;
  /** Native calls served since the last reset, per system and in total. */
  nativeCalls(): { erp: Record<string, number>; crm: Record<string, number>; erpTotal: number; crmTotal: number; total: number };
  resetNativeCalls(): void;
}

export async function startTestStack(options: StackOptions = {}): Promise<TestStack> {
  // The cross-request cache is off unless a suite asks for it (CACHE_MODE or REDIS_URL in `env`), so
  // suites that count native calls per query are not changed by what an earlier test cached.
  // Logs only errors unless a suite asks for more (LOG_LEVEL in `env`): a line per request would bury the test output.
  const env = { ...(options.env?.REDIS_URL ? {} : { CACHE_MODE: 'off' }), LOG_LEVEL: 'error', ...options.env };
  const stack = await startStack({ ephemeralPorts: true, ...options, env });
  return {
    ...stack,
    async query(query, variables) {
      const response = await fetch(stack.gateway.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query, variables }),
      });
      return (await response.json()) as GraphQLResponse;
    },
    nativeCalls() {
      const erp = stack.odoo!.calls.snapshot();
      const crm = stack.salesforce!.calls.snapshot();
      // Authentication happens once per process, not per query: leave it out of per-query costs.
      const drop = (calls: Record<string, number>, keys: string[]) => Object.fromEntries(Object.entries(calls).filter(([k]) => !keys.includes(k)));
      const erpCalls = drop(erp.calls, ['common.authenticate', 'common.login', 'common.version']);
      const crmCalls = drop(crm.calls, ['oauth.token']);
      const sum = (c: Record<string, number>) => Object.values(c).reduce((a, b) => a + b, 0);
      return { erp: erpCalls, crm: crmCalls, erpTotal: sum(erpCalls), crmTotal: sum(crmCalls), total: sum(erpCalls) + sum(crmCalls) };
    },
    resetNativeCalls() {
      stack.odoo!.calls.reset();
      stack.salesforce!.calls.reset();
    },
  };
}
