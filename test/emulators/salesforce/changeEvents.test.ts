/** Change Data Capture in the Salesforce emulator, streamed over Bayeux (CometD) long polling as the Streaming API does. */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTestOrg, VERSION, type TestOrg } from './helpers.js';

let org: TestOrg;

beforeAll(async () => {
  org = await startTestOrg();
});

afterAll(async () => {
  await org?.stop();
});

/** POSTs Bayeux messages to /cometd/NN.0. */
const bayeux = async (messages: object[], options: { token?: string; version?: string; suffix?: string } = {}) => {
  const res = await fetch(`${org.emulator.url}/cometd/${options.version ?? VERSION}${options.suffix ?? ''}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${options.token ?? org.token}`, 'content-type': 'application/json' },
    body: JSON.stringify(messages),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as any[], cookie: res.headers.get('set-cookie') };
};

/** A handshaken client subscribed to `channel` from `replayId` (-1: new events only). */
async function subscriber(channel = '/data/ChangeEvents', replayId: number | string = -1) {
  const { body } = await bayeux([{ channel: '/meta/handshake', version: '1.0', supportedConnectionTypes: ['long-polling'], ext: { replay: true } }]);
  const clientId = body[0].clientId as string;
  const subscribed = await bayeux([{ channel: '/meta/subscribe', clientId, subscription: channel, ext: { replay: { [channel]: replayId } } }]);
  return {
    clientId,
    subscribed: subscribed.body[0],
    /** One /meta/connect held at most `timeout` ms: the events delivered, then the connect reply. */
    connect: async (timeout = 0) => {
      const { body: replies } = await bayeux([{ channel: '/meta/connect', clientId, connectionType: 'long-polling', advice: { timeout } }]);
      return { events: replies.filter((m) => !m.channel.startsWith('/meta/')), reply: replies.find((m) => m.channel === '/meta/connect') };
    },
  };
}

const firstAccount = async () => (await org.query('SELECT Id FROM Account ORDER BY Id LIMIT 1')).body.records[0] as { Id: string };
const renameAccount = async (id: string, Name: string) =>
  expect((await org.api(`/sobjects/Account/${id}`, { method: 'PATCH', body: JSON.stringify({ Name }) })).status).toBe(204);

describe('Change Data Capture over the Streaming API', () => {
  it('handshakes as Salesforce does: a client id, long polling, the replay extension and a cookie', async () => {
    const { status, body, cookie } = await bayeux([{ channel: '/meta/handshake', id: '1', version: '1.0', supportedConnectionTypes: ['long-polling'] }]);
    expect(status).toBe(200);
    expect(body).toEqual([
      {
        channel: '/meta/handshake',
        id: '1',
        clientId: expect.any(String),
        version: '1.0',
        minimumVersion: '1.0',
        supportedConnectionTypes: ['long-polling'],
        successful: true,
        ext: { replay: true, 'payload.format': true },
      },
    ]);
    expect(cookie).toMatch(/^BAYEUX_BROWSER=/);
    // CometD clients that append the meta channel to the URL are answered the same way.
    const appended = await bayeux([{ channel: '/meta/handshake', version: '1.0', supportedConnectionTypes: ['long-polling'] }], { suffix: '/handshake' });
    expect(appended.body[0]).toMatchObject({ channel: '/meta/handshake', successful: true });
  });

  it('delivers an UPDATE with the real ChangeEventHeader shape and the changed values', async () => {
    const stream = await subscriber();
    expect(stream.subscribed).toMatchObject({ channel: '/meta/subscribe', subscription: '/data/ChangeEvents', successful: true });
    const account = await firstAccount();
    await renameAccount(account.Id, 'CDC Renamed');
    const { events, reply } = await stream.connect();
    expect(reply).toMatchObject({ successful: true, advice: { interval: 0, timeout: 110000, reconnect: 'retry' } });
    expect(events).toHaveLength(1);
    const [event] = events;
    expect(event.channel).toBe('/data/ChangeEvents');
    expect(event.data.event.replayId).toEqual(expect.any(Number));
    expect(event.data.payload.Name).toBe('CDC Renamed');
    expect(event.data.payload.ChangeEventHeader).toMatchObject({
      entityName: 'Account',
      recordIds: [account.Id],
      changeType: 'UPDATE',
      changedFields: expect.arrayContaining(['Name', 'LastModifiedDate']),
      changeOrigin: expect.stringMatching(/^com\/salesforce\/api\/rest\/\d+\.0/),
      commitTimestamp: expect.any(Number),
    });
    // Delivered once: the subscription moved past it.
    expect((await stream.connect()).events).toEqual([]);
  });

  it("names the writer's client from Sforce-Call-Options in changeOrigin, as the platform does", async () => {
    const stream = await subscriber();
    const account = await firstAccount();
    const patch = (headers: Record<string, string>) =>
      org.api(`/sobjects/Account/${account.Id}`, { method: 'PATCH', headers, body: JSON.stringify({ Description: 'origin' }) });
    await patch({ 'Sforce-Call-Options': 'client=SampleApp/1.0, defaultNamespace=battle' });
    await patch({});
    const origins = (await stream.connect()).events.map((e) => e.data.payload.ChangeEventHeader.changeOrigin);
    expect(origins).toEqual([`com/salesforce/api/rest/${VERSION};client=SampleApp/1.0`, `com/salesforce/api/rest/${VERSION}`]);
  });

  it("delivers CREATE with every field and DELETE with none; an object's channel carries only that object", async () => {
    const contacts = await subscriber('/data/ContactChangeEvent');
    const created = await org.api('/sobjects/Contact', { method: 'POST', body: JSON.stringify({ LastName: 'Capture' }) });
    expect(created.status).toBe(201);
    await renameAccount((await firstAccount()).Id, 'Not a contact');
    await org.api(`/sobjects/Contact/${created.body.id}`, { method: 'DELETE' });
    const { events } = await contacts.connect();
    const headers = events.map((e) => e.data.payload.ChangeEventHeader);
    expect(headers.map((h) => `${h.entityName} ${h.changeType}`)).toEqual(['Contact CREATE', 'Contact DELETE']);
    expect(events.every((e) => e.channel === '/data/ContactChangeEvent')).toBe(true);
    expect(events[0].data.payload.LastName).toBe('Capture');
    expect(headers[1]).toMatchObject({ recordIds: [created.body.id], changedFields: [] });
  });

  it('holds a connect open until the next change, and costs no API call', async () => {
    const stream = await subscriber();
    const before = (await org.api('/__emulator/calls')).body.total;
    const started = Date.now();
    const waiting = stream.connect(10_000);
    await new Promise((r) => setTimeout(r, 200));
    const account = await firstAccount();
    await renameAccount(account.Id, 'Woken up');
    const { events } = await waiting;
    expect(events.map((e) => e.data.payload.Name)).toEqual(['Woken up']);
    expect(Date.now() - started).toBeLessThan(5_000);
    // The query and the PATCH are the only API calls; streaming is not REST.
    expect((await org.api('/__emulator/calls')).body.total - before).toBe(2);
  });

  it('publishes events some time after the write when told to, as the platform publishes after the commit', async () => {
    const stream = await subscriber();
    org.emulator.changeEvents.publishDelayMs = 300;
    try {
      const account = await firstAccount();
      const wrote = performance.now();
      await renameAccount(account.Id, 'Published later');
      expect((await stream.connect(0)).events).toEqual([]);
      // "New events only" from before the publication still gets it.
      const late = await subscriber();
      expect((await stream.connect(5_000)).events.map((e) => e.data.payload.Name)).toEqual(['Published later']);
      expect(performance.now() - wrote).toBeGreaterThanOrEqual(290);
      expect((await late.connect(5_000)).events.map((e) => e.data.payload.Name)).toEqual(['Published later']);
    } finally {
      org.emulator.changeEvents.publishDelayMs = 0;
    }
  });

  it('answers an empty connect when its timeout ends with nothing to deliver', async () => {
    const stream = await subscriber();
    const { events, reply } = await stream.connect(150);
    expect(events).toEqual([]);
    expect(reply.successful).toBe(true);
  });

  it('replays from a replay id received earlier, and every retained event with -2', async () => {
    const live = await subscriber();
    const account = await firstAccount();
    await renameAccount(account.Id, 'Replay one');
    await renameAccount(account.Id, 'Replay two');
    const [first, second] = (await live.connect()).events;
    const names = async (stream: Awaited<ReturnType<typeof subscriber>>) => (await stream.connect()).events.map((e) => e.data.payload.Name);
    // A new client, from the first event's id: the events after it.
    expect(await names(await subscriber('/data/AccountChangeEvent', first.data.event.replayId))).toEqual(['Replay two']);
    // Replay ids travel as numbers or as strings, as CometD clients send them.
    expect(await names(await subscriber('/data/AccountChangeEvent', String(second.data.event.replayId)))).toEqual([]);
    expect(await names(await subscriber('/data/AccountChangeEvent', -2))).toEqual(expect.arrayContaining(['Replay one', 'Replay two']));
  });

  it("refuses a replay id that is not one of the stream's with Salesforce's message", async () => {
    for (const replayId of [1_000_000, 'abc', -3]) {
      const { subscribed } = await subscriber('/data/ChangeEvents', replayId);
      expect(subscribed).toMatchObject({
        successful: false,
        error: `400::The replayId {${replayId}} you provided was invalid.  Please provide a valid ID, -2 to replay all events, or -1 to replay only new events.`,
      });
    }
  });

  it('refuses a channel that does not exist, an unknown client, and a missing session', async () => {
    expect((await subscriber('/data/NoSuchObjectChangeEvent')).subscribed).toMatchObject({ successful: false, error: expect.stringMatching(/^400::/) });
    const unknown = await bayeux([{ channel: '/meta/connect', clientId: 'nobody', connectionType: 'long-polling' }]);
    expect(unknown.body[0]).toMatchObject({ successful: false, error: '403::Unknown client', advice: { reconnect: 'handshake' } });
    const denied = await bayeux([{ channel: '/meta/handshake', version: '1.0', supportedConnectionTypes: ['long-polling'] }], { token: 'not-a-token' });
    expect(denied.status).toBe(401);
    expect(denied.body[0]).toMatchObject({
      successful: false,
      error: '403::Handshake denied',
      ext: { sfdc: { failureReason: '401::Authentication invalid' } },
    });
    // Replay needs API version 37.0 or later.
    expect((await bayeux([{ channel: '/meta/handshake' }], { version: '36.0' })).status).toBe(404);
    expect((await bayeux(['not a message'] as never)).status).toBe(400);
  });

  it('forgets a client that has not connected for 40 seconds', async () => {
    const stream = await subscriber();
    const now = Date.now();
    const clock = vi.spyOn(Date, 'now').mockReturnValue(now + 41_000);
    try {
      const { reply } = await stream.connect();
      expect(reply).toMatchObject({ successful: false, error: '403::Unknown client', advice: { reconnect: 'handshake' } });
    } finally {
      clock.mockRestore();
    }
  });

  it('ends a disconnected client', async () => {
    const stream = await subscriber();
    expect((await bayeux([{ channel: '/meta/disconnect', clientId: stream.clientId }])).body[0]).toMatchObject({ successful: true });
    expect((await stream.connect()).reply).toMatchObject({ successful: false, error: '403::Unknown client' });
  });
});
