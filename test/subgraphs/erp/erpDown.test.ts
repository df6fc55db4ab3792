/**
 * With Odoo down, the subgraph still answers: each field that needs the ERP
 * gets an error naming it, with code NATIVE_SYSTEM_UNAVAILABLE, and nothing
 * crashes. Arguments are still validated before Odoo is asked.
 */
import { createServer } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestSubgraph, type TestSubgraph } from './helpers.js';

let subgraph: TestSubgraph;
let closedUrl: string;

beforeAll(async () => {
  // A port that was free a moment ago and has nothing listening now.
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  closedUrl = `http://127.0.0.1:${port}`;
  subgraph = await startTestSubgraph(closedUrl);
});

afterAll(async () => {
  await subgraph?.stop();
});

it('answers a root field with an error naming the ERP', async () => {
  const { data, errors } = await subgraph.query(`{ customer(number: "C00001") { legalName } }`);
  expect(data).toEqual({ customer: null });
  expect(errors).toHaveLength(1);
  expect(errors![0]!.extensions).toMatchObject({ code: 'NATIVE_SYSTEM_UNAVAILABLE', system: 'erp' });
  expect(errors![0]!.message).toMatch(/^The ERP \(Odoo\) is unavailable: Could not reach Odoo at http:\/\/127\.0\.0\.1:\d+ for common\.authenticate/);
  expect(errors![0]!.path).toEqual(['customer']);
  // The API key is never part of what a client sees.
  expect(JSON.stringify(errors)).not.toContain('0123456789abcdef');
});

it('answers every entity of an _entities batch with the same named error', async () => {
  const { data, errors } = await subgraph.query(
    `query ($r: [_Any!]!) { _entities(representations: $r) { ... on Customer { legalName } ... on Product { name } } }`,
    {
      r: [
        { __typename: 'Customer', number: 'C00001' },
        { __typename: 'Product', sku: 'CP-100' },
      ],
    },
  );
  expect(data).toEqual({ _entities: [null, null] });
  expect(errors!.map((e) => e.extensions?.code)).toEqual(['NATIVE_SYSTEM_UNAVAILABLE', 'NATIVE_SYSTEM_UNAVAILABLE']);
});

it('answers a connection with the named error', async () => {
  const { errors } = await subgraph.query(`{ salesOrders(first: 5) { totalCount nodes { number } } }`);
  expect(errors![0]!.extensions?.code).toBe('NATIVE_SYSTEM_UNAVAILABLE');
  expect(errors![0]!.message).toMatch(/ERP \(Odoo\)/);
});

it('still validates arguments before asking the ERP', async () => {
  const { errors } = await subgraph.query(`{ customers(first: 500) { nodes { number } } }`);
  expect(errors![0]!.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argumentName: 'first' });
  expect(errors![0]!.message).toBe('Expected `first` to be between 0 and 100, but got 500.');
});

it('keeps serving the schema', async () => {
  const { data } = await subgraph.query(`{ _service { sdl } }`);
  expect(data._service.sdl).toMatch(/type Customer\b[^{]*@key\(fields: "number"/);
});
