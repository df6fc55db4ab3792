/**
 * Composes schema/supergraph.graphql from the subgraph SDL at build time, as a
 * standard Federation 2 supergraph that any router can serve.
 *
 *   npm run compose          writes the file
 *   npm run compose:check    fails when the committed file is stale
 */
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { composeServices } from '@apollo/composition';
import { parse } from 'graphql';
import { repoRoot, subgraphEntries, subgraphSdl } from '../lib/subgraphSchemas.js';

const target = resolve(repoRoot, 'schema/supergraph.graphql');
const check = process.argv.includes('--check');

const result = composeServices(
  subgraphEntries().map((s) => ({ name: s.name, url: s.url, typeDefs: parse(subgraphSdl(s.name)) })),
);

if (result.errors) {
  console.error(`Composition failed with ${result.errors.length} error(s):`);
  for (const error of result.errors) {
    const code = (error.extensions?.code as string | undefined) ?? 'ERROR';
    console.error(`  [${code}] ${error.message}`);
  }
  process.exit(1);
}
for (const hint of result.hints ?? []) console.warn(`hint: ${hint.toString()}`);

const sdl = `${result.supergraphSdl.trimEnd()}\n`;
if (check) {
  const current = existsSync(target) ? readFileSync(target, 'utf8') : '';
  if (current !== sdl) {
    console.error('schema/supergraph.graphql is stale: the subgraph schemas changed since it was composed. Run `npm run compose` and commit the result.');
    process.exit(1);
  }
  console.log('schema/supergraph.graphql is up to date.');
} else {
  writeFileSync(target, sdl);
  console.log(`Wrote ${target}.`);
}
