/**
 * `npm run config:docs`: writes `.env.example` and the README's configuration
 * table from the settings catalog (lib/config/catalog.ts). With `--check` it
 * writes nothing and fails when either is out of date (test/lib/config.test.ts
 * checks the same).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderEnvExample, withReadmeTable } from '../lib/config/docs.js';
import { repoRoot } from '../lib/subgraphSchemas.js';

const check = process.argv.includes('--check');
const files = [
  { path: join(repoRoot, '.env.example'), next: () => renderEnvExample() },
  { path: join(repoRoot, 'README.md'), next: () => withReadmeTable(readFileSync(join(repoRoot, 'README.md'), 'utf8')) },
];
const stale: string[] = [];
for (const { path, next } of files) {
  const wanted = next();
  let current = '';
  try {
    current = readFileSync(path, 'utf8');
  } catch {
    // Missing: stale.
  }
  if (current === wanted) continue;
  stale.push(path.slice(repoRoot.length + 1));
  if (!check) writeFileSync(path, wanted);
}
if (check && stale.length > 0) {
  console.error(`Out of date with lib/config/catalog.ts: ${stale.join(', ')}. Run \`npm run config:docs\` and commit the result.`);
  process.exit(1);
}
console.log(stale.length === 0 ? 'Settings documentation is up to date.' : `Wrote ${stale.join(' and ')} from lib/config/catalog.ts.`);
