/**
 * The Salesforce client's Bulk API 2.0 query jobs against a scripted stub: the
 * protocol paths the emulator does not take on its own (a job still running at
 * the first polls, results split into several sets, compressed results, failed
 * and endless jobs), and the CSV reader.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { parseCsv } from '../../../lib/native/csv.js';
import { SalesforceClient } from '../../../lib/native/salesforceClient.js';
import type { NativeCallLabel, NativeCallObserver } from '../../../lib/observability/nativeCalls.js';

type Handler = (req: http.IncomingMessage, body: string, res: http.ServerResponse) => void;

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function stub(handler: Handler, observer?: NativeCallObserver) {
  const requests: { method: string; path: string; body: string; headers: http.IncomingHttpHeaders }[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      if (req.url === '/services/oauth2/token') return json(res, 200, { access_token: 'token', instance_url: url, token_type: 'Bearer' });
      requests.push({ method: req.method ?? '', path: req.url ?? '', body, headers: req.headers });
      handler(req, body, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  const client = new SalesforceClient({
    loginUrl: url,
    apiVersion: '60.0',
    clientId: 'id',
    clientSecret: 'secret',
    username: 'u@example.com',
    password: 'pw',
    timeoutMs: 2000,
    bulkPollDelayMs: 5,
    bulkPollMaxDelayMs: 20,
    bulkQueryTimeoutMs: 300,
    observer,
  });
  cleanups.push(() => client.close());
  return { url, requests, client };
}

function json(res: http.ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function csv(res: http.ServerResponse, text: string, locator: string, count: number, gzip = false) {
  const payload = gzip ? gzipSync(text) : Buffer.from(text);
  res.writeHead(200, {
    'content-type': 'text/csv',
    'sforce-locator': locator,
    'sforce-numberofrecords': String(count),
    ...(gzip ? { 'content-encoding': 'gzip' } : {}),
  });
  res.end(payload);
}

const JOB = '750R0000000zlh9IAA';
const info = (state: string, extra: Record<string, unknown> = {}) => ({ id: JOB, operation: 'query', object: 'Account', state, ...extra });

describe('SalesforceClient.bulkQuery', () => {
  it('creates the job, polls until JobComplete, and reads every result set by its locator', async () => {
    let polls = 0;
    const { client, requests } = await stub((req, _body, res) => {
      if (req.method === 'POST' && req.url === '/services/data/v60.0/jobs/query') return json(res, 200, info('UploadComplete'));
      if (req.url === `/services/data/v60.0/jobs/query/${JOB}`) return json(res, 200, info(++polls < 3 ? 'InProgress' : 'JobComplete'));
      if (req.url === `/services/data/v60.0/jobs/query/${JOB}/results`) {
        return csv(res, '"Id","Name","Account.ERP_Number__c"\n"001A","Acme, ""the"" first",""\n', 'MQ', 1, true);
      }
      if (req.url === `/services/data/v60.0/jobs/query/${JOB}/results?locator=MQ`) {
        return csv(res, '"Id","Name","Account.ERP_Number__c"\r\n"001B","Line\nbreak","C00042"\r\n', 'null', 1);
      }
      json(res, 404, [{ errorCode: 'NOT_FOUND', message: `unexpected ${req.method} ${req.url}` }]);
    });
    const rows = await client.bulkQuery('SELECT Id, Name, Account.ERP_Number__c FROM Contact');
    expect(rows).toEqual([
      { Id: '001A', Name: 'Acme, "the" first', 'Account.ERP_Number__c': null },
      { Id: '001B', Name: 'Line\nbreak', 'Account.ERP_Number__c': 'C00042' },
    ]);
    expect(JSON.parse(requests[0]!.body)).toEqual({
      operation: 'query',
      query: 'SELECT Id, Name, Account.ERP_Number__c FROM Contact',
      contentType: 'CSV',
      columnDelimiter: 'COMMA',
      lineEnding: 'LF',
    });
    expect(requests.find((r) => r.path.endsWith('/results'))!.headers).toMatchObject({ accept: 'text/csv', 'accept-encoding': 'gzip' });
    expect(client.callStats().calls).toEqual({ 'oauth.token': 1, 'bulkQuery.create': 1, 'bulkQuery.status': 3, 'bulkQuery.results': 2 });
  });

  it('labels every call of the job with the queried sObject for metrics and logs, though its URLs name only the job', async () => {
    const labels: NativeCallLabel[] = [];
    const observer: NativeCallObserver = { call: (label, send) => (labels.push(label), send({ headers: {} })) };
    const { client } = await stub((req, _body, res) => {
      if (req.method === 'POST') return json(res, 200, info('UploadComplete'));
      if (req.url === `/services/data/v60.0/jobs/query/${JOB}`) return json(res, 200, info('JobComplete'));
      return csv(res, '"Id"\n"003A"\n', 'null', 1);
    }, observer);
    await client.bulkQuery('SELECT Id FROM CampaignMember WHERE Contact.Account.ERP_Customer_Number__c != null');
    expect(labels.filter((l) => l.object !== 'oauth')).toEqual([
      { object: 'CampaignMember', method: 'bulkQuery.create' },
      { object: 'CampaignMember', method: 'bulkQuery.status' },
      { object: 'CampaignMember', method: 'bulkQuery.results' },
    ]);
  });

  it('answers no rows for a result set that holds only the header', async () => {
    const { client } = await stub((req, _body, res) => {
      if (req.method === 'POST') return json(res, 200, info('UploadComplete'));
      if (req.url?.endsWith('/results')) return csv(res, '"Id"\n', 'null', 0);
      json(res, 200, info('JobComplete'));
    });
    expect(await client.bulkQuery('SELECT Id FROM Account WHERE Name = null')).toEqual([]);
  });

  it('fails with the job’s reason when it ends Failed, without reading results', async () => {
    const { client, requests } = await stub((req, _body, res) => {
      if (req.method === 'POST') return json(res, 200, info('UploadComplete'));
      json(res, 200, info('Failed', { errorMessage: 'InvalidBatch : Failed to process query' }));
    });
    await expect(client.bulkQuery('SELECT Id FROM Account')).rejects.toMatchObject({
      name: 'SalesforceError',
      errorCode: 'BULK_QUERY_FAILED',
      message: expect.stringContaining('Failed to process query'),
    });
    expect(requests.some((r) => r.path.includes('/results'))).toBe(false);
  });

  it('aborts a job that is still running at the deadline and fails as unavailable', async () => {
    const { client, requests } = await stub((req, _body, res) => {
      if (req.method === 'POST') return json(res, 200, info('UploadComplete'));
      if (req.method === 'PATCH') return json(res, 200, info('Aborted'));
      json(res, 200, info('InProgress'));
    });
    await expect(client.bulkQuery('SELECT Id FROM Account')).rejects.toMatchObject({
      name: 'SalesforceUnavailableError',
      message: expect.stringContaining('aborted'),
    });
    const abort = requests.find((r) => r.method === 'PATCH')!;
    expect(abort.path).toBe(`/services/data/v60.0/jobs/query/${JOB}`);
    expect(JSON.parse(abort.body)).toEqual({ state: 'Aborted' });
    // Polls back off: with 5 ms doubling to 20 ms, 300 ms allow about 15 polls, not hundreds.
    expect(client.callStats().calls['bulkQuery.status']).toBeLessThan(25);
  });

  it('passes on Salesforce’s refusal of the job', async () => {
    const { client } = await stub((_req, _body, res) =>
      json(res, 400, [{ errorCode: 'INVALID_FIELD', message: "No such column 'Nmae' on entity 'Account'." }]),
    );
    await expect(client.bulkQuery('SELECT Nmae FROM Account')).rejects.toMatchObject({ name: 'SalesforceError', status: 400, errorCode: 'INVALID_FIELD' });
    expect(client.callStats().calls['bulkQuery.create']).toBe(1);
  });

  it('refuses results whose lines do not match the header', async () => {
    const { client } = await stub((req, _body, res) => {
      if (req.method === 'POST') return json(res, 200, info('UploadComplete'));
      if (req.url?.endsWith('/results')) return csv(res, '"Id","Name"\n"001A"\n', 'null', 1);
      json(res, 200, info('JobComplete'));
    });
    await expect(client.bulkQuery('SELECT Id, Name FROM Account')).rejects.toMatchObject({
      name: 'SalesforceUnavailableError',
      message: expect.stringContaining('line 2'),
    });
  });
});

describe('parseCsv', () => {
  it('reads quoted and bare values, doubled quotes, delimiters and line breaks inside quotes, LF and CRLF', () => {
    expect(parseCsv('a,"b,c","d""e"\r\n"x\ny",,z\n')).toEqual([
      ['a', 'b,c', 'd"e'],
      ['x\ny', '', 'z'],
    ]);
  });

  it('keeps an empty last value and takes other delimiters', () => {
    expect(parseCsv('"a"|""\n"b"|"c"', '|')).toEqual([
      ['a', ''],
      ['b', 'c'],
    ]);
    expect(parseCsv('')).toEqual([]);
  });

  it('refuses an unterminated quoted value', () => {
    expect(() => parseCsv('"a,b\n')).toThrow(/Unterminated/);
  });
});
