/**
 * The emulator seen through the real client library, jsforce 3: if jsforce can
 * log in, page, batch-read and write against it, so can connectors built on it.
 */
import jsforce from 'jsforce';
import { StreamingExtension } from 'jsforce/lib/api/streaming.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CREDENTIALS, startTestOrg, VERSION, type TestOrg } from './helpers.js';

let org: TestOrg;
let conn: jsforce.Connection;

function connection(url: string) {
  return new jsforce.Connection({
    oauth2: { loginUrl: url, clientId: CREDENTIALS.client_id, clientSecret: CREDENTIALS.client_secret },
    version: VERSION,
  });
}

beforeAll(async () => {
  org = await startTestOrg();
  conn = connection(org.emulator.url);
  await conn.login(CREDENTIALS.username, CREDENTIALS.password);
});

afterAll(async () => {
  await org.stop();
});

describe('jsforce login', () => {
  it('logs in through the OAuth 2.0 password flow of the REST token endpoint', async () => {
    const fresh = connection(org.emulator.url);
    org.emulator.calls.reset();
    const userInfo = await fresh.login(CREDENTIALS.username, CREDENTIALS.password);
    expect(org.emulator.calls.snapshot().calls['oauth.token']).toBe(1);
    expect(userInfo.id).toMatch(/^005/);
    expect(userInfo.organizationId).toMatch(/^00D/);
    expect(fresh.instanceUrl).toBe(org.emulator.url);
    const integrationUser = await fresh.sobject('User').retrieve(userInfo.id);
    expect(integrationUser.Username).toBe(CREDENTIALS.username);
  });

  it('rejects a wrong password with invalid_grant', async () => {
    await expect(connection(org.emulator.url).login(CREDENTIALS.username, 'wrong')).rejects.toThrow(/authentication failure/);
  });
});

describe('jsforce queries', () => {
  it('follows nextRecordsUrl past 2,000 rows with autoFetch', async () => {
    const records = Array.from({ length: 2345 }, (_, i) => ({ Name: `Paging Test ${String(i).padStart(4, '0')}`, Type: 'Prospect' }));
    const created = await conn.sobject('Account').create(records, { allowRecursive: true });
    expect(created.every((r) => r.success)).toBe(true);

    org.emulator.calls.reset();
    const result = await conn.query("SELECT Id, Name FROM Account WHERE Name LIKE 'Paging Test%' ORDER BY Name").autoFetch(true).maxFetch(10000).run();
    expect(result.totalSize).toBe(2345);
    expect(result.records).toHaveLength(2345);
    expect(result.records[0]!.Name).toBe('Paging Test 0000');
    expect(result.records[2344]!.Name).toBe('Paging Test 2344');
    expect(new Set(result.records.map((r) => r.Id)).size).toBe(2345);
    expect(org.emulator.calls.snapshot().calls).toEqual({ 'Account.query': 1, 'Account.queryMore': 1 });
  });

  it('returns parent relationship fields nested, as jsforce expects', async () => {
    const result = await conn.query<{ Name: string; Account: { Name: string; Owner: { Email: string } } | null }>(
      "SELECT Name, Account.Name, Account.Owner.Email FROM Contact WHERE Account.Type = 'Customer' LIMIT 5",
    );
    expect(result.records).toHaveLength(5);
    for (const c of result.records) {
      expect(c.Account?.Name).toEqual(expect.any(String));
      expect(c.Account?.Owner.Email).toMatch(/@example\.com$/);
    }
  });
});

describe('jsforce batch reads and writes', () => {
  it('retrieves many ids through sObject Collections, in order, with null for unknown ids', async () => {
    const { records } = await conn.query<{ Id: string; Name: string }>('SELECT Id, Name FROM Account ORDER BY Name LIMIT 3');
    const ids = [records[2]!.Id, '001000000000000AAA', records[0]!.Id];
    org.emulator.calls.reset();
    const got = await conn.sobject('Account').retrieve(ids, { fields: ['Name', 'ERP_Customer_Number__c'] });
    expect(got.map((r) => r?.Name ?? null)).toEqual([records[2]!.Name, null, records[0]!.Name]);
    expect(org.emulator.calls.snapshot().calls).toEqual({ 'Account.composite_read': 1 });
  });

  it('creates, updates, upserts and deletes records', async () => {
    const created = await conn.sobject('Account').create({ Name: 'Jsforce Industries', Type: 'Prospect', Segment__c: 'SMB' });
    expect(created).toMatchObject({ success: true, errors: [] });
    const id = created.id!;
    await conn.sobject('Account').update({ Id: id, Industry: 'Energy' });
    expect((await conn.sobject('Account').retrieve(id)).Industry).toBe('Energy');

    const inserted = await conn.sobject('Account').upsert({ ERP_Customer_Number__c: 'CX0001', Name: 'Upserted Ltd' }, 'ERP_Customer_Number__c');
    expect(inserted).toMatchObject({ success: true, created: true });
    const updated = await conn.sobject('Account').upsert({ ERP_Customer_Number__c: 'CX0001', Name: 'Upserted Ltd (renamed)' }, 'ERP_Customer_Number__c');
    expect(updated).toMatchObject({ success: true, created: false, id: (inserted as { id: string }).id });

    await conn.sobject('Account').destroy(id);
    await expect(conn.sobject('Account').retrieve(id)).rejects.toMatchObject({ errorCode: 'ENTITY_IS_DELETED' });
  });

  it('surfaces Salesforce error codes', async () => {
    await expect(conn.sobject('Opportunity').create({ Name: 'No stage' })).rejects.toMatchObject({ errorCode: 'REQUIRED_FIELD_MISSING' });
    await expect(conn.sobject('Opportunity').create({ Name: 'Bad stage', StageName: 'Won-ish', CloseDate: '2026-12-01' })).rejects.toMatchObject({
      errorCode: 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
    });
    await expect(conn.query('SELECT Id, NoSuchField FROM Account')).rejects.toMatchObject({ errorCode: 'INVALID_FIELD' });
    await expect(conn.query('SELECT Id FROM NoSuchObject')).rejects.toMatchObject({ errorCode: 'INVALID_TYPE' });
    await expect(conn.query('SELECT Id FROM Account WHERE')).rejects.toMatchObject({ errorCode: 'MALFORMED_QUERY' });
  });

  it('reports several accounts sharing an ERP number as MULTIPLE_CHOICES on upsert', async () => {
    const dup = await conn.query<{ ERP_Customer_Number__c: string }>(
      'SELECT ERP_Customer_Number__c FROM Account WHERE ERP_Customer_Number__c != null GROUP BY ERP_Customer_Number__c HAVING COUNT(Id) > 1 LIMIT 1',
    );
    const erpNumber = dup.records[0]!.ERP_Customer_Number__c;
    const error = await conn
      .sobject('Account')
      .upsert({ ERP_Customer_Number__c: erpNumber, Description: 'never written' }, 'ERP_Customer_Number__c')
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(error).toMatchObject({ errorCode: 'MULTIPLE_CHOICES' });
    expect((error as { data: string[] }).data).toHaveLength(2);
    const described = await conn.query(`SELECT COUNT() FROM Account WHERE Description = 'never written'`);
    expect(described.totalSize).toBe(0);
  });
});

describe('jsforce streaming (Faye, a real CometD client)', () => {
  it('receives change events on /data/ChangeEvents with the replay extension', async () => {
    const client = conn.streaming.createClient([new StreamingExtension.Replay('/data/ChangeEvents', -1)]);
    try {
      const received = new Promise<any>((resolve) => {
        void client.subscribe('/data/ChangeEvents', resolve).then(async () => {
          const [account] = (await conn.query<{ Id: string }>('SELECT Id FROM Account ORDER BY Id LIMIT 1')).records;
          await conn.sobject('Account').update({ Id: account!.Id, Name: 'Heard by Faye' });
        });
      });
      const message = await received;
      expect(message.payload).toMatchObject({ Name: 'Heard by Faye', ChangeEventHeader: { entityName: 'Account', changeType: 'UPDATE' } });
      expect(message.event.replayId).toEqual(expect.any(Number));
    } finally {
      // Faye has disconnect(); jsforce's typing of its client leaves it out.
      (client as unknown as { disconnect(): void }).disconnect();
    }
  });
});
