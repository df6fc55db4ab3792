/**
 * Runs the Salesforce emulator: `npx tsx emulators/salesforce/main.ts`.
 * Settings come from the environment through config.ts.
 */
import cliProgress from 'cli-progress';
import { loadConfig } from './config.js';
import { startSalesforceEmulator } from './server.js';

async function main(): Promise<void> {
  const config = loadConfig();
  let bar: cliProgress.SingleBar | null = null;
  let label = '';
  const started = Date.now();
  const emulator = await startSalesforceEmulator({
    ...config,
    onSeedProgress: (done, total, phase) => {
      if (!bar) {
        bar = new cliProgress.SingleBar(
          { format: 'Seeding Salesforce {phase} [{bar}] {value}/{total}', hideCursor: true, clearOnComplete: false },
          cliProgress.Presets.shades_classic,
        );
        bar.start(total, done, { phase });
      }
      if (phase !== label) {
        label = phase;
        bar.setTotal(total);
      }
      bar.update(done, { phase: phase.padEnd(18) });
    },
  });
  if (bar) {
    (bar as cliProgress.SingleBar).stop();
    console.log(`Seeded a ${emulator.seedSize} Salesforce org in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
  } else if (emulator.seedSize !== config.seedSize) {
    console.warn(`${config.dbPath} was seeded with SEED_SIZE=${emulator.seedSize}; keeping it (delete the file to reseed with ${config.seedSize}).`);
  }
  console.log(`Salesforce emulator listening on ${emulator.url} (database ${config.dbPath}).`);
  const stop = () => {
    emulator.close().then(() => process.exit(0), () => process.exit(1));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((e: unknown) => {
  console.error((e as Error).message ?? e);
  process.exit(1);
});
