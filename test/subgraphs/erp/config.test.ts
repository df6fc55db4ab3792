import { describe, expect, it } from 'vitest';
import { loadErpConfig } from '../../../subgraphs/erp/src/config.js';

describe('loadErpConfig', () => {
  it('defaults to the local emulator', () => {
    expect(loadErpConfig({})).toEqual({
      port: 4001,
      host: '127.0.0.1',
      keepAliveTimeoutMs: 65000,
      odoo: {
        url: 'http://127.0.0.1:8069',
        db: 'odoo',
        login: 'admin',
        apiKey: '0123456789abcdef0123456789abcdef01234567',
        timeoutMs: 30000,
        resilience: { retryAttempts: 3, retryBaseDelayMs: 100, retryMaxDelayMs: 2000, breakerFailures: 5, breakerHalfOpenAfterMs: 10000 },
      },
      development: true,
      // The cross-request cache (lib/cache): in memory without REDIS_URL, and the ERP change poll.
      cache: { mode: 'memory', redis: undefined, prefix: 'ecg', ttls: { defaultSeconds: 300, byType: {} }, staleSeconds: 3600, memoryMaxEntries: 50000 },
      changePollMs: 2000,
      nativeBatching: true,
      // Logs, metrics and traces (lib/observability): info lines, no tracing, an open /metrics.
      observability: { logLevel: 'info', tracing: { mode: 'off' } },
    });
  });

  it('reads every setting from the environment', () => {
    const config = loadErpConfig({
      ERP_SUBGRAPH_PORT: '0',
      ERP_SUBGRAPH_HOST: '0.0.0.0',
      HTTP_KEEPALIVE_TIMEOUT_MS: '75000',
      ODOO_URL: 'https://erp.example.com/',
      ODOO_DB: 'prod',
      ODOO_LOGIN: 'integration@example.com',
      ODOO_API_KEY: 'k'.repeat(40),
      ODOO_TIMEOUT_MS: '5000',
      NODE_ENV: 'production',
      INTERNAL_SHARED_SECRET: 's'.repeat(40),
    });
    expect(config).toEqual({
      port: 0,
      host: '0.0.0.0',
      keepAliveTimeoutMs: 75000,
      odoo: {
        url: 'https://erp.example.com',
        db: 'prod',
        login: 'integration@example.com',
        apiKey: 'k'.repeat(40),
        timeoutMs: 5000,
        resilience: { retryAttempts: 3, retryBaseDelayMs: 100, retryMaxDelayMs: 2000, breakerFailures: 5, breakerHalfOpenAfterMs: 10000 },
      },
      development: false,
      internalSecret: 's'.repeat(40),
      cache: { mode: 'memory', redis: undefined, prefix: 'ecg', ttls: { defaultSeconds: 300, byType: {} }, staleSeconds: 3600, memoryMaxEntries: 50000 },
      changePollMs: 2000,
      nativeBatching: true,
      // Logs, metrics and traces (lib/observability): info lines, no tracing, an open /metrics.
      observability: { logLevel: 'info', tracing: { mode: 'off' } },
    });
  });

  it('refuses production without INTERNAL_SHARED_SECRET, which signs gateway requests', () => {
    expect(() => loadErpConfig({ NODE_ENV: 'production' })).toThrow(/INTERNAL_SHARED_SECRET/);
  });

  it('names the setting and what it expected when a value is invalid', () => {
    expect(() => loadErpConfig({ ERP_SUBGRAPH_PORT: 'http' })).toThrow(/ERP_SUBGRAPH_PORT: expected an integer from 0 to 65535, but got "http"/);
    expect(() => loadErpConfig({ ERP_SUBGRAPH_PORT: '70000' })).toThrow(/ERP_SUBGRAPH_PORT/);
    expect(() => loadErpConfig({ ODOO_URL: 'odoo:8069' })).toThrow(/ODOO_URL: expected an http\(s\) URL, but got "odoo:8069"/);
    expect(() => loadErpConfig({ ODOO_TIMEOUT_MS: '0' })).toThrow(/ODOO_TIMEOUT_MS/);
  });

  it('never puts the API key in an error', () => {
    const secret = 'secret key with spaces';
    expect(() => loadErpConfig({ ODOO_API_KEY: ` x${secret}` })).toThrow(/ODOO_API_KEY/);
    try {
      loadErpConfig({ ODOO_API_KEY: `x${secret}` });
    } catch (error) {
      expect((error as Error).message).not.toContain(secret);
    }
  });
});
