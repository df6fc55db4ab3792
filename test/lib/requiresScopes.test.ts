import { buildSchema, graphql, parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { declaredScopes, enforceRequiresScopes, missingScopes, readScopeRequirements } from '../../lib/requiresScopes.js';

const SDL = `
  directive @requiresScopes(scopes: [[String!]!]!) on FIELD_DEFINITION | OBJECT
  type Query { customer: Customer, payroll: Payroll }
  type Customer {
    name: String
    creditLimit: Float @requiresScopes(scopes: [["finance:read"]])
    secret: String @requiresScopes(scopes: [["a", "b"], ["admin"]])
  }
  type Payroll @requiresScopes(scopes: [["hr:read"]]) {
    total: Float
    bonus: Float @requiresScopes(scopes: [["finance:read"]])
  }
`;

describe('readScopeRequirements', () => {
  it('reads field and type requirements, a type requirement combining with each field', () => {
    const requirements = readScopeRequirements(parse(SDL));
    expect(Object.fromEntries(requirements)).toEqual({
      'Customer.creditLimit': [['finance:read']],
      'Customer.secret': [['a', 'b'], ['admin']],
      'Payroll.total': [['hr:read']],
      'Payroll.bonus': [['hr:read', 'finance:read']],
    });
    expect(declaredScopes(requirements)).toEqual(['a', 'admin', 'b', 'finance:read', 'hr:read']);
  });
});

describe('missingScopes', () => {
  it('is null when any alternative is fully held, else the shortest list still missing', () => {
    const requirement = [['a', 'b'], ['admin']];
    expect(missingScopes(requirement, new Set(['a', 'b']))).toBeNull();
    expect(missingScopes(requirement, new Set(['admin']))).toBeNull();
    expect(missingScopes(requirement, new Set(['a']))).toEqual(['b']);
    expect(missingScopes(requirement, new Set())).toEqual(['admin']);
    expect(missingScopes([], new Set(['a']))).not.toBeNull();
  });
});

describe('enforceRequiresScopes', () => {
  const schema = enforceRequiresScopes(buildSchema(SDL), (context) => (context as { scopes: Set<string> }).scopes);
  const root = { customer: { name: 'ACME', creditLimit: 1000, secret: 's' }, payroll: { total: 5, bonus: 1 } };
  const run = (scopes: string[]) =>
    graphql({ schema, source: '{ customer { name creditLimit secret } payroll { total bonus } }', rootValue: root, contextValue: { scopes: new Set(scopes) } });

  it('resolves scoped fields for a caller holding the scopes', async () => {
    expect((await run(['finance:read', 'hr:read', 'admin'])).data).toEqual(root);
  });

  it('returns null and FORBIDDEN naming field and scope otherwise', async () => {
    const result = await run(['hr:read']);
    expect(result.data).toEqual({ customer: { name: 'ACME', creditLimit: null, secret: null }, payroll: { total: 5, bonus: null } });
    const forbidden = result.errors!.map((e) => [e.path!.join('.'), e.extensions.code, e.extensions.missingScopes]);
    expect(forbidden).toEqual([
      ['customer.creditLimit', 'FORBIDDEN', ['finance:read']],
      ['customer.secret', 'FORBIDDEN', ['admin']],
      ['payroll.bonus', 'FORBIDDEN', ['finance:read']],
    ]);
    expect(result.errors![0]!.message).toBe('Field "Customer.creditLimit" requires the scope "finance:read", which the caller\'s token does not grant.');
  });
});
