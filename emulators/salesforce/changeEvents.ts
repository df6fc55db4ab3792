/**
 * Change Data Capture, emulated. Every create, update and delete made through
 * the REST API appends a change event with the real `ChangeEventHeader` shape
 * (entityName, recordIds, changeType, changedFields, changeOrigin,
 * commitTimestamp, …) on the object's channel, e.g. `/data/AccountChangeEvent`
 * (`/data/Thing__ChangeEvent` for a custom object `Thing__c`).
 *
 * Subscribers follow them as on the platform, over the Streaming API: Bayeux
 * (CometD) long polling at `POST /cometd/NN.0` (37.0 and later, which replay).
 * A client handshakes, subscribes to `/data/ChangeEvents` (every object) or one
 * object's channel with a replay id in the replay extension, and connects: each
 * `/meta/connect` is held until events arrive or its timeout ends. See
 * `StreamingEndpoint` below for the messages and the errors, which are
 * Salesforce's (`403::Unknown client`, the invalid replay id message, …).
 *
 * Streaming is not a REST call: it is neither counted in /__emulator/calls nor
 * delayed by the injected latency, and it does not use the daily API
 * allocation, as on the platform, where event delivery has its own allocation.
 */

import { randomBytes } from 'node:crypto';

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
  /**
   * How long after its commit an event reaches subscribers. The platform publishes change events
   * asynchronously, after the transaction commits, so a subscriber hears of a write some time after
   * the writer has its answer. 0 (the default) delivers at once.
   */
  publishDelayMs = 0;
  private readonly events: (ChangeEventMessage & { publishedAt: number })[] = [];
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
      channel: channelOf(change.entityName),
      data: { schema: `emu-${change.entityName}ChangeEvent`, event: { replayId }, payload: { ChangeEventHeader: header, ...change.fields } },
      // On the monotonic clock: a publication time must not move with the wall clock.
      publishedAt: performance.now() + this.publishDelayMs,
    });
    if (this.events.length > RETAINED) this.events.splice(0, this.events.length - RETAINED);
    const wakeAll = () => {
      for (const wake of [...this.waiters]) wake();
    };
    if (this.publishDelayMs > 0) setTimeout(wakeAll, this.publishDelayMs).unref();
    else wakeAll();
  }

  get latestReplayId(): number {
    return this.nextReplayId - 1;
  }

  /** The replay id of the last event published (see publishDelayMs): where "new events only" starts. */
  get latestPublishedReplayId(): number {
    const now = performance.now();
    const unpublished = this.events.find((e) => e.publishedAt > now);
    // This log numbers its events one after another.
    return unpublished ? unpublished.data.event.replayId - 1 : this.latestReplayId;
  }

  /** The replay id of the oldest event still retained; the next one to come when none is. */
  get oldestReplayId(): number {
    return this.events[0]?.data.event.replayId ?? this.nextReplayId;
  }

  /** Published events after `replayId`, oldest first (one not yet published holds back those after it). */
  after(replayId: number): ChangeEventMessage[] {
    const now = performance.now();
    const out: ChangeEventMessage[] = [];
    for (const { publishedAt, ...event } of this.events) {
      if (event.data.event.replayId <= replayId) continue;
      if (publishedAt > now) break;
      out.push(event);
    }
    return out;
  }

  /** Resolves at the next append, after `waitMs`, or when any of `signals` aborts, whichever comes first. */
  nextAppend(waitMs: number, ...signals: AbortSignal[]): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(done);
        for (const signal of signals) signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, waitMs);
      this.waiters.add(done);
      for (const signal of signals) signal.addEventListener('abort', done);
    });
  }

  /** Wakes every waiting poll (the server is closing). */
  wakeAll(): void {
    for (const wake of [...this.waiters]) wake();
  }
}

/** An object's change event channel: `/data/AccountChangeEvent`, `/data/Thing__ChangeEvent` for `Thing__c`. */
export function channelOf(entityName: string): string {
  return `/data/${entityName.endsWith('__c') ? entityName.slice(0, -1) : entityName}ChangeEvent`;
}

/** The channel carrying every object's change events. */
export const ALL_CHANGE_EVENTS = '/data/ChangeEvents';

/** How long the platform holds a `/meta/connect` with nothing to deliver, and advises clients to expect. */
const CONNECT_TIMEOUT_MS = 110_000;
/** A client that has not connected for this long is forgotten: its next message gets `403::Unknown client`. */
const RECONNECT_TIMEOUT_MS = 40_000;

interface StreamingClient {
  userId: string;
  /** Each subscribed channel and the replay id of the last event delivered (or skipped) on it. */
  subscriptions: Map<string, number>;
  lastSeen: number;
  connecting: number;
  /** Aborted on /meta/disconnect, so a connect it holds is answered at once. */
  gone: AbortController;
}

type Message = Record<string, unknown>;

export interface StreamingAnswer {
  status: number;
  body: Message[];
  headers: Record<string, string>;
}

/**
 * The Streaming API's Bayeux endpoint over long polling, for change events:
 *
 *   /meta/handshake    -> clientId, `supportedConnectionTypes: ['long-polling']`, `ext: { replay: true }`
 *   /meta/subscribe    `subscription` and `ext.replay[subscription]`: -1 new events only (the default),
 *                      -2 every retained event, or a replay id received earlier: the events after it.
 *                      Anything else is `400::The replayId … you provided was invalid …`.
 *   /meta/connect      the events since the last connect on every subscription, each `{ channel, data }`,
 *                      then the connect reply with `advice { interval: 0, timeout: 110000, reconnect: 'retry' }`.
 *                      Held while there is nothing to deliver, for the client's `advice.timeout` (ms) if it
 *                      sent one, else 110 s.
 *   /meta/unsubscribe, /meta/disconnect
 *
 * An unknown or forgotten clientId (40 s without a connect) gets `403::Unknown client` with
 * `advice.reconnect: 'handshake'`; a missing or expired session an HTTP 401.
 */
export class StreamingEndpoint {
  private readonly clients = new Map<string, StreamingClient>();

  constructor(
    private readonly log: ChangeEventLog,
    /** Whether an object of this name exists, for `/data/<Object>ChangeEvent` subscriptions. */
    private readonly objectExists: (name: string) => boolean,
  ) {}

  async handle(body: unknown, userId: string | undefined, signal: AbortSignal): Promise<StreamingAnswer> {
    const messages = Array.isArray(body) ? body : [body];
    if (messages.length === 0 || !messages.every((m): m is Message => m !== null && typeof m === 'object' && typeof (m as Message).channel === 'string')) {
      return {
        status: 400,
        headers: {},
        body: [
          {
            successful: false,
            error: `400::Expected a Bayeux message or an array of them, each with a channel, but got ${JSON.stringify(body)?.slice(0, 200)}`,
          },
        ],
      };
    }
    if (!userId) {
      const body = messages.map((m) => ({
        ...reply(m),
        successful: false,
        error: m.channel === '/meta/handshake' ? '403::Handshake denied' : '401::Authentication invalid',
        ext: { sfdc: { failureReason: '401::Authentication invalid' }, replay: true, 'payload.format': true },
        advice: { reconnect: 'none' },
      }));
      return { status: 401, headers: {}, body };
    }
    this.forgetIdle();
    const out: Message[] = [];
    const headers: Record<string, string> = {};
    for (const message of messages) {
      if (message.channel === '/meta/handshake') {
        const clientId = randomBytes(13).toString('base64url').toLowerCase();
        this.clients.set(clientId, { userId, subscriptions: new Map(), lastSeen: Date.now(), connecting: 0, gone: new AbortController() });
        headers['set-cookie'] = `BAYEUX_BROWSER=${randomBytes(9).toString('base64url')}; Path=/; HttpOnly`;
        out.push({
          ...reply(message),
          clientId,
          version: '1.0',
          minimumVersion: '1.0',
          supportedConnectionTypes: ['long-polling'],
          successful: true,
          ext: { replay: true, 'payload.format': true },
        });
        continue;
      }
      const clientId = typeof message.clientId === 'string' ? message.clientId : '';
      const client = this.clients.get(clientId);
      if (!client || client.userId !== userId) {
        out.push({ ...reply(message), clientId, successful: false, error: '403::Unknown client', advice: { interval: 0, reconnect: 'handshake' } });
        continue;
      }
      client.lastSeen = Date.now();
      switch (message.channel) {
        case '/meta/subscribe':
          out.push(this.subscribe(client, clientId, message));
          break;
        case '/meta/unsubscribe':
          client.subscriptions.delete(String(message.subscription));
          out.push({ ...reply(message), clientId, subscription: message.subscription, successful: true });
          break;
        case '/meta/connect':
          out.push(...(await this.connect(client, clientId, message, signal)));
          break;
        case '/meta/disconnect':
          this.clients.delete(clientId);
          client.gone.abort();
          out.push({ ...reply(message), clientId, successful: true });
          break;
        default:
          out.push({ ...reply(message), clientId, successful: false, error: `400::Unknown channel ${String(message.channel)}` });
      }
    }
    return { status: 200, headers, body: out };
  }

  private subscribe(client: StreamingClient, clientId: string, message: Message): Message {
    const channel = message.subscription;
    const base = { ...reply(message), clientId, subscription: channel };
    if (typeof channel !== 'string' || !this.isChangeChannel(channel)) {
      return { ...base, successful: false, error: `400::The channel you requested to subscribe to does not exist {${String(channel)}}` };
    }
    const requested = (message.ext as { replay?: Record<string, unknown> } | undefined)?.replay?.[channel] ?? -1;
    const replayId = typeof requested === 'string' && /^-?\d+$/.test(requested) ? Number(requested) : requested;
    let from: number | undefined;
    if (replayId === -1) from = this.log.latestPublishedReplayId;
    else if (replayId === -2) from = this.log.oldestReplayId - 1;
    // A replay id received earlier: still retained (or the one just before the oldest retained), and not in the future.
    else if (Number.isInteger(replayId) && (replayId as number) >= this.log.oldestReplayId - 1 && (replayId as number) <= this.log.latestReplayId)
      from = replayId as number;
    if (from === undefined) {
      return {
        ...base,
        successful: false,
        error: `400::The replayId {${String(requested)}} you provided was invalid.  Please provide a valid ID, -2 to replay all events, or -1 to replay only new events.`,
      };
    }
    client.subscriptions.set(channel, from);
    return { ...base, successful: true };
  }

  private async connect(client: StreamingClient, clientId: string, message: Message, signal: AbortSignal): Promise<Message[]> {
    const asked = (message.advice as { timeout?: unknown } | undefined)?.timeout;
    const waitMs = typeof asked === 'number' && asked >= 0 ? Math.min(asked, CONNECT_TIMEOUT_MS) : CONNECT_TIMEOUT_MS;
    const deadline = Date.now() + waitMs;
    client.connecting++;
    try {
      let events = this.deliver(client);
      while (events.length === 0 && Date.now() < deadline && !signal.aborted && this.clients.has(clientId)) {
        await this.log.nextAppend(deadline - Date.now(), signal, client.gone.signal);
        events = this.deliver(client);
      }
      client.lastSeen = Date.now();
      return [...events, { ...reply(message), clientId, successful: true, advice: { interval: 0, timeout: CONNECT_TIMEOUT_MS, reconnect: 'retry' } }];
    } finally {
      client.connecting--;
    }
  }

  /** The events each subscription has not had yet, in replay order; moves each subscription past them. */
  private deliver(client: StreamingClient): Message[] {
    const out: { replayId: number; message: Message }[] = [];
    for (const [channel, from] of client.subscriptions) {
      const published = this.log.after(from);
      for (const e of published)
        if (channel === ALL_CHANGE_EVENTS || e.channel === channel) out.push({ replayId: e.data.event.replayId, message: { channel, data: e.data } });
      client.subscriptions.set(channel, published.at(-1)?.data.event.replayId ?? from);
    }
    return out.sort((a, b) => a.replayId - b.replayId).map((e) => e.message);
  }

  private isChangeChannel(channel: string): boolean {
    if (channel === ALL_CHANGE_EVENTS) return true;
    const name = /^\/data\/([A-Za-z][A-Za-z0-9_]*?)ChangeEvent$/.exec(channel)?.[1];
    return name !== undefined && this.objectExists(name.endsWith('__') ? `${name}c` : name);
  }

  private forgetIdle(): void {
    const now = Date.now();
    for (const [id, client] of this.clients) if (client.connecting === 0 && now - client.lastSeen > RECONNECT_TIMEOUT_MS) this.clients.delete(id);
  }
}

/** The fields every Bayeux reply repeats from its message. */
function reply(message: Message): Message {
  return message.id === undefined ? { channel: message.channel } : { channel: message.channel, id: message.id };
}
