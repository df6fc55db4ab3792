/** Starting the Odoo emulator on port 0 over a temporary database, and speaking JSON-RPC to it. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { repoRoot } from '../../../lib/subgraphSchemas.js';
import { startOdooEmulator, type OdooEmulator, type OdooEmulatorOptions } from '../../../emulators/odoo/server.js';

export const DB = 'odoo';
export const LOGIN = 'admin';
export const KEY = '0123456789abcdef0123456789abcdef01234567';
export const UID = 2;
// Copied from the team's shared/fixtures/odoo-17 (recorded from a real Odoo 17) so a clone is self-contained.
export const FIXTURES_DIR = resolve(repoRoot, 'test/fixtures/odoo-17');

export interface RpcResponse {
  status: number;
  body: {
    jsonrpc?: string;
    id?: unknown;
    result?: any;
    error?: { code: number; message: string; data: { name: string; message: string; debug: string; arguments: unknown[]; context: unknown } };
  };
}

export interface TestOdoo {
  emulator: OdooEmulator;
  dir: string;
  /** POSTs a raw body to a path; answers status and parsed JSON. */
  post(path: string, body: string, headers?: Record<string, string>): Promise<RpcResponse & { headers: Headers }>;
  rpc(service: string, method: string, args: unknown[]): Promise<RpcResponse>;
  /** `execute_kw` as the admin; throws on an error envelope. */
  call<T = any>(model: string, method: string, args: unknown[], kwargs?: Record<string, unknown>): Promise<T>;
  /** `execute_kw` as the admin; answers the error envelope (and fails if there is none). */
  fail(model: string, method: string, args: unknown[], kwargs?: Record<string, unknown>): Promise<NonNullable<RpcResponse['body']['error']>>;
  stop(): Promise<void>;
}

export function tempDir(prefix = 'odoo-emulator-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export async function startTestOdoo(options: Partial<OdooEmulatorOptions> & { dir?: string } = {}): Promise<TestOdoo> {
  const dir = options.dir ?? tempDir();
  const emulator = await startOdooEmulator({ dbPath: join(dir, 'odoo.sqlite'), seedSize: 'small', port: 0, ...options });
  let nextId = 1;
  const post = async (path: string, body: string, headers: Record<string, string> = {}) => {
    const response = await fetch(`${emulator.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
    const text = await response.text();
    return { status: response.status, body: JSON.parse(text), headers: response.headers };
  };
  const rpc = (service: string, method: string, args: unknown[]) =>
    post('/jsonrpc', JSON.stringify({ jsonrpc: '2.0', method: 'call', params: { service, method, args }, id: nextId++ }));
  const executeKw = (model: string, method: string, args: unknown[], kwargs: Record<string, unknown> = {}) =>
    rpc('object', 'execute_kw', [DB, UID, KEY, model, method, args, kwargs]);
  return {
    emulator,
    dir,
    post,
    rpc,
    async call(model, method, args, kwargs) {
      const { body } = await executeKw(model, method, args, kwargs);
      if (body.error) throw new Error(`${model}.${method} failed: ${body.error.data.name}: ${body.error.data.message}`);
      return body.result;
    },
    async fail(model, method, args, kwargs) {
      const { status, body } = await executeKw(model, method, args, kwargs);
      if (status !== 200) throw new Error(`Expected HTTP 200 with an error envelope, got ${status}.`);
      if (!body.error) throw new Error(`Expected ${model}.${method} to fail, but it answered ${JSON.stringify(body.result)}.`);
      return body.error;
    },
    async stop() {
      await emulator.close();
      if (!options.dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}
