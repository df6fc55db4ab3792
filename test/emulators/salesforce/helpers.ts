/**
 * Starts a Salesforce emulator on port 0 over a fresh temp-dir database and
 * gives tests a logged-in `api()` for raw REST calls.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSalesforceEmulator, type SalesforceEmulator, type SalesforceEmulatorOptions } from '../../../emulators/salesforce/server.js';

export const VERSION = '60.0';
export const CREDENTIALS = {
  client_id: 'erp-crm-graph',
  client_secret: 'dev-secret',
  username: 'integration@example.com',
  password: 'dev-password',
};

export interface TestOrg {
  emulator: SalesforceEmulator;
  dir: string;
  token: string;
  /** A REST call under /services/data/v60.0 (or an absolute path starting with /services or /__emulator). */
  api(path: string, init?: RequestInit): Promise<{ status: number; body: any; headers: Headers }>;
  /** GET query?q=... and the parsed body. */
  query(soql: string): Promise<{ status: number; body: any; headers: Headers }>;
  stop(): Promise<void>;
}

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'sf-emulator-'));
}

export async function requestToken(url: string, params: Record<string, string> = { grant_type: 'password', ...CREDENTIALS }) {
  const res = await fetch(`${url}/services/oauth2/token`, { method: 'POST', body: new URLSearchParams(params) });
  return { status: res.status, body: (await res.json()) as any, headers: res.headers };
}

export async function startTestOrg(options: Partial<SalesforceEmulatorOptions> = {}, dir = tempDir()): Promise<TestOrg> {
  const emulator = await startSalesforceEmulator({ dbPath: join(dir, 'salesforce.sqlite'), seedSize: 'small', ...options, port: 0 });
  const { body } = await requestToken(emulator.url);
  const token = body.access_token as string;
  const api: TestOrg['api'] = async (path, init = {}) => {
    const full = path.startsWith('/services') || path.startsWith('/__emulator') || path.startsWith('/id/') ? path : `/services/data/v${VERSION}${path}`;
    const headers = new Headers(init.headers);
    if (!headers.has('authorization')) headers.set('authorization', `Bearer ${token}`);
    if (init.body && !headers.has('content-type')) headers.set('content-type', 'application/json');
    const res = await fetch(`${emulator.url}${full}`, { ...init, headers });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: res.headers };
  };
  return {
    emulator,
    dir,
    token,
    api,
    query: (soql) => api(`/query?q=${encodeURIComponent(soql)}`),
    stop: async () => {
      await emulator.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export const json = (body: unknown): RequestInit => ({ body: JSON.stringify(body) });
