/**
 * `npm run seed -- [--size small|large] [--data-dir DIR] [--force]`: creates
 * and seeds both emulators' SQLite databases ahead of `npm start` (which
 * otherwise seeds them on first start), with a progress bar per phase. A
 * database that already exists keeps its data unless --force deletes it first.
 *
 * Defaults come from the settings catalog (lib/config): SEED_SIZE, DATA_DIR,
 * and SEED_PROGRESS, here `always` unless set (a seed run is all progress).
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { seedDatabases } from '../emulators/seed/databases.js';
import { isSeedSize } from '../emulators/seed/world.js';
import { readSettings } from '../lib/config/index.js';
import { repoRoot } from '../lib/subgraphSchemas.js';

const USAGE = 'Usage: npm run seed -- [--size small|large] [--data-dir DIR] [--force]';

function fail(message: string): never {
  console.error(`${message}\n${USAGE}`);
  process.exit(2);
}

const settings = readSettings(process.env);
let args: { size?: string; 'data-dir'?: string; force: boolean; help: boolean };
try {
  args = parseArgs({
    options: {
      size: { type: 'string' },
      'data-dir': { type: 'string' },
      force: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  }).values as typeof args;
} catch (error) {
  fail((error as Error).message);
}
if (args.help) {
  console.log(USAGE);
  process.exit(0);
}
const size = args.size ?? settings.get('SEED_SIZE');
if (!isSeedSize(size)) fail(`Expected --size to be small or large, but got ${JSON.stringify(size)}.`);
// --data-dir is relative to where the command runs; DATA_DIR, like every path setting, to the repository root.
const dataDir = args['data-dir'] ? resolve(args['data-dir']) : resolve(repoRoot, settings.get('DATA_DIR'));
await seedDatabases({ size, dataDir, force: args.force, progress: settings.get('SEED_PROGRESS', { default: 'always' }) }).catch((error: unknown) => {
  console.error(`Could not seed: ${(error as Error).message}`);
  process.exit(1);
});
