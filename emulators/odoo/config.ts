/**
 * The Odoo emulator entry point's settings: the only place it reads the
 * environment. A bad value stops start-up with a message naming the setting.
 *
 * The credentials use the ERP subgraph's own settings (ODOO_DB, ODOO_LOGIN,
 * ODOO_API_KEY), so that an emulator and a subgraph started from one
 * environment always agree.
 */
import { resolve } from 'node:path';
import { envSettings } from '../../lib/settings.js';
import { repoRoot } from '../../lib/subgraphSchemas.js';
import { parseFaultRules, type FaultRule } from '../common/faults.js';
import type { SeedProgressMode } from '../common/progress.js';
import type { SeedSize } from '../seed/world.js';
import { DEFAULT_API_KEY, DEFAULT_DATABASE, DEFAULT_LOGIN } from './server.js';

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
  const s = envSettings(env);
  return {
    port: s.port('ODOO_EMULATOR_PORT', 8069),
    host: s.string('ODOO_EMULATOR_HOST', '127.0.0.1'),
    dbPath: resolve(repoRoot, s.string('ODOO_EMULATOR_DB', 'data/odoo.sqlite')),
    seedSize: s.oneOf('SEED_SIZE', ['small', 'large'] as const, 'small'),
    latencyMs: s.integer('EMULATOR_LATENCY_MS', 0, { min: 0, max: 600_000 }),
    seedProgress: s.oneOf('SEED_PROGRESS', ['auto', 'always', 'never'] as const, 'auto'),
    database: s.string('ODOO_DB', DEFAULT_DATABASE),
    login: s.string('ODOO_LOGIN', DEFAULT_LOGIN),
    apiKey: s.string('ODOO_API_KEY', DEFAULT_API_KEY),
    faults: env.ODOO_EMULATOR_FAULTS?.trim() ? parseFaultRules(env.ODOO_EMULATOR_FAULTS, 'ODOO_EMULATOR_FAULTS') : [],
  };
}
