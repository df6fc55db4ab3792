/**
 * Runs the Salesforce emulator: `npx tsx emulators/salesforce/main.ts`.
 * Settings come from the environment through config.ts.
 */
import { runEmulator } from '../common/main.js';
import { loadConfig } from './config.js';
import { startSalesforceEmulator } from './server.js';

runEmulator({
  system: 'Salesforce',
  seeded: 'Salesforce org',
  load: () => loadConfig(),
  start: (config, onSeedProgress) => startSalesforceEmulator({ ...config, onSeedProgress }),
  listening: (emulator, config) => `Salesforce emulator listening on ${emulator.url} (database ${config.dbPath}).`,
});
