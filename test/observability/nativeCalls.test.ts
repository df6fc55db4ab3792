/**
 * The pieces under the end-to-end tests, each on its own: what a native client
 * sends and records for one call (against a loopback server that plays Odoo
 * and Salesforce), the labels of Salesforce REST calls, cache lookups counted
 * per key, bounded operation labels, and `/metrics` behind METRICS_TOKEN.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createObservability, type Observability } from '../../lib/observability/index.js';
import { GatewayMetrics, OperationLabels, SubgraphMetrics } from '../../lib/observability/metrics.js';
import { createNativeCallObserver } from '../../lib/observability/nativeCalls.js';
import { runWithRequest } from '../../lib/observability/requestContext.js';
import { salesforceObjectOf } from '../../lib/observability/salesforceLabels.js';
import { countedCache } from '../../lib/observability/cacheMetrics.js';
import { METRICS_PATH, serveMetrics } from '../../lib/observability/http.js';
import { MemoryCache } from '../../lib/cache/memoryCache.js';
import { createOdooClient, OdooError } from '../../lib/native/odooClient.js';
import { SalesforceClient } from '../../lib/native/salesforceClient.js';
import { captureLogs, parsePrometheus, samplesOf } from './helpers.js';

/** Every request the loopback "native system" received, with its headers. */
const received: { path: string; headers: IncomingHttpHeaders; body: string }[] = [];
let native: Server;
let nativeUrl: string;

beforeAll(async () => {
  native = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      received.push({ path: req.url ?? '', headers: req.headers, body });
      const json = (status: number, value: unknown, headers: Record<string, string> = {}) => {
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(JSON.stringify(value));
      };
      if (req.url === '/jsonrpc') {
        const { params, id } = JSON.parse(body) as { params: { service: string; method: string; args: unknown[] }; id: number };
        if (params.service === 'common') return json(200, { jsonrpc: '2.0', id, result: 2 });
        // res.partner reads succeed; anything else is refused as Odoo refuses: HTTP 200 with an error envelope.
        if (params.args[3] === 'res.partner') return json(200, { jsonrpc: '2.0', id, result: [{ id: 7 }] });
        return json(200, {
          jsonrpc: '2.0',
          id,
          error: { code: 200, message: 'Odoo Server Error', data: { name: 'odoo.exceptions.AccessError', message: 'No access.' } },
        });
      }
      if (req.url === '/services/oauth2/token') return json(200, { access_token: 'token-0123456789', instance_url: nativeUrl });
      if (req.url?.startsWith('/services/data/v60.0/query')) {
        return json(200, { totalSize: 1, done: true, records: [{ Id: '001000000000001AAA' }] }, { 'sforce-limit-info': 'api-usage=42/15000' });
      }
      json(404, [{ errorCode: 'NOT_FOUND', message: 'The requested resource does not exist' }]);
    });
  });
  await new Promise<void>((resolve) => native.listen(0, '127.0.0.1', resolve));
  nativeUrl = `http://127.0.0.1:${(native.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => native?.close(resolve));
});

function observed(system: 'odoo' | 'salesforce') {
  const logs = captureLogs();
  const observability = createObservability(
    system === 'odoo' ? 'erp' : 'crm',
    { logLevel: 'debug', tracing: { mode: 'off' } },
    { logDestination: logs.destination },
  );
  const metrics = new SubgraphMetrics(observability.registry);
  return { observability, metrics, logs, observer: createNativeCallObserver(system, observability, metrics) };
}

function scope(observability: Observability, requestId: string) {
  return { requestId, logger: observability.logger.child({ requestId }), operationNames: [], hadErrors: false };
}

describe('a native call', () => {
  it('sends the request id to Odoo, and counts, times and logs the call by model and method', async () => {
    const { observability, logs, observer } = observed('odoo');
    const client = createOdooClient({ url: nativeUrl, db: 'odoo', login: 'admin', apiKey: 'key-never-logged-0123456789', observer });
    received.length = 0;
    await runWithRequest(scope(observability, 'req-odoo-1'), () => client.executeKw('res.partner', 'search_read', [[]], { fields: ['name'] }));
    await expect(runWithRequest(scope(observability, 'req-odoo-2'), () => client.executeKw('sale.order', 'read', [[1]]))).rejects.toBeInstanceOf(OdooError);
    await client.close();

    expect(received.map((r) => r.headers['x-request-id'])).toEqual(['req-odoo-1', 'req-odoo-1', 'req-odoo-2']);
    const samples = parsePrometheus(await observability.registry.metrics());
    const calls = samplesOf(samples, 'native_calls_total').map((s) => ({ ...s.labels, value: s.value }));
    expect(calls).toEqual(
      expect.arrayContaining([
        { system: 'odoo', object: 'common', method: 'authenticate', outcome: 'ok', value: 1 },
        { system: 'odoo', object: 'res.partner', method: 'search_read', outcome: 'ok', value: 1 },
        { system: 'odoo', object: 'sale.order', method: 'read', outcome: 'refused', value: 1 },
      ]),
    );
    expect(calls).toHaveLength(3);
    expect(samplesOf(samples, 'native_call_duration_seconds_count').reduce((sum, s) => sum + s.value, 0)).toBe(3);
    expect(logs.lines.map((l) => [l.requestId, l.object, l.method, l.outcome, l.error])).toEqual([
      ['req-odoo-1', 'common', 'authenticate', 'ok', undefined],
      ['req-odoo-1', 'res.partner', 'search_read', 'ok', undefined],
      ['req-odoo-2', 'sale.order', 'read', 'refused', 'OdooError'],
    ]);
    expect(JSON.stringify(logs.lines)).not.toContain('key-never-logged');
  });

  it('counts an Odoo that does not answer as unavailable, with a warning', async () => {
    const { observability, logs, observer } = observed('odoo');
    const client = createOdooClient({
      url: 'http://127.0.0.1:9',
      db: 'odoo',
      login: 'admin',
      apiKey: 'k',
      observer,
      resilience: { retryAttempts: 1, retryBaseDelayMs: 0, retryMaxDelayMs: 0, breakerFailures: 5, breakerHalfOpenAfterMs: 1000 },
    });
    await expect(client.executeKw('res.partner', 'read', [[1]])).rejects.toThrow(/Could not reach Odoo/);
    await client.close();
    const samples = parsePrometheus(await observability.registry.metrics());
    expect(samplesOf(samples, 'native_calls_total', { object: 'common', method: 'authenticate', outcome: 'unavailable' }).map((s) => s.value)).toEqual([1]);
    expect(logs.lines).toEqual([
      expect.objectContaining({ level: 'warn', msg: 'native call failed', outcome: 'unavailable', reason: expect.stringContaining('Could not reach Odoo') }),
    ]);
  });

  it('labels Salesforce calls by sObject and operation, sends the request id, and reads the API quota', async () => {
    const { observability, metrics, observer } = observed('salesforce');
    const client = new SalesforceClient({
      loginUrl: nativeUrl,
      apiVersion: '60.0',
      clientId: 'c',
      clientSecret: 'client-secret-never-logged',
      username: 'u',
      password: 'p',
      observer,
    });
    metrics.watchQuota('salesforce', () => client.lastLimitInfo);
    received.length = 0;
    await runWithRequest(scope(observability, 'req-sf-1'), () => client.query('SELECT Id, (SELECT Id FROM Contacts) FROM Account WHERE Name != null'));
    client.close();
    expect(received.map((r) => [r.path.split('?')[0], r.headers['x-request-id']])).toEqual([
      ['/services/oauth2/token', 'req-sf-1'],
      ['/services/data/v60.0/query', 'req-sf-1'],
    ]);
    const samples = parsePrometheus(await observability.registry.metrics());
    expect(
      samplesOf(samples, 'native_calls_total')
        .map((s) => `${s.labels.object}.${s.labels.method}:${s.labels.outcome}`)
        .sort(),
    ).toEqual(['Account.query:ok', 'oauth.token:ok']);
    expect(samplesOf(samples, 'native_api_quota').map((s) => [s.labels.kind, s.value])).toEqual([
      ['used', 42],
      ['max', 15000],
    ]);
  });
});

describe('Salesforce object labels', () => {
  it.each([
    ['/services/data/v60.0/query?q=SELECT+Id+FROM+Contact', 'Contact'],
    [`/services/data/v60.0/query?q=${encodeURIComponent('SELECT Id, (SELECT Id FROM Opportunities) FROM Account')}`, 'Account'],
    ['/services/data/v60.0/query/01gxx0000000001-2000', 'unknown'],
    ['/services/data/v60.0/composite/sobjects/Account', 'Account'],
    ['/services/data/v60.0/sobjects/Quote', 'Quote'],
    ['/services/data/v60.0/sobjects/Quote/0Q0000000000001AAA', 'Quote'],
    ['/services/data/v60.0/sobjects/Account/ERP_Customer_Number__c/C-1', 'Account'],
    ['/services/data/v60.0/sobjects/Account/describe', 'Account'],
  ])('%s is about %s', (path, object) => {
    expect(salesforceObjectOf(path)).toBe(object);
  });
});

describe('cache lookups', () => {
  it('counts hits, misses and stale entries per key', async () => {
    const observability = createObservability('erp', { logLevel: 'silent', tracing: { mode: 'off' } });
    const metrics = new SubgraphMetrics(observability.registry);
    let now = 0;
    const cache = countedCache(new MemoryCache({ staleSeconds: 60, maxEntries: 100, now: () => now }), metrics);
    await cache.setMany('res.partner', [['1', { id: 1 }]], 60);
    await cache.getMany('res.partner', ['1', '2', '3']);
    await cache.getMany('res.partner', ['1'], { includeStale: true });
    // Past its TTL, inside the stale window: a miss for a normal lookup, stale for the outage lookup after it.
    now = 90_000;
    await cache.getMany('res.partner', ['1']);
    await cache.getMany('res.partner', ['1', '2'], { includeStale: true });
    const samples = parsePrometheus(await observability.registry.metrics());
    expect(Object.fromEntries(samplesOf(samples, 'cache_requests_total', { type: 'res.partner' }).map((s) => [s.labels.result, s.value]))).toEqual({
      hit: 2,
      miss: 3,
      stale: 1,
    });
    await cache.close();
  });
});

describe('registries', () => {
  it('keeps two servers of one process apart: each its own registry, the same metric names in both', async () => {
    const [a, b] = [createObservability('gateway'), createObservability('gateway')];
    const [ma, mb] = [new GatewayMetrics(a.registry), new GatewayMetrics(b.registry)];
    ma.requests.inc({ operation: 'A', status: 'ok' });
    mb.requests.inc({ operation: 'B', status: 'ok' });
    const labelsOf = async (o: Observability) =>
      samplesOf(parsePrometheus(await o.registry.metrics()), 'graphql_requests_total').map((s) => s.labels.operation);
    expect([await labelsOf(a), await labelsOf(b)]).toEqual([['A'], ['B']]);
  });
});

describe('operation labels', () => {
  it('keeps the first names, then counts the rest as other', () => {
    const labels = new OperationLabels(2);
    expect([labels.of(['A']), labels.of(['B']), labels.of(['C']), labels.of(['A']), labels.of([]), labels.of(['A', 'B'])]).toEqual([
      'A',
      'B',
      'other',
      'A',
      'unknown',
      'batch',
    ]);
  });
});

describe('/metrics behind METRICS_TOKEN', () => {
  let server: Server;
  let url: string;

  beforeAll(async () => {
    const observability = createObservability('gateway', { logLevel: 'silent', tracing: { mode: 'off' }, metricsToken: 'scrape-token-0123456789' });
    server = createServer((req, res) => void serveMetrics(observability, req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}${METRICS_PATH}`;
  });

  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve));
  });

  it('answers 401 without the token, or with another', async () => {
    for (const headers of [{}, { authorization: 'Bearer another-token-0123456789' }] as Record<string, string>[]) {
      const response = await fetch(url, { headers });
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe('Bearer');
      expect(await response.text()).not.toContain('scrape-token');
    }
  });

  it('answers the Prometheus text format with it', async () => {
    const response = await fetch(url, { headers: { authorization: 'Bearer scrape-token-0123456789' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
  });
});
