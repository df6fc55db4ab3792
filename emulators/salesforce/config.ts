/**
 * The only reader of the environment for the Salesforce emulator's entry point.
 * Each setting is validated once, and a bad value fails with a message naming it.
 */
import { parseFaultRules, type FaultRule } from '../common/faults.js';
import { isSeedSize, type SeedSize } from '../seed/world.js';
import { DEFAULT_CREDENTIALS } from './server.js';

export interface SalesforceEmulatorConfig {
  /** SALESFORCE_EMULATOR_PORT. Defaults to 8070. */
  port: number;
  /** SALESFORCE_EMULATOR_HOST. Defaults to 127.0.0.1. */
  host: string;
  /** SALESFORCE_EMULATOR_DB. Defaults to data/salesforce.sqlite. */
  dbPath: string;
  /** SEED_SIZE: small or large. Defaults to small. */
  seedSize: SeedSize;
  /** EMULATOR_LATENCY_MS. Defaults to 0. */
  latencyMs: number;
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

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new Error(`${name} must be an integer from ${min} to ${max}, but it is ${JSON.stringify(raw)}.`);
  }
  return n;
}

function text(env: NodeJS.ProcessEnv, name: string, fallback: string): string {
  const raw = env[name];
  if (raw === undefined) return fallback;
  if (raw.trim() === '') throw new Error(`${name} is set but empty; unset it to use the default ${JSON.stringify(fallback)}.`);
  return raw;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): SalesforceEmulatorConfig {
  const seedSize = env.SEED_SIZE ?? 'small';
  if (!isSeedSize(seedSize)) throw new Error(`SEED_SIZE must be "small" or "large", but it is ${JSON.stringify(seedSize)}.`);
  return {
    port: integer(env, 'SALESFORCE_EMULATOR_PORT', 8070, 0, 65535),
    host: text(env, 'SALESFORCE_EMULATOR_HOST', '127.0.0.1'),
    dbPath: text(env, 'SALESFORCE_EMULATOR_DB', 'data/salesforce.sqlite'),
    seedSize,
    latencyMs: integer(env, 'EMULATOR_LATENCY_MS', 0, 0, 600000),
    dailyApiLimit: integer(env, 'SALESFORCE_EMULATOR_DAILY_API_LIMIT', 100000, 1, Number.MAX_SAFE_INTEGER),
    clientId: text(env, 'SALESFORCE_EMULATOR_CLIENT_ID', DEFAULT_CREDENTIALS.clientId),
    clientSecret: text(env, 'SALESFORCE_EMULATOR_CLIENT_SECRET', DEFAULT_CREDENTIALS.clientSecret),
    username: text(env, 'SALESFORCE_EMULATOR_USERNAME', DEFAULT_CREDENTIALS.username),
    password: text(env, 'SALESFORCE_EMULATOR_PASSWORD', DEFAULT_CREDENTIALS.password),
    faults: env.SALESFORCE_EMULATOR_FAULTS?.trim() ? parseFaultRules(env.SALESFORCE_EMULATOR_FAULTS, 'SALESFORCE_EMULATOR_FAULTS') : [],
  };
}
