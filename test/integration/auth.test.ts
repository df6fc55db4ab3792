/**
 * Authentication (JWT bearer tokens at the gateway) and field authorization
 * (`@requiresScopes`, enforced at the gateway and again in each subgraph),
 * end to end through the real stack.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildWorld } from '../../emulators/seed/world.js';
import { signInternalRequest } from '../../lib/internalAuth.js';
import { startTestStack, type TestStack } from '../helpers/startStack.js';
import { ALL_SCOPES, authEnv, post, TEST_INTERNAL_SECRET, token } from '../helpers/auth.js';

const world = buildWorld('small');
const company = world.companies.find((c) => c.inErp && c.inCrm && !c.conflictingCrmAccountId)!;
const employee = world.employees.find((e) => e.managerEmail)!;
const product = world.products.find((p) => p.kind === 'finished')!;

let stack: TestStack;
let full: string;
let none: string;

beforeAll(async () => {
  // The entity cache is on, so the test below can show that cached records obey field authorization.
  stack = await startTestStack({ env: authEnv({ CACHE_MODE: 'memory' }) });
  full = await token(ALL_SCOPES);
  none = await token([]);
});

afterAll(async () => {
  await stack?.stop();
});

const gql = (query: string, bearer?: string, variables: Record<string, unknown> = {}) =>
  post(stack.gateway.url, { query, variables }, bearer ? { authorization: `Bearer ${bearer}` } : {});

describe('authentication', () => {
  it('answers 401 UNAUTHENTICATED without a token', async () => {
    const { status, body, headers } = await gql('{ __typename }');
    expect(status).toBe(401);
    expect(headers.get('www-authenticate')).toBe('Bearer');
    expect(body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
    expect(body.errors[0].message).toMatch(/Authorization: Bearer/);
  });

  it.each([
    ['an expired token', () => token(ALL_SCOPES, { expiresIn: Math.floor(Date.now() / 1000) - 3600 }), /expired/],
    ['a token signed with another secret', () => token(ALL_SCOPES, { secret: 'another-secret-0123456789abcdef0123456789' }), /signature/],
    ['a token from another issuer', () => token(ALL_SCOPES, { issuer: 'https://evil.test' }), /issued by/],
    ['a token for another audience', () => token(ALL_SCOPES, { audience: 'someone-else' }), /audience/],
    ['a token that is not a JWT', async () => 'not.a.jwt', /JSON Web Token/],
  ])('answers 401 for %s, without echoing the token', async (_, make, message) => {
    const bad = await make();
    const { status, body } = await gql('{ __typename }', bad);
    expect(status).toBe(401);
    expect(body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
    expect(body.errors[0].message).toMatch(message);
    expect(JSON.stringify(body)).not.toContain(bad);
  });

  it('answers 401 for an Authorization header that is not a bearer token', async () => {
    const { status, body } = await post(stack.gateway.url, { query: '{ __typename }' }, { authorization: 'Basic dXNlcjpwYXNz' });
    expect(status).toBe(401);
    expect(body.errors[0].message).toMatch(/Bearer <token>/);
  });

  it('accepts a valid token', async () => {
    const { status, body } = await gql('{ __typename }', full);
    expect(status).toBe(200);
    expect(body).toEqual({ data: { __typename: 'Query' } });
  });
});

describe('field authorization with @requiresScopes', () => {
  const customerQuery = `query ($n: ID!) { customer(number: $n) { number legalName creditLimit { amount } balanceDue { amount } } }`;

  it('returns scoped fields to a caller with the scopes', async () => {
    const { body } = await gql(customerQuery, full, { n: company.erpNumber });
    expect(body.errors).toBeUndefined();
    expect(body.data.customer.creditLimit.amount).toBe(company.creditLimit);
  });

  it('nulls each scoped field for a caller without the scope, with one FORBIDDEN error per field naming field and scope', async () => {
    const { status, body } = await gql(customerQuery, none, { n: company.erpNumber });
    expect(status).toBe(200);
    expect(body.data.customer).toEqual({ number: company.erpNumber, legalName: company.name, creditLimit: null, balanceDue: null });
    expect(body.errors).toHaveLength(2);
    for (const error of body.errors) {
      expect(error.extensions.code).toBe('FORBIDDEN');
      expect(error.extensions.missingScopes).toEqual(['finance:read']);
      expect(error.message).toMatch(/"Customer\.(creditLimit|balanceDue)" requires the scope "finance:read"/);
    }
    expect(body.errors.map((e: { path: string[] }) => e.path.join('.')).sort()).toEqual(['customer.balanceDue', 'customer.creditLimit']);
  });

  it('applies across systems and through aliases, fragments and lists', async () => {
    const hrOnly = await token(['hr:read']);
    const { body } = await gql(
      `query ($id: ID!) {
        account(id: $id) { name customer { ...Money limit: creditLimit { amount } } owner { employee { name jobTitle } } }
      }
      fragment Money on Customer { balanceDue { amount } }`,
      hrOnly,
      { id: company.crmAccountId },
    );
    expect(body.data.account.customer).toEqual({ balanceDue: null, limit: null });
    expect(body.data.account.owner.employee.jobTitle).toEqual(expect.any(String));
    expect(body.errors.map((e: { path: string[] }) => e.path.join('.')).sort()).toEqual(['account.customer.balanceDue', 'account.customer.limit']);
  });

  it('guards HR data with hr:read and cost with cost:read', async () => {
    const finance = await token(['finance:read']);
    const { body } = await gql(
      `query ($e: ID!, $s: ID!) { employee(workEmail: $e) { name jobTitle department manager { name } } product(sku: $s) { name cost { amount } } }`,
      finance,
      { e: employee.workEmail, s: product.sku },
    );
    expect(body.data.employee).toEqual({ name: employee.name, jobTitle: null, department: null, manager: null });
    expect(body.data.product).toEqual({ name: product.name, cost: null });
    const fields = body.errors
      .map((e: { extensions: { field: string; missingScopes: string[] } }) => `${e.extensions.field}:${e.extensions.missingScopes}`)
      .sort();
    expect(fields).toEqual(['Employee.department:hr:read', 'Employee.jobTitle:hr:read', 'Employee.manager:hr:read', 'Product.cost:cost:read']);
  });

  it('does not let data read for one caller leak to the next: a caller with the scope first, then one without', async () => {
    const other = world.companies.find((c) => c.inErp && c.erpNumber !== company.erpNumber)!;
    const query = `query ($n: ID!) { customer(number: $n) { creditLimit { amount } } }`;
    const first = await gql(query, full, { n: other.erpNumber });
    expect(first.body.data.customer.creditLimit.amount).toBe(other.creditLimit);
    stack.resetNativeCalls();
    const second = await gql(query, none, { n: other.erpNumber });
    // Served from the cache the first caller warmed: no read of the partner, and still no credit limit.
    expect(Object.keys(stack.nativeCalls().erp).filter((k) => k.startsWith('res.partner'))).toEqual([]);
    expect(second.body.data.customer.creditLimit).toBeNull();
    expect(second.body.errors[0].extensions.code).toBe('FORBIDDEN');
    // And the first caller still sees it afterwards.
    const third = await gql(query, full, { n: other.erpNumber });
    expect(third.body.data.customer.creditLimit.amount).toBe(other.creditLimit);
  });
});

describe('subgraphs answer only the gateway', () => {
  const body = JSON.stringify({ query: '{ _service { sdl } }' });

  it('rejects a direct call without a signature with 401', async () => {
    for (const url of [stack.erpUrl, stack.crmUrl]) {
      const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      expect(response.status).toBe(401);
      const answer = (await response.json()) as any;
      expect(answer.errors[0].extensions.code).toBe('UNAUTHENTICATED');
      expect(answer.errors[0].message).toMatch(/x-internal-auth/);
    }
  });

  it('rejects a signature made with another secret, or an old one', async () => {
    const wrong = signInternalRequest('x'.repeat(40), body, ['finance:read']);
    const old = signInternalRequest('x'.repeat(40), body, [], Date.now() - 10 * 60_000);
    for (const headers of [wrong, old]) {
      const response = await fetch(stack.erpUrl, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
      expect(response.status).toBe(401);
    }
  });

  it('rejects a signed request whose scopes were changed on the way', async () => {
    const signed = signInternalRequest(TEST_INTERNAL_SECRET, body, []);
    const tampered = { ...signed, 'x-caller-scopes': 'finance:read' };
    const response = await fetch(stack.erpUrl, { method: 'POST', headers: { 'content-type': 'application/json', ...tampered }, body });
    expect(response.status).toBe(401);
  });

  it('enforces @requiresScopes in the subgraph too, for a correctly signed request (defence in depth)', async () => {
    const entity = JSON.stringify({
      query: 'query ($r: [_Any!]!) { _entities(representations: $r) { ... on Customer { number creditLimit { amount } } } }',
      variables: { r: [{ __typename: 'Customer', number: company.erpNumber }] },
    });
    const ask = async (scopes: string[]) => {
      const headers = { 'content-type': 'application/json', ...signInternalRequest(TEST_INTERNAL_SECRET, entity, scopes) };
      return (await (await fetch(stack.erpUrl, { method: 'POST', headers, body: entity })).json()) as any;
    };
    const without = await ask([]);
    expect(without.data._entities[0]).toEqual({ number: company.erpNumber, creditLimit: null });
    expect(without.errors[0].extensions).toMatchObject({ code: 'FORBIDDEN', field: 'Customer.creditLimit', missingScopes: ['finance:read'] });
    const withScope = await ask(['finance:read']);
    expect(withScope.errors).toBeUndefined();
    expect(withScope.data._entities[0].creditLimit.amount).toBe(company.creditLimit);
  });
});
