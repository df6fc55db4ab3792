/**
 * Request limits at the gateway — depth, aliases, cost, batch size, body size,
 * tokens — and trusted documents, introspection and the explorer switched off.
 * Each refusal is a 4xx with a code and a message naming the limit.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getIntrospectionQuery } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadGatewayConfig } from '../../gateway/src/config.js';
import { startGateway, type RunningGateway } from '../../gateway/src/server.js';
import { sha256 } from '../../gateway/src/plugins/useTrustedDocuments.js';
import { startTestStack, type TestStack } from '../helpers/startStack.js';
import { post } from '../helpers/auth.js';

const SECRET = 'limits-test-internal-secret-0123456789abcdef';
const LIMITS = {
  GATEWAY_MAX_DEPTH: '6',
  GATEWAY_MAX_ALIASES: '3',
  GATEWAY_MAX_COST: '2000',
  GATEWAY_DEFAULT_LIST_SIZE: '20',
  GATEWAY_MAX_BATCH: '3',
  GATEWAY_MAX_BODY_BYTES: '8192',
  GATEWAY_MAX_TOKENS: '500',
};

let stack: TestStack;
let url: string;

beforeAll(async () => {
  stack = await startTestStack({ env: { ...LIMITS, INTERNAL_SHARED_SECRET: SECRET } });
  url = stack.gateway.url;
});

afterAll(async () => {
  await stack?.stop();
});

/** A second gateway over the same subgraphs, with other settings. */
async function gatewayWith(env: Record<string, string>): Promise<RunningGateway> {
  const config = loadGatewayConfig({ INTERNAL_SHARED_SECRET: SECRET, GATEWAY_PORT: '0', ...env });
  config.subgraphUrls = { erp: stack.erpUrl, crm: stack.crmUrl, ...(stack.workflowUrl ? { workflow: stack.workflowUrl } : {}) };
  return startGateway(config);
}

function expectRefusal(answer: { status: number; body: any }, status: number, code: string, message: RegExp) {
  expect(answer.status).toBe(status);
  expect(answer.body.errors).toHaveLength(1);
  expect(answer.body.errors[0].extensions.code).toBe(code);
  expect(answer.body.errors[0].message).toMatch(message);
}

describe('depth', () => {
  it('refuses an operation nested deeper than GATEWAY_MAX_DEPTH, with QUERY_TOO_DEEP', async () => {
    const deep = '{ customer(number: "C00001") { salesOrders { customer { salesOrders { customer { salesOrders { number } } } } } } }';
    expectRefusal(await post(url, { query: deep }), 400, 'QUERY_TOO_DEEP', /at most 6 fields deep, but this one is 7 deep/);
  });

  it('counts depth through fragments', async () => {
    const query = `{ customer(number: "C00001") { ...A } }
      fragment A on Customer { salesOrders { customer { ...B } } }
      fragment B on Customer { salesOrders { customer { salesOrders { number } } } }`;
    expectRefusal(await post(url, { query }), 400, 'QUERY_TOO_DEEP', /this one is 7 deep/);
  });

  it('accepts an operation at the limit', async () => {
    const ok = '{ customer(number: "C00001") { salesOrders(first: 1) { customer { salesOrders(first: 1) { customer { number } } } } } }';
    const { status, body } = await post(url, { query: ok });
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
  });

  it('lets the standard introspection query through (explorers need it), but not a deeper one', async () => {
    const { status, body } = await post(url, { query: getIntrospectionQuery() });
    expect(status).toBe(200);
    expect(body.data.__schema.queryType.name).toBe('Query');
    const nested = `{ __schema { types { ${'fields { type { '.repeat(8)}name${' } }'.repeat(8)} } } }`;
    // graphql-js's own MaxIntrospectionDepthRule may refuse it first; either way it is a 400 about depth.
    const refused = await post(url, { query: nested });
    expect(refused.status).toBe(400);
    expect(refused.body.errors[0].message).toMatch(/depth|deep/i);
  });
});

describe('aliases', () => {
  it('refuses more than GATEWAY_MAX_ALIASES aliased fields, with TOO_MANY_ALIASES', async () => {
    const query = `{ a: customer(number: "C00001") { number } b: customer(number: "C00002") { number } c: customer(number: "C00003") { number } d: customer(number: "C00004") { number } }`;
    expectRefusal(await post(url, { query }), 400, 'TOO_MANY_ALIASES', /at most 3 aliased fields in one operation, but this one has 4/);
  });

  it('accepts as many as the limit', async () => {
    const query = `{ a: customer(number: "C00001") { number } b: customer(number: "C00002") { number } c: customer(number: "C00003") { number } }`;
    const { status, body } = await post(url, { query });
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
  });
});

describe('cost', () => {
  it('multiplies by `first`, including from variables, and refuses past GATEWAY_MAX_COST with QUERY_TOO_COMPLEX', async () => {
    const query = 'query ($n: Int) { customers(first: $n) { nodes { number salesOrders(first: 10) { number state } } } }';
    // customers 1 + n × (nodes 1 + number 1 + salesOrders (1 + 10 × 2)) = 1 + 23n
    const cheap = await post(url, { query, variables: { n: 5 } });
    expect(cheap.status).toBe(200);
    expect(cheap.body.errors).toBeUndefined();
    const dear = await post(url, { query, variables: { n: 100 } });
    expectRefusal(dear, 400, 'QUERY_TOO_COMPLEX', /costing at most 2000, but this one is estimated at 2301/);
    expect(dear.body.errors[0].extensions).toMatchObject({ maxCost: 2000, cost: 2301 });
  });

  it('uses the default list size for lists without `first`', async () => {
    // lines has no `first`: 20 assumed. 1 + 1 × (1 + 50 × (1 + 20 × (1 + 3))) ≈ 4052.
    const query = '{ salesOrders(first: 50) { nodes { lines { description quantity product { sku } } } } }';
    expectRefusal(await post(url, { query }), 400, 'QUERY_TOO_COMPLEX', /20 where none is given/);
  });
});

describe('batches, body size and tokens', () => {
  it('answers a batch of up to GATEWAY_MAX_BATCH operations, and refuses a larger one with BATCH_TOO_LARGE', async () => {
    const op = { query: '{ __typename }' };
    const ok = await post(url, [op, op, op]);
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual([{ data: { __typename: 'Query' } }, { data: { __typename: 'Query' } }, { data: { __typename: 'Query' } }]);
    expectRefusal(await post(url, [op, op, op, op]), 400, 'BATCH_TOO_LARGE', /at most 3 operations in one batched request, but it has 4/);
  });

  it('checks every operation of a batch against the limits', async () => {
    const deep = { query: '{ customer(number: "C00001") { salesOrders { customer { salesOrders { customer { salesOrders { number } } } } } } }' };
    const { status, body } = await post(url, [{ query: '{ __typename }' }, deep]);
    expect(status).toBeLessThan(500);
    expect(body[0]).toEqual({ data: { __typename: 'Query' } });
    expect(body[1].errors[0].extensions.code).toBe('QUERY_TOO_DEEP');
  });

  it('refuses a body over GATEWAY_MAX_BODY_BYTES with 413', async () => {
    const answer = await post(url, { query: '{ __typename }', variables: { pad: 'x'.repeat(9000) } });
    expectRefusal(answer, 413, 'PAYLOAD_TOO_LARGE', /exceeds the limit of 8192 bytes/);
  });

  it('stops parsing a document with more than GATEWAY_MAX_TOKENS tokens', async () => {
    const query = `{ ${Array.from({ length: 600 }, () => '__typename').join(' ')} }`;
    const { status, body } = await post(url, { query });
    expect(status).toBe(400);
    expect(body.errors[0].extensions.code).toBe('GRAPHQL_PARSE_FAILED');
    expect(body.errors[0].message).toMatch(/more tha[nt] 500 tokens/);
  });
});

describe('trusted documents', () => {
  let trusted: RunningGateway;
  const listed = 'query Listed($n: ID!) {\n  customer(number: $n) { number legalName }\n}\n';

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'trusted-'));
    writeFileSync(join(dir, 'listed.graphql'), listed);
    writeFileSync(join(dir, 'notes.txt'), 'not an operation');
    trusted = await gatewayWith({ GATEWAY_TRUSTED_DOCUMENTS: 'true', GATEWAY_TRUSTED_DOCUMENTS_DIR: dir });
  });

  afterAll(async () => {
    await trusted?.stop();
  });

  it('runs a listed operation sent by its sha256Hash alone', async () => {
    const { status, body } = await post(trusted.url, {
      variables: { n: 'C00001' },
      extensions: { persistedQuery: { version: 1, sha256Hash: sha256(listed) } },
    });
    expect(status).toBe(200);
    expect(body.data.customer.number).toBe('C00001');
  });

  it('runs a listed operation sent as its full text', async () => {
    const { status, body } = await post(trusted.url, { query: listed.trim(), variables: { n: 'C00001' } });
    expect(status).toBe(200);
    expect(body.data.customer.number).toBe('C00001');
  });

  it('refuses any other document, and any unknown hash, with PERSISTED_QUERY_NOT_IN_LIST', async () => {
    expectRefusal(await post(trusted.url, { query: '{ customers(first: 1) { nodes { number } } }' }), 400, 'PERSISTED_QUERY_NOT_IN_LIST', /not on it/);
    expectRefusal(
      await post(trusted.url, { extensions: { persistedQuery: { version: 1, sha256Hash: sha256('{ __typename }') } } }),
      400,
      'PERSISTED_QUERY_NOT_IN_LIST',
      /is not on it/,
    );
    expectRefusal(await post(trusted.url, { query: getIntrospectionQuery() }), 400, 'PERSISTED_QUERY_NOT_IN_LIST', /not on it/);
  });

  it('builds its list from schema/operations by default', () => {
    const config = loadGatewayConfig({ GATEWAY_TRUSTED_DOCUMENTS: 'true' });
    expect(config.trustedDocuments.dir).toMatch(/schema\/operations$/);
  });
});

describe('production switches', () => {
  it('turns introspection and the explorer off by default in production', () => {
    const config = loadGatewayConfig({
      NODE_ENV: 'production',
      AUTH_MODE: 'hs256',
      AUTH_JWT_SECRET: 's'.repeat(40),
      AUTH_ISSUER: 'https://id.example',
      INTERNAL_SHARED_SECRET: SECRET,
    });
    expect(config.introspection).toBe(false);
    expect(config.explorer).toBe(false);
  });

  it('answers no introspection and serves no explorer when switched off', async () => {
    const closed = await gatewayWith({ GATEWAY_INTROSPECTION: 'false', GATEWAY_EXPLORER: 'false' });
    try {
      const { status, body } = await post(closed.url, { query: '{ __schema { queryType { name } } }' });
      expect(status).toBe(400);
      expect(body.errors[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
      expect(body.errors[0].message).toMatch(/introspection/i);
      const page = await fetch(closed.url.replace(/graphql$/, ''));
      expect(page.status).toBe(404);
      await page.text();
    } finally {
      await closed.stop();
    }
  });
});
