/**
 * Read-your-writes for writes made through the graph. The ERP has no change
 * stream, so cached ERP records change only when the ERP subgraph's
 * `write_date` poll sees the write (every ERP_CHANGE_POLL_MS). A component that
 * has just written to the ERP (the workflow subgraph) asks for a poll now and
 * waits until it has published its invalidations; the replica holding the poll
 * lease answers. The request travels over Redis pub/sub when there is Redis,
 * else within the process (`npm start` runs every subgraph in one), so neither
 * subgraph imports the other.
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

const channels = (prefix: string) => ({ request: `${prefix}:erp-poll:request`, done: `${prefix}:erp-poll:done` });

/** The poller's side: `poll` runs a poll that starts after the request arrived; false when this replica does not hold the lease. */
export function answerErpPollRequests(signals: Signals, prefix: string, poll: () => Promise<boolean>): Promise<() => Promise<void>> {
  const { request, done } = channels(prefix);
  return signals.subscribe(request, (id) => {
    void poll()
      .then((polled) => (polled ? signals.publish(done, id) : null))
      // The requester stops waiting at its deadline and says so; a failing poll is also the interval's to report.
      .catch(() => undefined);
  });
}

export type ErpPollOutcome = 'polled' | 'no-poller' | 'timeout';

/** The writer's side: asks for a poll and waits for it, at most `timeoutMs`. */
export interface ErpPollRequester {
  pollAndWait(timeoutMs: number): Promise<ErpPollOutcome>;
  close(): Promise<void>;
}

export async function startErpPollRequester(signals: Signals, prefix: string): Promise<ErpPollRequester> {
  const { request, done } = channels(prefix);
  const waiting = new Map<string, () => void>();
  const stop = await signals.subscribe(done, (id) => waiting.get(id)?.());
  return {
    async pollAndWait(timeoutMs) {
      const id = randomUUID();
      let timer: NodeJS.Timeout | undefined;
      const answered = new Promise<ErpPollOutcome>((resolve) => {
        waiting.set(id, () => resolve('polled'));
        timer = setTimeout(() => resolve('timeout'), timeoutMs);
      });
      try {
        // Nobody listening (no ERP cache, or it is in another process without Redis): nothing is cached to refresh.
        if ((await signals.publish(request, id)) === 0) return 'no-poller';
        return await answered;
      } finally {
        clearTimeout(timer);
        waiting.delete(id);
      }
    },
    close: stop,
  };
}
