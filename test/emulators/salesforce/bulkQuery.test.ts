/**
 * Bulk API 2.0 query jobs on the emulator: the job lifecycle, the CSV results
 * and their locators, and the errors, as the Bulk API 2.0 Developer Guide
 * describes them; and jsforce's bulk2 client reading through them.
 */
import jsforce from 'jsforce';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CREDENTIALS, json, startTestOrg, VERSION, type TestOrg } from './helpers.js';

let org: TestOrg;

beforeAll(async () => {
  org = await startTestOrg();
});

afterAll(async () => {
  await org.stop();
});

/** GET results as text, with the headers that steer paging. */
async function results(jobId: string, query = '', headers: Record<string, string> = {}) {
  const res = await fetch(`${org.emulator.url}/services/data/v${VERSION}/jobs/query/${jobId}/results${query}`, {
    headers: { authorization: `Bearer ${org.token}`, accept: 'text/csv', ...headers },
  });
  const raw = Buffer.from(await res.arrayBuffer());
  return { status: res.status, headers: res.headers, raw, text: raw.toString('utf8') };
}

async function createJob(query: string, extra: Record<string, unknown> = {}) {
  return org.api('/jobs/query', { method: 'POST', ...json({ operation: 'query', query, ...extra }) });
}

/** A minimal CSV reader for the assertions (every value quoted, as the platform writes). */
function parseCsv(text: string, delimiter = ','): string[][] {
  return text
    .split(/\r?\n/)
    .filter((l) => l !== '')
    .map((line) => {
      const values: string[] = [];
      const re = new RegExp(`"((?:[^"]|"")*)"(?:\\${delimiter}|$)`, 'g');
      for (let m = re.exec(line); m; m = re.exec(line)) values.push(m[1]!.replace(/""/g, '"'));
      return values;
    });
}

describe('query job lifecycle', () => {
  it('creates a job in UploadComplete, completes it, and serves the records as CSV', async () => {
    org.emulator.calls.reset();
    const created = await createJob('SELECT Id, Name, ERP_Customer_Number__c, Owner.Email, IsDeleted FROM Account ORDER BY Id');
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({
      operation: 'query',
      object: 'Account',
      state: 'UploadComplete',
      concurrencyMode: 'Parallel',
      contentType: 'CSV',
      apiVersion: Number(VERSION),
      lineEnding: 'LF',
      columnDelimiter: 'COMMA',
    });
    expect(created.body.id).toMatch(/^750[A-Za-z0-9]{15}$/);
    expect(created.body.createdById).toMatch(/^005/);

    const info = await org.api(`/jobs/query/${created.body.id}`);
    const rest = await org.query('SELECT Id, Name, ERP_Customer_Number__c, Owner.Email FROM Account ORDER BY Id LIMIT 2000');
    expect(info.body).toMatchObject({ id: created.body.id, state: 'JobComplete', jobType: 'V2Query', retries: 0, numberRecordsProcessed: rest.body.totalSize });

    const set = await results(created.body.id);
    expect(set.status).toBe(200);
    expect(set.headers.get('content-type')).toBe('text/csv');
    expect(set.headers.get('sforce-locator')).toBe('null');
    expect(set.headers.get('sforce-numberofrecords')).toBe(String(rest.body.totalSize));
    const [header, ...rows] = parseCsv(set.text);
    expect(header).toEqual(['Id', 'Name', 'ERP_Customer_Number__c', 'Owner.Email', 'IsDeleted']);
    expect(rows).toHaveLength(rest.body.totalSize);
    // The same records as the REST query, null as an empty value, checkboxes as true/false.
    const expected = rest.body.records.map((r: any) => [r.Id, r.Name, r.ERP_Customer_Number__c ?? '', r.Owner?.Email ?? '', 'false']);
    expect(rows.slice(0, expected.length)).toEqual(expected);
    expect(rows.some((r) => r[2] === '')).toBe(true);
    expect(org.emulator.calls.snapshot().calls).toEqual({
      'Account.bulkQuery': 1,
      'Account.bulkQueryStatus': 1,
      'Account.bulkQueryResults': 1,
      'Account.query': 1,
    });
  });

  it('leaves every field of a missing parent empty, however deep the path', async () => {
    const created = await createJob(
      'SELECT CampaignId, Contact.Account.ERP_Customer_Number__c, Lead.ConvertedAccount.ERP_Customer_Number__c FROM CampaignMember WHERE Lead.IsConverted = true',
    );
    const [header, ...rows] = parseCsv((await results(created.body.id)).text);
    expect(header).toEqual(['CampaignId', 'Contact.Account.ERP_Customer_Number__c', 'Lead.ConvertedAccount.ERP_Customer_Number__c']);
    expect(rows.length).toBeGreaterThan(0);
    // Lead members have no contact: the contact path is empty on every row.
    for (const row of rows) expect(row[1]).toBe('');
    expect(rows.some((r) => r[2] !== '')).toBe(true);
  });

  it('splits results into sets with maxRecords, chained by Sforce-Locator until it is the string null', async () => {
    const created = await createJob('SELECT Id FROM Contact');
    const { body: info } = await org.api(`/jobs/query/${created.body.id}`);
    const total = info.numberRecordsProcessed as number;
    expect(total).toBeGreaterThan(250);
    const ids: string[] = [];
    let locator: string | null = null;
    let sets = 0;
    do {
      const set = await results(created.body.id, `?maxRecords=100${locator ? `&locator=${locator}` : ''}`);
      const [header, ...rows] = parseCsv(set.text);
      expect(header).toEqual(['Id']);
      expect(Number(set.headers.get('sforce-numberofrecords'))).toBe(rows.length);
      ids.push(...rows.map((r) => r[0]!));
      locator = set.headers.get('sforce-locator');
      sets++;
    } while (locator !== 'null');
    expect(sets).toBe(Math.ceil(total / 100));
    expect(new Set(ids).size).toBe(total);
    // A locator can be read again as long as the job exists.
    const again = await results(created.body.id, `?maxRecords=100&locator=${Buffer.from('100').toString('base64').replace(/=+$/, '')}`);
    expect(parseCsv(again.text)[1]![0]).toBe(ids[100]);
  });

  it('compresses results when the client accepts gzip, and honours the delimiter and line ending asked for', async () => {
    const created = await createJob("SELECT Id, Name FROM Account WHERE Name LIKE '%a%' LIMIT 5", { columnDelimiter: 'PIPE', lineEnding: 'CRLF' });
    expect(created.body).toMatchObject({ columnDelimiter: 'PIPE', lineEnding: 'CRLF' });
    const set = await results(created.body.id, '', { 'accept-encoding': 'gzip' });
    expect(set.headers.get('content-encoding')).toBe('gzip');
    // fetch has already inflated the body: reading it proves it was gzip.
    const text = set.text;
    expect(text.startsWith('"Id"|"Name"\r\n')).toBe(true);
    expect(parseCsv(text, '|').slice(1)).toHaveLength(5);
  });

  it('keeps a job InProgress while it runs: results are refused until JobComplete, and a running job can be aborted', async () => {
    org.emulator.bulkQueries.processingMs = 60_000;
    try {
      const created = await createJob('SELECT Id FROM Account');
      expect((await org.api(`/jobs/query/${created.body.id}`)).body.state).toBe('InProgress');
      const early = await results(created.body.id);
      expect(early.status).toBe(412);
      expect(JSON.parse(early.text)[0]).toMatchObject({ errorCode: 'JOB_NOT_COMPLETE' });
      // A running job cannot be deleted, only aborted.
      expect((await org.api(`/jobs/query/${created.body.id}`, { method: 'DELETE' })).status).toBe(400);
      const aborted = await org.api(`/jobs/query/${created.body.id}`, { method: 'PATCH', ...json({ state: 'Aborted' }) });
      expect(aborted.body.state).toBe('Aborted');
      expect((await org.api(`/jobs/query/${created.body.id}`, { method: 'DELETE' })).status).toBe(204);
      expect((await org.api(`/jobs/query/${created.body.id}`)).status).toBe(404);
    } finally {
      org.emulator.bulkQueries.processingMs = 0;
    }
  });

  it('answers results only in the API version the job was created with', async () => {
    const created = await createJob('SELECT Id FROM Account LIMIT 1');
    const res = await org.api(`/services/data/v59.0/jobs/query/${created.body.id}/results`);
    expect(res.status).toBe(409);
  });

  it('lists the org’s query jobs', async () => {
    const { body } = await org.api('/jobs/query');
    expect(body.done).toBe(true);
    expect(body.records.length).toBeGreaterThan(0);
    expect(body.records[0]).toHaveProperty('jobType', 'V2Query');
  });
});

describe('refused query jobs', () => {
  it('checks the SOQL when the job is created, with the REST query errors', async () => {
    const field = await createJob('SELECT Id, Nmae FROM Account');
    expect(field.status).toBe(400);
    expect(field.body[0]).toMatchObject({ errorCode: 'INVALID_FIELD' });
    const syntax = await createJob('SELECT Id FROM');
    expect(syntax.status).toBe(400);
    expect(syntax.body[0]).toMatchObject({ errorCode: 'MALFORMED_QUERY' });
    const object = await createJob('SELECT Id FROM Acount');
    expect(object.status).toBe(400);
    expect(object.body[0]).toMatchObject({ errorCode: 'INVALID_TYPE' });
  });

  it('refuses what Bulk API 2.0 does not run: aggregates, GROUP BY, OFFSET and parent-to-child subqueries', async () => {
    for (const soql of [
      'SELECT COUNT() FROM Account',
      'SELECT Type, COUNT(Id) n FROM Account GROUP BY Type',
      'SELECT Id FROM Account ORDER BY Id LIMIT 10 OFFSET 5',
      'SELECT Id, (SELECT Id FROM Contacts) FROM Account',
    ]) {
      const res = await createJob(soql);
      expect(res.status, soql).toBe(400);
      expect(res.body[0].errorCode, soql).toBe('INVALIDJOB');
    }
  });

  it('refuses a job without a valid operation or query, and counts refused jobs under their sObject', async () => {
    org.emulator.calls.reset();
    expect((await org.api('/jobs/query', { method: 'POST', ...json({ operation: 'insert', query: 'SELECT Id FROM Account' }) })).status).toBe(400);
    expect((await org.api('/jobs/query', { method: 'POST', ...json({ operation: 'query' }) })).status).toBe(400);
    expect((await createJob('SELECT Nope FROM Lead')).status).toBe(400);
    expect(org.emulator.calls.snapshot().calls).toEqual({ 'unknown.bulkQuery': 2, 'Lead.bulkQuery': 1 });
    expect((await org.api('/jobs/query/750000000000000AAA')).status).toBe(404);
  });

  it('needs a session like every other resource', async () => {
    const res = await fetch(`${org.emulator.url}/services/data/v${VERSION}/jobs/query`, { method: 'POST', body: '{}' });
    expect(res.status).toBe(401);
  });
});

describe('jsforce bulk2', () => {
  it('reads a query job through jsforce’s Bulk API 2.0 client', async () => {
    const conn = new jsforce.Connection({
      oauth2: { loginUrl: org.emulator.url, clientId: CREDENTIALS.client_id, clientSecret: CREDENTIALS.client_secret },
      version: VERSION,
    });
    await conn.login(CREDENTIALS.username, CREDENTIALS.password);
    conn.bulk2.pollInterval = 10;
    const stream = await conn.bulk2.query('SELECT Id, Name, Account.ERP_Customer_Number__c FROM Contact');
    const records = (await stream.toArray()) as Record<string, unknown>[];
    const rest = await org.query('SELECT COUNT() FROM Contact');
    expect(records).toHaveLength(rest.body.totalSize);
    expect(records[0]).toHaveProperty('Id');
    expect(records[0]).toHaveProperty('Account.ERP_Customer_Number__c');
  });
});
