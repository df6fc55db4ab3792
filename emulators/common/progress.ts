/**
 * The seed progress display of an emulator's entry point: lib/progress.ts,
 * shared with `npm start`, `npm run seed` and `npm run soak`.
 */
export { createSeedProgressDisplay, type SeedProgressDisplay, type SeedProgressMode } from '../../lib/progress.js';
