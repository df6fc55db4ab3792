/**
 * The only reader of the environment for the Salesforce emulator's entry point.
 * Each setting is validated once, and a bad value fails with a message naming it.
 */
import { resolve } from 'node:path';
import { readSettings } from '../../lib/config/index.js';
import { repoRoot } from '../../lib/subgraphSchemas.js';
import { parseFaultRules, type FaultRule } from '../common/faults.js';
import type { SeedProgressMode } from '../common/progress.js';
import type { SeedSize } from '../seed/world.js';

export interface SalesforceEmulatorConfig {
  /** SALESFORCE_EMULATOR_PORT. Defaults to 8070. */
  port: number;
  /** SALESFORCE_EMULATOR_HOST. Defaults to 127.0.0.1. */
  host: string;
  /** SALESFORCE_EMULATOR_DB, relative to the repository root unless absolute. Defaults to data/salesforce.sqlite. */
  dbPath: string;
  /** SEED_SIZE: small or large. Defaults to small. */
  seedSize: SeedSize;
  /** EMULATOR_LATENCY_MS. Defaults to 0. */
  latencyMs: number;
  /** SEED_PROGRESS: auto (a bar on a terminal), always or never. Defaults to auto. */
  seedProgress: SeedProgressMode;
  /** SALESFORCE_EMULATOR_DAILY_API_LIMIT. Defaults to 100000. */
  dailyApiLimit: number;
  /** SALESFORCE_EMULATOR_CLIENT_ID / _CLIENT_SECRET / _USERNAME / _PASSWORD. Default to the development credentials. */
  clientId: string;
  clientSecret: string;
  username: string;
  password: string;
  /** SALESFORCE_EMULATOR_FAULTS: a JSON list of fault rules (emulators/common/faults.ts) active from the start. Defaults to none. */
  faults: FaultRule[];
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): SalesforceEmulatorConfig {
  // Names, defaults and accepted values are declared in lib/config/catalog.ts; an empty variable counts as unset.
  const s = readSettings(env);
  const faults = s.get('SALESFORCE_EMULATOR_FAULTS');
  return {
    port: s.get('SALESFORCE_EMULATOR_PORT'),
    host: s.get('SALESFORCE_EMULATOR_HOST'),
    dbPath: resolve(repoRoot, s.get('SALESFORCE_EMULATOR_DB')),
    seedSize: s.get('SEED_SIZE'),
    latencyMs: s.get('EMULATOR_LATENCY_MS'),
    seedProgress: s.get('SEED_PROGRESS'),
    dailyApiLimit: s.get('SALESFORCE_EMULATOR_DAILY_API_LIMIT'),
    clientId: s.get('SALESFORCE_EMULATOR_CLIENT_ID'),
    clientSecret: s.get('SALESFORCE_EMULATOR_CLIENT_SECRET'),
    username: s.get('SALESFORCE_EMULATOR_USERNAME'),
    password: s.get('SALESFORCE_EMULATOR_PASSWORD'),
    faults: faults ? parseFaultRules(faults, 'SALESFORCE_EMULATOR_FAULTS') : [],
  };
}
