/** Starting the ERP subgraph (and the Odoo emulator) for a test file, on port 0. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startErpSubgraph } from '../../../subgraphs/erp/src/server.js';
import type { ErpSubgraphConfig } from '../../../subgraphs/erp/src/config.js';
import { signInternalRequest } from '../../../lib/internalAuth.js';
import { scopesDeclaredIn } from '../../../lib/requiresScopes.js';
import { subgraphSdl } from '../../../lib/subgraphSchemas.js';

export const ODOO_DB = 'odoo';
export const ODOO_LOGIN = 'admin';
export const ODOO_API_KEY = '0123456789abcdef0123456789abcdef01234567';
/** The subgraph answers only signed requests; `query` signs as the gateway would, for a caller with every scope. */
export const INTERNAL_SECRET = 'erp-subgraph-test-secret-0123456789abcdef';

export interface GraphQLResponse<T = any> {
  data?: T;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, any> }[];
}

export interface TestSubgraph {
  url: string;
  query<T = any>(query: string, variables?: Record<string, unknown>): Promise<GraphQLResponse<T>>;
  /** Posts `body` as is, signed as the gateway would sign it; `signedBody` signs other bytes than those sent. */
  post(body: string, signedBody?: string): Promise<{ status: number; json: any }>;
  stop(): Promise<void>;
}

export async function startTestSubgraph(odooUrl: string, overrides: Partial<ErpSubgraphConfig> = {}): Promise<TestSubgraph> {
  const subgraph = await startErpSubgraph({
    port: 0,
    host: '127.0.0.1',
    keepAliveTimeoutMs: 65_000,
    odoo: { url: odooUrl, db: ODOO_DB, login: ODOO_LOGIN, apiKey: ODOO_API_KEY, timeoutMs: 10_000 },
    development: false,
    internalSecret: INTERNAL_SECRET,
    ...overrides,
  });
  const scopes = scopesDeclaredIn(subgraphSdl('erp'));
  const post = async (body: string, signedBody = body) => {
    const response = await fetch(subgraph.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...signInternalRequest(INTERNAL_SECRET, signedBody, scopes) },
      body,
    });
    return { status: response.status, json: await response.json() };
  };
  return {
    url: subgraph.url,
    async query(query, variables) {
      return (await post(JSON.stringify({ query, variables }))).json as GraphQLResponse;
    },
    post,
    stop: () => subgraph.stop(),
  };
}

/** A fresh directory for an emulator's SQLite file, removed by the returned function. */
export function tempDir(): { path: string; remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), 'erp-subgraph-test-'));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}
