/**
 * The gateway's @requiresScopes enforcement on its own, over a small local
 * schema: policies, null propagation, fragments, abstract types, mutations.
 */
import { ApolloServer } from '@apollo/server';
import { buildSchema, Kind, parse, type FragmentDefinitionNode, type OperationDefinitionNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import type { GatewayContext } from '../../gateway/src/context.js';
import { selectsUnauthorizedField, useFieldAuthorization } from '../../gateway/src/plugins/useFieldAuthorization.js';
import { readScopeRequirements } from '../../lib/requiresScopes.js';

const typeDefs = `
  directive @requiresScopes(scopes: [[String!]!]!) on FIELD_DEFINITION
  type Query { customer: Customer, customers: [Customer!]!, strict: Strict, node: Node }
  type Mutation { raise(amount: Float!): Float @requiresScopes(scopes: [["finance:write"]]), ping: String }
  interface Node { id: ID! }
  type Customer implements Node { id: ID!, name: String, creditLimit: Float @requiresScopes(scopes: [["finance:read"]]) }
  type Strict { limit: Float! @requiresScopes(scopes: [["finance:read"]]), other: String }
`;
const requirements = readScopeRequirements(parse(typeDefs));
let raised = 0;
const resolvers = {
  Query: {
    customer: () => ({ id: '1', name: 'ACME', creditLimit: 100 }),
    customers: () => [
      { id: '1', name: 'ACME', creditLimit: 100 },
      { id: '2', name: 'Bolt', creditLimit: 50 },
    ],
    strict: () => ({ limit: 1, other: 'x' }),
    node: () => ({ __typename: 'Customer', id: '1', name: 'ACME', creditLimit: 100 }),
  },
  Mutation: { raise: (_: unknown, { amount }: { amount: number }) => (raised += amount), ping: () => 'pong' },
  Node: { __resolveType: () => 'Customer' },
};

async function run(query: string, scopes: string[], policy: 'error' | 'mask' = 'error') {
  const server = new ApolloServer<GatewayContext>({ typeDefs, resolvers, plugins: [useFieldAuthorization({ requirements, policy })] });
  const response = await server.executeOperation({ query }, { contextValue: { caller: { subject: 't', scopes: new Set(scopes) } } });
  await server.stop();
  if (response.body.kind !== 'single') throw new Error('Expected a single result.');
  return { status: response.http.status, ...response.body.singleResult };
}

describe('useFieldAuthorization', () => {
  it('leaves a caller with the scope alone', async () => {
    const { data, errors } = await run('{ customer { name creditLimit } }', ['finance:read']);
    expect(errors).toBeUndefined();
    expect(data).toEqual({ customer: { name: 'ACME', creditLimit: 100 } });
  });

  it('nulls the field in every list item, with one error per path', async () => {
    const { data, errors } = await run('{ customers { name limit: creditLimit } }', []);
    expect(data).toEqual({
      customers: [
        { name: 'ACME', limit: null },
        { name: 'Bolt', limit: null },
      ],
    });
    expect(errors!.map((e) => e.path)).toEqual([
      ['customers', 0, 'limit'],
      ['customers', 1, 'limit'],
    ]);
    expect(errors![0]!.extensions).toMatchObject({ code: 'FORBIDDEN', field: 'Customer.creditLimit', missingScopes: ['finance:read'] });
  });

  it('masks silently under the mask policy', async () => {
    const { data, errors } = await run('{ customer { name creditLimit } }', [], 'mask');
    expect(data).toEqual({ customer: { name: 'ACME', creditLimit: null } });
    expect(errors).toBeUndefined();
  });

  it('propagates null from a non-null scoped field to its parent, as GraphQL does for an error', async () => {
    const { data, errors } = await run('{ strict { limit other } customer { name } }', []);
    expect(data).toEqual({ strict: null, customer: { name: 'ACME' } });
    expect(errors![0]!.path).toEqual(['strict', 'limit']);
  });

  it('follows fragments and abstract types', async () => {
    const { data } = await run('{ node { id ... on Customer { creditLimit } ...F } } fragment F on Node { ... on Customer { name } }', []);
    expect(data).toEqual({ node: { id: '1', creditLimit: null, name: 'ACME' } });
  });

  it('refuses a mutation field the caller lacks scopes for before it runs', async () => {
    raised = 0;
    const refused = await run('mutation { ping raise(amount: 5) }', []);
    expect(refused.status).toBe(403);
    expect(refused.data).toBeUndefined();
    expect(refused.errors![0]!.extensions).toMatchObject({ code: 'FORBIDDEN', field: 'Mutation.raise', missingScopes: ['finance:write'] });
    expect(raised).toBe(0);
    const allowed = await run('mutation { raise(amount: 5) }', ['finance:write']);
    expect(allowed.data).toEqual({ raise: 5 });
  });
});

describe('selectsUnauthorizedField (whether the response must be walked at all)', () => {
  const schema = buildSchema(typeDefs);
  const check = (query: string, scopes: string[]) => {
    const document = parse(query);
    const operation = document.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)!;
    const fragments = new Map(
      document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((f) => [f.name.value, f] as const),
    );
    return selectsUnauthorizedField(schema, schema.getQueryType()!, operation.selectionSet, fragments, requirements, new Set(scopes));
  };

  it('is false when no selected field needs a scope the caller lacks', () => {
    expect(check('{ customers { id name } strict { other } }', [])).toBe(false);
    expect(check('{ customer { name creditLimit } }', ['finance:read'])).toBe(false);
  });

  it('finds a scoped field through named and inline fragments and abstract types', () => {
    expect(check('{ customer { ...F } } fragment F on Customer { creditLimit }', [])).toBe(true);
    expect(check('{ node { id ... on Customer { creditLimit } } }', [])).toBe(true);
    expect(check('{ node { ...N } } fragment N on Node { ... on Customer { creditLimit } }', [])).toBe(true);
    expect(check('{ strict { limit } }', ['other:scope'])).toBe(true);
  });

  it('never skips what the response walk would redact: the same operations, both ways', async () => {
    for (const query of ['{ customers { name creditLimit } }', '{ node { ... on Customer { creditLimit } } }', '{ customer { name } }']) {
      const { errors } = await run(query, []);
      expect(check(query, []), query).toBe((errors ?? []).some((e) => e.extensions?.code === 'FORBIDDEN'));
    }
  });
});
