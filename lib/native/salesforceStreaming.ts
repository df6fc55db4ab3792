/**
 * Follows Salesforce Change Data Capture over the Streaming API, as a real org
 * serves it: Bayeux (CometD) long polling at `/cometd/NN.0`. Only the messages
 * a change-stream follower needs are spoken — handshake, subscribe to
 * `/data/ChangeEvents` with the replay extension, connect — so no
 * CometD library is needed, and the emulator serves the same protocol.
 *
 * A CometD subscription is a server-side cursor: the session made for one
 * replay position is kept and connected again as long as the caller keeps
 * asking from where the last answer left off; a caller asking from elsewhere
 * (another replica followed the stream meanwhile) gets a new subscription.
 * A subscription left behind is not disconnected: the servers forget a client
 * 40 s after its last connect. Closing the stream disconnects its client at once.
 */
import type http from 'node:http';
import { SalesforceError, SalesforceUnavailableError } from './salesforceErrors.js';

/**
 * The stream cannot continue from the position asked for: the replay id is no longer retained (or
 * belongs to another stream, e.g. a reset sandbox), or the subscription was lost before its first event
 * told its position. Changes in between are unknown, so whatever was derived from them is suspect.
 */
export class ChangeStreamGapError extends Error {
  override readonly name = 'ChangeStreamGapError';
}

export interface StreamingSession {
  accessToken: string;
  instanceUrl: string;
}

export interface StreamingAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface StreamingTransport {
  apiVersion: string;
  /** The logged-in session (logs in when there is none). */
  session(): Promise<StreamingSession>;
  /** Forgets a session Salesforce refused, so the next `session()` logs in again. */
  forgetSession(session: StreamingSession): Promise<void>;
  post(url: URL, headers: Record<string, string>, payload: string, timeoutMs: number): Promise<StreamingAnswer>;
  timeoutMs: number;
}

/** The `ChangeEventHeader` of a Salesforce Change Data Capture event. */
export interface ChangeEventHeader {
  entityName: string;
  recordIds: string[];
  changeType: 'CREATE' | 'UPDATE' | 'DELETE' | 'UNDELETE' | `GAP_${string}` | 'GAP_OVERFLOW';
  changedFields: string[];
  changeOrigin: string;
  commitTimestamp: number;
}

export interface ChangeEventBatch {
  events: { channel: string; data: { event: { replayId: number }; payload: { ChangeEventHeader: ChangeEventHeader } & Record<string, unknown> } }[];
  latestReplayId: number;
}

type Message = Record<string, unknown> & {
  channel: string;
  successful?: boolean;
  error?: string;
  advice?: { reconnect?: string; timeout?: unknown; interval?: unknown };
};

const CHANNEL = '/data/ChangeEvents';
/** The longest a shutdown waits to say goodbye to the streaming servers. */
const DISCONNECT_TIMEOUT_MS = 2_000;

export class ChangeStream {
  private subscription: { clientId: string; position: number } | null = null;
  /** Cookies the streaming servers set (Salesforce pins a client to one of them by cookie). */
  private readonly cookies = new Map<string, string>();
  private nextMessageId = 1;
  /** How long the servers say they hold a connect (their `advice.timeout`); Salesforce's is 110 s. */
  private serverHoldMs = 110_000;
  /**
   * The least time the servers want between the answer to one /meta/connect and the next (their
   * `advice.interval`). Salesforce advises 0, but Bayeux obliges a client to keep to it: a server
   * under load or in maintenance spaces its clients out with it.
   */
  private connectIntervalMs = 0;
  private lastConnectAnsweredAt = Number.NEGATIVE_INFINITY;
  /** Ends the wait for the interval early, when the stream is disconnected. */
  private wake: (() => void) | null = null;

  constructor(private readonly transport: StreamingTransport) {}

  /**
   * The change events after `replayId` (-1: from now on; -2: every retained event), waiting up to
   * `waitMs` for one. `latestReplayId` is where the next call continues from: the last event's id, or
   * `replayId` when nothing came.
   */
  async changeEvents(replayId: number, waitMs: number): Promise<ChangeEventBatch> {
    try {
      return await this.poll(replayId, waitMs);
    } catch (error) {
      if (!(error instanceof SalesforceError && error.status === 401)) throw error;
      // The session expired: log in again and subscribe again from the same position.
      return this.poll(replayId, waitMs);
    }
  }

  private async poll(replayId: number, waitMs: number): Promise<ChangeEventBatch> {
    if (this.subscription?.position !== replayId) await this.subscribe(replayId);
    const { clientId } = this.subscription!;
    const rest = this.lastConnectAnsweredAt + this.connectIntervalMs - performance.now();
    if (rest > 0) {
      await this.pause(rest);
      // Disconnected meanwhile: no connect may follow a /meta/disconnect.
      if (this.subscription?.clientId !== clientId) return { events: [], latestReplayId: replayId };
    }
    const replies = await this.exchange(
      [{ channel: '/meta/connect', clientId, connectionType: 'long-polling', advice: { timeout: waitMs } }],
      // `advice.timeout` asks the server to hold the connect at most `waitMs`; should it hold it as long
      // as it advised instead, a reply that late is still a reply, not a failure that could lose events.
      Math.max(waitMs, this.serverHoldMs) + this.transport.timeoutMs,
    );
    this.lastConnectAnsweredAt = performance.now();
    const connect = replies.find((m) => m.channel === '/meta/connect');
    this.heed(connect);
    const events = replies.filter((m) => !m.channel.startsWith('/meta/')) as unknown as ChangeEventBatch['events'];
    if (!connect?.successful) {
      this.lose(connect?.error ?? 'no /meta/connect reply');
      if (connect?.advice?.reconnect !== 'handshake') {
        throw new SalesforceUnavailableError(
          `Expected Salesforce to answer /meta/connect, but it answered ${JSON.stringify(connect ?? replies).slice(0, 300)}.`,
        );
      }
      // The servers forgot this client (40 s without a connect, or a restart): the next call subscribes
      // again from the same position, which loses nothing.
      return { events: [], latestReplayId: replayId };
    }
    const latestReplayId = events.at(-1)?.data.event.replayId ?? replayId;
    // Unless the stream was disconnected while the connect was held.
    if (this.subscription?.clientId === clientId) this.subscription.position = latestReplayId;
    return { events, latestReplayId };
  }

  /**
   * Tells the servers this client is done (`/meta/disconnect`), so a connect it holds returns and the
   * org's count of concurrent streaming clients drops now rather than 40 s later. Best effort: a client
   * the servers do not hear from is forgotten all the same.
   */
  async disconnect(): Promise<void> {
    const subscription = this.subscription;
    this.subscription = null;
    this.wake?.();
    if (!subscription) return;
    await this.exchange([{ channel: '/meta/disconnect', clientId: subscription.clientId }], Math.min(this.transport.timeoutMs, DISCONNECT_TIMEOUT_MS)).catch(
      () => undefined,
    );
  }

  /** Keeps the servers' advice on how long they hold a connect and how long to wait before the next. */
  private heed(reply: Message | undefined): void {
    const { timeout, interval } = reply?.advice ?? {};
    if (typeof timeout === 'number' && timeout >= 0) this.serverHoldMs = timeout;
    // A negative interval means "do not retry"; whether to give up is the reply's `reconnect` advice, handled by the caller.
    if (typeof interval === 'number') this.connectIntervalMs = Math.max(0, interval);
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake = null;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake = done;
    });
  }

  /**
   * Forgets the subscription. One made "from now on" that ends before its first event leaves a gap
   * that no replay id can close: what changed between it and the next one is unknown.
   */
  private lose(reason: string): void {
    const lost = this.subscription;
    this.subscription = null;
    if (lost?.position === -1) {
      throw new ChangeStreamGapError(
        `Salesforce ended the change stream subscription (${reason}) before it delivered an event, so the changes since it began are unknown.`,
      );
    }
  }

  private async subscribe(replayId: number): Promise<void> {
    this.subscription = null;
    const [handshake] = await this.exchange(
      [{ channel: '/meta/handshake', version: '1.0', minimumVersion: '1.0', supportedConnectionTypes: ['long-polling'], ext: { replay: true } }],
      this.transport.timeoutMs,
    );
    if (!handshake?.successful || typeof handshake.clientId !== 'string') {
      throw new SalesforceUnavailableError(`Expected Salesforce to accept a streaming handshake, but it answered ${JSON.stringify(handshake).slice(0, 300)}.`);
    }
    const clientId = handshake.clientId;
    this.heed(handshake);
    const [subscribed] = await this.exchange(
      [{ channel: '/meta/subscribe', clientId, subscription: CHANNEL, ext: { replay: { [CHANNEL]: replayId } } }],
      this.transport.timeoutMs,
    );
    if (!subscribed?.successful) {
      const error = subscribed?.error ?? JSON.stringify(subscribed);
      if (/^400::The replayId/.test(error)) throw new ChangeStreamGapError(`Salesforce cannot replay ${CHANNEL} from replay id ${replayId}: ${error}`);
      throw new SalesforceUnavailableError(`Expected Salesforce to subscribe to ${CHANNEL} from replay id ${replayId}, but it answered: ${error}.`);
    }
    this.subscription = { clientId, position: replayId };
  }

  /** POSTs Bayeux messages and returns the replies; a refused session is a SalesforceError(401). */
  private async exchange(messages: Record<string, unknown>[], timeoutMs: number): Promise<Message[]> {
    const session = await this.transport.session();
    const url = new URL(`/cometd/${this.transport.apiVersion}`, session.instanceUrl);
    const headers: Record<string, string> = {
      authorization: `Bearer ${session.accessToken}`,
      'content-type': 'application/json',
      accept: 'application/json',
    };
    if (this.cookies.size > 0) headers.cookie = [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    const payload = JSON.stringify(messages.map((m) => ({ ...m, id: String(this.nextMessageId++) })));
    const answer = await this.transport.post(url, headers, payload, timeoutMs);
    for (const cookie of answer.headers['set-cookie'] ?? []) {
      const [pair = ''] = cookie.split(';');
      const at = pair.indexOf('=');
      if (at > 0) this.cookies.set(pair.slice(0, at).trim(), pair.slice(at + 1).trim());
    }
    let replies: unknown;
    try {
      replies = JSON.parse(answer.body);
    } catch {
      replies = undefined;
    }
    const messagesOk = Array.isArray(replies) && replies.every((m) => m && typeof m === 'object' && typeof m.channel === 'string');
    // An expired session shows as HTTP 401, or as a message refused with a 401 reason (a connect held across the expiry).
    if (answer.status === 401 || (messagesOk && (replies as Message[]).some(refusedSession))) {
      await this.transport.forgetSession(session);
      this.lose('the session expired');
      throw new SalesforceError(401, 'INVALID_SESSION_ID', `Salesforce refused the session for streaming: ${answer.body.slice(0, 200)}`);
    }
    if (answer.status !== 200 || !messagesOk) {
      throw new SalesforceUnavailableError(
        `Expected Salesforce to answer ${url.pathname} with HTTP 200 and an array of Bayeux messages, but got HTTP ${answer.status}: ${answer.body.slice(0, 200)}.`,
      );
    }
    return replies as Message[];
  }
}

/** A Bayeux reply refused for the session: `401::Authentication invalid`, as the error or as Salesforce's failure reason. */
function refusedSession(message: Message): boolean {
  const reason = (message.ext as { sfdc?: { failureReason?: unknown } } | undefined)?.sfdc?.failureReason;
  return message.successful === false && (/^401::/.test(message.error ?? '') || (typeof reason === 'string' && reason.startsWith('401::')));
}
