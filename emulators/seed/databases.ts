/**
 * Creates and seeds both emulators' SQLite databases in one folder, as
 * `npm start` does on first start, but ahead of time and with nothing left
 * listening (`npm run seed`, scripts/seed.ts). A database that already exists
 * keeps its data unless `force` deletes it first.
 */
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { createSeedProgressDisplay, type ProgressMode } from '../../lib/progress.js';
import { startOdooEmulator } from '../odoo/server.js';
import { startSalesforceEmulator } from '../salesforce/server.js';
import type { SeedSize } from './world.js';

export interface SeedOptions {
  size: SeedSize;
  dataDir: string;
  /** Delete existing databases first. Defaults to false. */
  force?: boolean;
  /** Defaults to always. */
  progress?: ProgressMode;
  /** Where the summary lines go. Defaults to console.log. */
  log?: (line: string) => void;
}

export interface SeedResult {
  system: 'Odoo' | 'Salesforce';
  file: string;
  /** The seed the database holds now. */
  size: SeedSize;
  /** False when the database existed and was kept. */
  seeded: boolean;
  seconds: number;
}

/** Seeds (or keeps) both databases in `dataDir`, one after the other. */
export async function seedDatabases(options: SeedOptions): Promise<SeedResult[]> {
  const log = options.log ?? ((line: string) => console.log(line));
  mkdirSync(options.dataDir, { recursive: true });
  const display = createSeedProgressDisplay('', options.progress ?? 'always');
  const results: SeedResult[] = [];
  const systems = [
    { system: 'Odoo' as const, file: join(options.dataDir, 'odoo.sqlite'), start: startOdooEmulator },
    { system: 'Salesforce' as const, file: join(options.dataDir, 'salesforce.sqlite'), start: startSalesforceEmulator },
  ];
  try {
    for (const { system, file, start } of systems) {
      if (options.force) for (const f of [file, `${file}-wal`, `${file}-shm`]) rmSync(f, { force: true });
      const existed = existsSync(file);
      const started = Date.now();
      // The emulator seeds a new database as it opens; it listens on a free loopback port only until it is closed again.
      const emulator = await start({
        dbPath: file,
        seedSize: options.size,
        port: 0,
        host: '127.0.0.1',
        onSeedProgress: display.onProgress && ((done, total, label) => display.onProgress!(done, total, label, system)),
      });
      display.stop();
      await emulator.close();
      const result: SeedResult = { system, file, size: emulator.seedSize, seeded: !existed, seconds: (Date.now() - started) / 1000 };
      results.push(result);
      if (result.seeded) log(`Seeded a ${result.size} ${system} database in ${result.seconds.toFixed(1)} s: ${file}`);
      else if (result.size !== options.size) log(`Kept ${file}: it holds the ${result.size} seed, not ${options.size}. Run with --force to reseed it.`);
      else log(`Kept ${file}: it already holds the ${result.size} seed.`);
    }
  } finally {
    display.stop();
  }
  return results;
}
