/**
 * Fails when the committed generated files (each subgraph's resolver types, the
 * example operations' typed documents in clients/__generated__/) differ from
 * what codegen.yml would generate now, so a schema or operation change cannot
 * land without its types.
 */
import { readFileSync, existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { createContext, generate } from '@graphql-codegen/cli';
import { repoRoot } from '../lib/subgraphSchemas.js';

const context = await createContext({ config: resolve(repoRoot, 'codegen.yml'), _: [], $0: '' } as never);
const outputs = (await generate(context, false)) as { filename: string; content: string }[];
const stale = outputs.filter(({ filename, content }) => {
  const file = resolve(repoRoot, filename);
  return !existsSync(file) || readFileSync(file, 'utf8') !== content;
});
if (stale.length > 0) {
  console.error(`Generated types are stale: ${stale.map((o) => o.filename).join(', ')}. Run \`npm run codegen\` and commit the result.`);
  process.exit(1);
}
console.log(`Generated types are up to date (${outputs.length} files).`);
