/**
 * Runs the Odoo emulator on its own: `npx tsx emulators/odoo/main.ts`.
 * Settings come from the environment through config.ts.
 */
import { createSeedProgressDisplay } from '../common/progress.js';
import { loadOdooEmulatorConfig } from './config.js';
import { startOdooEmulator } from './server.js';

async function main(): Promise<void> {
  const config = loadOdooEmulatorConfig();
  const progress = createSeedProgressDisplay('Odoo', config.seedProgress);
  const started = Date.now();
  let seeded = false;
  const emulator = await startOdooEmulator({
    ...config,
    onSeedProgress: progress.onProgress
      ? (done, total, label) => {
          seeded = true;
          progress.onProgress!(done, total, label);
        }
      : undefined,
  }).finally(() => progress.stop());
  if (seeded) console.log(`Seeded a ${emulator.seedSize} Odoo database in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
  if (emulator.seedSize !== config.seedSize) {
    console.warn(`${config.dbPath} was seeded with SEED_SIZE=${emulator.seedSize}; keeping it (delete the file to reseed with ${config.seedSize}).`);
  }
  console.log(`Odoo emulator listening on ${emulator.url}/jsonrpc (database "${config.database}", data in ${config.dbPath}).`);
  const stop = () => {
    emulator.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
