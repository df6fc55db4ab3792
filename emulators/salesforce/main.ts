/**
 * Runs the Salesforce emulator: `npx tsx emulators/salesforce/main.ts`.
 * Settings come from the environment through config.ts.
 */
import { createSeedProgressDisplay } from '../common/progress.js';
import { loadConfig } from './config.js';
import { startSalesforceEmulator } from './server.js';

async function main(): Promise<void> {
  const config = loadConfig();
  const progress = createSeedProgressDisplay('Salesforce', config.seedProgress);
  const started = Date.now();
  let seeded = false;
  const emulator = await startSalesforceEmulator({
    ...config,
    onSeedProgress: progress.onProgress
      ? (done, total, label) => {
          seeded = true;
          progress.onProgress!(done, total, label);
        }
      : undefined,
  }).finally(() => progress.stop());
  if (seeded) console.log(`Seeded a ${emulator.seedSize} Salesforce org in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
  if (emulator.seedSize !== config.seedSize) {
    console.warn(`${config.dbPath} was seeded with SEED_SIZE=${emulator.seedSize}; keeping it (delete the file to reseed with ${config.seedSize}).`);
  }
  console.log(`Salesforce emulator listening on ${emulator.url} (database ${config.dbPath}).`);
  const stop = () => {
    emulator.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((e: unknown) => {
  console.error((e as Error).message ?? e);
  process.exit(1);
});
