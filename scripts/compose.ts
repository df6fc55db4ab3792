/**
 * Composes schema/supergraph.graphql from the subgraph SDL at build time, as a
 * standard Federation 2 supergraph that any router can serve, and the graph map
 * (schema/graph-map.json: every field with its subgraph and native source) from
 * the same SDL's source directives.
 *
 *   npm run compose          writes both files
 *   npm run compose:check    fails when either committed file is stale, or a field declares no source
 */
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { composeServices } from '@apollo/composition';
import { parse } from 'graphql';
import { repoRoot, subgraphEntries, subgraphSdl } from '../lib/subgraphSchemas.js';
import { buildGraphMap, graphMapJson, readSubgraphSchemaFiles } from './graphMap.js';

const target = resolve(repoRoot, 'schema/supergraph.graphql');
const mapTarget = resolve(repoRoot, 'schema/graph-map.json');
const check = process.argv.includes('--check');

const result = composeServices(subgraphEntries().map((s) => ({ name: s.name, url: s.url, typeDefs: parse(subgraphSdl(s.name)) })));

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
const graphMap = buildGraphMap(readSubgraphSchemaFiles(), sdl);
if (graphMap.problems.length > 0) {
  console.error(`The graph map cannot be built: ${graphMap.problems.length} field(s) or type(s) declare their native source badly or not at all:`);
  for (const problem of graphMap.problems) console.error(`  ${problem}`);
  process.exit(1);
}
const mapJson = graphMapJson(graphMap.map);

if (check) {
  const stale = [
    { path: target, name: 'schema/supergraph.graphql', content: sdl },
    { path: mapTarget, name: 'schema/graph-map.json', content: mapJson },
  ].filter((f) => (existsSync(f.path) ? readFileSync(f.path, 'utf8') : '') !== f.content);
  if (stale.length > 0) {
    console.error(
      `${stale.map((f) => f.name).join(' and ')} ${stale.length > 1 ? 'are' : 'is'} stale: the subgraph schemas changed since they were composed. Run \`npm run compose\` and commit the result.`,
    );
    process.exit(1);
  }
  console.log('schema/supergraph.graphql and schema/graph-map.json are up to date.');
} else {
  writeFileSync(target, sdl);
  writeFileSync(mapTarget, mapJson);
  console.log(`Wrote ${target} and ${mapTarget}.`);
}
