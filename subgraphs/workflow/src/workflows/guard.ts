/**
 * Keeps one workflow run per idempotency key at a time, and remembers what the
 * completed runs answered.
 *
 * Two layers:
 * 1. In-process: callers with the same key wait for the run in flight and get
 *    ITS result (fifty identical concurrent requests make one run, not fifty
 *    queued ones). Different keys run in parallel.
 * 2. Cross-process (only when Redis is configured): `SET key token NX PX ttl`
 *    before the run, released by compare-and-delete, so two replicas never run
 *    the same key together. Without Redis, two replicas can both pass their
 *    in-process guard; the ERP search by the key inside the run then still
 *    catches every duplicate except two creates racing within one round trip —
 *    the documented single-replica limitation.
 *
 * Completed results are memoised for `resultTtlMs`, so a client retrying after
 * a timeout gets the first answer back (marked as a replay). Failed or partial
 * results are not memoised: a retry must go on to finish the work.
 */
import { randomUUID } from 'node:crypto';
import type { RedisConnection } from '../../../../lib/cache/redisConnection.js';

/** The cross-process lock could not be taken (Redis down, or another process held the key too long): nothing was run. */
export class LockUnavailableError extends Error {
  override readonly name = 'LockUnavailableError';
}

export interface CrossProcessLock {
  /** Resolves to a release function once this process holds the key; rejects after waiting `waitMs`. */
  acquire(key: string, ttlMs: number, waitMs: number): Promise<() => Promise<void>>;
}

export class WorkflowGuard<R> {
  private readonly inFlight = new Map<string, Promise<R>>();
  private readonly done = new Map<string, { result: R; until: number }>();

  constructor(
    private readonly options: {
      /** Which results may be replayed verbatim to a retry. */
      isFinal: (result: R) => boolean;
      resultTtlMs: number;
      lockTtlMs: number;
      crossProcess?: CrossProcessLock;
      /** Most results remembered; the oldest go first. Defaults to 10 000. */
      maxRemembered?: number;
    },
  ) {}

  /**
   * Runs `work` for `key` unless a run is in flight (then shares it) or a final
   * result is remembered (then returns it through `replay`).
   */
  run(key: string, work: () => Promise<R>, replay: (first: R) => R): Promise<R> {
    const remembered = this.done.get(key);
    if (remembered && remembered.until > Date.now()) return Promise.resolve(replay(remembered.result));
    const running = this.inFlight.get(key);
    if (running) return running;
    const attempt = this.locked(key, work).then((result) => {
      if (this.options.isFinal(result) && this.options.resultTtlMs > 0) this.remember(key, result);
      return result;
    });
    this.inFlight.set(key, attempt);
    const clear = () => {
      if (this.inFlight.get(key) === attempt) this.inFlight.delete(key);
    };
    attempt.then(clear, clear);
    return attempt;
  }

  /** Serialises `work` with every other holder of `key` in this process (and across processes when configured), without sharing results. */
  async exclusive<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.chains.get(key) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((resolve) => (release = resolve));
    const chain = previous.then(() => mine);
    this.chains.set(key, chain);
    await previous;
    try {
      return await this.locked(key, work);
    } finally {
      release();
      if (this.chains.get(key) === chain) this.chains.delete(key);
    }
  }

  private readonly chains = new Map<string, Promise<void>>();

  private async locked<T>(key: string, work: () => Promise<T>): Promise<T> {
    const lock = this.options.crossProcess;
    if (!lock) return work();
    let release: () => Promise<void>;
    try {
      release = await lock.acquire(key, this.options.lockTtlMs, this.options.lockTtlMs);
    } catch (error) {
      // Fail closed: running without the lock could write twice.
      throw error instanceof LockUnavailableError
        ? error
        : new LockUnavailableError(
            `Expected to take the cross-process lock for "${key}" in Redis, but it failed: ${error instanceof Error ? error.message : String(error)}. Nothing was written; try again.`,
            { cause: error },
          );
    }
    try {
      return await work();
    } finally {
      await release().catch(() => {
        // The lock expires by itself after its TTL; a failed release only delays the next holder.
      });
    }
  }

  private remember(key: string, result: R): void {
    this.done.delete(key);
    this.done.set(key, { result, until: Date.now() + this.options.resultTtlMs });
    const max = this.options.maxRemembered ?? 10_000;
    while (this.done.size > max) this.done.delete(this.done.keys().next().value as string);
  }
}

/** A Redis lock (`SET NX PX`, compare-and-delete release) on one Redis or a Redis Cluster (the key decides the node). */
export function createRedisLock(redis: RedisConnection, prefix = 'workflow:lock:'): CrossProcessLock {
  return {
    async acquire(key, ttlMs, waitMs) {
      const token = randomUUID();
      const deadline = Date.now() + waitMs;
      for (let delay = 20; ; delay = Math.min(delay * 2, 500)) {
        if (await redis.set(prefix + key, token, { onlyIfAbsent: true, pxMs: ttlMs })) {
          return async () => {
            await redis.deleteIfEquals(prefix + key, token);
          };
        }
        if (Date.now() + delay > deadline) {
          throw new LockUnavailableError(
            `Expected to take the workflow lock "${key}" within ${waitMs} ms, but another process still holds it. Nothing was written; try again.`,
          );
        }
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    },
  };
}
