/**
 * The standalone entry point both emulators share (`npx tsx emulators/<system>/main.ts`):
 * read settings, open (seeding with a progress display when new) and listen, say where,
 * and close on SIGINT or SIGTERM. A bad setting or a refused database ends the process
 * with its message.
 */
import { createSeedProgressDisplay, type SeedProgressMode } from './progress.js';
import type { SeedSize } from '../seed/world.js';

type OnSeedProgress = ((done: number, total: number, label: string) => void) | undefined;

interface EmulatorConfig {
  dbPath: string;
  seedSize: SeedSize;
  seedProgress: SeedProgressMode;
}

interface RunningEmulator {
  seedSize: SeedSize;
  close(): Promise<void>;
}

export function runEmulator<C extends EmulatorConfig, E extends RunningEmulator>(options: {
  /** `Odoo database` or `Salesforce org`: what is seeded, for messages. */
  seeded: string;
  system: string;
  load: () => C;
  start: (config: C, onSeedProgress: OnSeedProgress) => Promise<E>;
  listening: (emulator: E, config: C) => string;
}): void {
  const main = async () => {
    const config = options.load();
    const progress = createSeedProgressDisplay(options.system, config.seedProgress);
    const started = Date.now();
    let seeded = false;
    const onProgress = progress.onProgress;
    const emulator = await options
      .start(
        config,
        onProgress
          ? (done, total, label) => {
              seeded = true;
              onProgress(done, total, label);
            }
          : undefined,
      )
      .finally(() => progress.stop());
    if (seeded) console.log(`Seeded a ${emulator.seedSize} ${options.seeded} in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
    if (emulator.seedSize !== config.seedSize) {
      console.warn(`${config.dbPath} was seeded with SEED_SIZE=${emulator.seedSize}; keeping it (delete the file to reseed with ${config.seedSize}).`);
    }
    console.log(options.listening(emulator, config));
    const stop = () => {
      emulator.close().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  };
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
