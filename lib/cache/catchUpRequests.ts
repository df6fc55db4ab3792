/**
 * Read-your-writes for writes made through the graph. Cached records learn of
 * a native change from the subgraph that follows that system's changes: the
 * ERP subgraph's `write_date` poll (every ERP_CHANGE_POLL_MS) and the CRM
 * subgraph's Change Data Capture stream (whose events Salesforce publishes
 * some time after the commit). A component that has just written (the
 * workflow subgraph) asks that follower to catch up with its write and waits
 * until it has published the invalidations; the replica holding the
 * follower's lease answers. The request travels over Redis pub/sub when there
 * is Redis, else within the process (`npm start` runs every subgraph in one),
 * so neither subgraph imports the other.
 */
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';

/** Channels between components: publish reports how many listeners heard it. A RedisConnection is one. */
export interface Signals {
  publish(channel: string, message: string): Promise<number>;
  subscribe(channel: string, listener: (message: string) => void): Promise<() => Promise<void>>;
}

const local = new EventEmitter().setMaxListeners(0);

/** Signals between the components of this process. */
export const processSignals: Signals = {
  async publish(channel, message) {
    const heard = local.listenerCount(channel);
    local.emit(channel, message);
    return heard;
  },
  async subscribe(channel, listener) {
    local.on(channel, listener);
    return async () => void local.off(channel, listener);
  },
};

/** Whose changes: the ERP's (polled) or the CRM's (streamed). */
export type ChangeFollower = 'erp' | 'crm';

const channels = (prefix: string, follower: ChangeFollower) => ({
  request: `${prefix}:${follower}-catch-up:request`,
  done: `${prefix}:${follower}-catch-up:done`,
});

/**
 * The follower's side. `catchUp(write)` resolves true once the invalidations for the write are
 * published, false when this replica does not hold the follower's lease (another one answers).
 * `write` names it the way that follower can recognise it (the CRM's: the client name its calls gave
 * Salesforce); the ERP's poll needs no name.
 */
export function answerCatchUpRequests(
  signals: Signals,
  prefix: string,
  follower: ChangeFollower,
  catchUp: (write: string) => Promise<boolean>,
): Promise<() => Promise<void>> {
  const { request, done } = channels(prefix, follower);
  return signals.subscribe(request, (message) => {
    const { id, write } = JSON.parse(message) as { id: string; write: string };
    void catchUp(write)
      .then((caughtUp) => (caughtUp ? signals.publish(done, id) : null))
      // The requester stops waiting at its deadline and says so; a failing follower is its own loop's to report.
      .catch(() => undefined);
  });
}

export type CatchUpOutcome = 'caught-up' | 'no-follower' | 'timeout';

/** The writer's side: asks a follower to catch up with a write and waits for it, at most `timeoutMs`. */
export interface CatchUpRequester {
  catchUp(write: string, timeoutMs: number): Promise<CatchUpOutcome>;
  close(): Promise<void>;
}

export async function startCatchUpRequester(signals: Signals, prefix: string, follower: ChangeFollower): Promise<CatchUpRequester> {
  const { request, done } = channels(prefix, follower);
  const waiting = new Map<string, () => void>();
  const stop = await signals.subscribe(done, (id) => waiting.get(id)?.());
  return {
    async catchUp(write, timeoutMs) {
      const id = randomUUID();
      let timer: NodeJS.Timeout | undefined;
      const answered = new Promise<CatchUpOutcome>((resolve) => {
        waiting.set(id, () => resolve('caught-up'));
        timer = setTimeout(() => resolve('timeout'), timeoutMs);
      });
      try {
        // Nobody listening (that subgraph's cache off, or in another process without Redis): nothing is cached to refresh.
        if ((await signals.publish(request, JSON.stringify({ id, write }))) === 0) return 'no-follower';
        return await answered;
      } finally {
        clearTimeout(timer);
        waiting.delete(id);
      }
    },
    close: stop,
  };
}
