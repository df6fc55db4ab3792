import { describe, expect, it } from 'vitest';
import { DEVELOPMENT_JWT_SECRET, loadGatewayConfig } from '../../gateway/src/config.js';

const production = {
  NODE_ENV: 'production',
  AUTH_MODE: 'hs256',
  AUTH_JWT_SECRET: 'p'.repeat(40),
  AUTH_ISSUER: 'https://id.example',
  INTERNAL_SHARED_SECRET: 'i'.repeat(40),
};

describe('security settings', () => {
  it('development defaults: auth off, explorer and introspection on, limits set', () => {
    const config = loadGatewayConfig({});
    expect(config.auth).toEqual({ mode: 'off' });
    expect(config.explorer).toBe(true);
    expect(config.introspection).toBe(true);
    expect(config.limits).toEqual({ maxDepth: 12, maxAliases: 15, maxCost: 25_000, defaultListSize: 20, maxBatch: 10, maxTokens: 5000 });
    expect(config.authorizationPolicy).toBe('error');
    expect(config.trustedDocuments.enabled).toBe(false);
  });

  it('hs256 in development falls back to the public development secret and issuer', () => {
    const config = loadGatewayConfig({ AUTH_MODE: 'hs256' });
    expect(config.auth).toMatchObject({
      mode: 'hs256',
      secret: DEVELOPMENT_JWT_SECRET,
      developmentSecret: true,
      issuer: 'erp-crm-graph-dev',
      audience: 'erp-crm-graph',
    });
  });

  it('production: a complete configuration loads with explorer and introspection off', () => {
    const config = loadGatewayConfig(production);
    expect(config).toMatchObject({ explorer: false, introspection: false, auth: { mode: 'hs256', developmentSecret: false } });
  });

  it.each([
    ['without AUTH_MODE', { AUTH_MODE: undefined }, /AUTH_MODE: expected hs256 or jwks when NODE_ENV=production/],
    ['with AUTH_MODE=off', { AUTH_MODE: 'off' }, /AUTH_MODE/],
    ['without AUTH_JWT_SECRET', { AUTH_JWT_SECRET: undefined }, /AUTH_JWT_SECRET/],
    ['with the development secret', { AUTH_JWT_SECRET: DEVELOPMENT_JWT_SECRET }, /not the public development secret/],
    ['without AUTH_ISSUER', { AUTH_ISSUER: undefined }, /AUTH_ISSUER/],
    ['without INTERNAL_SHARED_SECRET', { INTERNAL_SHARED_SECRET: undefined }, /INTERNAL_SHARED_SECRET/],
  ])('production refuses to start %s', (_, change, message) => {
    expect(() => loadGatewayConfig({ ...production, ...change })).toThrow(message);
  });

  it('never puts a secret into an error message', () => {
    const short = 'tooshort-secret';
    expect(() => loadGatewayConfig({ AUTH_MODE: 'hs256', AUTH_JWT_SECRET: short })).toThrow(/at least 32 characters/);
    try {
      loadGatewayConfig({ AUTH_MODE: 'hs256', AUTH_JWT_SECRET: short });
    } catch (error) {
      expect((error as Error).message).not.toContain(short);
    }
  });

  it('jwks needs exactly one of a URL or a file', () => {
    expect(() => loadGatewayConfig({ AUTH_MODE: 'jwks' })).toThrow(/exactly one of AUTH_JWKS_URL or AUTH_JWKS_FILE/);
    expect(loadGatewayConfig({ AUTH_MODE: 'jwks', AUTH_JWKS_URL: 'https://id.example/jwks.json' }).auth).toMatchObject({
      mode: 'jwks',
      jwksUrl: 'https://id.example/jwks.json',
    });
  });

  it('validates the limits', () => {
    expect(() => loadGatewayConfig({ GATEWAY_MAX_DEPTH: '0' })).toThrow(/GATEWAY_MAX_DEPTH/);
    expect(() => loadGatewayConfig({ AUTHZ_POLICY: 'ignore' })).toThrow(/AUTHZ_POLICY: expected one of error, mask/);
  });
});
