/**
 * Runs the Odoo emulator on its own: `npx tsx emulators/odoo/main.ts`.
 * Settings come from the environment through config.ts.
 */
import { runEmulator } from '../common/main.js';
import { loadOdooEmulatorConfig } from './config.js';
import { startOdooEmulator } from './server.js';

runEmulator({
  system: 'Odoo',
  seeded: 'Odoo database',
  load: () => loadOdooEmulatorConfig(),
  start: (config, onSeedProgress) => startOdooEmulator({ ...config, onSeedProgress }),
  listening: (emulator, config) => `Odoo emulator listening on ${emulator.url}/jsonrpc (database "${config.database}", data in ${config.dbPath}).`,
});
