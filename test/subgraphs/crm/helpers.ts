/**
 * Shared set-up for the CRM suites: a Salesforce emulator on port 0 with a
 * throw-away database, and the CRM subgraph pointed at it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSalesforceEmulator } from '../../../emulators/salesforce/server.js';
import { loadCrmConfig, type CrmSubgraphConfig } from '../../../subgraphs/crm/src/config.js';
import { SalesforceClient } from '../../../lib/native/salesforceClient.js';
import { startCrmSubgraph } from '../../../subgraphs/crm/src/server.js';
import { signInternalRequest } from '../../../lib/internalAuth.js';
import { scopesDeclaredIn } from '../../../lib/requiresScopes.js';
import { subgraphSdl } from '../../../lib/subgraphSchemas.js';

/** The subgraph answers only signed requests; `graphql` signs as the gateway would, for a caller with every scope. */
export const INTERNAL_SECRET = 'crm-subgraph-test-secret-0123456789abcdef';

export type Emulator = Awaited<ReturnType<typeof startSalesforceEmulator>>;

export async function startEmulator(options: { dailyApiLimit?: number } = {}): Promise<{ emulator: Emulator; stop(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'crm-test-'));
  const emulator = await startSalesforceEmulator({ dbPath: join(dir, 'salesforce.sqlite'), seedSize: 'small', port: 0, ...options });
  return {
    emulator,
    stop: async () => {
      await emulator.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function crmConfig(loginUrl: string): CrmSubgraphConfig {
  // No cross-request cache: these tests count native calls per query and exhaust API limits on purpose.
  return loadCrmConfig({
    SALESFORCE_LOGIN_URL: loginUrl,
    CRM_SUBGRAPH_PORT: '0',
    SALESFORCE_TIMEOUT_MS: '5000',
    INTERNAL_SHARED_SECRET: INTERNAL_SECRET,
    CACHE_MODE: 'off',
  });
}

export function salesforceClient(loginUrl: string): SalesforceClient {
  return new SalesforceClient(crmConfig(loginUrl).salesforce);
}

export async function startCrm(loginUrl: string, overrides: Partial<CrmSubgraphConfig> = {}) {
  return startCrmSubgraph({ ...crmConfig(loginUrl), ...overrides });
}

export interface GraphQLAnswer<T = Record<string, unknown>> {
  data?: T | null;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[];
}

export async function graphql<T = Record<string, any>>(url: string, query: string, variables: Record<string, unknown> = {}): Promise<GraphQLAnswer<T>> {
  const body = JSON.stringify({ query, variables });
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...signInternalRequest(INTERNAL_SECRET, body, scopesDeclaredIn(subgraphSdl('crm'))) },
    body,
  });
  return (await response.json()) as GraphQLAnswer<T>;
}

/** `_entities` for one selection over many representations; fails the test on any error. */
export async function entities<T = any>(url: string, selection: string, representations: Record<string, unknown>[]): Promise<(T | null)[]> {
  const answer = await graphql<{ _entities: (T | null)[] }>(url, `query ($r: [_Any!]!) { _entities(representations: $r) { ${selection} } }`, {
    r: representations,
  });
  if (answer.errors?.length) throw new Error(`Expected no GraphQL errors, but got: ${JSON.stringify(answer.errors, null, 2)}`);
  return answer.data!._entities;
}
