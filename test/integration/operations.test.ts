/**
 * The example operations in `schema/operations/`: every `.graphql` file must be
 * valid against the composed supergraph's API schema, and must run against the
 * live stack (small seed) without errors. Variables come from the file of the
 * same name ending `.variables.json`, when there is one. A file may hold
 * several operations; each runs on its own.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Supergraph } from '@apollo/federation-internals';
import { Kind, parse, print, validate, type DocumentNode, type OperationDefinitionNode } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../lib/subgraphSchemas.js';
import { startTestStack, type TestStack } from '../helpers/startStack.js';

const folder = join(repoRoot, 'schema/operations');
const files = readdirSync(folder)
  .filter((f) => f.endsWith('.graphql'))
  .sort();

// The API schema clients see: the supergraph without its join/link machinery. Security
// features (@requiresScopes) are enforced by the gateway, so they need not be "supported" here.
const apiSchema = Supergraph.build(readFileSync(join(repoRoot, 'schema/supergraph.graphql'), 'utf8'), { supportedFeatures: null })
  .apiSchema()
  .toGraphQLJSSchema();

function operationsOf(document: DocumentNode): OperationDefinitionNode[] {
  return document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
}

function variablesFor(file: string): Record<string, unknown> {
  const path = join(folder, file.replace(/\.graphql$/, '.variables.json'));
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>) : {};
}

let stack: TestStack;

beforeAll(async () => {
  stack = await startTestStack();
});

afterAll(async () => {
  await stack?.stop();
});

describe('example operations in schema/operations', () => {
  it('has some', () => {
    expect(files.length).toBeGreaterThan(0);
  });

  describe.each(files)('%s', (file) => {
    const source = readFileSync(join(folder, file), 'utf8');

    it('is valid against the supergraph', () => {
      const document = parse(source);
      expect(operationsOf(document).length).toBeGreaterThan(0);
      expect(validate(apiSchema, document).map((e) => e.message)).toEqual([]);
    });

    it('runs against the live stack without errors', async () => {
      const document = parse(source);
      const fragments = document.definitions.filter((d) => d.kind === Kind.FRAGMENT_DEFINITION);
      const variables = variablesFor(file);
      for (const operation of operationsOf(document)) {
        const used = new Set((operation.variableDefinitions ?? []).map((v) => v.variable.name.value));
        const own = Object.fromEntries(Object.entries(variables).filter(([k]) => used.has(k)));
        const text = print({ kind: Kind.DOCUMENT, definitions: [operation, ...fragments] });
        const { data, errors } = await stack.query(text, own);
        expect(errors, `${file}${operation.name ? ` (${operation.name.value})` : ''}`).toBeUndefined();
        expect(data).toBeTruthy();
      }
    });
  });
});
