/**
 * Change Data Capture, emulated. Every create, update and delete made through
 * the REST API appends a change event with the real `ChangeEventHeader` shape
 * (entityName, recordIds, changeType, changedFields, changeOrigin,
 * commitTimestamp, …) on the object's channel, e.g. `/data/AccountChangeEvent`.
 *
 * Real Salesforce delivers these over CometD (`/cometd/NN.0`) or the Pub/Sub
 * API (gRPC). The emulator serves the same events on one long-poll endpoint
 * instead, which needs no Bayeux or gRPC client:
 *
 *   GET /cometd-lite/events?replayId=<n>&waitMs=<ms>     (Authorization: Bearer <token>)
 *     -> { events: [{ channel, data: { schema, event: { replayId }, payload: { ChangeEventHeader, ...fields } } }],
 *          latestReplayId }
 *
 * `replayId=-1` means "only new events" (answers at once with the tip, like a
 * CometD subscription with replay -1), `-2` every retained event, any other
 * number the events after it. With nothing new the request waits up to
 * `waitMs` (default 20000, at most 60000) for the next event. Streaming is not
 * a REST call: it is neither counted in /__emulator/calls nor delayed by the
 * injected latency, and it does not use the daily API allocation — as on the
 * platform, where event delivery has its own allocation.
 */

export type ChangeType = 'CREATE' | 'UPDATE' | 'DELETE' | 'UNDELETE';

export interface ChangeEventHeader {
  entityName: string;
  recordIds: string[];
  changeType: ChangeType;
  changedFields: string[];
  /** `com/salesforce/api/rest/60.0;client=<client id>` for REST writes; subscribers use it to ignore their own writes. */
  changeOrigin: string;
  transactionKey: string;
  sequenceNumber: number;
  /** Milliseconds since the epoch. */
  commitTimestamp: number;
  commitNumber: number;
  commitUser: string;
}

export interface ChangeEventMessage {
  channel: string;
  data: {
    schema: string;
    event: { replayId: number };
    payload: { ChangeEventHeader: ChangeEventHeader } & Record<string, unknown>;
  };
}

export interface RecordChange {
  entityName: string;
  recordId: string;
  changeType: ChangeType;
  /** Field values the event carries: every field on CREATE, the changed ones on UPDATE, none on DELETE. */
  fields: Record<string, unknown>;
  userId: string;
  origin: string;
  at: Date;
}

const RETAINED = 10_000;

export class ChangeEventLog {
  private readonly events: ChangeEventMessage[] = [];
  private nextReplayId = 1;
  private commitNumber = 1;
  private readonly waiters = new Set<() => void>();

  append(change: RecordChange): void {
    const replayId = this.nextReplayId++;
    const header: ChangeEventHeader = {
      entityName: change.entityName,
      recordIds: [change.recordId],
      changeType: change.changeType,
      changedFields: change.changeType === 'UPDATE' ? Object.keys(change.fields) : [],
      changeOrigin: change.origin,
      transactionKey: `emu-${replayId.toString(16).padStart(8, '0')}`,
      sequenceNumber: 1,
      commitTimestamp: change.at.getTime(),
      commitNumber: this.commitNumber++,
      commitUser: change.userId,
    };
    this.events.push({
      channel: `/data/${change.entityName}ChangeEvent`,
      data: { schema: `emu-${change.entityName}ChangeEvent`, event: { replayId }, payload: { ChangeEventHeader: header, ...change.fields } },
    });
    if (this.events.length > RETAINED) this.events.splice(0, this.events.length - RETAINED);
    for (const wake of [...this.waiters]) wake();
  }

  get latestReplayId(): number {
    return this.nextReplayId - 1;
  }

  /** Events after `replayId` (see the file comment for -1 and -2), waiting up to `waitMs` when there are none. */
  async after(replayId: number, waitMs: number, signal?: AbortSignal): Promise<ChangeEventMessage[]> {
    if (replayId === -1) return [];
    const from = replayId === -2 ? 0 : replayId;
    const pending = () => this.events.filter((e) => e.data.event.replayId > from);
    const now = pending();
    if (now.length > 0 || waitMs <= 0) return now;
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(done);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, waitMs);
      this.waiters.add(done);
      signal?.addEventListener('abort', done);
    });
    return pending();
  }

  /** Wakes every waiting poll (the server is closing). */
  wakeAll(): void {
    for (const wake of [...this.waiters]) wake();
  }
}
