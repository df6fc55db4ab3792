/**
 * A real Redis for the cache tests and the benchmark. With REDIS_URL set (CI
 * starts one on 127.0.0.1:6379) that one is used, under a key prefix of the
 * caller's own; otherwise a private redis-server is started on a free loopback
 * port and stopped afterwards. A machine with neither fails with a message
 * saying what to install, never a silent skip. `startLocalRedisCluster` always
 * starts a private three-node Redis Cluster.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { createClient } from 'redis';

export interface LocalRedis {
  url: string;
  /** A key prefix no other suite or run uses (CACHE_PREFIX). */
  prefix: string;
  /** A Redis Cluster: `url` lists its seed nodes, and REDIS_CLUSTER=true goes with it. */
  cluster?: boolean;
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
  const server = await spawnRedisServer([]);
  return { url: server.url, prefix, stop: server.stop };
}

/**
 * A private three-master Redis Cluster on loopback (no replicas): `url` lists the
 * seed nodes, comma-separated, as REDIS_URL does with REDIS_CLUSTER=true. Slots are
 * split evenly, so the keys of any sizeable batch land on every master.
 */
export async function startLocalRedisCluster(): Promise<LocalRedis & { nodes: string[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'redis-cluster-'));
  const servers: Awaited<ReturnType<typeof spawnRedisServer>>[] = [];
  const busPorts: number[] = [];
  const stop = async () => {
    await Promise.all(servers.map((server) => server.stop()));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (let i = 0; i < 3; i++) {
      // The cluster bus port would be port + 10000, past 65535 for most ephemeral ports: name it.
      const busPort = await freePort();
      busPorts.push(busPort);
      servers.push(
        await spawnRedisServer([
          '--cluster-enabled',
          'yes',
          '--cluster-config-file',
          join(dir, `nodes-${i}.conf`),
          '--cluster-port',
          String(busPort),
          '--dir',
          dir,
        ]),
      );
    }
    const clients = await Promise.all(
      servers.map(async (server) => {
        const client = createClient({ url: server.url, socket: { reconnectStrategy: false } });
        client.on('error', () => {});
        await client.connect();
        return client;
      }),
    );
    try {
      const per = Math.ceil(16384 / servers.length);
      await Promise.all(
        clients.map((client, i) => client.sendCommand(['CLUSTER', 'ADDSLOTSRANGE', String(i * per), String(Math.min(16383, (i + 1) * per - 1))])),
      );
      for (let i = 1; i < servers.length; i++) {
        await clients[0]!.sendCommand(['CLUSTER', 'MEET', '127.0.0.1', String(servers[i]!.port), String(busPorts[i])]);
      }
      const deadline = Date.now() + 15_000;
      for (;;) {
        const infos = await Promise.all(clients.map((client) => client.sendCommand(['CLUSTER', 'INFO']) as Promise<string>));
        if (infos.every((info) => /cluster_state:ok/.test(info) && /cluster_known_nodes:3\b/.test(info))) break;
        if (Date.now() > deadline) throw new Error(`Expected the three Redis nodes to form a cluster within 15 s, but: ${infos[0]}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    } finally {
      await Promise.all(clients.map((client) => client.close()));
    }
  } catch (error) {
    await stop();
    throw error;
  }
  const nodes = servers.map((server) => server.url);
  return { url: nodes.join(','), nodes, prefix: `test-${randomUUID().slice(0, 8)}`, cluster: true, stop };
}

/** A redis-server on a free loopback port, without persistence; `args` adds to its command line. */
async function spawnRedisServer(args: string[]): Promise<{ url: string; port: number; stop(): Promise<void> }> {
  if (spawnSync('redis-server', ['--version']).error) {
    throw new Error('These tests need a real Redis: install redis-server (apt-get install -y redis-server) or set REDIS_URL to a running one.');
  }
  const port = await freePort();
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', ...args], {
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
    port,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
