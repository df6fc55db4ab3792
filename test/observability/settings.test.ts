/**
 * The observability settings as every component reads them: defaults, and a
 * bad value stopping start-up with a message that names the setting, what it
 * accepts and what arrived (never a secret's value).
 */
import { describe, expect, it } from 'vitest';
import { readObservabilitySettings } from '../../lib/observability/settings.js';
import { loadGatewayConfig } from '../../gateway/src/config.js';
import { loadErpConfig } from '../../subgraphs/erp/src/config.js';
import { loadCrmConfig } from '../../subgraphs/crm/src/config.js';
import { loadWorkflowConfig } from '../../subgraphs/workflow/src/config.js';

const loaders = { gateway: loadGatewayConfig, erp: loadErpConfig, crm: loadCrmConfig, workflow: loadWorkflowConfig };

describe('readObservabilitySettings', () => {
  it('defaults to info logs, no tracing and an open /metrics', () => {
    expect(readObservabilitySettings({})).toEqual({ logLevel: 'info', tracing: { mode: 'off' } });
  });

  it('reads every accepted value', () => {
    const settings = readObservabilitySettings({
      LOG_LEVEL: 'debug',
      TRACING: 'otlp',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/',
      METRICS_TOKEN: 'a-token-of-sixteen+',
    });
    expect(settings).toEqual({ logLevel: 'debug', tracing: { mode: 'otlp', endpoint: 'http://collector:4318' }, metricsToken: 'a-token-of-sixteen+' });
    expect(readObservabilitySettings({ TRACING: 'otlp' }).tracing).toEqual({ mode: 'otlp', endpoint: 'http://127.0.0.1:4318' });
  });

  it.each(Object.entries(loaders))('stops the %s config on LOG_LEVEL=loud, naming LOG_LEVEL and the accepted levels', (_name, load) => {
    expect(() => load({ LOG_LEVEL: 'loud' })).toThrow(
      'Invalid setting LOG_LEVEL: expected one of fatal, error, warn, info, debug, trace, silent, but got "loud".',
    );
  });

  it('refuses an unknown TRACING mode and an endpoint that is not http(s)', () => {
    expect(() => readObservabilitySettings({ TRACING: 'jaeger' })).toThrow('Invalid setting TRACING: expected one of off, otlp, but got "jaeger".');
    expect(() => readObservabilitySettings({ TRACING: 'otlp', OTEL_EXPORTER_OTLP_ENDPOINT: 'grpc://collector:4317' })).toThrow(
      'Invalid setting OTEL_EXPORTER_OTLP_ENDPOINT: expected an http(s) URL, but got "grpc://collector:4317".',
    );
  });

  it('refuses a short METRICS_TOKEN without quoting it', () => {
    expect(() => readObservabilitySettings({ METRICS_TOKEN: 'hunter2' })).toThrow(
      'Invalid setting METRICS_TOKEN: expected at least 16 characters without whitespace, but got "(hidden, 7 characters)".',
    );
  });

  it('is what each component config carries', () => {
    for (const load of Object.values(loaders)) {
      expect(load({ LOG_LEVEL: 'warn', TRACING: 'otlp' }).observability).toEqual({
        logLevel: 'warn',
        tracing: { mode: 'otlp', endpoint: 'http://127.0.0.1:4318' },
      });
    }
  });
});
