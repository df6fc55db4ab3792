/**
 * Following Change Data Capture over Bayeux (lib/native/salesforceStreaming.ts) against the emulator's
 * Streaming API: one subscription kept while the caller continues from where it left off, a new one
 * from any other position, and the ways a stream breaks (forgotten client, expired session, lost replay).
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ChangeStream, ChangeStreamGapError, type StreamingSession, type StreamingTransport } from '../../../lib/native/salesforceStreaming.js';
import { CALL_OPTIONS_CLIENT, SalesforceClient } from '../../../lib/native/salesforceClient.js';
import { CREDENTIALS, requestToken, startTestOrg, VERSION, type TestOrg } from '../../emulators/salesforce/helpers.js';

let org: TestOrg;

beforeAll(async () => {
  org = await startTestOrg();
});

afterAll(async () => {
  await org?.stop();
});

/** A ChangeStream over fetch that records the Bayeux channels it sends, the cookies, and the logins. */
function recordedStream() {
  const sent: string[] = [];
  const cookies: (string | undefined)[] = [];
  const clientIds: string[] = [];
  let logins = 0;
  let session: StreamingSession | null = null;
  const stream = new ChangeStream({
    apiVersion: VERSION,
    timeoutMs: 5_000,
    async session() {
      if (!session) {
        logins++;
        session = { accessToken: (await requestToken(org.emulator.url)).body.access_token, instanceUrl: org.emulator.url };
      }
      return session;
    },
    async forgetSession(refused) {
      if (session === refused) session = null;
    },
    async post(url, headers, payload, timeoutMs) {
      sent.push(...(JSON.parse(payload) as { channel: string }[]).map((m) => m.channel));
      cookies.push(headers.cookie);
      const res = await fetch(url, { method: 'POST', headers, body: payload, signal: AbortSignal.timeout(timeoutMs) });
      const body = await res.text();
      for (const reply of (res.status === 200 ? JSON.parse(body) : []) as { channel: string; clientId?: string }[])
        if (reply.channel === '/meta/handshake' && reply.clientId) clientIds.push(reply.clientId);
      return { status: res.status, headers: { 'set-cookie': res.headers.getSetCookie() }, body };
    },
  });
  return { stream, sent, cookies, clientIds, logins: () => logins, currentToken: () => session?.accessToken };
}

/**
 * A ChangeStream whose servers follow a script: handshake, subscribe and disconnect succeed, `connect`
 * answers each /meta/connect (given the time the client waits for it). Records each message's channel
 * and bearer token.
 */
function scriptedStream(
  connect: (timeoutMs: number) => unknown[],
  login: Pick<StreamingTransport, 'session' | 'forgetSession'> = {
    session: async () => ({ accessToken: 'token', instanceUrl: 'http://salesforce.invalid' }),
    forgetSession: async () => {},
  },
) {
  const sent: { channel: string; token: string }[] = [];
  const stream = new ChangeStream({
    apiVersion: VERSION,
    timeoutMs: 1_000,
    ...login,
    async post(_url, headers, payload, timeoutMs) {
      const [message] = JSON.parse(payload) as { channel: string }[];
      sent.push({ channel: message!.channel, token: headers.authorization! });
      const reply = (body: unknown[]) => ({ status: 200, headers: {}, body: JSON.stringify(body) });
      if (message!.channel === '/meta/handshake') return reply([{ channel: '/meta/handshake', clientId: 'c1', successful: true }]);
      if (message!.channel === '/meta/subscribe') return reply([{ channel: '/meta/subscribe', successful: true }]);
      if (message!.channel === '/meta/disconnect') return reply([{ channel: '/meta/disconnect', successful: true }]);
      return reply(connect(timeoutMs));
    },
  });
  return { stream, sent };
}

const firstAccountId = async () => (await org.query('SELECT Id FROM Account ORDER BY Id LIMIT 1')).body.records[0].Id as string;
const rename = (id: string, Name: string) => org.api(`/sobjects/Account/${id}`, { method: 'PATCH', body: JSON.stringify({ Name }) });
const names = (batch: { events: { data: { payload: Record<string, unknown> } }[] }) => batch.events.map((e) => e.data.payload.Name);

describe('ChangeStream', () => {
  it('subscribes once and keeps connecting while the caller continues from the last answer', async () => {
    const { stream, sent, cookies } = recordedStream();
    const start = await stream.changeEvents(-1, 0);
    expect(start).toEqual({ events: [], latestReplayId: -1 });
    const id = await firstAccountId();
    await rename(id, 'Streamed once');
    const first = await stream.changeEvents(start.latestReplayId, 0);
    expect(names(first)).toEqual(['Streamed once']);
    expect(first.latestReplayId).toBe(first.events[0]!.data.event.replayId);
    await rename(id, 'Streamed twice');
    const second = await stream.changeEvents(first.latestReplayId, 5_000);
    expect(names(second)).toEqual(['Streamed twice']);
    expect(sent).toEqual(['/meta/handshake', '/meta/subscribe', '/meta/connect', '/meta/connect', '/meta/connect']);
    // The cookie the handshake set goes back with every later message.
    expect(cookies.slice(1).every((c) => /BAYEUX_BROWSER=/.test(c ?? ''))).toBe(true);
  });

  it('subscribes again from a position another replica reached', async () => {
    const here = recordedStream();
    const id = await firstAccountId();
    await here.stream.changeEvents(-1, 0);
    await rename(id, 'Seen here');
    const seen = await here.stream.changeEvents(-1, 0);
    await rename(id, 'Seen elsewhere');
    await rename(id, 'Not seen yet');
    // Another replica followed the stream from there, and got as far as "Seen elsewhere".
    const elsewhere = (await recordedStream().stream.changeEvents(seen.latestReplayId, 0)).events[0]!.data.event.replayId;
    expect(names(await here.stream.changeEvents(elsewhere, 0))).toEqual(['Not seen yet']);
    expect(here.sent.filter((c) => c === '/meta/handshake')).toHaveLength(2);
  });

  it('says a replay id the stream no longer has is a gap', async () => {
    const { stream } = recordedStream();
    await expect(stream.changeEvents(9_999_999, 0)).rejects.toThrow(ChangeStreamGapError);
    await expect(stream.changeEvents(9_999_999, 0)).rejects.toThrow(/cannot replay \/data\/ChangeEvents from replay id 9999999: 400::The replayId \{9999999\}/);
  });

  it('subscribes again from its position when Salesforce forgot the client, and calls a lost "from now on" a gap', async () => {
    const { stream, sent } = recordedStream();
    const id = await firstAccountId();
    const start = await stream.changeEvents(-1, 0);
    await rename(id, 'Before forgetting');
    const known = await stream.changeEvents(start.latestReplayId, 0);
    const clock = vi.spyOn(Date, 'now').mockReturnValue(Date.now() + 41_000);
    try {
      await rename(id, 'While forgotten');
      // The forgotten client's connect fails; nothing is lost, as the position is known.
      expect(await stream.changeEvents(known.latestReplayId, 0)).toEqual({ events: [], latestReplayId: known.latestReplayId });
      expect(names(await stream.changeEvents(known.latestReplayId, 0))).toEqual(['While forgotten']);
      expect(sent.filter((c) => c === '/meta/handshake')).toHaveLength(2);

      const fresh = recordedStream();
      await fresh.stream.changeEvents(-1, 0);
      clock.mockReturnValue(Date.now() + 82_000);
      await expect(fresh.stream.changeEvents(-1, 0)).rejects.toThrow(
        /ended the change stream subscription \(403::Unknown client\) before it delivered an event/,
      );
    } finally {
      clock.mockRestore();
    }
  });

  it('logs in again when the session expires, and subscribes again from the same position', async () => {
    const recorded = recordedStream();
    const id = await firstAccountId();
    const start = await recorded.stream.changeEvents(-1, 0);
    await rename(id, 'Before the session expired');
    const known = await recorded.stream.changeEvents(start.latestReplayId, 0);
    await rename(id, 'After a new login');
    await fetch(`${org.emulator.url}/services/oauth2/revoke`, { method: 'POST', body: new URLSearchParams({ token: recorded.currentToken()! }) });
    expect(names(await recorded.stream.changeEvents(known.latestReplayId, 0))).toEqual(['After a new login']);
    expect(recorded.logins()).toBe(2);
  });

  it('calls an expired session a gap while it has not delivered an event yet', async () => {
    const recorded = recordedStream();
    await recorded.stream.changeEvents(-1, 0);
    await fetch(`${org.emulator.url}/services/oauth2/revoke`, { method: 'POST', body: new URLSearchParams({ token: recorded.currentToken()! }) });
    await expect(recorded.stream.changeEvents(-1, 0)).rejects.toThrow(ChangeStreamGapError);
    // The caller then starts "from now on" again.
    expect(await recorded.stream.changeEvents(-1, 0)).toEqual({ events: [], latestReplayId: -1 });
  });
  it('logs in again when a held connect comes back refused for the session (401 in the message, HTTP 200)', async () => {
    const logins: string[] = [];
    const event = { channel: '/data/ChangeEvents', data: { event: { replayId: 8 }, payload: { ChangeEventHeader: { entityName: 'Account' } } } };
    const { stream, sent } = scriptedStream(
      () =>
        logins.length === 0
          ? [{ channel: '/meta/connect', successful: false, error: '401::Authentication invalid', advice: { reconnect: 'none' } }]
          : [event, { channel: '/meta/connect', successful: true }],
      {
        session: async () => ({ accessToken: `token-${logins.length}`, instanceUrl: 'http://salesforce.invalid' }),
        forgetSession: async (refused) => void logins.push(refused.accessToken),
      },
    );
    const batch = await stream.changeEvents(7, 0);
    expect(batch).toEqual({ events: [event], latestReplayId: 8 });
    expect(logins).toEqual(['token-0']);
    expect(sent.map((m) => `${m.channel} ${m.token}`)).toEqual([
      '/meta/handshake Bearer token-0',
      '/meta/subscribe Bearer token-0',
      '/meta/connect Bearer token-0',
      '/meta/handshake Bearer token-1',
      '/meta/subscribe Bearer token-1',
      '/meta/connect Bearer token-1',
    ]);
  });
  it('waits for a held connect as long as the servers say they may hold it, not only as long as it asked', async () => {
    const timeouts: number[] = [];
    const { stream } = scriptedStream((timeoutMs) => {
      timeouts.push(timeoutMs);
      return [{ channel: '/meta/connect', successful: true, advice: { interval: 0, timeout: 20_000, reconnect: 'retry' } }];
    });
    await stream.changeEvents(5, 10_000);
    await stream.changeEvents(5, 10_000);
    await stream.changeEvents(5, 30_000);
    // Salesforce's 110 s until the servers advise otherwise, then theirs (20 s), or the wait asked for when longer.
    expect(timeouts).toEqual([111_000, 21_000, 31_000]);
  });

  it("keeps the servers' advice.interval between one connect's answer and the next, and sends none once disconnected", async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    try {
      const { stream, sent } = scriptedStream(() => [
        { channel: '/meta/connect', successful: true, advice: { interval: 5_000, timeout: 110_000, reconnect: 'retry' } },
      ]);
      const connects = () => sent.filter((m) => m.channel === '/meta/connect').length;
      // The first connect follows the subscription at once; the interval counts from its answer.
      await stream.changeEvents(5, 0);
      expect(connects()).toBe(1);

      const second = stream.changeEvents(5, 0);
      await vi.advanceTimersByTimeAsync(4_999);
      expect(connects()).toBe(1);
      await vi.advanceTimersByTimeAsync(1);
      await second;
      expect(connects()).toBe(2);

      // Waiting out the interval when the stream is disconnected: it ends at once, without another connect.
      const third = stream.changeEvents(5, 0);
      await vi.advanceTimersByTimeAsync(1_000);
      await stream.disconnect();
      expect(await third).toEqual({ events: [], latestReplayId: 5 });
      expect(sent.slice(-2).map((m) => m.channel)).toEqual(['/meta/connect', '/meta/disconnect']);
      expect(connects()).toBe(2);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('SalesforceClient.changeEvents', () => {
  it('disconnects its client when closed, ending a connect it holds, so the servers forget it at once', async () => {
    const { stream, sent, clientIds, currentToken } = recordedStream();
    const start = await stream.changeEvents(-1, 0);
    const held = stream.changeEvents(start.latestReplayId, 60_000);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const started = Date.now();
    await stream.disconnect();
    await held;
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(sent.at(-1)).toBe('/meta/disconnect');
    // The servers no longer know the client: a connect in its name is refused.
    const answer = await fetch(`${org.emulator.url}/cometd/${VERSION}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${currentToken()}`, 'content-type': 'application/json' },
      body: JSON.stringify([{ channel: '/meta/connect', clientId: clientIds[0], connectionType: 'long-polling' }]),
    });
    expect((await answer.json())[0]).toMatchObject({ successful: false, error: '403::Unknown client' });
    // Disconnecting again, or without a subscription, sends nothing.
    await stream.disconnect();
    expect(sent.filter((channel) => channel === '/meta/disconnect')).toHaveLength(1);
  });

  it('streams change events over /cometd with its own login, and names itself in the origin of its writes', async () => {
    const client = new SalesforceClient({
      loginUrl: org.emulator.url,
      apiVersion: VERSION,
      clientId: CREDENTIALS.client_id,
      clientSecret: CREDENTIALS.client_secret,
      username: CREDENTIALS.username,
      password: CREDENTIALS.password,
    });
    try {
      const start = await client.changeEvents(-1, 0);
      await client.update('Account', await firstAccountId(), { Name: 'Through the client' });
      const batch = await client.changeEvents(start.latestReplayId, 5_000);
      expect(names(batch)).toEqual(['Through the client']);
      // Its own writes are recognisable by the client name it gives in Sforce-Call-Options.
      expect(batch.events[0]!.data.payload.ChangeEventHeader.changeOrigin).toBe(`com/salesforce/api/rest/${VERSION};client=${CALL_OPTIONS_CLIENT}`);
    } finally {
      await client.close();
    }
  });
});
