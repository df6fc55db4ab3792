/**
 * One Redis server or a Redis Cluster, behind the few operations the caches,
 * leases and locks use, so that none of them needs to know which it talks to.
 *
 * A cluster spreads keys over its masters by hash slot, and refuses a command
 * whose keys fall in different slots (CROSSSLOT). So on a cluster a batch is
 * sent key by key — node-redis writes the commands issued together to each
 * node in one go, so a batch still costs one round trip per node, not per key —
 * and a pattern delete scans every master. Pub/sub on a cluster is sharded
 * (SPUBLISH, SSUBSCRIBE; Redis 7): a channel lives on the master that owns its
 * slot, so a publish reaches every subscriber without being copied to every
 * node, and its answer counts all of them. A plain PUBLISH counts only the
 * subscribers on the node that ran it, and read-your-writes needs to know
 * whether anyone listens (lib/cache/catchUpRequests.ts).
 */
import { createClient, createCluster } from 'redis';

/** Where Redis is: one URL, or with `cluster` one or more comma-separated seed nodes of a Redis Cluster. */
export interface RedisTarget {
  url: string;
  cluster: boolean;
}

export interface RedisConnection {
  get(key: string): Promise<string | null>;
  /** Values in the order of `keys`, null where a key is absent. */
  getMany(keys: readonly string[]): Promise<(string | null)[]>;
  /** SET, expiring after `pxMs` when given, only when the key is absent with `onlyIfAbsent`; true when written. */
  set(key: string, value: string, options?: { pxMs?: number; onlyIfAbsent?: boolean }): Promise<boolean>;
  setMany(entries: readonly (readonly [string, string])[], pxMs: number): Promise<void>;
  pExpire(key: string, ms: number): Promise<void>;
  /** How many of `keys` existed. */
  del(keys: readonly string[]): Promise<number>;
  /** Deletes the keys matching a SCAN pattern, on every master of a cluster. */
  deleteMatching(pattern: string): Promise<void>;
  /** Deletes `key` only while it still holds `value` (a lock released by its holder only); true when deleted. */
  deleteIfEquals(key: string, value: string): Promise<boolean>;
  /** How many subscribers heard it. */
  publish(channel: string, message: string): Promise<number>;
  /** PING, on every master of a cluster (a readiness check). */
  ping(): Promise<void>;
  /**
   * Listens on `channel` (a subscribed connection runs no other command: one more connection serves every
   * channel); the returned function stops listening. `onLost` is called when a connection that may carry
   * its messages fails: messages published until it is back are never delivered.
   */
  subscribe(channel: string, listener: (message: string) => void, onLost?: () => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

type Client = ReturnType<typeof createClient>;
type Cluster = ReturnType<typeof createCluster>;

const DELETE_IF_EQUALS = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

/** Fail-fast commands: while Redis is away a command errors at once instead of queueing. */
const socket = { connectTimeout: 2000, reconnectStrategy: (retries: number) => Math.min(100 * 2 ** retries, 5000) };

/**
 * Connects, reporting an outage once (not per failed reconnect) and its end;
 * `whileDown` says what the outage means to this user. `name` labels the
 * connections (CLIENT LIST shows it).
 */
export async function connectRedis(target: RedisTarget, name: string, whileDown = 'the cache answers misses until it is back'): Promise<RedisConnection> {
  const urls = target.url
    .split(',')
    .map((u) => u.trim())
    .filter(Boolean);
  const shown = urls.map(redactUrl).join(', ');
  const settingName = target.cluster ? 'REDIS_URL, with REDIS_CLUSTER=true' : 'REDIS_URL';
  if (!target.cluster && urls.length !== 1) {
    throw new Error(`Expected REDIS_URL to name one Redis server (a list of seed nodes needs REDIS_CLUSTER=true), but got ${urls.length}: ${shown}.`);
  }
  let reported = false;
  const onError = (error: Error) => {
    if (reported) return;
    reported = true;
    console.error(`Redis at ${shown} is unreachable (${error.message}); ${whileDown}.`);
  };
  const onReady = () => {
    if (reported) console.error(`Redis at ${shown} is reachable again.`);
    reported = false;
  };
  if (!target.cluster) {
    const client = createClient({ url: urls[0], name, disableOfflineQueue: true, socket });
    // node-redis emits 'error' on every failed reconnect; without a listener the process would crash.
    client.on('error', onError).on('ready', onReady);
    try {
      await client.connect();
    } catch (error) {
      client.destroy();
      throw new Error(`Expected Redis at ${shown} (${settingName}), but could not connect: ${(error as Error).message}.`, { cause: error });
    }
    return new SingleRedis(client);
  }
  // Nodes found through the seeds get the seeds' credentials (a cluster has one password for all).
  const seed = new URL(urls[0]!);
  const credentials = {
    ...(seed.username ? { username: decodeURIComponent(seed.username) } : {}),
    ...(seed.password ? { password: decodeURIComponent(seed.password) } : {}),
  };
  const cluster = createCluster({
    rootNodes: urls.map((url) => ({ url })),
    // Nodes found through the seeds speak TLS when the seeds do.
    defaults: { name, disableOfflineQueue: true, socket: { ...socket, ...(seed.protocol === 'rediss:' ? { tls: true as const } : {}) }, ...credentials },
  });
  // 'node-ready' comes once per node connection, not again after it reconnects: while an outage stands,
  // a PING of every master each second tells when it is over.
  let probe: NodeJS.Timeout | undefined;
  const stopProbing = () => {
    clearInterval(probe);
    probe = undefined;
  };
  const connection = new ClusterRedis(cluster, stopProbing);
  const onNodeError = (error: Error) => {
    onError(error);
    if (probe) return;
    probe = setInterval(() => {
      connection.ping().then(
        () => {
          stopProbing();
          onReady();
        },
        () => undefined,
      );
    }, 1000);
    probe.unref();
  };
  cluster.on('error', onError).on('node-error', onNodeError).on('node-ready', onReady);
  try {
    await cluster.connect();
  } catch (error) {
    stopProbing();
    cluster.destroy();
    throw new Error(`Expected a Redis Cluster at ${shown} (${settingName}), but could not connect: ${(error as Error).message}.`, { cause: error });
  }
  try {
    requireShardedPubSub(await (await cluster.nodeClient(cluster.masters[0]!)).info('server'), `${shown} (${settingName})`);
  } catch (error) {
    stopProbing();
    cluster.destroy();
    throw error;
  }
  return connection;
}

/** Sharded pub/sub (SSUBSCRIBE) came with Redis 7; an older cluster would fail at the first subscription instead of here. */
export function requireShardedPubSub(serverInfo: string, where: string): void {
  const version = /^redis_version:(\S+)/m.exec(serverInfo)?.[1];
  if (version === undefined || Number(version.split('.')[0]) < 7) {
    throw new Error(`Expected a Redis Cluster of version 7 or later at ${where}, for sharded pub/sub, but it runs ${version ?? 'an unknown version'}.`);
  }
}

/** A URL (or comma-separated URLs) fit for logs: passwords replaced. */
export function redactUrl(url: string): string {
  return url
    .split(',')
    .map((one) => {
      try {
        const parsed = new URL(one.trim());
        if (parsed.password) parsed.password = '***';
        return parsed.toString();
      } catch {
        return '(unparseable REDIS_URL)';
      }
    })
    .join(',');
}

function setOptions(options: { pxMs?: number; onlyIfAbsent?: boolean }) {
  return {
    ...(options.onlyIfAbsent ? { condition: 'NX' as const } : {}),
    ...(options.pxMs !== undefined ? { expiration: { type: 'PX' as const, value: options.pxMs } } : {}),
  };
}

class SingleRedis implements RedisConnection {
  constructor(private readonly client: Client) {}

  get(key: string) {
    return this.client.get(key);
  }
  async getMany(keys: readonly string[]) {
    return keys.length === 0 ? [] : ((await this.client.mGet([...keys])) as (string | null)[]);
  }
  async set(key: string, value: string, options: { pxMs?: number; onlyIfAbsent?: boolean } = {}) {
    return (await this.client.set(key, value, setOptions(options))) === 'OK';
  }
  async setMany(entries: readonly (readonly [string, string])[], pxMs: number) {
    const multi = this.client.multi();
    for (const [key, value] of entries) multi.set(key, value, { expiration: { type: 'PX', value: pxMs } });
    await multi.exec();
  }
  async pExpire(key: string, ms: number) {
    await this.client.pExpire(key, ms);
  }
  async del(keys: readonly string[]) {
    return keys.length === 0 ? 0 : this.client.del([...keys]);
  }
  async deleteMatching(pattern: string) {
    for await (const batch of this.client.scanIterator({ MATCH: pattern, COUNT: 1000 })) if (batch.length > 0) await this.client.del(batch);
  }
  async deleteIfEquals(key: string, value: string) {
    return (await this.client.eval(DELETE_IF_EQUALS, { keys: [key], arguments: [value] })) === 1;
  }
  publish(channel: string, message: string) {
    return this.client.publish(channel, message);
  }
  async ping() {
    await this.client.ping();
  }
  async subscribe(channel: string, listener: (message: string) => void, onLost?: () => void) {
    const subscriber = await (this.subscriber ??= this.connectSubscriber());
    await subscriber.subscribe(channel, listener);
    const lost = () => onLost?.();
    subscriber.on('error', lost).on('reconnecting', lost);
    return async () => {
      subscriber.off('error', lost).off('reconnecting', lost);
      if (subscriber.isOpen) await subscriber.unsubscribe(channel, listener);
    };
  }
  async close() {
    const subscriber = await this.subscriber?.catch(() => undefined);
    if (subscriber?.isOpen) await subscriber.close();
    if (this.client.isOpen) await this.client.close();
  }

  /** A subscribed connection can run no other command: every channel shares one second connection. */
  private subscriber?: Promise<Client>;
  private async connectSubscriber(): Promise<Client> {
    const subscriber = this.client.duplicate();
    subscriber.on('error', () => {
      // The main connection already reports outages; reconnects resubscribe by themselves.
    });
    await subscriber.connect();
    return subscriber;
  }
}

class ClusterRedis implements RedisConnection {
  constructor(
    private readonly nodes: Cluster,
    private readonly onClose: () => void,
  ) {}

  get(key: string) {
    return this.nodes.get(key);
  }
  getMany(keys: readonly string[]) {
    return Promise.all(keys.map((key) => this.nodes.get(key)));
  }
  async set(key: string, value: string, options: { pxMs?: number; onlyIfAbsent?: boolean } = {}) {
    return (await this.nodes.set(key, value, setOptions(options))) === 'OK';
  }
  async setMany(entries: readonly (readonly [string, string])[], pxMs: number) {
    await Promise.all(entries.map(([key, value]) => this.nodes.set(key, value, { expiration: { type: 'PX', value: pxMs } })));
  }
  async pExpire(key: string, ms: number) {
    await this.nodes.pExpire(key, ms);
  }
  async del(keys: readonly string[]) {
    const counts = await Promise.all(keys.map((key) => this.nodes.del(key)));
    return counts.reduce((sum, n) => sum + n, 0);
  }
  async deleteMatching(pattern: string) {
    for (const master of this.nodes.masters) {
      const node = await this.nodes.nodeClient(master);
      for await (const batch of node.scanIterator({ MATCH: pattern, COUNT: 1000 })) {
        // Keys on one node may still sit in different slots: one DEL each.
        await Promise.all(batch.map((key) => node.del(key)));
      }
    }
  }
  async deleteIfEquals(key: string, value: string) {
    return (await this.nodes.eval(DELETE_IF_EQUALS, { keys: [key], arguments: [value] })) === 1;
  }
  publish(channel: string, message: string) {
    return this.nodes.sPublish(channel, message);
  }
  async ping() {
    await Promise.all(this.nodes.masters.map(async (master) => (await this.nodes.nodeClient(master)).ping()));
  }
  async subscribe(channel: string, listener: (message: string) => void, onLost?: () => void) {
    const onMessage = (message: string | Buffer) => listener(message.toString());
    // The cluster client keeps a subscriber connection per shard, and resubscribes when a slot moves.
    await this.nodes.sSubscribe(channel, onMessage);
    // Which node's connection carries the channel is the client's business: any node failing counts.
    const lost = () => onLost?.();
    this.nodes.on('node-error', lost).on('node-reconnecting', lost);
    return async () => {
      this.nodes.off('node-error', lost).off('node-reconnecting', lost);
      if (this.nodes.isOpen) await this.nodes.sUnsubscribe(channel, onMessage);
    };
  }
  async close() {
    this.onClose();
    if (this.nodes.isOpen) await this.nodes.close();
  }
}
