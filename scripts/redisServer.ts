/**
 * A real Redis for the cache tests and the benchmark. With REDIS_URL set (CI
 * starts one on 127.0.0.1:6379) that one is used, under a key prefix of the
 * caller's own; otherwise a private redis-server is started on a free loopback
 * port and stopped afterwards. A machine with neither fails with a message
 * saying what to install, never a silent skip.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { randomUUID } from 'node:crypto';
import { createClient } from 'redis';

export interface LocalRedis {
  url: string;
  /** A key prefix no other suite or run uses (CACHE_PREFIX). */
  prefix: string;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function waitForPing(url: string, child: ChildProcess | null, output: () => string): Promise<void> {
  const deadline = Date.now() + 10_000;
  let last: unknown;
  while (Date.now() < deadline) {
    if (child && child.exitCode !== null) throw new Error(`redis-server exited with code ${child.exitCode} before answering: ${output()}`);
    const client = createClient({ url, socket: { connectTimeout: 500, reconnectStrategy: false } });
    client.on('error', () => {});
    try {
      await client.connect();
      await client.ping();
      await client.close();
      return;
    } catch (error) {
      last = error;
      client.destroy();
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`Expected Redis at ${url} to answer PING within 10 s, but it did not (${(last as Error)?.message}).`);
}

export async function startLocalRedis(options: { useRedisUrl?: boolean } = {}): Promise<LocalRedis> {
  const prefix = `test-${randomUUID().slice(0, 8)}`;
  const configured = options.useRedisUrl === false ? undefined : process.env.REDIS_URL?.trim();
  if (configured) {
    await waitForPing(configured, null, () => '');
    return { url: configured, prefix, stop: async () => {} };
  }
  if (spawnSync('redis-server', ['--version']).error) {
    throw new Error('These tests need a real Redis: install redis-server (apt-get install -y redis-server) or set REDIS_URL to a running one.');
  }
  const port = await freePort();
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-2000)));
  child.stderr?.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-2000)));
  const url = `redis://127.0.0.1:${port}`;
  try {
    await waitForPing(url, child, () => output);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  return {
    url,
    prefix,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
