/**
 * The Odoo emulator entry point's settings: the only place it reads the
 * environment. A bad value stops start-up with a message naming the setting.
 *
 * The credentials use the ERP subgraph's own settings (ODOO_DB, ODOO_LOGIN,
 * ODOO_API_KEY), so that an emulator and a subgraph started from one
 * environment always agree.
 */
import { resolve } from 'node:path';
import { readSettings } from '../../lib/config/index.js';
import { repoRoot } from '../../lib/subgraphSchemas.js';
import { parseFaultRules, type FaultRule } from '../common/faults.js';
import type { SeedProgressMode } from '../common/progress.js';
import type { SeedSize } from '../seed/world.js';

export interface OdooEmulatorConfig {
  /** ODOO_EMULATOR_PORT; 0 picks a free port. Defaults to 8069, Odoo's own. */
  port: number;
  /** ODOO_EMULATOR_HOST. Defaults to 127.0.0.1. */
  host: string;
  /** ODOO_EMULATOR_DB, relative to the repository root unless absolute. Defaults to data/odoo.sqlite. */
  dbPath: string;
  /** SEED_SIZE: small or large, used only when the database is new. Defaults to small. */
  seedSize: SeedSize;
  /** EMULATOR_LATENCY_MS: delay added to every native call. Defaults to 0. */
  latencyMs: number;
  /** SEED_PROGRESS: auto (a bar on a terminal), always or never. Defaults to auto. */
  seedProgress: SeedProgressMode;
  /** ODOO_DB. Defaults to odoo. */
  database: string;
  /** ODOO_LOGIN. Defaults to admin. */
  login: string;
  /** ODOO_API_KEY. Defaults to the development key. */
  apiKey: string;
  /** ODOO_EMULATOR_FAULTS: a JSON list of fault rules (emulators/common/faults.ts) active from the start. Defaults to none. */
  faults: FaultRule[];
}

export function loadOdooEmulatorConfig(env: NodeJS.ProcessEnv = process.env): OdooEmulatorConfig {
  // Names, defaults and accepted values are declared in lib/config/catalog.ts.
  const s = readSettings(env);
  const faults = s.get('ODOO_EMULATOR_FAULTS');
  return {
    port: s.get('ODOO_EMULATOR_PORT'),
    host: s.get('ODOO_EMULATOR_HOST'),
    dbPath: resolve(repoRoot, s.get('ODOO_EMULATOR_DB')),
    seedSize: s.get('SEED_SIZE'),
    latencyMs: s.get('EMULATOR_LATENCY_MS'),
    seedProgress: s.get('SEED_PROGRESS'),
    database: s.get('ODOO_DB'),
    login: s.get('ODOO_LOGIN'),
    apiKey: s.get('ODOO_API_KEY'),
    faults: faults ? parseFaultRules(faults, 'ODOO_EMULATOR_FAULTS') : [],
  };
}
