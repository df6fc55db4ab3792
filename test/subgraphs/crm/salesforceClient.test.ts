/**
 * The Salesforce client against a scripted stub server: the protocol details
 * that the emulator may not exercise (stale sessions, paging, error shapes,
 * timeouts, non-JSON answers, the limit header).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { COMPOSITE_READ_MAX_IDS, SalesforceClient, SalesforceError, SalesforceUnavailableError } from '../../../lib/native/salesforceClient.js';

type Handler = (req: http.IncomingMessage, body: string, res: http.ServerResponse) => void;

interface Stub {
  url: string;
  requests: { method: string; path: string; auth?: string; body: string }[];
  close(): Promise<void>;
}

async function stub(handler: Handler): Promise<Stub> {
  const requests: Stub['requests'] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      requests.push({ method: req.method ?? '', path: req.url ?? '', auth: req.headers.authorization, body });
      handler(req, body, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function json(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

let tokens = 0;
function token(res: http.ServerResponse, instanceUrl: string) {
  tokens++;
  json(res, 200, { access_token: `token-${tokens}`, instance_url: instanceUrl, token_type: 'Bearer' });
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

function clientFor(server: Stub, timeoutMs = 2000) {
  const client = new SalesforceClient({
    loginUrl: server.url,
    apiVersion: '60.0',
    clientId: 'id',
    clientSecret: 'secret',
    username: 'u@example.com',
    password: 'pw',
    timeoutMs,
  });
  cleanups.push(() => client.close());
  return client;
}

async function started(handler: Handler) {
  const server = await stub(handler);
  cleanups.push(() => server.close());
  return server;
}

describe('SalesforceClient', () => {
  it('logs in with the password grant and follows nextRecordsUrl until done', async () => {
    const server = await started((req, body, res) => {
      if (req.url === '/services/oauth2/token') return token(res, server.url);
      if (req.url?.startsWith('/services/data/v60.0/query?q=')) {
        return json(
          res,
          200,
          { totalSize: 3, done: false, nextRecordsUrl: '/services/data/v60.0/query/01g-2', records: [{ Id: 'a' }, { Id: 'b' }] },
          { 'Sforce-Limit-Info': 'api-usage=7/15000' },
        );
      }
      if (req.url === '/services/data/v60.0/query/01g-2')
        return json(res, 200, { totalSize: 3, done: true, records: [{ Id: 'c' }] }, { 'Sforce-Limit-Info': 'api-usage=8/15000' });
      json(res, 404, [{ errorCode: 'NOT_FOUND', message: `unexpected ${req.url}` }]);
    });
    const client = clientFor(server);
    const rows = await client.query('SELECT Id FROM Account');
    expect(rows.map((r) => r.Id)).toEqual(['a', 'b', 'c']);
    const login = server.requests[0]!;
    expect(login.method).toBe('POST');
    expect(Object.fromEntries(new URLSearchParams(login.body))).toEqual({
      grant_type: 'password',
      client_id: 'id',
      client_secret: 'secret',
      username: 'u@example.com',
      password: 'pw',
    });
    expect(server.requests[1]!.auth).toMatch(/^Bearer token-/);
    expect(decodeURIComponent(server.requests[1]!.path.split('q=')[1]!.replace(/\+/g, ' '))).toBe('SELECT Id FROM Account');
    expect(client.lastLimitInfo).toMatchObject({ raw: 'api-usage=8/15000', used: 8, max: 15000 });
    expect(client.callStats()).toEqual({ total: 3, calls: { 'oauth.token': 1, query: 1, queryMore: 1 } });
  });

  it('logs in again once when the session expired, and shares that login between concurrent calls', async () => {
    let valid = '';
    const server = await started((req, _body, res) => {
      if (req.url === '/services/oauth2/token') {
        token(res, server.url);
        valid = `Bearer token-${tokens}`;
        return;
      }
      if (req.headers.authorization !== valid) return json(res, 401, [{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }]);
      json(res, 200, { totalSize: 0, done: true, records: [] });
    });
    const client = clientFor(server);
    await client.query('SELECT Id FROM User');
    valid = 'Bearer revoked';
    await Promise.all([client.query('SELECT Id FROM User'), client.query('SELECT Id FROM Contact')]);
    expect(client.callStats().calls['oauth.token']).toBe(2);
  });

  it('gives up after one new login when Salesforce keeps refusing the session', async () => {
    const server = await started((req, _body, res) => {
      if (req.url === '/services/oauth2/token') return token(res, server.url);
      json(res, 401, [{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }]);
    });
    const client = clientFor(server);
    await expect(client.query('SELECT Id FROM User')).rejects.toMatchObject({ name: 'SalesforceError', status: 401, errorCode: 'INVALID_SESSION_ID' });
    expect(client.callStats().calls['oauth.token']).toBe(2);
  });

  it('turns the error array into a SalesforceError and an OAuth failure likewise', async () => {
    const server = await started((req, _body, res) => {
      if (req.url === '/services/oauth2/token') return token(res, server.url);
      json(res, 400, [{ message: "No such column 'Foo' on entity 'Account'", errorCode: 'INVALID_FIELD', fields: ['Foo'] }]);
    });
    const error = await clientFor(server)
      .query('SELECT Foo FROM Account')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SalesforceError);
    expect(error).toMatchObject({ status: 400, errorCode: 'INVALID_FIELD', fields: ['Foo'] });

    const refusing = await started((_req, _body, res) => json(res, 400, { error: 'invalid_grant', error_description: 'authentication failure' }));
    await expect(clientFor(refusing).query('SELECT Id FROM Account')).rejects.toMatchObject({ errorCode: 'invalid_grant', message: 'authentication failure' });
  });

  it('reports REQUEST_LIMIT_EXCEEDED (403) as a SalesforceError and 5xx or HTML as unavailable', async () => {
    let mode: 'limit' | 'html' | 'down' = 'limit';
    const server = await started((req, _body, res) => {
      if (req.url === '/services/oauth2/token') return token(res, server.url);
      if (mode === 'limit') return json(res, 403, [{ message: 'TotalRequests Limit exceeded.', errorCode: 'REQUEST_LIMIT_EXCEEDED' }]);
      if (mode === 'down') return json(res, 503, [{ message: 'Server unavailable', errorCode: 'SERVER_UNAVAILABLE' }]);
      res.writeHead(502, { 'content-type': 'text/html' });
      res.end('<html>Bad gateway</html>');
    });
    const client = clientFor(server);
    await expect(client.query('SELECT Id FROM Account')).rejects.toMatchObject({ status: 403, errorCode: 'REQUEST_LIMIT_EXCEEDED' });
    mode = 'html';
    const html = await client.query('SELECT Id FROM Account').catch((e: unknown) => e);
    expect(html).toBeInstanceOf(SalesforceUnavailableError);
    expect((html as Error).message).toMatch(/HTTP 502 and a body that is not JSON \(text\/html\)/);
    mode = 'down';
    // A fresh client: the failures above (retried) have opened this one's circuit breaker.
    await expect(clientFor(server).query('SELECT Id FROM Account')).rejects.toThrow(/HTTP 503 SERVER_UNAVAILABLE/);
  });

  it('names Salesforce when nothing listens, and when an answer takes too long', async () => {
    const gone = await stub(() => {});
    const goneUrl = gone.url;
    await gone.close();
    const refused = new SalesforceClient({ loginUrl: goneUrl, apiVersion: '60.0', clientId: 'a', clientSecret: 'b', username: 'c', password: 'd' });
    cleanups.push(() => refused.close());
    await expect(refused.query('SELECT Id FROM Account')).rejects.toThrow(
      /^Salesforce at http:\/\/127\.0\.0\.1:\d+ did not answer POST \/services\/oauth2\/token: ECONNREFUSED/,
    );

    const slow = await started(() => {});
    await expect(clientFor(slow, 100).query('SELECT Id FROM Account')).rejects.toThrow(/did not answer .*timed out after 100 ms/);
  });

  it('reads by id in chunks of at most 2000 and keeps input order and nulls', async () => {
    const server = await started((req, body, res) => {
      if (req.url === '/services/oauth2/token') return token(res, server.url);
      const { ids, fields } = JSON.parse(body) as { ids: string[]; fields: string[] };
      expect(fields).toEqual(['Id', 'Name']);
      expect(req.url).toBe('/services/data/v60.0/composite/sobjects/Account');
      json(
        res,
        200,
        ids.map((id) => (id.endsWith('x') ? null : { attributes: { type: 'Account' }, Id: id, Name: `n${id}` })),
      );
    });
    const client = clientFor(server);
    const ids = Array.from({ length: COMPOSITE_READ_MAX_IDS + 5 }, (_, i) => (i % 7 === 0 ? `${i}x` : String(i)));
    const rows = await client.retrieve('Account', ids, ['Id', 'Name']);
    expect(rows).toHaveLength(ids.length);
    rows.forEach((row, i) => expect(row === null ? null : row.Id).toBe(ids[i]!.endsWith('x') ? null : ids[i]));
    expect(client.callStats().calls.composite_read).toBe(2);
    await expect(client.retrieve('Account; DROP', ['1'], ['Id'])).rejects.toThrow(/Expected an sObject name to be a Salesforce API name/);
  });

  it('upserts by external id with the value encoded into the path', async () => {
    const server = await started((req, _body, res) => {
      if (req.url === '/services/oauth2/token') return token(res, server.url);
      if (req.url?.endsWith('/DUP')) return json(res, 300, ['/services/data/v60.0/sobjects/Account/001A', '/services/data/v60.0/sobjects/Account/001B']);
      json(res, 201, { id: '001000000000001AAA', success: true, created: true, errors: [] });
    });
    const client = clientFor(server);
    await expect(client.upsert('Account', 'ERP_Customer_Number__c', 'C/1 ?', { Name: 'x' })).resolves.toMatchObject({ created: true });
    expect(server.requests.at(-1)).toMatchObject({ method: 'PATCH', path: '/services/data/v60.0/sobjects/Account/ERP_Customer_Number__c/C%2F1%20%3F' });
    await expect(client.upsert('Account', 'ERP_Customer_Number__c', 'DUP', { Name: 'x' })).rejects.toMatchObject({
      status: 300,
      errorCode: 'MULTIPLE_CHOICES',
    });
  });
});
