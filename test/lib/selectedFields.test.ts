import { buildSchema, execute, parse, type DocumentNode, type GraphQLResolveInfo } from 'graphql';
import { describe, expect, it } from 'vitest';
import { selectedBelow, selectedFieldNames, type SelectionStep } from '../../lib/selectedFields.js';

const schema = buildSchema(`
  interface Party { name: String }
  type Customer implements Party { name: String segment: String contacts: [String] orders: [Order] }
  type Order { number: String lines: [Line] }
  type Line { product: String quantity: Int }
  type Supplier implements Party { name: String rating: Int }
  union Entity = Customer | Supplier
  type Query { entity: Entity }
`);

/** The names selected on Customer below `entity`, as its resolver sees them. */
async function selectedOn(
  source: string | DocumentNode,
  variableValues: Record<string, unknown> = {},
  path: SelectionStep[] = [],
  type = 'Customer',
): Promise<string[]> {
  let seen: ReadonlySet<string> | undefined;
  const rootValue = {
    entity: (_args: unknown, _context: unknown, info: GraphQLResolveInfo) => {
      seen = path.length === 0 ? selectedFieldNames(info, type) : selectedBelow(info, path, type);
      return { __typename: 'Customer' };
    },
  };
  const document = typeof source === 'string' ? parse(source) : source;
  const answer = await execute({ schema, document, rootValue, variableValues });
  expect(answer.errors).toBeUndefined();
  return [...seen!].sort();
}

describe('selectedFieldNames', () => {
  it('follows fragments that apply to the type, by name or through an interface, and skips the others', async () => {
    const names = await selectedOn(`
      { entity { __typename ... on Customer { segment } ... on Party { name } ... on Supplier { rating } ...More } }
      fragment More on Customer { contacts }
    `);
    expect(names).toEqual(['__typename', 'contacts', 'name', 'segment']);
  });

  it('leaves out what @skip or @include turns off, with literal or variable conditions', async () => {
    const query = parse(
      `query ($with: Boolean!) { entity { ... on Customer { segment @skip(if: true) name @include(if: $with) contacts @skip(if: $with) } } }`,
    );
    expect(await selectedOn(query, { with: true })).toEqual(['name']);
    expect(await selectedOn(query, { with: false })).toEqual(['contacts']);
  });

  it('looks further down a path of fields, merging every place the path is selected', async () => {
    const path = [
      { type: 'Customer', field: 'orders' },
      { type: 'Order', field: 'lines' },
    ];
    const query = `
      { entity { ... on Customer { orders { number ...Lines } orders { lines { product @skip(if: true) } } } } }
      fragment Lines on Order { lines { quantity } }
    `;
    expect(await selectedOn(query, {}, path, 'Line')).toEqual(['quantity']);
    expect(await selectedOn(`{ entity { ... on Customer { orders { lines { product } } orders { lines { quantity } } } } }`, {}, path, 'Line')).toEqual([
      'product',
      'quantity',
    ]);
    expect(await selectedOn(`{ entity { ... on Customer { orders { number } } } }`, {}, path, 'Line')).toEqual([]);
    expect(await selectedOn(`{ entity { ... on Customer { orders { lines { quantity } } } } }`, {}, path.slice(0, 1), 'Order')).toEqual(['lines']);
  });
});
