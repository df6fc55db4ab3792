import { describe, expect, it } from 'vitest';
import { describeCrmConfig, loadCrmConfig } from '../../../subgraphs/crm/src/config.js';

describe('loadCrmConfig', () => {
  it('defaults to the local emulator', () => {
    expect(loadCrmConfig({})).toEqual({
      port: 4002,
      host: '127.0.0.1',
      keepAliveTimeoutMs: 65000,
      salesforce: {
        loginUrl: 'http://127.0.0.1:8070',
        apiVersion: '60.0',
        clientId: 'erp-crm-graph',
        clientSecret: 'dev-secret',
        username: 'integration@example.com',
        password: 'dev-password',
        timeoutMs: 30000,
        resilience: { retryAttempts: 3, retryBaseDelayMs: 200, retryMaxDelayMs: 5000, breakerFailures: 5, breakerHalfOpenAfterMs: 30000 },
      },
      currencyCode: 'EUR',
      development: true,
      // The cross-request cache (lib/cache): in memory without REDIS_URL, and the CDC long-poll wait.
      cache: { mode: 'memory', redis: undefined, prefix: 'ecg', ttls: { defaultSeconds: 300, byType: {} }, staleSeconds: 3600, memoryMaxEntries: 50000 },
      changeWaitMs: 10000,
      nativeBatching: true,
      // Logs, metrics and traces (lib/observability): info lines, no tracing, an open /metrics.
      observability: { logLevel: 'info', tracing: { mode: 'off' } },
    });
  });

  it('reads every setting and treats empty variables as unset', () => {
    const config = loadCrmConfig({
      CRM_SUBGRAPH_PORT: '0',
      CRM_SUBGRAPH_HOST: '0.0.0.0',
      SALESFORCE_LOGIN_URL: 'https://login.salesforce.com/',
      SALESFORCE_API_VERSION: 'v61',
      SALESFORCE_CLIENT_ID: 'cid',
      SALESFORCE_CLIENT_SECRET: 'cs',
      SALESFORCE_USERNAME: 'me@corp.com',
      SALESFORCE_PASSWORD: '',
      CRM_CURRENCY: 'usd',
      NODE_ENV: 'production',
      INTERNAL_SHARED_SECRET: 's'.repeat(40),
    });
    expect(config).toMatchObject({ port: 0, host: '0.0.0.0', currencyCode: 'USD', development: false, internalSecret: 's'.repeat(40) });
    // Production without the secret that signs gateway requests does not start.
    expect(() => loadCrmConfig({ NODE_ENV: 'production' })).toThrow(/INTERNAL_SHARED_SECRET/);
    expect(config.salesforce).toMatchObject({ loginUrl: 'https://login.salesforce.com', apiVersion: '61.0', clientId: 'cid', password: 'dev-password' });
  });

  it.each([
    ['CRM_SUBGRAPH_PORT', '70000', /^Invalid setting CRM_SUBGRAPH_PORT: expected an integer from 0 to 65535, but got "70000"\.$/],
    ['CRM_SUBGRAPH_PORT', '4x', /Invalid setting CRM_SUBGRAPH_PORT/],
    ['SALESFORCE_LOGIN_URL', 'login.salesforce.com', /Invalid setting SALESFORCE_LOGIN_URL: expected an http\(s\) URL, but got "login.salesforce.com"\./],
    ['SALESFORCE_API_VERSION', 'latest', /Invalid setting SALESFORCE_API_VERSION: expected a REST API version such as 60.0, but got "latest"\./],
    ['CRM_CURRENCY', 'euro', /Invalid setting CRM_CURRENCY: expected a three-letter ISO 4217 code such as EUR, but got "euro"\./],
    ['SALESFORCE_TIMEOUT_MS', '-1', /Invalid setting SALESFORCE_TIMEOUT_MS: expected an integer from 1 to 600000/],
  ])('rejects %s=%s naming the setting', (name, value, message) => {
    expect(() => loadCrmConfig({ [name]: value })).toThrow(message);
  });

  it('never puts secrets into its description', () => {
    const text = describeCrmConfig(loadCrmConfig({ SALESFORCE_PASSWORD: 'hunter2', SALESFORCE_CLIENT_SECRET: 's3cr3t' }));
    expect(text).not.toMatch(/hunter2|s3cr3t/);
  });
});
