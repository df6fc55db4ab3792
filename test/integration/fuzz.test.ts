/**
 * Malformed and hostile HTTP requests against the gateway's node:http front:
 * each gets a 4xx with a message — never a 5xx, a hang or a crash — and the
 * gateway still answers afterwards. The fuzz part generates hundreds of cases
 * from a seeded PRNG, so a failure names a seed and case that reproduce it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStack, type TestStack } from '../helpers/startStack.js';

const SEED = Number(process.env.FUZZ_SEED ?? 20261127);
const CASES = Number(process.env.FUZZ_CASES ?? 400);

let stack: TestStack;
let url: string;

beforeAll(async () => {
  stack = await startTestStack();
  url = stack.gateway.url;
});

afterAll(async () => {
  await stack?.stop();
});

interface Sent {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
  search?: string;
}

async function send({ method = 'POST', headers = {}, body, search = '' }: Sent): Promise<{ status: number; text: string }> {
  const response = await fetch(url + search, { method, headers, body: body as BodyInit | undefined, signal: AbortSignal.timeout(15_000) });
  return { status: response.status, text: await response.text() };
}

function expectClientError(answer: { status: number; text: string }, status?: number) {
  if (status !== undefined) expect(answer.status, answer.text).toBe(status);
  expect(answer.status, answer.text).toBeGreaterThanOrEqual(400);
  expect(answer.status, answer.text).toBeLessThan(500);
  expect(answer.text.length, 'a refusal says why').toBeGreaterThan(0);
}

const json = { 'content-type': 'application/json' };

describe('malformed requests', () => {
  it('invalid JSON is a 400 that says so', async () => {
    const answer = await send({ headers: json, body: '{"query": "{ __typename }"' });
    expectClientError(answer, 400);
    expect(answer.text).toMatch(/could not be parsed/);
  });

  it('an empty body is a 400', async () => {
    expectClientError(await send({ headers: json, body: '' }), 400);
  });

  it.each([
    ['"just a string"'],
    ['42'],
    ['null'],
    ['[]'],
    ['{"query": 42}'],
    ['{"query": "{ __typename }", "variables": "x"}'],
    ['{"query": "{ __typename }", "extensions": 7}'],
    ['{}'],
  ])('a JSON body of the wrong shape (%s) is a 400', async (body) => {
    expectClientError(await send({ headers: json, body }), 400);
  });

  it('a wrong content type is refused (CSRF prevention: no simple-request POSTs)', async () => {
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
      const answer = await send({ headers: { 'content-type': type }, body: '{"query":"{ __typename }"}' });
      expectClientError(answer, 400);
    }
    // No content type at all is no better.
    expectClientError(await send({ body: '{"query":"{ __typename }"}' }));
  });

  it('a GET query without a preflight header is blocked as possible CSRF, and allowed with one', async () => {
    const search = `?query=${encodeURIComponent('{ __typename }')}`;
    const blocked = await send({ method: 'GET', search });
    expectClientError(blocked, 400);
    expect(blocked.text).toMatch(/Cross-Site Request Forgery/);
    const allowed = await send({ method: 'GET', search, headers: { 'apollo-require-preflight': 'true' } });
    expect(allowed.status).toBe(200);
    expect(JSON.parse(allowed.text)).toEqual({ data: { __typename: 'Query' } });
  });

  it('a mutation over GET is refused with 405', async () => {
    const search = `?query=${encodeURIComponent('mutation { __typename }')}`;
    expectClientError(await send({ method: 'GET', search, headers: { 'apollo-require-preflight': 'true' } }), 405);
  });

  it.each([['PUT'], ['DELETE'], ['PATCH'], ['OPTIONS']])('the %s method is refused with a 4xx', async (method) => {
    expectClientError(await send({ method, headers: json, body: method === 'OPTIONS' ? undefined : '{"query":"{ __typename }"}' }));
  });

  it('a huge string argument is answered, not crashed on', async () => {
    const answer = await send({
      headers: json,
      body: JSON.stringify({ query: 'query ($n: ID!) { customer(number: $n) { number } }', variables: { n: 'C'.repeat(500_000) } }),
    });
    expect(answer.status).toBeLessThan(500);
    expect(answer.text).not.toMatch(/INTERNAL_SERVER_ERROR/);
  });

  it('deeply nested JSON and deeply nested GraphQL input are 4xx', async () => {
    const deepJson = `{"query":"{ __typename }","variables":{"a":${'['.repeat(100_000)}${']'.repeat(100_000)}}}`;
    expect((await send({ headers: json, body: deepJson })).status).toBeLessThan(500);
    const deepLiteral = `{ customer(number: ${'['.repeat(3000)}"x"${']'.repeat(3000)}) { number } }`;
    expectClientError(await send({ headers: json, body: JSON.stringify({ query: deepLiteral }) }), 400);
    const deepVariable = {
      query: 'query ($n: ID!) { customer(number: $n) { number } }',
      variables: { n: JSON.parse(`${'['.repeat(1000)}1${']'.repeat(1000)}`) },
    };
    expectClientError(await send({ headers: json, body: JSON.stringify(deepVariable) }), 400);
  });

  it('an operationName that picks no operation is a 400 listing the operations there are (not a 500)', async () => {
    const body = (operationName: unknown) => JSON.stringify({ query: 'query A { __typename } query B { __typename }', operationName });
    const unknown = await send({ headers: json, body: body('Nope') });
    expectClientError(unknown, 400);
    expect(JSON.parse(unknown.text).errors[0]).toMatchObject({
      message: 'Expected an operation named "Nope" in the document, but it has only: "A", "B".',
      extensions: { code: 'OPERATION_RESOLUTION_FAILURE' },
    });
    expectClientError(await send({ headers: json, body: body(undefined) }), 400);
    expectClientError(await send({ headers: json, body: JSON.stringify({ query: 'mutation { __typename }', operationName: '' }) }), 400);
  });

  it('a malformed persistedQuery extension is a 400 with a code', async () => {
    for (const persistedQuery of [{ version: 2, sha256Hash: 'f'.repeat(64) }, { version: 1, sha256Hash: 7 }, { version: 1, sha256Hash: 'abc' }, 'x']) {
      const answer = await send({ headers: json, body: JSON.stringify({ extensions: { persistedQuery } }) });
      expectClientError(answer, 400);
      expect(JSON.parse(answer.text).errors[0].extensions.code).toBe('PERSISTED_QUERY_INVALID');
    }
    const overGet = await send({
      method: 'GET',
      search: `?extensions=${encodeURIComponent('{"persistedQuery":{"version":9}}')}`,
      headers: { 'apollo-require-preflight': 'true' },
    });
    expectClientError(overGet, 400);
    expect(JSON.parse(overGet.text).errors[0].extensions.code).toBe('PERSISTED_QUERY_INVALID');
  });

  it('random bytes are a 4xx', async () => {
    const bytes = new Uint8Array(4096).map((_, i) => (i * 7919 + 13) % 256);
    expectClientError(await send({ headers: json, body: bytes }));
  });

  it('an unknown path is a 404 naming where GraphQL is', async () => {
    const response = await fetch(url.replace(/\/graphql$/, '/nothing-here'));
    expect(response.status).toBe(404);
    expect(await response.text()).toMatch(/\/graphql/);
  });
});

// --- fuzz ------------------------------------------------------------------

/** mulberry32: small, fast and reproducible from one 32-bit seed. */
function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;
  return { next, int, pick };
}

const VALID = [
  '{ __typename }',
  'query ($n: ID!) { customer(number: $n) { number legalName creditLimit { amount } salesOrders(first: 3) { number state } } }',
  '{ customers(first: 5) { totalCount nodes { number crmIdentity account { name owner { email } } } } }',
  'query ($id: ID!) { account(id: $id) { name customer { number balanceDue { amount } } openOpportunities { name stage } } }',
  '{ products(first: 3) { nodes { sku name cost { amount } billOfMaterials { components { product { sku } quantity } } } } }',
  'query ($e: ID!) { employee(workEmail: $e) { name jobTitle manager { name } crmUser { id } } }',
  '{ salesOrders(first: 2) { nodes { number customer { legalName } opportunity { name } lines { quantity product { sku } } } } }',
  'query Q { customer(number: "C00001") { ...F } } fragment F on Customer { number email }',
  'mutation { __typename }',
];
const TOKENS = [
  '{',
  '}',
  '(',
  ')',
  '[',
  ']',
  ':',
  '$',
  '...',
  '@include(if: true)',
  '@skip(if: $x)',
  'query',
  'mutation',
  'subscription',
  'fragment',
  'on',
  '__schema',
  '__type(name: "Customer")',
  'customer',
  'customers(first: -1)',
  'first: 99999999999',
  'number',
  '"\\u0000"',
  '"\\uD800"',
  '"',
  '#',
  '\n',
  ',',
  '!',
  '=',
  '1e309',
  'null',
  'true',
  '$n',
  'ID!',
  '"""',
  'Customer',
  'a: customer(number: "C00001") { number }',
];
const CONTENT_TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'application/graphql',
  'text/plain',
  'application/json; charset=latin1',
  '',
  'application/graphql-response+json',
  'application/JSON',
];
const METHODS = ['POST', 'POST', 'POST', 'POST', 'GET', 'PUT', 'DELETE', 'HEAD'];
const VARIABLE_VALUES = [
  null,
  0,
  -1,
  1e308,
  'C00001',
  "' OR Name != '",
  '%',
  '',
  'x'.repeat(10_000),
  [],
  [[[]]],
  {},
  { __proto__: { polluted: true } },
  true,
  '0015g00000ABCDEFGH',
  '\u0000\uffff',
  { n: { n: { n: 1 } } },
];

function generateCase(r: ReturnType<typeof prng>): Sent {
  const method = r.pick(METHODS);
  const contentType = r.pick(CONTENT_TYPES);
  const headers: Record<string, string> = contentType ? { 'content-type': contentType } : {};
  if (r.next() < 0.3) headers['apollo-require-preflight'] = 'true';
  if (r.next() < 0.1) headers.authorization = r.pick(['Bearer x', 'Bearer ', 'Basic Zm9v', 'Bearer a.b.c', 'x'.repeat(2000)]);
  let query = r.pick(VALID);
  switch (r.int(6)) {
    case 0: // token soup
      query = Array.from({ length: 1 + r.int(60) }, () => r.pick(TOKENS)).join(' ');
      break;
    case 1: // truncated
      query = query.slice(0, r.int(query.length));
      break;
    case 2: // characters flipped
      query = [...query].map((c) => (r.next() < 0.05 ? String.fromCharCode(r.int(0x2fff)) : c)).join('');
      break;
    case 3: // a token inserted
      {
        const at = r.int(query.length);
        query = query.slice(0, at) + ' ' + r.pick(TOKENS) + ' ' + query.slice(at);
      }
      break;
    default: // valid as is
  }
  const variables: Record<string, unknown> = {};
  for (const name of ['n', 'id', 'e', 'x']) if (r.next() < 0.7) variables[name] = r.pick(VARIABLE_VALUES);
  let payload: unknown = { query, variables, ...(r.next() < 0.2 ? { operationName: r.pick(['Q', '', 'Nope', 42]) } : {}) };
  if (r.next() < 0.1) payload = Array.from({ length: 1 + r.int(4) }, () => payload);
  if (r.next() < 0.1) payload = { extensions: { persistedQuery: { version: r.pick([1, 2, '1']), sha256Hash: r.pick(['abc', 'f'.repeat(64), 7]) } } };
  let body: string | Uint8Array | undefined = JSON.stringify(payload);
  const damage = r.next();
  if (damage < 0.08) body = new Uint8Array(Array.from({ length: r.int(2048) }, () => r.int(256)));
  else if (damage < 0.16) body = body.slice(0, r.int(body.length));
  else if (damage < 0.2) body = body.replace(/"/g, r.pick(["'", '', '\\"']));
  if (method === 'GET' || method === 'HEAD') {
    return { method, headers, search: `?query=${encodeURIComponent(query)}&variables=${encodeURIComponent(JSON.stringify(variables))}` };
  }
  return { method, headers, body };
}

describe('fuzz', () => {
  it(`answers ${CASES} generated requests (seed ${SEED}) without a 5xx or an unexpected error, and stays healthy`, async () => {
    const r = prng(SEED);
    const cases = Array.from({ length: CASES }, (_, i) => ({ i, sent: generateCase(r) }));
    const failures: string[] = [];
    const statuses = new Map<number, number>();
    // A few at a time, as clients would arrive.
    for (let start = 0; start < cases.length; start += 8) {
      await Promise.all(
        cases.slice(start, start + 8).map(async ({ i, sent }) => {
          try {
            const { status, text } = await send(sent);
            statuses.set(status, (statuses.get(status) ?? 0) + 1);
            if (status >= 500 || /INTERNAL_SERVER_ERROR/.test(text))
              failures.push(`case ${i} (seed ${SEED}): ${status} ${text.slice(0, 300)} for ${JSON.stringify(sent).slice(0, 300)}`);
          } catch (error) {
            failures.push(`case ${i} (seed ${SEED}): ${(error as Error).message} for ${JSON.stringify(sent).slice(0, 300)}`);
          }
        }),
      );
    }
    expect(failures).toEqual([]);
    // Most cases should be refused; some valid ones should have run.
    expect(statuses.get(200) ?? 0).toBeGreaterThan(0);
    const health = await fetch(url.replace(/\/graphql$/, '/health/live'));
    expect(health.status).toBe(200);
    expect((await stack.query('{ customer(number: "C00001") { number } }')).data).toEqual({ customer: { number: 'C00001' } });
  });
});
