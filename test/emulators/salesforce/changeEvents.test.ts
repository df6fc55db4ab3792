/** Change Data Capture in the Salesforce emulator: the event shape, replay, and the long poll. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestOrg, type TestOrg } from './helpers.js';

let org: TestOrg;

beforeAll(async () => {
  org = await startTestOrg();
});

afterAll(async () => {
  await org?.stop();
});

const events = (query: string, token = org.token) =>
  fetch(`${org.emulator.url}/cometd-lite/events?${query}`, { headers: { authorization: `Bearer ${token}` } }).then(async (r) => ({
    status: r.status,
    body: (await r.json()) as any,
  }));

describe('Change Data Capture', () => {
  it('publishes an UPDATE with the real ChangeEventHeader shape and the changed values', async () => {
    const { body: start } = await events('replayId=-1');
    const account = (await org.query('SELECT Id FROM Account ORDER BY Id LIMIT 1')).body.records[0];
    expect((await org.api(`/sobjects/Account/${account.Id}`, { method: 'PATCH', body: JSON.stringify({ Name: 'CDC Renamed' }) })).status).toBe(204);
    const { status, body } = await events(`replayId=${start.latestReplayId}&waitMs=0`);
    expect(status).toBe(200);
    expect(body.events).toHaveLength(1);
    const [event] = body.events;
    expect(event.channel).toBe('/data/AccountChangeEvent');
    expect(event.data.event.replayId).toBe(start.latestReplayId + 1);
    expect(event.data.payload.Name).toBe('CDC Renamed');
    expect(event.data.payload.ChangeEventHeader).toMatchObject({
      entityName: 'Account',
      recordIds: [account.Id],
      changeType: 'UPDATE',
      changedFields: expect.arrayContaining(['Name', 'LastModifiedDate']),
      changeOrigin: expect.stringMatching(/^com\/salesforce\/api\/rest\/\d+\.0/),
      commitTimestamp: expect.any(Number),
    });
    expect(body.latestReplayId).toBe(event.data.event.replayId);
  });

  it('publishes CREATE with every field and DELETE with none', async () => {
    const { body: start } = await events('replayId=-1');
    const created = await org.api('/sobjects/Contact', { method: 'POST', body: JSON.stringify({ LastName: 'Capture' }) });
    expect(created.status).toBe(201);
    await org.api(`/sobjects/Contact/${created.body.id}`, { method: 'DELETE' });
    const { body } = await events(`replayId=${start.latestReplayId}&waitMs=0`);
    const headers = body.events.map((e: any) => e.data.payload.ChangeEventHeader);
    expect(headers.map((h: any) => h.changeType)).toEqual(['CREATE', 'DELETE']);
    expect(body.events[0].data.payload.LastName).toBe('Capture');
    expect(headers[1]).toMatchObject({ entityName: 'Contact', recordIds: [created.body.id], changedFields: [] });
  });

  it('holds a long poll open until the next change, and costs no API call', async () => {
    const { body: start } = await events('replayId=-1');
    const before = (await org.api('/__emulator/calls')).body.total;
    const waiting = events(`replayId=${start.latestReplayId}&waitMs=10000`);
    await new Promise((r) => setTimeout(r, 200));
    const account = (await org.query('SELECT Id FROM Account ORDER BY Id LIMIT 1')).body.records[0];
    await org.api(`/sobjects/Account/${account.Id}`, { method: 'PATCH', body: JSON.stringify({ Name: 'Woken up' }) });
    const { body } = await waiting;
    expect(body.events.map((e: any) => e.data.payload.Name)).toEqual(['Woken up']);
    // The query and the PATCH are the only API calls; the long polls are streaming, not REST.
    expect((await org.api('/__emulator/calls')).body.total - before).toBe(2);
  });

  it('refuses a subscriber without a session, and a replay id that is not one', async () => {
    expect((await events('replayId=-1', 'not-a-token')).status).toBe(401);
    expect((await events('replayId=abc')).status).toBe(400);
  });
});
