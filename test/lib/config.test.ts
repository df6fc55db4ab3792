/**
 * The settings catalog (lib/config): every setting read anywhere is declared
 * there, the generated documentation (.env.example, the README table) matches
 * it, and its readers give the defaults and the errors the catalog promises.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  DEVELOPMENT_ODOO_API_KEY,
  DEVELOPMENT_SALESFORCE,
  InvalidSettingsError,
  SETTINGS,
  assertValidSettings,
  checkSettings,
  isSettingName,
  readSettings,
  type Setting,
} from '../../lib/config/index.js';
import { README_TABLE_END, README_TABLE_START, renderEnvExample, renderReadmeTable, withReadmeTable } from '../../lib/config/docs.js';
import { DEFAULT_API_KEY, DEFAULT_DATABASE, DEFAULT_LOGIN } from '../../emulators/odoo/server.js';
import { DEFAULT_CREDENTIALS } from '../../emulators/salesforce/server.js';
import { repoRoot } from '../../lib/subgraphSchemas.js';

// Private: every TypeScript source of the product, its scripts and its tests.
function sources(): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      if (name === 'node_modules' || name === '__generated__' || name.startsWith('.')) continue;
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      // This file names the patterns it looks for; it reads no setting itself.
      else if (name.endsWith('.ts') && path !== fileURLToPath(import.meta.url)) out.push(path);
    }
  };
  for (const top of ['gateway', 'subgraphs', 'emulators', 'lib', 'scripts', 'bench', 'clients', 'test']) walk(join(repoRoot, top));
  return out;
}

/** Variables of the machine, not of the product: a child process is given them, nothing is configured by them. */
// The process's own, and one the gateway writes for @apollo/gateway (its telemetry switch) but never reads.
const NOT_SETTINGS = new Set(['PATH', 'HOME', 'APOLLO_TELEMETRY_DISABLED']);

// The ways the code reads a variable: env.NAME / process.env.NAME / env['NAME'], and the readers' s.get('NAME') etc.
const READS = [
  /\benv\??\.([A-Z][A-Z0-9_]+)\b/g,
  /\benv\[\s*['"`]([A-Z][A-Z0-9_]+)['"`]\s*\]/g,
  /\b(?:s|settings)\.(?:get|raw|isSet|string|integer|port|url|optionalUrl|boolean|oneOf)\(\s*['"]([A-Z][A-Z0-9_]+)['"]/g,
];

describe('the settings catalog', () => {
  it('declares every setting any code reads', () => {
    const undeclared: string[] = [];
    for (const file of sources()) {
      const text = readFileSync(file, 'utf8');
      for (const pattern of READS) {
        for (const match of text.matchAll(pattern)) {
          const name = match[1]!;
          if (!isSettingName(name) && !NOT_SETTINGS.has(name)) undeclared.push(`${name} (${relative(repoRoot, file)})`);
        }
      }
    }
    expect(undeclared, 'Declare these in lib/config/catalog.ts, then run `npm run config:docs`').toEqual([]);
  });

  it('reads names the scan can see: no reader call builds a name from parts', () => {
    const built: string[] = [];
    for (const file of sources()) {
      const text = readFileSync(file, 'utf8');
      for (const match of text.matchAll(/\b(?:s|settings)\.(?:get|raw|isSet|string|integer|port|url|optionalUrl|boolean|oneOf)\(\s*`[^`]*\$\{/g)) {
        built.push(`${relative(repoRoot, file)}: ${match[0]}`);
      }
    }
    expect(built).toEqual([]);
  });

  it('has a default each setting itself accepts, and documentation for each', () => {
    for (const [name, setting] of Object.entries(SETTINGS) as [string, Setting<unknown>][]) {
      expect(setting.description.length, name).toBeGreaterThan(10);
      expect(setting.components.length, name).toBeGreaterThan(0);
      if (setting.default !== undefined) expect(setting.parse(String(setting.default)), name).toEqual(setting.default);
      if (setting.example !== undefined) expect(setting.parse(setting.example), name).not.toBeUndefined();
    }
  });

  it('uses the development credentials the emulators accept', () => {
    expect(DEVELOPMENT_ODOO_API_KEY).toBe(DEFAULT_API_KEY);
    expect(SETTINGS.ODOO_DB.default).toBe(DEFAULT_DATABASE);
    expect(SETTINGS.ODOO_LOGIN.default).toBe(DEFAULT_LOGIN);
    expect(DEVELOPMENT_SALESFORCE).toEqual(DEFAULT_CREDENTIALS);
  });
});

describe('generated documentation', () => {
  it('.env.example is the one the catalog generates (run `npm run config:docs`)', () => {
    expect(readFileSync(join(repoRoot, '.env.example'), 'utf8')).toBe(renderEnvExample());
  });

  it('lists every setting in .env.example, secrets without a value', () => {
    const text = renderEnvExample();
    for (const [name, setting] of Object.entries(SETTINGS) as [string, Setting<unknown>][]) {
      expect(text, name).toMatch(new RegExp(`^#${name}=`, 'm'));
      if (setting.secret) expect(text, name).toMatch(new RegExp(`^#${name}=$`, 'm'));
    }
  });

  it('the README configuration table is the one the catalog generates (run `npm run config:docs`)', () => {
    const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
    expect(readme).toContain(README_TABLE_START);
    expect(readme).toContain(README_TABLE_END);
    expect(withReadmeTable(readme)).toBe(readme);
    for (const name of Object.keys(SETTINGS)) expect(renderReadmeTable(), name).toContain(`| \`${name}\` |`);
  });
});

describe('readSettings', () => {
  it('gives the declared default for unset and empty variables', () => {
    const s = readSettings({ GATEWAY_PORT: '  ' });
    expect(s.get('GATEWAY_PORT')).toBe(4000);
    expect(s.get('AUTHZ_POLICY')).toBe('error');
    expect(s.get('REDIS_URL')).toBeUndefined();
    expect(s.get('GATEWAY_EXPLORER', { default: false })).toBe(false);
    expect(s.isSet('GATEWAY_PORT')).toBe(false);
  });

  it('parses and normalizes values', () => {
    const s = readSettings({
      GATEWAY_PORT: ' 0 ',
      SUBGRAPH_DEDUPE_INFLIGHT: 'OFF',
      SALESFORCE_API_VERSION: 'v61',
      CRM_CURRENCY: 'usd',
      ODOO_URL: 'https://erp.example.com//',
      NODE_ENV: 'production',
    });
    expect(s.get('GATEWAY_PORT')).toBe(0);
    expect(s.get('SUBGRAPH_DEDUPE_INFLIGHT')).toBe(false);
    expect(s.get('SALESFORCE_API_VERSION')).toBe('61.0');
    expect(s.get('CRM_CURRENCY')).toBe('USD');
    expect(s.get('ODOO_URL')).toBe('https://erp.example.com');
    expect(s.production).toBe(true);
  });

  it.each([
    ['GATEWAY_PORT', 'http', 'Invalid setting GATEWAY_PORT: expected an integer from 0 to 65535, but got "http".'],
    ['AUTHZ_POLICY', 'ignore', 'Invalid setting AUTHZ_POLICY: expected one of error, mask, but got "ignore".'],
    ['LOG_LEVEL', 'verbose', 'Invalid setting LOG_LEVEL: expected one of fatal, error, warn, info, debug, trace, silent, but got "verbose".'],
    ['GATEWAY_EXPLORER', 'maybe', 'Invalid setting GATEWAY_EXPLORER: expected true or false, but got "maybe".'],
    [
      'REDIS_URL',
      'http://x',
      'Invalid setting REDIS_URL: expected a redis:// or rediss:// URL (comma-separated seed nodes for a Redis Cluster), but got "http://x".',
    ],
    ['APQ_TTL_SECONDS', '0', 'Invalid setting APQ_TTL_SECONDS: expected an integer of at least 1, but got "0".'],
  ] as const)('names %s, what it accepts and what arrived', (name, value, message) => {
    expect(() => readSettings({ [name]: value }).get(name)).toThrow(ConfigError);
    expect(() => readSettings({ [name]: value }).get(name)).toThrow(message);
  });

  it('never puts a secret into a message', () => {
    const secret = 'short secret';
    let message = '';
    try {
      readSettings({ INTERNAL_SHARED_SECRET: secret }).get('INTERNAL_SHARED_SECRET');
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toBe('Invalid setting INTERNAL_SHARED_SECRET: expected at least 32 characters, but got "(hidden, 12 characters)".');
    expect(message).not.toContain(secret);
  });
});

describe('checkSettings', () => {
  it('reports every bad value at once', () => {
    const env = { GATEWAY_PORT: 'x', CACHE_MODE: 'disk', GATEWAY_HOST: 'anything goes' };
    expect(checkSettings(env).errors.map((e) => e.setting)).toEqual(['GATEWAY_PORT', 'CACHE_MODE']);
    expect(() => assertValidSettings(env)).toThrow(InvalidSettingsError);
    expect(() => assertValidSettings(env)).toThrow(
      /2 settings are invalid:\n {2}Invalid setting GATEWAY_PORT: .*\n {2}Invalid setting CACHE_MODE: expected one of off, memory, redis, but got "disk"\./,
    );
    expect(() => assertValidSettings({ GATEWAY_PORT: 'x' })).toThrow(ConfigError);
    expect(() => assertValidSettings({ GATEWAY_PORT: '4000', PATH: '/bin' })).not.toThrow();
  });

  it("warns about a misspelt setting with one of the product's prefixes, and suggests the right one", () => {
    const { warnings } = checkSettings({ GATEWAY_MAX_DEPHT: '5', ODOO_TIMEOUT: '100', GATEWAY_PORT: '1', SHELL: '/bin/bash', OTEL_SERVICE_NAME: 'x' });
    expect(warnings).toEqual([
      'Unknown setting GATEWAY_MAX_DEPHT is ignored. Did you mean GATEWAY_MAX_DEPTH? Every setting is listed in .env.example.',
      'Unknown setting ODOO_TIMEOUT is ignored. Did you mean ODOO_TIMEOUT_MS? Every setting is listed in .env.example.',
    ]);
  });
});
